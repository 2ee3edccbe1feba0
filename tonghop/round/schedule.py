"""The schedule plan from the province configuration alone: deployments, cron strings, parameters, next runs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tonghop.config import Period, ProvinceConfig
from tonghop.errors import ConfigError
from tonghop.safe_text import slugify
from tonghop.store.db import default_db_url

ROUND_FLOW = "tong-hop"              # @flow(name=...) of flows.round.consolidate_round
REMINDER_FLOW = "nhac-nop-bao-cao"   # @flow(name=...) of flows.reminders.send_reminders
FETCH_FLOW = "lay-thu"               # @flow(name=...) of flows.mailbox.fetch_round_mail
ROUND_SUFFIX = "truoc-han"
REMINDER_SUFFIX = "nhac-nop"
FETCH_SUFFIX = "lay-thu"
MAX_DAYS_BEFORE = 180   # a longer window would put two years' days into one cron month field
MAX_FETCH_EVERY = 60    # minutes; 60 = once an hour, on the hour

# Cron has no year field. How a period's cron strings are bounded to that period's own year:
#  1. one deployment per period, its parameters carry the period, so a run is always for that period;
#  2. `active` is decided when the plan is made (at `tonghop serve`): a schedule is active only if the
#     next time its cron strings fire falls on this period's own dates. A past period (2025-Y in 2026)
#     keeps its deployment for manual reruns but its schedules are inactive, and a period of a later
#     year stays inactive until the year before has passed; restarting `tonghop serve` (which every new
#     year needs anyway, to add the year's periods to the config) re-decides it;
#  3. `next_runs` counts only the period's own dates;
#  4. for a `serve` left running across a whole year, the flow checks `in_schedule(...)` against the
#     run's scheduled time and skips a scheduled run that is not on its period's dates.

_FIELD_RE = re.compile(r"^(\*|\d+)(?:-(\d+))?(?:/(\d+))?$")


@dataclass(frozen=True)
class PlannedDeployment:
    """One Prefect deployment to create: which flow, for which period, when, and with which parameters."""

    name: str                         # e.g. son-la-2025-Y-truoc-han
    flow_name: str                    # ROUND_FLOW, FETCH_FLOW or REMINDER_FLOW
    kind: str                         # round | fetch | reminder
    period: Period
    deadline: date
    dates: tuple[date, ...]           # the local dates its cron strings mean for this period
    run_time: time
    crons: tuple[str, ...]
    timezone: str
    active: bool                      # False: kept for manual reruns, no scheduled run
    parameters: dict[str, Any] = field(default_factory=dict)           # defaults of every run
    schedule_parameters: dict[str, Any] = field(default_factory=dict)  # added to scheduled runs only
    description: str = ""
    tags: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        """The name `prefect deployment run` takes: '<flow>/<deployment>'."""
        return f"{self.flow_name}/{self.name}"


def parse_run_time(text: str) -> time:
    """'07:00' -> time(7, 0); ConfigError otherwise."""
    m = re.match(r"^\s*(\d{1,2}):(\d{2})\s*$", str(text))
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ConfigError(f"schedule.run_time phải có dạng giờ:phút, ví dụ 07:00 (gặp {text!r})")
    return time(int(m.group(1)), int(m.group(2)))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"Múi giờ không hợp lệ: {name!r} (ví dụ đúng: Asia/Ho_Chi_Minh)") from exc


def fetch_every(config: ProvinceConfig) -> int:
    """`schedule.fetch_every_minutes`, checked: 0 (no fetch deployment) or 1 to MAX_FETCH_EVERY."""
    every = config.schedule.fetch_every_minutes
    if not 0 <= every <= MAX_FETCH_EVERY:
        raise ConfigError(f"schedule.fetch_every_minutes phải là số phút từ 1 đến {MAX_FETCH_EVERY}, hoặc 0 để "
                          f"không lấy thư theo lịch (gặp {every})")
    return every


def _check_days(days: int, where: str) -> None:
    if not 0 <= days <= MAX_DAYS_BEFORE:
        raise ConfigError(f"{where} phải là số ngày từ 0 đến {MAX_DAYS_BEFORE} (gặp {days})")


def round_dates(config: ProvinceConfig, period: Period) -> tuple[date, ...]:
    """The daily runs of a period: the last `run_days_before` days before its deadline and the deadline day."""
    n = config.schedule.run_days_before
    _check_days(n, "schedule.run_days_before")
    deadline = config.deadline(period)
    return tuple(deadline - timedelta(days=k) for k in range(n, -1, -1))


def reminder_dates(config: ProvinceConfig, period: Period) -> tuple[date, ...]:
    """The reminder days of a period, `reminder_days_before` days before its deadline, earliest first."""
    deadline = config.deadline(period)
    for d in config.schedule.reminder_days_before:
        _check_days(d, "schedule.reminder_days_before")
    return tuple(sorted({deadline - timedelta(days=d) for d in config.schedule.reminder_days_before}))


def _day_list(days: list[int]) -> str:
    """[18, 20, 21, 22] -> '18,20-22' (days sorted)."""
    groups: list[list[int]] = []
    for d in days:
        if groups and d == groups[-1][-1] + 1:
            groups[-1].append(d)
        else:
            groups.append([d])
    return ",".join(str(g[0]) if len(g) == 1 else f"{g[0]}-{g[-1]}" for g in groups)


def _by_month(dates: tuple[date, ...] | list[date]) -> dict[tuple[int, int], list[int]]:
    by_month: dict[tuple[int, int], list[int]] = {}
    for d in sorted(set(dates)):
        by_month.setdefault((d.year, d.month), []).append(d.day)
    return by_month


def cron_strings(dates: tuple[date, ...] | list[date], at: time) -> tuple[str, ...]:
    """Cron strings firing at `at` on exactly these dates' day/month: one string per month.

    A window that crosses a month end gives two strings ('0 7 28-30 11 *', '0 7 1-3 12 *'), because one
    cron string with days 28-30,1-3 and months 11-12 would also fire on 1-3/11 and 28-30/12.
    """
    return tuple(f"{at.minute} {at.hour} {_day_list(days)} {month} *"
                 for (_y, month), days in _by_month(dates).items())


def every_minutes_crons(dates: tuple[date, ...] | list[date], every: int) -> tuple[str, ...]:
    """Cron strings firing every `every` minutes, all day, on exactly these dates: one string per month.

    Counted from the start of each hour, as cron does ('*/10': 07:00, 07:10 … 07:50); 60 is on the hour.
    """
    if not 1 <= every <= MAX_FETCH_EVERY:
        raise ValueError(f"every must be 1-{MAX_FETCH_EVERY} minutes (got {every})")
    minute = "0" if every == MAX_FETCH_EVERY else "*" if every == 1 else f"*/{every}"
    return tuple(f"{minute} * {_day_list(days)} {month} *" for (_y, month), days in _by_month(dates).items())


def _parse_field(text: str, low: int, high: int) -> set[int] | None:
    """One cron field of the forms we emit: '*', 'n', 'a-b', '*/s', 'a-b/s', and comma lists of those.
    None means any."""
    if text == "*":
        return None
    values: set[int] = set()
    for part in text.split(","):
        m = _FIELD_RE.match(part)
        if not m or (m.group(1) == "*" and m.group(2)):
            raise ValueError(f"unsupported cron field {text!r}")
        a = low if m.group(1) == "*" else int(m.group(1))
        b = int(m.group(2)) if m.group(2) else (high if m.group(1) == "*" or m.group(3) else a)
        step = int(m.group(3)) if m.group(3) else 1
        if not (low <= a <= b <= high) or step < 1:
            raise ValueError(f"cron field {text!r} out of range {low}-{high}")
        values.update(range(a, b + 1, step))
    return values


def cron_times(cron: str, tz: str, first: date, last: date) -> list[datetime]:
    """Every time from `first` to `last` (local dates) that `cron` fires at, timezone-aware.

    A small iterator for the subset of cron we emit (no names, day-of-week '*');
    tests check it against Prefect's own cron schedule.
    """
    fields = cron.split()
    if len(fields) != 5 or fields[4] != "*":
        raise ValueError(f"unsupported cron string {cron!r}")
    minutes = _parse_field(fields[0], 0, 59)
    hours = _parse_field(fields[1], 0, 23)
    days = _parse_field(fields[2], 1, 31)
    months = _parse_field(fields[3], 1, 12)
    minutes = set(range(60)) if minutes is None else minutes
    hours = set(range(24)) if hours is None else hours
    tzinfo = zone(tz)
    out: list[datetime] = []
    d = first
    while d <= last:
        if (days is None or d.day in days) and (months is None or d.month in months):
            out.extend(datetime.combine(d, time(h, m), tzinfo) for h in sorted(hours) for m in sorted(minutes))
        d += timedelta(days=1)
    return out


def _next_fire(crons: tuple[str, ...], tz: str, after: datetime) -> datetime | None:
    """The next time any of `crons` fires after `after`, looking one year ahead (no year bound)."""
    start = after.astimezone(zone(tz)).date()
    times = [t for c in crons for t in cron_times(c, tz, start, start + timedelta(days=366)) if t > after]
    return min(times, default=None)


def _is_active(crons: tuple[str, ...], dates: tuple[date, ...], tz: str, now: datetime) -> bool:
    """Active only while the next firing of the cron strings is one of this period's own dates."""
    nxt = _next_fire(crons, tz, now)
    return nxt is not None and nxt.astimezone(zone(tz)).date() in dates


