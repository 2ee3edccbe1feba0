"""Earlier years' figures a province loads from a simple sheet (CSV or Excel), used where the database has none."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from schemas.catalogue import Catalogue
from tonghop.config import PERIOD_NAMES, Period
from tonghop.errors import ConfigError, os_reason
from tonghop.numbers import NotANumber, format_vi, parse_number

COLUMNS = {"period": "Kỳ", "code": "Mã chỉ tiêu", "value": "Giá trị", "numerator": "Tử số",
           "denominator": "Mẫu số", "source": "Nguồn"}
REQUIRED = ("period", "code")
MAX_LISTED = 20
# a value typed by hand and one computed from its Tử số/Mẫu số may differ by rounding, not by more
TOLERANCE = 0.05
_KINDS_VI = {name.lower(): kind for kind, name in PERIOD_NAMES.items()}
_PERIOD_VI = re.compile(r"^(6 tháng đầu năm|năm)\s+(\d{4})$", re.I)
_YES, _NO = {"có", "co", "x"}, {"không", "khong"}


@dataclass(frozen=True)
class EarlierFigure:
    """One row of the sheet: an indicator's province-wide value for an earlier period."""

    period: str                 # 2024-Y
    code: str                   # 1.1
    value: float
    numerator: float | None
    denominator: float | None
    source: str                 # where the province took it from (a report number, a statistics yearbook…)
    row: int


@dataclass(frozen=True)
class HistorySheet:
    path: Path
    figures: dict[tuple[str, str], EarlierFigure] = field(default_factory=dict)   # (code, period) → figure

    def sources(self, keys: set[tuple[str, str]]) -> dict[str, list[str]]:
        """The sources named for the given (code, period) rows, by period, oldest first."""
        out: dict[str, list[str]] = {}
        rows = sorted((self.figures[k] for k in keys if k in self.figures),
                      key=lambda f: (Period.parse(f.period).sort_key(), f.row))   # in the sheet's order
        for f in rows:
            if f.source and f.source not in out.setdefault(f.period, []):
                out[f.period].append(f.source)
        return {p: s for p, s in out.items() if s}


def read_period(raw: object) -> str:
    """2024-Y, 2024-H1, "Năm 2024", "6 tháng đầu năm 2024" or a bare year (2024: the year) as a period code."""
    text = re.sub(r"\s+", " ", str(raw if raw is not None else "")).strip()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        text = str(int(raw))
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-Y"
    m = _PERIOD_VI.match(text)
    if m:
        return f"{m.group(2)}-{_KINDS_VI[m.group(1).lower()]}"
    return Period.parse(text.upper()).code


def _rows_csv(path: Path) -> list[list[object]]:
    text = path.read_text(encoding="utf-8-sig")
    # Excel in a Vietnamese locale saves CSV with ";" (the comma is the decimal mark there)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(r) for r in csv.reader(text.splitlines(), delimiter=delimiter)]


