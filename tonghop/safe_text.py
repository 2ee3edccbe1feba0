"""Safe text: what a submission says, neutralised before it is written into a spreadsheet, CSV, HTML, e-mail or terminal; ASCII slugs for names."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

MAX_CELL_CHARS = 32_767              # Excel's own limit for one cell; longer text is cut to this

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"); the full-width
# forms are turned into formulas by Excel under East Asian input settings.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# openpyxl refuses these in a cell (XML 1.0 cannot carry them)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_text(value: object) -> str:
    """A CSV field a spreadsheet shows as text: a leading apostrophe before what would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if formula_like(text) else text


def cell_value(value: Any) -> Any:
    """A value to put in an openpyxl cell: text made legal XML and cut to Excel's cell limit; others as they are.

    Use with `set_cell` (or set `data_type = "s"` afterwards): openpyxl itself stores any str starting with
    "=" as a formula.
    """
    if not isinstance(value, str):
        return value
    text = _ILLEGAL_XML.sub("\ufffd", value)
    return text[:MAX_CELL_CHARS]


def set_cell(ws: Any, row: int, col: int, value: Any) -> Any:
    """Write one value into an openpyxl worksheet, never as a formula; returns the cell."""
    cell = ws.cell(row, col)
    cell.value = cell_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"        # "=HYPERLINK(...)" from a submission stays the text it was
    return cell


def plain_text(value: object, limit: int | None = None) -> str:
    """One line of display text: control and format characters (CR/LF, ESC, bidi overrides such as U+202E,
    zero-width marks) removed, spaces collapsed, NFC, cut to `limit` with "…". For mail headers, terminal
    output, file names shown to people."""
    text = "" if value is None else unicodedata.normalize("NFC", str(value))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else
                   "" if unicodedata.category(ch) == "Cf" else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def html_text(value: object) -> str:
    """Text for HTML written without a template engine (Jinja's autoescape covers the templates)."""
    from markupsafe import escape

    return str(escape("" if value is None else str(value)))


def terminal_text(value: object, limit: int | None = 120) -> Any:
    """A rich Text for the CLI: no markup interpretation ("[/]" in a file name), no escape sequences."""
    from rich.text import Text

    return Text(plain_text(value, limit))


def slugify(text: str) -> str:
    """ASCII slug of a Vietnamese name: 'Sơn La' -> 'son-la'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
