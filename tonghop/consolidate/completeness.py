"""Completeness and timeliness of a round, as DHIS2 counts reporting rates: expected, actual, on time."""

# Every configured unit is expected every period. `reporting` is the one definition of "đã nộp" and "đúng hạn"
# that every document uses (round page, workbooks, summary.json, digest, console, reminders). A correction
# sent after the deadline is late: the figures consolidated arrived late.

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from tonghop.config import Period, ProvinceConfig, Unit
from tonghop.consolidate.current import SubmissionInfo, current_submissions, units_that_sent
from tonghop.problems import ACCEPTED, PARTIAL, REJECTED

# the definition in the officer's words, printed under the counts of every consolidated report
DEFINITION_VI = ("Đơn vị được tính là đã nộp khi tệp hiện hành của đơn vị được chấp nhận toàn bộ hoặc một phần "
                 "(tệp bị từ chối chưa được tính); đúng hạn khi tệp đó đến trước khi hết ngày hạn nộp (giờ Việt Nam).")


def reporting(status: str | None, received_at: datetime | None, end: datetime) -> tuple[bool, bool | None]:
    """(has reported, on time) of a unit from its current submission's status and arrival time.

    A unit has reported when its current submission was accepted wholly or in part (a unit whose file was
    rejected has not); on time when that submission arrived before `end`, the end of the deadline day in the
    province's time zone (see deadline_end). On time is None when the unit has not reported.
    """
    if status not in (ACCEPTED, PARTIAL) or received_at is None:
        return False, None
    return True, received_at < end


@dataclass(frozen=True)
class UnitReport:
    unit: Unit
    submission: SubmissionInfo | None     # the current submission, whatever its status
    received_local: datetime | None
    reported: bool
    on_time: bool | None                  # None when the unit has not reported
    days_late: int | None


@dataclass(frozen=True)
class Completeness:
    period: Period
    deadline: date
    deadline_end: datetime                # first instant after the deadline day, local time
    units: list[UnitReport]
    sent: frozenset[str] = frozenset()    # units that sent any file, one rejected as a whole included

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
    def rejected(self) -> list[str]:
        """Units that sent a file but have not reported: every file they sent was rejected (as a whole, so none is
        current, or row by row). The digest counts the same units under the same words."""
        return [u.unit.code for u in self.units
                if not u.reported and (u.unit.code in self.sent or (u.submission and u.submission.status == REJECTED))]

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


def completeness(config: ProvinceConfig, period: Period, current: list[SubmissionInfo],
                 sent: frozenset[str] = frozenset()) -> Completeness:
    """Every configured unit, in configuration order, with its current submission and timeliness; `sent`: the
    units that sent any file for the period (see units_that_sent)."""
    tz = ZoneInfo(config.timezone)
    end = deadline_end(config, period)
    by_unit = {s.unit_code: s for s in current if s.period == period.code}
    rows = []
    for unit in config.units.values():
        sub = by_unit.get(unit.code)
        reported, on_time = reporting(sub.status if sub else None, sub.received_at if sub else None, end)
        local = sub.received_at.astimezone(tz) if sub else None
        late_days = (local.date() - config.deadline(period)).days if on_time is False else None
        rows.append(UnitReport(unit, sub, local, reported, on_time, late_days))
    return Completeness(period, config.deadline(period), end, rows, frozenset(sent) | set(by_unit))


def completeness_on_record(engine: Engine, config: ProvinceConfig, period: Period) -> Completeness:
    """The period's completeness from the database's current submissions."""
    return completeness(config, period, current_submissions(engine, period), units_that_sent(engine, period))
