"""The XML parts of a zip workbook in one expat pass: DTDs refused, elements counted, sheet names and shared strings read."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from xml.parsers import expat

from schemas import labels as L
from tonghop.intake import fastscan, ods_table, xlsx_sheet
from tonghop.intake.bounds import (HEADER_SCAN_ROWS, MAX_BOOK_CELLS, MAX_MARKED_CELLS, MAX_SHARED_STRINGS,
                                   MAX_SHEET_ROWS, MAX_SHEETS, MAX_XML_ELEMENTS, Inspection, Refused, SheetScan, Tail,
                                   corrupt)
from tonghop.numbers import format_vi as _n

FAST_PART_BYTES = 4 * 2**20          # a worksheet part up to this size (inflated) may be counted by fastscan
_ROW_NUMBER = re.compile(rb'<row r="([0-9]{1,9})"')     # a row's opening tag as fastscan's grammar writes it


class XmlScanner:
    """One pass of expat over every XML part: refuses DTDs, counts elements, and counts each sheet's cells
    the way calamine will place them. Inside a sheet the handlers are swapped for lean ones (tonghop.intake.xlsx_sheet
    for <sheetData>, tonghop.intake.ods_table for <table:table>): that loop runs once per cell, so it decides the
    worst-case time.

    cut=True (what tonghop.intake.read.parse_file asks): the rows below HEADER_SCAN_ROWS of a sheet no name makes a
    form may be left uncounted (SheetScan.tail; see _tail_start), to be counted by tonghop.intake.tails before
    any parser reads them."""

    def __init__(self, cut: bool = False) -> None:
        self.cut = cut
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
                pieces.extend(chunks)              # zip_parts still refuses a part growing past its declared size
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

    def _plain_sheet(self, name: str, data: bytes, cut: bool = True) -> bool:
        """A worksheet whose <sheetData> is plainly written: its cells counted by tonghop.intake.fastscan, the
        rest of the part by expat as usual. False (nothing counted) for anything else, or anything near a bound:
        the expat scan then reads the whole part and gives the answer it always gave. A tail (_tail_start) is
        left uncounted only when the rows before it are plainly written and in order, as read._heads needs."""
        start, end = data.find(b"<sheetData>"), data.rfind(b"</sheetData>")
        if start < 0 or end < start:
            return False
        tail = self._tail_start(name, data, start, end) if cut else None
        stop = end if tail is None else tail        # a tail's bytes are not looked at, not even for these tags
        if (data.count(b"<sheetData", 0, stop) + data.count(b"<sheetData", end) != 1
                or data.count(b"</sheetData>", 0, stop) + data.count(b"</sheetData>", end) != 1):
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
        fast = fastscan.scan_sheet_data(data[start + len(b"<sheetData>"):stop])
        if tail is not None and (fast is None or not fast.ordered):
            return self._plain_sheet(name, data, cut=False)
        outside = (len(data) - (end - start)) // 4 + 1         # an element takes 4 bytes at least ("<a/>")
        if (fast is None or self.elements + fast.elements + outside > MAX_XML_ELEMENTS
                or self.c_elements + fast.c_elements > MAX_BOOK_CELLS or fast.last_row >= MAX_SHEET_ROWS
                or len(fast.errors) >= MAX_MARKED_CELLS or len(fast.formulas) >= MAX_MARKED_CELLS):
            return False
        before, counted = len(self.scans), (self.elements, self.c_elements)
        outer = _quiet_elements(data[:start] + data[end + len(b"</sheetData>"):])
        if outer is not None:           # the usual case: nothing around the cells the handlers act upon
            self.scans.append(SheetScan(name, self.sheet_parts().get(name)))     # as xlsx_sheet.attach_sheet makes it
            self.elements += outer + 1      # and <sheetData> itself
        else:
            self._parse(name, data[:start] + b"<sheetData/>" + data[end + len(b"</sheetData>"):], iter(()))
        scan = self.scans[before]
        scan.rows, scan.cols, scan.cells = fast.rows, fast.cols, fast.cells
        scan.text, scan.longest, scan.sst_refs = fast.text, fast.longest, fast.sst_refs
        scan.errors, scan.formulas = fast.errors, set(fast.formulas)
        scan.xml, scan.ordered = data, fast.ordered
        self.elements += fast.elements
        self.c_elements += fast.c_elements
        if tail is not None:
            scan.tail = Tail(tail, (end - tail) // 4, self.elements - counted[0], self.c_elements - counted[1])
        return True

    def _tail_start(self, part: str, data: bytes, start: int, end: int) -> int | None:
        """Where the rows no parser reads begin: the first row numbered past HEADER_SCAN_ROWS of a sheet no name makes
        a form (the guide and its long area list), whose name and part no other sheet shares. tonghop.intake.read
        gives calamine (and openpyxl) that sheet only up to there, unless its first rows make it a form; so such
        a sheet costs a count of its first rows whatever the province's size. None: every row is counted."""
        if not self.cut:
            return None
        names = [name for name, rid in self.workbook_sheets if self._target(rid) == part]
        if len(names) != 1 or [n for n, _ in self.workbook_sheets].count(names[0]) != 1 or L.sheet_key(names[0]):
            return None
        for found in _ROW_NUMBER.finditer(data, start, end):
            if int(found.group(1)) > HEADER_SCAN_ROWS:
                return found.start()
        return None

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
        self.generic()
        try:
            parser.Parse(first, False)
            for chunk in chunks:
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise corrupt(f"XML hỏng trong '{name[:80]}'") from exc
        finally:
            self.parser = None

    def generic(self) -> None:
        """The handlers for everything outside a sheet's cells (set again when a sheet ends)."""
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text

    def _doctype(self, *args: Any) -> None:
        raise Refused("file-unreadable", f"tệp chứa khai báo DOCTYPE/ENTITY trong '{self.name[:80]}': Excel và "
                                         "LibreOffice không bao giờ tạo ra như vậy, tệp có thể đã bị làm giả")

    def _external(self, *args: Any) -> int:
        raise Refused("file-unreadable", "tệp tham chiếu tới tài nguyên bên ngoài, không được mở")

    def count(self) -> None:
        """One more element, against the bound over all XML parts."""
        self.elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise Refused("too-many-cells", f"tệp có hơn {_n(MAX_XML_ELEMENTS)} phần tử XML")

    # -- outside sheets: shared strings, sheet names, relationships --
    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        self.count()
        if tag == "table:table":
            ods_table.attach_table(self, attrs)
            return
        local = tag.rpartition(":")[2]
        if local == "sheetData":
            xlsx_sheet.attach_sheet(self)
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

    def sheet_parts(self) -> dict[str, str]:
        """Zip part -> sheet name, from xl/workbook.xml and its relationships (as far as read)."""
        return {self._target(rid): name for name, rid in self.workbook_sheets}

    def _target(self, rid: str) -> str:
        target = self.rels.get(rid, "")
        return target.lstrip("/") if target.startswith("/") else _normpath("xl/" + target)

    # -- the whole file --
    def finish(self, kind: str) -> Inspection:
        result = Inspection(kind, elements=self.elements, cells=self.c_elements, sst_lengths=self.sst_lengths)
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



def _normpath(path: str) -> str:
    out: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)