def _abs(path: str | Path | None) -> str | None:
    return str(Path(path).expanduser().resolve()) if path is not None else None


def _fmt_dates(dates: tuple[date, ...]) -> str:
    return ", ".join(f"{d:%d/%m}" for d in dates)


@dataclass(frozen=True)
class _Plan:
    """What every period's deployments share: the province, the clock, where runs read and write."""

    tz: str
    now: datetime
    at: time
    every: int                        # fetch every … minutes; 0: no fetch deployment
    inbox: str
    out: str
    db: str
    config_path: str | None
    slug: str
    province: str                     # "tỉnh Sơn La", for mid-sentence

    @property
    def hhmm(self) -> str:
        return f"{self.at:%H:%M}"


def _plan_context(config: ProvinceConfig, inbox: str | Path, out: str | Path, db_url: str | None,
                  config_path: str | Path | None, now: datetime | None) -> _Plan:
    """The shared part of the plan, checked: time zone, run time, fetch interval, absolute paths, database."""
    tz = config.timezone
    tzinfo = zone(tz)            # an unknown zone is the first thing said, whatever `now`
    now = now or datetime.now(tzinfo)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    at = parse_run_time(config.schedule.run_time)
    every = fetch_every(config)
    out_s = _abs(out)
    return _Plan(
        tz=tz, now=now, at=at, every=every, inbox=str(inbox), out=out_s,
        # Both flows get the same explicit database, so a round and its reminders never disagree about it.
        db=db_url or default_db_url(Path(out_s)),
        config_path=_abs(config_path if config_path is not None else config.source),
        slug=slugify(config.province_short),
        province=config.province_name[:1].lower() + config.province_name[1:],
    )


