"""Return the submitter's own workbook with every problem cell marked and a comment explaining it."""
from __future__ import annotations

import io
import math
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from tonghop.problems import ERROR, Problem
from tonghop.intake.read import load_sheets
from tonghop.reports.xlsx_print import setup_print
from tonghop.safe_text import set_cell

FONT = "Times New Roman"
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

ERROR_FILL = PatternFill("solid", start_color="FFF4B6B6", end_color="FFF4B6B6")
WARNING_FILL = PatternFill("solid", start_color="FFFFE699", end_color="FFFFE699")


def _workbook_for(path: Path, data: bytes) -> tuple[openpyxl.Workbook, str]:
    """The file itself when openpyxl can keep it as it is; otherwise an .xlsx copy of its values."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return openpyxl.load_workbook(io.BytesIO(data), keep_vba=suffix == ".xlsm"), suffix
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in load_sheets(path, data):    # .xls/.ods/.csv: same cells, as .xlsx
        ws = wb.create_sheet(sheet.name[:31])
        for r, row in enumerate(sheet.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v not in ("", None):
                    set_cell(ws, r, c, v)      # a sender's "=HYPERLINK(...)" stays text
    return wb, ".xlsx"


SHEET_PROBLEMS = "Danh sách vấn đề"
_HEADERS = ["STT", "Mức độ", "Ô", "Chỉ tiêu/HĐ", "Vấn đề", "Nội dung", "Cách sửa"]
_WIDTHS = [5, 10, 14, 10, 24, 50, 50]


def where(p: Problem) -> str | None:
    """'I10 (trang Biểu 01)': never a text starting with the sheet's name, which the reader takes for the form."""
    if p.sheet and p.cell:
        return f"{p.cell} (trang {p.sheet})"
    return f"trang {p.sheet}" if p.sheet else None


def problem_sheet(wb: openpyxl.Workbook, problems: list[Problem]) -> None:
    """The first sheet: every problem of the file, errors first, with its cell and its fix, ready to print."""
    name = SHEET_PROBLEMS if SHEET_PROBLEMS not in wb.sheetnames else f"{SHEET_PROBLEMS} (tonghop)"
    ws = wb.create_sheet(name, 0)
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
    bold, head = Font(name=FONT, bold=True), PatternFill("solid", fgColor="DDEBF7")
    ws.cell(1, 1, "CÁC VẤN ĐỀ CỦA TỆP (ô có vấn đề được tô màu và ghi chú trong các trang tính)").font = \
        Font(name=FONT, bold=True, size=13)
    for c, (text, width) in enumerate(zip(_HEADERS, _WIDTHS), start=1):
        cell = ws.cell(3, c, text)
        cell.font, cell.fill, cell.border = bold, head, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = width
    ordered = sorted(problems, key=lambda p: p.severity != ERROR)
    for i, p in enumerate(ordered, start=1):
        row = 3 + i
        values = [i, "Lỗi" if p.severity == ERROR else "Cảnh báo", where(p), p.indicator, p.type.title,
                  p.message, p.fix]
        for c, v in enumerate(values, start=1):
            cell = set_cell(ws, row, c, v)       # a sender's text never becomes a formula here either
            cell.font, cell.border = Font(name=FONT, bold=c == 2), _BOX
            cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="center" if c in (1, 2, 4) else None)
        cell = ws.cell(row, 2)
        cell.fill = ERROR_FILL if p.severity == ERROR else WARNING_FILL
        longest = max(len(p.message) / _WIDTHS[5], len(p.fix) / _WIDTHS[6], len(p.type.title) / _WIDTHS[4])
        ws.row_dimensions[row].height = 15 * max(1, math.ceil(longest * 1.05)) + 3
    ws.freeze_panes = "A4"
    setup_print(ws, title_rows="3:3", title_cols="A:C")


def annotate_workbook(path: Path, problems: list[Problem], out_stem: Path) -> Path | None:
    """Write `<out_stem>.xlsx` (or .xlsm) with problem cells filled and commented; None if nothing to mark."""
    placed = [p for p in problems if p.sheet and p.cell]
    if not placed:
        return None
    wb, suffix = _workbook_for(path, path.read_bytes())
    notes: dict[tuple[str, str], list[Problem]] = {}
    for p in placed:
        notes.setdefault((p.sheet, p.cell), []).append(p)
    for (sheet, cell), ps in notes.items():
        if sheet not in wb.sheetnames:
            continue
        target = wb[sheet][cell]
        if not hasattr(target, "comment") or type(target).__name__ == "MergedCell":
            continue   # inside a merged range: the top-left cell carries the mark
        target.fill = ERROR_FILL if any(p.severity == ERROR for p in ps) else WARNING_FILL
        text = "\n".join(f"[{'Lỗi' if p.severity == ERROR else 'Cảnh báo'}] {p.message} {p.fix}" for p in ps)
        comment = Comment(text, "tonghop")
        comment.width, comment.height = 320, 40 + 40 * len(ps)
        target.comment = comment
    problem_sheet(wb, problems)
    out = out_stem.with_suffix(suffix)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
