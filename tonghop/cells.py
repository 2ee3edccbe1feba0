"""Excel cell addresses: from 0-based (row, col) to `G12` and back, a sort key, and a place in words."""
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


def _listed(items: list[str], limit: int) -> str:
    """'9', '9 và 10', '9, 10 và 12'; past `limit` items, the first ones and '…'."""
    if len(items) > limit:
        return ", ".join(items[:limit]) + ", …"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " và " + items[-1]


def place_in_words(sheet: str, cells: list[str], stts: list[str | None] = (), limit: int = 4) -> str:
    """Where a problem is, as a clerk finds it without Excel references: 'trang Biểu 01, dòng 9 và 10 (STT 1, 2)'.

    `stts` are the STT column's texts of those rows, where the row has one."""
    if not sheet:
        return "cả tệp"
    rows = sorted({int(m.group(2)) for m in (_CELL_RE.match(c or "") for c in cells) if m})
    if not rows:
        return f"trang {sheet}"
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    parts: list[str] = []
    for a, b in runs:
        parts += [str(a)] if a == b else [str(a), str(b)] if b == a + 1 else [f"{a} đến {b}"]
    text = f"trang {sheet}, dòng {_listed(parts, limit)}"
    labels = list(dict.fromkeys(s for s in stts if s))
    return f"{text} (STT {_listed(labels, 2 * limit).replace(' và ', ', ')})" if labels else text
