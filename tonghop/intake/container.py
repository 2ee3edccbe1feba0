"""Untrusted content in: a workbook's container is inspected within fixed bounds before any parser opens it."""
from __future__ import annotations

import struct

from tonghop.intake.biff import inspect_ole
from tonghop.intake.tails import check_tails
from tonghop.intake.bounds import (MAX_BIFF_RECORDS, MAX_BOOK_CELLS, MAX_BOOK_GRID, MAX_BOOK_TEXT,
                                   MAX_FILE_BYTES, MAX_MARKED_CELLS, MAX_SHARED_STRINGS, MAX_SHEET_GRID,
                                   MAX_SHEET_ROWS, MAX_SHEETS, MAX_UNPACKED_BYTES, MAX_XML_ELEMENTS, MAX_ZIP_ENTRIES,
                                   OOXML_SHEET_ERRORS, Inspection, Refused, SheetScan, check_totals)
from tonghop.intake.zip_parts import inspect_zip
from tonghop.numbers import format_size as _mb

# the bounds and the results are imported from here too (tonghop.intake.read, tonghop.mail, tonghop.mailbox)
__all__ = ["MAX_BIFF_RECORDS", "MAX_BOOK_CELLS", "MAX_BOOK_GRID", "MAX_BOOK_TEXT", "MAX_FILE_BYTES", "MAX_MARKED_CELLS",
           "MAX_SHARED_STRINGS", "MAX_SHEET_GRID", "MAX_SHEET_ROWS", "MAX_SHEETS", "MAX_UNPACKED_BYTES", "MAX_XML_ELEMENTS",
           "MAX_ZIP_ENTRIES", "OOXML_SHEET_ERRORS", "Inspection", "Refused", "SheetScan", "container_kind", "inspect_workbook"]

# Excel 2.x-4.0 wrote BIFF records straight into the file (no OLE container): the BOF record's type by version
_OLD_BIFF = {b"\x09\x00": "2.x", b"\x09\x02": "3.0", b"\x09\x04": "4.0"}


def inspect_workbook(data: bytes, cut: bool = False) -> Inspection:
    """Check a workbook against the bounds (tonghop.intake.bounds) before calamine or openpyxl sees it; raises Refused.

    Bounds are checked on what the file really holds (parts inflated with a cap, cells counted from the XML
    or BIFF records), never on what it declares, so a file that lies about its sizes is refused too.
    cut=True: the rows a reader that looks only at a sheet's first rows never reads may be left uncounted
    (SheetScan.tail); whoever reads them counts them first (tonghop.intake.tails.scan_whole).
    """
    if len(data) > MAX_FILE_BYTES:
        raise Refused("file-too-large", f"tệp nặng {_mb(len(data))}, quá giới hạn {_mb(MAX_FILE_BYTES)}")
    kind = container_kind(data)
    if kind == "zip":
        result = inspect_zip(data, cut)
        check_tails(result)
    elif kind == "ole":
        result = inspect_ole(data)
    elif kind == "biff":
        raise Refused("file-unreadable", f"tệp ở định dạng Excel {_OLD_BIFF[data[:2]]} đời cũ (trước Excel 97), "
                                         "chương trình không đọc được định dạng này")
    else:
        return Inspection("other")
    check_totals(result)
    return result


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
