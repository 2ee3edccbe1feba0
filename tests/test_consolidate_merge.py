"""Merge rules: the sample round consolidated by hand, a resubmission, and each rule on figures built here."""
from __future__ import annotations

import csv
import os
import shutil
from datetime import datetime, timezone

import pytest

from tonghop_dev.builders import indicator_grid, write_xlsx
from conftest import SAMPLES
from tonghop.config import Period
from tonghop.consolidate.current import FigureRecord, current_figures
from tonghop.round.ingest import ingest_inbox
from tonghop.consolidate.merge import merge_all, merge_indicator
from tonghop.store import open_db
from tonghop.consolidate.targets import status

Y = Period.parse("2025-Y")

# The 2025-Y sample round by hand, from tonghop_dev/sample/data.py (FIGURES["2025-Y"]) less the figures
# blocked in sample_inputs/EXPECTED.yaml. Every province-level row; value = Σ Tử số / Σ Mẫu số × factor.
# code: (value, numerator, denominator, contributing units, units missing, status against the 2025 target)
HAND_2025_Y = {
    # SNV 48/95 × 100; target ≥ 60
    "1.1": (50.526315789473685, 48, 95, ["SNV"], [], "not_achieved"),
    # SNV's only row blocked (value-mismatch, 72,39 typed for 27,39)
    "2.1": (None, None, None, [], ["SNV"], "no_data"),
    # SNV 248 500/352 000 × 100 = 70,60; target "dưới 30" (down, strict)
    "2.2": (70.5965909090909, 248_500, 352_000, ["SNV"], [], "not_achieved"),
    # STC blocked (unknown-area on its second 2.3 row blocks the indicator)
    "2.3": (None, None, None, [], ["STC"], "no_data"),
    # CCTK 20,4 / 11,2 hours (ratio, factor 1); target ≤ 1,7
    "3.1": (1.8214285714285714, 20.4, 11.2, ["CCTK"], [], "not_achieved"),
    # SNV 142/168 only: SVHTTDL's 96/112 is blocked (the row pasted twice, duplicate-row); target ≥ 80
    "3.2a": (84.52380952380952, 142, 168, ["SNV"], ["SVHTTDL"], "achieved"),
    # SNV 71/118 + SVHTTDL 41/73 = 112/191 × 100 (not the mean of 60,17 % and 56,16 %); target ≥ 50
    "3.2b": (58.63874345549738, 112, 191, ["SNV", "SVHTTDL"], [], "achieved"),
    # CAT blocked (numerator-above-denominator 28 > 26)
    "3.3": (None, None, None, [], ["CAT"], "no_data"),
    # SNV 2/3 × 100; target ≥ 70
    "3.4": (66.66666666666666, 2, 3, ["SNV"], [], "not_achieved"),
    # SYT typed 1,12 with no Tử số/Mẫu số (a warning, not blocked): value-only, SYT's value; outside the
    # usual 80–150 per 100, so it is not compared with ≤ 111 (it would "hold") but marked for checking
    "4.1": (1.12, None, None, ["SYT"], [], "to_check"),
    # SYT 9/20 090 × 100 000 = 44,80; target ≤ 42 (strict only in 2030)
    "4.2": (44.79840716774515, 9, 20_090, ["SYT"], [], "not_achieved"),
    # SYT 1 980/48 600 × 1 000 = 40,74; target ≤ 18
    "4.3": (40.74074074074075, 1_980, 48_600, ["SYT"], [], "not_achieved"),
    # SYT yes (1): boolean_any; target Có
    "4.4": (1.0, None, None, ["SYT"], [], "achieved"),
    # SGDDT blocked for every sex (sex-sum-mismatch: 5 990 + 5 862 ≠ 11 842)
    "5.1": (None, None, None, [], ["SGDDT"], "no_data"),
    # SGDDT 1 148/2 096 × 100; target ≥ 50
    "5.2a": (54.770992366412216, 1_148, 2_096, ["SGDDT"], [], "achieved"),
    # SGDDT 38/142 × 100; target ≥ 30
    "5.2b": (26.76056338028169, 38, 142, ["SGDDT"], [], "not_achieved"),
    # SGDDT yes (1); target Có
    "5.3": (1.0, None, None, ["SGDDT"], [], "achieved"),
    # SNV 3 850/9 200 + SGDDT 2 310/5 600 = 6 160/14 800 × 100; no target → None
    "5.4": (41.62162162162162, 6_160, 14_800, ["SNV", "SGDDT"], [], None),
    # SNV 812 450/1 318 700 × 100; target ≥ 60
    "6.1": (61.609918859482825, 812_450, 1_318_700, ["SNV"], [], "achieved"),
    # SNV 1/1 × 100; target ≥ 80
    "6.2": (100.0, 1, 1, ["SNV"], [], "achieved"),
}


