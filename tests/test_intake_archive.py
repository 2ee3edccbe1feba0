"""The raw-file archive: every received file kept unchanged under its hash, idempotently, and a report
reproduced from the archive equals the one made when the file arrived."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tonghop.intake.archive import archive_file, archived_names, archived_path, parse_archived, read_archived
from tonghop.config import Period
from tonghop.intake.read import hash_bytes
from tonghop.check.validate import validate_files
from tonghop_dev.hostile.corpus import CASES, GOOD, make_corpus

Y = Period.parse("2025-Y")
SOME = ["zero-bytes", "pdf-renamed", "password", "far-cell", "error-cells", "date-in-number", "two-tables",
        "csv-injection", "ods-error", "name-path", "name-control", "name-nfd", "injection", "hidden-copy"]


def test_archive_keeps_the_bytes_under_the_hash_and_every_name(tmp_path):
    root = tmp_path / "luu-tru"
    first, second = tmp_path / "a" / "Báo cáo.xlsx", tmp_path / "b" / "bao\x01cao.xlsx"
    for p in (first, second):
        p.parent.mkdir()
        p.write_bytes(b"cung noi dung")
    sha = hash_bytes(b"cung noi dung")
    stored = archive_file(first, sha, root)
    assert stored == root / sha[:2] / sha and stored.read_bytes() == b"cung noi dung"
    assert archive_file(first, sha, root) == stored                 # again: nothing changes
    archive_file(second, sha, root)
    assert archived_names(root, sha) == ["Báo cáo.xlsx", "bao\x01cao.xlsx"]
    assert read_archived(root, sha) == ("Báo cáo.xlsx", b"cung noi dung")
    assert sorted(p.name for p in stored.parent.iterdir()) == [sha, sha + ".names"]


def test_archive_refuses_a_wrong_hash_and_a_path_in_the_hash(tmp_path):
    f = tmp_path / "x.xlsx"
    f.write_bytes(b"moi")
    with pytest.raises(ValueError):
        archive_file(f, hash_bytes(b"cu"), tmp_path / "luu-tru")     # replaced after it was read
    with pytest.raises(ValueError):
        archived_path(tmp_path, "../../etc/passwd")
    assert not (tmp_path / "luu-tru").exists() or not any((tmp_path / "luu-tru").rglob("*"))


def test_archive_twice_at_once_stores_one_file(tmp_path):
    f = tmp_path / "x.xlsx"
    f.write_bytes(b"x" * 1_000_000)
    sha = hash_bytes(f.read_bytes())
    threads = [threading.Thread(target=archive_file, args=(f, sha, tmp_path / "luu-tru")) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    folder = tmp_path / "luu-tru" / sha[:2]
    assert sorted(p.name for p in folder.iterdir()) == [sha, sha + ".names"]    # no temp file left
    assert archived_names(tmp_path / "luu-tru", sha) == ["x.xlsx"]


def test_reports_reproduced_from_the_archive_are_the_same(tmp_path, config, db_url):
    """Ingest hostile and good files, archive them, delete the inbox: validating from the archive gives
    every stored report JSON again."""
    from tonghop.round.ingest import ingest_inbox
    from tonghop.store import open_db
    from tonghop.store.models import Submission

    inbox = tmp_path / "inbox"
    make_corpus(inbox, only=SOME)
    GOOD[1](inbox / GOOD[0])
    root = tmp_path / "luu-tru"
    engine = open_db(db_url)
    try:
        result = ingest_inbox(inbox, engine, config, Y)
        for f in result.files:
            archive_file(f.path, f.sha256, root)
        with Session(engine) as s:
            stored = {sub.sha256: json.loads(sub.report_json) for sub in s.scalars(select(Submission))}
    finally:
        engine.dispose()
    for f in inbox.iterdir():
        f.unlink()
    assert sorted(stored) == sorted(f.sha256 for f in result.files)
    again = validate_files([parse_archived(root, sha) for sha in stored], config, Y)
    assert {c.parsed.sha256: c.report.to_dict() for c in again} == stored
    assert {c.report.file for c in again} >= {CASES["name-control"][0], CASES["name-nfd"][0]}
