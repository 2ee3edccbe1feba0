"""National consolidation for the Ministry: read the provinces' SDMX-CSV files, validate them with one Pandera
schema over all files' rows, recompute national values (ratio of summed numerators and denominators; yes/no
indicators as the share of provinces saying yes) and write the national report (.xlsx) and SDMX-CSV (REF_AREA=VN).

A problem in an input file is data, never an exception: it is reported per file with its code, CSV line,
column, value and a Vietnamese message. A file-level problem (unreadable, columns, structure, province,
period) leaves the whole file out; a row error leaves out that indicator of that province; warnings never do.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from schemas.catalogue import Catalogue, Indicator, load_catalogue
from schemas.indicators import ABS_TOLERANCE, REL_TOLERANCE
from tonghop.reports import sdmx
from tonghop.errors import os_reason
from tonghop.reports.guide import FORM_FONT
from tonghop.numbers import format_vi
from tonghop.problems import ERROR, NATIONAL_PROBLEM_TYPES as PROBLEMS, WARNING
from tonghop.provinces import NATIONAL_CODE, PROVINCES, short_name
from tonghop.safe_text import set_cell
from tonghop.consolidate.targets import status as target_status, target_text
from tonghop.statuses import (
    ACCEPTED, ACHIEVED, FILE_USE_VI, MISSING, NO_DATA, NOT_ACHIEVED, PARTIAL, REJECTED, TARGET_STATUS_VI, TO_CHECK,
)

INPUT_SUFFIXES = {".csv"}

# the column a frame-level check points at
CHECK_COLUMN = {"value-mismatch": "OBS_VALUE", "zero-denominator": "DENOMINATOR", "missing-value": "OBS_VALUE",
                "numerator-above-denominator": "NUMERATOR", "not-boolean": "OBS_VALUE", "duplicate-row": "INDICATOR",
                "unit-mismatch": "UNIT_MEASURE", "period-mismatch": "TIME_PERIOD", "mixed-province": "REF_AREA"}
PARSED = {"OBS_VALUE": "obs", "NUMERATOR": "num", "DENOMINATOR": "den", "UNIT_COUNT": "count"}


@dataclass
class NationalProblem:
    file: str
    code: str
    severity: str
    row: int | None            # line of the CSV file (1 = the header line); None for the file as a whole
    column: str
    value: str | None
    message: str
    indicator: str | None = None

    @property
    def file_level(self) -> bool:
        return PROBLEMS[self.code].file_level


@dataclass
class ProvinceFile:
    """One input file and what became of it."""

    path: Path
    province: str | None = None
    time_period: str | None = None
    rows: list[dict[str, str]] = field(default_factory=list)
    problems: list[NationalProblem] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)        # indicators left out because of a row error
    used: bool = False

    @property
    def rejected(self) -> bool:
        return any(p.file_level for p in self.problems)

    @property
    def status(self) -> str:
        if self.rejected:
            return REJECTED
        return PARTIAL if self.blocked else ACCEPTED

    def add(self, code: str, row: int | None = None, column: str = "", value: str | None = None,
            indicator: str | None = None, **params: Any) -> None:
        kind = PROBLEMS[code]
        severity, template = kind.severity, kind.template
        text = template.format_map({"value": value, "column": column, "indicator": indicator, "detail": "",
                                    "expected": "", "province": self.province, **params})
        self.problems.append(NationalProblem(self.path.name, code, severity, row, column, value, text, indicator))


@dataclass
class NationalValue:
    """One national observation: an indicator and sex, recomputed from the provinces' parts."""

    indicator: str
    sex: str                         # _T | M | F
    unit: str                        # SDMX unit code of the national value (percent for yes/no shares)
    value: float | None
    numerator: float | None
    denominator: float | None
    provinces: list[str]             # provinces whose figure went into the value
    units: int                       # reporting units behind those figures (sum of UNIT_COUNT)
    value_only: list[str]            # provinces with a value but no numerator/denominator: not summed
    missing: list[str]               # provinces with no usable figure
    target: str
    status: str | None               # achieved | not_achieved | no_data | None (no target)
    to_check: list[str] = field(default_factory=list)   # provinces whose figure is U (to check): not summed


