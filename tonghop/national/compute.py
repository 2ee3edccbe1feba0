"""National values: ratios of the provinces' summed numerators and denominators, yes/no as a share of provinces."""
from __future__ import annotations

from datetime import datetime

from schemas.catalogue import Catalogue, Indicator
from tonghop.consolidate.targets import status as target_status, target_text
from tonghop.national.model import NationalValue, ProvinceFile
from tonghop.numbers import format_vi
from tonghop.provinces import NATIONAL_CODE, PROVINCES
from tonghop.reports import sdmx
from tonghop.statuses import ACHIEVED, NO_DATA, NOT_ACHIEVED

Parts = list[tuple[str, dict[str, str]]]      # (province, SDMX row as text) of one indicator and sex


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


def _count(row: dict[str, str]) -> int:
    return int(sdmx.parse_number(row["UNIT_COUNT"]) or 0)


def _share_of_yes(given: Parts) -> tuple[float | None, float | None, float | None, list[str], list[str], int]:
    """A yes/no indicator: the share (%) of the provinces that answered saying yes."""
    got = [province for province, _ in given]
    yes = sum(sdmx.parse_number(r["OBS_VALUE"]) == 1 for _, r in given)
    units = sum(_count(r) for _, r in given)
    if not got:
        return None, None, None, [], [], 0
    return yes / len(got) * 100, float(yes), float(len(got)), got, [], units


def _ratio_of_sums(given: Parts, factor: float) -> tuple[float | None, float | None, float | None, list[str],
                                                           list[str], int]:
    """Summed numerators over summed denominators; a value given without its parts cannot be summed."""
    got: list[str] = []
    value_only: list[str] = []
    num_sum = den_sum = 0.0
    units = 0
    for province, r in given:
        n, d = sdmx.parse_number(r["NUMERATOR"]), sdmx.parse_number(r["DENOMINATOR"])
        if n is None or d is None:
            value_only.append(province)
            continue
        got.append(province)
        num_sum, den_sum = num_sum + n, den_sum + d
        units += _count(r)
    if not got:
        return None, None, None, got, value_only, units
    return (num_sum / den_sum * factor if den_sum else None), num_sum, den_sum, got, value_only, units


def _parts(files: list[ProvinceFile], catalogue: Catalogue) -> dict[tuple[str, str], Parts]:
    """The usable rows of the used files, by indicator and sex."""
    parts: dict[tuple[str, str], Parts] = {}
    for f in files:
        if not f.used:
            continue
        for row in f.rows:
            code = row["INDICATOR"]
            if code in catalogue.indicators and code not in f.blocked and row["SEX"] in sdmx.SEX_VI:
                parts.setdefault((code, row["SEX"]), []).append((f.province or "", row))
    return parts


def national_values(files: list[ProvinceFile], catalogue: Catalogue, time_period: str | None) -> list[NationalValue]:
    """One value per indicator and sex reported by some province, in catalogue order."""
    year = int(time_period[:4]) if time_period else datetime.now().year
    parts = _parts(files, catalogue)
    out: list[NationalValue] = []
    for code, ind in catalogue.indicators.items():
        for sex in [s for s in ("_T", "M", "F") if (code, s) in parts] or ["_T"]:
            rows = parts.get((code, sex), [])
            given = [(p, r) for p, r in rows if r["OBS_STATUS"] == "A"]
            to_check = sorted(p for p, r in rows if r["OBS_STATUS"] == "U")    # "cần kiểm tra": never summed
            if ind.is_boolean:
                value, num, den, got, value_only, units = _share_of_yes(given)
            else:
                value, num, den, got, value_only, units = _ratio_of_sums(given, ind.unit.factor)
            target, state = _target(ind, year, value, ind.is_boolean)
            out.append(NationalValue(code, sex, "percent" if ind.is_boolean else ind.unit.code, value, num, den,
                                     sorted(got), units, sorted(value_only),
                                     [p for p in PROVINCES if p not in got + value_only + to_check], target, state,
                                     to_check))
    return out


def national_sdmx_rows(values: list[NationalValue], time_period: str) -> list[dict[str, str]]:
    """The national values as SDMX-CSV rows of REF_AREA VN; UNIT_COUNT is the number of provinces behind each."""
    return [{"STRUCTURE": sdmx.STRUCTURE, "STRUCTURE_ID": sdmx.STRUCTURE_ID, "ACTION": sdmx.ACTION,
             "REF_AREA": NATIONAL_CODE, "TIME_PERIOD": time_period, "INDICATOR": v.indicator, "SEX": v.sex,
             "OBS_VALUE": sdmx.sdmx_number(v.value), "UNIT_MEASURE": v.unit,
             "OBS_STATUS": "A" if v.value is not None else "M", "NUMERATOR": sdmx.sdmx_number(v.numerator),
             "DENOMINATOR": sdmx.sdmx_number(v.denominator), "UNIT_COUNT": str(len(v.provinces))}
            for v in values]
