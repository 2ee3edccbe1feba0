"""Earlier years' figures from the province's sheet and the baseline year: read and checked, then shown in the
Word report, the province workbook and summary.json, and drawn through by the 2030 projection."""
from __future__ import annotations

import re
import shutil

import openpyxl
import pytest
from docx import Document

from conftest import ROOT, SAMPLES
from schemas.catalogue import load_catalogue
from tonghop.config import Period, load_config
from tonghop.history_sheet import read_history_sheet
from tonghop.consolidate.outlook import least_squares
from tonghop.errors import ConfigError
from tonghop.numbers import format_vi
from tonghop.reports.consolidated import write_consolidated_reports
from tonghop.round.ingest import ingest_inbox
from tonghop.store import open_db

SHEET = """Kỳ;Mã chỉ tiêu;Giá trị;Tử số;Mẫu số;Nguồn
Năm 2020;1.1;;30;100;Báo cáo số 15/BC-SNV ngày 20/01/2021
2020-Y;2.2;40,5;;;Niên giám thống kê tỉnh Sơn La 2020
Năm 2024;1.1;45,5;;;Báo cáo số 210/BC-SNV ngày 25/11/2024
6 tháng đầu năm 2025;1.1;99;;;Nhập thử
"""


def province(folder, sheet: str, extra: str):
    """A copy of the Sơn La configuration in `folder` naming `sheet` (written beside it) and `extra` lines."""
    shutil.copy(ROOT / "config" / "son-la.yaml", folder / "tinh.yaml")
    with open(folder / "tinh.yaml", "a", encoding="utf-8") as f:
        f.write(f"\nhistory_file: so-lieu-truoc.csv\n{extra}\n")
    (folder / "so-lieu-truoc.csv").write_text(sheet, encoding="utf-8")
    return folder / "tinh.yaml"


@pytest.fixture(scope="module")
def round_2025(tmp_path_factory):
    """The sample 2025-H1 and 2025-Y rounds of a province with the sheet above and baseline year 2020: (the
    2025-H1 per-indicator dict, the 2025-Y one, the 2025-Y paths)."""
    folder = tmp_path_factory.mktemp("lich-su")
    config = load_config(province(folder, SHEET, "baseline_year: 2020"))
    engine = open_db(f"sqlite:///{folder / 'tonghop.db'}")
    for code in ("2025-H1", "2025-Y"):
        ingest_inbox(SAMPLES / code, engine, config, Period.parse(code))
    h1, _ = write_consolidated_reports(engine, config, Period.parse("2025-H1"), folder / "2025-H1")
    year, paths = write_consolidated_reports(engine, config, Period.parse("2025-Y"), folder / "2025-Y")
    engine.dispose()
    return h1, year, paths


def test_sheet_rows_read_the_vietnamese_way(tmp_path):
    path = tmp_path / "so-lieu.csv"
    path.write_text(SHEET, encoding="utf-8")
    sheet = read_history_sheet(path, load_catalogue())
    assert {k: (f.value, f.numerator, f.denominator, f.source, f.row) for k, f in sheet.figures.items()} == {
        ("1.1", "2020-Y"): (30.0, 30.0, 100.0, "Báo cáo số 15/BC-SNV ngày 20/01/2021", 2),
        ("2.2", "2020-Y"): (40.5, None, None, "Niên giám thống kê tỉnh Sơn La 2020", 3),
        ("1.1", "2024-Y"): (45.5, None, None, "Báo cáo số 210/BC-SNV ngày 25/11/2024", 4),
        ("1.1", "2025-H1"): (99.0, None, None, "Nhập thử", 5)}
    # the same rows typed in Excel (a year as a number, a value as a number) read the same
    book = openpyxl.Workbook()
    for line in SHEET.splitlines():
        cells = [c or None for c in line.split(";")]
        book.active.append([int(c) if c and c.isdigit() else c for c in cells])
    book.active["A3"] = 2020
    book.active["C3"] = 40.5
    book.save(tmp_path / "so-lieu.xlsx")
    assert read_history_sheet(tmp_path / "so-lieu.xlsx", load_catalogue()).figures == sheet.figures


