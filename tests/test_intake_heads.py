"""A sheet that is no form (the guide and its long area list) is read by calamine only as far as the reader looks."""
from __future__ import annotations

import io
import zipfile

import pytest

from tonghop.intake import read
from tonghop.intake.container import inspect_workbook
from tonghop.intake.read import HEADER_SCAN_ROWS, load_sheets, parse_file
from tonghop.intake.tails import scan_whole
from tonghop.intake.zip_parts import replace_parts
from tonghop_dev.builders import activity_grid, indicator_grid, write_xlsx

ROWS = [["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", "Tổng", 10600, 9500, 111.58, None],
        ["4.2", "Tử vong bà mẹ", "14", "Tỉnh Sơn La", "Tổng", 8, 20100, 39.8, "ghi chú"]]
ACTS = [["TT", "Truyền thông", 5, 300, 120, 180, 20.5, None]]
# as the province's guide sheet: its text names "Biểu 01" (so its content says it is that form), no table header
GUIDE = ([["HƯỚNG DẪN ĐIỀN BIỂU MẪU"], [], ["2.", "Biểu 01: mỗi dòng là một chỉ tiêu"], [], ["MÃ ĐỊA BÀN"],
          ["Mã", "Tên địa bàn"]] + [[f"{i:05d}", f"Xã số {i}"] for i in range(1, 986)])


def whole_answer(path, monkeypatch: pytest.MonkeyPatch) -> read.ParsedFile:
    """parse_file as it read before: every sheet read whole."""
    with monkeypatch.context() as m:
        m.setattr(read, "load_sheets", lambda p, data, whole=True: load_sheets(p, data, True))
        return parse_file(path)


def test_the_guide_sheet_is_read_to_row_40_and_the_answer_is_the_same(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS),
                                            "Biểu 02": activity_grid("SYT", "Năm 2025", ACTS), "Hướng dẫn": GUIDE})
    data = path.read_bytes()
    assert [(s.name, len(s.rows), s.whole) for s in load_sheets(path, data, whole=False)] == [
        ("Biểu 01", 10, True), ("Biểu 02", 9, True), ("Hướng dẫn", HEADER_SCAN_ROWS, False)]
    assert [(s.name, len(s.rows)) for s in load_sheets(path, data)][2] == ("Hướng dẫn", 991)
    cut = load_sheets(path, data, whole=False)[2].rows
    assert cut == load_sheets(path, data)[2].rows[:HEADER_SCAN_ROWS]
    parsed = parse_file(path)
    assert parsed == whole_answer(path, monkeypatch)
    assert parsed.problems == [] and [r.values["indicator"] for r in parsed.indicator_rows] == ["4.1", "4.2"]


def test_a_sheet_named_otherwise_holding_the_table_is_read_whole(tmp_path, monkeypatch):
    # its table goes on below row 40: a second copy of the form, said to be ignored, with every row read
    long_rows = [[f"4.{i}", "Chỉ tiêu", "14", "Tỉnh Sơn La", "Tổng", i, 100, i, None] for i in range(1, 60)]
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS),
                                            "Bản sao": indicator_grid("SYT", "Năm 2025", long_rows)})
    sheets = load_sheets(path, path.read_bytes(), whole=False)
    assert [(s.name, len(s.rows), s.whole) for s in sheets] == [("Biểu 01", 10, True), ("Bản sao", 67, True)]
    parsed = parse_file(path)
    assert parsed == whole_answer(path, monkeypatch)
    assert [(p.code, p.sheet) for p in parsed.problems] == [("extra-form-ignored", "Bản sao")]


def moved_first_row(path, before: bytes) -> bytes:
    """The file at `path` with its guide's first row moved before the row tag `before` (b"</sheetData>": last)."""
    data = path.read_bytes()
    part = "xl/worksheets/sheet2.xml"
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    first = xml[xml.index(b'<row r="1"'):xml.index(b'<row r="3"')]
    return replace_parts(data, {part: xml.replace(first, b"").replace(before, first + before)})


def test_cells_out_of_row_order_are_never_cut(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS), "Hướng dẫn": GUIDE})
    # the first row moved among the first 40 (after row 30): calamine still places it at A1
    path.write_bytes(moved_first_row(path, b'<row r="31"'))
    for cut in (False, True):
        scan = inspect_workbook(path.read_bytes(), cut=cut).sheets["Hướng dẫn"]
        assert (scan.xml is not None, scan.ordered, scan.tail) == (True, False, None)
    sheets = load_sheets(path, path.read_bytes(), whole=False)
    assert [(s.name, len(s.rows), s.whole) for s in sheets][1] == ("Hướng dẫn", 991, True)
    assert sheets[1].rows[0][0] == "HƯỚNG DẪN ĐIỀN BIỂU MẪU"
    assert parse_file(path) == whole_answer(path, monkeypatch)


