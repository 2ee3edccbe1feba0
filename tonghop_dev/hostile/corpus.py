"""Generate the hostile-input corpus (bad, broken, huge and malicious files), each built by code; the answer each must get is in expected.yaml beside this script.

Usage: .venv/bin/python -m tonghop_dev.hostile.corpus OUT_DIR
"""
from __future__ import annotations

import io
import re
import struct
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tonghop_dev.builders import activity_grid, indicator_grid, write_xlsx

CLEAN = [
    ["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", "Tổng", 10600, 9500, 111.58, None],
    ["4.2", "Tử vong bà mẹ", "14", "Tỉnh Sơn La", "Tổng", 8, 20100, 39.8, None],
    ["4.3", "Sinh vị thành niên", "14", "Tỉnh Sơn La", "Tổng", 1200, 48000, 25, None],
    ["4.4", "Dịch vụ LGBT", "14", "Tỉnh Sơn La", "Tổng", None, None, 1, None],
]
ACTS = [["TT", "Truyền thông", 5, 300, 120, 180, 20.5, None]]
PERIOD = "Năm 2025"
SHEET1 = "xl/worksheets/sheet1.xml"
SST_TEXT_LEN = 32_000


def form(rows: list[list[Any]] = CLEAN, reporter: str = "Nguyễn Thị Hoa", **header: Any) -> dict[str, list[list[Any]]]:
    """The Sở Y tế form, clean unless told otherwise: an accepted submission."""
    b1 = indicator_grid("SYT", PERIOD, rows, **header)
    b1[3][2] = reporter
    return {"Biểu 01": b1, "Biểu 02": activity_grid("SYT", PERIOD, ACTS, **header)}


def good(path: Path, reporter: str = "Nguyễn Thị Hoa") -> None:
    write_xlsx(path, form(reporter=reporter))


def replace(rows: list[list[Any]], index: int, column: int, value: Any) -> list[list[Any]]:
    rows = [list(r) for r in rows]
    rows[index][column] = value
    return rows


# --- zip helpers -------------------------------------------------------------------------------------------------

def rewrite_zip(src: bytes, change: dict[str, bytes | Callable[[bytes], bytes]], add: dict[str, bytes] | None = None) -> bytes:
    """The same package with some parts replaced (bytes, or a function of the old bytes) and some added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            new = change.get(info.filename, data)
            zout.writestr(info.filename, new(data) if callable(new) else new)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return out.getvalue()


def patch_cells(xml: bytes, cells: dict[str, str]) -> bytes:
    """Sheet XML with the given cells' elements replaced by raw XML (what openpyxl cannot write: cached errors)."""
    text = xml.decode()
    for ref, new in cells.items():
        pattern = re.compile(rf'<c r="{ref}"(?:/>|[^>]*/>|[^>]*>.*?</c>)', re.S)
        if pattern.search(text):
            text = pattern.sub(new, text, count=1)
        else:    # an empty cell openpyxl did not write: append it to its row
            row = re.sub(r"[A-Z]", "", ref)
            text = re.sub(rf'(<row r="{row}"[^>]*>.*?)(</row>)', lambda m: m.group(1) + new + m.group(2), text,
                          count=1, flags=re.S)
    return text.encode()


def deflate_repeated(block: bytes, times: int) -> tuple[bytes, int, int]:
    """Raw deflate of `block` repeated `times` times, made without inflating it: after a full flush the
    compressor restarts, so every further copy compresses to the same bytes. Returns (data, crc, size)."""
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = first.compress(block) + first.flush(zlib.Z_FULL_FLUSH)
    again = first.compress(block) + first.flush(zlib.Z_FULL_FLUSH)
    tail = first.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    return head + again * (times - 1) + tail, crc, len(block) * times


def raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand: (name, stored data, method, crc, declared uncompressed size) per entry, so a
    test can declare sizes that are not true."""
    out = io.BytesIO()
    central = []
    for name, data, method, crc, size in entries:
        offset = out.tell()
        raw_name = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size,
                              len(raw_name), 0) + raw_name + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data),
                                   size, len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    deflated = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflated.compress(data) + deflated.flush()
    return name, packed, 8, zlib.crc32(data), len(data)


def xlsx_parts(sheet_xml: bytes, sst_xml: bytes | None = None) -> list[tuple[str, bytes, int, int, int]]:
    """The smallest package calamine opens: one sheet named Biểu 01, optionally shared strings."""
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
          'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.worksheet+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
          '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          '<sheet name="Biểu 01" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship '
              'Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
              'Target="sharedStrings.xml"/></Relationships>')
    parts = [stored("[Content_Types].xml", ct.encode()), stored("_rels/.rels", rels.encode()),
             stored("xl/workbook.xml", wb.encode()), stored("xl/_rels/workbook.xml.rels", wbrels.encode())]
    if sst_xml is not None:
        parts.append(stored("xl/sharedStrings.xml", sst_xml))
    parts.append(stored(SHEET1, sheet_xml))
    return parts


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.'
              b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


def sheet_xml(body: str | bytes, prolog: str = "") -> bytes:
    body = body.encode() if isinstance(body, str) else body
    head = SHEET_HEAD.replace(b"<worksheet", prolog.encode() + b"<worksheet") if prolog else SHEET_HEAD
    return head + body + SHEET_TAIL


def sst_xml(items: list[str], prolog: str = "") -> bytes:
    si = "".join(f"<si><t>{t}</t></si>" for t in items)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<sst xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main" count="{len(items)}" uniqueCount="{len(items)}">'
            f'{si}</sst>').encode()


def form_rows_xml() -> str:
    """The clean form's Biểu 01 as inline-string/number cells, to put in a hand-made sheet."""
    out = []
    for r, row in enumerate(form()["Biểu 01"], start=1):
        cells = []
        for c, v in enumerate(row):
            if v is None:
                continue
            ref = f"{chr(65 + c)}{r}"
            if isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return "".join(out)


# --- ODS by hand (pandas' writer cannot store an error cell) -----------------------------------------------------

def ods_bytes(sheets: dict[str, list[list[Any]]], errors: dict[tuple[str, int, int], str] | None = None,
              raw_table: str | None = None) -> bytes:
    errors = errors or {}
    tables = []
    for name, grid in sheets.items():
        rows = []
        for r, row in enumerate(grid):
            cells = []
            for c, v in enumerate(row):
                if (name, r, c) in errors:
                    cells.append('<table:table-cell table:formula="of:=[.G9]/0" office:value-type="float" '
                                 f'office:value="0" calcext:value-type="error"><text:p>{errors[(name, r, c)]}'
                                 '</text:p></table:table-cell>')
                elif v is None:
                    cells.append("<table:table-cell/>")
                elif isinstance(v, (int, float)):
                    cells.append(f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}'
                                 "</text:p></table:table-cell>")
                else:
                    cells.append(f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}'
                                 "</text:p></table:table-cell>")
            rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        tables.append(f'<table:table table:name="{escape(name)}">{"".join(rows)}</table:table>')
    if raw_table:
        tables.append(raw_table)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
               'office:version="1.2"><office:body><office:spreadsheet>' + "".join(tables) +
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- the cases ------------------------------------------------------------------------------------------------------

def xlsx_bytes(sheets: dict[str, list[list[Any]]], **kw: Any) -> bytes:
    buf = io.BytesIO()
    write_xlsx(buf, sheets, **kw)       # openpyxl saves to a file object as well as to a path
    return buf.getvalue()


def case_zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def case_empty_workbook(path: Path) -> None:
    write_xlsx(path, {"Sheet1": []})


def case_text_renamed(path: Path) -> None:
    path.write_text("Kính gửi Sở Nội vụ,\nĐơn vị gửi kèm báo cáo.\n", encoding="utf-8")


def case_pdf_renamed(path: Path) -> None:
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")


