"""Read one submitted workbook (.xlsx/.xlsm/.xls/.ods/.csv) into raw rows with their source cells.

Sheets, header block and table are found by their labels, never by fixed positions; the table stops at
the footer. Values come from python-calamine (fast, cached formula results); openpyxl is opened only for
.xlsx/.xlsm files where a number format matters (a value cell that may be formatted as a percentage).
Nothing here judges the figures: that is tonghop.check.validate's job. Before any parser opens a workbook,
tonghop.intake.container inspects its container within fixed bounds (size, inflated size, cells, text), so a hostile
file is answered with a problem instead of exhausting memory or time.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import python_calamine as pc

from schemas import labels as L
from tonghop.intake import container as safety
from tonghop.intake.bounds import HEADER_SCAN_ROWS
from tonghop.cells import address, column_index
from tonghop.problems import Problem
from tonghop.intake.container import MAX_FILE_BYTES, Refused
from tonghop.intake.tails import scan_whole
from tonghop.intake.zip_parts import replace_parts
from tonghop.numbers import format_size, format_vi
from tonghop.safe_text import MAX_CELL_CHARS, plain_text

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
OPENPYXL_SUFFIXES = {".xlsx", ".xlsm"}
# HEADER_SCAN_ROWS (tonghop.intake.bounds): the table header is searched for in the first rows only
HEADER_SCAN_COLS = 200      # ... and in the first columns (the form has 10)
MAX_LABEL_CHARS = 300       # longer text is never a label: not worth normalising
NUMBER_FIELDS = ("numerator", "denominator", "count", "participants", "men", "women", "budget")


class CellError(str):
    """An Excel error value (#DIV/0!, #N/A…) read from a cell: it reads as its text; rows.py reports it."""


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    visible: bool = True
    formula_cells: set[str] = field(default_factory=set)       # formulas saved without their result ("G12")
    long_cells: dict[str, int] = field(default_factory=dict)   # cell -> its length before it was cut
    # (zip part, its XML cut after the rows that tell it is no form) for a sheet read only that far (see load_sheets)
    head: tuple[str, bytes] | None = field(default=None, repr=False)

    @property
    def whole(self) -> bool:
        return self.head is None


@dataclass
class RawRow:
    """One data row: raw cell contents by field, the Excel row number and each field's cell address."""

    row: int
    values: dict[str, Any]
    cells: dict[str, str]


@dataclass
class ParsedFile:
    path: Path
    sha256: str
    size: int
    header: dict[str, Any] = field(default_factory=dict)        # unit_code, unit_name, period, reporter, email
    header_cells: dict[str, str] = field(default_factory=dict)  # field -> "Biểu 01!C2"
    indicator_sheet: str | None = None
    activity_sheet: str | None = None
    indicator_rows: list[RawRow] = field(default_factory=list)
    activity_rows: list[RawRow] = field(default_factory=list)
    percent_cells: set[str] = field(default_factory=set)       # value cells formatted as %
    problems: list[Problem] = field(default_factory=list)


def hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_sheets(path: Path, data: bytes, whole: bool = True) -> list[Sheet]:
    """Every sheet's values as a grid anchored at A1. Raises on an unreadable file (safety.Refused when
    the file is beyond the reading bounds). whole=False (parse_file): a sheet whose name says it is no form
    is read only as far as _sheet_kind_by_content and locate_table look, unless those rows hold a form's table."""
    if path.suffix.lower() == ".csv" and safety.container_kind(data) == "other":
        # only text is read as CSV: a workbook renamed .csv is read as the workbook it is (below)
        _refuse_binary(data)
        sheet = _load_csv(path, data)
        _cut_long_text(sheet)
        return [sheet]
    # before calamine: it allocates rows × columns densely. The rows calamine will not read may go uncounted
    # (tonghop.intake.tails): they are counted before a sheet is read whole
    inspection = safety.inspect_workbook(data, cut=not whole)
    heads = {} if whole else _heads(inspection)
    book = data
    if heads:
        try:
            book = replace_parts(data, {scan.part: head for scan, head in heads.values()})
        except ValueError:      # a zip64 or encrypted entry, which replace_parts does not write: read it whole,
            heads = {}          # every row counted first
    for name in [name for name, scan in inspection.sheets.items() if scan.tail is not None and name not in heads]:
        scan_whole(inspection, name)
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(book))
    for name in heads.keys() - set(wb.sheet_names):     # cut, but named otherwise by calamine: openpyxl reads it whole
        scan_whole(inspection, name)
    full: list[pc.CalamineWorkbook] = []           # the file itself, opened when a cut sheet turns out to be a form
    sheets = []
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            if len(meta.name) > 255:
                raise Refused("file-unreadable", "tên trang tính dài bất thường (Excel chỉ cho 31 ký tự)")
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheet = Sheet(meta.name, rows, meta.visible == pc.SheetVisibleEnum.Visible)
            if meta.name in heads:
                sheet.head = heads[meta.name][0].part, heads[meta.name][1]
            if not sheet.whole and _needs_whole(sheet):
                scan_whole(inspection, meta.name)
                if not full:
                    full.append(pc.CalamineWorkbook.from_filelike(io.BytesIO(data)))
                sheet.rows, sheet.head = full[0].get_sheet_by_name(meta.name).to_python(skip_empty_area=False), None
            scan = inspection.sheets.get(meta.name)
            if scan is not None:
                _mark_cells(sheet, scan)
            if inspection.longest > MAX_CELL_CHARS:
                _cut_long_text(sheet)
            sheets.append(sheet)
    finally:
        wb.close()
        for opened in full:
            opened.close()
    return sheets


