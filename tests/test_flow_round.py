"""The round flow end to end under Prefect, on the shipped sample round: verdicts, outputs, idempotent rerun."""
from __future__ import annotations

import json
import re
import shutil

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import SAMPLES
from tonghop.store import open_db
from tonghop.store.models import Figure, ProblemRow, Submission

EXPECTED = yaml.safe_load((SAMPLES / "EXPECTED.yaml").read_text(encoding="utf-8"))["periods"]["2025-Y"]


def counts(db_url):
    engine = open_db(db_url)
    with Session(engine) as s:
        out = {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in (Submission, Figure, ProblemRow)}
    engine.dispose()
    return out


def test_round_flow_on_the_sample_round_and_its_rerun(prefect_harness, tmp_path):
    from flows.round import consolidate_round

    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    out, db_url = tmp_path / "out", f"sqlite:///{tmp_path / 'round.db'}"
    summary = consolidate_round(period="2025-Y", inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")

    by_file = {f["file"]: f for f in summary["files"]}
    assert {name: (f["unit"], f["status"]) for name, f in by_file.items()} == {
        s["file"]: (s["unit"], s["status"]) for s in EXPECTED["files"]}
    assert summary["files_read_this_run"] == len(EXPECTED["files"])
    from tonghop.config import load_config

    # STC's only file was rejected: it has not reported; nor have the communes that sent nothing or only a file
    # for the wrong period
    assert summary["units_missing"] == _sample_answer(load_config())[2]
    assert "STC" in summary["units_missing"]
    on_disk = json.loads((out / "2025-Y" / "summary.json").read_text(encoding="utf-8"))
    assert on_disk["files"] == summary["files"]
    reports = sorted(p.name for p in (out / "2025-Y" / "submissions").glob("*.json"))
    assert len(reports) == len(EXPECTED["files"])
    # consolidation: the values tests/test_consolidate_merge.py computes by hand, and every report file written
    assert {c: (round(i["value"], 2) if isinstance(i["value"], float) else i["value"], i["status"])
            for c, i in summary["indicators"].items() if c in ("6.1", "3.2b", "2.1")} == {
        "6.1": (61.61, "achieved"), "3.2b": (58.64, "achieved"), "2.1": (None, "no_data")}
    assert sorted(summary["consolidated"]) == ["docx", "html", "ministry_xlsx", "province_xlsx", "sdmx_csv",
                                               "trace_json"]
    assert all((out / "2025-Y" / p).exists() for p in map(lambda v: v.rsplit("/", 1)[-1], summary["consolidated"].values()))
    before = counts(db_url)

    again = consolidate_round(period="2025-Y", inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")
    assert again["files_read_this_run"] == 0
    assert {f["file"]: f["state"] for f in again["files"]} == {s["file"]: "known" for s in EXPECTED["files"]}
    assert [s for s in again["submissions"]] == [s for s in summary["submissions"]]
    assert counts(db_url) == before



def test_a_run_after_the_output_folder_was_removed_stores_everything_again(prefect_harness, tmp_path):
    """The default database lives in the output folder; an officer who deletes the folder and reruns in the
    same process (a served deployment, a notebook) gets a whole new round, not figures written to the old file."""
    from flows.round import consolidate_round

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    first = consolidate_round(period="2025-Y", inbox=str(inbox), out=str(out), trigger="test")
    db_url = f"sqlite:///{out / 'tonghop.db'}"
    before = counts(db_url)
    shutil.rmtree(out)

    second = consolidate_round(period="2025-Y", inbox=str(inbox), out=str(out), trigger="test")
    assert second["files_read_this_run"] == first["files_read_this_run"] == len(EXPECTED["files"])
    assert second["submissions"] == first["submissions"]
    assert counts(db_url) == before

def test_round_mails_each_submission_exactly_once_even_when_the_server_was_down(
        prefect_harness, server, tmp_path, monkeypatch):
    from flows.round import consolidate_round
    from smtp_server import free_port

    collector, port = server
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    run = dict(period="2025-Y", inbox=str(inbox), out=str(tmp_path / "out"),
               db_url=f"sqlite:///{tmp_path / 'round.db'}", trigger="test")
    monkeypatch.setenv("TONGHOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TONGHOP_SMTP_SECURITY", "none")
    monkeypatch.setenv("TONGHOP_SMTP_PORT", str(free_port()))      # nothing listens there: server down
    down = consolidate_round(**run)
    assert down["mail"]["queued"] == len(EXPECTED["files"])
    assert re.fullmatch(r"\d+ thư chưa gửi được: .+", down["mail"]["failed_error"])   # said in Vietnamese, once
    assert collector.arrived == []

    monkeypatch.setenv("TONGHOP_SMTP_PORT", str(port))             # the server is back
    up = consolidate_round(**run)
    assert (up["files_read_this_run"], up["mail"]["queued"], up["mail"]["sent"]) == (0, 0, len(EXPECTED["files"]) + 1)
    recipients = sorted(tuple(a.rcpt_tos) for a in collector.arrived)
    units = [s["unit"] for s in EXPECTED["files"] if s["unit"]]
    from tonghop.config import load_config

    cfg = load_config()
    # one report per file to the unit's registered address; the unreadable file and the digest go to the officer
    assert recipients == sorted([(cfg.units[u].emails[0],) for u in units] + [(cfg.consolidator_email,)] * 2)
    subjects = [a.message["Subject"] for a in collector.arrived]
    assert any("Sở Y tế – Năm 2025" in s for s in subjects)

    again = consolidate_round(**run)
    assert again["mail"]["sent"] == 0 and len(collector.arrived) == len(EXPECTED["files"]) + 1


def test_a_rerun_with_no_mailbox_and_nothing_to_send_runs_no_mail_task(prefect_harness, tmp_path, monkeypatch):
    """No TONGHOP_IMAP_*: no fetch task. A rerun whose outbox holds nothing to send: no delivery task, and the
    summary says what the delivery would have said. A message left to send, or mailbox settings to complain
    about, still get their task."""
    import flows.round as round_flow
    from flows.reminders import deliver
    from flows.round import consolidate_round
    from tonghop.mail import outbox
    from tonghop.store.models import OutboxMessage

    for name in ("TONGHOP_IMAP_HOST", "TONGHOP_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    calls: list[str] = []
    real_fetch = round_flow.fetch_mail
    monkeypatch.setattr(round_flow, "fetch_mail", lambda *a: calls.append("fetch") or real_fetch(*a))

    class Recorded:
        """The deliver task, called here or handed to a worker, each time recorded."""
        def __init__(self, task=deliver):
            self.task = task

        def with_options(self, **options):
            return Recorded(self.task.with_options(**options))

        def __call__(self, *args):
            return calls.append("deliver") or self.task(*args)

        def submit(self, *args):
            return calls.append("deliver") or self.task.submit(*args)

    monkeypatch.setattr(round_flow, "deliver", Recorded())
    inbox, out, db_url = tmp_path / "inbox", tmp_path / "out", f"sqlite:///{tmp_path / 'round.db'}"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    run = dict(period="2025-Y", inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")
    first = consolidate_round(**run)
    assert (calls, first["mail"]["written"]) == (["deliver"], len(EXPECTED["files"]) + 1)    # each report, the digest

    calls.clear()
    again = consolidate_round(**run)
    assert calls == []
    assert again["mail"] == {"queued": 0, **deliver.fn(db_url, str(out / "2025-Y" / "mail")),
                             "placeholders": first["mail"]["placeholders"]}
    assert "mailbox" not in again

    engine = open_db(db_url)
    with Session(engine) as s:
        [last] = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1))
    outbox.mark_failed(engine, last.id, "451 try later")                        # left to send by an earlier run
    engine.dispose()
    monkeypatch.setenv("TONGHOP_IMAP_HOST", "127.0.0.1")                         # set, but no user: wrong settings
    later = consolidate_round(**run)
    assert calls == ["fetch", "deliver"]
    assert (later["mail"]["written"], later["mailbox"]["error"]) == (1, (
        "Cần đặt TONGHOP_IMAP_USER và TONGHOP_IMAP_PASSWORD để đọc hộp thư 127.0.0.1 (với Gmail: địa chỉ Gmail và "
        "mật khẩu ứng dụng)"))


def test_a_second_run_of_the_same_period_is_refused_and_recorded(prefect_harness, tmp_path, config):
    import pytest

    from flows.round import consolidate_round
    from tonghop.config import Period
    from tonghop.errors import RunInProgress
    from tonghop.round.runs import acquire_lock, list_runs, lock_scope, start_run

    db_url = f"sqlite:///{tmp_path / 'round.db'}"
    engine = open_db(db_url)
    holder = start_run(engine, period=Period.parse("2025-Y"), trigger="schedule", parameters={})
    acquire_lock(engine, lock_scope(config.province_code, Period.parse("2025-Y")), holder)   # a scheduled run is busy
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    with pytest.raises(RunInProgress):
        consolidate_round(period="2025-Y", inbox=str(inbox), out=str(tmp_path / "out"), db_url=db_url, trigger="manual")
    assert counts(db_url)["submissions"] == 0                                   # it wrote nothing
    runs = list_runs(engine, period=Period.parse("2025-Y"))
    assert [(r.trigger, r.outcome) for r in runs] == [("manual", "refused"), ("schedule", "running")]
    engine.dispose()


def test_round_flow_on_a_dask_cluster_of_two_workers(prefect_harness, tmp_path):
    """Scale-out: the same round with its batches on a Dask LocalCluster (2 worker processes)."""
    from flows.round import BATCH_SIZE, consolidate_round
    from flows.runners import task_runner

    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    db_url = f"sqlite:///{tmp_path / 'round.db'}"
    import flows.round as round_module

    round_module.BATCH_SIZE = 4          # several batches, so both workers get some
    try:
        summary = consolidate_round.with_options(task_runner=task_runner("dask", workers=2))(
            period="2025-Y", inbox=str(inbox), out=str(tmp_path / "out"), db_url=db_url, trigger="test")
    finally:
        round_module.BATCH_SIZE = BATCH_SIZE
    assert {f["file"]: (f["unit"], f["status"]) for f in summary["files"]} == {
        s["file"]: (s["unit"], s["status"]) for s in EXPECTED["files"]}
    assert counts(db_url)["submissions"] == len(EXPECTED["files"])


def _sample_answer(config) -> tuple[int, int, list[str]]:
    """Units reported and on time, and units missing, worked out from the sample's answer key and received.csv:
    a unit has reported when one of its files was accepted wholly or in part; on time when that file arrived
    by the end of the deadline day (Sơn La time)."""
    import csv
    from datetime import date, datetime, timedelta

    arrived = {r["file"]: datetime.fromisoformat(r["received_at"])
               for r in csv.DictReader((SAMPLES / "2025-Y" / "received.csv").open(encoding="utf-8"))}
    end = datetime.combine(date.fromisoformat(EXPECTED["deadline"]) + timedelta(days=1), datetime.min.time(),
                           tzinfo=arrived[EXPECTED["files"][0]["file"]].tzinfo)
    good = {f["unit"]: arrived[f["file"]] for f in EXPECTED["files"]
            if f["status"] in ("accepted", "partially_accepted")}
    return len(good), sum(1 for t in good.values() if t < end), [u for u in config.units if u not in good]


def test_every_document_of_the_sample_round_counts_reported_and_on_time_units_the_same_way(
        prefect_harness, tmp_path, monkeypatch):
    """Round page, both workbooks, summary.json, the digest, the console and the reminders: one definition."""
    import email
    import re
    from datetime import timedelta
    from email.policy import default as default_policy

    import openpyxl
    from rich.console import Console

    from flows.round import consolidate_round
    from flows import cli
    from tonghop.config import Period, load_config
    from tonghop.mail.reminders import queue_reminders
    from tonghop.store.models import OutboxMessage

    monkeypatch.delenv("TONGHOP_SMTP_HOST", raising=False)
    config = load_config()
    inbox, out, db_url = tmp_path / "inbox", tmp_path / "out", f"sqlite:///{tmp_path / 'round.db'}"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    summary = consolidate_round(period="2025-Y", inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")
    n = len(config.units)
    reported, on_time, missing = _sample_answer(config)
    assert missing                      # the sample has a unit whose only file was rejected: the case at stake
    got = {}

    html = (out / "2025-Y" / "tong-hop-2025-Y.html").read_text(encoding="utf-8")
    cards = dict((label, (int(a), int(b))) for a, b, label in
                 re.findall(r'<div class="card rate"><b>(\d+)/(\d+)</b>(đơn vị [^(]+?) \(', html))
    rows = re.findall(r'<tr class="(\w+)" data-unit="(\w+)">', html)
    got["html"] = (cards["đơn vị đã nộp"], cards["đơn vị nộp đúng hạn"], [u for s, u in rows if s == "missing"])

    ws = openpyxl.load_workbook(out / "2025-Y" / "bao-cao-tong-hop-son-la-2025-Y.xlsx")["Tình hình nộp"]
    table = [[c.value for c in r] for r in ws.iter_rows(min_row=10, max_col=5)]
    got["province_xlsx"] = ((ws["D5"].value, ws["D4"].value), (ws["D6"].value, ws["D4"].value),
                            [r[1] for r in table if r[4] == "Chưa"])

    ws = openpyxl.load_workbook(out / "2025-Y" / "bao-cao-bo-noi-vu-2025-Y.xlsx")["Tình hình báo cáo"]
    got["ministry_xlsx"] = ((ws["B6"].value, ws["B5"].value), (ws["B7"].value, ws["B5"].value),
                            [u for u in config.units if config.units[u].name in
                             ws["A9"].value.removeprefix("Đơn vị chưa báo cáo: ").split(", ")])

    on_disk = json.loads((out / "2025-Y" / "summary.json").read_text(encoding="utf-8"))
    got["summary_json"] = ((len(on_disk["units_reported"]), on_disk["units_expected"]),
                           (len(on_disk["units_on_time"]), on_disk["units_expected"]), on_disk["units_missing"])

    [digest] = [email.message_from_bytes(p.read_bytes(), policy=default_policy)
                for p in (out / "2025-Y" / "mail").glob("digest_*.eml")]
    text = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    counts = dict((label, (int(a), int(b))) for label, a, b in
                  re.findall(r"^(Đã nộp|Nộp đúng hạn|Chưa nộp)(?: \([^)]*\))?: (\d+)/(\d+) đơn vị", text, re.M))
    missing_block = text.split("\nCHƯA GỬI TỆP NÀO (")[1].split("\n\n")[0]
    rejected_block = text.split("\nCÓ TỆP BỊ TỪ CHỐI, CHƯA CÓ BẢN ĐƯỢC TIẾP NHẬN (")[1].split("\n\n")[0]
    not_reported = re.findall(r"^  - .*? \((\w+)\)", missing_block + "\n" + rejected_block, re.M)
    assert counts["Chưa nộp"] == (len(not_reported), n)
    got["digest"] = (counts["Đã nộp"], counts["Nộp đúng hạn"], [u for u in config.units if u in not_reported])
    assert f": {reported}/{n} đơn vị đã nộp" in digest["Subject"]

    console = Console(record=True, width=200)
    saved, cli.console = cli.console, console
    try:
        cli.print_summary(summary, out)
    finally:
        cli.console = saved
    [line] = [x for x in console.export_text().splitlines() if x.startswith("Đơn vị đã nộp:")]
    a, b, c, d, m = map(int, re.fullmatch(r"Đơn vị đã nộp: (\d+)/(\d+) · nộp đúng hạn: (\d+)/(\d+) · chưa nộp: (\d+)",
                                          line).groups())
    got["console"] = ((a, b), (c, d), summary["units_missing"] if m == len(summary["units_missing"]) else None)

    engine = open_db(db_url)
    deadline = config.deadline(Period.parse("2025-Y"))
    queue_reminders(engine, config, Period.parse("2025-Y"), deadline - timedelta(days=2))
    with Session(engine) as s:
        reminded = s.scalars(select(OutboxMessage.unit_code).where(OutboxMessage.kind == "reminder")).all()
    engine.dispose()

    want = ((reported, n), (on_time, n), missing)
    assert got == {doc: want for doc in got}
    assert [u for u in config.units if u in reminded] == missing      # who gets reminded: the same units


def test_documents_in_the_inbox_are_archived_and_listed_never_answered(prefect_harness, tmp_path):
    """A cover letter and a narrative report beside a form: kept in the archive and listed in summary.json
    as documents; the only messages are the form's report and the officer's digest (no rejection, no notice)."""
    from flows.round import consolidate_round
    from tonghop.intake.archive import archived_names
    from tonghop.store.models import OutboxMessage

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    form = sorted((SAMPLES / "2025-Y").glob("*Sở Y tế.xlsx"))[0]
    shutil.copy(form, inbox / form.name)
    (inbox / "CV 45-SGDDT.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    (inbox / "Báo cáo thuyết minh.docx").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    db_url = f"sqlite:///{tmp_path / 'round.db'}"
    summary = consolidate_round(period="2025-Y", inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")

    docs = [f for f in summary["files"] if f["state"] == "document"]
    from datetime import datetime, timezone

    def arrived(name: str) -> str:      # no received.csv here: the file's own time, with its UTC offset
        return datetime.fromtimestamp((inbox / name).stat().st_mtime, timezone.utc).isoformat()

    assert docs == [
        {"file": "Báo cáo thuyết minh.docx", "sha256": docs[0]["sha256"], "state": "document", "duplicate_of": None,
         "unit": None, "status": None, "submission_id": None, "received_at": arrived("Báo cáo thuyết minh.docx")},
        {"file": "CV 45-SGDDT.pdf", "sha256": docs[1]["sha256"], "state": "document", "duplicate_of": None,
         "unit": None, "status": None, "submission_id": None, "received_at": arrived("CV 45-SGDDT.pdf")}]
    assert summary["documents"] == 2
    assert [archived_names(out / "luu-tru", d["sha256"]) for d in docs] == [[d["file"]] for d in docs]
    assert [(s["file"], s["unit"]) for s in summary["submissions"]] == [(form.name, "SYT")]
    engine = open_db(db_url)
    with Session(engine) as s:
        kinds = sorted(s.scalars(select(OutboxMessage.kind)))
    engine.dispose()
    assert kinds == ["digest", "report"]


def outbox_count(db_url):
    from tonghop.store.models import OutboxMessage

    engine = open_db(db_url)
    with Session(engine) as s:
        n = s.scalar(select(func.count()).select_from(OutboxMessage))
    engine.dispose()
    return n


def test_an_inbox_of_another_period_stops_the_round_before_anything_is_stored_or_mailed(prefect_harness, tmp_path):
    import pytest

    from flows.round import consolidate_round
    from test_round_ingest import syt_file
    from tonghop.round.steps import NotThisPeriod

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    syt_file(inbox / "SYT năm 2026.xlsx", period_text="Năm 2026")
    (inbox / "cong-van.pdf").write_bytes(b"%PDF-1.4 a cover letter")
    db_url, out = f"sqlite:///{tmp_path / 'round.db'}", tmp_path / "out"
    with pytest.raises(NotThisPeriod) as caught:
        consolidate_round(period="2025-Y", inbox=str(inbox), out=str(out), db_url=db_url, trigger="test")
    assert str(caught.value) == (
        "Không tệp nào trong hộp thư là báo cáo kỳ Năm 2025 (2025-Y): 1 tệp ghi kỳ Năm 2026 (2026-Y). Đợt chạy dừng "
        "lại: không lưu tệp nào, không xếp và không gửi thư nào. Kiểm tra lại --period và --inbox.")
    assert (counts(db_url)["submissions"], outbox_count(db_url)) == (0, 0)
    assert list((out / "2025-Y" / "mail").iterdir()) == [] and not (out / "2025-Y" / "summary.json").exists()


def test_a_second_database_beside_the_same_output_folder_sends_nothing_again(prefect_harness, server, tmp_path,
                                                                              monkeypatch):
    """A mistyped --db (or a second database) meets the results of the first in the output folder: it stops
    before reading, so no unit gets its report twice; --start-over is the officer's explicit way to redo."""
    import pytest

    from flows.round import consolidate_round
    from tonghop.round.steps import OtherDatabase

    collector, port = server
    monkeypatch.setenv("TONGHOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TONGHOP_SMTP_SECURITY", "none")
    monkeypatch.setenv("TONGHOP_SMTP_PORT", str(port))
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    first, second = f"sqlite:///{tmp_path / 'first.db'}", f"sqlite:///{tmp_path / 'second.db'}"
    run = dict(period="2025-Y", inbox=str(inbox), out=str(out), trigger="test")
    done = consolidate_round(**run, db_url=first)
    arrived = len(collector.arrived)
    assert arrived == len(EXPECTED["files"]) + 1 == done["mail"]["sent"]       # each report, and the digest

    with pytest.raises(OtherDatabase):
        consolidate_round(**run, db_url=second)
    assert (counts(second)["submissions"], outbox_count(second), len(collector.arrived)) == (0, 0, arrived)
    assert consolidate_round(**run, db_url=first)["files_read_this_run"] == 0   # the right database goes on
    assert len(collector.arrived) == arrived

    again = consolidate_round(**run, db_url=second, start_over=True)            # asked for explicitly
    assert again["files_read_this_run"] == len(EXPECTED["files"])
    with pytest.raises(OtherDatabase):                                           # the folder now follows the second
        consolidate_round(**run, db_url=first)


def test_a_deployment_run_for_a_period_not_begun_is_refused_before_reading(prefect_harness, tmp_path, monkeypatch):
    """A manual run of a served deployment passes the same check as `tonghop run` (2027-Y in December 2026)."""
    from datetime import date

    import pytest

    from flows.round import consolidate_round
    from tonghop.errors import ConfigError

    monkeypatch.setattr("flows.round.today_in", lambda config: date(2026, 12, 2))
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    with pytest.raises(ConfigError) as caught:
        consolidate_round(period="2027-Y", inbox=str(inbox), out=str(out), trigger="deployment")
    assert str(caught.value) == (
        "Kỳ 2027-Y (Năm 2027) chưa bắt đầu: kỳ bắt đầu ngày 01/01/2027, hôm nay là 02/12/2026. "
        "Chưa đọc tệp nào, chưa gửi thư nào: kiểm tra lại --period (có gõ nhầm năm không?).")
    assert not out.exists()
