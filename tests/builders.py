"""Build form workbooks for tests as raw grids, so each test states exactly what a person typed where."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from schemas import labels as L

IND_HEADERS = [h for _l, h in L.INDICATOR_COLUMNS.values()]
ACT_HEADERS = [h for _l, h in L.ACTIVITY_COLUMNS.values()]


def header_block(unit_code: str, period_text: str, unit_name: str = "Sở Y tế",
                 email: str = "syt@sonla.gov.vn") -> list[list[Any]]:
    return [
        ["Đơn vị báo cáo", None, unit_name],
        ["Mã đơn vị", None, unit_code],
        ["Kỳ báo cáo", None, period_text],
        ["Người lập biểu", None, "Nguyễn Thị Hoa"],
        ["Email", None, email],
    ]


def indicator_grid(unit_code: str, period_text: str, rows: list[list[Any]], **kw: Any) -> list[list[Any]]:
    """Biểu 01 as the form lays it out: header rows 1-5, title row 6, table header row 8, data from row 9.

    Each data row lists columns B..J: code, name, area, area name, sex, numerator, denominator, value, note.
    """
    grid = header_block(unit_code, period_text, **kw) + [[L.TITLE_INDICATORS], [], IND_HEADERS]
    for i, r in enumerate(rows, start=1):
        grid.append([i, *r])
    return grid


def activity_grid(unit_code: str, period_text: str, rows: list[list[Any]], **kw: Any) -> list[list[Any]]:
    """Biểu 02: rows list columns B..I: code, description, count, participants, men, women, budget, note."""
    grid = header_block(unit_code, period_text, **kw) + [[L.TITLE_ACTIVITIES], [], ACT_HEADERS]
    for i, r in enumerate(rows, start=1):
        grid.append([i, *r])
    return grid


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], *, percent_cells: dict[str, list[str]] | None = None,
               hidden: set[str] = frozenset()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(grid, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(r, c, v)
        for ref in (percent_cells or {}).get(name, []):
            ws[ref].number_format = "0.0%"
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path
