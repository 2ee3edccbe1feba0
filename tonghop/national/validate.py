"""Validating the provinces' rows together against schemas/national.py; each failure becomes a problem of its file.

A file-level problem (structure, province, period) leaves the whole file out; a row error leaves out that
indicator of that province; warnings never do. Two usable files of one province: the later one is used.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pandera.pandas as pa

from schemas.catalogue import Catalogue
from schemas.national import CHECK_COLUMN, PARSED, build_national_schema, number_ok
from tonghop.national.model import ProvinceFile
from tonghop.numbers import format_vi
from tonghop.problems import ERROR, NATIONAL_PROBLEM_TYPES as PROBLEMS
from tonghop.provinces import PROVINCES
from tonghop.reports import sdmx

_SHORT_TO_COLUMN = {short: column for column, short in PARSED.items()}


def _to_float(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.where(number_ok(s) & (s != "")), errors="coerce").astype("float64")


def build_frame(files: list[ProvinceFile], catalogue: Catalogue) -> pd.DataFrame:
    """Every row of every file, as text plus parsed numbers, file index, CSV line and the catalogue's facts."""
    records = [{"file_idx": i, "line": n + 2, **row} for i, f in enumerate(files) for n, row in enumerate(f.rows)]
    df = pd.DataFrame.from_records(records, columns=["file_idx", "line", *sdmx.COLUMNS])
    for c in sdmx.COLUMNS:
        df[c] = df[c].astype(object).fillna("").astype(str)
    for column, short in PARSED.items():
        df[short] = _to_float(df[column])
    indicators = catalogue.indicators
    df["expected_unit"] = df["INDICATOR"].map({c: i.unit.code for c, i in indicators.items()}).fillna("")
    factors = {c: (i.unit.factor if i.unit.factor is not None else math.nan) for c, i in indicators.items()}
    df["factor"] = df["INDICATOR"].map(factors).astype("float64")
    df["boolean"] = df["INDICATOR"].isin({c for c, i in indicators.items() if i.is_boolean}).astype(bool)
    share = {c for c, i in indicators.items() if i.numerator_le_denominator and not i.is_boolean}
    df["share"] = df["INDICATOR"].isin(share).astype(bool)
    df["file_area"] = df["file_idx"].map({i: f.province or "" for i, f in enumerate(files)})
    return df


def _failures(schema: pa.DataFrameSchema, df: pd.DataFrame) -> list[tuple[str, str | None, int]]:
    """(check, column, row index) of every failing cell; a failure with no row (a missing column) cannot happen
    here, the frame is built with every column."""
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna()]
        return [(str(c), col if isinstance(col, str) else None, int(i))
                for c, col, i in zip(fc["check"], fc["column"], fc["index"])]
    return []


def _params(check: str, col: str, row: pd.Series, pf: ProvinceFile, time_period: str | None) -> dict[str, Any]:
    """The fields of the problem's Vietnamese template that depend on the check."""
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
    return params


def validate_files(files: list[ProvinceFile], catalogue: Catalogue, time_period: str | None) -> None:
    """Add every row problem to its file, then settle which files and indicators are used."""
    readable = [f for f in files if f.rows and not f.rejected]
    if readable:
        df = build_frame(readable, catalogue)
        schema = build_national_schema(catalogue, time_period, PROVINCES)
        seen: set[tuple] = set()
        for check, column, idx in sorted(_failures(schema, df), key=lambda x: x[2]):
            row = df.loc[idx]
            # a frame-level check lists every column of a failing row: it points at its own column
            col = CHECK_COLUMN.get(check) or _SHORT_TO_COLUMN.get(column or "", column) or ""
            # a file-level problem is said once per file and column, at its first row
            key = (check, int(row["file_idx"]), col) if PROBLEMS[check].file_level else (check, idx)
            if key in seen:
                continue
            seen.add(key)
            pf = readable[int(row["file_idx"])]
            indicator = row["INDICATOR"] or None
            pf.add(check, int(row["line"]), col, str(row[col]) if col in sdmx.COLUMNS else None, indicator,
                   **_params(check, col, row, pf, time_period))
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
