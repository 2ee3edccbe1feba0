"""Pandera schema of the provinces' SDMX-CSV rows, validated all files at once by the national consolidation.

Like schemas/indicators.py, each check is named by the stable problem code it raises (tonghop/problems.py, national
scope). The frame holds every row of every province's file as text, with the parsed numbers (obs, num, den, count)
and the catalogue's facts per row (expected_unit, factor, boolean, share, file_area) added by
tonghop/national/validate.py.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pandera.pandas as pa

from schemas.catalogue import Catalogue
from schemas.dataflow import ACTION, NUMBER_RE, OBS_STATUSES, PERIOD_RE, SEX_VI, STRUCTURE, STRUCTURE_ID
from schemas.indicators import ABS_TOLERANCE, REL_TOLERANCE

# the column a frame-level check points at: a frame check fails a whole row, the problem names one cell
CHECK_COLUMN = {"value-mismatch": "OBS_VALUE", "zero-denominator": "DENOMINATOR", "missing-value": "OBS_VALUE",
                "numerator-above-denominator": "NUMERATOR", "not-boolean": "OBS_VALUE", "duplicate-row": "INDICATOR",
                "unit-mismatch": "UNIT_MEASURE", "period-mismatch": "TIME_PERIOD", "mixed-province": "REF_AREA"}
# the text columns read as numbers, and the short names of their parsed copies in the frame
PARSED = {"OBS_VALUE": "obs", "NUMERATOR": "num", "DENOMINATOR": "den", "UNIT_COUNT": "count"}


def number_ok(s: pd.Series) -> pd.Series:
    """Empty, or a number as SDMX-CSV writes it (dot decimal, no thousands separator)."""
    return (s == "") | s.str.match(NUMBER_RE.pattern)


def _value_matches(df: pd.DataFrame) -> pd.Series:
    expected = df["num"] / df["den"].where(df["den"] != 0) * df["factor"]
    tol = (expected.abs() * REL_TOLERANCE).clip(lower=ABS_TOLERANCE)
    bad = ((df["obs"] - expected).abs() > tol).fillna(False)
    # a negative part is reported on its own; the value computed from it means nothing
    return ~(bad & ~((df["num"] < 0) | (df["den"] < 0)))


def _equals(text: str, code: str) -> pa.Check:
    return pa.Check(lambda s: s == text, name=code)


def _one_of(allowed: Iterable[str], code: str) -> pa.Check:
    allowed = list(allowed)
    return pa.Check(lambda s: s.isin(allowed), name=code)


def _columns(catalogue: Catalogue, province_codes: Iterable[str]) -> dict[str, pa.Column]:
    nonneg = pa.Check(lambda s: ~(s < 0), name="negative-value")
    number = pa.Check(number_ok, name="not-a-number")
    whole = pa.Check(lambda s: s.isna() | (s == s.round()), name="not-whole-number")
    return {
        "STRUCTURE": pa.Column(checks=_equals(STRUCTURE, "wrong-structure")),
        "STRUCTURE_ID": pa.Column(checks=_equals(STRUCTURE_ID, "wrong-structure")),
        "ACTION": pa.Column(checks=_equals(ACTION, "wrong-structure")),
        "REF_AREA": pa.Column(checks=_one_of(province_codes, "unknown-province")),
        "TIME_PERIOD": pa.Column(checks=pa.Check(lambda s: s.str.match(PERIOD_RE.pattern), name="period-invalid")),
        "INDICATOR": pa.Column(checks=_one_of(catalogue.indicators, "unknown-indicator")),
        "SEX": pa.Column(checks=_one_of(SEX_VI, "invalid-sex")),
        "OBS_VALUE": pa.Column(checks=number),
        "OBS_STATUS": pa.Column(checks=_one_of(OBS_STATUSES, "invalid-status")),
        "NUMERATOR": pa.Column(checks=number),
        "DENOMINATOR": pa.Column(checks=number),
        "UNIT_COUNT": pa.Column(checks=number),
        "obs": pa.Column(float, nonneg, nullable=True),
        "num": pa.Column(float, nonneg, nullable=True),
        "den": pa.Column(float, nonneg, nullable=True),
        "count": pa.Column(float, [nonneg, whole], nullable=True),
    }


def build_national_schema(catalogue: Catalogue, time_period: str | None,
                          province_codes: Iterable[str]) -> pa.DataFrameSchema:
    """The schema every row of every province's file must satisfy; each check named by its problem code."""
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
        # a period of the wrong form is period-invalid already; only a well-formed other period is a mismatch
        checks.append(pa.Check(lambda d: ~d["TIME_PERIOD"].str.match(PERIOD_RE.pattern)
                               | (d["TIME_PERIOD"] == time_period), name="period-mismatch"))
    return pa.DataFrameSchema(_columns(catalogue, province_codes), checks=checks, name="sdmx-binh-dang-gioi",
                              strict=False, coerce=False)
