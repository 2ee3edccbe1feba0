"""The schedule plan for Sơn La: cron strings, next run times, bounds to the period's year."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tonghop.config import Period, Schedule
from tonghop.errors import ConfigError
from tonghop.round.schedule import (
    cron_strings, cron_times, format_plan, in_schedule, next_runs, no_upcoming_warning, plan_deployments,
)
from tonghop.safe_text import slugify

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OCT_2025 = datetime(2025, 10, 1, tzinfo=VN)
Y2025 = Period.parse("2025-Y")


def by_name(planned):
    return {p.name: p for p in planned}


def test_son_la_plan(config, tmp_path):
    planned = by_name(plan_deployments(config, tmp_path / "inbox", tmp_path / "out", now=OCT_2025))
    assert set(planned) == {f"son-la-{p}-{kind}" for p in ("2025-H1", "2025-Y", "2026-H1", "2026-Y")
                            for kind in ("truoc-han", "lay-thu", "nhac-nop")}
    y = planned["son-la-2025-Y-truoc-han"]
    assert y.flow_name == "tong-hop" and y.full_name == "tong-hop/son-la-2025-Y-truoc-han"
    assert y.crons == ("0 7 20-25 11 *",)
    assert y.timezone == "Asia/Ho_Chi_Minh"
    assert y.active                                   # in October 2025 it is the coming period
    assert y.parameters["period"] == "2025-Y" and y.parameters["trigger"] == "deployment"
    assert y.schedule_parameters == {"trigger": "schedule"}
    assert y.parameters["inbox"] == str((tmp_path / "inbox").resolve())
    assert y.parameters["db_url"] == f"sqlite:///{(tmp_path / 'out' / 'tonghop.db').resolve()}"
    assert y.parameters["config_path"] == str(config.source.resolve())
    assert "25/11/2025" in y.description and "tỉnh Sơn La" in y.description
    assert planned["son-la-2025-Y-nhac-nop"].crons == ("0 7 18,23 11 *",)
    per_period = by_name(plan_deployments(config, tmp_path / "hop-thu" / "{period}", tmp_path, now=OCT_2025))
    assert per_period["son-la-2025-H1-truoc-han"].parameters["inbox"] == \
        str((tmp_path / "hop-thu" / "2025-H1").resolve())
    assert planned["son-la-2025-Y-nhac-nop"].parameters["db_url"] == y.parameters["db_url"]
    assert planned["son-la-2025-H1-truoc-han"].crons == ("0 7 15-20 5 *",)
    assert planned["son-la-2025-H1-nhac-nop"].crons == ("0 7 13,18 5 *",)
    # Past by October 2025: kept for manual reruns, not scheduled.
    assert not planned["son-la-2025-H1-truoc-han"].active
    # The mailbox: every 10 minutes, all day, on the round's days, into the round's folders and database.
    f = planned["son-la-2025-Y-lay-thu"]
    assert (f.flow_name, f.full_name, f.kind, f.period.code) == ("lay-thu", "lay-thu/son-la-2025-Y-lay-thu", "fetch",
                                                                 "2025-Y")
    assert f.crons == ("*/10 * 20-25 11 *",) and f.dates == y.dates and f.timezone == "Asia/Ho_Chi_Minh"
    assert f.active and f.deadline == y.deadline
    assert f.parameters == y.parameters and f.schedule_parameters == {"trigger": "schedule"}
    assert f.tags == ("tonghop", "son-la", "2025-Y", "lay-thu")
    assert f.description == (
        "Lấy thư nộp báo cáo năm 2025 (2025-Y) của tỉnh Sơn La từ hộp thư của đơn vị tổng hợp (TONGHOP_IMAP_*) vào "
        "thư mục nhận tệp: 10 phút một lần, suốt các ngày từ 20/11/2025 đến hạn nộp 25/11/2025 "
        "(múi giờ Asia/Ho_Chi_Minh).")
    h1 = planned["son-la-2025-H1-lay-thu"]
    assert h1.crons == ("*/10 * 15-20 5 *",) and not h1.active
    assert h1.description.endswith("Lịch lấy thư đang tắt vì không phải kỳ sắp tới; vẫn có thể chạy thủ công.")
    assert {n: (p.kind, p.active) for n, p in planned.items()} == {
        # in October 2025 the next May is 2026-H1's and the next November 2025-Y's: the same rule for all three
        f"son-la-{code}-{suffix}": (kind, code in ("2025-Y", "2026-H1"))
        for code in ("2025-H1", "2025-Y", "2026-H1", "2026-Y")
        for suffix, kind in (("truoc-han", "round"), ("lay-thu", "fetch"), ("nhac-nop", "reminder"))}


def test_fetch_runs_every_n_minutes_on_the_round_days(config, tmp_path):
    f = by_name(plan_deployments(config, tmp_path, tmp_path, now=OCT_2025))["son-la-2025-Y-lay-thu"]
    runs = next_runs(f, OCT_2025, count=1000)
    assert runs == [datetime(2025, 11, 20, 0, 0, tzinfo=VN) + timedelta(minutes=10 * k) for k in range(6 * 24 * 6)]
    # the last one: 23:50 on the deadline day, never the day after
    assert runs[-1] == datetime(2025, 11, 25, 23, 50, tzinfo=VN)
    assert next_runs(f, datetime(2025, 11, 25, 23, 50, tzinfo=VN)) == []
    assert in_schedule(config, Y2025, datetime(2025, 11, 25, 23, 50, tzinfo=VN), kind="fetch")
    assert not in_schedule(config, Y2025, datetime(2025, 11, 26, 0, 0, tzinfo=VN), kind="fetch")
    assert not in_schedule(config, Y2025, datetime(2026, 11, 20, 0, 0, tzinfo=VN), kind="fetch")


@pytest.mark.parametrize("every, crons, first_runs", [
    (15, ("*/15 * 20-25 11 *",), ["00:00", "00:15", "00:30"]),
    (1, ("* * 20-25 11 *",), ["00:00", "00:01", "00:02"]),
    (60, ("0 * 20-25 11 *",), ["00:00", "01:00", "02:00"]),
])
def test_fetch_interval_from_the_config(config, tmp_path, every, crons, first_runs):
    cfg = dataclasses.replace(config, schedule=dataclasses.replace(config.schedule, fetch_every_minutes=every))
    f = by_name(plan_deployments(cfg, tmp_path, tmp_path, now=OCT_2025))["son-la-2025-Y-lay-thu"]
    assert f.crons == crons
    assert [f"{t:%H:%M}" for t in next_runs(f, OCT_2025, 3)] == first_runs


def test_fetch_every_zero_plans_no_fetch_deployment(config, tmp_path):
    off = dataclasses.replace(config, schedule=dataclasses.replace(config.schedule, fetch_every_minutes=0))
    planned = plan_deployments(off, tmp_path, tmp_path, now=OCT_2025)
    assert [p.name for p in planned] == [f"son-la-{code}-{suffix}" for code in ("2025-H1", "2025-Y", "2026-H1", "2026-Y")
                                         for suffix in ("truoc-han", "nhac-nop")]
    assert "lay-thu" not in format_plan(planned, OCT_2025)


def test_fetch_deployment_crosses_a_month_end_like_the_round(config, tmp_path):
    early = dataclasses.replace(config, deadlines={"H1": (3, 6), "Y": (2, 12)})
    plan = by_name(plan_deployments(early, tmp_path, tmp_path, now=datetime(2025, 1, 1, tzinfo=VN)))
    assert plan["son-la-2025-H1-lay-thu"].crons == ("*/10 * 29-31 5 *", "*/10 * 1-3 6 *")
    runs = next_runs(plan["son-la-2025-H1-lay-thu"], datetime(2025, 1, 1, tzinfo=VN), count=10_000)
    assert sorted({t.date() for t in runs}) == list(plan["son-la-2025-H1-truoc-han"].dates)
    assert len(runs) == 6 * 144


def test_next_runs_2025_y(config, tmp_path):
    y = by_name(plan_deployments(config, tmp_path, tmp_path, now=OCT_2025))["son-la-2025-Y-truoc-han"]
    runs = next_runs(y, OCT_2025, count=10)
    assert runs == [datetime(2025, 11, d, 7, 0, tzinfo=VN) for d in range(20, 26)]
    assert all(r.utcoffset() == timedelta(hours=7) for r in runs)
    assert runs[0].astimezone(ZoneInfo("UTC")) == datetime(2025, 11, 20, 0, 0, tzinfo=ZoneInfo("UTC"))
    # From the middle of the window, and nothing after the deadline: never into 2026.
    assert next_runs(y, datetime(2025, 11, 23, 7, 0, tzinfo=VN), count=5) == [
        datetime(2025, 11, 24, 7, 0, tzinfo=VN), datetime(2025, 11, 25, 7, 0, tzinfo=VN)]
    assert next_runs(y, datetime(2025, 11, 25, 7, 1, tzinfo=VN)) == []
    with pytest.raises(ValueError):
        next_runs(y, datetime(2025, 10, 1))


def test_deadline_change_moves_schedule(config, tmp_path):
    moved = dataclasses.replace(config, deadlines={**config.deadlines, "Y": (30, 11)})
    y = by_name(plan_deployments(moved, tmp_path, tmp_path, now=OCT_2025))["son-la-2025-Y-truoc-han"]
    assert y.crons == ("0 7 25-30 11 *",)
    assert next_runs(y, OCT_2025, 10)[-1] == datetime(2025, 11, 30, 7, 0, tzinfo=VN)
    # One period's own date overrides its kind's day/month.
    own = dataclasses.replace(config, period_deadlines={"2025-Y": date(2025, 11, 28)})
    assert by_name(plan_deployments(own, tmp_path, tmp_path, now=OCT_2025))["son-la-2025-Y-truoc-han"].crons \
        == ("0 7 23-28 11 *",)
    # Run time and window length come from the config too.
    other = dataclasses.replace(config, schedule=Schedule(run_days_before=2, run_time="16:30",
                                                          reminder_days_before=(10,)))
    plan = by_name(plan_deployments(other, tmp_path, tmp_path, now=OCT_2025))
    assert plan["son-la-2025-Y-truoc-han"].crons == ("30 16 23-25 11 *",)
    assert plan["son-la-2025-Y-nhac-nop"].crons == ("30 16 15 11 *",)


def test_month_crossing_window(config, tmp_path):
    early = dataclasses.replace(config, deadlines={"H1": (3, 6), "Y": (2, 12)})
    plan = by_name(plan_deployments(early, tmp_path, tmp_path, now=datetime(2025, 1, 1, tzinfo=VN)))
    h1 = plan["son-la-2025-H1-truoc-han"]
    assert h1.crons == ("0 7 29-31 5 *", "0 7 1-3 6 *")
    assert next_runs(h1, datetime(2025, 1, 1, tzinfo=VN), 10) == [
        datetime(2025, 5, d, 7, tzinfo=VN) for d in (29, 30, 31)] + [
        datetime(2025, 6, d, 7, tzinfo=VN) for d in (1, 2, 3)]
    y = plan["son-la-2025-Y-truoc-han"]
    assert y.crons == ("0 7 27-30 11 *", "0 7 1-2 12 *")       # November has 30 days
    assert plan["son-la-2025-Y-nhac-nop"].crons == ("0 7 25,30 11 *",)
    # Reminders 7 and 2 days before 3/6: 27/5 and 1/6, one string per month.
    assert plan["son-la-2025-H1-nhac-nop"].crons == ("0 7 27 5 *", "0 7 1 6 *")


def test_year_crossing_window(config, tmp_path):
    jan = dataclasses.replace(config, period_deadlines={"2025-Y": date(2025, 1, 2)})
    y = by_name(plan_deployments(jan, tmp_path, tmp_path, now=datetime(2024, 12, 1, tzinfo=VN)))[
        "son-la-2025-Y-truoc-han"]
    assert y.crons == ("0 7 28-31 12 *", "0 7 1-2 1 *")
    assert [r.date() for r in next_runs(y, datetime(2024, 12, 1, tzinfo=VN), 10)] == [
        date(2024, 12, 28) + timedelta(days=k) for k in range(6)]


def test_active_only_for_the_coming_period(config, tmp_path):
    """Cron has no year: a schedule is active only while its next firing is one of its own period's dates."""
    two_years = dataclasses.replace(config, periods=("2025-Y", "2026-Y"), period_rule=None)

    def active(now):
        plan = by_name(plan_deployments(two_years, tmp_path, tmp_path, now=now))
        return plan["son-la-2025-Y-truoc-han"].active, plan["son-la-2026-Y-truoc-han"].active

    assert active(datetime(2025, 6, 1, tzinfo=VN)) == (True, False)
    assert active(datetime(2025, 11, 22, 9, 0, tzinfo=VN)) == (True, False)     # during the window
    assert active(datetime(2025, 11, 25, 6, 59, tzinfo=VN)) == (True, False)    # the last run is still to come
    assert active(datetime(2025, 11, 25, 7, 1, tzinfo=VN)) == (False, True)     # after it
    assert active(datetime(2026, 11, 23, 7, 1, tzinfo=VN)) == (False, True)
    assert active(datetime(2026, 12, 1, tzinfo=VN)) == (False, False)
    text = format_plan(plan_deployments(two_years, tmp_path, tmp_path, now=OCT_2025), OCT_2025)
    assert "Chưa bật: kỳ trước cùng ngày tháng chưa xong" in text                # 2026-Y, seen in 2025
    later = datetime(2027, 1, 1, tzinfo=VN)
    assert "Đã qua hạn" in format_plan(plan_deployments(two_years, tmp_path, tmp_path, now=later), later)