@dataclass
class NationalResult:
    period: str | None               # tonghop period code, 2025-Y / 2025-H1
    time_period: str | None          # SDMX, 2025 / 2025-S1
    files: list[ProvinceFile]
    values: list[NationalValue]
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def problems(self) -> list[NationalProblem]:
        return [p for f in self.files for p in f.problems]


# --- reading ------------------------------------------------------------------------------------------------

def read_province_file(path: Path) -> ProvinceFile:
    """The file's rows as text; unreadable files and missing columns become problems of the file."""
    pf = ProvinceFile(Path(path))
    try:
        header, rows = sdmx.read_sdmx(path)
    except (sdmx.SdmxReadError, OSError) as exc:
        pf.add("file-unreadable", detail=str(exc) if isinstance(exc, sdmx.SdmxReadError) else os_reason(exc))
        return pf
    missing = [c for c in sdmx.COLUMNS if c not in header]
    if missing:
        pf.add("columns-missing", 1, value=", ".join(missing), expected=", ".join(sdmx.COLUMNS))
        return pf
    for c in header:
        if c not in sdmx.COLUMNS:
            pf.add("extra-column", 1, c, c)
    if not rows:
        pf.add("empty-file", 1)
        return pf
    index = {c: header.index(c) for c in sdmx.COLUMNS}
    pf.rows = [{c: (r[i] if i < len(r) else "") for c, i in index.items()} for r in rows]
    areas = Counter(r["REF_AREA"] for r in pf.rows)
    pf.province = areas.most_common(1)[0][0]
    pf.time_period = Counter(r["TIME_PERIOD"] for r in pf.rows).most_common(1)[0][0]
    return pf


def choose_period(files: list[ProvinceFile], period: str | None) -> str | None:
    """The SDMX period of the round: the one asked for, else the commonest among the readable files."""
    if period:
        return sdmx.sdmx_period(period)
    seen = Counter(f.time_period for f in files if f.time_period and sdmx.period_code(f.time_period))
    return seen.most_common(1)[0][0] if seen else None


# --- validation: one schema over every file's rows ----------------------------------------------------------

def _number_ok(s: pd.Series) -> pd.Series:
    return (s == "") | s.str.match(sdmx.NUMBER_RE.pattern)


def _to_float(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.where(_number_ok(s) & (s != "")), errors="coerce").astype("float64")


def build_frame(files: list[ProvinceFile], catalogue: Catalogue) -> pd.DataFrame:
    """Every row of every file, as text plus parsed numbers, file index and CSV line."""
    records = [{"file_idx": i, "line": n + 2, **row} for i, f in enumerate(files) for n, row in enumerate(f.rows)]
    df = pd.DataFrame.from_records(records, columns=["file_idx", "line", *sdmx.COLUMNS])
    for c in sdmx.COLUMNS:
        df[c] = df[c].astype(object).fillna("").astype(str)
    for column, short in PARSED.items():
        df[short] = _to_float(df[column])
    units = {code: ind.unit.code for code, ind in catalogue.indicators.items()}
    factors = {code: (ind.unit.factor if ind.unit.factor is not None else math.nan)
               for code, ind in catalogue.indicators.items()}
    df["expected_unit"] = df["INDICATOR"].map(units).fillna("")
    df["factor"] = df["INDICATOR"].map(factors).astype("float64")
    boolean = {c for c, i in catalogue.indicators.items() if i.is_boolean}
    share = {c for c, i in catalogue.indicators.items() if i.numerator_le_denominator and not i.is_boolean}
    df["boolean"] = df["INDICATOR"].isin(boolean).astype(bool)
    df["share"] = df["INDICATOR"].isin(share).astype(bool)
    df["file_area"] = df["file_idx"].map({i: f.province or "" for i, f in enumerate(files)})
    return df


