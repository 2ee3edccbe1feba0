"""Untrusted content in: a workbook's container is inspected within fixed bounds before any parser opens it."""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from tonghop.intake import fastscan
from tonghop.numbers import format_size, format_vi
from tonghop.safe_text import plain_text

# --- Bounds -------------------------------------------------------------------------------------------------
# A submission is a form of a few thousand cells; the largest real one (every indicator for every commune, by
# sex) is about 25,000 rows × 12 columns. The bounds leave 4× room over that and keep one file under ~1 GB of
# memory in every reader that opens it (calamine allocates rows × columns densely; openpyxl ~400 B per cell).
MAX_FILE_BYTES = 25 * 2**20          # the file as received
MAX_ZIP_ENTRIES = 1_000              # parts of an .xlsx/.ods (a real one has 10-100)
MAX_UNPACKED_BYTES = 100 * 2**20     # all parts together, as actually inflated (not as declared)
MAX_XML_ELEMENTS = 2_000_000         # elements over all XML parts
MAX_SHEETS = 300
MAX_SHEET_ROWS = 100_000             # last row holding a value
MAX_SHEET_GRID = 2_000_000           # rows × columns from A1 to the last value: what calamine allocates
MAX_BOOK_GRID = 4_000_000
MAX_BOOK_CELLS = 500_000             # cell elements, with or without a value (openpyxl builds an object for each)
MAX_SHARED_STRINGS = 500_000
MAX_BOOK_TEXT = 20_000_000           # characters of text over all cells (a shared string counts once per cell)
MAX_BIFF_RECORDS = 3_000_000         # records of an .xls workbook stream
MAX_MARKED_CELLS = 10_000            # error cells / formulas without a value remembered per sheet
FAST_PART_BYTES = 4 * 2**20          # a worksheet part up to this size (inflated) may be counted by fastscan

OOXML_SHEET_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
                0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


class Refused(ValueError):
    """The file is not opened: `code` is a problem code (tonghop.problems), `detail` says why in Vietnamese."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


# the short names keep the many limit messages below on one line each
_n, _mb = format_vi, format_size


def _corrupt(what: str = "") -> Refused:
    return Refused("file-unreadable", "tệp bị hỏng hoặc không phải là tệp Excel" + (f" ({what})" if what else ""))


@dataclass
class SheetScan:
    """What a sheet holds, counted without building it."""

    part: str                                   # the zip part or stream it came from
    name: str | None = None
    rows: int = 0                               # 1 + last row index holding a value
    cols: int = 0
    cells: int = 0                              # value cells (repeats counted)
    text: int = 0                               # characters of text in its cells
    longest: int = 0                            # longest text of one cell
    errors: dict[tuple[int, int], str] = field(default_factory=dict)   # (row, col) 0-based -> "#DIV/0!"
    formulas: set[tuple[int, int]] = field(default_factory=set)        # formulas without a cached value
    sst_refs: Counter = field(default_factory=Counter)                  # shared-string index -> uses

    @property
    def grid(self) -> int:
        return self.rows * self.cols

    def add(self, row: int, col: int, count: int = 1, rows: int = 1, cols: int = 1) -> None:
        self.rows = max(self.rows, row + rows)
        self.cols = max(self.cols, col + cols)
        self.cells += count

    def label(self) -> str:
        return f"trang '{plain_text(self.name, 40)}'" if self.name is not None else f"phần '{plain_text(self.part, 60)}'"


@dataclass
class Inspection:
    """The container as inspected: its format and, per sheet name, its counts and marked cells."""

    kind: str                                   # xlsx | ods | xls | other
    sheets: dict[str, SheetScan] = field(default_factory=dict)
    longest: int = 0


def inspect_workbook(data: bytes) -> Inspection:
    """Check a workbook against the bounds above before calamine or openpyxl sees it; raises Refused.

    Bounds are checked on what the file really holds (parts inflated with a cap, cells counted from the XML
    or BIFF records), never on what it declares, so a file that lies about its sizes is refused too.
    """
    if len(data) > MAX_FILE_BYTES:
        raise Refused("file-too-large", f"tệp nặng {_mb(len(data))}, quá giới hạn {_mb(MAX_FILE_BYTES)}")
    kind = container_kind(data)
    if kind == "zip":
        result = _inspect_zip(data)
    elif kind == "ole":
        result = _inspect_ole(data)
    elif kind == "biff":
        raise Refused("file-unreadable", f"tệp ở định dạng Excel {_OLD_BIFF[data[:2]]} đời cũ (trước Excel 97), "
                                         "chương trình không đọc được định dạng này")
    else:
        return Inspection("other")
    _check_totals(result)
    return result


# Excel 2.x-4.0 wrote BIFF records straight into the file (no OLE container): the BOF record's type by version
_OLD_BIFF = {b"\x09\x00": "2.x", b"\x09\x02": "3.0", b"\x09\x04": "4.0"}


def container_kind(data: bytes) -> str:
    """What the bytes are, whatever the file's name says: zip (.xlsx/.ods), ole (.xls), biff (Excel 2.x-4.0)
    or other (text, or not a workbook)."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "ole"
    if len(data) >= 8 and data[:2] in _OLD_BIFF:
        length, _version, sheet_type = struct.unpack_from("<HHH", data, 2)
        # worksheet, chart, macro sheet or Excel 4.0 workbook: text that merely starts with a tab does not match
        if length in (4, 6) and sheet_type in (0x0010, 0x0020, 0x0040, 0x0100):
            return "biff"
    return "other"


