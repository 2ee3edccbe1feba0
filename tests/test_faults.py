"""Faults really caused, then survived: the run SIGKILLed at chosen points and rerun, the mail server refusing or
dropping mid-run, PostgreSQL restarted mid-run, the output folder unwritable, two ingests at once. After each:
the database is consistent, every submission is there once, every message arrives exactly once (at-least-once
only inside the claim lease, as tonghop/mail/send.py documents)."""
from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from conftest import ROOT
from tonghop.config import Period
from tonghop.intake.read import parse_file

from tonghop_dev.hostile.corpus import GOOD, make_corpus

pytestmark = pytest.mark.full   # SIGKILLs, interrupts and reruns whole rounds in child processes

Y = Period.parse("2025-Y")
FILES = ["error-cells", "date-in-number", "zero-bytes", "far-cell", "name-control"]
KILL_RUN = ROOT / "tests" / "faults" / "kill_run.py"


def inbox_of(tmp_path: Path) -> Path:
    """Six files: the good one, three with problems, two refused; one reply (or officer's notice) each."""
    inbox = tmp_path / "inbox"
    make_corpus(inbox, only=FILES)
    GOOD[1](inbox / GOOD[0])
    return inbox


def expected(inbox: Path, config) -> dict[str, tuple[str, int, int]]:
    """sha256 -> (status, figures, problems) from reading the inbox afresh, for comparison with the database."""
    from tonghop.check.validate import validate_files

    checked = validate_files([parse_file(p) for p in sorted(inbox.iterdir())], config, Y)
    return {c.parsed.sha256: (c.report.status, len(c.figures), len(c.report.problems)) for c in checked}


def message_ids(db_url: str) -> dict[str, str]:
    """Outbox key -> Message-ID of the stored message."""
    from tonghop.store import open_db
    from tonghop.store.models import OutboxMessage

    engine = open_db(db_url)
    try:
        with Session(engine) as s:
            return {m.key: email.message_from_bytes(m.message, policy=default_policy)["Message-ID"]
                    for m in s.scalars(select(OutboxMessage))}
    finally:
        engine.dispose()


def assert_consistent(db_url: str, out: Path, inbox: Path, config, collector, *, sending: frozenset[str] = frozenset(),
                      arrivals: dict[str, int] | None = None) -> None:
    """Every file stored once and whole, its reports written, its message sent and arrived exactly once
    (`sending`: keys still claimed inside their lease; `arrivals`: other counts expected for some keys)."""
    from tonghop.store import open_db
    from tonghop.store.models import Figure, OutboxMessage, ProblemRow, Submission

    want = expected(inbox, config)
    engine = open_db(db_url)
    try:
        with Session(engine) as s:
            subs = s.scalars(select(Submission).where(Submission.period == Y.code)).all()
            assert sorted(x.sha256 for x in subs) == sorted(want)
            for sub in subs:
                figures = s.scalar(select(func.count()).select_from(Figure).where(Figure.submission_id == sub.id))
                problems = s.scalar(select(func.count()).select_from(ProblemRow).where(ProblemRow.submission_id == sub.id))
                assert (sub.status, figures, problems) == want[sub.sha256], sub.file_name
            outbox = {m.key: m.status for m in s.scalars(select(OutboxMessage))}
    finally:
        engine.dispose()
    assert len(list((out / Y.code / "submissions").glob("*.json"))) == len(want)
    assert (out / Y.code / "summary.json").exists()
    per_file = [k for k in outbox if k.startswith(("report:", "notice:"))]
    assert sorted(k.rsplit(":", 1)[1] for k in per_file) == sorted(want)
    assert {k: v for k, v in outbox.items() if v != "sent"} == {k: "sending" for k in sending}
    ids = message_ids(db_url)
    arrived = Counter(a.message["Message-ID"] for a in collector.arrived)
    want_arrivals = {key: (arrivals or {}).get(key, 1) for key in ids}
    assert {key: arrived[mid] for key, mid in ids.items()} == want_arrivals
    assert sum(arrived.values()) == sum(want_arrivals.values())       # nothing else arrived