def consolidated(engine, config, catalogue, period=Y) -> dict[str, tuple]:
    merged = merge_all(current_figures(engine, period), config, catalogue)
    return {code: (m.total.value, m.total.numerator, m.total.denominator, m.total.units, m.units_missing,
                   status(m.indicator, m.total.value, period.year)) for code, m in merged.items()}


def assert_same(got: dict[str, tuple], want: dict[str, tuple]) -> None:
    assert list(got) == list(want)
    for code, (value, *rest) in want.items():
        assert got[code][0] == (None if value is None else pytest.approx(value, rel=1e-12)), code
        assert list(got[code][1:]) == rest, code


def test_every_indicator_of_the_sample_round_equals_the_hand_computation(db_url, config, catalogue):
    engine = open_db(db_url)
    ingest_inbox(SAMPLES / "2025-Y", engine, config, Y)
    assert_same(consolidated(engine, config, catalogue), HAND_2025_Y)
    merged = merge_all(current_figures(engine, Period.parse("2025-Y")), config, catalogue)
    assert {s: c.value for s, c in merged["5.1"].cells.items()} == {"Tổng": None, "Nam": None, "Nữ": None}
    engine.dispose()


SVHTTDL_FIXED = [["3.2a", "Tỷ lệ nạn nhân tiếp cận dịch vụ", "14", "Tỉnh Sơn La", "Tổng", 96, 112, 85.71, None],
                 ["3.2b", "Tỷ lệ người gây bạo lực được tư vấn", "14", "Tỉnh Sơn La", "Tổng", 41, 73, 56.16, None]]
SYT_FIXED = [["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", "Tổng", 10_612, 9_478, 111.96, None],
             ["4.2", "Tử vong bà mẹ", "14", "Tỉnh Sơn La", "Tổng", 9, 20_090, 44.8, None],
             ["4.3", "Sinh vị thành niên", "14", "Tỉnh Sơn La", "Tổng", 1_980, 48_600, 40.74, None],
             ["4.4", "Dịch vụ y tế", "14", "Tỉnh Sơn La", "Tổng", None, None, 1, None]]


