"""SDMX-CSV of the gender-equality dataflow (VN_MOHA:DF_GENDER_EQUALITY 1.0): periods, numbers, reading, writing."""
from __future__ import annotations

import csv
import io
from pathlib import Path

# the dataflow's columns and codes are declared with the schemas (schemas/dataflow.py); named from here as before
from schemas.dataflow import (
    ACTION, COLUMNS, NUMBER_RE, OBS_STATUSES, PERIOD_RE, SEX_CODES, SEX_VI, STRUCTURE, STRUCTURE_ID,
)

__all__ = ["ACTION", "COLUMNS", "NUMBER_RE", "OBS_STATUSES", "PERIOD_RE", "SEX_CODES", "SEX_VI", "STRUCTURE",
           "STRUCTURE_ID", "SdmxReadError", "obs_status", "parse_number", "period_code", "read_sdmx", "sdmx_number",
           "sdmx_period", "write_sdmx"]


class SdmxReadError(Exception):
    """The file is not a CSV text this reader can take (its message is in Vietnamese)."""


def sdmx_period(period_code: str) -> str:
    """2025-Y → 2025 (year); 2025-H1 → 2025-S1 (SDMX semester)."""
    year, kind = period_code.split("-")
    return year if kind == "Y" else f"{year}-S1"


def period_code(time_period: str) -> str | None:
    """2025 → 2025-Y, 2025-S1 → 2025-H1; None when not one of those forms."""
    m = PERIOD_RE.match(time_period.strip())
    if not m:
        return None
    return f"{m.group(1)}-{'H1' if m.group(2) else 'Y'}"


def obs_status(value: float | None, plausible: bool) -> str:
    """CL_OBS_STATUS of a value: A normal, M missing, U for a value outside its indicator's usual range ("Cần kiểm
    tra số liệu", e.g. a sex ratio of 1,12 typed for 112). U is SDMX's "low reliability": the unit's own figure,
    sent as reported but not to be trusted. Not E ("estimated"): nobody estimated it."""
    if value is None:
        return "M"
    return "A" if plausible else "U"


def sdmx_number(x: float | None) -> str:
    """Dot decimal, no thousands separator, no trailing zeros, at most 6 decimals; empty when missing."""
    if x is None or x != x:
        return ""
    text = f"{round(float(x), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_number(text: str) -> float | None:
    """A number as SDMX-CSV writes it; None when empty; raises ValueError otherwise."""
    text = text.strip()
    if not text:
        return None
    if not NUMBER_RE.match(text):
        raise ValueError(text)
    return float(text)


def read_sdmx(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows as text, exactly as in the file (cells stripped). Raises SdmxReadError."""
    data = Path(path).read_bytes()
    if not data.strip():
        raise SdmxReadError("tệp rỗng")
    if data.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        raise SdmxReadError("tệp là bảng tính Excel, không phải CSV; hãy xuất lại dạng SDMX-CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SdmxReadError("tệp không phải văn bản UTF-8") from exc
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise SdmxReadError("tệp rỗng")
    return rows[0], rows[1:]


def write_sdmx(rows: list[dict[str, str]], path: Path) -> Path:
    """Write observations (dicts keyed by COLUMNS) as SDMX-CSV, UTF-8, comma-separated, header first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path
