"""Excel cell addresses: from 0-based (row, col) to `G12` and back, and a sort key."""
from __future__ import annotations

import re

_CELL_RE = re.compile(r"^([A-Z]+)(\d+)$")


def column_letter(col: int) -> str:
    """0-based column index to Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Excel letters to 0-based column index."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def address(row: int, col: int) -> str:
    """0-based (row, col) to an Excel address as the person sees it (row 0 -> 1)."""
    return f"{column_letter(col)}{row + 1}"


def cell_sort_key(cell: str) -> tuple[int, int]:
    m = _CELL_RE.match(cell or "")
    if not m:
        return (0, 0)
    return (int(m.group(2)), column_index(m.group(1)))
