"""The counts of an .xlsx <sheetData> written the plain way, read by whole-text regular expressions instead of per-element callbacks."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import compress, islice
from operator import le, or_

# Only a body that matches this grammar as a whole takes this road: rows and cells with every address given, the
# attributes Excel, LibreOffice and openpyxl write in the order the schema gives them, values and inline text without
# markup. Anything else (a prefix, single quotes, a comment, rich text, an unknown attribute...) is read by the
# expat scan in tonghop.intake.xlsx_sheet, which decides what such a file is; so both roads give the same answer.
_ROW_OPEN = (rb'<row r="[1-9][0-9]{0,8}"(?: spans="[0-9: ]*")?(?: s="[0-9]+")?(?: customFormat="[01]")?'
             rb'(?: ht="[0-9.]+")?(?: hidden="[01]")?(?: customHeight="[01]")?(?: outlineLevel="[0-9]")?'
             rb'(?: collapsed="[01]")?(?: thickTop="[01]")?(?: thickBot="[01]")?(?: ph="[01]")?'
             rb'(?: x14ac:dyDescent="[0-9.]+")?')
# {g} is "" where a group captures (the cell scan) and "?:" where it does not (the whole-body check)
_CELL = (rb'<c r="({g}[A-Z]{{1,3}})({g}[1-9][0-9]{{0,6}})"(?: s="[0-9]+")?(?: t="({g}[a-zA-Z]+)")?(?: cm="[0-9]+")?'
         rb'(?: vm="[0-9]+")?(?: ph="[01]")?'
         rb'(?: ?/>|>'
         rb'({g}<f(?: t="[a-z]+")?(?: aca="[01]")?(?: ref="[A-Z0-9:$ ]*")?(?: ca="[01]")?(?: si="[0-9]+")?'
         rb'(?: ?/>|>[^<]*</f>))?'
         rb'({g}<v ?/>|<v>({g}[^<]*)</v>|({g}<is>)<t(?: xml:space="preserve")?>({g}[^<]*)</t></is>)?'
         rb'</c>)')
_BODY = re.compile(rb'(?:' + _ROW_OPEN + rb'(?: ?/>|>(?:' + _CELL.replace(b"{g}", b"?:").replace(b"{{", b"{")
                   .replace(b"}}", b"}") + rb')*</row>))*')
_CELLS = re.compile(_CELL.replace(b"{g}", b"").replace(b"{{", b"{").replace(b"}}", b"}"))
# One pass instead of two (_BODY.fullmatch, then _CELLS.findall): _CELLS.split cuts the body at its cells, and what
# lies between them, each cell put back as a NUL (the body has none), must be rows holding only cells. The same
# answer as _BODY: a cell's match has one possible end (its "/>" or first "</c>"), and no row tag holds '<c r="'.
_ROWS = re.compile(rb'(?:' + _ROW_OPEN + rb'(?: ?/>|>\x00*</row>))*')
_STRIDE = _CELLS.groups + 1          # split gives the text before a cell, then the cell's groups
_ABSENT = {None: b""}                # a group that took no part: None from split, b"" from findall
# an "&" that starts no reference expat knows; character references that may name a character XML forbids (3-4
# decimal or 3 hex digits are all allowed ones: U+0064..U+270F, U+0100..U+0FFF)
_BAD_AMP = rb'&(?!#[0-9]{1,7};|#x[0-9a-fA-F]{1,6};|amp;|lt;|gt;|quot;|apos;)'
_ODD_REF = rb'&#(?:([0-9]{1,2}|[0-9]{5,7})|x([0-9a-fA-F]{1,2}|[0-9a-fA-F]{4,6}));'
# both in one pass (text is often written as references: most bodies have some): a bad "&" is found with both
# groups empty, an odd reference (which the first branch, for a reference expat knows, lets go) with one set
_AMP_CHECK = re.compile(_BAD_AMP + b"|" + _ODD_REF)
_REF = re.compile(rb'&(?:#([0-9]{1,7})|#x([0-9a-fA-F]{1,6})|amp|lt|gt|quot|apos);')
_CONTROLS = bytes(range(0x20))    # of these, XML text holds only tab, LF and CR (CR goes the long way too)
_TYPES = {b"", b"n", b"s", b"e", b"b", b"d", b"str", b"inlineStr"}     # "": no t attribute, a number
_TEXT_TYPES = {b"str", b"inlineStr"}


@dataclass
class FastSheet:
    """What the expat scan would have counted inside one <sheetData>, errors and formulas in document order."""

    rows: int = 0
    cols: int = 0
    cells: int = 0
    text: int = 0
    longest: int = 0
    last_row: int = 0                   # highest 0-based row holding a value (the per-cell bound)
    elements: int = 0
    c_elements: int = 0
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: list[tuple[int, int]] = field(default_factory=list)
    sst_refs: Counter = field(default_factory=Counter)
    ordered: bool = True                # every cell's row at or below the one before it (in document order)


def _valid_char(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _column(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col - 1


def scan_sheet_data(body: bytes) -> FastSheet | None:
    """The counts of the text between <sheetData> and </sheetData>, or None when it is not plainly written."""
    if (len(body.translate(None, _CONTROLS)) + body.count(b"\t") + body.count(b"\n") != len(body)
            or b"<!" in body or b"<?" in body or b"]]>" in body or b"\xef\xbf\xbe" in body or b"\xef\xbf\xbf" in body):
        return None     # a CR would need counting as expat folds CR LF: such a text goes the long way
    parts = _CELLS.split(body)
    if _ROWS.fullmatch(b"\x00".join(parts[::_STRIDE])) is None:
        return None
    if b"&" in body:
        found = set(_AMP_CHECK.findall(body))
        if (b"", b"") in found or not all(_valid_char(int(dec, 10) if dec else int(hexa, 16)) for dec, hexa in found):
            return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out = FastSheet(elements=body.count(b"<") - body.count(b"</"), c_elements=body.count(b"<c "))
    if len(parts) == 1:
        return out
    # column by column, so the work per cell stays in C: letters, digits, type, formula, value, <v> text, <is>, <t> text
    letters, digits = parts[1::_STRIDE], parts[2::_STRIDE]
    types, formulas, values, v_texts, inline, t_texts = (
        list(map(_ABSENT.get, column, column)) for column in (parts[k::_STRIDE] for k in range(3, _STRIDE)))
    if not set(types) <= _TYPES or not set(compress(types, inline)) <= {b"inlineStr"}:
        return None
    raws = list(map(bytes.__add__, v_texts, t_texts))          # one of the two is empty
    out.cells = len(values) - values.count(b"")
    numbers = list(map(int, digits))
    out.ordered = all(map(le, numbers, islice(numbers, 1, None)))
    if out.cells:
        out.last_row = max(compress(numbers, values)) - 1
        out.rows = out.last_row + 1
        out.cols = max(map(_column, set(compress(letters, values)))) + 1
    texts = list(compress(raws, map(_TEXT_TYPES.__contains__, types)))
    if texts:                           # a text cell without a value has an empty text: it changes no sum or max
        joined = b"\x00".join(texts)          # no NUL in the body (checked above): a safe separator
        if b"&" in joined:
            joined = _REF.sub(b"&", joined)   # a reference is one character
        lengths = list(map(len, joined.decode("utf-8").split("\x00")))
        out.text, out.longest = sum(lengths), max(lengths)
    shared = list(filter(None, compress(raws, map(b"s".__eq__, types))))
    if shared:
        if not all(map(bytes.isdigit, shared)) or max(map(len, shared)) > 9:
            return None
        out.sst_refs = Counter(map(int, shared))
    if b"<f" in body or b' t="e"' in body:
        for i in compress(range(len(letters)), map(or_, map(bool, formulas), map(b"e".__eq__, types))):
            typ, formula, value, raw = types[i], formulas[i], values[i], raws[i]
            if (typ in (b"s", b"e") and (b"&" in raw or len(raw) > 16)) or (formula and inline[i]):
                return None             # odd enough to be counted the long way
            collected = raw.decode("utf-8").strip() if typ in (b"s", b"e") else ""
            at = (int(digits[i]) - 1, _column(letters[i]))
            if typ == b"e" and value:
                out.errors[at] = collected[:16] or "#N/A"
            # a formula saved without its result: nothing in <v> (a number or text: not one character)
            if formula and (not value or (not collected if typ in (b"s", b"e") else not raw)):
                out.formulas.append(at)
    return out
