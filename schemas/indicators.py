"""Pandera schemas generated from the catalogue: one per indicator (Biểu 01) and one for activities (Biểu 02).

Each check is named by the stable problem code it raises (see tonghop/problems.py), so a failure case maps
straight to a Problem. The frames validated here hold every row of every file for one indicator at once
(validation is vectorised across files); columns are produced by tonghop.intake.rows.
"""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from schemas.catalogue import Catalogue, Indicator
from schemas.labels import SEX_CHOICES

# Values may be rounded by the person: 1 decimal place of the value's unit, or 0.5 % of it.
ABS_TOLERANCE = 0.05 + 1e-9
REL_TOLERANCE = 0.005


def _nonneg(s: pd.Series) -> pd.Series:
    return ~(s < 0)


def _computed(df: pd.DataFrame, factor: float) -> pd.Series:
    den = df["denominator"].where(df["denominator"] != 0)
    return df["numerator"] / den * factor


def _value_matches(factor: float):
    def check(df: pd.DataFrame) -> pd.Series:
        expected = _computed(df, factor)
        tol = (expected.abs() * REL_TOLERANCE).clip(lower=ABS_TOLERANCE)
        bad = (df["value"] - expected).abs() > tol
        # a negative part is reported on its own; the value computed from it means nothing
        bad &= ~((df["numerator"] < 0) | (df["denominator"] < 0))
        return ~(bad.fillna(False) & ~df["value_derived"])
    return check


def _sex_sums_match(column: str):
    """Tổng = Nam + Nữ for one column, per file and area; the failing cell is the Tổng row's."""
    def check(df: pd.DataFrame) -> pd.Series:
        ok = pd.Series(True, index=df.index)
        parts = df[df["sex"].isin(["Nam", "Nữ"])].groupby(["file_idx", "area"])[column].agg(["sum", "count"])
        parts = parts[parts["count"] == 2]
        if parts.empty:
            return ok
        totals = df[df["sex"] == "Tổng"]
        keyed = totals.join(parts, on=["file_idx", "area"], how="inner")
        keyed = keyed[keyed[column].notna()]
        tol = (keyed["sum"].abs() * 1e-9).clip(lower=1e-6)
        ok.loc[keyed.index[(keyed[column] - keyed["sum"]).abs() > tol]] = False
        return ok
    return check


def _columns(area_codes, value_checks: list) -> dict[str, pa.Column]:
    """The figure rows' columns, the same in one indicator's schema and in a batch's."""
    return {
        "file_idx": pa.Column(int),
        "area": pa.Column(str, pa.Check(lambda s: s.isin(area_codes), name="unknown-area")),
        "sex": pa.Column(str, pa.Check(lambda s: s.isin(SEX_CHOICES), name="invalid-sex")),
        "numerator": pa.Column(float, pa.Check(_nonneg, name="negative-value"), nullable=True),
        "denominator": pa.Column(float, pa.Check(_nonneg, name="negative-value"), nullable=True),
        "value": pa.Column(float, value_checks, nullable=True),
        "value_derived": pa.Column(bool),
        "assigned": pa.Column(bool, pa.Check(lambda s: s, name="indicator-not-assigned")),
    }


def build_indicator_schema(ind: Indicator, area_codes: set[str]) -> pa.DataFrameSchema:
    """The schema every row of one indicator must satisfy, whatever file it comes from."""
    low, high = ind.unit.plausible
    value_checks = [pa.Check(_nonneg, name="negative-value")]
    if ind.is_boolean:
        value_checks.append(pa.Check(lambda s: s.isin([0.0, 1.0]) | s.isna(), name="not-boolean"))
    else:
        value_checks.append(pa.Check(lambda s: s.isna() | s.between(low, high), name="out-of-range"))
    frame_checks = [
        pa.Check(lambda d: d["value"].notna() | (d["numerator"].notna() & d["denominator"].notna()),
                 name="missing-value"),
        pa.Check(lambda d: ~((d["denominator"] == 0) & d["numerator"].notna()), name="zero-denominator"),
        pa.Check(lambda d: ~d.duplicated(["file_idx", "area", "sex"], keep=False), name="duplicate-row"),
    ]
    if ind.unit.factor is not None:
        frame_checks.append(pa.Check(_value_matches(ind.unit.factor), name="value-mismatch"))
        if ind.numerator_le_denominator:
            frame_checks.append(pa.Check(lambda d: ~(d["numerator"] > d["denominator"]),
                                         name="numerator-above-denominator"))
        frame_checks.append(pa.Check(_sex_sums_match("numerator"), name="sex-sum-mismatch:numerator"))
        frame_checks.append(pa.Check(_sex_sums_match("denominator"), name="sex-sum-mismatch:denominator"))
    return pa.DataFrameSchema(
        _columns(area_codes, value_checks),
        checks=frame_checks,
        name=f"chi-tieu-{ind.code}",
        strict=False,
        coerce=False,
    )


