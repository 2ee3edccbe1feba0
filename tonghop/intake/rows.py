"""Turn raw table rows into typed records: codes tidied, numbers parsed the Vietnamese way, sex labels unified.

Cells that cannot be read as numbers become problems here (`not-a-number`), since only this step sees the
text the person typed; everything else is judged by the Pandera schemas in schemas/indicators.py.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from schemas.catalogue import Catalogue
from schemas.labels import SEX_VALUES, normalize_label
from tonghop.config import ProvinceConfig, Unit
from tonghop.numbers import NotANumber, comma_readings, format_vi, parse_number
from tonghop.problems import Problem
from tonghop.intake.read import CellError, ParsedFile, RawRow

COLUMN_VI = {"numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị", "count": "Số lượng",
             "participants": "Số người tham gia", "men": "Nam", "women": "Nữ", "budget": "Kinh phí"}
_YES = {"co", "x", "da", "yes", "dat", "co thuc hien"}
_NO = {"khong", "chua", "no", "khong thuc hien"}
ERROR_MEANING = {"#DIV/0!": " (chia cho 0)", "#N/A": " (không tìm thấy giá trị)", "#VALUE!": " (sai kiểu dữ liệu)",
                 "#REF!": " (công thức trỏ tới ô đã bị xóa)", "#NAME?": " (tên hàm hoặc tên vùng không đúng)",
                 "#NUM!": " (số không hợp lệ)", "#NULL!": " (hai vùng không giao nhau)"}


def tidy_code(raw: Any) -> str:
    """An indicator or activity code as written: 4.1 (number), ' 3.2A ', '4.1.' → '4.1', '3.2a'."""
    if raw is None:
        return ""
    if isinstance(raw, float):
        text = repr(raw) if raw != int(raw) else str(int(raw))
    else:
        text = str(raw)
    text = text.strip().rstrip(".").strip()
    if text[:1].isdigit():
        return text.lower()
    return text.upper()


def tidy_area(raw: Any, area_codes: set[str]) -> str:
    """An area code; a code typed as a number loses leading zeros in Excel, so pad it back if that matches."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw == int(raw):
        text = str(int(raw))
    else:
        text = str(raw).strip()
    if text not in area_codes and text.isdigit():
        for width in (2, 3, 5):
            if text.zfill(width) in area_codes:
                return text.zfill(width)
    return text


def tidy_sex(raw: Any) -> str:
    n = normalize_label(raw)
    return SEX_VALUES.get(n, str(raw).strip())


def _number(row: RawRow, fld: str, sheet: str, problems: list[Problem], code: str | None,
            boolean: bool = False, whole: bool = False) -> float | None:
    """The cell's number; whole: the cell must hold a whole number (a count), so '1,250' typed as text is read
    as 1250, the only whole reading, with a warning that quotes what was typed and both readings."""
    raw = row.values.get(fld)
    column = COLUMN_VI.get(fld, fld)
    readings = comma_readings(raw) if whole else None
    if readings:
        thousands, decimal = readings
        problems.append(Problem("ambiguous-thousands", sheet, row.cells[fld], raw, code,
                                {"column": column, "thousands": format_vi(thousands),
                                 "decimal": format_vi(decimal, 3)}))
        return thousands
    if isinstance(raw, CellError):     # calamine reads an error as ""; read.py put the error back
        problems.append(Problem("error-cell", sheet, row.cells[fld], str(raw), code,
                                {"column": column, "meaning": ERROR_MEANING.get(str(raw), "")}))
        return None
    if isinstance(raw, (datetime, date, time, timedelta)):
        shown = raw.strftime("%d/%m/%Y") if isinstance(raw, date) else str(raw)
        problems.append(Problem("date-in-number-cell", sheet, row.cells[fld], shown, code, {"column": column}))
        return None
    if boolean and isinstance(raw, str):
        n = normalize_label(raw)
        if n in _YES:
            return 1.0
        if n in _NO:
            return 0.0
    try:
        return parse_number(raw)
    except NotANumber:
        problems.append(Problem("not-a-number", sheet, row.cells[fld], raw, code,
                                {"column": COLUMN_VI.get(fld, fld)}))
        return None


def indicator_records(file_idx: int, parsed: ParsedFile, unit: Unit | None, config: ProvinceConfig,
                      catalogue: Catalogue) -> tuple[list[dict[str, Any]], list[Problem]]:
    """One record per Biểu 01 row with a known indicator code; problems for rows that cannot be typed."""
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    sheet = parsed.indicator_sheet or ""
    assigned = set(unit.indicators) if unit else set()
    area_codes = set(config.areas)
    for row in parsed.indicator_rows:
        code = tidy_code(row.values.get("indicator"))
        code_cell = row.cells.get("indicator", "")
        if not code:
            problems.append(Problem("missing-code", sheet, code_cell))
            continue
        ind = catalogue.indicators.get(code)
        if ind is None:
            problems.append(Problem("unknown-indicator", sheet, code_cell, row.values.get("indicator")))
            continue
        row_problems: list[Problem] = []
        counts = ind.counts and not ind.is_boolean
        num = _number(row, "numerator", sheet, row_problems, code, whole=counts) if "numerator" in row.cells else None
        den = _number(row, "denominator", sheet, row_problems, code, whole=counts) \
            if "denominator" in row.cells else None
        val = _number(row, "value", sheet, row_problems, code, ind.is_boolean) if "value" in row.cells else None
        problems.extend(row_problems)
        value_cell = row.cells.get("value", "")
        factor = ind.unit.factor
        if val is not None and ind.unit.code == "percent":
            if value_cell in parsed.percent_cells:
                val = val * 100          # 0.455 shown as 45,5%
            elif 0 < val <= 1 and num is not None and den:
                # no number format to go by (.ods/.xls): a fraction that matches num/den as a percentage
                expected = num / den * 100
                if abs(val * 100 - expected) <= 0.05 and abs(val - expected) > 0.05:
                    val = val * 100
        derived = False
        if val is None and factor is not None and num is not None and den:
            val, derived = num / den * factor, True
        records.append({
            "file_idx": file_idx, "indicator": code, "row": row.row, "sheet": sheet,
            "area": tidy_area(row.values.get("area") if "area" in row.cells else config.province_code, area_codes)
                    or config.province_code,
            "sex": tidy_sex(row.values.get("sex")),
            "numerator": num, "denominator": den, "value": val, "value_derived": derived,
            "assigned": code in assigned,
            "unparsed": bool(row_problems),
            "cells": row.cells,
        })
    return records, problems


def activity_records(file_idx: int, parsed: ParsedFile) -> tuple[list[dict[str, Any]], list[Problem]]:
    """One record per Biểu 02 row."""
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    sheet = parsed.activity_sheet or ""
    for row in parsed.activity_rows:
        code = tidy_code(row.values.get("activity"))
        if not code:
            problems.append(Problem("unknown-activity", sheet, row.cells.get("activity", ""), ""))
            continue
        row_problems: list[Problem] = []
        nums = {f: (_number(row, f, sheet, row_problems, code, whole=f != "budget") if f in row.cells else None)
                for f in ("count", "participants", "men", "women", "budget")}
        problems.extend(row_problems)
        if nums["participants"] is None and nums["men"] is not None and nums["women"] is not None:
            nums["participants"] = nums["men"] + nums["women"]
        records.append({"file_idx": file_idx, "activity": code, "row": row.row, "sheet": sheet,
                        "description": row.values.get("description"), **nums,
                        "unparsed": bool(row_problems), "cells": row.cells})
    return records, problems
