"""Safe text: every helper through which a submission's text reaches a workbook, CSV, HTML, mail or terminal."""
from __future__ import annotations

import openpyxl

from tonghop.safe_text import csv_text, html_text, plain_text, set_cell, terminal_text


def test_formula_like_text_is_written_as_text_in_new_workbooks(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    texts = ['=HYPERLINK("http://evil.example","Bấm")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "a\x07b", "Sở Y tế"]
    for row, text in enumerate(texts, start=1):
        set_cell(ws, row, 1, text)
    set_cell(ws, 10, 1, 12.5)
    wb.save(tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["Sheet"]
    assert [ws.cell(r, 1).value for r in range(1, 7)] == [*texts[:4], "a\ufffdb", "Sở Y tế"]
    assert {ws.cell(r, 1).data_type for r in range(1, 7)} == {"s"}
    assert ws["A10"].value == 12.5


def test_csv_text_and_plain_text():
    assert [csv_text(t) for t in ["=1+1", "+1", "-x", "@x", "\tx", "＝1", "Sở Y tế", None, 5]] == [
        "'=1+1", "'+1", "'-x", "'@x", "'\tx", "'＝1", "Sở Y tế", "", "5"]
    assert plain_text("bao\x01cao\x1b[31m\u202eslx.exe\r\nBcc: x") == "bao cao [31mslx.exe Bcc: x"
    assert plain_text("a" * 50, 10) == "a" * 9 + "…"
    assert html_text("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
    assert terminal_text("[/]SYT[bold]").plain == "[/]SYT[bold]"


def test_one_slug_for_file_and_deployment_names():
    from tonghop.safe_text import slugify

    assert [slugify(n) for n in ["Sơn La", "Điện Biên", "Đắk Lắk", "Bà Rịa – Vũng Tàu", "  TP. Hồ Chí Minh "]] == [
        "son-la", "dien-bien", "dak-lak", "ba-ria-vung-tau", "tp-ho-chi-minh"]
