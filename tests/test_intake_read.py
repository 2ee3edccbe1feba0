"""Reading the form from every format and every way people really fill it."""
from __future__ import annotations

import openpyxl
import pytest

from tonghop_dev.builders import activity_grid, indicator_grid, write_csv, write_ods, write_xls, write_xlsx
from schemas import labels as L
from tonghop.intake.read import parse_file

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


# --- odd files read truthfully --------------------------------------------------------------------------------

def zip_of(parts: list[tuple[str, bytes | str]]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in parts:
            z.writestr(name, data, compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def encrypted_ods() -> bytes:
    """An .ods saved by LibreOffice with a password: the manifest says how each part is encrypted and the
    parts themselves are ciphertext."""
    entry = ('<manifest:file-entry manifest:full-path="{0}" manifest:media-type="text/xml" manifest:size="2048">'
             '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#'
             'sha256-1k" manifest:checksum="aGVsbG8="><manifest:algorithm manifest:algorithm-name="http://www.w3.org/'
             '2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="MTIzNDU2Nzg5MDEyMzQ1Ng=="/>'
             '<manifest:start-key-generation manifest:start-key-generation-name="http://www.w3.org/2000/09/xmldsig#'
             'sha256" manifest:key-size="32"/><manifest:key-derivation manifest:key-derivation-name="PBKDF2" '
             'manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="c2FsdHNhbHRzYWx0c2FsdA=="/>'
             '</manifest:encryption-data></manifest:file-entry>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                + entry.format("content.xml") + entry.format("styles.xml") + "</manifest:manifest>")
    cipher = bytes((i * 73 + 41) % 256 for i in range(2048))
    return zip_of([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", cipher),
                   ("styles.xml", cipher[::-1]), ("META-INF/manifest.xml", manifest)])


def biff(record: int, body: bytes) -> bytes:
    import struct

    return struct.pack("<HH", record, len(body)) + body


def excel4_xls(bof: int) -> bytes:
    """An Excel 2.x/3.0/4.0 worksheet: BIFF records straight in the file, no OLE container."""
    import struct

    label = b"Ma don vi"
    bof_body = struct.pack("<HH", 0, 0x0010) if bof == 0x0009 else struct.pack("<HHH", 0, 0x0010, 0)
    return (biff(bof, bof_body) + biff(0x0204, struct.pack("<HHHH", 1, 0, 0, len(label)) + label)
            + biff(0x0203, struct.pack("<HHHd", 1, 2, 0, 42.0)) + biff(0x000A, b""))


def no_sheet_xlsx() -> bytes:
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
          'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
          '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets/></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              'package/2006/relationships"></Relationships>')
    return zip_of([("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
                   ("xl/_rels/workbook.xml.rels", wbrels)])


def problems_of(path) -> list[tuple[str, str]]:
    return [(p.code, p.message) for p in parse_file(path).problems]


UNREADABLE = "Không mở được tệp: {}."


def test_an_ods_with_a_password_is_said_to_have_one(tmp_path):
    path = tmp_path / "bao-cao.ods"
    path.write_bytes(encrypted_ods())
    assert problems_of(path) == [("file-unreadable", UNREADABLE.format("tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại"))]


@pytest.mark.parametrize("bof, version", [(0x0009, "2.x"), (0x0209, "3.0"), (0x0409, "4.0")])
def test_an_excel_4_workbook_is_named_as_an_old_format_to_save_as_xlsx(tmp_path, bof, version):
    path = tmp_path / "bao-cao.xls"
    path.write_bytes(excel4_xls(bof))
    assert problems_of(path) == [("file-unreadable", UNREADABLE.format(
        f"tệp ở định dạng Excel {version} đời cũ (trước Excel 97), chương trình không đọc được định dạng này"))]
    assert parse_file(path).problems[0].fix == "Lưu lại tệp bằng Excel hoặc LibreOffice dưới dạng .xlsx rồi gửi lại."


@pytest.mark.parametrize("writer, suffix", [(lambda p: p.write_bytes(no_sheet_xlsx()), ".xlsx"),
                                            (lambda p: write_ods(p, {}), ".ods")])
def test_a_workbook_without_any_sheet_says_it_has_none(tmp_path, writer, suffix):
    path = tmp_path / f"bao-cao{suffix}"
    writer(path)
    assert problems_of(path) == [("form-not-found", "Không tìm thấy trang tính Biểu 01 hoặc Biểu 02 theo mẫu của "
                                                    "tỉnh (tệp không có trang tính nào).")]


def test_a_row_height_or_a_fill_far_below_the_table_is_not_data(tmp_path):
    """Formatting a whole column or a row near the bottom stores styled empty cells there: the form is read."""
    from openpyxl.styles import PatternFill

    path = write_xlsx(tmp_path / "bao-cao.xlsx", sheets())
    wb = openpyxl.load_workbook(path)
    ws = wb["Biểu 01"]
    ws.row_dimensions[150_000].height = 30
    ws["A1048576"].fill = PatternFill("solid", start_color="FFFFFF00")
    ws["XFD200000"].fill = PatternFill("solid", start_color="FFFFFF00")
    wb.save(path)
    parsed = parse_file(path)
    assert (parsed.problems, parsed.header) == ([], HEADER)
    assert figures(parsed) == [(9, "4.1", 10600, 9500, 111.58), (10, "4.2", 8, 20100, 39.8)]


def gzip_of(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


@pytest.mark.parametrize("content, detail", [
    (lambda: gzip_of("Mã đơn vị,SYT\n".encode()), "tệp nén gzip được đổi đuôi thành bảng tính; hãy giải nén rồi "
                                                    "gửi tệp bảng tính bên trong"),
    (lambda: zip_of([("bao-cao.csv", "Mã đơn vị,SYT\n")]), "tệp nén .zip được đổi đuôi thành bảng tính; hãy giải "
                                                           "nén rồi gửi tệp bảng tính bên trong"),
    (lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "tệp PDF được đổi đuôi thành bảng tính"),
    (lambda: b"\x00\x01\x02\x03binary\x00data" * 10, "tệp không phải bảng tính Excel/LibreOffice hoặc đã bị hỏng"),
])
def test_a_csv_is_checked_by_its_content(tmp_path, content, detail):
    path = tmp_path / "bao-cao.csv"
    path.write_bytes(content())
    assert problems_of(path) == [("file-unreadable", UNREADABLE.format(detail))]


def test_an_xlsx_renamed_csv_is_read_as_the_workbook_it_is(tmp_path):
    path = write_xlsx(tmp_path / "bao-cao.xlsx", sheets()).rename(tmp_path / "bao-cao.csv")
    parsed = parse_file(path)
    assert (parsed.problems, parsed.header) == ([], HEADER)
    assert figures(parsed) == [(9, "4.1", 10600, 9500, 111.58), (10, "4.2", 8, 20100, 39.8)]


def test_a_utf16_csv_as_excel_saves_unicode_text_is_read(tmp_path):
    """Excel's 'Unicode Text' is UTF-16 with tabs: its NUL bytes are text, not a binary file."""
    grid = indicator_grid("SYT", "Năm 2025", ROWS)
    text = "\r\n".join("\t".join("" if v is None else str(v) for v in row) for row in grid) + "\r\n"
    path = tmp_path / "bao-cao.csv"
    path.write_bytes(text.encode("utf-16"))
    parsed = parse_file(path)
    assert (parsed.problems, parsed.header) == ([], HEADER)
    assert [(r, c) for r, c, *_ in figures(parsed)] == [(9, "4.1"), (10, "4.2")]