def _value_matches(df: pd.DataFrame) -> pd.Series:
    expected = df["num"] / df["den"].where(df["den"] != 0) * df["factor"]
    tol = (expected.abs() * REL_TOLERANCE).clip(lower=ABS_TOLERANCE)
    bad = ((df["obs"] - expected).abs() > tol).fillna(False)
    return ~(bad & ~((df["num"] < 0) | (df["den"] < 0)))


def build_schema(catalogue: Catalogue, time_period: str | None) -> pa.DataFrameSchema:
    """The schema every row of every province's file must satisfy; each check named by its problem code."""
    nonneg = pa.Check(lambda s: ~(s < 0), name="negative-value")
    number = pa.Check(_number_ok, name="not-a-number")
    columns = {
        "STRUCTURE": pa.Column(checks=pa.Check(lambda s: s == sdmx.STRUCTURE, name="wrong-structure")),
        "STRUCTURE_ID": pa.Column(checks=pa.Check(lambda s: s == sdmx.STRUCTURE_ID, name="wrong-structure")),
        "ACTION": pa.Column(checks=pa.Check(lambda s: s == sdmx.ACTION, name="wrong-structure")),
        "REF_AREA": pa.Column(checks=pa.Check(lambda s: s.isin(list(PROVINCES)), name="unknown-province")),
        "TIME_PERIOD": pa.Column(checks=pa.Check(lambda s: s.str.match(sdmx.PERIOD_RE.pattern), name="period-invalid")),
        "INDICATOR": pa.Column(checks=pa.Check(lambda s: s.isin(list(catalogue.indicators)), name="unknown-indicator")),
        "SEX": pa.Column(checks=pa.Check(lambda s: s.isin(list(sdmx.SEX_VI)), name="invalid-sex")),
        "OBS_VALUE": pa.Column(checks=number),
        "OBS_STATUS": pa.Column(checks=pa.Check(lambda s: s.isin(list(sdmx.OBS_STATUSES)), name="invalid-status")),
        "NUMERATOR": pa.Column(checks=number),
        "DENOMINATOR": pa.Column(checks=number),
        "UNIT_COUNT": pa.Column(checks=number),
        "obs": pa.Column(float, nonneg, nullable=True),
        "num": pa.Column(float, nonneg, nullable=True),
        "den": pa.Column(float, nonneg, nullable=True),
        "count": pa.Column(float, [nonneg, pa.Check(lambda s: s.isna() | (s == s.round()), name="not-whole-number")],
                           nullable=True),
    }
    checks = [
        pa.Check(lambda d: (d["expected_unit"] == "") | (d["UNIT_MEASURE"] == d["expected_unit"]), name="unit-mismatch"),
        pa.Check(lambda d: (d["OBS_STATUS"] != "A") | (d["OBS_VALUE"] != ""), name="missing-value"),
        pa.Check(lambda d: ~((d["den"] == 0) & d["num"].notna()), name="zero-denominator"),
        pa.Check(lambda d: ~(d["share"] & (d["num"] > d["den"])), name="numerator-above-denominator"),
        pa.Check(_value_matches, name="value-mismatch"),
        pa.Check(lambda d: ~d["boolean"] | d["obs"].isna() | d["obs"].isin([0.0, 1.0]), name="not-boolean"),
        pa.Check(lambda d: ~d.duplicated(["file_idx", "INDICATOR", "SEX"], keep=False), name="duplicate-row"),
        pa.Check(lambda d: (d["REF_AREA"] == d["file_area"]), name="mixed-province"),
    ]
    if time_period:
        checks.append(pa.Check(lambda d: ~d["TIME_PERIOD"].str.match(sdmx.PERIOD_RE.pattern)
                               | (d["TIME_PERIOD"] == time_period), name="period-mismatch"))
    return pa.DataFrameSchema(columns, checks=checks, name="sdmx-binh-dang-gioi", strict=False, coerce=False)