def _what(period: Period) -> str:
    """The period in words mid-sentence: '6 tháng đầu năm 2025', 'năm 2025'."""
    return period.vi[0].lower() + period.vi[1:]


def _round_deployment(config: ProvinceConfig, plan: _Plan, period: Period) -> PlannedDeployment:
    """The round of a period: daily at the run time over the days before its deadline."""
    code, deadline, tz = period.code, config.deadline(period), plan.tz
    dates = round_dates(config, period)
    crons = cron_strings(dates, plan.at)
    active = _is_active(crons, dates, tz, plan.now)
    desc = (f"Tổng hợp báo cáo bình đẳng giới {_what(period)} ({code}) của {plan.province}: "
            f"chạy lúc {plan.hhmm} hằng ngày từ {dates[0]:%d/%m/%Y} đến hạn nộp {deadline:%d/%m/%Y} "
            f"(múi giờ {tz}).")
    if not active:
        desc += " Lịch chạy đang tắt vì không phải kỳ sắp tới; vẫn có thể chạy lại thủ công."
    return PlannedDeployment(
        name=f"{plan.slug}-{code}-{ROUND_SUFFIX}", flow_name=ROUND_FLOW, kind="round", period=period,
        deadline=deadline, dates=dates, run_time=plan.at, crons=crons, timezone=tz, active=active,
        parameters={"period": code, "inbox": _abs(plan.inbox.replace("{period}", code)),
                    "out": plan.out, "db_url": plan.db, "config_path": plan.config_path, "trigger": "deployment"},
        # Scheduled runs say so, manual reruns keep "deployment": the run name {period}-{trigger} tells them apart.
        schedule_parameters={"trigger": "schedule"},
        description=desc, tags=("tonghop", plan.slug, code, "tong-hop"),
    )