@pytest.mark.parametrize("unit, name, email, rows, changed", [
    # the duplicate row removed: 3.2a = (142 + 96) / (168 + 112) = 238/280 = 85 %; 3.2b unchanged
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "svhttdl@sonla.gov.vn", SVHTTDL_FIXED,
     {"3.2a": (85.0, 238, 280, ["SNV", "SVHTTDL"], [], "achieved")}),
    # boys/girls now given: 10 612 / 9 478 × 100 = 111,96 > 111; 4.2-4.4 resent unchanged
    ("SYT", "Sở Y tế", "syt@sonla.gov.vn", SYT_FIXED,
     {"4.1": (111.96454948301329, 10_612, 9_478, ["SYT"], [], "not_achieved")}),
], ids=["SVHTTDL-3.2a", "SYT-4.1"])
def test_a_resubmission_changes_exactly_the_indicators_it_touches(tmp_path, db_url, config, catalogue, unit, name,
                                                                  email, rows, changed):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "2025-Y", inbox)
    engine = open_db(db_url)
    ingest_inbox(inbox, engine, config, Y)
    before = consolidated(engine, config, catalogue)
    assert_same(before, HAND_2025_Y)
    fixed = f"{unit} - bao cao sua lai.xlsx"
    write_xlsx(inbox / fixed, {"Biểu 01": indicator_grid(unit, "Năm 2025", rows, unit_name=name, email=email)})
    with open(inbox / "received.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow([fixed, "2025-11-25T09:00:00+07:00"])
    result = ingest_inbox(inbox, engine, config, Y)
    assert [(c.parsed.path.name, c.report.status) for c in result.checked] == [(fixed, "accepted")]
    assert_same(consolidated(engine, config, catalogue), {**HAND_2025_Y, **changed})
    engine.dispose()


# --- each rule on figures built here (no database) ------------------------------------------------------------

def fig(unit, code, num, den, value=None, *, area="14", sex="Tổng", accepted=True, row=9, sub=1):
    return FigureRecord(sub, unit, f"{unit}.xlsx", code, area, sex, num, den, value, "Biểu 01", row, f"I{row}",
                        accepted)


def test_ratio_is_recomputed_from_summed_parts_never_averaged(config, catalogue):
    m = merge_indicator(catalogue.indicators["3.2a"],
                        [fig("SNV", "3.2a", 1, 2, 50), fig("SVHTTDL", "3.2a", 99, 100, 99, sub=2)], config)
    # 100/102 = 98,04 %, where the mean of 50 % and 99 % would be 74,5 %
    assert (m.total.value, m.total.numerator, m.total.denominator, m.total.units) == (
        pytest.approx(100 / 102 * 100), 100, 102, ["SNV", "SVHTTDL"])


def test_commune_rows_roll_up_and_a_differing_province_row_is_noted(config, catalogue):
    rows = [fig("SNV", "6.1", 1000, 2000, 50, row=9),
            fig("SNV", "6.1", 300, 500, 60, area="14001", row=10),
            fig("SNV", "6.1", 400, 1000, 40, area="14002", row=11)]
    m = merge_indicator(catalogue.indicators["6.1"], rows, config)
    assert (m.total.value, m.total.numerator, m.total.denominator) == (pytest.approx(700 / 1500 * 100), 700, 1500)
    assert [(s.figure.cell, s.used) for s in m.total.sources] == [("I10", True), ("I11", True), ("I9", False)]
    assert m.notes == ["SNV: dòng toàn tỉnh (Biểu 01!I9: Tử số 1.000, Mẫu số 2.000) khác tổng các xã, phường "
                       "(Tử số 700, Mẫu số 1.500); đã dùng tổng các xã, phường"]
    same = merge_indicator(catalogue.indicators["6.1"], [fig("SNV", "6.1", 700, 1500, 46.67)] + rows[1:], config)
    assert (same.total.numerator, same.total.denominator, same.notes) == (700, 1500, [])


def test_commune_rows_without_parts_fall_back_to_the_province_row(config, catalogue):
    rows = [fig("SNV", "6.1", 1000, 2000, 50, row=9), fig("SNV", "6.1", None, None, 60, area="14001", row=10)]
    m = merge_indicator(catalogue.indicators["6.1"], rows, config)
    assert (m.total.value, m.total.numerator, m.total.denominator) == (50, 1000, 2000)
    assert [(s.figure.cell, s.used) for s in m.total.sources] == [("I9", True), ("I10", False)]


def test_value_only_takes_the_first_assigned_unit_in_configuration_order(config, catalogue):
    # 5.4 is assigned to SNV, then SGDDT (config/son-la.yaml): SNV's value whatever the file order
    m = merge_indicator(catalogue.indicators["5.4"],
                        [fig("SGDDT", "5.4", None, None, 30, sub=2), fig("SNV", "5.4", None, None, 40)], config)
    assert (m.total.value, m.total.numerator, m.total.units, m.units_missing) == (40, None, ["SNV"], ["SGDDT"])
    assert m.notes == ["Tổng: dùng giá trị của SNV; giá trị của SGDDT (30) không dùng"]


def test_a_value_only_part_is_not_mixed_with_summed_parts(config, catalogue):
    m = merge_indicator(catalogue.indicators["5.4"],
                        [fig("SNV", "5.4", 3850, 9200, 41.85), fig("SGDDT", "5.4", None, None, 41.25, sub=2)], config)
    assert (m.total.value, m.total.units, m.units_missing) == (pytest.approx(3850 / 9200 * 100), ["SNV"], ["SGDDT"])
    assert [(s.figure.unit_code, s.used) for s in m.total.sources] == [("SNV", True), ("SGDDT", False)]


def test_yes_no_stays_yes_no_yes_when_any_says_yes(config, catalogue):
    ind = catalogue.indicators["5.3"]
    yes = merge_indicator(ind, [fig("SGDDT", "5.3", None, None, 0, area="14001"),
                                fig("SGDDT", "5.3", None, None, 1, area="14002", row=10)], config)
    no = merge_indicator(ind, [fig("SGDDT", "5.3", None, None, 0)], config)
    assert (yes.total.value, yes.total.numerator, no.total.value) == (1.0, None, 0.0)


def test_sexes_keep_their_split_and_a_missing_total_is_men_plus_women(config, catalogue):
    ind = catalogue.indicators["5.1"]
    m = merge_indicator(ind, [fig("SGDDT", "5.1", 5990, 6520, sex="Nam"),
                              fig("SGDDT", "5.1", 5852, 6295, sex="Nữ", row=10)], config)
    assert {s: (c.numerator, c.denominator) for s, c in m.cells.items()} == {
        "Tổng": (11842, 12815), "Nam": (5990, 6520), "Nữ": (5852, 6295)}
    assert m.cells["Nữ"].value == pytest.approx(5852 / 6295 * 100)
    assert m.notes == ["SGDDT: không có dòng Tổng; Tổng = Nam + Nữ"]


def test_blocked_figures_are_traced_but_not_merged(config, catalogue):
    m = merge_indicator(catalogue.indicators["3.2a"],
                        [fig("SNV", "3.2a", 142, 168), fig("SVHTTDL", "3.2a", 96, 112, accepted=False, sub=2)], config)
    assert (m.total.numerator, m.total.denominator, m.units_missing) == (142, 168, ["SVHTTDL"])
    assert [(s.figure.unit_code, s.used, s.reason) for s in m.total.sources] == [
        ("SNV", True, ""),
        ("SVHTTDL", False, "không được chấp nhận (chỉ tiêu có lỗi trong tệp của đơn vị)")]


@pytest.mark.parametrize("code, year, value, want", [
    ("1.1", 2025, 60.0, "achieved"),           # at least 60
    ("1.1", 2025, 59.99, "not_achieved"),
    ("1.1", 2026, 70.0, "not_achieved"),       # from 2026 the 2030 target (75) is in force
    ("2.2", 2025, 30.0, "not_achieved"),       # "dưới 30 %": 30 itself does not meet it
    ("2.2", 2025, 29.99, "achieved"),
    ("4.2", 2025, 42.0, "achieved"),           # "42" in 2025 (at most) ...
    ("4.2", 2030, 42.0, "not_achieved"),       # ... "dưới 42" in 2030
    ("4.4", 2025, 0.0, "not_achieved"),
    ("3.1", 2025, None, "no_data"),
    ("5.4", 2025, 41.6, None),                 # no target at all
    ("1.1", 2025, 3 / 5000 * 100_000, "achieved"),   # 59.99999999999999 is the 60 a person reads
])
def test_status_against_the_target_in_force(catalogue, code, year, value, want):
    assert status(catalogue.indicators[code], value, year) == want


def test_only_current_submissions_count(tmp_path, db_url, config, catalogue):
    """An earlier file of the same unit stays in history but is not consolidated."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, num, when in [("v1.xlsx", 1, datetime(2025, 11, 1, tzinfo=timezone.utc)),
                            ("v2.xlsx", 2, datetime(2025, 11, 2, tzinfo=timezone.utc))]:
        write_xlsx(inbox / name, {"Biểu 01": indicator_grid("CAT", "Năm 2025", [
            ["3.3", "Nạn nhân mua bán", "14", "Tỉnh Sơn La", "Tổng", num, 4, num / 4 * 100, None]],
            unit_name="Công an tỉnh", email="cat@sonla.gov.vn")})
        os.utime(inbox / name, (when.timestamp(),) * 2)
    engine = open_db(db_url)
    ingest_inbox(inbox, engine, config, Y)
    got = consolidated(engine, config, catalogue)["3.3"]
    assert got == (50.0, 2, 4, ["CAT"], [], "not_achieved")
    engine.dispose()


def test_commune_rows_of_a_workbook_roll_up_to_the_province(tmp_path, db_url, config, catalogue):
    """End to end: a workbook giving 6.1 for the province and for its four communes."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = [["6.1", "Dân số tiếp cận kiến thức", "14", "Tỉnh Sơn La", "Tổng", 5000, 10_000, 50, None],
            ["6.1", "Dân số tiếp cận kiến thức", "03646", "Phường Tô Hiệu", "Tổng", 1200, 2000, 60, None],
            ["6.1", "Dân số tiếp cận kiến thức", "03667", "Phường Chiềng An", "Tổng", 900, 3000, 30, None],
            ["6.1", "Dân số tiếp cận kiến thức", "03847", "Xã Mường Bú", "Tổng", 1500, 2500, 60, None],
            ["6.1", "Dân số tiếp cận kiến thức", "03980", "Phường Mộc Châu", "Tổng", 1600, 2500, 64, None]]
    write_xlsx(inbox / "SNV.xlsx", {"Biểu 01": indicator_grid("SNV", "Năm 2025", rows, unit_name="Sở Nội vụ",
                                                              email="cchcsonla@gmail.com")})
    engine = open_db(db_url)
    ingest_inbox(inbox, engine, config, Y)
    m = merge_all(current_figures(engine, Period.parse("2025-Y")), config, catalogue)["6.1"]
    # communes: 1 200 + 900 + 1 500 + 1 600 = 5 200 of 2 000 + 3 000 + 2 500 + 2 500 = 10 000 → 52 %,
    # not the province row's 5 000 (50 %) and not the mean of the communes' rates (53,5 %)
    assert (m.total.value, m.total.numerator, m.total.denominator, m.total.units) == (52.0, 5200, 10_000, ["SNV"])
    assert [(s.figure.area, s.used) for s in m.total.sources] == [
        ("03646", True), ("03667", True), ("03847", True), ("03980", True), ("14", False)]
    assert m.notes == ["SNV: dòng toàn tỉnh (Biểu 01!I9: Tử số 5.000, Mẫu số 10.000) khác tổng các xã, phường "
                       "(Tử số 5.200, Mẫu số 10.000); đã dùng tổng các xã, phường"]
    engine.dispose()


