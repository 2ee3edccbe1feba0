"""A report's problems as the submitter reads them: grouped by column, capped, counted, and as a CSV file."""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

from schemas.catalogue import load_catalogue
from tonghop.cells import place_in_words
from tonghop.problems import ERROR, Problem, sort_key
from tonghop.safe_text import csv_text

MAX_LINES = 20          # problem lines in the body; the rest go to the attached CSV
MAX_RUNS = 4            # cell ranges named in one grouped line before "…"
SEVERITY_VI = {ERROR: "Lỗi (phải sửa)", "warning": "Cảnh báo (cần kiểm tra)"}
CSV_NAME = "danh-sach-van-de.csv"
_CELL_RE = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass(frozen=True)
class Line:
    """One line of the problem list: a single cell, or the same problem down one column."""

    severity: str
    title: str
    place: str              # Biểu 01!G12, or Biểu 01!G9:G24, G30 for a group
    where: str              # the same place in words: trang Biểu 01, dòng 9 và 10 (STT 1, 2)
    count: int              # cells covered
    message: str            # the first occurrence's message
    example: str | None     # the cell the message comes from, when grouped
    indicator: str | None   # indicator name, when the message does not already name it
    fix: str


@dataclass(frozen=True)
class Listing:
    errors: list[Line]
    warnings: list[Line]
    hidden_lines: int
    hidden_problems: int
    n_errors: int
    n_warnings: int

    @property
    def capped(self) -> bool:
        return self.hidden_lines > 0


def indicator_label(code: str | None) -> str | None:
    """'4.1. Tỷ lệ …' for an indicator, 'TT. Tuyên truyền …' for an activity, else the code itself."""
    if not code:
        return None
    cat = load_catalogue()
    if code in cat.indicators:
        return cat.indicators[code].label
    if code in cat.activities:
        return f"{code}. {cat.activities[code].vi}"
    return code


def group_lines(problems: list[Problem]) -> list[Line]:
    """Sorted problems, with repeats of one code in one column of one sheet folded into one line."""
    ordered = sorted(problems, key=sort_key)
    groups: dict[tuple, list[Problem]] = {}
    for i, p in enumerate(ordered):
        m = _CELL_RE.match(p.cell or "")
        # a problem without a cell (file level, a missing indicator) is never folded into another
        key = (p.severity, p.code, p.sheet, m.group(1)) if m else ("single", i)
        groups.setdefault(key, []).append(p)
    return [_line(members) for members in groups.values()]


def _line(members: list[Problem]) -> Line:
    first = members[0]
    message = first.message
    label = indicator_label(first.indicator)
    if label and (label in message or len({p.indicator for p in members}) > 1):
        label = None  # named already, or the group spans rows of several indicators
    where = place_in_words(first.sheet, [p.cell for p in members], [p.stt for p in members], MAX_RUNS)
    if len(members) == 1:
        return Line(first.severity, first.type.title, first.place, where, 1, message, None, label, first.fix)
    column = _CELL_RE.match(first.cell).group(1)
    rows = sorted({int(_CELL_RE.match(p.cell).group(2)) for p in members})
    runs = _runs(rows)
    text = ", ".join(f"{column}{a}" if a == b else f"{column}{a}:{column}{b}" for a, b in runs[:MAX_RUNS])
    if len(runs) > MAX_RUNS:
        text += ", …"
    return Line(first.severity, first.type.title, f"{first.sheet}!{text}", where, len(members), message,
                first.place, label, first.fix)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


def listing(problems: list[Problem], limit: int = MAX_LINES) -> Listing:
    """Lines to show, errors first; warnings get what errors leave of `limit`."""
    lines = group_lines(problems)
    errors = [ln for ln in lines if ln.severity == ERROR]
    warnings = [ln for ln in lines if ln.severity != ERROR]
    shown_e = errors[:limit]
    shown_w = warnings[: max(0, limit - len(shown_e))]
    hidden = errors[len(shown_e):] + warnings[len(shown_w):]
    return Listing(shown_e, shown_w, len(hidden), sum(ln.count for ln in hidden),
                   sum(ln.count for ln in errors), sum(ln.count for ln in warnings))


def kind_counts(problems: list[Problem]) -> list[tuple[str, str, int]]:
    """(severity, title, count) per kind of problem: errors first, then the most frequent."""
    counts = Counter(p.code for p in problems)
    types = {p.code: p.type for p in problems}
    rows = [(types[code].severity, types[code].title, n) for code, n in counts.items()]
    return sorted(rows, key=lambda r: (r[0] != ERROR, -r[2], r[1]))


def problems_csv(problems: list[Problem]) -> bytes:
    """Every problem, one per row, as CSV that Excel opens with the right diacritics (UTF-8 with BOM)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Mức độ", "Trang tính", "Ô", "Vị trí", "Mã vấn đề", "Vấn đề", "Chỉ tiêu", "Giá trị", "Nội dung",
                     "Cách sửa"])
    for p in sorted(problems, key=sort_key):
        row = [SEVERITY_VI[p.severity], p.sheet, p.cell, place_in_words(p.sheet, [p.cell], [p.stt]), p.code, p.type.title,
               indicator_label(p.indicator) or "", "" if p.value is None else str(p.value), p.message, p.fix]
        writer.writerow([csv_text(c) for c in row])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")