def _failures(schema: pa.DataFrameSchema, df: pd.DataFrame) -> list[tuple[str, str | None, int]]:
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna()]
        return [(str(c), col if isinstance(col, str) else None, int(i))
                for c, col, i in zip(fc["check"], fc["column"], fc["index"])]
    return []


def validate_files(files: list[ProvinceFile], catalogue: Catalogue, time_period: str | None) -> None:
    """Add every row problem to its file, then settle which files and indicators are used."""
    readable = [f for f in files if f.rows and not f.rejected]
    if readable:
        df = build_frame(readable, catalogue)
        seen: set[tuple] = set()
        for check, column, idx in sorted(_failures(build_schema(catalogue, time_period), df), key=lambda x: x[2]):
            row = df.loc[idx]
            # a frame-level check lists every column of a failing row: it points at its own column
            col = CHECK_COLUMN.get(check) or {v: k for k, v in PARSED.items()}.get(column or "", column) or ""
            # a file-level problem is said once per file and column, at its first row
            key = (check, int(row["file_idx"]), col) if PROBLEMS[check].file_level else (check, idx)
            if key in seen:
                continue
            seen.add(key)
            pf = readable[int(row["file_idx"])]
            value = str(row[col]) if col in sdmx.COLUMNS else None
            params: dict[str, Any] = {"expected": "", "numerator": row["NUMERATOR"], "denominator": row["DENOMINATOR"],
                                      "sex": sdmx.SEX_VI.get(row["SEX"], row["SEX"])}
            if check == "wrong-structure":
                params["expected"] = {"STRUCTURE": sdmx.STRUCTURE, "STRUCTURE_ID": sdmx.STRUCTURE_ID,
                                      "ACTION": sdmx.ACTION}[col]
            elif check == "unit-mismatch":
                params["expected"] = row["expected_unit"]
            elif check == "value-mismatch":
                params["expected"] = format_vi(row["num"] / row["den"] * row["factor"])
            elif check == "period-mismatch":
                params["expected"] = time_period
            elif check == "mixed-province":
                params["detail"] = ", ".join(sorted({r["REF_AREA"] for r in pf.rows}))
            indicator = row["INDICATOR"] or None
            pf.add(check, int(row["line"]), col, value, indicator, **params)
            if PROBLEMS[check].severity == ERROR and not PROBLEMS[check].file_level and indicator:
                pf.blocked.add(indicator)
    _settle_duplicates(files)


def _settle_duplicates(files: list[ProvinceFile]) -> None:
    """Two usable files of one province: the one written later is used, the other is set aside."""
    by_province: dict[str, list[ProvinceFile]] = {}
    for f in files:
        if not f.rejected and f.province:
            by_province.setdefault(f.province, []).append(f)
    for province, group in by_province.items():
        group.sort(key=lambda f: (f.path.stat().st_mtime, f.path.name))
        for f in group[:-1]:
            f.add("duplicate-province", None, "REF_AREA", province, province=PROVINCES.get(province, province),
                  detail=group[-1].path.name)
    for f in files:
        f.used = not f.rejected


# --- national values ----------------------------------------------------------------------------------------

def _target(ind: Indicator, year: int, value: float | None, boolean_share: bool) -> tuple[str, str | None]:
    """(target text, status) of a national value: the catalogue's target, or national_targets for yes/no."""
    if not boolean_share:
        return target_text(ind, year), target_status(ind, value, year)
    in_force = next(((m, t) for m, t in sorted(ind.national_targets.items()) if year <= m), None)
    if in_force is None and ind.national_targets:
        in_force = max(ind.national_targets.items())
    if in_force is None:
        return "", None
    text = f"≥ {format_vi(in_force[1])}% số tỉnh"
    if value is None:
        return text, NO_DATA
    return text, ACHIEVED if round(value, 9) >= in_force[1] else NOT_ACHIEVED


