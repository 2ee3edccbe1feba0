"""Faults with the files done in worker processes (TONGHOP_WORKERS=2): Ctrl+C stops the command and its workers
within seconds, in one Vietnamese line, and the rerun finishes the round with every file stored and answered once."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

pytestmark = pytest.mark.full   # the real command, a generated province, worker processes

ROOT = Path(__file__).resolve().parent.parent
PROGRESS_LINE = r".* \d+/\d+ \d+:\d\d:\d\d"


def stored(db_url: str) -> int:
    """Submissions stored so far, read without migrating (the command may be creating the tables right now)."""
    import sqlite3
    from contextlib import closing

    path = Path(db_url.removeprefix("sqlite:///"))
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
            return int(conn.execute("select count(*) from submissions").fetchone()[0])
    except sqlite3.OperationalError:       # no table yet
        return 0


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] != "Z":
                    out.add(pid)
        except (ProcessLookupError, FileNotFoundError):
            pass
    return out


def group(pgid: int) -> set[int]:
    """Every process of the process group (the command, its fork server and its workers)."""
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[2]) == pgid:
                        pids.add(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return pids


def test_ctrl_c_with_worker_processes_stops_them_all_in_seconds_and_the_rerun_finishes(prefect_harness, tmp_path):
    from prefect.settings import PREFECT_API_URL

    from tonghop.store import open_db
    from tonghop.store.models import OutboxMessage, Submission
    from tonghop_dev.generate_round import generate_round

    # 400 files, 4 batches of 100: the two workers may store their first batches at the same moment, and the
    # Ctrl+C still finds the next two under way (with 2 batches, both were sometimes stored before it came)
    made = generate_round(tmp_path / "gen", provinces=1, communes_per_province=385)[0]
    out, db_url = tmp_path / "out", f"sqlite:///{tmp_path / 'round.db'}"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "TONGHOP_WORKERS": "2"}
    for name in ("TONGHOP_TASK_RUNNER", "TONGHOP_DASK_ADDRESS", "TONGHOP_THREADS", "TONGHOP_SMTP_HOST"):
        env.pop(name, None)
    command = [str(ROOT / ".venv" / "bin" / "tonghop"), "run", "--period", "2025-Y", "--inbox", str(made.inbox),
               "--out", str(out), "--db", db_url, "--config", str(made.config_path)]
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while stored(db_url) < 5:
            assert child.poll() is None and time.monotonic() < deadline, child.stderr.read()[-3000:]
            time.sleep(0.2)
        workers = group(child.pid) - {child.pid}
        assert len(workers) >= 2                                  # the fork server and its workers
        os.killpg(child.pid, signal.SIGINT)
        pressed = time.monotonic()
        stdout, stderr = child.communicate(timeout=60)
        took = time.monotonic() - pressed
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    time.sleep(1)
    assert alive(workers) == set()
    assert took < 10
    assert (child.returncode, stdout) == (130, "")
    said = [line for line in stderr.splitlines() if line.strip() and not re.fullmatch(PROGRESS_LINE, line)]
    kept = stored(db_url)
    assert said == [f"Đã dừng theo yêu cầu (Ctrl+C) đợt tổng hợp Năm 2025: {kept} tệp mới đã lưu được giữ lại; "
                    "chạy lại cùng lệnh để xử lý tiếp."]
    assert 0 < kept < len(made.files)

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    engine = open_db(db_url)
    try:
        with Session(engine) as s:
            hashes = list(s.scalars(select(Submission.sha256)))
            keys = [k for k in s.scalars(select(OutboxMessage.key)) if k.startswith(("report:", "notice:"))]
    finally:
        engine.dispose()
    assert len(hashes) == len(set(hashes)) == len(made.files)
    assert sorted(k.rsplit(":", 1)[1] for k in keys) == sorted(hashes)          # every file answered, once
    reports = {p.name for p in (out / "2025-Y" / "submissions").glob("*.json")}
    assert len(reports) == len(made.files)


def test_a_national_round_in_workers_with_the_mail_server_refusing_finishes_and_the_rerun_delivers_once(
        prefect_harness, tmp_path, monkeypatch):
    """A province's messages, delivery and reports go to a worker as one task (flows/round.py finish_province):
    a mail server refusing one message and dropping a connection fails that province's delivery only, its reports
    are written all the same, and the rerun delivers what waited; every message arrives once."""
    from collections import Counter

    from flows.many import consolidate_many
    from flows.runners import WorkerProcesses
    from test_faults import flaky_smtp, message_ids
    from tonghop_dev.generate_round import generate_round

    with flaky_smtp(monkeypatch) as collector:
        made = generate_round(tmp_path / "gen", provinces=2, communes_per_province=2, limit=6)
        rounds = [{"config_path": str(p.config_path), "inbox": str(p.inbox), "out": str(tmp_path / "many" / p.code),
                   "db_url": f"sqlite:///{tmp_path / f'{p.code}.db'}"} for p in made]
        spread = consolidate_many.with_options(task_runner=WorkerProcesses(max_workers=2, min_files=0))
        first = spread(period="2025-Y", rounds=rounds, trigger="test")["provinces"]
        failed = [s["mail"].get("failed_error", "") for s in first]
        assert sorted(bool(f) for f in failed) == [False, True]
        assert "thư chưa gửi được" in max(failed)
        assert all(Path(f).exists() for s in first for f in s["consolidated"].values())
        assert [s["mail"]["queued"] for s in first] == [s["files_read_this_run"] for s in first]
        collector.refusing = False
        again = spread(period="2025-Y", rounds=rounds, trigger="test")["provinces"]
        assert [s["mail"].get("failed_error") for s in again] == [None, None]
    ids = [mid for r in rounds for mid in message_ids(r["db_url"]).values()]
    arrived = Counter(a.message["Message-ID"] for a in collector.arrived)
    assert (len(ids), dict(arrived)) == (len(set(ids)), dict.fromkeys(ids, 1))


def test_a_run_with_workers_and_no_prefect_server_configured_leaves_no_server_behind(tmp_path):
    """Without PREFECT_API_URL, Prefect starts a temporary server for the run: the workers use it (each used to
    start its own, which outlived the run), and nothing of the run is left running once the command ends."""
    from tonghop_dev.generate_round import generate_round

    made = generate_round(tmp_path / "gen", provinces=2, communes_per_province=2, limit=6)
    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TONGHOP_"))}
    env.update(PREFECT_HOME=str(home), TONGHOP_WORKERS="2")
    tonghop = Path(sys.executable).parent / "tonghop"
    # output to files, not pipes: a server left behind would hold a pipe open and the wait would never end
    with open(tmp_path / "out.txt", "w") as out, open(tmp_path / "err.txt", "w") as errors:
        code = subprocess.run([str(tonghop), "run-many", "--period", "2025-Y",
                               *(str(p.config_path.parent) for p in made)], env=env, stdout=out, stderr=errors,
                              timeout=600).returncode
    assert code == 0, (tmp_path / "err.txt").read_text()[-2000:]

    def left() -> set[int]:
        mine = f"PREFECT_HOME={home}".encode()
        pids = set()
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and mine in (entry / "environ").read_bytes().split(b"\0"):
                    pids.add(int(entry.name))
            except OSError:
                continue
        return pids

    deadline = time.monotonic() + 10           # a server told to stop takes a moment to go
    while left() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ((tmp_path / "out.txt").read_text().count("✓"), left()) == (2, set())