def test_a_wrong_row_is_named_with_what_is_wrong(tmp_path):
    path = tmp_path / "so-lieu.csv"
    path.write_text("Kỳ,Mã chỉ tiêu,Giá trị,Tử số,Mẫu số,Nguồn\n"
                    "Năm 2024,9.9,45,,,\n"
                    "Quý 3 2024,1.1,45,,,\n"
                    "Năm 2024,1.1,bốn lăm,,,\n"
                    "Năm 2024,2.2,50,30,,\n"
                    "Năm 2024,2.2,50,30,100,\n"
                    "Năm 2024,1.1,45,,,\n"
                    "Năm 2023,1.1,,,,\n"
                    ",,,,,\n"
                    "2024-Y,1.1,46,,,\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        read_history_sheet(path, load_catalogue())
    assert str(exc.value).splitlines() == [
        f"Tệp số liệu các năm trước {path} có dòng sai:",
        "dòng 2: mã chỉ tiêu “9.9” không có trong danh mục",
        "dòng 3: kỳ “Quý 3 2024” không đọc được (ghi Năm 2024, 6 tháng đầu năm 2024, 2024-Y hoặc 2024-H1)",
        "dòng 4: giá trị “bốn lăm” không phải là số",
        "dòng 5: ghi cả tử số và mẫu số, hoặc để trống cả hai",
        "dòng 6: giá trị 50 không khớp tử số/mẫu số (30/100 → 30)",
        "dòng 8: chỉ tiêu 1.1 chưa có giá trị (ghi giá trị, hoặc tử số và mẫu số)",
        "dòng 10: chỉ tiêu 1.1, năm 2024 đã có ở dòng 7"]
    path.write_text("Năm,Chỉ tiêu,Giá trị\n2024,1.1,45\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dòng 1 phải là tiêu đề cột, thiếu cột Kỳ, Mã chỉ tiêu "):
        read_history_sheet(path, load_catalogue())


def test_a_configuration_with_a_wrong_sheet_or_year_does_not_load(tmp_path):
    with pytest.raises(ConfigError, match=r"so-lieu-truoc.csv có dòng sai:\ndòng 2: mã chỉ tiêu “7.7”"):
        load_config(province(tmp_path, "Kỳ;Mã chỉ tiêu;Giá trị\nNăm 2024;7.7;1\n", ""))
    with pytest.raises(ConfigError, match=r"baseline_year phải là một năm, ví dụ 2020 \(gặp 'năm 2020'\)"):
        load_config(province(tmp_path, "Kỳ;Mã chỉ tiêu;Giá trị\n", "baseline_year: năm 2020"))


def test_summary_json_keeps_the_database_first_and_the_sheet_where_it_has_none(round_2025):
    h1, year, _ = round_2025
    assert h1["1.1"]["value"] is not None                    # the database has 2025-H1's 1.1: the sheet's 99 loses
    v = year["1.1"]["value"]
    assert {k: year["1.1"][k] for k in ("history", "history_from_sheet", "previous", "baseline")} == {
        "history": {"2020-Y": 30.0, "2024-Y": 45.5, "2025-H1": h1["1.1"]["value"]},
        "history_from_sheet": ["2020-Y", "2024-Y"],
        "previous": {"period": "2024-Y", "value": 45.5, "change": pytest.approx(v - 45.5)},
        "baseline": {"period": "2020-Y", "value": 30.0, "change": pytest.approx(v - 30)}}
    assert year["2.2"]["baseline"]["value"] == 40.5
    # the half-year round has no 2020 half-year: its baseline is still the year 2020
    assert h1["1.1"]["baseline"] == {"period": "2020-Y", "value": 30.0,
                                     "change": pytest.approx(h1["1.1"]["value"] - 30)}


def test_the_2030_projection_draws_through_the_sheets_years(round_2025):
    _, year, paths = round_2025
    v = year["1.1"]["value"]
    intercept, slope = least_squares([(2020, 30.0), (2024, 45.5), (2025, v)])
    projected = min(max(intercept + slope * 2030, 0), 100)
    assert year["1.1"]["projected_2030"] == pytest.approx(projected)
    body = "\n".join(p.text for p in Document(paths["docx"]).paragraphs)
    assert f"Theo xu hướng các năm 2020–2025, dự báo năm 2030: {format_vi(projected)}%" in body


def test_word_report_shows_the_baseline_last_year_and_the_sources(round_2025):
    _, year, paths = round_2025
    doc = Document(paths["docx"])
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Mã")
    assert [c.text for c in table.rows[0].cells][4:8] == ["Năm 2020 (gốc)", "Năm trước\nNăm 2024",
                                                           "Năm nay\nNăm 2025", "Tăng/giảm"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]
            if re.fullmatch(r"\d\.\d[ab]?", r.cells[0].text)}
    v = year["1.1"]["value"]
    assert rows["1.1"][4:8] == ["30", "45,5", format_vi(v), format_vi(v - 45.5, signed=True)]
    assert rows["2.2"][4:6] == ["40,5", ""]                   # no 2024 figure for 2.2 anywhere
    assert rows["3.1"][4:6] == ["", ""]
    body = "\n".join(p.text for p in doc.paragraphs)
    moved = f"{'tăng' if v > 45.5 else 'giảm'} {format_vi(abs(v - 45.5))} điểm phần trăm"
    assert f"So với cùng kỳ năm trước (năm 2024: 45,5%): {moved}." in body
    since = f"{'tăng' if v > 30 else 'giảm'} {format_vi(abs(v - 30))} điểm phần trăm"
    assert f"So với năm gốc 2020 (30%): {since}." in body
    # 2.2 has 2020 in the sheet but no 2024 anywhere: said, not skipped
    assert (f"dưới 30% – chưa đạt (cao hơn {format_vi(year['2.2']['value'] - 30)} điểm phần trăm). Cùng kỳ năm trước "
            f"(năm 2024) chưa có số liệu để so sánh. So với năm gốc 2020 (40,5%): tăng "
            f"{format_vi(year['2.2']['value'] - 40.5)} điểm phần trăm.") in body
    assert ("- Số liệu các kỳ trước lấy từ cơ sở dữ liệu của chương trình (các kỳ đã tổng hợp); chỉ tiêu, kỳ chưa có "
            "trong cơ sở dữ liệu lấy từ tệp số liệu các năm trước do Sở Nội vụ nhập (so-lieu-truoc.csv). Khi cả cơ sở "
            "dữ liệu và tệp đều có số liệu của một chỉ tiêu trong một kỳ, dùng số liệu trong cơ sở dữ liệu (1 số liệu "
            "trong tệp không dùng vì cơ sở dữ liệu đã có)") in body.splitlines()
    assert ("- Nguồn số liệu các năm trước: Năm 2020: Báo cáo số 15/BC-SNV ngày 20/01/2021, Niên giám thống kê tỉnh "
            "Sơn La 2020; Năm 2024: Báo cáo số 210/BC-SNV ngày 25/11/2024") in body.splitlines()
    assert "Nhập thử" not in body


