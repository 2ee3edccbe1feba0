"""The round flow end to end under Prefect, on the shipped sample round: verdicts, outputs, idempotent rerun."""
from __future__ import annotations

import json
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
    assert summary["units_missing"] == []        # every unit has a readable report in the sample round
    on_disk = json.loads((out / "2025-Y" / "summary.json").read_text(encoding="utf-8"))
    assert on_disk["files"] == summary["files"]
    reports = sorted(p.name for p in (out / "2025-Y" / "submissions").glob("*.json"))
    assert len(reports) == len(EXPECTED["files"])
    # consolidation: the values tests/test_merge.py computes by hand, and every report file written
    assert {c: (round(i["value"], 2) if isinstance(i["value"], float) else i["value"], i["status"])
            for c, i in summary["indicators"].items() if c in ("6.1", "3.2b", "2.1")} == {
        "6.1": (61.61, "achieved"), "3.2b": (58.64, "achieved"), "2.1": (None, "no_data")}
    assert sorted(summary["consolidated"]) == ["html", "ministry_xlsx", "province_xlsx", "sdmx_csv", "trace_json"]
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
    assert "failed_error" in down["mail"]
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


def test_a_second_run_of_the_same_period_is_refused_and_recorded(prefect_harness, tmp_path, config):
    import pytest

    from flows.round import consolidate_round
    from tonghop.errors import RunInProgress
    from tonghop.runs import acquire_lock, list_runs, lock_scope, start_run

    db_url = f"sqlite:///{tmp_path / 'round.db'}"
    engine = open_db(db_url)
    holder = start_run(engine, period="2025-Y", trigger="schedule", parameters={})
    acquire_lock(engine, lock_scope(config.province_code, "2025-Y"), holder)     # a scheduled run is busy
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    with pytest.raises(RunInProgress):
        consolidate_round(period="2025-Y", inbox=str(inbox), out=str(tmp_path / "out"), db_url=db_url, trigger="manual")
    assert counts(db_url)["submissions"] == 0                                   # it wrote nothing
    runs = list_runs(engine, period="2025-Y")
    assert [(r.trigger, r.outcome) for r in runs] == [("manual", "refused"), ("schedule", "running")]
    engine.dispose()


def test_round_flow_on_a_dask_cluster_of_two_workers(prefect_harness, tmp_path):
    """Scale-out: the same round with its batches on a Dask LocalCluster (2 worker processes)."""
    import pytest

    pytest.importorskip("prefect_dask")
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
    from test_ingest import syt_file
    from tonghop.round import NotThisPeriod

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
    from tonghop.round import OtherDatabase

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
