"""Numbers written the Vietnamese way, and printed back."""
from datetime import datetime

import pytest
from hypothesis import given, strategies as st

from tonghop.numbers import NotANumber, comma_readings, format_size, format_vi, parse_number


@pytest.mark.parametrize("raw, expected", [
    ("1.234", 1234.0), ("45,5", 45.5), ("12 500", 12500.0), ("12\u00a0500", 12500.0), ("45,5%", 45.5),
    ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("0.455", 0.455), ("0,5", 0.5), ("1.234.567", 1234567.0),
    ("1,234,567", 1234567.0), ("45.5", 45.5), (" 7 ", 7.0), (3, 3.0), (0.455, 0.455), (True, 1.0),
    (None, None), ("", None), ("  ", None), ("-", None),
])
def test_parse_number_reads_what_people_type(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["khoảng 300", "#DIV/0!", "12a", "1.2.3,4,5", datetime(2025, 1, 1), float("nan"), "inf"])
def test_parse_number_refuses_what_is_not_a_number(raw):
    with pytest.raises(NotANumber):
        parse_number(raw)


@pytest.mark.parametrize("value, text", [(8400, "8.400"), (45.5, "45,5"), (1234.567, "1.234,57"),
                                         (0, "0"), (None, ""), (-1200.5, "-1.200,5"), (111.58, "111,58")])
def test_format_vi(value, text):
    assert format_vi(value) == text


@pytest.mark.parametrize("raw, readings", [
    ("1,250", (1250.0, 1.25)), (" 4,800 ", (4800.0, 4.8)), ("999,000", (999000.0, 999.0)),
    # not ambiguous: two groups, a dot too, other digit counts, a leading zero, a number cell, a sign
    ("1,250,000", None), ("1.250,5", None), ("1,25", None), ("1,2500", None), ("1234,567", None),
    ("0,500", None), (1.25, None), (1250, None), ("-1,250", None)])
def test_comma_readings_of_text_with_three_digits_after_one_comma(raw, readings):
    assert comma_readings(raw) == readings


@pytest.mark.parametrize("value, text", [(2.105263, "+2,11"), (-1.4, "-1,4"), (0.001, "0"), (1500.0, "+1.500")])
def test_format_vi_signed_for_a_change(value, text):
    assert format_vi(value, signed=True) == text


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_format_then_parse_round_trips(d):
    value = float(d)
    assert parse_number(format_vi(value)) == pytest.approx(round(value, 2))


@pytest.mark.parametrize("value, decimals, text", [
    # the workbook guide had its own formatter that wrote 0,999 as "1," and -0,5 as "0,5"
    (0.999, 2, "1"), (-0.5, 2, "-0,5"), (100000, 2, "100.000"), (1.7, 2, "1,7"),
    # a lock's age in hours and a percentage, once printed with Python's decimal point
    (7.5, 1, "7,5"), (62.5, 0, "62"), (1024.4, 0, "1.024")])
def test_format_vi_for_every_number_an_officer_reads(value, decimals, text):
    assert format_vi(value, decimals) == text


@pytest.mark.parametrize("size, text", [(0, "0 byte"), (1234, "1.234 byte"), (25 * 2**20, "25 MB"),
                                        (2048 * 2**20, "2.048 MB"), (int(26.6 * 2**20), "27 MB")])
def test_format_size(size, text):
    assert format_size(size) == text
