"""Print settings of the report workbooks: A4, repeated header rows, fitted to the page only while legible."""
from __future__ import annotations

import math
from dataclasses import dataclass

from openpyxl.styles import Alignment, Font
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.worksheet import Worksheet

# A column `w` characters wide is w digits of the workbook's default font: with Times New Roman 11 (use_report_font)
# 5,25 pt in Excel and 5,5 pt in LibreOffice; the larger, so that both print legibly. (With the Calibri default
# LibreOffice substitutes a wider face where Carlito is missing and a "fitted" sheet shrank to 64 %.)
POINTS_PER_WIDTH_UNIT = 5.6
DEFAULT_WIDTH = 8.43
A4_POINTS = (595.3, 841.9)              # portrait width, height
MARGIN_SIDE_IN, MARGIN_TOP_IN = 0.4, 0.55
LEGIBLE_SCALE = 70                      # below this, 11 pt type prints under 7,7 pt: run over pages instead
OVERFLOW_SCALE = 85                     # the scale of a sheet too wide for one legible page


@dataclass(frozen=True)
class PrintPlan:
    """What the sheet will print like: its width on paper at 100 %, and the scale chosen."""

    width_pt: float
    printable_pt: float
    scale: int
    fitted: bool                         # fitted to one page wide (else it runs over pages at `scale`)

    @property
    def runs_over(self) -> bool:
        return self.width_pt * self.scale / 100 > self.printable_pt


def use_report_font(wb: Workbook) -> None:
    """Make Times New Roman 11 the workbook's default font, the one column widths are counted in."""
    tnr = Font(name="Times New Roman", sz=11, family=1)
    fonts = list(wb._fonts)
    fonts[0] = tnr
    wb._fonts = IndexedList(fonts)
    wb._named_styles["Normal"].font = tnr


def used_width(ws: Worksheet, last_col: int | None = None) -> float:
    """The printed width, in points at 100 %, of columns A to `last_col` (default: the last one used)."""
    last_col = last_col or ws.max_column
    total = 0.0
    for c in range(1, last_col + 1):
        dim = ws.column_dimensions.get(get_column_letter(c))
        if dim is not None and dim.hidden:
            continue
        total += (dim.width if dim is not None and dim.width else DEFAULT_WIDTH) * POINTS_PER_WIDTH_UNIT
    return total


def printable_width(orientation: str) -> float:
    paper = A4_POINTS[1] if orientation == "landscape" else A4_POINTS[0]
    return paper - 2 * MARGIN_SIDE_IN * 72


def plan(ws: Worksheet, orientation: str = "landscape", last_col: int | None = None,
         extra_pt: float = 0.0) -> PrintPlan:
    """extra_pt: what drawings add to the right of the last column (a chart is no column)."""
    width, printable = used_width(ws, last_col) + extra_pt, printable_width(orientation)
    fit = int(printable / width * 100) if width else 100
    if fit >= 100:
        return PrintPlan(width, printable, 100, False)
    if fit >= LEGIBLE_SCALE:
        return PrintPlan(width, printable, fit, True)
    return PrintPlan(width, printable, OVERFLOW_SCALE, False)


def setup_print(ws: Worksheet, *, title_rows: str | None, title_cols: str | None = None,
                orientation: str = "landscape", last_col: int | None = None, area: str | None = None,
                extra_pt: float = 0.0) -> PrintPlan:
    """A4 in `orientation`; header rows (e.g. "4:4") repeated on every page; one page wide when that keeps the
    type at ≥ 70 %, else at 85 % over several pages with `title_cols` (e.g. "A:B") repeated on each."""
    p = plan(ws, orientation, last_col, extra_pt)
    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A4
    ps.orientation = orientation
    ws.sheet_properties.pageSetUpPr.fitToPage = p.fitted
    if p.fitted:
        ps.fitToWidth, ps.fitToHeight = 1, 0
        ps.scale = None
    else:
        ps.scale = p.scale
    ps.pageOrder = "downThenOver" if p.runs_over else "overThenDown"
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols and p.runs_over:
        ws.print_title_cols = title_cols
    if area:
        ws.print_area = area
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE_IN
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_TOP_IN
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.print_options.horizontalCentered = p.fitted
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.size = 9
    return p


def long_note(ws: Worksheet, row: int, text: str, *, first_col: int = 1, last_col: int | None = None,
              font: Font | None = None) -> None:
    """A sentence across the table's width, wrapped in a row tall enough to hold it: a long line left in one
    cell runs on, unprinted, past the page's right edge."""
    last_col = last_col or max(ws.max_column, first_col)
    cell = ws.cell(row, first_col, text)
    if font is not None:
        cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if last_col > first_col:
        ws.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last_col)
    width = sum((ws.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH)
                for c in range(first_col, last_col + 1))
    size = (font.sz if font is not None and font.sz else 11) or 11
    per_line = max(1, int(width * 1.1 * 11 / size))        # Times New Roman: about 1,1 letters per width unit
    lines = sum(math.ceil(max(1, len(part)) / per_line) for part in text.split("\n"))
    ws.row_dimensions[row].height = max(15.0, lines * size * 1.35 + 3)