def national_values(files: list[ProvinceFile], catalogue: Catalogue, time_period: str | None) -> list[NationalValue]:
    """One value per indicator and sex reported by some province, in catalogue order."""
    year = int(time_period[:4]) if time_period else datetime.now().year
    parts: dict[tuple[str, str], list[tuple[str, dict[str, str]]]] = {}
    for f in files:
        if not f.used:
            continue
        for row in f.rows:
            code = row["INDICATOR"]
            if code in catalogue.indicators and code not in f.blocked and row["SEX"] in sdmx.SEX_VI:
                parts.setdefault((code, row["SEX"]), []).append((f.province or "", row))
    out: list[NationalValue] = []
    for code, ind in catalogue.indicators.items():
        sexes = [s for s in ("_T", "M", "F") if (code, s) in parts] or ["_T"]
        for sex in sexes:
            given = [(p, r) for p, r in parts.get((code, sex), []) if r["OBS_STATUS"] == "A"]
            to_check = sorted(p for p, r in parts.get((code, sex), []) if r["OBS_STATUS"] == "U")
            got: list[str] = []
            value_only: list[str] = []
            units = 0
            if ind.is_boolean:
                yes = 0
                for province, r in given:
                    obs = sdmx.parse_number(r["OBS_VALUE"])
                    got.append(province)
                    yes += obs == 1
                    units += int(sdmx.parse_number(r["UNIT_COUNT"]) or 0)
                num, den = (float(yes), float(len(got))) if got else (None, None)
                value = yes / len(got) * 100 if got else None
                unit = "percent"
            else:
                num_sum = den_sum = 0.0
                for province, r in given:
                    n, d = sdmx.parse_number(r["NUMERATOR"]), sdmx.parse_number(r["DENOMINATOR"])
                    if n is None or d is None:
                        value_only.append(province)
                        continue
                    got.append(province)
                    num_sum, den_sum = num_sum + n, den_sum + d
                    units += int(sdmx.parse_number(r["UNIT_COUNT"]) or 0)
                num, den = (num_sum, den_sum) if got else (None, None)
                value = num_sum / den_sum * ind.unit.factor if got and den_sum else None
                unit = ind.unit.code
            target, state = _target(ind, year, value, ind.is_boolean)
            out.append(NationalValue(code, sex, unit, value, num, den, sorted(got), units, sorted(value_only),
                                     [p for p in PROVINCES if p not in got + value_only + to_check], target, state,
                                     to_check))
    return out


def national_sdmx_rows(values: list[NationalValue], time_period: str) -> list[dict[str, str]]:
    return [{"STRUCTURE": sdmx.STRUCTURE, "STRUCTURE_ID": sdmx.STRUCTURE_ID, "ACTION": sdmx.ACTION,
             "REF_AREA": NATIONAL_CODE, "TIME_PERIOD": time_period, "INDICATOR": v.indicator, "SEX": v.sex,
             "OBS_VALUE": sdmx.sdmx_number(v.value), "UNIT_MEASURE": v.unit,
             "OBS_STATUS": "A" if v.value is not None else "M", "NUMERATOR": sdmx.sdmx_number(v.numerator),
             "DENOMINATOR": sdmx.sdmx_number(v.denominator), "UNIT_COUNT": str(len(v.provinces))}
            for v in values]


# --- the national report (.xlsx) ----------------------------------------------------------------------------

_BOLD = Font(name=FORM_FONT, bold=True)
_HEAD = PatternFill("solid", fgColor="D9E1F2")
_STATUS_FILL = {ACHIEVED: "C6EFCE", NOT_ACHIEVED: "FFC7CE", NO_DATA: "EDEDED", TO_CHECK: "FFEB9C"}


def _table(ws: Worksheet, row: int, headers: list[str], widths: list[int]) -> None:
    for c, (text, width) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(row, c, text)
        cell.font, cell.fill = _BOLD, _HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = ws.cell(row + 1, 1)