def test_in_schedule_guards_other_years(config):
    assert in_schedule(config, Y2025, datetime(2025, 11, 20, 7, 0, tzinfo=VN))
    assert in_schedule(config, Y2025, datetime(2025, 11, 25, 0, 0, tzinfo=ZoneInfo("UTC")))
    assert not in_schedule(config, Y2025, datetime(2026, 11, 20, 7, 0, tzinfo=VN))   # same cron, next year
    # The local date decides: 16:00 UTC on 19/11 is 23:00 on 19/11 in Sơn La, 17:00 UTC is 20/11.
    assert not in_schedule(config, Y2025, datetime(2025, 11, 19, 16, 0, tzinfo=ZoneInfo("UTC")))
    assert in_schedule(config, Y2025, datetime(2025, 11, 19, 17, 0, tzinfo=ZoneInfo("UTC")))
    assert in_schedule(config, Y2025, datetime(2025, 11, 18, 7, 0, tzinfo=VN), kind="reminder")
    assert not in_schedule(config, Y2025, datetime(2025, 11, 19, 7, 0, tzinfo=VN), kind="reminder")


def test_cron_times_subset():
    times = cron_times("0 7 18,20-21 11 *", "Asia/Ho_Chi_Minh", date(2025, 1, 1), date(2026, 1, 1))
    assert [t.day for t in times] == [18, 20, 21]
    assert cron_strings([date(2025, 11, d) for d in (18, 20, 21, 22)], datetime(2025, 1, 1, 7, 5).time()) == \
        ("5 7 18,20-22 11 *",)
    assert [f"{t:%H:%M}" for t in cron_times("*/20 6-7 18 11 *", "Asia/Ho_Chi_Minh", date(2025, 11, 1),
                                             date(2025, 11, 30))] == ["06:00", "06:20", "06:40", "07:00", "07:20", "07:40"]
    assert [t.minute for t in cron_times("5/25 7 18 11 *", "Asia/Ho_Chi_Minh", date(2025, 11, 18),
                                         date(2025, 11, 18))] == [5, 30, 55]
    for bad in ("*/0 7 1 1 *", "*-5 7 1 1 *", "0 7 1 1 1", "0 7 1 JAN *", "0 7 32 1 *"):
        with pytest.raises(ValueError):
            cron_times(bad, "Asia/Ho_Chi_Minh", date(2025, 1, 1), date(2025, 2, 1))


