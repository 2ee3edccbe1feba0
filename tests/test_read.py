"""Reading the form from every format and every way people really fill it."""
from __future__ import annotations

import openpyxl
import pytest

from builders import activity_grid, indicator_grid, write_csv, write_ods, write_xls, write_xlsx
from schemas import labels as L
from tonghop.read import parse_file

ROWS = [["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", "Tổng", 10600, 9500, 111.58, None],
        ["4.2", "Tử vong bà mẹ", "14", "Tỉnh Sơn La", "Tổng", 8, 20100, 39.8, "ghi chú"]]
ACTS = [["TT", "Truyền thông", 5, 300, 120, 180, 20.5, None]]
HEADER = {"unit_name": "Sở Y tế", "unit_code": "SYT", "period": "Năm 2025", "reporter": "Nguyễn Thị Hoa",
          "email": "syt@sonla.gov.vn"}


def figures(parsed):
    return [(r.row, r.values["indicator"], r.values["numerator"], r.values["denominator"], r.values["value"])
            for r in parsed.indicator_rows]


def sheets():
    return {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS), "Biểu 02": activity_grid("SYT", "Năm 2025", ACTS)}


@pytest.mark.parametrize("writer, suffix", [(write_xlsx, ".xlsx"), (write_xls, ".xls"), (write_ods, ".ods")])
def test_every_format_reads_the_same(tmp_path, writer, suffix):
    parsed = parse_file(writer(tmp_path / f"bao-cao{suffix}", sheets()))
    assert parsed.problems == []
    assert parsed.header == HEADER
    assert parsed.header_cells["unit_code"] == "Biểu 01!C2"
    assert [(r, c, float(n), float(d), round(float(v), 2)) for r, c, n, d, v in figures(parsed)] == [
        (9, "4.1", 10600.0, 9500.0, 111.58), (10, "4.2", 8.0, 20100.0, 39.8)]
    assert [(r.row, r.values["activity"], float(r.values["participants"])) for r in parsed.activity_rows] == [
        (9, "TT", 300.0)]


def test_xlsm_macro_enabled_workbook(tmp_path):
    path = write_xlsx(tmp_path / "bao-cao.xlsx", sheets()).rename(tmp_path / "bao-cao.xlsm")
    assert figures(parse_file(path))[0][:2] == (9, "4.1")


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_whole_form_as_one_csv_sheet(tmp_path, delimiter):
    path = write_csv(tmp_path / "Báo cáo SYT.csv", indicator_grid("SYT", "Năm 2025", ROWS), delimiter)
    parsed = parse_file(path)
    assert parsed.problems == []
    assert parsed.indicator_sheet == "Báo cáo SYT"
    assert parsed.header["unit_code"] == "SYT"
    assert [(r, c, n, d, v) for r, c, n, d, v in figures(parsed)] == [
        (9, "4.1", "10600", "9500", "111.58"), (10, "4.2", "8", "20100", "39.8")]


@pytest.mark.parametrize("name", ["Bieu 01", "BIEU01", "Biểu 1", "biểu 01", "Sheet1"])
def test_sheet_found_by_name_or_content(tmp_path, name):
    parsed = parse_file(write_xlsx(tmp_path / "f.xlsx", {name: indicator_grid("SYT", "Năm 2025", ROWS)}))
    assert parsed.indicator_sheet == name
    assert len(parsed.indicator_rows) == 2


