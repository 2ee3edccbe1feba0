"""Each check of the validation, failing and passing, with the place and wording the submitter sees."""
from __future__ import annotations

import pytest

from tonghop_dev.builders import activity_grid, indicator_grid, write_xlsx
from tonghop.config import Period
from tonghop.intake.read import parse_file
from tonghop.check.validate import validate_files

Y2025 = Period.parse("2025-Y")
CLEAN_SYT = [
    ["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", "Tổng", 10600, 9500, 111.58, None],
    ["4.2", "Tử vong bà mẹ", "14", "Tỉnh Sơn La", "Tổng", 8, 20100, 39.8, None],
    ["4.3", "Sinh vị thành niên", "14", "Tỉnh Sơn La", "Tổng", 1200, 48000, 25, None],
    ["4.4", "Dịch vụ LGBT", "14", "Tỉnh Sơn La", "Tổng", None, None, 1, None],
]
CLEAN_ACTIVITIES = [["TT", "Truyền thông", 5, 300, 120, 180, 20.5, None]]


def check(tmp_path, rows, *, unit="SYT", period_text="Năm 2025", activities=CLEAN_ACTIVITIES, config=None,
          **header):
    from tonghop.config import load_config

    path = write_xlsx(tmp_path / "bao-cao.xlsx", {
        "Biểu 01": indicator_grid(unit, period_text, rows, **header),
        "Biểu 02": activity_grid(unit, period_text, activities, **header),
    })
    return validate_files([parse_file(path)], config or load_config(), Y2025)[0]


def issues(item):
    return sorted((p.code, p.severity, f"{p.sheet}!{p.cell}", p.value) for p in item.report.problems)


def replace(rows, index, column, value):
    rows = [list(r) for r in rows]
    rows[index][column] = value
    return rows


def test_clean_file_is_accepted_with_every_figure(tmp_path):
    item = check(tmp_path, CLEAN_SYT)
    assert issues(item) == []
    assert item.report.status == "accepted"
    assert item.report.accepted_indicators == ["4.1", "4.2", "4.3", "4.4", "TT"]
    assert [(f["indicator"], f["value"], f["cells"]["value"], f["accepted"]) for f in item.figures] == [
        ("4.1", 111.58, "I9", True), ("4.2", 39.8, "I10", True), ("4.3", 25.0, "I11", True), ("4.4", 1.0, "I12", True)]


# (rows change, expected (code, severity, cell, value)) — one per check, each on a single row
FAILING = [
    ("value-mismatch", replace(CLEAN_SYT, 0, 7, 120), ("value-mismatch", "error", "Biểu 01!I9", "120")),
    ("negative", replace(CLEAN_SYT, 1, 5, -8), ("negative-value", "error", "Biểu 01!G10", "-8")),
    ("not-a-number", replace(CLEAN_SYT, 1, 6, "khoảng 20.000"), ("not-a-number", "error", "Biểu 01!H10", "khoảng 20.000")),
    ("zero-denominator", replace(replace(CLEAN_SYT, 1, 6, 0), 1, 7, None),
     ("zero-denominator", "error", "Biểu 01!H10", "0")),
    ("unknown-area", replace(CLEAN_SYT, 2, 2, "99"), ("unknown-area", "error", "Biểu 01!D11", "99")),
    ("invalid-sex", replace(CLEAN_SYT, 2, 4, "Nữ giới"), ("invalid-sex", "error", "Biểu 01!F11", "Nữ giới")),
    ("unknown-indicator", replace(CLEAN_SYT, 2, 0, "9.9"), ("unknown-indicator", "error", "Biểu 01!B11", "9.9")),
    ("not-assigned", replace(replace(CLEAN_SYT, 2, 0, "6.1"), 2, 7, 2.5), ("indicator-not-assigned", "error", "Biểu 01!B11", "6.1")),
    ("not-boolean", replace(CLEAN_SYT, 3, 7, 2), ("not-boolean", "error", "Biểu 01!I12", "2")),
    ("out-of-range", replace(replace(replace(CLEAN_SYT, 0, 5, None), 0, 6, None), 0, 7, 1.12),
     ("out-of-range", "warning", "Biểu 01!I9", "1,12")),
    ("missing-value", replace(replace(replace(CLEAN_SYT, 2, 5, None), 2, 6, None), 2, 7, None),
     ("missing-value", "error", "Biểu 01!I11", None)),
]


@pytest.mark.parametrize("name, rows, expected", FAILING, ids=[f[0] for f in FAILING])
def test_each_check_finds_its_problem_at_its_cell(tmp_path, name, rows, expected):
    found = issues(check(tmp_path, rows))
    if expected[0] in ("unknown-indicator", "indicator-not-assigned"):
        found = [f for f in found if f[0] != "missing-indicator"]   # 4.3 is then missing too
    assert found == [expected]


