"""Both report workbooks print on A4 at a legible size: page setup read back, then printed by real LibreOffice."""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from tonghop.reports.xlsx_print import LEGIBLE_SCALE, plan, setup_print

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDF_TOOLS = shutil.which("pdftotext") and shutil.which("pdfinfo")
A4 = {(595, 842), (842, 595)}          # points, rounded: portrait, landscape


@pytest.fixture(scope="module")
def books(sample_round):
    paths = sample_round[1]["2025-Y"][1]
    return {"province": paths["province_xlsx"], "ministry": paths["ministry_xlsx"]}


def printed_scale(ws) -> float:
    """The scale the sheet prints at, from its own page setup and column widths (not from the writer's plan):
    fitted to one page wide → printable width / columns' width; else the scale it states."""
    if not ws.sheet_properties.pageSetUpPr.fitToPage:
        return float(ws.page_setup.scale or 100)
    last = max(c.column for row in ws.iter_rows() for c in row if c.value is not None)
    width = sum((ws.column_dimensions[get_column_letter(c)].width or 8.43) * 5.6 for c in range(1, last + 1))
    paper = 842 if ws.page_setup.orientation == "landscape" else 595
    printable = paper - 72 * (ws.page_margins.left + ws.page_margins.right)
    return min(100.0, printable / width * 100)


@pytest.mark.parametrize("which", ["province", "ministry"])
def test_every_sheet_is_a4_with_repeated_headers_at_a_legible_scale(books, which):
    wb = openpyxl.load_workbook(books[which])
    assert wb._fonts[0].name == "Times New Roman"          # the font the column widths are counted in
    for ws in wb:
        ps = ws.page_setup
        assert (ps.paperSize, ps.orientation in ("landscape", "portrait")) == (9, True), ws.title
        assert printed_scale(ws) >= LEGIBLE_SCALE, ws.title
        assert ws.oddFooter.center.text == "Trang &P/&N"
        if not ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_cols:
            assert ws.page_setup.pageOrder == "downThenOver"    # a wide sheet runs down, then over
    titles = {ws.title: ws.print_title_rows for ws in wb}
    if which == "province":
        assert {k: v for k, v in titles.items() if v} == {
            "Chỉ tiêu": "$4:$4", "Theo đơn vị": "$4:$4", "Tình hình nộp": "$9:$9", "Vấn đề": "$4:$4",
            "Truy vết": "$4:$4", "Diễn biến": "$4:$4"}
        # the indicator sheet and the units × indicators matrix fit one page wide
        assert wb["Chỉ tiêu"].sheet_properties.pageSetUpPr.fitToPage
        assert wb["Theo đơn vị"].sheet_properties.pageSetUpPr.fitToPage
    else:
        assert titles == {"Biểu tổng hợp chỉ tiêu": "$10:$12", "Biểu 02 - Hoạt động": "$3:$3",
                          "Tình hình báo cáo": None}
        assert wb["Tình hình báo cáo"].page_setup.orientation == "portrait"


def test_columns_that_would_be_empty_are_left_out(books, next_year_round):
    ws = openpyxl.load_workbook(books["province"])["Chỉ tiêu"]
    headers = [c.value for c in ws[4]]
    # no year earlier on record and no projection yet: neither "năm trước" nor "Dự báo" columns
    assert [h for h in headers if "2024" in h or "Dự báo" in h or "Năm mốc" in h] == []
    assert "Chỉ tiêu cần đạt năm 2025" in headers
    ws = openpyxl.load_workbook(next_year_round[1]["province_xlsx"])["Chỉ tiêu"]
    headers = [c.value for c in ws[4]]
    assert [h for h in headers if "2025" in h or "2030" in h] == [
        "Chỉ tiêu cần đạt năm 2030", "Giá trị Năm 2025", "Tăng (+), giảm (−) so với Năm 2025", "Dự báo 2030",
        "Xu hướng đến 2030"]