def test_a_row_moved_below_the_first_40_is_not_read(tmp_path):
    # what the rows below row 40 of a sheet no name makes a form hold is not read (tonghop.intake.tails), even a
    # cell addressed back into the first rows: the sheet is read as its first 40 rows, as written, say
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS), "Hướng dẫn": GUIDE})
    path.write_bytes(moved_first_row(path, b"</sheetData>"))
    assert inspect_workbook(path.read_bytes()).sheets["Hướng dẫn"].ordered is False      # counted whole
    scan = inspect_workbook(path.read_bytes(), cut=True).sheets["Hướng dẫn"]
    assert (scan.ordered, scan.tail is not None, scan.rows) == (True, True, 40)
    sheets = load_sheets(path, path.read_bytes(), whole=False)
    assert [(s.name, len(s.rows), s.whole) for s in sheets][1] == ("Hướng dẫn", HEADER_SCAN_ROWS, False)
    assert sheets[1].rows[0][0] == ""
    assert sheets[1].rows[2][1] == "Biểu 01: mỗi dòng là một chỉ tiêu"
    assert parse_file(path).problems == []


def test_replace_parts_keeps_every_other_part_as_it_is(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS), "Hướng dẫn": GUIDE})
    data = path.read_bytes()
    before = zipfile.ZipFile(io.BytesIO(data))
    out = zipfile.ZipFile(io.BytesIO(replace_parts(data, {"xl/worksheets/sheet2.xml": b"<x/>"})))
    assert out.testzip() is None
    assert out.namelist() == before.namelist()
    assert {n: out.read(n) for n in out.namelist()} == {
        n: b"<x/>" if n == "xl/worksheets/sheet2.xml" else before.read(n) for n in before.namelist()}


def test_a_zip_replace_parts_cannot_write_is_read_whole(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS), "Hướng dẫn": GUIDE})

    def refuse(data, replaced, copied=None):
        raise ValueError("encrypted or zip64 part: not rewritten")
    monkeypatch.setattr(read, "replace_parts", refuse)
    counted = []
    monkeypatch.setattr(read, "scan_whole", lambda inspection, name: counted.append(name) or scan_whole(inspection, name))
    assert [(s.name, len(s.rows), s.whole) for s in load_sheets(path, path.read_bytes(), whole=False)] == [
        ("Biểu 01", 10, True), ("Hướng dẫn", 991, True)]
    assert counted == ["Hướng dẫn"]       # the rows the inspection left uncounted, counted before calamine reads them


def test_openpyxl_reads_the_file_as_calamine_read_it(tmp_path, monkeypatch):
    # opening the file for number formats, openpyxl looks into every sheet: it gets the guide cut after row 40
    rows = [["4.1", "Tỷ lệ", "14", "Tỉnh Sơn La", "Tổng", 45, 100, 0.45, None]]
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", rows), "Hướng dẫn": GUIDE},
                      percent_cells={"Biểu 01": ["I9"]})
    given = []
    real = read.find_percent_cells
    monkeypatch.setattr(read, "find_percent_cells", lambda p, data, *a: given.append(data) or real(p, data, *a))
    parsed = parse_file(path)
    assert parsed.percent_cells == {"I9"} and parsed == whole_answer(path, monkeypatch)
    guide = zipfile.ZipFile(io.BytesIO(given[0])).read("xl/worksheets/sheet2.xml")
    assert b'<row r="40"' in guide and b'<row r="41"' not in guide
    before = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    assert {n: before.read(n) for n in before.namelist() if n != "xl/worksheets/sheet2.xml"} == {
        n: zipfile.ZipFile(io.BytesIO(given[0])).read(n) for n in before.namelist() if n != "xl/worksheets/sheet2.xml"}


def test_a_cut_sheet_calamine_names_otherwise_is_counted_whole(tmp_path, monkeypatch):
    # expat reads a line break in a sheet's name as a space, calamine keeps it: nothing then tells the sheet
    # calamine reads was cut, and openpyxl gets its part whole, so its rows are counted first
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS), "Hướng dẫn": GUIDE})
    data = path.read_bytes()
    book = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    path.write_bytes(replace_parts(data, {"xl/workbook.xml": book.replace("Hướng dẫn".encode(), b"Huong\ndan")}))
    assert list(inspect_workbook(path.read_bytes(), cut=True).sheets) == ["Biểu 01", "Huong dan"]
    counted = []
    monkeypatch.setattr(read, "scan_whole", lambda inspection, name: counted.append(name) or scan_whole(inspection, name))
    assert [s.name for s in load_sheets(path, path.read_bytes(), whole=False)] == ["Biểu 01", "Huong\ndan"]
    assert counted == ["Huong dan"]