def test_numerator_above_denominator_only_where_impossible(tmp_path, config):
    # 3.3 is a share: numerator cannot exceed denominator; 4.1 (boys per 100 girls) can.
    rows = [["3.3", "Nạn nhân", "14", "", "Tổng", 12, 10, 120, None]]
    item = check(tmp_path, rows, unit="CAT", email="cat@sonla.gov.vn", unit_name="Công an tỉnh")
    # the value 120 % is out of range too, but that is the same mistake: one message, not two
    assert issues(item) == [("numerator-above-denominator", "error", "Biểu 01!G9", "12")]
    assert issues(check(tmp_path, CLEAN_SYT)) == []   # 10.600 boys over 9.500 girls is fine


def test_duplicate_rows_are_all_named(tmp_path):
    rows = CLEAN_SYT + [CLEAN_SYT[2]]
    item = check(tmp_path, rows)
    assert issues(item) == [("duplicate-row", "error", "Biểu 01!B11", "4.3"),
                            ("duplicate-row", "error", "Biểu 01!B13", "4.3")]
    assert "được khai 2 lần" in item.report.problems[0].message


SGDDT = dict(unit="SGDDT", unit_name="Sở Giáo dục và Đào tạo", email="sgddt@sonla.gov.vn")
SGDDT_ROWS = [
    ["5.1", "DTTS hoàn thành tiểu học", "14", "", "Tổng", 8400, 9000, 93.33, None],
    ["5.1", "", "14", "", "Nam", 4300, 4600, 93.48, None],
    ["5.1", "", "14", "", "Nữ", 4100, 4400, 93.18, None],
    ["5.2a", "Nữ thạc sĩ", "14", "", "", 300, 550, 54.55, None],
    ["5.2b", "Nữ tiến sĩ", "14", "", "", 12, 40, 30, None],
    ["5.3", "Nội dung giới", "14", "", "", None, None, "Có", None],
    ["5.4", "GDNN", "14", "", "", 200, 500, 40, None],
]


def test_sex_split_adds_up(tmp_path):
    assert issues(check(tmp_path, SGDDT_ROWS, **SGDDT)) == []


def test_men_plus_women_not_total_is_reported_on_the_total_row(tmp_path):
    rows = replace(SGDDT_ROWS, 1, 5, 4250)   # Nam numerator 4.250: 4.250 + 4.100 = 8.350 ≠ 8.400
    rows = replace(rows, 1, 7, 92.39)
    item = check(tmp_path, rows, **SGDDT)
    assert issues(item) == [("sex-sum-mismatch", "error", "Biểu 01!G9", "8.400")]
    assert item.report.problems[0].message == "Tử số dòng Tổng (8.400) khác tổng Nam + Nữ (4.250 + 4.100 = 8.350)."
    assert item.report.status == "partially_accepted"
    assert item.report.blocked_indicators == ["5.1"]


def test_participants_must_be_men_plus_women(tmp_path):
    item = check(tmp_path, CLEAN_SYT, activities=[["TH", "Tập huấn", 2, 100, 40, 50, 10, None],
                                                  ["TT", "Truyền thông", 5, 300, 120, 180, 20, None]])
    assert issues(item) == [("participants-mismatch", "error", "Biểu 02!E9", "100")]
    assert item.report.problems[0].message == "Số người tham gia (100) khác Nam + Nữ (40 + 50 = 90)."
    assert item.report.blocked_indicators == ["TH"]


def test_unknown_activity_kind(tmp_path):
    item = check(tmp_path, CLEAN_SYT, activities=[["XYZ", "?", 1, None, None, None, None, None]])
    assert issues(item) == [("unknown-activity", "error", "Biểu 02!B9", "XYZ")]


@pytest.mark.parametrize("header, expected", [
    (dict(unit="ABC"), [("unknown-unit", "error", "Biểu 01!C2", "ABC")]),
    (dict(unit=None), [("unit-missing", "error", "Biểu 01!C2", None)]),
    (dict(period_text="Năm 2024"), [("period-mismatch", "error", "Biểu 01!C3", "Năm 2024")]),
    (dict(period_text="6 tháng đầu năm 2025"), [("period-mismatch", "error", "Biểu 01!C3", "6 tháng đầu năm 2025")]),
    (dict(period_text="báo cáo"), [("period-missing", "error", "Biểu 01!C3", "báo cáo")]),
])
def test_wrong_unit_or_period_rejects_the_whole_file(tmp_path, header, expected):
    item = check(tmp_path, CLEAN_SYT, **header)
    assert issues(item) == expected
    assert item.report.status == "rejected"
    assert item.report.accepted_indicators == []