def case_png_renamed(path: Path) -> None:
    body = zlib.compress(b"\x00\xff\x00\x00" * 4)
    chunk = lambda kind, data: (struct.pack(">I", len(data)) + kind + data  # noqa: E731
                                + struct.pack(">I", zlib.crc32(kind + data)))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def case_docx_renamed(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="x"><w:body/></w:document>')


def case_truncated_zip(path: Path) -> None:
    data = xlsx_bytes(form())
    path.write_bytes(data[: len(data) // 2])


def case_corrupted_zip(path: Path) -> None:
    data = bytearray(xlsx_bytes(form()))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo(SHEET1)
    start = info.header_offset + 30 + len(info.filename.encode())
    for i in range(start + 20, start + info.compress_size - 10, 7):   # damage the sheet's deflate stream
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def case_password(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(path, "wb") as out:
        OOXMLFile(io.BytesIO(xlsx_bytes(form()))).encrypt("matkhau123", out)


def case_zip_bomb(path: Path) -> None:
    """A 2 MB file whose sheet declares (truthfully) 2 GiB of XML."""
    block = b"<row/>" * (2**20 // 6) + b" " * (2**20 % 6)
    data, crc, size = deflate_repeated(block, 2048)
    parts = xlsx_parts(b"")[:-1] + [(SHEET1, data, 8, crc, size)]
    path.write_bytes(raw_zip(parts))


def case_zip_bomb_lying(path: Path) -> None:
    """The same bomb declaring 40 KB: only inflating with a cap finds it out."""
    block = b" " * 2**20
    data, crc, _size = deflate_repeated(block, 1024)
    parts = xlsx_parts(b"")[:-1] + [(SHEET1, data, 8, crc, 40_000)]
    path.write_bytes(raw_zip(parts))


def case_cell_bomb(path: Path) -> None:
    """Under the unpacked-size bound (45 MB of XML from 100 KB) but 3 million cells: the cell bound refuses it."""
    row = b"<row>" + b"<c><v>1</v></c>" * 1000 + b"</row>"
    data, crc, size = deflate_repeated(sheet_xml(row * 3000), 1)
    parts = xlsx_parts(b"")[:-1] + [(SHEET1, data, 8, crc, size)]
    path.write_bytes(raw_zip(parts))


def case_far_cell(path: Path) -> None:
    """The form plus one value in XFD1048576: calamine would allocate 17 billion cells and abort the process."""
    body = form_rows_xml() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path.write_bytes(raw_zip(xlsx_parts(sheet_xml(body))))


def case_million_rows(path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(20, 1_000_020))
    path.write_bytes(raw_zip(xlsx_parts(sheet_xml(form_rows_xml() + rows))))


def case_wide_one_row(path: Path) -> None:
    """16,384 columns filled in one row below the form: 16 rows × 16,384 = 262,144 cells, within the bounds."""
    from tonghop.cells import column_letter

    cells = "".join(f'<c r="{column_letter(c)}16"><v>{c}</v></c>' for c in range(16_384))
    path.write_bytes(raw_zip(xlsx_parts(sheet_xml(form_rows_xml() + f'<row r="16">{cells}</row>'))))


def case_wide_sparse(path: Path) -> None:
    """16,384 columns in row 16 and one value in row 200: 200 × 16,384 = 3.3 million cells to allocate."""
    from tonghop.cells import column_letter

    cells = "".join(f'<c r="{column_letter(c)}16"><v>{c}</v></c>' for c in range(16_384))
    body = form_rows_xml() + f'<row r="16">{cells}</row><row r="200"><c r="A200"><v>1</v></c></row>'
    path.write_bytes(raw_zip(xlsx_parts(sheet_xml(body))))


def case_xls_far(path: Path) -> None:
    """Legacy .xls with values in A1 and IV65536: 16.7 million cells (1.2 GB in calamine) for two values."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Biểu 01")
    for r, row in enumerate(form()["Biểu 01"]):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    ws.write(65535, 255, 1)
    wb.save(str(path))


def case_ods_repeated(path: Path) -> None:
    """ODS: one cell repeated over 9,999 columns × 10,000 rows (just under calamine's own limit of 100 million
    cells, 3.2 GB once read), in a few hundred bytes."""
    table = ('<table:table table:name="Dữ liệu"><table:table-row table:number-rows-repeated="10000">'
             '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="9999">'
             '<text:p>1</text:p></table:table-cell></table:table-row></table:table>')
    path.write_bytes(ods_bytes(form(), raw_table=table))


def case_ods_error(path: Path) -> None:
    """ODS with #DIV/0! in Giá trị of 4.2: calamine reads it as 0."""
    path.write_bytes(ods_bytes(form(), errors={("Biểu 01", 9, 8): "#DIV/0!"}))


def case_long_text(path: Path) -> None:
    """5 MB of text in Ghi chú of 4.1 (written into the XML: openpyxl itself stops at 32,767 characters)."""
    text = "Ghi chú rất dài. " * 300_000
    cell = f'<c r="J9" t="inlineStr"><is><t>{text}</t></is></c>'
    path.write_bytes(rewrite_zip(xlsx_bytes(form(reporter="Lý Dài Dòng")), {SHEET1: lambda x: patch_cells(x, {"J9": cell})}))


def case_shared_string_amplified(path: Path) -> None:
    """One 32,000-character shared string used by 20,000 cells: 640 million characters (1.3 GB once read)
    from a 40 KB file."""
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(20, 20_020))
    sst = sst_xml(["x" * SST_TEXT_LEN])
    path.write_bytes(raw_zip(xlsx_parts(sheet_xml(form_rows_xml() + cells), sst)))


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)) + "]>")


def case_billion_laughs(path: Path) -> None:
    body = form_rows_xml() + '<row r="20"><c r="A20" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    path.write_bytes(raw_zip(xlsx_parts(sheet_xml(body, LAUGHS))))


def case_external_entity(path: Path) -> None:
    prolog = ('<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
              '<!ENTITY web SYSTEM "http://127.0.0.1:9/lay-du-lieu">]>')
    body = form_rows_xml() + '<row r="20"><c r="A20" t="s"><v>0</v></c><c r="B20" t="s"><v>1</v></c></row>'
    path.write_bytes(raw_zip(xlsx_parts(sheet_xml(body), sst_xml(["&xxe;", "&web;"], prolog))))


def case_macro(path: Path) -> None:
    data = xlsx_bytes(form(reporter="Trần Văn Macro"))
    types = lambda ct: ct.replace(  # noqa: E731
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = lambda r: r.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.'  # noqa: E731
                               b'com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name = \"Module1\"\nSub Auto_Open()\nShell \"calc\"\nEnd Sub\n"
    path.write_bytes(rewrite_zip(data, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
                                 {"xl/vbaProject.bin": vba}))


def case_no_form(path: Path) -> None:
    write_xlsx(path, {"Danh sách cán bộ": [["Họ tên", "Chức vụ", "Năm sinh"], ["Lò Văn A", "Chuyên viên", 1990]]})


def case_header_moved_down(path: Path) -> None:
    sheets = form()
    sheets["Biểu 01"] = [[] for _ in range(40)] + sheets["Biểu 01"]
    write_xlsx(path, sheets)


def case_header_moved_right(path: Path) -> None:
    sheets = form(reporter="Lê Thị Lệch")
    sheets["Biểu 01"] = [[None, None, None, *row] for row in sheets["Biểu 01"]]
    write_xlsx(path, sheets)


def case_english(path: Path) -> None:
    grid = [["Reporting unit", None, "Department of Health"], ["Unit code", None, "SYT"], ["Period", None, "Year 2025"],
            ["Prepared by", None, "Hoa"], ["Email", None, "syt@sonla.gov.vn"],
            ["FORM 01. GENDER EQUALITY INDICATORS"], [],
            ["No.", "Indicator code", "Indicator", "Area code", "Area", "Sex", "Numerator", "Denominator", "Value",
             "Note"]]
    grid += [[i, *r] for i, r in enumerate(CLEAN, start=1)]
    write_xlsx(path, {"Form 01": grid})


def case_formula_no_value(path: Path) -> None:
    rows = replace(replace(CLEAN, 0, 5, "=5300*2"), 2, 7, "=G11/H11*100")   # Tử số 4.1; Giá trị 4.3
    write_xlsx(path, form(rows, reporter="Phạm Công Thức"))


def case_date_in_number(path: Path) -> None:
    write_xlsx(path, form(replace(CLEAN, 1, 6, datetime(2025, 1, 20)), reporter="Đinh Ngày Tháng"))


def case_error_cells(path: Path) -> None:
    data = xlsx_bytes(form(reporter="Vũ Thị Lỗi"))
    cells = {"I9": '<c r="I9" t="e"><f>G9/0</f><v>#DIV/0!</v></c>',
             "G10": '<c r="G10" t="e"><f>VLOOKUP(1,A1:B2,2,0)</f><v>#N/A</v></c>',
             "G11": '<c r="G11"><f>SUM(G30:G40)</f></c>'}               # a formula saved without a result
    path.write_bytes(rewrite_zip(data, {SHEET1: lambda x: patch_cells(x, cells)}))


def case_merged_over_data(path: Path) -> None:
    import openpyxl

    write_xlsx(path, form(reporter="Hoàng Ô Gộp"))
    wb = openpyxl.load_workbook(path)
    wb["Biểu 01"].merge_cells("G10:I10")          # Tử số of 4.2 now covers Mẫu số and Giá trị
    wb.save(path)


def case_hidden_copy(path: Path) -> None:
    sheets = form(reporter="Bùi Ẩn")
    sheets["Biểu 01 (cũ)"] = indicator_grid("SYT", "Năm 2024", CLEAN[:1])
    write_xlsx(path, sheets, hidden={"Biểu 01 (cũ)"})


def case_hidden_only(path: Path) -> None:
    write_xlsx(path, {"Sheet1": [["Xem trang ẩn"]], **form(reporter="Bùi Chỉ Ẩn")}, hidden={"Biểu 01", "Biểu 02"})


def case_two_sheets(path: Path) -> None:
    sheets = form(reporter="Đỗ Hai Trang")
    sheets["Biểu 01 (2)"] = indicator_grid("SYT", PERIOD, replace(CLEAN, 0, 7, 999))
    write_xlsx(path, sheets)


def case_two_tables(path: Path) -> None:
    sheets = form(reporter="Đỗ Hai Bảng")
    sheets["Biểu 01"] = sheets["Biểu 01"] + [[], []] + indicator_grid("SYT", "Năm 2024", CLEAN)
    write_xlsx(path, sheets)


def case_injection(path: Path) -> None:
    """Text meant to run where the reports put it: formulas, a script, a header line. Stored as text cells,
    as Excel stores what a person typed after an apostrophe."""
    import openpyxl

    rows = replace(CLEAN, 0, 8, "+cmd|' /C calc'!A0") + [
        ["<script>alert('x')</script>", "<b>đậm</b>", "14", "", "Tổng", None, None, 1, None]]
    write_xlsx(path, form(rows, reporter="<script>alert('x')</script>"))
    wb = openpyxl.load_workbook(path)
    ws = wb["Biểu 01"]
    for ref, text in (("C1", '=HYPERLINK("http://evil.example","Bấm")'),
                      ("C5", "syt@sonla.gov.vn\r\nBcc: spy@evil.example"), ("J10", "=1+2"),
                      ("C10", "@SUM(1+1)*cmd|' /C calc'!A0")):
        ws[ref].value = text
        ws[ref].data_type = "s"
    wb.save(path)


def case_csv_injection(path: Path) -> None:
    """A CSV form whose texts start with = and whose figures are broken: its marked copy is a new workbook."""
    from tonghop_dev.builders import write_csv

    grid = indicator_grid("SYT", PERIOD, replace(replace(CLEAN, 0, 5, "=1+1"), 1, 8, '=HYPERLINK("http://evil","x")'))
    grid[0][2] = "=cmd|' /C calc'!A0"
    write_csv(path, grid)


def case_unit_markup(path: Path) -> None:
    """A unit code that is console markup: "[/]" closes nothing and makes a naive rich print raise."""
    sheets = form(reporter="Mã Markup")
    sheets["Biểu 01"][1][2] = "[/]SYT[link=https:evil.example]"
    write_xlsx(path, sheets)


def named(reporter: str) -> Callable[[Path], None]:
    return lambda path: good(path, reporter)


LONG_NAME = unicodedata.normalize("NFC", "Báo cáo bình đẳng giới Sở Y tế " * 8).encode()[:240].decode("utf-8", "ignore")

# case id -> (file name, builder). The names are part of the test: what a sender's mail program may save.
CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "zero-bytes": ("rong-0-byte.xlsx", case_zero_bytes),
    "empty-workbook": ("bang-tinh-trong.xlsx", case_empty_workbook),
    "text-renamed": ("thu-gui-kem.xlsx", case_text_renamed),
    "pdf-renamed": ("cong-van.xlsx", case_pdf_renamed),
    "png-renamed": ("anh-chup-bao-cao.xlsx", case_png_renamed),
    "docx-renamed": ("bao-cao-word.xlsx", case_docx_renamed),
    "truncated-zip": ("tai-ve-do-dang.xlsx", case_truncated_zip),
    "corrupted-zip": ("hong-du-lieu.xlsx", case_corrupted_zip),
    "password": ("co-mat-khau.xlsx", case_password),
    "zip-bomb": ("bom-nen-2GB.xlsx", case_zip_bomb),
    "zip-bomb-lying": ("bom-nen-khai-gian.xlsx", case_zip_bomb_lying),
    "cell-bomb": ("bom-3-trieu-o.xlsx", case_cell_bomb),
    "far-cell": ("o-XFD1048576.xlsx", case_far_cell),
    "million-rows": ("trieu-dong.xlsx", case_million_rows),
    "wide-one-row": ("16384-cot-mot-dong.xlsx", case_wide_one_row),
    "wide-sparse": ("16384-cot-200-dong.xlsx", case_wide_sparse),
    "xls-far": ("o-IV65536.xls", case_xls_far),
    "ods-repeated": ("lap-o-9999x10000.ods", case_ods_repeated),
    "ods-error": ("loi-chia-0.ods", case_ods_error),
    "long-text": ("ghi-chu-5MB.xlsx", case_long_text),
    "shared-string-amplified": ("chuoi-chung-nhan-ban.xlsx", case_shared_string_amplified),
    "billion-laughs": ("ty-tieng-cuoi.xlsx", case_billion_laughs),
    "external-entity": ("thuc-the-ngoai.xlsx", case_external_entity),
    "macro": ("co-macro.xlsm", case_macro),
    "no-form": ("danh-sach-can-bo.xlsx", case_no_form),
    "header-moved-down": ("tieu-de-dong-49.xlsx", case_header_moved_down),
    "header-moved-right": ("bang-lech-3-cot.xlsx", case_header_moved_right),
    "english-headers": ("english-form.xlsx", case_english),
    "formula-no-value": ("cong-thuc-chua-tinh.xlsx", case_formula_no_value),
    "date-in-number": ("ngay-thang-o-so.xlsx", case_date_in_number),
    "error-cells": ("loi-cong-thuc.xlsx", case_error_cells),
    "merged-over-data": ("o-gop-de-so-lieu.xlsx", case_merged_over_data),
    "hidden-copy": ("co-trang-an-cu.xlsx", case_hidden_copy),
    "hidden-only": ("chi-co-trang-an.xlsx", case_hidden_only),
    "two-sheets": ("hai-trang-bieu-01.xlsx", case_two_sheets),
    "two-tables": ("hai-bang-mot-trang.xlsx", case_two_tables),
    "injection": ("chen-cong-thuc.xlsx", case_injection),
    "csv-injection": ("chen-cong-thuc.csv", case_csv_injection),
    "unit-markup": ("ma-don-vi-markup.xlsx", case_unit_markup),
    "name-path": ("..\\..\\bao-cao.xlsx", named("Tên Đường Dẫn")),
    "name-control": ("bao\x01cao\x1b[31m\x07.xlsx", named("Tên Ký Tự Điều Khiển")),
    "name-rtl": ("bao-cao-\u202excod.exe.xlsx", named("Tên Đảo Chiều")),
    "name-long": (LONG_NAME + ".xlsx", named("Tên Rất Dài")),
    "name-nfd": (unicodedata.normalize("NFD", "Báo cáo Sở Y tế năm 2025.xlsx"), named("Tên NFD")),
    "name-markup": ("bao-cao[link=https:evil.example]x[bold]y.xlsx", named("Tên Markup")),
    "name-formula": ('=HYPERLINK("http:\\\\evil.example","x").xlsx', named("Tên Công Thức")),
}
GOOD = ("bao-cao-dung-mau.xlsx", named("Nguyễn Thị Hoa"))


def make_corpus(folder: Path, only: list[str] | None = None) -> dict[str, Path]:
    """Write every case (or `only` those) into `folder`; returns case id -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for case, (name, build) in CASES.items():
        if only is not None and case not in only:
            continue
        path = folder / name
        build(path)
        out[case] = path
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    made = make_corpus(target)
    GOOD[1](target / GOOD[0])
    for case, path in made.items():
        print(f"{case:26} {path.stat().st_size:>12,} {path.name!r}")
