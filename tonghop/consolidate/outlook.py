"""An indicator over the periods on record: change since the same period a year earlier and a plain 2030 outlook."""
from __future__ import annotations

from dataclasses import dataclass

from schemas.catalogue import Indicator
from tonghop.config import Period
from tonghop.numbers import format_vi
from tonghop.consolidate.targets import meets, plausible

HORIZON = 2030
ON_TRACK, AT_RISK, OFF_TRACK, INSUFFICIENT = "on_track", "at_risk", "off_track", "insufficient"
VERDICT_VI = {ON_TRACK: "Đúng hướng", AT_RISK: "Có nguy cơ", OFF_TRACK: "Chệch hướng",
              INSUFFICIENT: "Chưa đủ số liệu", None: ""}
METHOD_VI = (
    "Dự báo năm 2030: đường thẳng bình phương tối thiểu qua giá trị tổng hợp của các kỳ báo cáo năm đã lưu "
    "(kể cả kỳ này nếu là kỳ năm), khi có từ 2 năm trở lên; số liệu 6 tháng không dùng để dự báo vì số phát "
    "sinh trong nửa năm không so được với cả năm. Đúng hướng: giá trị dự báo năm 2030 đạt chỉ tiêu 2030. "
    "Có nguy cơ: chưa đạt nhưng đang chuyển biến theo hướng tốt, hoặc hiện đã đạt chỉ tiêu 2030 nhưng đang đi "
    "xuống. Chệch hướng: dự báo chưa đạt và số liệu đứng yên hoặc đi ngược hướng. Chỉ tiêu có/không: đúng "
    "hướng khi kỳ này đã có, có nguy cơ khi chưa có. Dưới 2 năm số liệu: chưa đủ số liệu. "
    "Thay đổi so với cùng kỳ năm trước: năm so với năm trước, 6 tháng đầu năm so với 6 tháng đầu năm trước. "
    "Giá trị cần kiểm tra số liệu (ngoài khoảng thường gặp của chỉ tiêu) không dùng để tính thay đổi và dự báo."
)


@dataclass(frozen=True)
class Outlook:
    history: dict[str, float | None]         # earlier periods on record, oldest first
    previous_period: str | None              # the same kind of period a year earlier, when on record
    previous_value: float | None             # its value; None when it has none or it is to be checked
    change: float | None                     # this period minus that one
    points: tuple[tuple[int, float], ...]    # (year, value) the projection is drawn through
    slope: float | None                      # per year
    projected: float | None                  # value projected for 2030
    target: float | None                     # the 2030 target
    verdict: str | None                      # None: the indicator has no 2030 target
    unchecked: dict[str, float]              # earlier values to check, left out of the change and projection

    @property
    def notes(self) -> list[str]:
        """Why a change or projection leaves out an earlier value, in the report's words."""
        return [f"Giá trị {Period.parse(c).vi} ({format_vi(v)}) cần kiểm tra số liệu: không dùng để tính thay đổi "
                f"và dự báo" for c, v in self.unchecked.items()]


def least_squares(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Intercept and slope of the straight line closest (in squared distance) to the points."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - slope * mx, slope


def _clamp(ind: Indicator, value: float) -> float:
    """A projected share cannot leave 0-100 %, and no indicator here can go below zero."""
    upper = 100.0 if ind.unit.code == "percent" else float("inf")
    return min(max(value, 0.0), upper)


def annual_points(period: Period, value: float | None, history: dict[str, float | None]) -> list[tuple[int, float]]:
    """Annual (Y) values on record up to this period, the current one included when it is annual."""
    points = {Period.parse(c).year: v for c, v in history.items() if Period.parse(c).kind == "Y" and v is not None}
    if period.kind == "Y" and value is not None:
        points[period.year] = value
    return sorted((y, v) for y, v in points.items() if y <= period.year)


def build_outlook(ind: Indicator, period: Period, value: float | None,
                  history: dict[str, float | None]) -> Outlook:
    """History, change since the same period a year earlier, and the 2030 projection and verdict. A value
    outside the indicator's usual range ("Cần kiểm tra số liệu") is never a base for either."""
    if not plausible(ind, value):
        value = None
    prev_period = period.year_earlier.code if period.year_earlier.code in history else None
    used = {prev_period} | {c for c in history if Period.parse(c).kind == "Y" and Period.parse(c).year <= period.year}
    unchecked = {c: v for c, v in history.items() if c in used and v is not None and not plausible(ind, v)}
    usable = {c: v for c, v in history.items() if c not in unchecked}
    prev_value = usable.get(prev_period) if prev_period else None
    change = None if value is None or prev_value is None else value - prev_value
    target = ind.targets.get(HORIZON)
    base = dict(history=dict(history), previous_period=prev_period, previous_value=prev_value, change=change,
                target=target, unchecked=unchecked)
    if target is None:
        return Outlook(points=(), slope=None, projected=None, verdict=None, **base)
    if ind.is_boolean:
        verdict = INSUFFICIENT if value is None else (ON_TRACK if meets(ind, value, HORIZON, target) else AT_RISK)
        return Outlook(points=(), slope=None, projected=None, verdict=verdict, **base)
    points = annual_points(period, value, usable)
    if len(points) < 2:
        return Outlook(points=tuple(points), slope=None, projected=None, verdict=INSUFFICIENT, **base)
    intercept, slope = least_squares(points)
    projected = _clamp(ind, intercept + slope * HORIZON)
    improving = slope > 0 if ind.direction == "up" else slope < 0
    latest = points[-1][1]
    if meets(ind, projected, HORIZON, target):
        verdict = ON_TRACK
    elif improving or meets(ind, latest, HORIZON, target):
        verdict = AT_RISK
    else:
        verdict = OFF_TRACK
    return Outlook(points=tuple(points), slope=slope, projected=projected, verdict=verdict, **base)
