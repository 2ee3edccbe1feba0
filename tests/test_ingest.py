"""From an inbox to the database, on SQLite and PostgreSQL: idempotent reruns, resubmissions, duplicates."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from builders import activity_grid, indicator_grid, write_xlsx
from test_validate import CLEAN_SYT, replace
from tonghop.config import Period
from tonghop.ingest import discover_inbox, ingest_inbox
from tonghop.store import open_db
from tonghop.store.models import ActivityRow, Figure, ProblemRow, Submission

Y = Period.parse("2025-Y")


def syt_file(path, rows=CLEAN_SYT, period_text="Năm 2025", when=None):
    write_xlsx(path, {"Biểu 01": indicator_grid("SYT", period_text, rows),
                      "Biểu 02": activity_grid("SYT", period_text, [["TT", "Truyền thông", 5, 300, 120, 180, 20, None]])})
    if when:
        ts = when.timestamp()
        os.utime(path, (ts, ts))
    return path


def table_counts(engine):
    with Session(engine) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Submission, Figure, ActivityRow, ProblemRow)}


def current(engine):
    with Session(engine) as s:
        return [(x.file_name, x.status, x.is_current) for x in
                s.scalars(select(Submission).order_by(Submission.received_at))]


def test_ingest_stores_every_figure_once_and_a_rerun_changes_nothing(tmp_path, db_url, config):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    syt_file(inbox / "Sở Y tế.xlsx")
    (inbox / "ghi-chu.xlsx").write_bytes(b"khong phai excel")
    engine = open_db(db_url)
    first = ingest_inbox(inbox, engine, config, Y)
    assert [(o.file, o.state) for o in first.outcomes] == [("ghi-chu.xlsx", "new"), ("Sở Y tế.xlsx", "new")]
    assert table_counts(engine) == {"submissions": 2, "figures": 4, "activities": 1, "problems": 1}
    with Session(engine) as s:
        figs = s.execute(select(Figure.indicator, Figure.value, Figure.sheet, Figure.cell, Figure.accepted)
                         .order_by(Figure.row)).all()
    assert [tuple(f) for f in figs] == [("4.1", 111.58, "Biểu 01", "I9", True), ("4.2", 39.8, "Biểu 01", "I10", True),
                                        ("4.3", 25.0, "Biểu 01", "I11", True), ("4.4", 1.0, "Biểu 01", "I12", True)]
    again = ingest_inbox(inbox, engine, config, Y)
    assert [(o.file, o.state) for o in again.outcomes] == [("ghi-chu.xlsx", "known"), ("Sở Y tế.xlsx", "known")]
    assert again.checked == []
    assert table_counts(engine) == {"submissions": 2, "figures": 4, "activities": 1, "problems": 1}
    engine.dispose()


def test_resubmission_replaces_the_earlier_one_which_stays_in_history(tmp_path, db_url, config):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    t0 = datetime(2025, 11, 20, 8, 0, tzinfo=timezone.utc)
    syt_file(inbox / "v1.xlsx", replace(CLEAN_SYT, 0, 7, 120), when=t0)
    engine = open_db(db_url)
    ingest_inbox(inbox, engine, config, Y)
    assert current(engine) == [("v1.xlsx", "partially_accepted", True)]
    syt_file(inbox / "v2.xlsx", when=t0.replace(day=22))
    result = ingest_inbox(inbox, engine, config, Y)
    assert [(c.parsed.path.name) for c in result.checked] == ["v2.xlsx"]     # v1 is not read again
    assert current(engine) == [("v1.xlsx", "partially_accepted", False), ("v2.xlsx", "accepted", True)]
    # a later broken resend does not throw away the good report
    (inbox / "v3.xlsx").write_bytes(b"broken")
    os.utime(inbox / "v3.xlsx", (t0.replace(day=23).timestamp(),) * 2)
    ingest_inbox(inbox, engine, config, Y)
    assert current(engine)[-1] == ("v3.xlsx", "rejected", False)
    assert current(engine)[1] == ("v2.xlsx", "accepted", True)
    engine.dispose()


def test_same_content_twice_in_the_inbox_is_one_submission(tmp_path, db_url, config):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    syt_file(inbox / "a.xlsx")
    (inbox / "b (copy).xlsx").write_bytes((inbox / "a.xlsx").read_bytes())
    engine = open_db(db_url)
    result = ingest_inbox(inbox, engine, config, Y)
    assert [(o.file, o.state, o.duplicate_of) for o in result.outcomes] == [
        ("a.xlsx", "new", None), ("b (copy).xlsx", "duplicate", "a.xlsx")]
    assert table_counts(engine)["submissions"] == 1
    engine.dispose()


def test_received_manifest_gives_arrival_times(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    syt_file(inbox / "Sở Y tế.xlsx")
    (inbox / "received.csv").write_text("file,received_at\nSở Y tế.xlsx,2025-11-24T09:15:00+07:00\n", encoding="utf-8")
    [f] = discover_inbox(inbox)
    assert f.received_at == datetime.fromisoformat("2025-11-24T09:15:00+07:00")


def test_migrations_are_idempotent(db_url):
    open_db(db_url).dispose()
    engine = open_db(db_url)
    with engine.connect() as conn:
        from sqlalchemy import text
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0002"
    engine.dispose()