@pytest.mark.parametrize("typed, message", [
    ("Năm 2026", "Tệp ghi kỳ báo cáo 'Năm 2026', trong khi đợt này tổng hợp kỳ Năm 2025."),
    ("năm 2026", "Tệp ghi kỳ báo cáo 'năm 2026', trong khi đợt này tổng hợp kỳ Năm 2025."),
    ("2025-H1", "Tệp ghi kỳ báo cáo '2025-H1' (tức 6 tháng đầu năm 2025), trong khi đợt này tổng hợp kỳ Năm 2025."),
])
def test_wrong_period_is_named_once_and_explained_only_when_typed_otherwise(tmp_path, typed, message):
    [problem] = check(tmp_path, CLEAN_SYT, period_text=typed).report.problems
    assert problem.message == message


@pytest.mark.parametrize("text", ["Năm 2025", "2025-Y", "năm 2025", "NĂM 2025", "Báo cáo năm 2025"])
def test_period_written_in_several_ways(tmp_path, text):
    assert check(tmp_path, CLEAN_SYT, period_text=text).report.status == "accepted"


def test_unregistered_email_and_missing_indicator_are_warnings(tmp_path):
    item = check(tmp_path, CLEAN_SYT[:3], email="someone@gmail.com")
    assert issues(item) == [("email-not-registered", "warning", "Biểu 01!C5", "someone@gmail.com"),
                            ("missing-indicator", "warning", "Biểu 01!", None)]
    assert item.report.status == "accepted"


def test_vietnamese_numbers_and_derived_values(tmp_path):
    rows = [["4.1", "", "14", "", "Tổng", "10.600", "9.500", None, None],      # value left to the formula
            ["4.2", "", "14", "", "", "8", "20 100", "39,8", None],
            ["4.3", "", "14", "", "", "1.200", "48.000", "25", None],
            ["4.4", "", "14", "", "", None, None, "có", None]]
    item = check(tmp_path, rows)
    assert issues(item) == []
    assert [(f["numerator"], f["denominator"], round(f["value"], 2), f["value_derived"]) for f in item.figures] == [
        (10600.0, 9500.0, 111.58, True), (8.0, 20100.0, 39.8, False), (1200.0, 48000.0, 25.0, False),
        (None, None, 1.0, False)]


def test_a_comma_and_three_digits_typed_as_text_in_a_count_cell_is_a_warning_with_both_readings(tmp_path):
    rows = [["4.1", "", "14", "", "Tổng", "10,612", "9,478", None, None],
            ["4.2", "", "14", "", "", "8", "20 100", "39,8", None],
            ["4.3", "", "14", "", "", "1.200", "48.000", "25", None],
            ["4.4", "", "14", "", "", None, None, "có", None]]
    item = check(tmp_path, rows, activities=[["TT", "Truyền thông", 5, "1,250", 500, 750, "4,800", None]])
    assert issues(item) == [("ambiguous-thousands", "warning", "Biểu 01!G9", "10,612"),
                            ("ambiguous-thousands", "warning", "Biểu 01!H9", "9,478"),
                            ("ambiguous-thousands", "warning", "Biểu 02!E9", "1,250")]
    assert [p.message for p in item.report.problems if p.code == "ambiguous-thousands"] == [
        "Ô Tử số ghi '10,612' (dạng chữ): nếu dấu phẩy ngăn cách hàng nghìn thì là 10.612, nếu là dấu thập phân "
        "thì là 10,612. Ô này phải là số nguyên nên đã đọc là 10.612.",
        "Ô Mẫu số ghi '9,478' (dạng chữ): nếu dấu phẩy ngăn cách hàng nghìn thì là 9.478, nếu là dấu thập phân "
        "thì là 9,478. Ô này phải là số nguyên nên đã đọc là 9.478.",
        "Ô Số người tham gia ghi '1,250' (dạng chữ): nếu dấu phẩy ngăn cách hàng nghìn thì là 1.250, nếu là dấu "
        "thập phân thì là 1,25. Ô này phải là số nguyên nên đã đọc là 1.250."]
    assert item.report.status == "accepted"
    assert (item.figures[0]["numerator"], item.figures[0]["denominator"]) == (10612.0, 9478.0)
    # Kinh phí (triệu đồng) may have decimals: 4,800 is 4,8 as Vietnamese write it, no warning
    assert [(a["participants"], a["budget"]) for a in item.activities] == [(1250.0, 4.8)]


def test_hours_of_3_1_are_not_counts_so_a_decimal_comma_is_read_as_typed(tmp_path):
    rows = [["3.1", "", "14", "", "Tổng", "4,250", "2,500", None, None]]
    item = check(tmp_path, rows, unit="CCTK", activities=[], unit_name="Chi cục Thống kê tỉnh",
                 email="cctk@sonla.gov.vn")
    assert issues(item) == []
    assert [(f["numerator"], f["denominator"], f["value"]) for f in item.figures] == [(4.25, 2.5, 1.7)]