def write_national_xlsx(result: NationalResult, path: Path, catalogue: Catalogue) -> Path:
    """Three views: by indicator, by province, problems."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Theo chỉ tiêu"
    label = result.period or "không rõ kỳ"
    ws["A1"] = f"TỔNG HỢP TOÀN QUỐC CÁC CHỈ TIÊU BÌNH ĐẲNG GIỚI — KỲ {label}"
    ws["A1"].font = Font(name=FORM_FONT, bold=True, size=13)
    ws["A2"] = ("Giá trị toàn quốc = tổng Tử số / tổng Mẫu số của các tỉnh (không lấy trung bình các tỷ lệ); chỉ tiêu "
                "có/không = tỷ lệ % số tỉnh trả lời có.")
    ws["A2"].font = Font(name=FORM_FONT, italic=True)
    _table(ws, 4, ["Mã", "Chỉ tiêu", "Phân tổ", "Đơn vị tính", "Giá trị toàn quốc", "Tử số", "Mẫu số", "Chỉ tiêu",
                   "Đánh giá", "Số tỉnh", "Số đơn vị báo cáo", "Ghi chú"],
           [7, 60, 9, 14, 14, 16, 16, 16, 16, 9, 12, 50])
    r = 5
    for v in result.values:
        ind = catalogue.indicators[v.indicator]
        notes = []
        if v.to_check:
            notes.append("Cần kiểm tra số liệu, không cộng: " + ", ".join(v.to_check))
        if v.value_only:
            notes.append("Chỉ có giá trị, không cộng được: " + ", ".join(v.value_only))
        if v.missing:
            notes.append(f"Chưa có số liệu của {len(v.missing)} tỉnh")
        row = [ind.code, ind.vi, sdmx.SEX_VI[v.sex],
               "% số tỉnh" if ind.is_boolean else ind.unit.vi, v.value, v.numerator, v.denominator, v.target,
               TARGET_STATUS_VI.get(v.status, ""), len(v.provinces), v.units, "; ".join(notes) or None]
        for c, x in enumerate(row, start=1):
            cell = set_cell(ws, r, c, x)
            cell.alignment = Alignment(wrap_text=c in (2, 12), vertical="top")
            if c == 5:
                cell.number_format = "0.00"
            elif c in (6, 7):
                cell.number_format = "#,##0.##"
        if v.status in _STATUS_FILL:
            ws.cell(r, 9).fill = PatternFill("solid", fgColor=_STATUS_FILL[v.status])
        r += 1

    ws = wb.create_sheet("Theo tỉnh")
    columns = [(v.indicator, v.sex) for v in result.values]
    _table(ws, 1, ["Mã tỉnh", "Tỉnh, thành phố", "Tệp", "Tình trạng", "Lỗi", "Cảnh báo"]
           + [f"{c}{'' if s == '_T' else ' ' + sdmx.SEX_VI[s]}" for c, s in columns],
           [8, 22, 34, 16, 7, 9] + [10] * len(columns))
    by_province = {f.province: f for f in result.files if f.used and f.province}
    r = 2
    for code, name in PROVINCES.items():
        f = by_province.get(code)
        values = {(row["INDICATOR"], row["SEX"]): sdmx.parse_number(row["OBS_VALUE"])
                  for row in (f.rows if f else []) if row["INDICATOR"] not in (f.blocked if f else set())
                  and sdmx.NUMBER_RE.match(row["OBS_VALUE"] or "x")}
        cells = [code, short_name(name), f.path.name if f else None, FILE_USE_VI[f.status if f else MISSING],
                 sum(p.severity == ERROR for p in f.problems) if f else None,
                 sum(p.severity == WARNING for p in f.problems) if f else None] + [values.get(k) for k in columns]
        for c, x in enumerate(cells, start=1):
            set_cell(ws, r, c, x)   # file names and notes come from the provinces' files
        r += 1
    for f in result.files:   # files not used, or of no known province
        if f.used and f.province in PROVINCES:
            continue
        cells = [f.province, PROVINCES.get(f.province or "", ""), f.path.name,
                 "Không dùng (tệp trùng)" if any(p.code == "duplicate-province" for p in f.problems)
                 else FILE_USE_VI[REJECTED],
                 sum(p.severity == ERROR for p in f.problems), sum(p.severity == WARNING for p in f.problems)]
        for c, x in enumerate(cells, start=1):
            set_cell(ws, r, c, x)   # file names and notes come from the provinces' files
        r += 1

    ws = wb.create_sheet("Vấn đề")
    _table(ws, 1, ["Tệp", "Mã lỗi", "Mức độ", "Dòng", "Cột", "Giá trị", "Chỉ tiêu", "Nội dung"],
           [34, 26, 10, 7, 14, 18, 9, 90])
    r = 2
    for p in result.problems:
        cells = [p.file, p.code, "Lỗi" if p.severity == ERROR else "Cảnh báo", p.row, p.column, p.value, p.indicator,
                 p.message]
        for c, x in enumerate(cells, start=1):
            set_cell(ws, r, c, x).alignment = Alignment(wrap_text=c == 8, vertical="top")
        r += 1
    if r == 2:
        ws.cell(2, 1, "Không có vấn đề nào trong các tệp của các tỉnh.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# --- the whole run ------------------------------------------------------------------------------------------

def find_inputs(inputs: Path) -> list[Path]:
    """The provinces' files: every .csv of the folder (not hidden), by name."""
    return sorted(p for p in Path(inputs).iterdir()
                  if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith((".", "~$")))