def _rows_xlsx(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _header(row: list[object], path: Path) -> dict[str, int]:
    names = [re.sub(r"\s+", " ", str(c or "")).strip().lower() for c in row]
    found = {key: names.index(vi.lower()) for key, vi in COLUMNS.items() if vi.lower() in names}
    missing = [COLUMNS[k] for k in REQUIRED if k not in found]
    if "value" not in found and not {"numerator", "denominator"} <= set(found):
        missing.append(f"{COLUMNS['value']} (hoặc {COLUMNS['numerator']} và {COLUMNS['denominator']})")
    if missing:
        raise ConfigError(f"Tệp số liệu các năm trước {path}: dòng 1 phải là tiêu đề cột, thiếu cột "
                          f"{', '.join(missing)} (các cột: {', '.join(COLUMNS.values())})")
    return found


def _number(raw: object, what: str) -> float | None:
    try:
        return parse_number(raw)
    except NotANumber:
        raise ValueError(f"{what} “{raw}” không phải là số") from None


def _figure(cells: dict[str, object], catalogue: Catalogue, row: int) -> EarlierFigure:
    try:
        period = read_period(cells.get("period"))
    except ConfigError:
        raise ValueError(f"kỳ “{cells.get('period') or ''}” không đọc được (ghi Năm 2024, 6 tháng đầu năm 2024, "
                         f"2024-Y hoặc 2024-H1)") from None
    code = str(cells.get("code") or "").strip()
    ind = catalogue.indicators.get(code)
    if ind is None:
        raise ValueError(f"mã chỉ tiêu “{code}” không có trong danh mục" if code else "thiếu mã chỉ tiêu")
    raw_value = cells.get("value")
    if ind.is_boolean and isinstance(raw_value, str) and raw_value.strip().lower() in _YES | _NO:
        value = 1.0 if raw_value.strip().lower() in _YES else 0.0
    else:
        value = _number(raw_value, "giá trị")
    num = _number(cells.get("numerator"), "tử số")
    den = _number(cells.get("denominator"), "mẫu số")
    if (num is None) != (den is None):
        raise ValueError("ghi cả tử số và mẫu số, hoặc để trống cả hai")
    if den == 0:
        raise ValueError("mẫu số bằng 0")
    computed = None if num is None or ind.is_boolean else num / den * (ind.unit.factor or 1)
    if value is None and computed is None:
        raise ValueError(f"chỉ tiêu {code} chưa có giá trị (ghi giá trị, hoặc tử số và mẫu số)")
    if value is not None and computed is not None and abs(value - computed) > TOLERANCE:
        raise ValueError(f"giá trị {format_vi(value)} không khớp tử số/mẫu số "
                         f"({format_vi(num)}/{format_vi(den)} → {format_vi(computed)})")
    if value is None:
        value = computed
    if value < 0:
        raise ValueError(f"giá trị {format_vi(value)} âm")
    return EarlierFigure(period=period, code=code, value=value, numerator=num, denominator=den,
                         source=str(cells.get("source") or "").strip(), row=row)


def read_history_sheet(path: Path, catalogue: Catalogue) -> HistorySheet:
    """The sheet's figures, every row checked; ConfigError listing each wrong row by its number."""
    try:
        rows = _rows_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _rows_csv(path)
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp số liệu các năm trước {path}: {os_reason(exc)}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"Tệp số liệu các năm trước {path} không đọc được: lưu lại dạng CSV UTF-8 hoặc .xlsx "
                          f"({exc})") from exc
    except Exception as exc:   # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise ConfigError(f"Tệp số liệu các năm trước {path} không phải là tệp Excel .xlsx đọc được ({exc})") from exc
    if not rows:
        raise ConfigError(f"Tệp số liệu các năm trước {path} trống: dòng 1 phải là tiêu đề cột "
                          f"({', '.join(COLUMNS.values())})")
    cols = _header(rows[0], path)
    figures: dict[tuple[str, str], EarlierFigure] = {}
    errors: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {key: row[i] if i < len(row) else None for key, i in cols.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        try:
            f = _figure(cells, catalogue, number)
        except ValueError as exc:
            errors.append(f"dòng {number}: {exc}")
            continue
        if (f.code, f.period) in figures:
            errors.append(f"dòng {number}: chỉ tiêu {f.code}, {Period.parse(f.period).vi.lower()} đã có ở dòng "
                          f"{figures[(f.code, f.period)].row}")
            continue
        figures[(f.code, f.period)] = f
    if errors:
        more = [f"… và {len(errors) - MAX_LISTED} dòng sai khác"] if len(errors) > MAX_LISTED else []
        raise ConfigError("\n".join([f"Tệp số liệu các năm trước {path} có dòng sai:", *errors[:MAX_LISTED],
                                     *more]))
    return HistorySheet(path=path, figures=figures)


def with_sheet(history: dict[str, dict[str, float | None]], sheet: HistorySheet | None,
               period: Period) -> tuple[dict[str, dict[str, float | None]], set[tuple[str, str]],
                                        set[tuple[str, str]]]:
    """The database's history (code → period → value) completed from the sheet for periods before `period`:
    (history, (code, period) taken from the sheet, (code, period) where the database's value won)."""
    out = {code: dict(values) for code, values in history.items()}
    used: set[tuple[str, str]] = set()
    overridden: set[tuple[str, str]] = set()
    if sheet is None:
        return out, used, overridden
    for (code, p), f in sheet.figures.items():
        if Period.parse(p).sort_key() >= period.sort_key() or code not in out:
            continue
        if out[code].get(p) is not None:
            overridden.add((code, p))
        else:
            out[code][p] = f.value
            used.add((code, p))
    for code, values in out.items():
        for p in {p for _, p in used}:       # a period the sheet adds is on record for every indicator, as the
            values.setdefault(p, None)      # database's are: "chưa có số liệu" rather than no comparison at all
        # oldest first, as the outlook and the history sheet expect
        out[code] = dict(sorted(values.items(), key=lambda kv: Period.parse(kv[0]).sort_key()))
    return out, used, overridden
