"""Return the submitter's own workbook with every problem cell marked and a comment explaining it."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from tonghop.problems import ERROR, Problem
from tonghop.intake.read import load_sheets
from tonghop.safe_text import set_cell

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
    out = out_stem.with_suffix(suffix)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
