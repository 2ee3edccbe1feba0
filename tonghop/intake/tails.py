"""The rows of a sheet that no parser reads (its tail): left uncounted by the inspection, counted before any reader.

Every form carries the guide sheet with the province's whole area list, one row per commune: counting those rows
cost each file time in proportion to the province's size, though tonghop.intake.read gives calamine (and openpyxl)
only the first HEADER_SCAN_ROWS rows of a sheet no name makes a form. So inspect_workbook(data, cut=True) counts
such a sheet exactly up to its first row numbered past HEADER_SCAN_ROWS and measures the rest only by its length
(XmlScanner._tail_start; SheetScan.tail). The bounds still hold:

- over the whole file, each tail is taken to hold as many elements, and cells, as its length allows (4 bytes each:
  "<a/>"); when that could pass MAX_XML_ELEMENTS or MAX_BOOK_CELLS, the tails are counted exactly (check_tails),
  so a file is refused for too many elements or cells exactly when the whole count refuses it;
- whatever reads a tail counts it first, by the same fastscan / expat code, and is refused as the whole count
  would have refused the file (scan_whole): read.load_sheets before it reads a sheet whole (its first rows make it
  a form), reports.annotate before openpyxl opens a sheet it does not copy as it is.

What a tail holds is otherwise not read, and changes no answer: a guide sheet whose tail holds a value in row
200,000, an error value, a formula without its result, damaged XML, or a cell addressed back into the first
rows, is read as its first rows, as written, say. (Counted whole, the first and the fourth made the file
refused, and the last went among the first rows.) Every file Excel, LibreOffice or openpyxl writes gets the
answer the whole count gives it: the rows of such a sheet come in order, and it holds no broken XML.
"""
from __future__ import annotations

from tonghop.intake.bounds import MAX_BOOK_CELLS, MAX_XML_ELEMENTS, Inspection, check_totals
from tonghop.intake.xml_scan import XmlScanner


def check_tails(result: Inspection) -> None:
    """The bounds over all XML parts with every tail at its most; near a bound, the tails counted exactly."""
    tails = {name: scan.tail.bound for name, scan in result.sheets.items() if scan.tail is not None}
    most = sum(tails.values())
    if result.elements + most > MAX_XML_ELEMENTS or result.cells + most > MAX_BOOK_CELLS:
        for name in tails:
            scan_whole(result, name)


def scan_whole(result: Inspection, name: str) -> None:
    """Sheet `name` counted whole, before a parser reads all its rows: its SheetScan replaced by the whole count's
    and the bounds checked again; raises Refused as inspecting the file with every row counted would have.
    Nothing to do for a sheet counted whole already."""
    scan = result.sheets.get(name)
    if scan is None or scan.tail is None or scan.xml is None:
        return
    scanner = XmlScanner()
    # the scanner starts where the inspection left off, this part aside: the same totals, the sheet's own name in
    # its refusals (the part as its relationship's absolute target), the shared strings' lengths for its text
    scanner.elements, scanner.c_elements = result.elements - scan.tail.elements, result.cells - scan.tail.cells
    scanner.workbook_sheets, scanner.rels = [(name, "whole")], {"whole": "/" + scan.part}
    scanner.sst_lengths = result.sst_lengths
    scanner.part(scan.part, iter([scan.xml]), len(scan.xml))
    counted = scanner.finish(result.kind).sheets
    # in its place among the sheets (check_totals names the first one past a bound), with any other sheet the
    # whole part turns out to hold
    result.sheets = {**{key: counted.pop(name) if key == name else other for key, other in result.sheets.items()},
                     **counted}
    result.elements, result.cells = scanner.elements, scanner.c_elements
    check_totals(result)