def test_one_bad_indicator_does_not_block_the_others(tmp_path):
    item = check(tmp_path, replace(CLEAN_SYT, 0, 7, 120))
    assert item.report.status == "partially_accepted"
    assert item.report.blocked_indicators == ["4.1"]
    assert [f["accepted"] for f in item.figures] == [False, True, True, True]


def test_files_are_validated_together_but_judged_apart(tmp_path, config):
    good = write_xlsx(tmp_path / "a.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", CLEAN_SYT)})
    bad = write_xlsx(tmp_path / "b.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", replace(CLEAN_SYT, 0, 7, 120))})
    a, b = validate_files([parse_file(good), parse_file(bad)], config, Y2025)
    assert (a.report.status, b.report.status) == ("accepted", "partially_accepted")
    assert [p.cell for p in b.report.problems] == ["I9"]


def test_an_unusual_value_is_answered_with_the_way_to_enter_that_indicator(tmp_path):
    # 4.1 typed as 1,12 (a plain fraction) and 4.3 typed as 0,025 per woman: each fix names its own Tử số, Mẫu số
    # and the slip, never the % example of another indicator
    rows = replace(replace(replace(CLEAN_SYT, 0, 5, None), 0, 6, None), 0, 7, 1.12)
    rows = replace(replace(replace(rows, 2, 5, None), 2, 6, None), 2, 7, 350)
    fixes = {p.indicator: p.fix for p in check(tmp_path, rows).report.problems if p.code == "out-of-range"}
    assert fixes == {
        "4.1": "Kiểm tra lại Tử số, Mẫu số và Giá trị của chỉ tiêu 4.1: Tử số = Số bé trai sinh ra sống; Mẫu số = "
               "Số bé gái sinh ra sống; Giá trị = Tử số / Mẫu số × 100, tính trên 100, khoảng 112 (không ghi 1,12). "
               "Nếu đã ghi giá trị dạng 1,12 thì nhân với 100, hoặc để trống Giá trị để hệ thống tự tính từ Tử số "
               "và Mẫu số.",
        "4.3": "Kiểm tra lại Tử số, Mẫu số và Giá trị của chỉ tiêu 4.3: Tử số = Số trẻ sinh ra sống của phụ nữ 15-19 "
               "tuổi; Mẫu số = Số phụ nữ 15-19 tuổi; Giá trị = Tử số / Mẫu số × 1.000, tính trên 1.000, ví dụ 18 "
               "(không ghi 0,018). Nếu đã ghi giá trị dạng 0,018 thì nhân với 1.000, hoặc để trống Giá trị để hệ "
               "thống tự tính từ Tử số và Mẫu số."}


@pytest.mark.parametrize("seed", range(6))
def test_one_validation_for_all_indicators_finds_what_one_per_indicator_finds(config, catalogue, seed):
    """The batch schema holds each row to its own indicator's checks: the same problems, values, cells and order
    (Pandera sorts failure cases unstably: many failures per indicator, in shuffled indicator order)."""
    import dataclasses
    import random

    from tonghop.check.validate import validate_indicators

    rnd = random.Random(seed)
    codes = list(catalogue.indicators)
    areas = list(config.areas)[:6] + ["XX"]
    sexes = ["Tổng", "Nam", "Nữ", "Khác"]

    def number():
        return rnd.choice([None, 0.0, -1.0, 1.0, 0.5, 2.0, 45.5, 100.0, 150.0, 1e6, float(rnd.randint(0, 200))])

    records = []
    for file_idx in range(8):
        for code in rnd.sample(codes, k=len(codes) // 2):
            for row in range(rnd.randint(1, 12)):
                num, den = number(), number()
                records.append({
                    "file_idx": file_idx, "indicator": code, "row": 10 + row, "sheet": "Biểu 01",
                    "area": rnd.choice(areas), "sex": rnd.choice(sexes), "numerator": num, "denominator": den,
                    "value": number(), "value_derived": rnd.random() < 0.1, "assigned": rnd.random() < 0.9,
                    "unparsed": rnd.random() < 0.05,
                    "cells": {"indicator": f"B{10 + row}", "numerator": f"F{10 + row}", "denominator": f"G{10 + row}",
                              "value": f"H{10 + row}", "area": f"D{10 + row}", "sex": f"E{10 + row}"},
                })
    rnd.shuffle(records)
    units = [config.units.get("SYT")] * 8

    def seen(batch):
        found = validate_indicators(records, units, config, catalogue, batch=batch)
        return {i: [dataclasses.asdict(p) for p in probs] for i, probs in found.items()}

    once = seen(True)
    assert sum(len(p) for p in once.values()) > 100
    assert once == seen(False)
