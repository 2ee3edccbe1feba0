"""The rows no parser reads (tonghop.intake.tails): left uncounted, the same answers; counted before any reader."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tonghop.config import Period, load_config
from tonghop.check.validate import validate_files
from tonghop.intake import tails, xlsx_sheet, xml_scan
from tonghop.intake.container import Refused, inspect_workbook
from tonghop.intake.read import ParsedFile, parse_file
from tonghop.intake.zip_parts import replace_parts
from tonghop.reports.annotate import annotate_workbook
from tonghop_dev.builders import indicator_grid, write_xlsx
from tonghop_dev.generate_round import FormWriter, generate_province, province_specs

Y = Period.parse("2025-Y")
ROWS = [["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", "Tổng", 10600, 9500, 111.58, None],
        ["4.2", "Tử vong bà mẹ", "14", "Tỉnh Sơn La", "Tổng", 8, 20100, 39.8, "ghi chú"]]
GUIDE = ([["HƯỚNG DẪN ĐIỀN BIỂU MẪU"], [], ["2.", "Biểu 01: mỗi dòng là một chỉ tiêu"], [], ["MÃ ĐỊA BÀN"],
          ["Mã", "Tên địa bàn"]] + [[f"{i:05d}", f"Xã số {i}"] for i in range(1, 986)])
GUIDE_PART = "xl/worksheets/sheet2.xml"
FAR_ROW = b'<row r="200000"><c r="A200000"><v>1</v></c></row>'          # past MAX_SHEET_ROWS


@contextmanager
def whole_count() -> Iterator[None]:
    """Every row counted, as before tails were left uncounted."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(xml_scan.XmlScanner, "_tail_start", lambda self, part, data, start, end: None)
        yield


def answer(parsed: ParsedFile) -> tuple:
    """What parse_file says of a file, its name, hash and size aside."""
    return (parsed.header, parsed.header_cells, parsed.indicator_sheet, parsed.activity_sheet, parsed.indicator_rows,
            parsed.activity_rows, parsed.percent_cells, parsed.problems)


def refusal(parsed: ParsedFile) -> list[tuple[str, str]]:
    return [(p.code, p.params.get("detail", "")) for p in parsed.problems]


def with_guide_tail(path: Path, rows: bytes, name: str = "f2.xlsx", part: str = GUIDE_PART) -> Path:
    """A copy of `path` whose sheet `part` holds `rows` after its last one."""
    data = path.read_bytes()
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    out = path.with_name(name)
    out.write_bytes(replace_parts(data, {part: xml.replace(b"</sheetData>", rows + b"</sheetData>")}))
    return out


def marked_parts(path: Path | None) -> dict[str, bytes]:
    """A marked copy's parts, its time of saving aside."""
    archive = zipfile.ZipFile(path)
    return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def test_a_generated_province_of_3985_communes_gets_the_same_answers(tmp_path):
    made = generate_province(province_specs(1)[0], tmp_path / "in", communes=3985, period=Y, mistakes=0.5, seed=17,
                             writer=FormWriter(), limit=6)
    config = load_config(made.config_path)
    files = sorted(p for p in made.inbox.iterdir() if p.suffix == ".xlsx")
    assert len(files) >= 4
    for path in files:
        guide = inspect_workbook(path.read_bytes(), cut=True).sheets["Hướng dẫn"]
        assert guide.tail is not None and guide.rows <= 40 and len(guide.xml) > 600_000
        assert inspect_workbook(path.read_bytes()).sheets["Hướng dẫn"].rows > 4000
    new = validate_files([parse_file(p) for p in files], config, Y)
    with whole_count():
        old = validate_files([parse_file(p) for p in files], config, Y)
    assert [answer(c.parsed) for c in new] == [answer(c.parsed) for c in old]
    assert [c.report for c in new] == [c.report for c in old]
    assert sum(bool(c.report.problems) for c in new) >= 2
    for n, (a, b) in enumerate(zip(new, old)):
        marked = annotate_workbook(a.parsed.path, a.report.problems, tmp_path / "new" / f"{n}")
        with whole_count():
            before = annotate_workbook(b.parsed.path, b.report.problems, tmp_path / "old" / f"{n}")
        assert (marked is None) == (before is None)
        if marked is not None:
            assert marked_parts(marked) == marked_parts(before)


@pytest.mark.parametrize("tail", [FAR_ROW, b'<row r="500"><c r="C500" t="e"><v>#DIV/0!</v></c></row>',
                                  b'<row r="600"><c r="D600"><f>1/0</f></c></row>',
                                  b'<row r="700"><c r="A700"><v>1</v></row>'])      # damaged: an unclosed cell
