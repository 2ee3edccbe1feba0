"""History and outlook: change since the last period, least-squares projection to 2030, plain verdicts."""
from __future__ import annotations

import pytest

from tonghop_dev.builders import indicator_grid, write_xlsx
from conftest import SAMPLES
from tonghop.config import Period
from tonghop.round.ingest import ingest_inbox
from tonghop.consolidate.outlook import least_squares, build_outlook
from tonghop.reports.round_data import build_round
from tonghop.store import open_db

Y = Period.parse("2025-Y")


def outlook(catalogue, code, history, value, period=Y):
    o = build_outlook(catalogue.indicators[code], period, value, history)
    return (o.points, None if o.slope is None else round(o.slope, 9),
            None if o.projected is None else round(o.projected, 9), o.verdict)


def test_least_squares_line():
    assert least_squares([(2023, 40.0), (2024, 45.0), (2025, 50.0)]) == (pytest.approx(-10075.0), pytest.approx(5.0))
    # means 2022,5 and 2,5; Σ(dx·dy) = 4, Σdx² = 5 → slope 0,8; at 2030: 2,5 + 0,8 × 7,5 = 8,5
    intercept, slope = least_squares([(2021, 1.0), (2022, 3.0), (2023, 2.0), (2024, 4.0)])
    assert (round(slope, 9), round(intercept + slope * 2030, 9)) == (0.8, 8.5)


@pytest.mark.parametrize("code, history, value, want", [
    # 40, 45, 50 → +5 a year → 75 in 2030, the 2030 target (≥ 75): on track
    ("1.1", {"2023-Y": 40.0, "2024-Y": 45.0}, 50.0,
     (((2023, 40.0), (2024, 45.0), (2025, 50.0)), 5.0, 75.0, "on_track")),
    # +2 a year reaches 52 only: improving but short
    ("1.1", {"2024-Y": 40.0}, 42.0, (((2024, 40.0), (2025, 42.0)), 2.0, 52.0, "at_risk")),
    # going down while below the target
    ("1.1", {"2024-Y": 50.0}, 48.0, (((2024, 50.0), (2025, 48.0)), -2.0, 38.0, "off_track")),
    # above the 2030 target today but falling: at risk, not off track
    ("1.1", {"2024-Y": 90.0}, 80.0, (((2024, 90.0), (2025, 80.0)), -10.0, 30.0, "at_risk")),
    # a share cannot pass 100 %: 80 → 95 projects 170, kept at 100
    ("1.1", {"2024-Y": 80.0}, 95.0, (((2024, 80.0), (2025, 95.0)), 15.0, 100.0, "on_track")),
    # lower is better: 28, 27, 26 → 21 < "dưới 25"
    ("2.2", {"2023-Y": 28.0, "2024-Y": 27.0}, 26.0,
     (((2023, 28.0), (2024, 27.0), (2025, 26.0)), -1.0, 21.0, "on_track")),
    # "dưới 42" in 2030 is strict: 41,8 meets it, a projection of exactly 42 does not (improving: at risk)
    ("4.2", {"2024-Y": 43.0}, 42.8, (((2024, 43.0), (2025, 42.8)), -0.2, 41.8, "on_track")),
    ("4.2", {"2024-Y": 43.2}, 43.0, (((2024, 43.2), (2025, 43.0)), -0.2, 42.0, "at_risk")),
    # standing still at 42: not improving and not meeting "dưới 42" → off track
    ("4.2", {"2024-Y": 42.0}, 42.0, (((2024, 42.0), (2025, 42.0)), 0.0, 42.0, "off_track")),
    # six-month values are history, not projection points
    ("1.1", {"2024-Y": 40.0, "2025-H1": 90.0}, 42.0, (((2024, 40.0), (2025, 42.0)), 2.0, 52.0, "at_risk")),
    # one annual value: not enough
    ("1.1", {"2025-H1": 50.0}, 50.5, (((2025, 50.5),), None, None, "insufficient")),
    ("1.1", {}, None, ((), None, None, "insufficient")),
    # yes/no: judged on this period's value
    ("4.4", {"2024-Y": 0.0}, 1.0, ((), None, None, "on_track")),
    ("4.4", {"2024-Y": 1.0}, 0.0, ((), None, None, "at_risk")),
    ("4.4", {}, None, ((), None, None, "insufficient")),
    # no 2030 target: no verdict
    ("5.4", {"2024-Y": 40.0}, 41.6, ((), None, None, None)),
])
def test_projection_and_verdict(catalogue, code, history, value, want):
    assert outlook(catalogue, code, history, value) == want


def test_half_year_report_projects_from_earlier_years_only(catalogue):
    h1 = Period.parse("2025-H1")
    assert outlook(catalogue, "1.1", {"2023-Y": 40.0, "2024-Y": 45.0}, 99.0, h1) == (
        ((2023, 40.0), (2024, 45.0)), 5.0, 75.0, "on_track")


