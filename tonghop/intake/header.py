"""Check a file's header block: who sent it (unit code) and for which period."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from schemas.labels import normalize_label
from tonghop.config import Period, ProvinceConfig, Unit
from tonghop.problems import Problem

_YEAR = re.compile(r"(20\d\d)")


def parse_period_text(raw: Any) -> Period | None:
    """`Năm 2025`, `6 tháng đầu năm 2025`, `2025-Y`, `Báo cáo năm 2025` → Period; None if not recognisable."""
    if raw is None:
        return None
    if isinstance(raw, (datetime, date)):
        return None
    text = str(raw).strip()
    try:
        return Period.parse(text.upper())
    except Exception:  # noqa: BLE001 - fall through to the wording people use
        pass
    n = normalize_label(text)
    years = _YEAR.findall(n)
    if len(set(years)) != 1:
        return None
    year = int(years[0])
    if re.search(r"\b6 thang\b|sau thang|\bh1\b|nua dau", n):
        return Period(year, "H1")
    if re.search(r"\bnam\b|ca nam|\by\b", n.replace(years[0], "")):
        return Period(year, "Y")
    return None


def _cell_parts(ref: str | None) -> tuple[str, str]:
    if not ref:
        return "", ""
    sheet, _, cell = ref.rpartition("!")
    return sheet, cell


def check_header(header: dict[str, Any], cells: dict[str, str], config: ProvinceConfig,
                 period: Period) -> tuple[Unit | None, list[Problem]]:
    """The unit the file comes from (None when unknown) and the header's problems."""
    problems: list[Problem] = []
    raw_code = header.get("unit_code")
    code = str(raw_code).strip().upper() if raw_code not in (None, "") else ""
    unit = config.units.get(code) or next((u for u in config.units.values() if u.code.upper() == code), None)
    sheet, cell = _cell_parts(cells.get("unit_code"))
    if not code:
        problems.append(Problem("unit-missing", sheet, cell))
    elif unit is None:
        problems.append(Problem("unknown-unit", sheet, cell, raw_code))
    raw_period = header.get("period")
    found = parse_period_text(raw_period)
    sheet, cell = _cell_parts(cells.get("period"))
    if found is None:
        problems.append(Problem("period-missing", sheet, cell, raw_period))
    elif found != period:
        # "Năm 2026" needs no "(Năm 2026)" after it; "2026-Y" is told how it was read
        typed = " ".join(str(raw_period).split()).casefold()
        read_as = "" if typed == found.vi.casefold() else f" (tức {found.vi})"
        problems.append(Problem("period-mismatch", sheet, cell, raw_period,
                                params={"read_as": read_as, "expected": period.vi}))
    email = str(header.get("email") or "").strip().lower()
    if unit is not None and email and email not in unit.emails:
        sheet, cell = _cell_parts(cells.get("email"))
        problems.append(Problem("email-not-registered", sheet, cell, email))
    return unit, problems