def consolidate_national(paths: list[Path], period: str | None = None,
                         catalogue: Catalogue | None = None) -> NationalResult:
    """Read, validate and consolidate the given files (no writing)."""
    catalogue = catalogue or load_catalogue()
    files = [read_province_file(p) for p in paths]
    time_period = choose_period(files, period)
    validate_files(files, catalogue, time_period)
    values = national_values(files, catalogue, time_period)
    return NationalResult(sdmx.period_code(time_period) if time_period else None, time_period, files, values)


def write_outputs(result: NationalResult, out: Path, catalogue: Catalogue | None = None) -> dict[str, Path]:
    """OUT/<period>/: bao-cao-quoc-gia-<period>.xlsx, VN-<TIME_PERIOD>.csv (SDMX) and quoc-gia.json."""
    catalogue = catalogue or load_catalogue()
    folder = Path(out) / (result.period or "khong-ro-ky")
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {"xlsx": write_national_xlsx(result, folder / f"bao-cao-quoc-gia-{result.period or 'khong-ro-ky'}.xlsx",
                                           catalogue)}
    if result.time_period:
        outputs["sdmx"] = sdmx.write_sdmx(national_sdmx_rows(result.values, result.time_period),
                                          folder / f"{NATIONAL_CODE}-{result.time_period}.csv")
    outputs["json"] = folder / "quoc-gia.json"
    outputs["json"].write_text(json.dumps(summary(result), ensure_ascii=False, indent=2), encoding="utf-8")
    result.outputs = outputs
    return outputs


def summary(result: NationalResult) -> dict[str, Any]:
    """The run as data: files and their status, problem counts, national values."""
    return {
        "period": result.period, "time_period": result.time_period,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files": [{"file": f.path.name, "province": f.province, "status": f.status, "used": f.used,
                   "errors": sum(p.severity == ERROR for p in f.problems),
                   "warnings": sum(p.severity == WARNING for p in f.problems)} for f in result.files],
        "provinces_reporting": sorted({f.province for f in result.files if f.used and f.province}),
        "provinces_missing": [p for p in PROVINCES
                              if p not in {f.province for f in result.files if f.used}],
        "problems": [asdict(p) for p in result.problems],
        "values": [asdict(v) for v in result.values],
    }


def run_national(inputs: Path, out: Path, period: str | None = None) -> NationalResult:
    """`tonghop national --inputs DIR --out DIR [--period 2025-Y]`: read, validate, consolidate, write."""
    catalogue = load_catalogue()
    result = consolidate_national(find_inputs(Path(inputs)), period, catalogue)
    write_outputs(result, Path(out), catalogue)
    return result