def test_change_since_the_last_period_with_a_value(catalogue):
    o = build_outlook(catalogue.indicators["2.2"], Y, 70.6, {"2024-Y": 72.0, "2025-H1": None})
    assert (o.previous_period, o.previous_value, round(o.change, 9)) == ("2024-Y", 72.0, -1.4)
    o = build_outlook(catalogue.indicators["2.2"], Y, None, {"2024-Y": 72.0})
    assert (o.previous_period, o.previous_value, o.change) == ("2024-Y", 72.0, None)


def snv_only(path, year, women_leaders):
    write_xlsx(path, {"Biểu 01": indicator_grid("SNV", f"Năm {year}", [
        ["1.1", "Lãnh đạo chủ chốt là nữ", "14", "Tỉnh Sơn La", "Tổng", women_leaders, 95,
         round(women_leaders / 95 * 100, 2), None]], unit_name="Sở Nội vụ", email="cchcsonla@gmail.com")})


def test_history_comes_from_every_period_in_the_database(tmp_path, db_url, config):
    engine = open_db(db_url)
    for year, n in [(2023, 40), (2024, 44)]:
        inbox = tmp_path / str(year)
        inbox.mkdir()
        snv_only(inbox / "SNV.xlsx", year, n)
        ingest_inbox(inbox, engine, config, Period.parse(f"{year}-Y"))
    for code in ("2025-H1", "2025-Y"):
        ingest_inbox(SAMPLES / code, engine, config, Period.parse(code))
    data = build_round(engine, config, Y)
    assert data.history_periods == ["2023-Y", "2024-Y", "2025-H1"]
    o = data.results["1.1"].outlook
    # 40/95, 44/95 and 48/95 (× 100): +4,21 points a year → 71,58 in 2030, short of 75 but improving
    assert {p: round(v, 6) for p, v in o.history.items()} == {"2023-Y": 42.105263, "2024-Y": 46.315789,
                                                              "2025-H1": 50.526316}
    assert [(y, round(v, 6)) for y, v in o.points] == [(2023, 42.105263), (2024, 46.315789), (2025, 50.526316)]
    assert (round(o.slope, 6), round(o.projected, 6), o.verdict) == (4.210526, 71.578947, "at_risk")
    # compared with the year before (44/95), not with the half-year just before (48/95 too)
    assert (o.previous_period, round(o.change, 6)) == ("2024-Y", 4.210526)
    # 2.2 only from the sample: H1 71,30 % (249 900/350 500) → Y 70,60 %; one annual value, no projection, and
    # no value in 2024-Y to compare with (the half-year is not a year)
    o22 = data.results["2.2"].outlook
    assert (o22.history, o22.previous_period, o22.change, o22.verdict) == (
        {"2023-Y": None, "2024-Y": None, "2025-H1": pytest.approx(249_900 / 350_500 * 100)}, "2024-Y",
        None, "insufficient")
    engine.dispose()


def test_a_value_to_check_is_never_a_base_for_change_or_projection(catalogue):
    # 4.1 of 2025-Y was 1,12 ("Cần kiểm tra số liệu": a ratio typed for 112); 2026-Y is 110,67.
    # Today: change +109,55 and a line through 1,12 and 110,67 projecting 548,87 in 2030.
    o = build_outlook(catalogue.indicators["4.1"], Period.parse("2026-Y"), 110.67, {"2025-Y": 1.12})
    assert (o.previous_period, o.previous_value, o.change, o.points, o.projected, o.verdict) == (
        "2025-Y", None, None, ((2026, 110.67),), None, "insufficient")
    assert o.unchecked == {"2025-Y": 1.12}
    assert o.notes == ["Giá trị Năm 2025 (1,12) cần kiểm tra số liệu: không dùng để tính thay đổi và dự báo"]


def test_change_is_with_the_same_kind_of_period_a_year_earlier(catalogue):
    ind = catalogue.indicators["2.2"]
    history = {"2024-H1": 73.0, "2024-Y": 72.0, "2025-H1": 71.3}
    o = build_outlook(ind, Y, 70.6, history)           # year with year, not with the half-year just before
    assert (o.previous_period, o.previous_value, round(o.change, 9)) == ("2024-Y", 72.0, -1.4)
    o = build_outlook(ind, Period.parse("2025-H1"), 71.3, {"2024-H1": 73.0, "2024-Y": 72.0})
    assert (o.previous_period, o.previous_value, round(o.change, 9)) == ("2024-H1", 73.0, -1.7)
    # no record of the same period a year earlier: nothing to compare with, even with other periods on record
    o = build_outlook(ind, Y, 70.6, {"2025-H1": 71.3})
    assert (o.previous_period, o.previous_value, o.change, o.unchecked) == (None, None, None, {})
