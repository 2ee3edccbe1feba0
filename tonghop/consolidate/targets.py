"""Status of a consolidated value against the target in force for a year (direction and strict targets)."""
from __future__ import annotations

from schemas.catalogue import Indicator
from tonghop.numbers import format_vi

from tonghop.statuses import ACHIEVED, NO_DATA, NOT_ACHIEVED, TO_CHECK


def plausible(ind: Indicator, value: float | None) -> bool:
    """Whether a value lies in its unit's usual range (a sex ratio of 1,12 is a ratio typed for 112)."""
    lo, hi = ind.unit.plausible
    return value is None or ind.is_boolean or lo <= value <= hi


def meets(ind: Indicator, value: float, milestone: int, target: float) -> bool:
    """Whether a value meets a target: up = at least (strict: above), down = at most (strict: below)."""
    v = round(value, 9)          # 0.57 × 100 is 56.99999999999999: compare what a person would read
    strict = milestone in ind.strict_years
    if ind.direction == "down":
        return v < target if strict else v <= target
    return v > target if strict else v >= target


def status(ind: Indicator, value: float | None, year: int) -> str | None:
    """achieved / not_achieved / no_data; to_check for an implausible value (it is not compared with the
    target: "Đạt" for a sex ratio of 1,12 would mislead); None when the indicator has no target at all (5.4)."""
    in_force = ind.target_for(year)
    if in_force is None:
        return None
    if value is None:
        return NO_DATA
    if not plausible(ind, value):
        return TO_CHECK
    return ACHIEVED if meets(ind, value, *in_force) else NOT_ACHIEVED


def gap(ind: Indicator, value: float | None, year: int) -> float | None:
    """Value minus the target in force (positive: above the target); none for an implausible value."""
    in_force = ind.target_for(year)
    return None if in_force is None or value is None or not plausible(ind, value) else value - in_force[1]


def target_text(ind: Indicator, year: int) -> str:
    """The target as the strategy words it: ≥ 60, < 30, ≤ 111, Có."""
    in_force = ind.target_for(year)
    if in_force is None:
        return ""
    milestone, target = in_force
    if ind.is_boolean:
        return "Có" if target >= 0.5 else "Không"
    strict = milestone in ind.strict_years
    sign = ("<" if strict else "≤") if ind.direction == "down" else (">" if strict else "≥")
    return f"{sign} {format_vi(target)}"