def _fetch_deployment(plan: _Plan, round_: PlannedDeployment) -> PlannedDeployment:
    """The mailbox of a period: every few minutes, all day, on the round's days."""
    period, deadline, dates, tz, every = round_.period, round_.deadline, round_.dates, plan.tz, plan.every
    code = period.code
    fcrons = every_minutes_crons(dates, every)
    factive = _is_active(fcrons, dates, tz, plan.now)
    how_often = "mỗi giờ một lần" if every == MAX_FETCH_EVERY else f"{every} phút một lần"
    fdesc = (f"Lấy thư nộp báo cáo {_what(period)} ({code}) của {plan.province} từ hộp thư của đơn vị tổng hợp "
             f"(TONGHOP_IMAP_*) vào thư mục nhận tệp: {how_often}, suốt các ngày từ {dates[0]:%d/%m/%Y} "
             f"đến hạn nộp {deadline:%d/%m/%Y} (múi giờ {tz}).")
    if not factive:
        fdesc += " Lịch lấy thư đang tắt vì không phải kỳ sắp tới; vẫn có thể chạy thủ công."
    return PlannedDeployment(
        name=f"{plan.slug}-{code}-{FETCH_SUFFIX}", flow_name=FETCH_FLOW, kind="fetch", period=period,
        deadline=deadline, dates=dates, run_time=plan.at, crons=fcrons, timezone=tz, active=factive,
        # The round's own folders and database: what is fetched here is what the next round reads.
        parameters=dict(round_.parameters),
        schedule_parameters={"trigger": "schedule"},
        description=fdesc, tags=("tonghop", plan.slug, code, "lay-thu"),
    )


def _reminder_deployment(config: ProvinceConfig, plan: _Plan, period: Period) -> PlannedDeployment | None:
    """The reminders of a period on the configured days before its deadline; None when there are none."""
    code, deadline, tz = period.code, config.deadline(period), plan.tz
    rdates = reminder_dates(config, period)
    if not rdates:
        return None
    rcrons = cron_strings(rdates, plan.at)
    ractive = _is_active(rcrons, rdates, tz, plan.now)
    offsets = ", ".join(str(d) for d in sorted(set(config.schedule.reminder_days_before), reverse=True))
    rdesc = (f"Nhắc các đơn vị chưa nộp báo cáo {_what(period)} ({code}) của {plan.province}, "
             f"hạn nộp {deadline:%d/%m/%Y}: gửi lúc {plan.hhmm} các ngày {_fmt_dates(rdates)} "
             f"({offsets} ngày trước hạn, múi giờ {tz}).")
    if not ractive:
        rdesc += " Lịch nhắc đang tắt vì không phải kỳ sắp tới; vẫn có thể chạy thủ công."
    return PlannedDeployment(
        name=f"{plan.slug}-{code}-{REMINDER_SUFFIX}", flow_name=REMINDER_FLOW, kind="reminder", period=period,
        deadline=deadline, dates=rdates, run_time=plan.at, crons=rcrons, timezone=tz, active=ractive,
        parameters={"period": code, "db_url": plan.db, "out": plan.out, "config_path": plan.config_path,
                    "today": None},
        description=rdesc, tags=("tonghop", plan.slug, code, "nhac-nop"),
    )


