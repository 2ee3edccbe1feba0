"""Status of a consolidated value against the target in force for a year (direction and strict targets)."""
from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Bound:
    """The target in force for a year, as every writer words it: its value, and for a number the comparison."""

    target: float
    boolean: bool                    # a yes/no target: target is 1 (có) or 0 (không)
    sign: str                        # ≥ > ≤ <
    ceiling: bool                    # an "at least 100%" target: nothing is above it, so it reads as "100%"


def target_bound(ind: Indicator, year: int) -> Bound | None:
    """The one reading of the target in force (direction, strict years, yes/no) for target_text and the Word
    report's phrases; None when the catalogue has none for the year."""
    in_force = ind.target_for(year)
    if in_force is None:
        return None
    milestone, target = in_force
    strict = milestone in ind.strict_years
    sign = ("<" if strict else "≤") if ind.direction == "down" else (">" if strict else "≥")
    ceiling = ind.unit.code == "percent" and ind.direction == "up" and target >= 100
    return Bound(target, ind.is_boolean, sign, ceiling)


def target_text(ind: Indicator, year: int) -> str:
    """The target as the strategy words it: ≥ 60, < 30, ≤ 111, Có."""
    bound = target_bound(ind, year)
    if bound is None:
        return ""
    if bound.boolean:
        return "Có" if bound.target >= 0.5 else "Không"
    return f"{bound.sign} {format_vi(bound.target)}"
