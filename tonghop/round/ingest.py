"""Take an inbox folder for one period to the database: find files, skip those already read, read and
validate the new ones in batches, store them, and say what happened to every file."""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import Engine

from tonghop import progress
from tonghop.config import Period, ProvinceConfig
from tonghop.store.types import utc
from tonghop.intake.read import hash_bytes, parse_file
from tonghop.store.repo import Known, known_hashes, refresh_current, save_checked
from tonghop.check.validate import CheckedFile, validate_files

RECEIVED_MANIFEST = "received.csv"   # file,received_at — written when files are saved from e-mail
JUNK_PREFIXES = ("~$", "._")                # Office lock files, macOS resource forks
IGNORED_NAMES = {RECEIVED_MANIFEST, "README.md", "Thumbs.db", ".DS_Store"}
# cover letters and narrative reports sent with the forms: kept in the archive, never read as a form
DOCUMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".odt"}


@dataclass
class InboxFile:
    path: Path
    sha256: str
    received_at: datetime

    @property
    def is_document(self) -> bool:
        return self.path.suffix.lower() in DOCUMENT_SUFFIXES


@dataclass
class FileOutcome:
    """What became of one file of the inbox in this run."""

    file: str
    sha256: str
    state: str                      # new | known | duplicate | document
    submission_id: int | None = None
    duplicate_of: str | None = None


@dataclass
class IngestResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    # what the batches returned for the files read in this run: CheckedFile here, the flow's own small facts there
    checked: list[Any] = field(default_factory=list)
    files: list[InboxFile] = field(default_factory=list)         # everything found in the inbox
    read: list[tuple[str, str]] = field(default_factory=list)    # (name, hash as read) of the files read now
    known: dict[str, Known] = field(default_factory=dict)        # the period's stored contents after the ingest

    @property
    def new_ids(self) -> list[int]:
        return [o.submission_id for o in self.outcomes if o.state == "new" and o.submission_id]


def same_name(name: str) -> str:
    """A file name as compared: NFC, so a name saved decomposed (macOS, some mail programs) is the same name."""
    return unicodedata.normalize("NFC", name)


def read_manifest(inbox: Path) -> dict[str, datetime]:
    """Arrival times recorded when the files were saved from e-mail (the file's own time is unreliable), by
    NFC name; a name listed twice (a file resent) keeps its latest time."""
    path = inbox / RECEIVED_MANIFEST
    if not path.exists():
        return {}
    out: dict[str, datetime] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            try:
                name, at = same_name(row["file"]), utc(datetime.fromisoformat(row["received_at"]))
            except (KeyError, TypeError, ValueError):
                continue
            if name not in out or at > out[name]:
                out[name] = at
    return out


def arrival_time(name: str, sha256: str, manifest: dict[str, datetime], mtime: datetime,
                 known: dict[str, Known], latest_by_name: dict[str, datetime], now: datetime) -> datetime:
    """When this content arrived. It is the content's, not the name's: a content already stored keeps its
    stored time; a new content under a name whose earlier content arrived at or after the time received.csv
    (or the file) gives was resent after it, so that time belongs to the earlier content: the file's time
    is used if later, else the time this run first saw it."""
    if sha256 in known and known[sha256].received_at is not None:
        return known[sha256].received_at
    name = same_name(name)
    candidate = manifest.get(name) or mtime
    earlier = latest_by_name.get(name)
    if earlier is None or candidate > earlier:
        return candidate
    return mtime if mtime > earlier else now


def inbox_paths(inbox: Path) -> list[Path]:
    """The inbox's files discover_inbox takes, in its order, without reading them."""
    # only editors' junk is skipped: a sender's file named "..x.xlsx" still gets an answer
    return sorted(p for p in Path(inbox).iterdir() if p.is_file()
                  and not (p.name.startswith(JUNK_PREFIXES) or same_name(p.name) in IGNORED_NAMES))


