"""The marked copy keeps each sheet without a mark (the guide and its long area list) as the file had it, byte for byte."""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.comments import Comment

from tonghop.intake.container import Refused
from tonghop.intake.read import parse_file
from tonghop.intake.zip_parts import replace_parts
from tonghop.problems import Problem
from tonghop.reports import annotate
from tonghop_dev.builders import activity_grid, indicator_grid

ROWS = [["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", "Tổng", None, None, 1.12, None],
        ["4.2", "Tử vong bà mẹ", "14", "Tỉnh Sơn La", "Tổng", 8, 20100, 120, None]]
ACTS = [["TT", "Truyền thông", 5, 300, 120, 180, 20.5, None]]
PROBLEMS = [Problem("value-mismatch", "Biểu 01", "I10", None, "4.2"), Problem("value-mismatch", "Biểu 01", "I9", None, "4.1")]


def form(path, guide_comment: bool = False):
    """A form as tonghop sends it: Biểu 01, Biểu 02 (styled, validated, protected) and a guide with a long list."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in (("Biểu 01", indicator_grid("SYT", "Năm 2025", ROWS)),
                       ("Biểu 02", activity_grid("SYT", "Năm 2025", ACTS))):
        ws = wb.create_sheet(name)
        for r, row in enumerate(grid, start=1):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(r, c, v)
    guide = wb.create_sheet("Hướng dẫn")
    guide["A1"] = "HƯỚNG DẪN ĐIỀN BIỂU MẪU"
    guide["A1"].font = openpyxl.styles.Font(bold=True, size=14)
    guide.merge_cells("A1:D1")
    guide.column_dimensions["B"].width = 48
    for i in range(1, 986):
        guide.cell(i + 5, 1, f"{i:05d}").fill = openpyxl.styles.PatternFill("solid", fgColor="DDEBF7")
        guide.cell(i + 5, 2, f"Xã Thuận Châu {i}").number_format = "@"
    guide.protection.sheet = True
    if guide_comment:
        guide["B3"].comment = Comment("ghi chú", "a")
    wb.active = 0
    wb.save(path)
    return path


def with_shared_strings(path):
    """The same workbook with its text in a shared-strings part, as Excel saves it."""
    data = path.read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    strings: list[bytes] = []
    cell = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>'
                      rb'([^<]*)</t></is></c>')

    def shared(m: re.Match) -> bytes:
        strings.append(m.group(3))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (m.group(1), m.group(2), len(strings) - 1)
    replaced = {n: cell.sub(shared, archive.read(n)) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")}
    sst = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
           % (len(strings), len(strings)) + b"".join(b'<si><t xml:space="preserve">%s</t></si>' % s for s in strings)
           + b"</sst>")
    rels = archive.read("xl/_rels/workbook.xml.rels").replace(b"</Relationships>", (
        f'<Relationship Id="rIdSst" Type="{annotate._SST_TYPE}" Target="sharedStrings.xml"/></Relationships>').encode())
    types = archive.read("[Content_Types].xml").replace(b"</Types>", (
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{annotate._SST_CONTENT}"/></Types>').encode())
    rebuilt = replace_parts(data, {**replaced, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(rebuilt)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("xl/sharedStrings.xml", sst)
    path.write_bytes(out.getvalue())
    return path


def view(path) -> dict:
    """What openpyxl reads of a workbook: every cell's value, style and comment, merges, widths, protection, validations."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"names": wb.sheetnames, "active": wb.active.title}
    for ws in wb.worksheets:
        out[ws.title] = ([(c.coordinate, c.value, repr(c.font), repr(c.fill), repr(c.border), repr(c.alignment),
                           c.number_format, repr(c.protection), c.comment.text if c.comment else None)
                          for row in ws.iter_rows() for c in row],
                         sorted(map(str, ws.merged_cells.ranges)), bool(ws.sheet_view.tabSelected), ws.print_title_rows,
                         ws.protection.sheet, sorted((k, v.width) for k, v in ws.column_dimensions.items()),
                         [(str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation], ws.freeze_panes)
    return out


def usual(path, tmp_path, monkeypatch: pytest.MonkeyPatch):
    """The marked copy with every sheet through openpyxl, as it was made before."""
    with monkeypatch.context() as m:
        m.setattr(annotate, "_kept_sheets", lambda data, marked: {})
        return annotate.annotate_workbook(path, PROBLEMS, tmp_path / "usual" / "f-danh-dau")


def parts(path) -> dict[str, bytes]:
    archive = zipfile.ZipFile(path)
    return {n: archive.read(n) for n in archive.namelist()}


@pytest.mark.parametrize("shared", [False, True])
def test_a_sheet_without_marks_is_copied_as_it_is_and_reads_as_openpyxl_would_write_it(tmp_path, monkeypatch, shared):
    source = form(tmp_path / "f.xlsx")
    if shared:
        source = with_shared_strings(source)
    # Biểu 02 is too small to be worth it (annotate._KEEP_BYTES)
    assert set(annotate._kept_sheets(source.read_bytes(), {"Biểu 01"})) == {"Hướng dẫn"}
    put_back = []
    real = annotate._put_back
    monkeypatch.setattr(annotate, "_put_back", lambda *a: put_back.append(real(*a)) or put_back[-1])
    marked = annotate.annotate_workbook(source, PROBLEMS, tmp_path / "f-danh-dau")
    assert [copy is not None for copy in put_back] == [True]
    assert view(marked) == view(usual(source, tmp_path, monkeypatch))
    original, copy = parts(source), parts(marked)
    # the list of problems comes first: the guide, third in the file, is the copy's fourth sheet
    assert copy["xl/worksheets/sheet4.xml"] == original["xl/worksheets/sheet3.xml"]
    assert copy.get("xl/sharedStrings.xml") == original.get("xl/sharedStrings.xml")
    assert zipfile.ZipFile(marked).testzip() is None
    # read back by the intake as the usual copy is
    assert parse_file(marked).indicator_rows == parse_file(usual(source, tmp_path, monkeypatch)).indicator_rows
    wb = openpyxl.load_workbook(marked)
    assert [(c.comment is not None, c.fill.fgColor.rgb) for c in (wb["Biểu 01"]["I10"], wb["Biểu 01"]["I9"])] == [
        (True, "FFF4B6B6"), (True, "FFF4B6B6")]


def test_a_sheet_with_its_own_parts_or_a_mark_goes_through_openpyxl(tmp_path, monkeypatch):
    assert annotate._kept_sheets(form(tmp_path / "plain.xlsx").read_bytes(), {"Biểu 01", "Hướng dẫn"}) == {}
    source = form(tmp_path / "f.xlsx", guide_comment=True)      # the guide has a comments part of its own
    assert annotate._kept_sheets(source.read_bytes(), {"Biểu 01"}) == {}
    marked = annotate.annotate_workbook(source, PROBLEMS, tmp_path / "f-danh-dau")
    assert view(marked) == view(usual(source, tmp_path, monkeypatch))
    assert openpyxl.load_workbook(marked)["Hướng dẫn"]["B3"].comment.text == "ghi chú"


def with_tail_row(path, row: bytes):
    """The file with one more row after the guide's last (the guide is the third sheet)."""
    data = path.read_bytes()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet3.xml")
    path.write_bytes(replace_parts(data, {"xl/worksheets/sheet3.xml": xml.replace(b"</sheetData>", row + b"</sheetData>")}))
    return path


@pytest.mark.parametrize("marks_guide", [False, True])
def test_the_rows_parse_file_left_uncounted_are_counted_before_openpyxl_reads_them(tmp_path, monkeypatch, marks_guide):
    # parse_file left the guide's rows below row 40 uncounted (tonghop.intake.tails); openpyxl reads the guide when
    # it has parts of its own or a mark: the file is inspected again first, every row counted
    source = form(tmp_path / "f.xlsx", guide_comment=not marks_guide)
    problems = PROBLEMS + [Problem("value-mismatch", "Hướng dẫn", "B900")] if marks_guide else PROBLEMS
    inspected = []
    real = annotate.inspect_workbook
    monkeypatch.setattr(annotate, "inspect_workbook", lambda data: inspected.append(real(data)) or inspected[-1])
    marked = annotate.annotate_workbook(source, problems, tmp_path / "f-danh-dau")
    assert [i.sheets["Hướng dẫn"].rows for i in inspected] == [990]
    assert openpyxl.load_workbook(marked)["Hướng dẫn"]["B900"].comment is not None or not marks_guide
    far = with_tail_row(source, b'<row r="200000"><c r="A200000"><v>1</v></c></row>')
    assert parse_file(far).problems == parse_file(form(tmp_path / "clean.xlsx")).problems == []
    with pytest.raises(Refused) as refused:
        annotate.annotate_workbook(far, problems, tmp_path / "far-danh-dau")
    assert (refused.value.code, refused.value.detail) == (
        "too-many-cells", "trang 'Hướng dẫn' có dữ liệu đến dòng 200.000, quá giới hạn 100.000 dòng")
    assert not (tmp_path / "far-danh-dau.xlsx").exists()


def test_copying_the_guide_as_it_is_reads_none_of_its_rows(tmp_path, monkeypatch):
    source = with_tail_row(form(tmp_path / "f.xlsx"), b'<row r="200000"><c r="A200000"><v>1</v></c></row>')
    inspected = []
    monkeypatch.setattr(annotate, "inspect_workbook", inspected.append)
    marked = annotate.annotate_workbook(source, PROBLEMS, tmp_path / "f-danh-dau")
    assert inspected == []      # openpyxl reads only Biểu 01 and Biểu 02, counted whole by parse_file
    assert parts(marked)["xl/worksheets/sheet4.xml"] == parts(source)["xl/worksheets/sheet3.xml"]
