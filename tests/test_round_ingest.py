"""From an inbox to the database, on SQLite and PostgreSQL: idempotent reruns, resubmissions, duplicates."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tonghop_dev.builders import activity_grid, indicator_grid, write_xlsx
from test_check_validate import CLEAN_SYT, replace
from tonghop.config import Period
from tonghop.round.ingest import discover_inbox, inbox_paths, ingest_inbox
from tonghop.store import open_db
from tonghop.store.models import ActivityRow, Figure, ProblemRow, Submission
from tonghop.store.repo import known_hashes

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


def test_a_rerun_that_reads_nothing_still_chooses_the_current_files(tmp_path, db_url, config):
    """A run that died after storing its files but before choosing each unit's current one: the rerun, which
    reads nothing new, makes the choice (a broken resend rejected whole still does not replace a good file)."""
    from sqlalchemy import update

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    t0 = datetime(2025, 11, 20, 8, 0, tzinfo=timezone.utc)
    syt_file(inbox / "v1.xlsx", replace(CLEAN_SYT, 0, 7, 120), when=t0)
    syt_file(inbox / "v2.xlsx", when=t0.replace(day=22))
    (inbox / "v3.xlsx").write_bytes(b"broken")
    os.utime(inbox / "v3.xlsx", (t0.replace(day=23).timestamp(),) * 2)
    engine = open_db(db_url)
    ingest_inbox(inbox, engine, config, Y)
    chosen = current(engine)
    assert chosen == [("v1.xlsx", "partially_accepted", False), ("v2.xlsx", "accepted", True),
                      ("v3.xlsx", "rejected", False)]
    with Session(engine) as s, s.begin():      # as the dead run left them
        s.execute(update(Submission).values(is_current=False))
    again = ingest_inbox(inbox, engine, config, Y)
    assert (again.read, [o.state for o in again.outcomes]) == ([], ["known", "known", "known"])
    assert current(engine) == chosen
    engine.dispose()


def test_inbox_paths_are_the_files_discover_inbox_takes(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("b.xlsx", "a.xlsx", "~$a.xlsx", "._a.xlsx", "received.csv", "Thumbs.db", "..x.xlsx"):
        (inbox / name).write_bytes(name.encode())
    (inbox / "thu-muc").mkdir()
    assert [p.name for p in inbox_paths(inbox)] == [f.path.name for f in discover_inbox(inbox)] == [
        "..x.xlsx", "a.xlsx", "b.xlsx"]


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
    """Opening twice migrates once, to the newest revision of the scripts (whichever number that is)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from tonghop.store.db import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    open_db(db_url).dispose()
    engine = open_db(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalars().all() == [head]
    engine.dispose()
    assert head == sorted(p.name[:4] for p in MIGRATIONS.joinpath("versions").glob("0*.py"))[-1]


def test_a_database_at_head_is_not_migrated_again_and_an_older_one_is(db_url, monkeypatch):
    """A rerun opens a database already at the newest revision without running Alembic (env.py and every script
    loaded for nothing); a database left at an earlier revision is still brought up to it."""
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    from tonghop.store import db

    # an older database: made by the first three scripts only
    old = create_engine(db_url)
    with old.begin() as conn:
        cfg = db._alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    assert not db.at_head(old)
    old.dispose()
    upgrades: list[str] = []
    real = command.upgrade
    monkeypatch.setattr(command, "upgrade", lambda cfg, target: (upgrades.append(target), real(cfg, target)))
    engine = open_db(db_url)
    assert upgrades == ["head"]
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalars().all() == \
            sorted(db.script_heads())
        assert {"mail_messages", "mail_attachments"} <= set(inspect(conn).get_table_names())
    engine.dispose()
    engine = open_db(db_url)        # at head now: looked at, not migrated
    assert upgrades == ["head"]
    assert db.at_head(engine)
    engine.dispose()


def docx_bytes() -> bytes:
    """A Word document as Word saves it (a zip with word/document.xml)."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body><w:p>'
                                        '<w:r><w:t>Báo cáo thuyết minh</w:t></w:r></w:p></w:body></w:document>')
    return buf.getvalue()


def test_documents_sent_with_the_forms_are_not_read_nor_stored(tmp_path, db_url, config):
    """A cover letter or a narrative report is not a submission: it is listed as a document, never read,
    so it never gets a rejection or a notice; a rerun says the same."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    syt_file(inbox / "Sở Y tế.xlsx")
    (inbox / "CV 45-SGDDT.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    (inbox / "Báo cáo thuyết minh.docx").write_bytes(docx_bytes())
    (inbox / "TỜ TRÌNH.DOC").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (inbox / "Ghi chú.odt").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    engine = open_db(db_url)
    first = ingest_inbox(inbox, engine, config, Y)
    syt_id = first.new_ids[0]
    assert [(o.file, o.state, o.submission_id) for o in first.outcomes] == [
        ("Báo cáo thuyết minh.docx", "document", None), ("CV 45-SGDDT.pdf", "document", None),
        ("Ghi chú.odt", "document", None), ("Sở Y tế.xlsx", "new", syt_id), ("TỜ TRÌNH.DOC", "document", None)]
    assert [c.parsed.path.name for c in first.checked] == ["Sở Y tế.xlsx"]
    assert sorted(f.path.name for f in first.files) == sorted(p.name for p in inbox.iterdir())
    assert table_counts(engine) == {"submissions": 1, "figures": 4, "activities": 1, "problems": 0}
    again = ingest_inbox(inbox, engine, config, Y)
    assert [(o.file, o.state) for o in again.outcomes] == [
        ("Báo cáo thuyết minh.docx", "document"), ("CV 45-SGDDT.pdf", "document"), ("Ghi chú.odt", "document"),
        ("Sở Y tế.xlsx", "known"), ("TỜ TRÌNH.DOC", "document")]
    engine.dispose()


def submission_arrivals(engine):
    with Session(engine) as s:
        return [(x.file_name, x.received_at.replace(tzinfo=timezone.utc) if x.received_at.tzinfo is None
                 else x.received_at.astimezone(timezone.utc))
                for x in s.scalars(select(Submission).order_by(Submission.id))]


def test_a_corrected_file_resent_under_the_same_name_is_never_older_than_the_first(tmp_path, db_url, config):
    """received.csv still gives the first file's time for the name: the corrected content arrived later,
    so it gets its own time (the file's, here), and the first content keeps the time it was seen with."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first_at = datetime(2025, 11, 20, 1, 0, tzinfo=timezone.utc)
    (inbox / "received.csv").write_text(f"file,received_at\nSở Y tế.xlsx,{first_at.isoformat()}\n", encoding="utf-8")
    syt_file(inbox / "Sở Y tế.xlsx", replace(CLEAN_SYT, 0, 7, 120), when=first_at)
    engine = open_db(db_url)
    ingest_inbox(inbox, engine, config, Y)
    resent_at = datetime(2025, 11, 27, 3, 30, tzinfo=timezone.utc)
    syt_file(inbox / "Sở Y tế.xlsx", when=resent_at)
    [f] = discover_inbox(inbox, known=known_hashes(engine, Y.code))
    assert f.received_at == resent_at
    ingest_inbox(inbox, engine, config, Y)
    assert submission_arrivals(engine) == [("Sở Y tế.xlsx", first_at), ("Sở Y tế.xlsx", resent_at)]
    engine.dispose()


def test_a_resent_file_with_no_later_time_of_its_own_is_dated_when_first_seen(tmp_path, db_url, config):
    """Copied with its old modification time and no new manifest line: the only true bound is the run
    that first saw it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first_at = datetime(2025, 11, 20, 1, 0, tzinfo=timezone.utc)
    (inbox / "received.csv").write_text(f"file,received_at\nSở Y tế.xlsx,{first_at.isoformat()}\n", encoding="utf-8")
    syt_file(inbox / "Sở Y tế.xlsx", replace(CLEAN_SYT, 0, 7, 120), when=first_at)
    engine = open_db(db_url)
    ingest_inbox(inbox, engine, config, Y)
    syt_file(inbox / "Sở Y tế.xlsx", when=first_at)
    before = datetime.now(timezone.utc)
    ingest_inbox(inbox, engine, config, Y)
    after = datetime.now(timezone.utc)
    [old, new] = submission_arrivals(engine)
    assert old == ("Sở Y tế.xlsx", first_at)
    assert new[0] == "Sở Y tế.xlsx" and before <= new[1] <= after
    engine.dispose()


def test_received_manifest_matches_names_in_either_unicode_form(tmp_path):
    """A Mac saves 'Sở Y tế' decomposed (NFD); received.csv written elsewhere has it composed (NFC)."""
    import unicodedata

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    syt_file(inbox / unicodedata.normalize("NFD", "Sở Y tế.xlsx"))
    syt_file(inbox / "Sở Tư pháp.xlsx", replace(CLEAN_SYT, 0, 7, 120))
    (inbox / "received.csv").write_text(
        "file,received_at\nSở Y tế.xlsx,2025-11-24T09:15:00+07:00\n"
        f"{unicodedata.normalize('NFD', 'Sở Tư pháp.xlsx')},2025-11-25T10:00:00+07:00\n", encoding="utf-8")
    found = {unicodedata.normalize("NFC", f.path.name): f.received_at for f in discover_inbox(inbox)}
    assert found == {"Sở Tư pháp.xlsx": datetime.fromisoformat("2025-11-25T10:00:00+07:00"),
                     "Sở Y tế.xlsx": datetime.fromisoformat("2025-11-24T09:15:00+07:00")}


def test_the_same_content_under_two_names_arrived_when_the_first_did(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    syt_file(inbox / "a.xlsx", when=datetime(2025, 11, 28, 2, 0, tzinfo=timezone.utc))
    (inbox / "b.xlsx").write_bytes((inbox / "a.xlsx").read_bytes())
    (inbox / "received.csv").write_text("file,received_at\nb.xlsx,2025-11-24T09:15:00+07:00\n", encoding="utf-8")
    assert [(f.path.name, f.received_at) for f in discover_inbox(inbox)] == [
        ("a.xlsx", datetime.fromisoformat("2025-11-24T09:15:00+07:00")),
        ("b.xlsx", datetime.fromisoformat("2025-11-24T09:15:00+07:00"))]
