"""Return the submitter's own workbook with every problem cell marked and a comment explaining it."""
from __future__ import annotations

import io
import math
import posixpath
import zipfile
import zlib
from collections.abc import Collection
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from schemas import labels as L
from tonghop.problems import ERROR, Problem
from tonghop.intake.container import inspect_workbook
from tonghop.intake.read import load_sheets
from tonghop.intake.zip_parts import raw_part, replace_parts
from tonghop.reports.xlsx_print import setup_print
from tonghop.safe_text import set_cell

FONT = "Times New Roman"
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

ERROR_FILL = PatternFill("solid", start_color="FFF4B6B6", end_color="FFF4B6B6")
WARNING_FILL = PatternFill("solid", start_color="FFFFE699", end_color="FFFFE699")


def _workbook_for(path: Path, data: bytes, kept: Collection[str] = ()) -> tuple[openpyxl.Workbook, str]:
    """The file itself when openpyxl can keep it as it is; otherwise an .xlsx copy of its values. `kept`: the sheets
    whose cells `data` leaves out (copied as they are afterwards); openpyxl reads every other sheet whole."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        _count_rows(data, kept)
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


def _count_rows(data: bytes, kept: Collection[str]) -> None:
    """Before openpyxl reads every sheet of `data` but the kept ones: parse_file's inspection may have left uncounted
    the rows below the first ones of a sheet no name makes a form (tonghop.intake.tails), so when openpyxl is to
    read such a sheet the file is inspected again, every row counted. Raises Refused as that inspection would."""
    try:
        names = _sheet_parts(zipfile.ZipFile(io.BytesIO(data)))[0]
    except Exception:  # noqa: BLE001 - names not found: every sheet may be one
        names = {"": ""}
    if any(L.sheet_key(name) is None for name in names if name not in kept):
        inspect_workbook(data)


SHEET_PROBLEMS = "Danh sách vấn đề"
_HEADERS = ["STT", "Mức độ", "Ô", "Chỉ tiêu/HĐ", "Vấn đề", "Nội dung", "Cách sửa"]
_WIDTHS = [5, 10, 14, 10, 24, 50, 50]


def where(p: Problem) -> str | None:
    """'I10 (trang Biểu 01)': never a text starting with the sheet's name, which the reader takes for the form."""
    if p.sheet and p.cell:
        return f"{p.cell} (trang {p.sheet})"
    return f"trang {p.sheet}" if p.sheet else None


def problem_sheet(wb: openpyxl.Workbook, problems: list[Problem]) -> None:
    """The first sheet: every problem of the file, errors first, with its cell and its fix, ready to print."""
    name = SHEET_PROBLEMS if SHEET_PROBLEMS not in wb.sheetnames else f"{SHEET_PROBLEMS} (tonghop)"
    ws = wb.create_sheet(name, 0)
    wb.active = 0
    for sheet in wb.worksheets[1:]:
        sheet.sheet_view.tabSelected = False
    bold, head = Font(name=FONT, bold=True), PatternFill("solid", fgColor="DDEBF7")
    ws.cell(1, 1, "CÁC VẤN ĐỀ CỦA TỆP (ô có vấn đề được tô màu và ghi chú trong các trang tính)").font = \
        Font(name=FONT, bold=True, size=13)
    for c, (text, width) in enumerate(zip(_HEADERS, _WIDTHS), start=1):
        cell = ws.cell(3, c, text)
        cell.font, cell.fill, cell.border = bold, head, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = width
    ordered = sorted(problems, key=lambda p: p.severity != ERROR)
    for i, p in enumerate(ordered, start=1):
        row = 3 + i
        values = [i, "Lỗi" if p.severity == ERROR else "Cảnh báo", where(p), p.indicator, p.type.title,
                  p.message, p.fix]
        for c, v in enumerate(values, start=1):
            cell = set_cell(ws, row, c, v)       # a sender's text never becomes a formula here either
            cell.font, cell.border = Font(name=FONT, bold=c == 2), _BOX
            cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="center" if c in (1, 2, 4) else None)
        cell = ws.cell(row, 2)
        cell.fill = ERROR_FILL if p.severity == ERROR else WARNING_FILL
        longest = max(len(p.message) / _WIDTHS[5], len(p.fix) / _WIDTHS[6], len(p.type.title) / _WIDTHS[4])
        ws.row_dimensions[row].height = 15 * max(1, math.ceil(longest * 1.05)) + 3
    ws.freeze_panes = "A4"
    setup_print(ws, title_rows="3:3", title_cols="A:C")


