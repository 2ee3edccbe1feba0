"""Reading the provinces' SDMX-CSV files: the folder's inputs, each file's rows as text, the round's period."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from tonghop.config import Period
from tonghop.errors import os_reason
from tonghop.national.model import ProvinceFile
from tonghop.reports import sdmx

INPUT_SUFFIXES = {".csv"}


def find_inputs(inputs: Path) -> list[Path]:
    """The provinces' files: every .csv of the folder (not hidden), by name."""
    return sorted(p for p in Path(inputs).iterdir()
                  if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith((".", "~$")))


def read_province_file(path: Path) -> ProvinceFile:
    """The file's rows as text; unreadable files and missing columns become problems of the file."""
    pf = ProvinceFile(Path(path))
    try:
        header, rows = sdmx.read_sdmx(path)
    except (sdmx.SdmxReadError, OSError) as exc:
        pf.add("file-unreadable", detail=str(exc) if isinstance(exc, sdmx.SdmxReadError) else os_reason(exc))
        return pf
    missing = [c for c in sdmx.COLUMNS if c not in header]
    if missing:
        pf.add("columns-missing", 1, value=", ".join(missing), expected=", ".join(sdmx.COLUMNS))
        return pf
    for c in header:
        if c not in sdmx.COLUMNS:
            pf.add("extra-column", 1, c, c)
    if not rows:
        pf.add("empty-file", 1)
        return pf
    index = {c: header.index(c) for c in sdmx.COLUMNS}
    pf.rows = [{c: (r[i] if i < len(r) else "") for c, i in index.items()} for r in rows]
    pf.province = Counter(r["REF_AREA"] for r in pf.rows).most_common(1)[0][0]
    pf.time_period = Counter(r["TIME_PERIOD"] for r in pf.rows).most_common(1)[0][0]
    return pf


def choose_period(files: list[ProvinceFile], period: Period | None) -> str | None:
    """The SDMX period of the round: the one asked for, else the commonest among the readable files."""
    if period:
        return sdmx.sdmx_period(period.code)
    seen = Counter(f.time_period for f in files if f.time_period and sdmx.period_code(f.time_period))
    return seen.most_common(1)[0][0] if seen else None
