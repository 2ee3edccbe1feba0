"""Property-based tests (Hypothesis): the number and label parsers, and forms generated at random — valid ones
read back equal, garbage in figure cells always ends as a number or a problem, never an exception."""
from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tonghop_dev.builders import activity_grid, indicator_grid, write_xlsx
from schemas.labels import normalize_label, sheet_key
from tonghop.config import Period
from tonghop.numbers import NotANumber, format_vi, parse_number
from tonghop.problems import PROBLEM_TYPES
from tonghop.intake.read import parse_file
from tonghop.check.validate import validate_files

Y = Period.parse("2025-Y")
FILE_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


# --- numbers -------------------------------------------------------------------------------------------------------

@given(st.integers(min_value=-10**12, max_value=10**12))
def test_whole_numbers_round_trip_through_vietnamese_text(n):
    assert parse_number(format_vi(n)) == n


@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_decimals_round_trip_through_vietnamese_text(whole, cents):
    x = whole + math.copysign(cents / 100, whole or 1)
    assert parse_number(format_vi(x)) == round(x, 2)


@given(st.one_of(TEXT, st.from_regex(r"[ +-]?[\d.,  %']{0,20}", fullmatch=True)))
def test_any_text_is_a_number_none_or_not_a_number(text):
    try:
        value = parse_number(text)
    except NotANumber:
        return
    assert value is None or (isinstance(value, float) and math.isfinite(value))


@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**15, 10**15), st.booleans()))
def test_numbers_stay_numbers(x):
    assert parse_number(x) == float(x)


@given(st.one_of(st.dates(), st.datetimes(), st.just(float("nan")), st.just(float("inf"))))
def test_dates_and_non_finite_are_not_numbers(x):
    try:
        parse_number(x)
    except NotANumber:
        return
    raise AssertionError(f"{x!r} read as a number")


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_format_vi_uses_vietnamese_marks(x):
    text = format_vi(x)
    assert "," not in text or text.count(",") == 1
    assert all(len(g) == 3 for g in text.lstrip("-").split(",")[0].split(".")[1:])


# --- labels --------------------------------------------------------------------------------------------------------

@given(TEXT)
def test_normalize_label_is_idempotent_and_plain(text):
    n = normalize_label(text)
    assert normalize_label(n) == n
    assert n == n.strip() and "  " not in n and n == n.lower()
    assert not any(unicodedata.category(ch) == "Mn" for ch in n)


@given(TEXT)
def test_normalize_label_ignores_composition_and_case(text):
    assert normalize_label(unicodedata.normalize("NFD", text)) == normalize_label(unicodedata.normalize("NFC", text))
    vietnamese = "".join(ch for ch in text if (ch.isascii() or "À" <= ch <= "ỹ") and len(ch.upper()) == len(ch.lower()) == 1)
    assert normalize_label(vietnamese.upper()) == normalize_label(vietnamese.lower())


@given(st.sampled_from(["Biểu", "Bieu", "BIỂU", "biểu", "BM", "Biểu mẫu"]), st.sampled_from(["", " ", ".", "_", "-"]),
       st.sampled_from(["1", "01", "001", "2", "02"]), st.sampled_from(["", " "]))
def test_sheet_key_reads_the_ways_people_name_the_form(word, sep, number, trail):
    want = "indicators" if number.lstrip("0") == "1" else "activities"
    assert sheet_key(f"{word}{sep}{number}{trail}") == want


@given(TEXT)
def test_sheet_key_is_one_of_two_or_none(text):
    assert sheet_key(text) in (None, "indicators", "activities")


# --- generated forms -----------------------------------------------------------------------------------------------

SEXES = st.sampled_from(["Tổng", "Nam", "Nữ"])
COUNT = st.integers(min_value=0, max_value=10**7)


@st.composite
def indicator_rows(draw):
    """Rows of Biểu 01 as a person types them: known codes, areas, whole counts; a value or not."""
    rows = []
    for code in draw(st.lists(st.sampled_from(["4.1", "4.2", "4.3", "4.4"]), min_size=1, max_size=6)):
        num, den = draw(COUNT), draw(st.integers(min_value=1, max_value=10**7))
        value = draw(st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2))))
        note = draw(st.one_of(st.none(), st.text(st.characters(whitelist_categories=("L", "N", "Zs")), min_size=1,
                                                 max_size=30).filter(lambda t: t.strip() == t and t)))
        rows.append([code, "Tên", "14", "Tỉnh Sơn La", draw(SEXES), num, den, value, note])
    return rows


@FILE_SETTINGS
@given(rows=indicator_rows())
def test_valid_rows_written_then_read_back_are_equal(tmp_path_factory, rows):
    path = write_xlsx(tmp_path_factory.mktemp("form") / "f.xlsx",
                      {"Biểu 01": indicator_grid("SYT", "Năm 2025", rows),
                       "Biểu 02": activity_grid("SYT", "Năm 2025", [["TT", "Truyền thông", 5, 300, 120, 180, 20.5, None]])})
    parsed = parse_file(path)
    assert parsed.problems == []
    got = [[r.values["indicator"], r.values["sex"], r.values["numerator"], r.values["denominator"],
            r.values["value"], r.values["note"]] for r in parsed.indicator_rows]
    assert got == [[r[0], r[4], r[5], r[6], r[7], r[8]] for r in rows]
    assert [r.row for r in parsed.indicator_rows] == list(range(9, 9 + len(rows)))


GARBAGE = st.one_of(
    st.none(), st.integers(-10**9, 10**9), st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(), st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)).map(lambda d: d.replace(microsecond=0)),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=25),
    st.sampled_from(["1.234", "45,5", "12 500", "45,5%", "-", "–", "khoảng 20", "1,2,3", "1.2.3", "#DIV/0!", "N/A",
                     "=1+1", "1e400", "nan", "∞", "٣", "１２３", " ", "0x10"]))


@FILE_SETTINGS
@given(cells=st.lists(st.tuples(GARBAGE, GARBAGE, GARBAGE), min_size=1, max_size=5))
def test_garbage_in_figure_cells_is_a_number_or_a_problem(tmp_path_factory, config, cells):
    rows = [[code, "Tên", "14", "", "Tổng", n, d, v, None] for code, (n, d, v) in zip(["4.1", "4.2", "4.3", "4.4", "4.1"], cells)]
    path = write_xlsx(tmp_path_factory.mktemp("garbage") / "f.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", rows)})
    item = validate_files([parse_file(path)], config, Y)[0]       # never raises
    places = {p.cell for p in item.report.problems}
    assert all(p.code in PROBLEM_TYPES and p.message and p.fix for p in item.report.problems)
    records = {f["row"]: f for f in item.figures}
    for raw in item.parsed.indicator_rows:
        rec = records.get(raw.row)
        for fld in ("numerator", "denominator", "value"):
            got = rec[fld] if rec else None
            assert got is None or (isinstance(got, float) and math.isfinite(got))
            if raw.values[fld] is not None and not (isinstance(raw.values[fld], str) and raw.values[fld].strip() in ("", "-", "–", "—")):
                assert got is not None or raw.cells[fld] in places, (fld, raw.values[fld])