def test_bad_schedule_config(config, tmp_path):
    for sched, words in ((Schedule(run_time="7h"), "run_time"),
                         (Schedule(run_days_before=400), "run_days_before"),
                         (Schedule(reminder_days_before=(-1,)), "reminder_days_before"),
                         (Schedule(fetch_every_minutes=61), "fetch_every_minutes"),
                         (Schedule(fetch_every_minutes=-5), "fetch_every_minutes")):
        with pytest.raises(ConfigError, match=words):
            plan_deployments(dataclasses.replace(config, schedule=sched), tmp_path, tmp_path, now=OCT_2025)
    with pytest.raises(ConfigError, match="Múi giờ"):
        plan_deployments(dataclasses.replace(config, timezone="Asia/Hanoi_Nowhere"), tmp_path, tmp_path,
                         now=OCT_2025)


def test_no_reminders_configured(config, tmp_path):
    none = dataclasses.replace(config, schedule=Schedule(reminder_days_before=()))
    assert {p.kind for p in plan_deployments(none, tmp_path, tmp_path, now=OCT_2025)} == {"round", "fetch"}


def test_slug_and_text(config, tmp_path):
    assert slugify("Sơn La") == "son-la" and slugify("Điện Biên") == "dien-bien" and slugify("Đắk Lắk") == "dak-lak"
    text = format_plan(plan_deployments(config, tmp_path, tmp_path, now=OCT_2025), OCT_2025)
    assert "tong-hop/son-la-2025-Y-truoc-han  [đang bật]" in text
    assert "Lần chạy tới: 07:00 20/11/2025, 07:00 21/11/2025, 07:00 22/11/2025" in text
    assert "prefect deployment run 'tong-hop/son-la-2025-Y-truoc-han' -p period=2025-Y" in text
    assert "đang tắt (chỉ chạy thủ công)" in text      # 2025-H1, past
    assert "\n".join(text.splitlines()[20:25]) == (
        "lay-thu/son-la-2025-Y-lay-thu  [đang bật]\n"
        "  Lấy thư nộp báo cáo năm 2025 (2025-Y) của tỉnh Sơn La từ hộp thư của đơn vị tổng hợp (TONGHOP_IMAP_*) vào "
        "thư mục nhận tệp: 10 phút một lần, suốt các ngày từ 20/11/2025 đến hạn nộp 25/11/2025 "
        "(múi giờ Asia/Ho_Chi_Minh).\n"
        "  Cron (Asia/Ho_Chi_Minh): */10 * 20-25 11 *\n"
        "  Lần chạy tới: 00:00 20/11/2025, 00:10 20/11/2025, 00:20 20/11/2025\n"
        "  Chạy lại: prefect deployment run 'lay-thu/son-la-2025-Y-lay-thu' -p period=2025-Y")