def test_table_and_header_found_by_labels_when_moved(tmp_path):
    grid = [["UBND TỈNH SƠN LA"], ["SỞ Y TẾ"], []] + indicator_grid("SYT", "Năm 2025", ROWS)
    grid[3][0] = "  đơn vị\nBÁO CÁO "          # label with line break, case and spaces
    parsed = parse_file(write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": grid}))
    assert parsed.header["unit_name"] == "Sở Y tế"
    assert parsed.header_cells["period"] == "Biểu 01!C6"
    assert [r.row for r in parsed.indicator_rows] == [12, 13]


def test_nfd_labels_match(tmp_path):
    import unicodedata

    grid = indicator_grid("SYT", "Năm 2025", ROWS)
    grid[7] = [unicodedata.normalize("NFD", h) for h in grid[7]]
    assert len(parse_file(write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": grid})).indicator_rows) == 2


def test_blank_rows_headings_and_footer(tmp_path):
    grid = indicator_grid("SYT", "Năm 2025", [])
    grid += [[None, None, "Mục tiêu 4: Lĩnh vực y tế"], [1, *ROWS[0]], [], [], [2, *ROWS[1]], [],
             [None, "Người lập biểu", None, None, "Thủ trưởng đơn vị"], [None, "Trần Văn B", 5, 6, 7],
             [None, "Sơn La, ngày 20 tháng 11 năm 2025"]]
    parsed = parse_file(write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": grid}))
    assert [r.row for r in parsed.indicator_rows] == [10, 13]


def test_two_row_merged_header_in_bieu_02(tmp_path):
    grid = activity_grid("SYT", "Năm 2025", [])
    grid[7] = ["STT", "Mã hoạt động", "Nội dung hoạt động", "Số lượng", "Số người tham gia", None, None,
               "Kinh phí (triệu đồng)", "Ghi chú"]
    grid.append([None, None, None, None, "Tổng", "Nam", "Nữ"])
    grid.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)"])
    grid.append([1, "TH", "Tập huấn", 2, 90, 40, 50, 10])
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 02": grid})
    wb = openpyxl.load_workbook(path)
    wb["Biểu 02"].merge_cells("E8:G8")
    wb.save(path)
    parsed = parse_file(path)
    assert [(r.row, r.values["participants"], r.values["men"], r.values["women"], r.cells["participants"])
            for r in parsed.activity_rows] == [(11, 90, 40, 50, "E11")]


def test_percent_formatted_cell_and_formula_without_cached_value(tmp_path):
    rows = [["2.1", "", "14", "", "", 45500, 100000, 0.455, None],
            ["2.2", "", "14", "", "", 300, 1000, "=G10/H10*100", None]]
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SNV", "Năm 2025", rows)},
                      percent_cells={"Biểu 01": ["I9"]})
    parsed = parse_file(path)
    assert parsed.percent_cells == {"I9"}
    assert [r.values["value"] for r in parsed.indicator_rows] == [0.455, None]   # no cached value: computed later


def test_merged_header_value_in_b(tmp_path):
    grid = indicator_grid("SYT", "Năm 2025", ROWS)
    for r in grid[:5]:
        r[1], r[2] = r[2], None
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": grid})
    wb = openpyxl.load_workbook(path)
    for r in range(1, 6):
        wb["Biểu 01"].merge_cells(f"B{r}:C{r}")
    wb.save(path)
    parsed = parse_file(path)
    assert parsed.header == HEADER
    assert parsed.header_cells["period"] == "Biểu 01!B3"


def test_hidden_copy_of_the_form_is_ignored_with_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS),
                                            "Biểu 01 (cũ)": indicator_grid("SYT", "Năm 2024", ROWS[:1])},
                      hidden={"Biểu 01 (cũ)"})
    parsed = parse_file(path)
    assert [(p.code, p.value) for p in parsed.problems] == [("hidden-sheet-ignored", "Biểu 01 (cũ)")]
    assert parsed.header["period"] == "Năm 2025"


@pytest.mark.parametrize("content, detail", [
    (b"", "tệp rỗng (0 byte)"),
    (b"Xin chao, day khong phai Excel", "tệp không phải bảng tính Excel/LibreOffice hoặc đã bị hỏng"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "tệp PDF được đổi đuôi thành bảng tính"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "tệp ảnh được đổi đuôi thành bảng tính"),
    (b"PK\x03\x04" + b"\x00" * 40, "tệp bị hỏng hoặc không phải là tệp Excel"),
])
def test_unreadable_files_get_a_reason(tmp_path, content, detail):
    path = tmp_path / "bao-cao.xlsx"
    path.write_bytes(content)
    parsed = parse_file(path)
    assert [(p.code, p.params["detail"]) for p in parsed.problems] == [("file-unreadable", detail)]


def test_workbook_without_the_form(tmp_path):
    parsed = parse_file(write_xlsx(tmp_path / "f.xlsx", {"Danh sách": [["Họ tên", "Tuổi"], ["A", 30]]}))
    assert [p.code for p in parsed.problems] == ["form-not-found"]
    assert "Danh sách" in parsed.problems[0].message


def test_labels_module_canonical_wording():
    assert L.sheet_key("Biểu 02") == "activities"
    assert L.normalize_label("  Mã\n chỉ  TIÊU ") == "ma chi tieu"