def _check_totals(result: Inspection) -> None:
    if len(result.sheets) > MAX_SHEETS:
        raise Refused("too-many-cells", f"tệp có {_n(len(result.sheets))} trang tính, quá giới hạn {MAX_SHEETS}")
    grid = text = 0
    for scan in result.sheets.values():
        if scan.rows > MAX_SHEET_ROWS:
            raise Refused("too-many-cells", f"{scan.label()} có dữ liệu đến dòng {_n(scan.rows)}, quá giới hạn "
                                            f"{_n(MAX_SHEET_ROWS)} dòng")
        if scan.grid > MAX_SHEET_GRID:
            raise Refused("too-many-cells", f"{scan.label()} có dữ liệu trải trên {_n(scan.rows)} dòng × "
                                            f"{_n(scan.cols)} cột = {_n(scan.grid)} ô, quá giới hạn {_n(MAX_SHEET_GRID)} ô")
        grid += scan.grid
        text += scan.text
        result.longest = max(result.longest, scan.longest)
    if grid > MAX_BOOK_GRID:
        raise Refused("too-many-cells", f"các trang tính cộng lại có {_n(grid)} ô, quá giới hạn {_n(MAX_BOOK_GRID)} ô")
    if text > MAX_BOOK_TEXT:
        raise Refused("too-many-cells", f"các ô chứa tổng cộng {_n(text)} ký tự, quá giới hạn {_n(MAX_BOOK_TEXT)}")


# --- .xlsx / .xlsm / .ods (zip) -------------------------------------------------------------------------------

