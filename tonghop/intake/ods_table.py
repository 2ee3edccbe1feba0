"""An .ods <table:table> read by expat: repeated rows and columns counted as calamine will spread them."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tonghop.intake.bounds import MAX_MARKED_CELLS, MAX_SHEET_ROWS, MAX_XML_ELEMENTS, SheetScan, corrupt, too_many_rows

if TYPE_CHECKING:
    from tonghop.intake.xml_scan import XmlScanner

# As for an .xlsx sheet (tonghop.intake.xlsx_sheet), the handlers run once per element and keep their state in
# lists they close over.
_StartHandler = Callable[[str, dict[str, str]], None]      # expat: a start tag; an end tag or a text run
_Handler = Callable[[str], None]


def attach_table(scanner: XmlScanner, attrs: dict[str, str]) -> None:
    """At <table:table>: the scanner's expat handlers swapped for the table's lean ones until </table:table>."""
    name = attrs.get("table:name", "")
    scan = scanner.ods_sheets.setdefault(name, SheetScan(scanner.name, name))
    row = [0, 1, 0]                 # current row, its repeat, current column
    # the cell being read: [columns repeated, value type, has content, text length, error text parts]
    cell: list[Any] = []
    parser = scanner.parser
    parser.StartElementHandler = _start_handler(scanner, row, cell)
    parser.EndElementHandler = _end_handler(scanner, scan, row, cell)
    parser.CharacterDataHandler = _text_handler(cell)


def _start_handler(scanner: XmlScanner, row: list[int], cell: list[Any]) -> _StartHandler:
    def start(tag: str, attrs: dict[str, str]) -> None:
        scanner.elements += 1
        if scanner.elements > MAX_XML_ELEMENTS:
            scanner.count()
        if tag == "table:table-cell" or tag == "table:covered-table-cell":
            kind = attrs.get("calcext:value-type") or attrs.get("office:value-type")
            cell[:] = [_repeat(attrs.get("table:number-columns-repeated")), kind, kind is not None, 0,
                       [] if kind == "error" else None]
        elif tag == "table:table-row":
            row[1] = _repeat(attrs.get("table:number-rows-repeated"))
            row[2] = 0
        elif tag == "table:table":
            raise corrupt("bảng lồng trong bảng")
        elif cell:
            cell[2] = True          # <text:p> or any child: the cell holds something
    return start


def _end_handler(scanner: XmlScanner, scan: SheetScan, row: list[int], cell: list[Any]) -> _Handler:
    def end(tag: str) -> None:
        if tag == "table:table-cell" or tag == "table:covered-table-cell":
            if cell:
                repeat, kind, content, text_len, parts = cell
                if content:
                    rows = row[1]
                    if row[0] + rows > MAX_SHEET_ROWS:
                        raise too_many_rows(scan, row[0] + rows - 1)
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
            scanner.generic()
    return end


def _text_handler(cell: list[Any]) -> _Handler:
    def text(data: str) -> None:
        if cell:
            cell[3] += len(data)
            if cell[4] is not None and len(cell[4]) < 4:
                cell[4].append(data[:32])
    return text


def _repeat(value: str | None) -> int:
    if value is None:
        return 1
    if not value.isdigit() or len(value) > 9:
        raise corrupt(f"số lần lặp '{value[:20]}' không hợp lệ")
    return max(int(value), 1)
