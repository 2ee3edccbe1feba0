"""An .xlsx <sheetData> read by expat: each cell placed where calamine will place it, its text and errors counted."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tonghop.intake.bounds import (MAX_BOOK_CELLS, MAX_MARKED_CELLS, MAX_SHEET_ROWS, MAX_XML_ELEMENTS, Refused,
                                   SheetScan, corrupt, too_many_rows)
from tonghop.numbers import format_vi as _n

if TYPE_CHECKING:
    from tonghop.intake.xml_scan import XmlScanner

# The handlers below run once per element of a sheet, so they decide the worst-case time: they keep their state in
# lists they close over (cheaper than attributes) and call out only when a cell ends.
_StartHandler = Callable[[str, dict[str, str]], None]      # expat: a start tag; an end tag or a text run
_Handler = Callable[[str], None]


def attach_sheet(scanner: XmlScanner) -> None:
    """At <sheetData>: the scanner's expat handlers swapped for the sheet's lean ones until </sheetData>."""
    scan = SheetScan(scanner.name, scanner.sheet_parts().get(scanner.name))
    scanner.scans.append(scan)
    # [row, col] of the cursor; the cell being read: [row, col, type, has value, has formula, text length]
    cursor = [-1, -1]
    cell: list[Any] = []
    collect: list[str] = []
    mode = [0]                      # 0 nothing, 1 count text length, 2 keep text (index / error)
    parser = scanner.parser
    parser.StartElementHandler = _start_handler(scanner, cursor, cell, collect, mode)
    parser.EndElementHandler = _end_handler(scanner, scan, cell, collect, mode)
    parser.CharacterDataHandler = _text_handler(cell, collect, mode)


def _start_handler(scanner: XmlScanner, cursor: list[int], cell: list[Any], collect: list[str],
                   mode: list[int]) -> _StartHandler:
    def start(tag: str, attrs: dict[str, str]) -> None:
        scanner.elements += 1
        if scanner.elements > MAX_XML_ELEMENTS:
            scanner.count()
        local = tag if ":" not in tag else tag.rpartition(":")[2]
        if local == "c":
            scanner.c_elements += 1
            if scanner.c_elements > MAX_BOOK_CELLS:
                raise Refused("too-many-cells", f"tệp có hơn {_n(MAX_BOOK_CELLS)} ô (kể cả ô chỉ có định dạng)")
            ref = attrs.get("r")
            if ref is None:
                row, col = cursor[0], cursor[1] + 1
            else:
                row, col = _parse_ref(ref)
                if row is None:
                    raise corrupt(f"địa chỉ ô '{ref[:20]}' không hợp lệ")
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
                raise corrupt(f"số dòng '{ref[:20]}' không hợp lệ")
            cursor[1] = -1          # a row far down with only a height or a style is no data: not counted
        elif cell:
            if local == "is":
                cell[3] = True
            elif local == "t":
                mode[0] = 1
            elif local == "f":
                cell[4] = True
    return start


def _end_handler(scanner: XmlScanner, scan: SheetScan, cell: list[Any], collect: list[str], mode: list[int]) -> _Handler:
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
            scanner.generic()
    return end


def _text_handler(cell: list[Any], collect: list[str], mode: list[int]) -> _Handler:
    def text(data: str) -> None:
        if mode[0] == 1:
            cell[5] += len(data)
        elif mode[0] == 2 and len(collect) < 4:
            collect.append(data[:32])
    return text


def _cell_done(scan: SheetScan, cell: list[Any], collected: str) -> None:
    row, col, typ, has_value, has_formula, text_len = cell
    if has_value:
        if row >= MAX_SHEET_ROWS:           # only a cell holding a value counts against the bound, not a styled one
            raise too_many_rows(scan, row)
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


_REF_RE = re.compile(r"\$?([A-Za-z]{1,7})\$?(\d{1,9})")


def _parse_ref(ref: str) -> tuple[int | None, int]:
    m = _REF_RE.fullmatch(ref)
    if not m:
        return None, 0
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1

