"""Completeness and timeliness of a round, as DHIS2 counts reporting rates: expected, actual, on time."""

# Every configured unit is expected every period. A unit has reported when it has a current submission (its
# latest readable file, see store.repo.refresh_current), whatever its status; on time when that submission
# arrived by the end of the deadline day, local time — so a correction sent after the deadline is late: the
# figures consolidated arrived late.

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tonghop.config import Period, ProvinceConfig, Unit
from tonghop.current import SubmissionInfo


@dataclass(frozen=True)
class UnitReport:
    unit: Unit
    submission: SubmissionInfo | None
    received_local: datetime | None
    on_time: bool | None                  # None when nothing was received
    days_late: int | None

    @property
    def reported(self) -> bool:
        return self.submission is not None


@dataclass(frozen=True)
class Completeness:
    period: Period
    deadline: date
    deadline_end: datetime                # first instant after the deadline day, local time
    units: list[UnitReport]

    @property
    def expected(self) -> int:
        return len(self.units)

    @property
    def actual(self) -> int:
        return sum(1 for u in self.units if u.reported)

    @property
    def on_time(self) -> int:
        return sum(1 for u in self.units if u.on_time)

    @property
    def usable(self) -> int:
        """Units whose current submission has something accepted (not rejected)."""
        return sum(1 for u in self.units if u.submission and u.submission.status != "rejected")

    def rate(self, count: int) -> float:
        return 0.0 if not self.expected else count / self.expected * 100

    @property
    def missing(self) -> list[str]:
        return [u.unit.code for u in self.units if not u.reported]

    @property
    def late(self) -> list[str]:
        return [u.unit.code for u in self.units if u.on_time is False]


def deadline_end(config: ProvinceConfig, period: Period) -> datetime:
    """The end of the deadline day in the province's time zone (a file at 23:59 that day is on time)."""
    day = config.deadline(period) + timedelta(days=1)
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(config.timezone))


def completeness(config: ProvinceConfig, period: Period, current: list[SubmissionInfo]) -> Completeness:
    """Every configured unit, in configuration order, with its current submission and timeliness."""
    tz = ZoneInfo(config.timezone)
    end = deadline_end(config, period)
    by_unit = {s.unit_code: s for s in current if s.period == period.code}
    rows = []
    for unit in config.units.values():
        sub = by_unit.get(unit.code)
        if sub is None:
            rows.append(UnitReport(unit, None, None, None, None))
            continue
        local = sub.received_at.astimezone(tz)
        on_time = local < end
        late_days = None if on_time else (local.date() - config.deadline(period)).days
        rows.append(UnitReport(unit, sub, local, on_time, late_days))
    return Completeness(period, config.deadline(period), end, rows)