def test_next_years_periods_are_planned_by_rule(config, tmp_path):
    """December 2026: the shipped rule (every H1 and Y from 2025) already plans 2027's runs and reminders."""
    dec = datetime(2026, 12, 2, tzinfo=VN)
    plan = by_name(plan_deployments(config, tmp_path, tmp_path, now=dec))
    assert {n: p.active for n, p in plan.items() if p.kind == "round"} == {
        "son-la-2025-H1-truoc-han": False, "son-la-2025-Y-truoc-han": False, "son-la-2026-H1-truoc-han": False,
        "son-la-2026-Y-truoc-han": False, "son-la-2027-H1-truoc-han": True, "son-la-2027-Y-truoc-han": True}
    assert next_runs(plan["son-la-2027-H1-nhac-nop"], dec) == [datetime(2027, 5, 13, 7, tzinfo=VN),
                                                                datetime(2027, 5, 18, 7, tzinfo=VN)]
    assert no_upcoming_warning(list(plan.values()), config) is None


def test_a_plan_with_nothing_upcoming_is_warned_about(config, tmp_path):
    listed = dataclasses.replace(config, periods=("2025-Y", "2026-H1", "2026-Y"), period_rule=None)
    plan = plan_deployments(listed, tmp_path, tmp_path, now=datetime(2026, 12, 2, tzinfo=VN))
    assert not any(p.active for p in plan)
    assert no_upcoming_warning(plan, listed) == (
        f"CẢNH BÁO: không có kỳ báo cáo sắp tới nào được lên lịch: sẽ không có lần chạy tự động và không có thư "
        f"nhắc nào. Các kỳ trong {config.source} chỉ đến kỳ 2026-Y (Năm 2026), đã qua hạn. Hãy khai báo các kỳ tới "
        "ở mục periods (ví dụ every_year: {from: 2025, kinds: [H1, Y]}) rồi khởi động lại `tonghop serve`.")