def test_a_guide_whose_tail_breaks_a_bound_is_read_as_its_first_rows_say(tmp_path, tail):
    clean = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS), "Hướng dẫn": GUIDE})
    path = with_guide_tail(clean, tail)
    guide = inspect_workbook(path.read_bytes(), cut=True).sheets["Hướng dẫn"]
    assert (guide.tail is not None, guide.rows, guide.errors, guide.formulas) == (True, 40, {}, set())
    assert answer(parse_file(path)) == answer(parse_file(clean))
    assert parse_file(path).problems == []
    with whole_count():
        counted = parse_file(path)
    if tail == FAR_ROW:         # counted whole, as before: refused
        assert refusal(counted) == [("too-many-cells", "trang 'Hướng dẫn' có dữ liệu đến dòng 200.000, quá giới "
                                                       "hạn 100.000 dòng")]
    elif b"<f>" in tail or b't="e"' in tail:
        assert answer(counted) == answer(parse_file(clean))
    else:
        assert refusal(counted) == [("file-unreadable", "tệp bị hỏng hoặc không phải là tệp Excel (XML hỏng trong "
                                                        "'xl/worksheets/sheet2.xml')")]


def long_copy(tmp_path: Path) -> Path:
    """Biểu 01 and a sheet named otherwise holding the same table, going on below row 40."""
    rows = [[f"4.{i}", "Chỉ tiêu", "14", "Tỉnh Sơn La", "Tổng", i, 100, i, None] for i in range(1, 60)]
    return write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS),
                                            "Bản sao": indicator_grid("SYT", "Năm 2025", rows)})


@pytest.mark.parametrize("tail, code", [(FAR_ROW, "too-many-cells"),
                                        (b'<row r="700"><c r="A700"><v>1</v></row>', "file-unreadable"),
                                        (b'<row r="60"><c r="F60" t="e"><v>#DIV/0!</v></c></row>', None)])
def test_a_sheet_its_first_rows_make_a_form_is_counted_whole_before_it_is_read(tmp_path, tail, code):
    path = with_guide_tail(long_copy(tmp_path), tail)
    assert inspect_workbook(path.read_bytes(), cut=True).sheets["Bản sao"].tail is not None
    read = parse_file(path)
    with whole_count():
        counted = parse_file(path)
    assert answer(read) == answer(counted)
    assert [p.code for p in read.problems][:1] == ([code] if code else ["extra-form-ignored"])


def test_tails_that_could_pass_a_bound_over_the_file_are_counted(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS), "Hướng dẫn": GUIDE})
    data = path.read_bytes()
    exact = inspect_workbook(data)
    cut = inspect_workbook(data, cut=True)
    bound = cut.sheets["Hướng dẫn"].tail.bound
    assert exact.cells < cut.cells + bound < 40_000
    # within the bound with the tail at its most: not counted; past it only so: counted, the same answer
    monkeypatch.setattr(tails, "MAX_BOOK_CELLS", cut.cells + bound)
    assert inspect_workbook(data, cut=True).sheets["Hướng dẫn"].tail is not None
    monkeypatch.setattr(tails, "MAX_BOOK_CELLS", exact.cells)
    counted = inspect_workbook(data, cut=True)
    assert counted == exact and counted.sheets["Hướng dẫn"].tail is None and counted.cells == exact.cells
    # past it once counted: refused as the whole count refuses it
    for module in (tails, xml_scan, xlsx_sheet):
        monkeypatch.setattr(module, "MAX_BOOK_CELLS", exact.cells - 1)
    with pytest.raises(Refused) as whole:
        inspect_workbook(data)
    with pytest.raises(Refused) as tail:
        inspect_workbook(data, cut=True)
    assert (tail.value.code, tail.value.detail) == (whole.value.code, whole.value.detail) == (
        "too-many-cells", f"tệp có hơn {exact.cells - 1:,} ô (kể cả ô chỉ có định dạng)".replace(",", "."))


def test_scan_whole_gives_the_whole_count(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS), "Hướng dẫn": GUIDE})
    path = with_guide_tail(path, b'<row r="1500"><c r="C1500" t="e"><v>#N/A</v></c><c r="D1500"><f>1/0</f></c></row>')
    data = path.read_bytes()
    exact = inspect_workbook(data)
    cut = inspect_workbook(data, cut=True)
    assert cut != exact
    tails.scan_whole(cut, "Biểu 01")        # counted whole already: nothing to do
    tails.scan_whole(cut, "Hướng dẫn")
    assert cut == exact and list(cut.sheets) == list(exact.sheets)
    assert (cut.elements, cut.cells, cut.longest) == (exact.elements, exact.cells, exact.longest)
    assert cut.sheets["Hướng dẫn"].errors == {(1499, 2): "#N/A"} and cut.sheets["Hướng dẫn"].formulas == {(1499, 3)}


def test_only_a_sheet_no_name_makes_a_form_with_a_name_and_part_of_its_own_is_cut(tmp_path):
    long_rows = GUIDE[:6] + [[f"4.{i}", "x"] for i in range(100)]
    path = write_xlsx(tmp_path / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", ROWS * 30),
                                            "Hướng dẫn": long_rows, "Ghi chú": GUIDE[:30]})
    cut = inspect_workbook(path.read_bytes(), cut=True)
    assert {name: scan.tail is not None for name, scan in cut.sheets.items()} == {
        "Biểu 01": False, "Hướng dẫn": True, "Ghi chú": False}
    # two sheets naming the same part: neither is cut
    data = path.read_bytes()
    book = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    twice = book.replace(b'r:id="rId3"', b'r:id="rId2"')
    assert twice != book
    shared = replace_parts(data, {"xl/workbook.xml": twice})
    assert all(scan.tail is None for scan in inspect_workbook(shared, cut=True).sheets.values())