def discover_inbox(inbox: Path, known: dict[str, Known] | None = None) -> list[InboxFile]:
    """Every file of the inbox (not hidden, not the manifest), with its hash and arrival time; `known`, the
    period's stored contents, keeps each content's first arrival time."""
    inbox = Path(inbox)
    manifest = read_manifest(inbox)
    known = known or {}
    latest_by_name: dict[str, datetime] = {}        # the last stored arrival under each name
    for k in known.values():
        name = same_name(k.file_name)
        if k.received_at is not None and (name not in latest_by_name or k.received_at > latest_by_name[name]):
            latest_by_name[name] = k.received_at
    now = datetime.now(timezone.utc)
    files = []
    for path in inbox_paths(inbox):
        data_hash = hash_bytes(path.read_bytes())
        mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        files.append(InboxFile(path, data_hash, arrival_time(path.name, data_hash, manifest, mtime, known,
                                                             latest_by_name, now)))
    # the same content under two names arrived when the first of them did
    first: dict[str, datetime] = {}
    for f in files:
        if f.sha256 not in first or f.received_at < first[f.sha256]:
            first[f.sha256] = f.received_at
    for f in files:
        f.received_at = first[f.sha256]
    return files


def plan_files(files: list[InboxFile], known: dict) -> tuple[list[InboxFile], list[FileOutcome]]:
    """Split into files to read now and outcomes of the rest (already stored, or the same content twice)."""
    to_read: list[InboxFile] = []
    outcomes: list[FileOutcome] = []
    first_by_hash: dict[str, str] = {}
    for f in files:
        if f.is_document:
            outcomes.append(FileOutcome(f.path.name, f.sha256, "document"))
            continue
        if f.sha256 in first_by_hash:
            outcomes.append(FileOutcome(f.path.name, f.sha256, "duplicate", duplicate_of=first_by_hash[f.sha256]))
            continue
        first_by_hash[f.sha256] = f.path.name
        if f.sha256 in known:
            outcomes.append(FileOutcome(f.path.name, f.sha256, "known", known[f.sha256].id))
        else:
            to_read.append(f)
    return to_read, outcomes


def batches(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def process_batch(batch: list[InboxFile], engine: Engine, config: ProvinceConfig, period: Period) -> list[CheckedFile]:
    """Read, validate (together) and store one batch of new files."""
    parsed = [parse_file(f.path) for f in batch]
    checked = validate_files(parsed, config, period)
    save_checked(engine, [(c, f.received_at) for c, f in zip(checked, batch)], period.code)
    return checked


def name_and_hash(item: Any) -> tuple[str, str]:
    """A read file's name and the hash of the content actually read (a file replaced in the inbox since it was
    hashed is stored under its new content): of a CheckedFile, or of the flow's facts (`file`, `sha256`)."""
    if isinstance(item, CheckedFile):
        return item.parsed.path.name, item.parsed.sha256
    return item.file, item.sha256


def ingest_inbox(inbox: Path, engine: Engine, config: ProvinceConfig, period: Period, *,
                 batch_size: int = 100,
                 process_all: Callable[[list[list[InboxFile]]], Iterable[list[Any]]] | None = None,
                 ) -> IngestResult:
    """The whole ingest. By default batches run one after another here (process_batch); the Prefect flow passes
    `process_all`, which hands every batch to worker processes (or threads, or a Dask cluster) to read, store
    and report on, and yields each batch's results in order."""
    known = known_hashes(engine, period.code)
    files = discover_inbox(inbox, known)
    to_read, outcomes = plan_files(files, known)
    result = IngestResult(outcomes=outcomes, files=files)
    groups = list(batches(to_read, batch_size))
    if process_all is None:
        results: Iterable[list[CheckedFile]] = (process_batch(g, engine, config, period) for g in groups)
    else:
        results = process_all(groups)
    done = 0
    progress.advance("Đọc và kiểm tra", 0, len(to_read))
    for checked in results:      # one item per file read; `process_all` may group the files its own way
        result.checked.extend(checked)
        result.read.extend(name_and_hash(c) for c in checked)
        done += len(checked)
        progress.advance("Đọc và kiểm tra", done, len(to_read))
    # also when nothing was read: a run that died after storing a batch left the choice to this one
    refresh_current(engine, period.code)
    # what is stored now (refresh_current changes no Known field): asked again only when files were stored
    result.known = known_hashes(engine, period.code) if result.read else known
    result.outcomes += [FileOutcome(name, sha, "new", result.known[sha].id) for name, sha in result.read]
    result.outcomes.sort(key=lambda o: o.file.casefold())
    return result