def _needs_whole(head: Sheet) -> bool:
    """Whether a sheet no name makes a form, read up to row HEADER_SCAN_ROWS, must be read whole: when its first
    rows make it a form (_sheet_kind_by_content) holding that form's table header (locate_table), pick_sheets,
    _read_table and _extra_forms read its rows down to the footer. Otherwise nothing reads past those rows (the
    guide sheet names "Biểu 01" in its text but holds no table header)."""
    kind = _sheet_kind_by_content(head)
    if kind is None:
        return False
    _kind, columns, key, _informative, _label = next(t for t in _TABLES if t[0] == kind)
    return locate_table(head, columns, key) is not None


# a cell's opening tag as tonghop.intake.fastscan accepts it (a plainly written sheet: no "<" inside any text)
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')


def _heads(inspection: safety.Inspection) -> dict[str, tuple[safety.SheetScan, bytes]]:
    """Sheet name -> (its scan, its part's XML cut after row HEADER_SCAN_ROWS), for each sheet that no name makes
    a form (the guide, the area list) and that goes on below those rows: calamine then reads the form's sheets
    whole and only the first rows of the others, so a province's long area list costs nothing to read. Only a
    sheet fastscan counted (plainly written) whose cells come row by row is cut: the cut keeps every cell of
    the first rows, the same XML byte for byte, and nothing else of the sheet's data. A sheet whose rows below
    were left uncounted (SheetScan.tail) is always cut, at the latest where they begin."""
    out = {}
    for name, scan in inspection.sheets.items():
        if scan.xml is None or L.sheet_key(name) is not None or (
                scan.tail is None and (not scan.ordered or scan.rows <= HEADER_SCAN_ROWS)):
            continue
        xml = scan.xml
        start, end = xml.find(b"<sheetData>"), xml.rfind(b"</sheetData>")
        stop = end if scan.tail is None else scan.tail.at
        for found in _CELL_ROW.finditer(xml, start, stop):
            if int(found.group(1)) > HEADER_SCAN_ROWS:
                # inside that cell's row: close it and the sheet's data, keep what follows (merges, page setup)
                out[name] = (scan, xml[:found.start()] + b"</row></sheetData>" + xml[end + len(b"</sheetData>"):])
                break
        else:
            if scan.tail is not None:       # between two rows
                out[name] = (scan, xml[:stop] + b"</sheetData>" + xml[end + len(b"</sheetData>"):])
    return out


def _mark_cells(sheet: Sheet, scan: safety.SheetScan) -> None:
    """Put back what calamine drops: error values (read as "" from .xlsx, as 0 from .ods) and formulas
    saved without a result."""
    for (r, c), text in scan.errors.items():
        if r < len(sheet.rows) and c < len(sheet.rows[r]):
            sheet.rows[r][c] = CellError(text)
    sheet.formula_cells = {address(r, c) for r, c in scan.formulas}


