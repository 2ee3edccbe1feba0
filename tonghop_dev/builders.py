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


def write_xls(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """Legacy Excel 97-2003 (.xls), as old office PCs still save it."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for name, grid in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if v is not None:
                    ws.write(r, c, v)
    wb.save(str(path))
    return path


def write_ods(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """OpenDocument spreadsheet, as LibreOffice saves it."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, grid in sheets.items():
            width = max(len(r) for r in grid)
            frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in grid], dtype=object)
            frame.to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def write_csv(path: Path, grid: list[list[Any]], delimiter: str = ",") -> Path:
    """The whole form saved as one CSV sheet (UTF-8 with BOM, as Excel writes 'CSV UTF-8')."""
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows([["" if v is None else v for v in r] for r in grid])
    return path
