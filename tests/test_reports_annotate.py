"""The marked copy returned to a submitter: a first sheet listing every problem, then the file itself, re-readable."""
from __future__ import annotations

import openpyxl

from tonghop_dev.builders import activity_grid, indicator_grid, write_xlsx
from tonghop.config import Period, load_config
from tonghop.intake.read import parse_file
from tonghop.reports.annotate import SHEET_PROBLEMS, annotate_workbook
from tonghop.check.validate import validate_files

Y2025 = Period.parse("2025-Y")
ROWS = [
    ["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", "Tổng", None, None, 1.12, None],       # a slip
    ["4.2", "Tử vong bà mẹ", "14", "Tỉnh Sơn La", "Tổng", 8, 20100, 120, None],                      # mismatch
    ["4.3", "Sinh vị thành niên", "14", "Tỉnh Sơn La", "Tổng", 1200, 48000, 25, None],
    ["4.4", "Dịch vụ LGBT", "14", "Tỉnh Sơn La", "Tổng", None, None, 1, None],
]


def _checked(path):
    return validate_files([parse_file(path)], load_config(), Y2025)[0]


def test_first_sheet_lists_every_problem_errors_first_and_the_copy_reads_back_the_same(tmp_path):
    source = write_xlsx(tmp_path / "syt.xlsx", {
        "Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS),
        "Biểu 02": activity_grid("SYT", "Năm 2025", [["TT", "Truyền thông", 5, 300, 120, 180, 20.5, None]]),
    })
    item = _checked(source)
    marked = annotate_workbook(source, item.report.problems, tmp_path / "syt-danh-dau")
    wb = openpyxl.load_workbook(marked)
    assert wb.sheetnames == [SHEET_PROBLEMS, "Biểu 01", "Biểu 02"] and wb.active.title == SHEET_PROBLEMS
    ws = wb[SHEET_PROBLEMS]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    by_severity = sorted(item.report.problems, key=lambda p: p.severity != "error")
    assert rows == [["STT", "Mức độ", "Ô", "Chỉ tiêu/HĐ", "Vấn đề", "Nội dung", "Cách sửa"]] + [
        [i, "Lỗi" if p.severity == "error" else "Cảnh báo", f"{p.cell} (trang {p.sheet})", p.indicator, p.type.title,
         p.message, p.fix]
        for i, p in enumerate(by_severity, start=1)]
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [("Lỗi", "I10 (trang Biểu 01)", "4.2"),
                                                       ("Cảnh báo", "I9 (trang Biểu 01)", "4.1")]
    assert "khoảng 112 (không ghi 1,12)" in rows[2][6]
    # prints on A4 with its header row on every page
    assert (ws.page_setup.paperSize, ws.page_setup.orientation, ws.print_title_rows) == (9, "landscape", "$3:$3")
    # the submitter corrects the marked copy and sends it back: it reads exactly as the original did
    again = _checked(marked)
    assert sorted((p.code, p.place) for p in again.report.problems) == sorted(
        (p.code, p.place) for p in item.report.problems)
    assert [(f["indicator"], f["value"]) for f in again.figures] == [(f["indicator"], f["value"]) for f in item.figures]