def _cut_long_text(sheet: Sheet) -> None:
    """Text beyond Excel's own cell limit is cut, so no report, message or row carries megabytes."""
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row):
            if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                sheet.long_cells[address(r, c)] = len(v)
                row[c] = type(v)(v[:MAX_CELL_CHARS]) if isinstance(v, CellError) else v[:MAX_CELL_CHARS]


def _label(v: Any) -> str:
    """normalize_label, for cells short enough to be a label."""
    if isinstance(v, str) and len(v) > MAX_LABEL_CHARS:
        return ""
    return L.normalize_label(v)


def _refuse_binary(data: bytes) -> None:
    """A file named .csv that is not text (an archive, a PDF, an image…) is said to be what it is."""
    for magic, reason in MAGIC:
        if data.startswith(magic):
            raise Refused("file-unreadable", reason)
    head = data[:4096]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Refused("file-unreadable", _NOT_A_WORKBOOK)


def _load_csv(path: Path, data: bytes) -> Sheet:
    # Excel's "Unicode Text" is UTF-16 with a byte-order mark; latin-1 reads anything, so it comes last
    encodings = ("utf-16",) if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else ()
    for encoding in (*encodings, "utf-8-sig", "cp1258", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    # Excel writes ';' where the decimal mark is ',' (Vietnamese settings); take the commonest separator
    # outside quotes of the first lines rather than csv.Sniffer, which guesses wrong on sparse forms.
    sample = "\n".join(text.splitlines()[:20])
    delimiter = max(",;\t", key=sample.count)
    rows: list[list[Any]] = []
    cells = 0
    try:
        for r in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(r)
            cells += len(r)
            if len(rows) > safety.MAX_SHEET_ROWS or cells > safety.MAX_SHEET_GRID:
                raise Refused("too-many-cells", f"tệp CSV vượt giới hạn {format_vi(safety.MAX_SHEET_ROWS)} dòng hoặc "
                                                f"{format_vi(safety.MAX_SHEET_GRID)} ô")
    except csv.Error as exc:
        # the csv module refuses a field over 128 KiB (and a few malformed lines): no form looks like that
        raise Refused("file-unreadable", f"tệp CSV có ô dài bất thường hoặc sai định dạng ở dòng {len(rows) + 1}") from exc
    return Sheet(path.stem, rows)


def _cell(rows: list[list[Any]], r: int, c: int) -> Any:
    if r < len(rows) and c < len(rows[r]):
        v = rows[r][c]
        return None if v == "" else v
    return None


def _sheet_kind_by_content(sheet: Sheet) -> str | None:
    for r in range(min(len(sheet.rows), HEADER_SCAN_ROWS)):
        for v in sheet.rows[r][:12]:
            n = _label(v)
            if n.startswith("bieu 01") or n == L.normalize_label(L.INDICATOR_COLUMNS["indicator"][1]):
                return "indicators"
            if n.startswith("bieu 02") or n == L.normalize_label(L.ACTIVITY_COLUMNS["activity"][1]):
                return "activities"
    return None


def pick_sheets(sheets: list[Sheet]) -> tuple[dict[str, Sheet], list[Problem]]:
    """The sheet to read for each kind: by name first, then by content; visible sheets win."""
    found: dict[str, Sheet] = {}
    problems: list[Problem] = []
    for visible_pass in (True, False):
        for sheet in sheets:
            if sheet.visible != visible_pass:
                continue
            kind = L.sheet_key(sheet.name) or _sheet_kind_by_content(sheet)
            if kind is None:
                continue
            if kind in found:
                if not sheet.visible:
                    problems.append(Problem("hidden-sheet-ignored", sheet.name, "", sheet.name))
                continue
            # second pass: a hidden copy of the form is read only when no visible sheet of that kind exists
            found[kind] = sheet
    return found, problems


def read_header(sheet: Sheet) -> tuple[dict[str, Any], dict[str, str]]:
    """The header block: for each known label in the first rows, the first filled cell to its right."""
    wanted = {L.normalize_label(text): key for key, text in L.HEADER_FIELDS.items()}
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    for r in range(min(len(sheet.rows), 12)):
        row = sheet.rows[r]
        for c in range(min(len(row), 3)):
            key = wanted.get(_label(row[c]).rstrip(":").strip())
            if key and key not in values:
                for c2 in range(c + 1, min(len(row), c + 6)):
                    if _cell(sheet.rows, r, c2) is not None:
                        values[key] = row[c2]
                        cells[key] = f"{sheet.name}!{address(r, c2)}"
                        break
                else:
                    values[key] = None
                    cells[key] = f"{sheet.name}!{address(r, c + 2)}"
                break
    return values, cells


class _ColumnMatcher:
    """Header labels to fields for one table: exact label, then alias, then "label (unit)" prefix.
    Built once per process for each table (_matcher), never per cell: a header scan looks at hundreds of cells."""

    def __init__(self, columns: dict[str, tuple[str, str]]) -> None:
        self.exact: dict[str, str] = {}
        for fld, (_letter, header) in columns.items():
            self.exact.setdefault(L.normalize_label(header), fld)
        self.alias: dict[str, str] = {}
        for fld, aliases in L.COLUMN_ALIASES.items():
            if fld in columns:
                for a in aliases:
                    self.alias.setdefault(L.normalize_label(a), fld)
        self.prefixes = [(h, fld) for fld, (_letter, header) in columns.items()   # "Giá trị (%)", "Tử số (người)"
                         if len(h := L.normalize_label(header)) > 3]
        self.seen: dict[str, str | None] = {}

    def match(self, label: str) -> str | None:
        # every form repeats the same header texts: each is looked up once per process
        try:
            return self.seen[label]
        except (KeyError, TypeError):
            pass
        found = self._match(label)
        if isinstance(label, str) and len(self.seen) < 50_000:
            self.seen[label] = found
        return found

    def _match(self, label: str) -> str | None:
        n = _label(label)
        if not n:
            return None
        found = self.exact.get(n) or self.alias.get(n)
        if found:
            return found
        return next((fld for h, fld in self.prefixes if n.startswith(h)), None)


@cache
def _matcher(columns: tuple[tuple[str, tuple[str, str]], ...]) -> _ColumnMatcher:
    """The matcher of a table's columns, built once per process (the columns are the form's constants)."""
    return _ColumnMatcher(dict(columns))


def locate_table(sheet: Sheet, columns: dict[str, tuple[str, str]], key_field: str) -> tuple[int, dict[str, int]] | None:
    """(first data row, field -> column index), from the header row holding the key column's label."""
    matcher = _matcher(tuple(columns.items()))
    for r in range(min(len(sheet.rows), HEADER_SCAN_ROWS)):
        mapping: dict[str, int] = {}
        for c, v in enumerate(sheet.rows[r][:HEADER_SCAN_COLS]):
            fld = matcher.match(v) if isinstance(v, str) else None
            if fld and fld not in mapping:
                mapping[fld] = c
        if key_field not in mapping:
            continue
        start = r + 1
        # A second header row (merged "Số người tham gia" over Tổng | Nam | Nữ), then maybe "(1) (2) (3)".
        if start < len(sheet.rows) and _is_subheader(sheet.rows[start]):
            for c, v in enumerate(sheet.rows[start][:HEADER_SCAN_COLS]):
                n = _label(v)
                if n in ("tong", "tong so", "cong") and "participants" in columns:
                    mapping["participants"] = c
                elif n == "nam" and "men" in columns:
                    mapping["men"] = c
                elif n == "nu" and "women" in columns:
                    mapping["women"] = c
            start += 1
        while start < len(sheet.rows) and _is_numbering_row(sheet.rows[start]):
            start += 1
        return start, mapping
    return None


def _is_subheader(row: list[Any]) -> bool:
    texts = [_label(v) for v in row[:HEADER_SCAN_COLS] if v not in ("", None)]
    return bool(texts) and all(isinstance(v, str) for v in row if v not in ("", None)) and (
        "nam" in texts or "nu" in texts)


def _is_numbering_row(row: list[Any]) -> bool:
    cells = [str(v).strip() for v in row if v not in ("", None)]
    return len(cells) >= 3 and all(s.startswith("(") and s.endswith(")") for s in cells)


def _is_footer(row: list[Any]) -> bool:
    for v in row:
        if isinstance(v, str) and v.strip():
            n = _label(v)
            return n.startswith(L.FOOTER_MARKERS) or bool(L.FOOTER_DATE_RE.search(n))
    return False


def read_table(sheet: Sheet, columns: dict[str, tuple[str, str]], key_field: str,
               informative: set[str]) -> list[RawRow] | None:
    """Data rows under the table header, skipping blank rows and section headings, stopping at the footer
    (or at a second copy of the table header: a second form pasted below is not read)."""
    found = _read_rows(sheet, columns, key_field, informative)
    return None if found is None else found[0]


def _read_rows(sheet: Sheet, columns: dict[str, tuple[str, str]], key_field: str,
               informative: set[str]) -> tuple[list[RawRow], int | None] | None:
    """read_table's rows, and the Excel row of a second copy of the table header (below the table, or
    below its footer), if the sheet has one."""
    located = locate_table(sheet, columns, key_field)
    if located is None:
        return None
    start, mapping = located
    key_col = mapping[key_field]
    key_only = _matcher(((key_field, columns[key_field]),))
    out: list[RawRow] = []
    r = start
    for r in range(start, len(sheet.rows)):
        row = sheet.rows[r]
        if _is_footer(row):
            break
        key = row[key_col] if key_col < len(row) else None
        if isinstance(key, str) and key_only.match(key) == key_field:
            return out, r + 1
        values = {f: _cell(sheet.rows, r, c) for f, c in mapping.items()}
        data_fields = [f for f, v in values.items() if v is not None and f not in informative]
        if not data_fields:
            continue   # blank row, or a heading such as "Mục tiêu 1: ..." in an informative column
        out.append(RawRow(r + 1, values, {f: address(r, c) for f, c in mapping.items()}))
    for r2 in range(r + 1, len(sheet.rows)):      # a whole second form pasted under the first one's footer
        if any(isinstance(v, str) and key_only.match(v) == key_field
               for v in sheet.rows[r2][:HEADER_SCAN_COLS]):
            return out, r2 + 1
    return out, None


def find_percent_cells(path: Path, data: bytes, sheet_name: str, rows: list[RawRow], fld: str) -> set[str]:
    """Value cells whose number format is a percentage (the cell holds 0.455, the screen shows 45,5%)."""
    import openpyxl  # only when needed: it is the slow reader

    candidates = {r.cells[fld] for r in rows
                  if fld in r.cells and isinstance(r.values.get(fld), float) and abs(r.values[fld]) <= 1.5}
    if not candidates:
        return set()
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = wb[sheet_name]
        col = column_index("".join(ch for ch in next(iter(candidates)) if ch.isalpha())) + 1
        rows_wanted = sorted(int("".join(ch for ch in c if ch.isdigit())) for c in candidates)
        found = set()
        for row in ws.iter_rows(min_row=rows_wanted[0], max_row=rows_wanted[-1], min_col=col, max_col=col):
            for cell in row:
                coord = getattr(cell, "coordinate", None)
                if coord in candidates and "%" in (cell.number_format or ""):
                    found.add(coord)
        return found
    finally:
        wb.close()


# the two tables of a form: sheet kind, its columns, the key column, the columns that alone make no row (a heading,
# a number in the STT column), the key column's heading as the form prints it
_TABLES = (("indicators", L.INDICATOR_COLUMNS, "indicator", {"stt", "indicator_name", "area_name", "note"}, "Mã chỉ tiêu"),
           ("activities", L.ACTIVITY_COLUMNS, "activity", {"stt", "description", "note"}, "Mã hoạt động"))


def parse_file(path: Path, data: bytes | None = None) -> ParsedFile:
    """Read one file. Problems that stop reading (unreadable, too large, no form) come back as data, not
    exceptions; `path` gives the name and format, `data` (when given) the content."""
    path = Path(path)
    if data is None:
        data = path.read_bytes()
    parsed = ParsedFile(path=path, sha256=hash_bytes(data), size=len(data))
    sheets = _load_or_refuse(parsed, data)
    if sheets is None:
        return parsed
    chosen, sheet_problems = pick_sheets(sheets)
    parsed.problems.extend(sheet_problems)
    if not chosen:
        names = ", ".join(f"'{plain_text(s.name, 40)}'" for s in sheets[:6])
        detail = f" (tệp có các trang: {names})" if sheets else " (tệp không có trang tính nào)"
        parsed.problems.append(Problem("form-not-found", params={"detail": detail}))
        return parsed
    first = chosen.get("indicators") or chosen["activities"]
    parsed.header, parsed.header_cells = read_header(first)
    if "activities" in chosen and "unit_code" not in parsed.header:   # Biểu 01 without a header block
        parsed.header, parsed.header_cells = read_header(chosen["activities"])
    for table in _TABLES:
        if table[0] in chosen:
            _read_table(parsed, data, sheets, chosen[table[0]], table)
    return parsed


def _as_read(data: bytes, sheets: list[Sheet]) -> bytes:
    """The file as calamine read it, each sheet read only to its first rows holding only those: openpyxl, opening
    the file for number formats, looks into every sheet, and must find no row the inspection left uncounted."""
    cut = {sheet.head[0]: sheet.head[1] for sheet in sheets if sheet.head is not None}
    return replace_parts(data, cut) if cut else data


def _load_or_refuse(parsed: ParsedFile, data: bytes) -> list[Sheet] | None:
    """The file's sheets, or None with the problem that stops reading it noted on `parsed`."""
    if len(data) > MAX_FILE_BYTES:
        parsed.problems.append(Problem("file-too-large", params={
            "detail": f"tệp nặng {format_size(len(data))}, quá giới hạn {format_size(MAX_FILE_BYTES)}"}))
        return None
    if len(data) == 0:
        parsed.problems.append(Problem("file-unreadable", params={"detail": "tệp rỗng (0 byte)"}))
        return None
    try:
        return load_sheets(parsed.path, data, whole=False)
    except Refused as exc:
        parsed.problems.append(Problem(exc.code, params={"detail": exc.detail}))
    except Exception as exc:  # noqa: BLE001 - calamine raises several types; any of them means "cannot read"
        parsed.problems.append(Problem("file-unreadable", params={"detail": _describe_read_error(exc, data)}))
    return None


def _read_table(parsed: ParsedFile, data: bytes, sheets: list[Sheet], sheet: Sheet, table: tuple) -> None:
    """One table of the form (an entry of _TABLES) read from its sheet into `parsed`, with its problems."""
    kind, columns, key, informative, label = table
    found = _read_rows(sheet, columns, key, informative)
    if found is None:
        parsed.problems.append(Problem("form-not-found", sheet.name, "", params={
            "detail": f": trang '{plain_text(sheet.name, 40)}' không có dòng tiêu đề '{label}' "
                      f"trong {HEADER_SCAN_ROWS} dòng đầu"}))
        return
    rows, second = found
    if kind == "indicators":
        parsed.indicator_sheet, parsed.indicator_rows = sheet.name, rows
        if parsed.path.suffix.lower() in OPENPYXL_SUFFIXES and data[:2] == b"PK":
            try:
                book = _as_read(data, sheets)
                parsed.percent_cells = find_percent_cells(parsed.path, book, sheet.name, rows, "value")
            except Exception:  # noqa: BLE001 - a refinement: calamine read the file, openpyxl may not
                parsed.percent_cells = set()
    else:
        parsed.activity_sheet, parsed.activity_rows = sheet.name, rows
    if second is not None:
        parsed.problems.append(Problem("extra-form-ignored", sheet.name, f"{columns[key][0]}{second}", params={
            "detail": f"bảng thứ hai từ dòng {second} của trang '{plain_text(sheet.name, 40)}'",
            "used": f"bảng đầu tiên của trang '{plain_text(sheet.name, 40)}'"}))
    parsed.problems.extend(_extra_forms(sheets, sheet, kind, columns, key, informative))
    parsed.problems.extend(_cell_warnings(sheet, rows, parsed.header_cells))


def _sheet_kind(sheet: Sheet) -> str | None:
    return L.sheet_key(sheet.name) or _sheet_kind_by_content(sheet)


def _extra_forms(sheets: list[Sheet], used: Sheet, kind: str, columns: dict[str, tuple[str, str]], key: str,
                 informative: set[str]) -> list[Problem]:
    """A visible sheet holding a second filled table of the same form: its figures are not read, say so."""
    out = []
    for other in sheets:
        if other is used or not other.visible or _sheet_kind(other) != kind:
            continue
        found = _read_rows(other, columns, key, informative)
        if found and found[0]:
            name, used_name = plain_text(other.name, 40), plain_text(used.name, 40)
            out.append(Problem("extra-form-ignored", other.name, "", other.name, params={
                "detail": f"trang '{name}'", "used": f"trang '{used_name}'"}))
    return out


def _cell_warnings(sheet: Sheet, rows: list[RawRow], header_cells: dict[str, str]) -> list[Problem]:
    """Cells read but not as the sender sees them: text cut at Excel's limit, formulas saved without result
    (a Giá trị formula is recomputed from Tử số/Mẫu số, so it is not mentioned)."""
    prefix = f"{sheet.name}!"
    header = {place[len(prefix):] for place in header_cells.values() if place.startswith(prefix)}
    out = [Problem("formula-without-value", sheet.name, cell) for cell in sorted(header & sheet.formula_cells)]
    out += [_long(sheet, cell, None) for cell in sorted(header & sheet.long_cells.keys())]
    for row in rows:
        code = _code_of(row)
        for fld, cell in row.cells.items():
            if fld in NUMBER_FIELDS and cell in sheet.formula_cells:
                out.append(Problem("formula-without-value", sheet.name, cell, None, code))
            if cell in sheet.long_cells:
                out.append(_long(sheet, cell, code))
    return out


def _long(sheet: Sheet, cell: str, code: str | None) -> Problem:
    return Problem("text-too-long", sheet.name, cell, None, code,
                   {"length": format_vi(sheet.long_cells[cell]), "limit": format_vi(MAX_CELL_CHARS)})


def _code_of(row: RawRow) -> str | None:
    code = row.values.get("indicator", row.values.get("activity"))
    return None if code is None else str(code).strip()[:16]


_UNPACK = "; hãy giải nén rồi gửi tệp bảng tính bên trong"
MAGIC = [
    (b"%PDF", "tệp PDF được đổi đuôi thành bảng tính"),
    (b"\x89PNG", "tệp ảnh được đổi đuôi thành bảng tính"),
    (b"\xff\xd8\xff", "tệp ảnh được đổi đuôi thành bảng tính"),
    (b"{\\rtf", "tệp văn bản Word/RTF được đổi đuôi thành bảng tính"),
    (b"\x1f\x8b", "tệp nén gzip được đổi đuôi thành bảng tính" + _UNPACK),
    (b"7z\xbc\xaf\x27\x1c", "tệp nén 7z được đổi đuôi thành bảng tính" + _UNPACK),
    (b"Rar!\x1a\x07", "tệp nén RAR được đổi đuôi thành bảng tính" + _UNPACK),
]
_NOT_A_WORKBOOK = "tệp không phải bảng tính Excel/LibreOffice hoặc đã bị hỏng"


def _describe_read_error(exc: Exception, data: bytes) -> str:
    """Why a file could not be opened, in words the sender can act on."""
    text = str(exc).lower()
    if isinstance(exc, pc.PasswordError) or "password" in text or "encrypt" in text:
        return "tệp được đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại"
    for magic, reason in MAGIC:
        if data.startswith(magic):
            return reason
    if data.startswith(b"\xd0\xcf\x11\xe0") and not text.startswith("xls"):
        # an OLE container where .xlsx was expected: Excel stores encrypted workbooks this way
        return "tệp được đặt mật khẩu hoặc là định dạng Office cũ bị hỏng"
    if data.startswith(b"PK"):
        return "tệp bị hỏng hoặc không phải là tệp Excel"
    return _NOT_A_WORKBOOK