def plan_deployments(
    config: ProvinceConfig,
    inbox: str | Path,
    out: str | Path,
    db_url: str | None = None,
    config_path: str | Path | None = None,
    now: datetime | None = None,
) -> list[PlannedDeployment]:
    """For each configured period: a round deployment (daily runs before the deadline), a mailbox one (every few
    minutes on the same days, unless `schedule.fetch_every_minutes` is 0) and a reminder one.

    `now` (default: the current time) decides which schedules are active; see the note at the top.
    Paths are made absolute because the served runs may start in another folder. An inbox containing
    '{period}' (e.g. /srv/hop-thu/{period}) gives each period its own folder.
    """
    plan = _plan_context(config, inbox, out, db_url, config_path, now)
    planned: list[PlannedDeployment] = []
    for code in config.periods_around(plan.now.astimezone(zone(plan.tz)).date()):
        period = Period.parse(code)
        round_ = _round_deployment(config, plan, period)
        planned.append(round_)
        if plan.every:
            planned.append(_fetch_deployment(plan, round_))
        reminder = _reminder_deployment(config, plan, period)
        if reminder is not None:
            planned.append(reminder)
    return planned


def next_runs(planned: PlannedDeployment, after: datetime, count: int = 5) -> list[datetime]:
    """The next `count` scheduled times of a deployment after `after`, within its period's own dates only.

    Computed from its cron strings (not from `dates`), so it checks them; empty for a past period.
    Inactive schedules are not skipped here: this is what the cron strings mean for the period.
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    first, last = min(planned.dates), max(planned.dates)
    times = sorted({t for c in planned.crons for t in cron_times(c, planned.timezone, first, last) if t > after})
    return times[:count]


def in_schedule(config: ProvinceConfig, period: Period, when: datetime, kind: str = "round") -> bool:
    """Whether a scheduled run at `when` belongs to `period` (its local date is one of the period's dates).

    For the flows: a run with trigger 'schedule' for which this is False was fired by a cron string
    in another year (see the note at the top) and should be skipped.
    """
    if when.tzinfo is None:
        raise ValueError("when must be timezone-aware")
    # the mailbox deployment runs on the round's days
    dates = reminder_dates(config, period) if kind == "reminder" else round_dates(config, period)
    return when.astimezone(zone(config.timezone)).date() in dates


def no_upcoming_warning(planned: list[PlannedDeployment], config: ProvinceConfig) -> str | None:
    """The loud warning when no schedule of the plan is on: no automatic run and no reminder will happen
    (the periods of the configuration are all past). None when something is scheduled."""
    if any(p.active for p in planned):
        return None
    last = max((p.period for p in planned), key=Period.sort_key, default=None)
    where = config.source or "tệp cấu hình"
    return (f"CẢNH BÁO: không có kỳ báo cáo sắp tới nào được lên lịch: sẽ không có lần chạy tự động và "
            f"không có thư nhắc nào. Các kỳ trong {where} "
            + (f"chỉ đến kỳ {last.code} ({last.vi}), đã qua hạn. " if last is not None else "không có kỳ nào. ")
            + "Hãy khai báo các kỳ tới ở mục periods (ví dụ every_year: {from: 2025, kinds: [H1, Y]}) "
              "rồi khởi động lại `tonghop serve`.")


def format_plan(planned: list[PlannedDeployment], now: datetime, count: int = 3) -> str:
    """The plan as plain Vietnamese text, for `tonghop schedule`."""
    lines: list[str] = []
    for p in planned:
        state = "đang bật" if p.active else "đang tắt (chỉ chạy thủ công)"
        lines.append(f"{p.full_name}  [{state}]")
        lines.append(f"  {p.description}")
        lines.append(f"  Cron ({p.timezone}): {' | '.join(p.crons)}")
        runs = next_runs(p, now, count)
        if runs and p.active:
            lines.append("  Lần chạy tới: " + ", ".join(f"{t:%H:%M %d/%m/%Y}" for t in runs))
        elif runs:
            # Same day/month as a period of an earlier year whose runs are still to come (cron has no year).
            lines.append("  Chưa bật: kỳ trước cùng ngày tháng chưa xong; chạy lại `tonghop serve` sau hạn của kỳ đó.")
        else:
            lines.append("  Đã qua hạn: không còn lần chạy theo lịch cho kỳ này.")
        lines.append(f"  Chạy lại: prefect deployment run '{p.full_name}' -p period={p.period.code}")
    return "\n".join(lines)