def test_province_workbook_shows_the_baseline_beside_last_year(round_2025):
    _, year, paths = round_2025
    book = openpyxl.load_workbook(paths["province_xlsx"], data_only=True)
    ws = book["Chỉ tiêu"]
    headers = [c.value for c in ws[4]]
    at = headers.index("Năm 2020 (gốc)")
    assert headers[at:at + 4] == ["Năm 2020 (gốc)", "Tăng (+), giảm (−) so với năm 2020", "Giá trị Năm 2024",
                                  "Tăng (+), giảm (−) so với Năm 2024"]
    row = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "1.1" and r[2] == "Tổng")
    v = year["1.1"]["value"]
    assert list(row[at:at + 4]) == [30.0, pytest.approx(v - 30), 45.5, pytest.approx(v - 45.5)]
    history = book["Diễn biến"]
    assert [c.value for c in history[4]][3:7] == ["Năm 2020", "Năm 2024", "6 tháng đầu năm 2025", "Năm 2025"]
    assert "và tệp số liệu các năm trước" in history["A2"].value
    method = {r[0]: r[1] for r in book["Phương pháp"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert method["Số liệu các năm trước"].splitlines()[2] == (
        "Năm gốc để so sánh: năm 2020 (theo cấu hình của tỉnh); cột “Năm 2020 (gốc)” là giá trị năm 2020, thay đổi "
        "so với năm gốc là kết quả năm 2025 trừ giá trị năm 2020 (với chỉ tiêu tính bằng % là điểm phần trăm).")