def test_a_sheet_too_wide_for_a_legible_page_runs_over_pages_with_its_first_columns_repeated():
    wb = openpyxl.Workbook()
    narrow, wide = wb.active, wb.create_sheet()
    for ws, n in ((narrow, 10), (wide, 40)):
        for c in range(1, n + 1):
            ws.cell(1, c, "x")
            ws.column_dimensions[get_column_letter(c)].width = 12
    p = setup_print(narrow, title_rows="1:1", title_cols="A:B")
    assert (p.fitted, p.scale, narrow.sheet_properties.pageSetUpPr.fitToPage, narrow.print_title_cols) == (
        False, 100, False, None)                                   # 10 × 12 fits at 100 %
    p = setup_print(wide, title_rows="1:1", title_cols="A:B")
    assert p.width_pt * LEGIBLE_SCALE / 100 > p.printable_pt      # fitting would go below 70 %
    assert (p.fitted, wide.page_setup.scale, wide.print_title_cols, wide.print_title_rows) == (
        False, 85, "$A:$B", "$1:$1")
    for c in range(13, 41):                                        # 12 columns: fitted, at ≥ 70 %
        wide.column_dimensions[get_column_letter(c)].hidden = True
    p = plan(wide)
    assert p.fitted and LEGIBLE_SCALE <= p.scale < 100


def _pdf(xlsx, out_dir):
    """Print the workbook with LibreOffice as a Vietnamese office machine does (vi_VN: 50,53; 248.500)."""
    env = dict(os.environ, LANG="vi_VN.UTF-8", LC_ALL="vi_VN.UTF-8", HOME=str(out_dir))
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{out_dir}/lo",
                    "--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx)], check=True, env=env,
                   capture_output=True, timeout=180)
    return out_dir / xlsx.with_suffix(".pdf").name


def _pages(pdf) -> list[tuple[tuple[int, int], list[float], str]]:
    """Per page: its size in points, the heights of its words, its text."""
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for page in bbox.split("<page ")[1:]:
        w, h = re.match(r'width="([\d.]+)" height="([\d.]+)"', page).groups()
        words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)
        out.append(((round(float(w)), round(float(h))), [float(b) - float(a) for a, b, _ in words],
                    " ".join(t for _, _, t in words)))
    return out


@pytest.mark.renders
@pytest.mark.parametrize("which", ["province", "ministry"])
def test_libreoffice_prints_it_on_a4_at_a_legible_size(books, which, tmp_path):
    if not (SOFFICE and PDF_TOOLS):
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (libreoffice-calc) and poppler-utils are required in CI")
        pytest.skip("LibreOffice or poppler-utils not installed (scripts/services.sh installs them in CI)")
    pages = _pages(_pdf(books[which], tmp_path))
    assert {size for size, _, _ in pages} <= A4
    # 11 pt Times printed at 70 % makes word boxes of about 11 × 1,3 × 0,7 = 10 pt: every page's body is at least
    # that (the sheet fitted at 42 % printed 6 pt), and nothing is under the 9 pt notes at 70 %
    medians = [statistics.median(h) for _, h, _ in pages if h]
    assert min(medians) >= 10.0, medians
    assert min(min(h) for _, h, _ in pages if h) >= 9 * 1.15 * 0.7
    text = " ".join(t for _, _, t in pages)
    assert "chưa đối chiếu" not in text and "nguyên văn" not in text
    if which == "ministry":
        assert len(pages) <= 5
        assert pages[0][0] == (842, 595)
        first = pages[0][2]
        for words in ("UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "Số: …/BC-SNV", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                      "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "Kính gửi: Bộ Nội vụ", "50,53", "248.500"):
            assert words in first, words
        assert re.search(r"Sơn La, ngày \d\d tháng \d\d năm \d{4}", first)
        for words in ("Nơi nhận:", "- Lưu: VT.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"):
            assert words in text, words
    else:
        # nine sheets; none of them lost to a page of its own for a line run past the margin
        # (the page count grows with the units of the round: 89 in the sample; a scrap is a page with a few words)
        assert [i for i, (_, _, words) in enumerate(pages, start=1) if len(words.split()) < 12] == []
        assert "Theo loại hoạt động" in text and "TRUY VẾT SỐ LIỆU" in text


def test_no_document_that_leaves_the_office_carries_a_wording_mark(books):
    for which, path in books.items():
        texts = [c.value for ws in openpyxl.load_workbook(path) for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert [t for t in texts if "chưa đối chiếu" in t or "nguyên văn" in t] == [], which
    sdmx = next(books["ministry"].parent.glob("sdmx-*.csv")).read_text(encoding="utf-8")
    assert "chưa đối chiếu" not in sdmx
