"""The fixed bounds a workbook's container is held to, the refusal that names one, and what an inspection counts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tonghop.numbers import format_size, format_vi
from tonghop.safe_text import plain_text

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
HEADER_SCAN_ROWS = 40                # a sheet's first rows, where tonghop.intake.read looks for what the sheet is

OOXML_SHEET_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}


class Refused(ValueError):
    """The file is not opened: `code` is a problem code (tonghop.problems), `detail` says why in Vietnamese."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


# the short names keep the many limit messages below on one line each
_n, _mb = format_vi, format_size


def corrupt(what: str = "") -> Refused:
    """The refusal of a damaged file (or one that is no workbook), saying what was found broken."""
    return Refused("file-unreadable", "tệp bị hỏng hoặc không phải là tệp Excel" + (f" ({what})" if what else ""))


def too_many_rows(scan: SheetScan, row: int) -> Refused:
    return Refused("too-many-cells", f"{scan.label()} có dữ liệu đến dòng {_n(row + 1)}, quá giới hạn "
                                     f"{_n(MAX_SHEET_ROWS)} dòng")


@dataclass
class Tail:
    """The rows of a sheet below HEADER_SCAN_ROWS, left uncounted (tonghop.intake.tails): where they start in the
    sheet's XML, how many elements they can hold at most, and what was counted exactly of the rest of the part."""

    at: int                                     # offset in SheetScan.xml of the first row past HEADER_SCAN_ROWS
    bound: int                                  # at most this many elements (cells included): one takes 4 bytes
    elements: int                               # elements counted in the part's other bytes
    cells: int                                  # cell elements among them


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
    # a worksheet part counted by tonghop.intake.fastscan: its XML (already in memory; a part is at most
    # xml_scan.FAST_PART_BYTES), and whether its cells come row by row, so tonghop.intake.read can give calamine
    # only the first rows of a sheet it reads no further (None / False: the expat scan counted it)
    xml: bytes | None = field(default=None, compare=False, repr=False)
    ordered: bool = field(default=False, compare=False)
    tail: Tail | None = None                    # rows left uncounted, which no parser may read before they are counted

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
    # what counting a tail later needs (tonghop.intake.tails): the elements and cell elements counted over all XML
    # parts, tails aside, and each shared string's length
    elements: int = field(default=0, compare=False)
    cells: int = field(default=0, compare=False)
    sst_lengths: list[int] = field(default_factory=list, compare=False, repr=False)


def check_totals(result: Inspection) -> None:
    """The bounds on each sheet and on the whole book, once every sheet is counted; raises Refused."""
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