def expire_leases(db_url: str) -> None:
    """What 15 minutes of waiting does: claims older than the lease are offered again."""
    from tonghop.mail.outbox import CLAIM_LEASE, SENDING
    from tonghop.store import open_db
    from tonghop.store.models import OutboxMessage

    engine = open_db(db_url)
    try:
        with Session(engine) as s, s.begin():
            s.execute(update(OutboxMessage).where(OutboxMessage.status == SENDING)
                      .values(sent_at=datetime.now(timezone.utc) - CLAIM_LEASE - timedelta(minutes=1)))
    finally:
        engine.dispose()


def sending_keys(db_url: str) -> frozenset[str]:
    from tonghop.store import open_db
    from tonghop.store.models import OutboxMessage

    engine = open_db(db_url)
    try:
        with Session(engine) as s:
            return frozenset(s.scalars(select(OutboxMessage.key).where(OutboxMessage.status == "sending")))
    finally:
        engine.dispose()


@pytest.fixture
def smtp_env(server, monkeypatch):
    collector, port = server
    env = {"TONGHOP_SMTP_HOST": "127.0.0.1", "TONGHOP_SMTP_PORT": str(port), "TONGHOP_SMTP_SECURITY": "none"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return collector, env


# stage, N: where the child dies (see tests/faults/kill_run.py)
KILL_POINTS = [("store", 3), ("outputs", 2), ("queue", 3), ("send-before", 3), ("send-after", 3), ("summary", 1)]


@pytest.mark.parametrize("stage, nth", KILL_POINTS, ids=[s for s, _ in KILL_POINTS])
def test_killed_run_then_rerun_leaves_everything_once(prefect_harness, smtp_env, config, tmp_path, stage, nth):
    from prefect.settings import PREFECT_API_URL

    from flows.round import consolidate_round

    collector, smtp = smtp_env
    inbox, out, db_url = inbox_of(tmp_path), tmp_path / "out", f"sqlite:///{tmp_path / 'round.db'}"
    env = {**os.environ, **smtp, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    child = subprocess.run([sys.executable, str(KILL_RUN), stage, str(nth), Y.code, str(inbox), str(out), db_url],
                           env=env, capture_output=True, text=True, timeout=300)
    assert child.returncode == -9, child.stderr[-3000:]          # killed where asked, not finished nor crashed

    consolidate_round(period=Y.code, inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")
    held = sending_keys(db_url)
    # A claim left by the killed run blocks that one message until the lease ends; nothing else waits.
    assert len(held) == (1 if stage.startswith("send") else 0)
    accepted = 1 if stage == "send-after" else 0           # did the server take it before the kill?
    assert_consistent(db_url, out, inbox, config, collector, sending=held, arrivals=dict.fromkeys(held, accepted))

    if held:
        expire_leases(db_url)
        consolidate_round(period=Y.code, inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")
        # killed after the server's 250: sent again with the same Message-ID (the documented at-least-once);
        # killed before DATA: sent exactly once
        assert_consistent(db_url, out, inbox, config, collector, arrivals=dict.fromkeys(held, accepted + 1))


def flaky_collector():
    """A collector that keeps refusing (451) the 3rd distinct message while `refusing`, and drops the
    connection (421) at the 5th DATA, once."""
    from smtp_server import Collector

    class Flaky(Collector):
        refusing = True
        order: list[str] = []
        datas = 0

        async def handle_DATA(self, server, session, envelope):
            self.datas += 1
            mid = email.message_from_bytes(envelope.content, policy=default_policy)["Message-ID"]
            if mid not in self.order:
                self.order.append(mid)
            if self.refusing and mid == self.order[2:3][0] if len(self.order) > 2 else False:
                return "451 4.3.0 Tam thoi khong nhan"
            if self.datas == 5:
                return "421 4.3.2 Dong ket noi"
            return await super().handle_DATA(server, session, envelope)

    return Flaky()


@contextmanager
def flaky_smtp(monkeypatch):
    """A flaky_collector behind a real SMTP server on loopback, TONGHOP_SMTP_* pointing at it; yields the collector."""
    from aiosmtpd.controller import Controller

    from smtp_server import free_port

    collector, port = flaky_collector(), free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        for k, v in {"TONGHOP_SMTP_HOST": "127.0.0.1", "TONGHOP_SMTP_PORT": str(port),
                     "TONGHOP_SMTP_SECURITY": "none"}.items():
            monkeypatch.setenv(k, v)
        yield collector
    finally:
        controller.stop()


def test_mail_server_refusing_and_dropping_mid_run(prefect_harness, config, tmp_path, monkeypatch):
    from flows.round import consolidate_round

    with flaky_smtp(monkeypatch) as collector:
        inbox, out, db_url = inbox_of(tmp_path), tmp_path / "out", f"sqlite:///{tmp_path / 'round.db'}"
        first = consolidate_round(period=Y.code, inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")
        assert "failed_error" in first["mail"]           # the round itself completed, one message waits
        assert len({a.message["Message-ID"] for a in collector.arrived}) == len(collector.order) - 1
        collector.refusing = False
        consolidate_round(period=Y.code, inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")
        assert_consistent(db_url, out, inbox, config, collector)


def test_two_ingests_at_once_store_every_submission_once(tmp_path, db_url, config):
    from tonghop.store import open_db
    from tonghop.store.models import Submission

    inbox = tmp_path / "inbox"
    make_corpus(inbox, only=FILES + ["formula-no-value", "two-tables", "hidden-copy", "ods-error", "csv-injection",
                                     "macro", "name-nfd", "name-rtl"])
    GOOD[1](inbox / GOOD[0])
    open_db(db_url).dispose()                            # migrate once, as the first run of a period does
    script = ("from pathlib import Path\n"
              "from tonghop.config import Period, load_config\n"
              "from tonghop.round.ingest import ingest_inbox\n"
              "from tonghop.store import open_db\n"
              f"engine = open_db({db_url!r})\n"
              f"r = ingest_inbox(Path({str(inbox)!r}), engine, load_config(), Period.parse('2025-Y'), batch_size=3)\n"
              "print(len(r.checked))\n")
    runs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], [e[-2000:] for _, e in results]
    want = expected(inbox, config)
    engine = open_db(db_url)
    try:
        with Session(engine) as s:
            shas = [x.sha256 for x in s.scalars(select(Submission))]
            current = Counter(x.unit_code for x in s.scalars(select(Submission).where(Submission.is_current)))
    finally:
        engine.dispose()
    assert sorted(shas) == sorted(want)                  # each once, whoever stored it
    assert all(n == 1 for n in current.values())         # one current submission per unit


def cli_env() -> dict[str, str]:
    """The CLI in a child process, talking to the session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}


def test_output_folder_not_writable_exits_2_with_a_reason(prefect_harness, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    GOOD[1](inbox / GOOD[0])
    blocker = tmp_path / "tep-thuong"
    blocker.write_text("không phải thư mục")      # root ignores permissions: a file in the way cannot be beaten
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "tonghop"), "run", "--period", Y.code, "--inbox", str(inbox),
                           "--out", str(blocker / "ket-qua")], capture_output=True, text=True, timeout=300,
                          env=cli_env(), cwd=tmp_path)
    assert done.returncode == 2
    # one line in Vietnamese before anything starts: no traceback, no English system text
    assert done.stderr.strip() == (f"Lỗi: Không ghi được vào thư mục kết quả {blocker / 'ket-qua' / Y.code}: "
                                   "một phần của đường dẫn là tệp, không phải thư mục")


def test_output_subfolder_not_writable_exits_2(prefect_harness, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    GOOD[1](inbox / GOOD[0])
    (tmp_path / "out" / Y.code).mkdir(parents=True)
    (tmp_path / "out" / Y.code / "submissions").write_text("chặn")
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "tonghop"), "run", "--period", Y.code, "--inbox", str(inbox),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300,
                          env=cli_env(), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"Lỗi: Không ghi được vào thư mục kết quả {tmp_path / 'out' / Y.code / 'submissions'}: "
                                   "đã có một tệp trùng tên ở chỗ cần tạo thư mục")


@pytest.mark.parametrize("make, reason", [
    (lambda p: p, "Không tìm thấy thư mục hộp thư đến {inbox}"),
    (lambda p: (p.write_text("x"), p)[1], "{inbox} là một tệp, không phải thư mục; --inbox cần thư mục chứa các tệp đơn vị gửi"),
], ids=["missing", "a-file"])
def test_inbox_that_is_not_a_folder_exits_2_in_vietnamese(tmp_path, make, reason):
    inbox = make(tmp_path / "hop-thu")
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "tonghop"), "run", "--period", Y.code, "--inbox", str(inbox),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert (done.returncode, done.stderr.strip()) == (2, "Lỗi: " + reason.format(inbox=inbox))


def test_database_that_cannot_be_opened_exits_2_without_showing_its_password(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    url = "postgresql+psycopg://tonghop:mat-khau-bi-mat@127.0.0.1:1/tonghop"     # port 1: nothing listens
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "tonghop"), "run", "--period", Y.code, "--inbox", str(inbox),
                           "--out", str(tmp_path / "out"), "--db", url], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 2 and "mat-khau-bi-mat" not in done.stdout + done.stderr
    assert done.stderr.strip() == (
        "Lỗi: Không mở được cơ sở dữ liệu postgresql+psycopg://tonghop:***@127.0.0.1:1/tonghop: máy chủ cơ sở dữ liệu "
        "không nhận kết nối: máy chủ chưa chạy, hoặc sai địa chỉ hay cổng (connection failed: connection to server at "
        "\"127.0.0.1\", port 1 failed: Connection refused)")
    assert "Traceback" not in done.stderr


def _pg_ctl() -> list[str] | None:
    tool = shutil.which("pg_ctlcluster")
    if tool is None:
        return None
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.split()
    return [tool, "--skip-systemctl-redirect", listing[0], listing[1], "restart"] if len(listing) >= 2 else None


@pytest.fixture
def restartable_pg_url():
    """Like conftest's pg_url, but dropped through a new admin connection: the restart kills the old one."""
    import uuid

    from sqlalchemy import text

    from conftest import PG_ADMIN_URL, _pg_admin_engine

    name = f"tonghop_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.pg_restart
def test_postgresql_restarted_mid_run(prefect_harness, smtp_env, restartable_pg_url, config, tmp_path, monkeypatch):
    """The local server restarted while files are being stored: the task retry (or the next run) finishes
    the job, nothing is stored twice. Restarts the shared local PostgreSQL: deselect with -m 'not pg_restart'."""
    import tonghop.store.repo as repo
    from flows.round import consolidate_round

    pg_url = restartable_pg_url
    restart = _pg_ctl()
    if restart is None:
        pytest.skip("pg_ctlcluster not available")
    collector, _ = smtp_env
    inbox, out = inbox_of(tmp_path), tmp_path / "out"
    original, calls = repo.build_submission, []

    def build_then_restart(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:                       # one submission committed, the pool's connections about to die
            subprocess.run(restart, check=True, timeout=120)
        return original(*args, **kwargs)

    monkeypatch.setattr(repo, "build_submission", build_then_restart)
    try:
        consolidate_round(period=Y.code, inbox=str(inbox), out=str(out), db_url=pg_url, trigger="test")
    except Exception:  # noqa: BLE001 - a run may fail outright; what matters is what the next run finds
        pass
    monkeypatch.setattr(repo, "build_submission", original)
    consolidate_round(period=Y.code, inbox=str(inbox), out=str(out), db_url=pg_url, trigger="test")
    assert len(calls) >= 2
    assert_consistent(pg_url, out, inbox, config, collector)


INTERRUPT_RUN = ROOT / "tests" / "faults" / "interrupt_run.py"
PROGRESS_LINE = r".* \d+/\d+ \d+:\d\d:\d\d"          # the progress bar's last state, printed as the run ends


def test_ctrl_c_mid_run_stops_in_seconds_in_vietnamese_then_the_rerun_finishes(prefect_harness, smtp_env, config,
                                                                              tmp_path):
    """Ctrl+C (SIGINT to the command's process group, as a terminal sends it) while the third file is read: one
    Vietnamese line, exit 130 within seconds although that file is still being read, the run recorded as stopped
    with the two files it stored; the rerun stores the rest and every message arrives once."""
    import re
    import signal
    import time

    from flows.round import consolidate_round
    from tonghop.round.runs import format_runs, list_runs
    from tonghop.store import open_db

    collector, smtp = smtp_env
    inbox, out, db_url = inbox_of(tmp_path), tmp_path / "out", f"sqlite:///{tmp_path / 'round.db'}"
    marker = tmp_path / "dang-doc-tep-thu-3"
    child = subprocess.Popen([sys.executable, str(INTERRUPT_RUN), "3", "120", str(marker), "run", "--period", Y.code,
                              "--inbox", str(inbox), "--out", str(out), "--db", db_url],
                             env={**cli_env(), **smtp}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert child.poll() is None and time.monotonic() < deadline, child.stderr.read()[-3000:]
            time.sleep(0.1)
        os.killpg(child.pid, signal.SIGINT)
        pressed = time.monotonic()
        stdout, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert time.monotonic() - pressed < 10
    assert (child.returncode, stdout) == (130, "")
    said = [line for line in stderr.splitlines() if line.strip() and not re.fullmatch(PROGRESS_LINE, line)]
    assert said == ["Đã dừng theo yêu cầu (Ctrl+C) đợt tổng hợp Năm 2025: 2 tệp mới đã lưu được giữ lại; chạy lại "
                    "cùng lệnh để xử lý tiếp."]

    engine = open_db(db_url)
    try:
        stopped = list_runs(engine)[0]
        assert (stopped.outcome, stopped.files_seen, stopped.files_new, stopped.message) == (
            "interrupted", 2, 2, "Dừng theo yêu cầu (Ctrl+C) sau khi lưu 2 tệp mới; chạy lại để xử lý tiếp")
        row = format_runs([stopped], config.timezone).splitlines()[1]
        assert "  bị dừng  " in row and row.endswith(
            "  2/2             Dừng theo yêu cầu (Ctrl+C) sau khi lưu 2 tệp mới; chạy lại để xử lý tiếp")
        consolidate_round(period=Y.code, inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")
        rerun = list_runs(engine)[0]
        assert (rerun.outcome, rerun.files_seen, rerun.files_new) == ("completed", 6, 4)
    finally:
        engine.dispose()
    assert_consistent(db_url, out, inbox, config, collector)


def test_the_sample_round_and_an_officers_mistaken_reruns_mail_each_report_once_and_nothing_false(
        prefect_harness, smtp_env, tmp_path):
    """Issue 13's whole check, with the real command and a real SMTP server on loopback: the sample round is
    stopped by Ctrl+C mid-run and rerun; then the officer's usual mistakes — a typo'd period, a configured period
    the inbox holds no file for, a database folder that does not exist, a second database beside the same output
    folder — are each refused in one Vietnamese line (exit 2) with nothing queued or sent; a last rerun sends
    nothing. In the end every file of the inbox was answered exactly once, and only the digest besides."""
    import re
    import signal
    import time

    from tonghop.store import open_db
    from tonghop.store.models import OutboxMessage

    collector, smtp = smtp_env
    inbox, out = tmp_path / "hop-thu", tmp_path / "ket-qua"
    shutil.copytree(ROOT / "sample_inputs" / Y.code, inbox)
    env = {**cli_env(), **smtp}
    tonghop = [str(ROOT / ".venv" / "bin" / "tonghop")]

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(tonghop + list(args), capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)

    def said(stderr: str) -> list[str]:
        return [line for line in stderr.splitlines() if line.strip() and not re.fullmatch(PROGRESS_LINE, line)]

    # 1. Ctrl+C while the fourth file is stored: exit 130, three files kept, nothing mailed yet
    marker = tmp_path / "dang-doc-tep-thu-4"
    child = subprocess.Popen([sys.executable, str(INTERRUPT_RUN), "4", "120", str(marker), "run", "--period", Y.code,
                              "--inbox", str(inbox), "--out", str(out)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert child.poll() is None and time.monotonic() < deadline, child.stderr.read()[-3000:]
            time.sleep(0.1)
        os.killpg(child.pid, signal.SIGINT)
        _, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert (child.returncode, said(stderr)) == (130, [
        "Đã dừng theo yêu cầu (Ctrl+C) đợt tổng hợp Năm 2025: 3 tệp mới đã lưu được giữ lại; chạy lại cùng lệnh "
        "để xử lý tiếp."])
    assert collector.arrived == []

    # 2. the rerun finishes the round and mails every answer
    done = command("run", "--period", Y.code, "--inbox", str(inbox), "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / Y.code / "summary.json").read_text(encoding="utf-8"))
    answered = sorted(f["sha256"] for f in summary["files"] if f["state"] != "document" and not f["duplicate_of"])
    arrived_after_round = len(collector.arrived)
    assert arrived_after_round == len(answered) + 1                     # one answer a file, and the digest

    # 3. the officer's mistakes: each refused in one line, nothing queued, nothing sent
    other_db = tmp_path / "co-so-du-lieu-khac.db"
    mistakes = {
        "typo": (["--period", "2027-Y"], r"Lỗi: .*2027.*"),
        "no-file-for-period": (["--period", "2026-Y"], r"Lỗi: .*Năm 2026.*"),
        "missing-db-folder": (["--period", Y.code, "--db", f"sqlite:///{tmp_path / 'khong-co' / 'x.db'}"],
                              r"Lỗi: .*khong-co.*"),
        "second-database": (["--period", Y.code, "--db", f"sqlite:///{other_db}"], r"Lỗi: .*--start-over.*"),
    }
    for name, (args, line) in mistakes.items():
        done = command("run", "--inbox", str(inbox), "--out", str(out), *args)
        lines = said(done.stderr)
        assert (done.returncode, len(lines)) == (2, 1), (name, done.stderr[-3000:])
        assert re.fullmatch(line, lines[0]), (name, lines)
        assert "Traceback" not in done.stderr and len(collector.arrived) == arrived_after_round, name
    assert not (tmp_path / "khong-co").exists()

    # 4. a last rerun: nothing new read, nothing sent
    done = command("run", "--period", Y.code, "--inbox", str(inbox), "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(collector.arrived) == arrived_after_round

    db_url = f"sqlite:///{out / 'tonghop.db'}"
    engine = open_db(db_url)
    try:
        with Session(engine) as s:
            statuses = {m.key: m.status for m in s.scalars(select(OutboxMessage))}
    finally:
        engine.dispose()
    outbox = {key: (statuses[key], mid) for key, mid in message_ids(db_url).items()}
    per_file = sorted(k.rsplit(":", 1)[1] for k in outbox if k.startswith(("report:", "notice:")))
    assert per_file == answered
    assert [k for k in outbox if not k.startswith(("report:", "notice:"))] == [
        k for k in outbox if k.startswith(f"digest:{Y.code}:")] and len(outbox) == len(answered) + 1
    arrived = Counter(a.message["Message-ID"] for a in collector.arrived)
    assert {key: arrived[mid] for key, (_, mid) in outbox.items()} == {key: 1 for key in outbox}
    assert {status for status, _ in outbox.values()} == {"sent"}
    assert not any("Sai kỳ báo cáo" in str(a.message["Subject"]) and "2026" in str(a.message["Subject"])
                   for a in collector.arrived)
