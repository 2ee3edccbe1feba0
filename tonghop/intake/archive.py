"""Keep every received file unchanged under its content hash (`<root>/<sha[:2]>/<sha>`, names beside it), so any report can be reproduced from the archive."""
from __future__ import annotations

import json
import os
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

from tonghop.intake.read import ParsedFile, hash_bytes, parse_file

_SHA_RE = re.compile(r"[0-9a-f]{64}")
NAMES_SUFFIX = ".names"      # JSON lines: {"name": ..., "archived_at": ...}, one per name the content came under


def archived_path(root: Path, sha256: str) -> Path:
    """Where the content with this hash lives; the hash is checked, so it can never name another path."""
    if not _SHA_RE.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 in lower-case hex: {sha256!r}")
    return Path(root) / sha256[:2] / sha256


def archive_file(path: Path, sha256: str, root: Path, received_at: datetime | None = None) -> Path:
    """Store the file's bytes at `<root>/<sha[:2]>/<sha>` and record its name; idempotent and safe to run twice
    at once. Raises ValueError when the file no longer has the hash it was read with (replaced meanwhile)."""
    target = archived_path(root, sha256)
    path = Path(path)
    if not target.exists():
        data = path.read_bytes()
        if hash_bytes(data) != sha256:
            raise ValueError(f"{path.name!r} changed after it was read: its content no longer has hash {sha256}")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha256}.{uuid.uuid4().hex}.tmp")   # unique: two runs never share a temp file
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)          # atomic: the archive never holds half a file under a hash
    if path.name not in archived_names(root, sha256):
        line = json.dumps({"name": path.name, "archived_at": (received_at or datetime.now(timezone.utc)).isoformat()},
                          ensure_ascii=False) + "\n"
        # one short append per name: a concurrent run may add the same name twice, readers drop repeats
        with open(target.with_name(sha256 + NAMES_SUFFIX), "a", encoding="utf-8") as fh:
            fh.write(line)
    return target


def archived_names(root: Path, sha256: str) -> list[str]:
    """The file names this content was received under, first first, without repeats."""
    names_file = archived_path(root, sha256).with_name(sha256 + NAMES_SUFFIX)
    if not names_file.exists():
        return []
    names: list[str] = []
    for line in names_file.read_text(encoding="utf-8").splitlines():
        try:
            name = json.loads(line)["name"]
        except (ValueError, KeyError, TypeError):
            continue                      # a line cut by a crash mid-append
        if name not in names:
            names.append(name)
    return names


def read_archived(root: Path, sha256: str) -> tuple[str, bytes]:
    """(first name received, bytes) of an archived file, its hash verified."""
    data = archived_path(root, sha256).read_bytes()
    if hash_bytes(data) != sha256:
        raise ValueError(f"archived file {sha256} is damaged: its content has another hash")
    names = archived_names(root, sha256)
    return (names[0] if names else sha256), data


def parse_archived(root: Path, sha256: str) -> ParsedFile:
    """Read an archived file as it was read when received (its name gives the format and the report's name)."""
    name, data = read_archived(root, sha256)
    return parse_file(Path(name), data)
