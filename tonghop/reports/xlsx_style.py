"""Shared look of the consolidated workbooks: titles, header rows, borders, number formats, status colours."""
from __future__ import annotations

import math
from copy import copy
from datetime import datetime
from typing import Any, Iterable

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from schemas.catalogue import Indicator
from tonghop.reports.round_data import STATUS_COLOURS, VERDICT_COLOURS
from tonghop.safe_text import set_cell

FONT = "Times New Roman"          # the font of Vietnamese administrative documents
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
GOAL_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="center")
MIDDLE = Alignment(vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

FMT_VALUE = "#,##0.00"
FMT_INT = "#,##0"
FMT_DEC = "#,##0.0#"
FMT_GAP = "+#,##0.00;-#,##0.00;0"
FMT_BOOL = '"Có";"Có";"Không"'    # 1 shows Có, 0 shows Không; the cell still holds the number
FMT_DATETIME = "dd/mm/yyyy hh:mm"
FMT_RATE = '0.0"%"'


def font(bold: bool = False, size: int = 11, color: str | None = None, italic: bool = False) -> Font:
    return Font(name=FONT, bold=bold, size=size, color=color, italic=italic)


def title(ws: Worksheet, text: str, subtitle: str, width: int) -> None:
    """Rows 1-2: the sheet's title and what it covers, across `width` columns."""
    ws.cell(1, 1, text).font = font(True, 14)
    ws.cell(2, 1, subtitle).font = font(italic=True, color="595959")
    for r in (1, 2):
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        ws.cell(r, 1).alignment = Alignment(vertical="center")
    ws.row_dimensions[1].height = 22


def header(ws: Worksheet, row: int, headers: list[str], widths: list[float] | None = None) -> None:
    for c, text in enumerate(headers, start=1):
        cell = ws.cell(row, c, text)
        cell.font = font(True)
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER
    if widths:
        set_widths(ws, widths)
    ws.row_dimensions[row].height = 45


def set_widths(ws: Worksheet, widths: Iterable[float]) -> None:
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None, *, bold: bool = False,
        wrap: bool = False, center: bool = False) -> Any:
    """Write a value (never a formula) with a border, its number format and the report font."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)          # Excel has no time zones: written in local time
    cell = set_cell(ws, row, col, value)          # text from submissions never becomes a formula
    # openpyxl hashes every style object on each assignment; a province's report has thousands of cells in a
    # handful of looks, so the first cell of each look lends its style indexes to the rest (5x faster)
    looks = ws.parent.__dict__.setdefault("_tonghop_looks", {})
    key = (bold, fmt, wrap, center)
    if key in looks:
        cell._style = copy(looks[key])
        return cell
    cell.border = BORDER
    cell.font = font(bold)
    if fmt:
        cell.number_format = fmt
    if wrap:
        cell.alignment = WRAP
    elif center:
        cell.alignment = CENTER
    else:
        cell.alignment = MIDDLE
    looks[key] = copy(cell._style)
    return cell


def number_format(x: float | None) -> str:
    """Whole numbers without decimals (48, 1.318.700); others with one or two (20,4)."""
    return FMT_INT if x is None or float(x).is_integer() else FMT_DEC


def value_format(ind: Indicator) -> str:
    return FMT_BOOL if ind.is_boolean else FMT_VALUE


def target_format(ind: Indicator, milestone: int) -> str:
    """The target cell holds the number; the format shows the comparison (≥ 60, < 30)."""
    if ind.is_boolean:
        return FMT_BOOL
    strict = milestone in ind.strict_years
    sign = ("<" if strict else "≤") if ind.direction == "down" else (">" if strict else "≥")
    return f'"{sign} "General'


def paint(cell: Any, colours: tuple[str, str]) -> None:
    fill, text = colours
    cell.fill = PatternFill("solid", fgColor=fill)
    cell.font = Font(name=FONT, bold=True, color=text)


def paint_status(cell: Any, status: str | None) -> None:
    paint(cell, STATUS_COLOURS[status])


def paint_verdict(cell: Any, verdict: str | None) -> None:
    paint(cell, VERDICT_COLOURS[verdict])


def fit_rows(ws: Worksheet) -> None:
    """Give wrapped text the rows it needs: neither Excel nor LibreOffice grows rows written by openpyxl."""
    merged = {c.coordinate for rng in ws.merged_cells.ranges for row in ws.iter_rows(
        min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col) for c in row}
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or cell.coordinate in merged or not cell.alignment.wrap_text:
                continue
            width = ws.column_dimensions[cell.column_letter].width or 10
            # letters of Times New Roman 11 per width unit: about 1,1 once diacritics and capitals are counted (1,3
            # left the fourth line of a long name outside its row)
            per_line = max(1, int(width * 1.1))
            lines = max(lines, sum(math.ceil(max(1, len(part)) / per_line) for part in cell.value.split("\n")))
        if lines > 1:
            r = row[0].row
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 15, 15 * lines + 2)