def annotate_workbook(path: Path, problems: list[Problem], out_stem: Path) -> Path | None:
    """Write `<out_stem>.xlsx` (or .xlsm) with problem cells filled and commented; None if nothing to mark."""
    placed = [p for p in problems if p.sheet and p.cell]
    if not placed:
        return None
    data = path.read_bytes()
    out = out_stem.with_suffix(".xlsm" if path.suffix.lower() == ".xlsm" else ".xlsx")
    out.parent.mkdir(parents=True, exist_ok=True)
    kept = _kept_sheets(data, {p.sheet for p in placed}) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    copy = _keeping(path, data, problems, placed, kept) if kept else None
    if copy is not None:
        out.write_bytes(copy)
        return out
    wb, _suffix = _workbook_for(path, data)     # every sheet through openpyxl, as always
    _mark(wb, problems, placed)
    wb.save(out)
    return out


def _mark(wb: openpyxl.Workbook, problems: list[Problem], placed: list[Problem]) -> None:
    """Each problem cell filled and commented, then the list of problems as the first sheet."""
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
    problem_sheet(wb, problems)


# -- sheets without a mark (the guide and its long area list) copied into the marked copy as they are --
#
# openpyxl would read every cell of such a sheet and write it out again: the copy's cost grew with the province's
# area list. Instead openpyxl opens the workbook with those sheets' cells left out (their <sheetData> emptied), and
# the saved copy gets back each one's original part, compressed bytes as they are. That holds because openpyxl
# writes the cell styles (and fonts, fills, borders, number formats, differential styles) it read in their order,
# adding new ones after them, so the style numbers in the original XML still name the same styles; and only sheets
# that need nothing else are kept so: no relationships of their own (comments, drawings, tables, external links),
# not selected (openpyxl unselects every sheet but the list of problems). openpyxl writes text inline, never a
# shared-strings part: the original one (Excel always writes one) is put back as it is for the kept sheets' cells.
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_KEEP_BYTES = 4096      # a smaller sheet costs openpyxl next to nothing: it goes the usual way
_SST_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_SST_PART = "xl/sharedStrings.xml"
_SST_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _sheet_parts(archive: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    """Sheet name -> its worksheet part, from xl/workbook.xml and its relationships; and the shared-strings part."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): _part(r.get("Target", "")) for r in rels.findall("p:Relationship", _NS)}
    sst = [_part(r.get("Target", "")) for r in rels.findall("p:Relationship", _NS) if r.get("Type") == _SST_TYPE]
    out = {sheet.get("name", ""): targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
           for sheet in book.findall("m:sheets/m:sheet", _NS)}
    return out, sst[0] if len(sst) == 1 else ("" if sst else None)


def _part(target: str) -> str:
    """A relationship target of xl/workbook.xml as a zip part name."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return f"{folder}/_rels/{name}.rels"


def _kept_sheets(data: bytes, marked: set[str]) -> dict[str, tuple[str, zipfile.ZipInfo, bytes]]:
    """Sheet name -> (its part, the part's zip entry, its XML with <sheetData> emptied) for each sheet that can be
    copied as it is (see above); {} when none can, or the workbook is not one this knows how to read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        parts, sst = _sheet_parts(archive)
        if sst is not None and sst not in names:
            return {}       # two shared-strings parts, or one that is missing: the usual way
        kept = {}
        for sheet, part in parts.items():
            if sheet in marked or part not in names or _rels_of(part) in names:
                continue
            info = archive.getinfo(part)
            if info.file_size < _KEEP_BYTES:
                continue
            head = _head(data, info)
            start = -1 if head is None else head.find(b"<sheetData>")
            if start < 0 or b"<worksheet " not in head[:start] or b"tabSelected" in head[:start]:
                continue
            # what follows the cells (merges, validations, page setup) concerns only that sheet's own XML, which is
            # put back whole: openpyxl needs only what comes before to open the sheet
            kept[sheet] = (part, info, head[:start] + b"<sheetData/></worksheet>")
        return kept
    except Exception:  # noqa: BLE001 - anything unexpected: every sheet goes through openpyxl
        return {}


def _keeping(path: Path, data: bytes, problems: list[Problem], placed: list[Problem],
             kept: dict[str, tuple[str, zipfile.ZipInfo, bytes]]) -> bytes | None:
    """The marked copy with the kept sheets copied as they are; None when that cannot be made (the usual way then)."""
    try:
        stubbed = replace_parts(data, {part: stub for part, _info, stub in kept.values()})
        wb, _suffix = _workbook_for(path, stubbed, kept)
        _mark(wb, problems, placed)
        saved = io.BytesIO()
        wb.save(saved)
    except Exception:  # noqa: BLE001 - the usual way reads the file itself and says what is wrong with it
        return None
    return _put_back(saved.getvalue(), data, kept)


def _head(data: bytes, info: zipfile.ZipInfo, limit: int = 1 << 16) -> bytes | None:
    """The part's XML inflated as far as its <sheetData> (at most `limit` bytes): the rest is never inflated."""
    raw = raw_part(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        return bytes(raw[:limit])
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return None
    inflater, out = zlib.decompressobj(-15), b""
    for i in range(0, len(raw), 1 << 12):
        out += inflater.decompress(bytes(raw[i:i + (1 << 12)]), limit - len(out))
        if b"<sheetData" in out or len(out) >= limit or inflater.eof:
            return out
    return out


def _put_back(saved: bytes, data: bytes, kept: dict[str, tuple[str, zipfile.ZipInfo, bytes]]) -> bytes | None:
    """openpyxl's copy with each kept sheet's part replaced by the original one (and the original shared strings
    they refer to); None if the copy is not as expected (the caller then goes the usual way)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(saved))
        names = set(archive.namelist())
        parts, saved_sst = _sheet_parts(archive)
        copied, replaced = {}, {}
        for sheet, (_part, info, _stub) in kept.items():
            target = parts.get(sheet)
            if target is None or target not in names or _rels_of(target) in names:
                return None
            copied[target] = (data, info)
        original = zipfile.ZipFile(io.BytesIO(data))
        _parts, sst = _sheet_parts(original)
        if sst is not None:
            if saved_sst is not None or _SST_PART in names:
                return None         # an openpyxl that writes shared strings numbers them anew
            copied[_SST_PART] = (data, original.getinfo(sst))
            rels, types = archive.read("xl/_rels/workbook.xml.rels"), archive.read("[Content_Types].xml")
            if b'Id="rIdTonghopSst"' in rels or rels.count(b"</Relationships>") != 1 or types.count(b"</Types>") != 1:
                return None
            replaced["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>", (
                f'<Relationship Id="rIdTonghopSst" Type="{_SST_TYPE}" Target="sharedStrings.xml"/>'
                "</Relationships>").encode())
            replaced["[Content_Types].xml"] = types.replace(b"</Types>", (
                f'<Override PartName="/{_SST_PART}" ContentType="{_SST_CONTENT}"/></Types>').encode())
        return replace_parts(saved, replaced, copied)
    except Exception:  # noqa: BLE001 - same as above
        return None