def _inspect_zip(data: bytes) -> Inspection:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:  # noqa: BLE001 - zipfile raises many types on a damaged archive
        raise _corrupt() from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise Refused("file-too-large", f"tệp nén chứa {_n(len(infos))} thành phần, quá giới hạn {_n(MAX_ZIP_ENTRIES)}")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNPACKED_BYTES:
        ratio = declared / max(len(data), 1)
        raise Refused("file-too-large", f"khi giải nén tệp lên tới {_mb(declared)} (gấp {_n(ratio, 0)} lần tệp gửi), "
                                        f"quá giới hạn {_mb(MAX_UNPACKED_BYTES)}")
    names = {i.filename for i in infos}
    if "xl/workbook.bin" in names:
        raise Refused("file-unreadable", "tệp là bảng tính nhị phân .xlsb, không được hỗ trợ; hãy lưu lại dưới dạng .xlsx")
    if "[Content_Types].xml" not in names and "mimetype" not in names and "content.xml" not in names:
        # neither an Office package nor an OpenDocument one: a plain archive
        raise Refused("file-unreadable", "tệp nén .zip được đổi đuôi thành bảng tính; hãy giải nén rồi gửi tệp bảng "
                                         "tính bên trong")
    kind = "ods" if "content.xml" in names and "xl/workbook.xml" not in names else "xlsx"
    scanner = _XmlScanner()
    first = ("META-INF/manifest.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml")
    # an .ods's manifest first (it says whether the parts are encrypted), then sheet names and shared strings,
    # so a refusal names the sheet
    for info in sorted(infos, key=lambda i: (i.filename not in first, first.index(i.filename) if i.filename in first else 0)):
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise Refused("file-unreadable", "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
        scanner.part(info.filename, _inflate(data, info), info.file_size)
    return scanner.finish(kind)


def _inflate(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes as really inflated, refusing one that grows past its declared size (a lying bomb)."""
    offset = info.header_offset
    if data[offset:offset + 4] != b"PK\x03\x04":
        raise _corrupt("thiếu phần đầu của một thành phần")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise _corrupt("tệp bị cắt cụt")
    limit = info.file_size
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) != limit:
            raise _corrupt("kích thước khai báo sai")
        for i in range(0, len(raw), 1 << 20):
            yield bytes(raw[i:i + (1 << 20)])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise _corrupt(f"kiểu nén {info.compress_type} không được hỗ trợ")
    inflater = zlib.decompressobj(-15)
    produced = 0
    step = 1 << 20
    try:
        for i in range(0, len(raw), 1 << 16):
            pending = bytes(raw[i:i + (1 << 16)])
            while True:
                out = inflater.decompress(pending, step)     # never more than `step` bytes at once
                pending = inflater.unconsumed_tail
                produced += len(out)
                if produced > limit:
                    raise Refused("file-unreadable", f"tệp bị hỏng hoặc bị làm giả: thành phần '{info.filename[:80]}' "
                                                     f"giải nén ra nhiều hơn kích thước khai báo ({_mb(limit)})")
                if out:
                    yield out
                if inflater.eof or (not pending and len(out) < step):
                    break
            if inflater.eof:
                break
    except zlib.error as exc:
        raise _corrupt("dữ liệu nén hỏng") from exc
    if produced != limit:
        raise _corrupt("tệp bị cắt cụt hoặc kích thước khai báo sai")


class _XmlScanner:
    """One pass of expat over every XML part: refuses DTDs, counts elements, and counts each sheet's cells
    the way calamine will place them (xlsx <sheetData>, ods <table:table>). Inside a sheet the handlers are
    swapped for lean ones: this loop runs once per cell, so it decides the worst-case time."""

    def __init__(self) -> None:
        self.elements = 0
        self.c_elements = 0
        self.scans: list[SheetScan] = []
        self.sst_lengths: list[int] = []
        self.workbook_sheets: list[tuple[str, str]] = []    # (name, relationship id) from xl/workbook.xml
        self.rels: dict[str, str] = {}                      # relationship id -> part, from workbook.xml.rels
        self.ods_sheets: dict[str, SheetScan] = {}
        self.name = ""

    # -- driving one part --
    def part(self, name: str, chunks: Iterator[bytes], size: int = FAST_PART_BYTES + 1) -> None:
        first = next(chunks, b"")
        if not first.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00").startswith((b"<", b"\x00<")):
            for _ in chunks:           # not XML (an image, vbaProject.bin): inflated only to bound its size
                pass
            return
        if size <= FAST_PART_BYTES:
            pieces, failed = [first], None
            try:
                pieces.extend(chunks)              # _inflate still refuses a part growing past its declared size
            except Refused as exc:
                failed = exc
            if failed is None:
                whole = b"".join(pieces)
                if self._plain_sheet(name, whole):
                    return
                quiet = _quiet_elements(whole)
                if quiet is not None and self.elements + quiet <= MAX_XML_ELEMENTS:
                    self.elements += quiet
                    return
            # expat reads what was inflated, then meets the refusal where it always did
            first, chunks = pieces[0], _replay(pieces[1:], failed)
        self._parse(name, first, chunks)

    def _plain_sheet(self, name: str, data: bytes) -> bool:
        """A worksheet whose <sheetData> is plainly written: its cells counted by tonghop.intake.fastscan, the
        rest of the part by expat as usual. False (nothing counted) for anything else, or anything near a bound:
        the expat scan then reads the whole part and gives the answer it always gave."""
        start, end = data.find(b"<sheetData>"), data.find(b"</sheetData>")
        if start < 0 or end < start or data.count(b"<sheetData") != 1 or data.count(b"</sheetData>") != 1:
            return False
        head = data[:200].removeprefix(b"\xef\xbb\xbf")
        if head.startswith(b"<?xml"):
            if b"?>" not in head:
                return False
            found = re.search(rb"""encoding=["']([^"']*)""", head[:head.find(b"?>")])
            if found and found.group(1).lower() != b"utf-8":
                return False                # the byte-level checks hold for UTF-8 text only
        elif not head.startswith(b"<"):
            return False
        fast = fastscan.scan_sheet_data(data[start + len(b"<sheetData>"):end])
        outside = (len(data) - (end - start)) // 4 + 1         # an element takes 4 bytes at least ("<a/>")
        if (fast is None or self.elements + fast.elements + outside > MAX_XML_ELEMENTS
                or self.c_elements + fast.c_elements > MAX_BOOK_CELLS or fast.last_row >= MAX_SHEET_ROWS
                or len(fast.errors) >= MAX_MARKED_CELLS or len(fast.formulas) >= MAX_MARKED_CELLS):
            return False
        before = len(self.scans)
        outer = _quiet_elements(data[:start] + data[end + len(b"</sheetData>"):])
        if outer is not None:           # the usual case: nothing around the cells the handlers act upon
            self.scans.append(SheetScan(name, self.sheet_parts().get(name)))     # as _xlsx_sheet makes it
            self.elements += outer + 1      # and <sheetData> itself
        else:
            self._parse(name, data[:start] + b"<sheetData/>" + data[end + len(b"</sheetData>"):], iter(()))
        scan = self.scans[before]
        scan.rows, scan.cols, scan.cells = fast.rows, fast.cols, fast.cells
        scan.text, scan.longest, scan.sst_refs = fast.text, fast.longest, fast.sst_refs
        scan.errors, scan.formulas = fast.errors, set(fast.formulas)
        self.elements += fast.elements
        self.c_elements += fast.c_elements
        return True

    def _parse(self, name: str, first: bytes, chunks: Iterator[bytes]) -> None:
        self.name = name
        self.si_len: int | None = None
        self.count_text = False
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        parser.ExternalEntityRefHandler = self._external
        self.parser = parser
        self._generic()
        try:
            parser.Parse(first, False)
            for chunk in chunks:
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise _corrupt(f"XML hỏng trong '{name[:80]}'") from exc
        finally:
            self.parser = None

    def _generic(self) -> None:
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text

    def _doctype(self, *args: Any) -> None:
        raise Refused("file-unreadable", f"tệp chứa khai báo DOCTYPE/ENTITY trong '{self.name[:80]}': Excel và "
                                         "LibreOffice không bao giờ tạo ra như vậy, tệp có thể đã bị làm giả")

    def _external(self, *args: Any) -> int:
        raise Refused("file-unreadable", "tệp tham chiếu tới tài nguyên bên ngoài, không được mở")

    def _count(self) -> None:
        self.elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise Refused("too-many-cells", f"tệp có hơn {_n(MAX_XML_ELEMENTS)} phần tử XML")

    # -- outside sheets: shared strings, sheet names, relationships --
    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        self._count()
        if tag == "table:table":
            self._ods_table(attrs)
            return
        local = tag.rpartition(":")[2]
        if local == "sheetData":
            self._xlsx_sheet()
        elif local == "si":
            self.si_len = 0
            if len(self.sst_lengths) >= MAX_SHARED_STRINGS:
                raise Refused("too-many-cells", f"tệp có hơn {_n(MAX_SHARED_STRINGS)} chuỗi chữ dùng chung")
        elif local == "t" and self.si_len is not None:
            self.count_text = True
        elif local == "sheet" and self.name.endswith("workbook.xml"):
            rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id" and k != "sheetId"), "")
            self.workbook_sheets.append((attrs.get("name", ""), rid))
        elif local == "Relationship" and self.name.endswith("workbook.xml.rels"):
            self.rels[attrs.get("Id", "")] = attrs.get("Target", "")
        elif local == "encryption-data" and self.name == "META-INF/manifest.xml":
            # an .ods saved with a password: its parts are ciphertext, which calamine calls "not a workbook"
            raise Refused("file-unreadable", "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")

    def _end(self, tag: str) -> None:
        local = tag.rpartition(":")[2]
        if local == "si" and self.si_len is not None:
            self.sst_lengths.append(self.si_len)
            self.si_len = None
        elif local == "t":
            self.count_text = False

    def _text(self, text: str) -> None:
        if self.count_text and self.si_len is not None:
            self.si_len += len(text)

    # -- xlsx <sheetData> --
    def _xlsx_sheet(self) -> None:
        scan = SheetScan(self.name, self.sheet_parts().get(self.name))
        self.scans.append(scan)
        # [row, col] of the cursor; the cell being read: [row, col, type, has value, has formula, text length]
        cursor = [-1, -1]
        cell: list[Any] = []
        collect: list[str] = []
        mode = [0]                      # 0 nothing, 1 count text length, 2 keep text (index / error)
        parser = self.parser

        def start(tag: str, attrs: dict[str, str]) -> None:
            self.elements += 1
            if self.elements > MAX_XML_ELEMENTS:
                self._count()
            local = tag if ":" not in tag else tag.rpartition(":")[2]
            if local == "c":
                self.c_elements += 1
                if self.c_elements > MAX_BOOK_CELLS:
                    raise Refused("too-many-cells", f"tệp có hơn {_n(MAX_BOOK_CELLS)} ô (kể cả ô chỉ có định dạng)")
                ref = attrs.get("r")
                if ref is None:
                    row, col = cursor[0], cursor[1] + 1
                else:
                    row, col = _parse_ref(ref)
                    if row is None:
                        raise _corrupt(f"địa chỉ ô '{ref[:20]}' không hợp lệ")
                cursor[1] = col
                cell[:] = [max(row, 0), col, attrs.get("t", "n"), False, False, 0]
                collect.clear()
            elif local == "v":
                if cell:
                    cell[3] = True
                    mode[0] = 2 if cell[2] in ("s", "e") else 1
            elif local == "row":
                ref = attrs.get("r")
                if ref is None:
                    cursor[0] += 1
                elif ref.isdigit() and len(ref) < 10:
                    cursor[0] = int(ref) - 1
                else:
                    raise _corrupt(f"số dòng '{ref[:20]}' không hợp lệ")
                cursor[1] = -1          # a row far down with only a height or a style is no data: not counted
            elif cell:
                if local == "is":
                    cell[3] = True
                elif local == "t":
                    mode[0] = 1
                elif local == "f":
                    cell[4] = True

        def end(tag: str) -> None:
            local = tag if ":" not in tag else tag.rpartition(":")[2]
            if local == "c":
                if cell:
                    _cell_done(scan, cell, "".join(collect).strip())
                    cell.clear()
                mode[0] = 0
            elif local in ("v", "t"):
                mode[0] = 0
            elif local == "sheetData":
                self._generic()

        def text(data: str) -> None:
            if mode[0] == 1:
                cell[5] += len(data)
            elif mode[0] == 2 and len(collect) < 4:
                collect.append(data[:32])

        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text

    # -- ods <table:table> --
    def _ods_table(self, attrs: dict[str, str]) -> None:
        name = attrs.get("table:name", "")
        scan = self.ods_sheets.setdefault(name, SheetScan(self.name, name))
        row = [0, 1, 0]                 # current row, its repeat, current column
        # the cell being read: [columns repeated, value type, has content, text length, error text parts]
        cell: list[Any] = []
        parser = self.parser

        def start(tag: str, attrs: dict[str, str]) -> None:
            self.elements += 1
            if self.elements > MAX_XML_ELEMENTS:
                self._count()
            if tag == "table:table-cell" or tag == "table:covered-table-cell":
                kind = attrs.get("calcext:value-type") or attrs.get("office:value-type")
                cell[:] = [_repeat(attrs.get("table:number-columns-repeated")), kind, kind is not None, 0,
                           [] if kind == "error" else None]
            elif tag == "table:table-row":
                row[1] = _repeat(attrs.get("table:number-rows-repeated"))
                row[2] = 0
            elif tag == "table:table":
                raise _corrupt("bảng lồng trong bảng")
            elif cell:
                cell[2] = True          # <text:p> or any child: the cell holds something

        def end(tag: str) -> None:
            if tag == "table:table-cell" or tag == "table:covered-table-cell":
                if cell:
                    repeat, kind, content, text_len, parts = cell
                    if content:
                        rows = row[1]
                        if row[0] + rows > MAX_SHEET_ROWS:
                            raise _too_many_rows(scan, row[0] + rows - 1)
                        scan.add(row[0], row[2], repeat * rows, rows, repeat)
                        scan.text += text_len * repeat * rows
                        scan.longest = max(scan.longest, text_len)
                        if kind == "error" and len(scan.errors) < MAX_MARKED_CELLS:
                            scan.errors[(row[0], row[2])] = "".join(parts).strip()[:16] or "#N/A"
                    row[2] += repeat
                    cell.clear()
            elif tag == "table:table-row":
                row[0] += row[1]
                row[1] = 1
            elif tag == "table:table":
                self._generic()

        def text(data: str) -> None:
            if cell:
                cell[3] += len(data)
                if cell[4] is not None and len(cell[4]) < 4:
                    cell[4].append(data[:32])

        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text

    def sheet_parts(self) -> dict[str, str]:
        """Zip part -> sheet name, from xl/workbook.xml and its relationships (as far as read)."""
        parts = {}
        for name, rid in self.workbook_sheets:
            target = self.rels.get(rid, "")
            parts[target.lstrip("/") if target.startswith("/") else _normpath("xl/" + target)] = name
        return parts

    # -- the whole file --
    def finish(self, kind: str) -> Inspection:
        result = Inspection(kind)
        for name, scan in self.ods_sheets.items():
            result.sheets[name] = scan
        parts = self.sheet_parts()
        for i, scan in enumerate(self.scans):
            for idx, uses in scan.sst_refs.items():
                length = self.sst_lengths[idx] if idx < len(self.sst_lengths) else 0
                scan.text += length * uses
                scan.longest = max(scan.longest, length)
            scan.sst_refs = Counter()
            scan.name = parts.get(scan.part)
            key = scan.name if scan.name is not None and scan.name not in result.sheets else f"#{i}:{scan.part}"
            result.sheets[key] = scan
        if len(self.workbook_sheets) > MAX_SHEETS:
            raise Refused("too-many-cells", f"tệp có {_n(len(self.workbook_sheets))} trang tính, quá giới hạn {MAX_SHEETS}")
        return result


# an element the generic handlers act upon (by its local name), markup that is not an element, or UTF-16 text
_LOUD = re.compile(rb'<(?:[^\s/>!?:]*:)?(?:si|t|sheetData|sheet|Relationship|encryption-data|table)[\s/>]|<!|\x00')


def _quiet_elements(data: bytes) -> int | None:
    """How many elements a well-formed part holds when the generic handlers would only have counted them (a
    theme, styles, the page setup around a sheet's cells): expat checks it without a Python call per element.
    None when the part holds anything else, or is not well-formed (the expat scan then says so as before)."""
    if _LOUD.search(data):
        return None
    try:
        expat.ParserCreate().Parse(data, True)
    except expat.ExpatError:
        return None
    # no comment, CDATA or DTD (checked above) and no "<" in attribute values or text (well-formed): each "<"
    # opens a start tag, an end tag or a processing instruction
    return data.count(b"<") - data.count(b"</") - data.count(b"<?")


def _replay(pieces: list[bytes], failed: Refused | None) -> Iterator[bytes]:
    yield from pieces
    if failed is not None:
        raise failed


def _cell_done(scan: SheetScan, cell: list[Any], collected: str) -> None:
    row, col, typ, has_value, has_formula, text_len = cell
    if has_value:
        if row >= MAX_SHEET_ROWS:           # only a cell holding a value counts against the bound, not a styled one
            raise _too_many_rows(scan, row)
        scan.add(row, col)
        if typ == "s":
            if collected.isdigit():
                scan.sst_refs[int(collected)] += 1
        elif typ == "e":
            if len(scan.errors) < MAX_MARKED_CELLS:
                scan.errors[(row, col)] = collected[:16] or "#N/A"
        elif typ in ("str", "inlineStr"):
            scan.text += text_len
            scan.longest = max(scan.longest, text_len)
    empty = not has_value or (not collected if typ in ("s", "e") else text_len == 0)
    if has_formula and empty and len(scan.formulas) < MAX_MARKED_CELLS:
        scan.formulas.add((row, col))


def _too_many_rows(scan: SheetScan, row: int) -> Refused:
    return Refused("too-many-cells", f"{scan.label()} có dữ liệu đến dòng {_n(row + 1)}, quá giới hạn "
                                     f"{_n(MAX_SHEET_ROWS)} dòng")


def _repeat(value: str | None) -> int:
    if value is None:
        return 1
    if not value.isdigit() or len(value) > 9:
        raise _corrupt(f"số lần lặp '{value[:20]}' không hợp lệ")
    return max(int(value), 1)


_REF_RE = re.compile(r"\$?([A-Za-z]{1,7})\$?(\d{1,9})")


def _parse_ref(ref: str) -> tuple[int | None, int]:
    m = _REF_RE.fullmatch(ref)
    if not m:
        return None, 0
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _normpath(path: str) -> str:
    out: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)


# --- .xls (OLE / BIFF8) --------------------------------------------------------------------------------------

def _inspect_ole(data: bytes) -> Inspection:
    import olefile  # the OLE container reader (pure Python); only old .xls and encrypted files need it

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # noqa: BLE001 - olefile raises several types on a damaged container
        raise Refused("file-unreadable", "tệp Office cũ (OLE) bị hỏng") from exc
    try:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            raise Refused("file-unreadable", "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
        stream = "Workbook" if ole.exists("Workbook") else "Book" if ole.exists("Book") else None
        if stream is None:
            if ole.exists("WordDocument"):
                raise Refused("file-unreadable", "tệp văn bản Word được đổi đuôi thành bảng tính")
            if ole.exists("PowerPoint Document"):
                raise Refused("file-unreadable", "tệp PowerPoint được đổi đuôi thành bảng tính")
            raise Refused("file-unreadable", "tệp Office cũ (OLE) không chứa bảng tính")
        size = ole.get_size(stream)
        if size > MAX_FILE_BYTES:
            raise _corrupt("kích thước phần dữ liệu sai")
        try:
            book = ole.openstream(stream).read()
        except Exception as exc:  # noqa: BLE001 - a broken sector chain
            raise Refused("file-unreadable", "tệp Office cũ (OLE) bị hỏng") from exc
    finally:
        ole.close()
    return _scan_biff(book)


def _scan_biff(book: bytes) -> Inspection:
    """Cell records of every sheet substream (BIFF8): where calamine will place values and how much text."""
    result = Inspection("xls")
    sheets_at: dict[int, str] = {}
    sst_chunks: list[bytes] = []
    in_sst = False
    sst_lengths: list[int] = []
    scan: SheetScan | None = None
    pos = records = 0
    end = len(book)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", book, pos)
        body = book[pos + 4:pos + 4 + length]
        start = pos
        pos += 4 + length
        records += 1
        if records > MAX_BIFF_RECORDS:
            raise Refused("too-many-cells", f"tệp .xls có hơn {_n(MAX_BIFF_RECORDS)} bản ghi")
        if rtype == 0x003C and in_sst:                              # CONTINUE of the SST
            sst_chunks.append(body)
            continue
        if in_sst:
            in_sst = False
            sst_lengths = _sst_lengths(sst_chunks)
        if rtype == 0x0809:                                          # BOF: workbook globals or a sheet
            name = sheets_at.get(start)
            if name is not None:
                scan = result.sheets.setdefault(name, SheetScan(f"BIFF@{start}", name))
            elif sheets_at:
                scan = SheetScan(f"BIFF@{start}")
                result.sheets[f"#{start}"] = scan
            continue
        if rtype == 0x002F:                                          # FILEPASS
            raise Refused("file-unreadable", "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
        if rtype == 0x0085 and len(body) >= 8:                       # BOUNDSHEET8
            offset = struct.unpack_from("<I", body, 0)[0]
            cch, flags = body[6], body[7]
            raw = body[8:8 + (cch * 2 if flags & 1 else cch)]
            sheets_at[offset] = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            continue
        if rtype == 0x00FC:                                          # SST
            sst_chunks = [body]
            in_sst = True
            continue
        if scan is None or len(body) < 6:
            continue
        row, col = struct.unpack_from("<HH", body, 0)
        if rtype in (0x0203, 0x027E):                                # NUMBER, RK
            scan.add(row, col)
        elif rtype in (0x0204, 0x00D6) and len(body) >= 8:           # LABEL, RSTRING
            cch = struct.unpack_from("<H", body, 6)[0]
            scan.add(row, col)
            scan.text += cch
            scan.longest = max(scan.longest, cch)
        elif rtype == 0x00FD and len(body) >= 10:                    # LABELSST
            idx = struct.unpack_from("<I", body, 6)[0]
            length = sst_lengths[idx] if idx < len(sst_lengths) else 0
            scan.add(row, col)
            scan.text += length
            scan.longest = max(scan.longest, length)
        elif rtype == 0x00BD and len(body) >= 6:                     # MULRK
            last = struct.unpack_from("<H", body, len(body) - 2)[0]
            scan.add(row, col, max(last - col + 1, 1), 1, max(last - col + 1, 1))
        elif rtype == 0x0205 and len(body) >= 8:                     # BOOLERR
            scan.add(row, col)
            if body[7] and len(scan.errors) < MAX_MARKED_CELLS:
                scan.errors[(row, col)] = _BIFF_ERRORS.get(body[6], "#N/A")
        elif rtype == 0x0006 and len(body) >= 14:                    # FORMULA with its cached result
            scan.add(row, col)
            if body[12:14] == b"\xff\xff" and body[6] == 2 and len(scan.errors) < MAX_MARKED_CELLS:
                scan.errors[(row, col)] = _BIFF_ERRORS.get(body[8], "#N/A")
        elif rtype == 0x0207 and len(body) >= 2:                     # STRING: a formula's text result
            cch = struct.unpack_from("<H", body, 0)[0]
            scan.text += cch
            scan.longest = max(scan.longest, cch)
    return result


def _sst_lengths(chunks: list[bytes]) -> list[int]:
    """Character count of each shared string of an SST record and its CONTINUE records."""
    lengths: list[int] = []
    if not chunks or len(chunks[0]) < 8:
        return lengths
    total = struct.unpack_from("<I", chunks[0], 4)[0]
    ci, data, pos = 0, chunks[0], 8
    try:
        for _ in range(min(total, MAX_SHARED_STRINGS + 1)):
            if pos >= len(data):
                ci += 1
                data, pos = chunks[ci], 0
            cch, flags = struct.unpack_from("<HB", data, pos)
            pos += 3
            runs = ext = 0
            if flags & 0x08:
                runs = struct.unpack_from("<H", data, pos)[0]
                pos += 2
            if flags & 0x04:
                ext = struct.unpack_from("<I", data, pos)[0]
                pos += 4
            wide = flags & 0x01
            remaining = cch
            while True:
                width = 2 if wide else 1
                take = min(remaining, (len(data) - pos) // width)
                pos += take * width
                remaining -= take
                if remaining == 0:
                    break
                ci += 1                                 # the characters go on in the next CONTINUE,
                data = chunks[ci]                       # after a byte saying whether they are 16-bit
                wide, pos = data[0] & 0x01, 1
            skip = runs * 4 + ext
            while skip:
                avail = len(data) - pos
                if skip <= avail:
                    pos += skip
                    break
                skip -= avail
                ci += 1
                data, pos = chunks[ci], 0
            lengths.append(cch)
    except (IndexError, struct.error):
        pass   # a truncated table: the strings read so far are what calamine can read too
    if len(lengths) > MAX_SHARED_STRINGS:
        raise Refused("too-many-cells", f"tệp có hơn {_n(MAX_SHARED_STRINGS)} chuỗi chữ dùng chung")
    return lengths