def test_the_province_chooses_sum_of_parts_or_one_units_figure_with_the_others_as_a_cross_check(config, catalogue):
    from dataclasses import replace

    rows = [fig("SNV", "3.2a", 142, 168, 84.52), fig("SVHTTDL", "3.2a", 96, 112, 85.71, sub=2)]
    summed = merge_indicator(catalogue.indicators["3.2a"], rows, replace(config, multi_unit={"3.2a": "sum"}))
    assert (summed.total.numerator, summed.total.denominator, summed.total.units, summed.notes) == (
        238, 280, ["SNV", "SVHTTDL"], [])
    # Sở Nội vụ's figure counts; Sở VHTTDL's domestic-violence victims may be the same people: shown beside it
    led = merge_indicator(catalogue.indicators["3.2a"], rows, replace(config, multi_unit={"3.2a": "SNV"}))
    assert (led.total.value, led.total.numerator, led.total.denominator, led.total.units, led.units_missing) == (
        pytest.approx(142 / 168 * 100), 142, 168, ["SNV"], [])
    assert led.notes == ["Tổng: đối chiếu — SVHTTDL báo 85,71 (Tử số 96, Mẫu số 112); số liệu dùng là của SNV: "
                         "84,52"]
    assert [(s.figure.unit_code, s.used, s.reason) for s in led.total.sources] == [
        ("SNV", True, ""), ("SVHTTDL", False, "đối chiếu: tỉnh lấy số liệu của SNV")]
    # the chosen unit has not reported: no value, and the other's figure is still shown for checking
    alone = merge_indicator(catalogue.indicators["3.2a"], rows[1:], replace(config, multi_unit={"3.2a": "SNV"}))
    assert (alone.total.value, alone.units_missing) == (None, ["SNV"])
    assert alone.notes == ["Tổng: đối chiếu — SVHTTDL báo 85,71 (Tử số 96, Mẫu số 112); số liệu dùng là của SNV: "
                           "chưa có số liệu"]