def build_activity_schema(catalogue: Catalogue) -> pa.DataFrameSchema:
    """The schema of Biểu 02 rows (all files at once)."""
    kinds = set(catalogue.activities)
    counts = ["count", "participants", "men", "women"]

    def whole(s: pd.Series) -> pd.Series:
        return s.isna() | (s == s.round())

    def participants_add_up(d: pd.DataFrame) -> pd.Series:
        full = d["participants"].notna() & d["men"].notna() & d["women"].notna()
        return ~(full & ((d["men"] + d["women"] - d["participants"]).abs() > 1e-6))

    columns = {
        "file_idx": pa.Column(int),
        "activity": pa.Column(str, pa.Check(lambda s: s.isin(kinds), name="unknown-activity")),
        "budget": pa.Column(float, pa.Check(_nonneg, name="negative-value"), nullable=True),
    }
    for c in counts:
        columns[c] = pa.Column(float, [pa.Check(_nonneg, name="negative-value"),
                                       pa.Check(whole, name="not-whole-number")], nullable=True)
    return pa.DataFrameSchema(columns, checks=[pa.Check(participants_add_up, name="participants-mismatch")],
                              name="hoat-dong", strict=False, coerce=False)


def _aligned(param: pd.Series, index: pd.Index) -> pd.Series:
    return param if param.index.equals(index) else param.reindex(index)


def build_batch_schema(blocks: list[tuple[Indicator, int]], area_codes: set[str]) -> pa.DataFrameSchema:
    """build_indicator_schema for a frame holding several indicators' rows, block after block (`blocks`: each
    indicator and its number of rows): one validation instead of one per indicator (Pandera's cost is per check
    run, not per row). Each row is held to its own indicator's checks: what the checks of one indicator need of it
    (range, factor, …) comes per row, from the blocks, never as a column of the frame, so the frame and every
    failure case are those of build_indicator_schema."""
    n = sum(size for _, size in blocks)
    index = pd.RangeIndex(n)

    def per_row(values: list) -> pd.Series:
        return pd.Series([v for (_, size), v in zip(blocks, values) for _ in range(size)], index=index)

    inds = [ind for ind, _ in blocks]
    block = per_row(list(range(len(blocks)))).astype("int64")
    boolean = per_row([ind.is_boolean for ind in inds]).astype(bool)
    low = per_row([float(ind.unit.plausible[0]) for ind in inds]).astype("float64")
    high = per_row([float(ind.unit.plausible[1]) for ind in inds]).astype("float64")
    factor = per_row([float("nan") if ind.unit.factor is None else ind.unit.factor for ind in inds]).astype("float64")
    has_factor = factor.notna()
    le = has_factor & per_row([bool(ind.numerator_le_denominator) for ind in inds]).astype(bool)

    def not_boolean(s: pd.Series) -> pd.Series:
        return ~_aligned(boolean, s.index) | s.isin([0.0, 1.0]) | s.isna()

    def out_of_range(s: pd.Series) -> pd.Series:
        lo, hi = _aligned(low, s.index), _aligned(high, s.index)
        return _aligned(boolean, s.index) | s.isna() | ((s >= lo) & (s <= hi))

    def duplicate_row(d: pd.DataFrame) -> pd.Series:
        keyed = d[["file_idx", "area", "sex"]].assign(_block=_aligned(block, d.index))
        return ~keyed.duplicated(["_block", "file_idx", "area", "sex"], keep=False)

    def value_matches(d: pd.DataFrame) -> pd.Series:
        return _value_matches(_aligned(factor, d.index))(d)

    def sex_sums_match(column: str):
        def check(d: pd.DataFrame) -> pd.Series:
            keyed = d[["file_idx", "area", "sex", column]].assign(_block=_aligned(block, d.index))
            ok = pd.Series(True, index=d.index)
            parts = (keyed[keyed["sex"].isin(["Nam", "Nữ"])].groupby(["_block", "file_idx", "area"])[column]
                     .agg(["sum", "count"]))
            parts = parts[parts["count"] == 2]
            if not parts.empty:
                totals = keyed[keyed["sex"] == "Tổng"]
                joined = totals.join(parts, on=["_block", "file_idx", "area"], how="inner")
                joined = joined[joined[column].notna()]
                tol = (joined["sum"].abs() * 1e-9).clip(lower=1e-6)
                ok.loc[joined.index[(joined[column] - joined["sum"]).abs() > tol]] = False
            return ok | ~_aligned(has_factor, d.index)
        return check

    value_checks = [pa.Check(_nonneg, name="negative-value"), pa.Check(not_boolean, name="not-boolean"),
                    pa.Check(out_of_range, name="out-of-range")]
    frame_checks = [
        pa.Check(lambda d: d["value"].notna() | (d["numerator"].notna() & d["denominator"].notna()),
                 name="missing-value"),
        pa.Check(lambda d: ~((d["denominator"] == 0) & d["numerator"].notna()), name="zero-denominator"),
        pa.Check(duplicate_row, name="duplicate-row"),
        pa.Check(value_matches, name="value-mismatch"),
        pa.Check(lambda d: ~(_aligned(le, d.index) & (d["numerator"] > d["denominator"])),
                 name="numerator-above-denominator"),
        pa.Check(sex_sums_match("numerator"), name="sex-sum-mismatch:numerator"),
        pa.Check(sex_sums_match("denominator"), name="sex-sum-mismatch:denominator"),
    ]
    return pa.DataFrameSchema(
        _columns(area_codes, value_checks),
        checks=frame_checks,
        name="chi-tieu",
        strict=False,
        coerce=False,
    )
