"""Completeness and timeliness: every configured unit, reported or not, on time against the end of the deadline day."""
from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

import sample_answer
from conftest import SAMPLES
from tonghop.consolidate.completeness import completeness, deadline_end
from tonghop.config import Period
from tonghop.consolidate.current import SubmissionInfo, current_submissions, units_that_sent
from tonghop.round.ingest import ingest_inbox
from tonghop.store import open_db

VN = timezone(timedelta(hours=7))


def rows(comp):
    return [(u.unit.code, u.reported, u.received_local.strftime("%d/%m %H:%M") if u.received_local else None,
             u.on_time, u.days_late, u.submission.status if u.submission else None) for u in comp.units]


def expected_rows(answers):
    """rows() of the sample's answer key (tests/sample_answer.py)."""
    return [(a.code, a.reported, a.received.strftime("%d/%m %H:%M") if a.received else None, a.on_time,
             a.days_late, a.status) for a in answers]


def test_sample_year_round(db_url, config):
    period = Period.parse("2025-Y")
    engine = open_db(db_url)
    ingest_inbox(SAMPLES / "2025-Y", engine, config, period)
    comp = completeness(config, period, current_submissions(engine, period), units_that_sent(engine, period))
    answers = sample_answer.units(config, "2025-Y")
    assert rows(comp) == expected_rows(answers)
    # received.csv of the sample; deadline 25/11/2025. STC's only file is rejected (its one indicator blocked):
    # it is the unit's current submission, but STC has not reported; the stray 2024 file of SKHCN is not current;
    # Sông Mã's corrected file replaces its first; Phù Yên sent only a file for the wrong period (not current)
    by_code = {r[0]: r for r in rows(comp)}
    assert [by_code[u] for u in ("STC", "SKHCN", "MTTQ", "X03980", "X04168", "X03910")] == [
        ("STC", False, "20/11 10:01", None, None, "rejected"),
        ("SKHCN", True, "16/11 07:59", True, None, "accepted"),
        ("MTTQ", True, "26/11 11:10", False, 1, "partially_accepted"),
        ("X03980", True, "27/11 08:55", False, 2, "accepted"),
        ("X04168", True, by_code["X04168"][2], True, None, "accepted"),
        ("X03910", False, None, None, None, None)]
    n = len(config.units)
    missing, late = sample_answer.missing(answers), sample_answer.late(answers)
    assert (comp.expected, comp.actual, comp.on_time, comp.rejected) == (
        n, n - len(missing), n - len(missing) - len(late), sample_answer.rejected(answers))
    assert comp.rejected == ["STC", "X03910"]      # Phù Yên's only file was rejected as a whole: sent, not reported
    assert (comp.missing, comp.late) == (missing, late)
    assert set(sample_answer.EXPECTED["2025-Y"]["no_file"]) <= set(comp.missing)
    engine.dispose()


def test_sample_half_year_round_with_a_unit_left_out(tmp_path, db_url, config):
    period = Period.parse("2025-H1")
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "2025-H1", inbox)
    left_out = "MTTQ tinh - BC BDG 6 thang 2025.xlsx"
    (inbox / left_out).unlink()
    engine = open_db(db_url)
    ingest_inbox(inbox, engine, config, period)
    comp = completeness(config, period, current_submissions(engine, period))
    answers = sample_answer.units(config, "2025-H1", left_out=(left_out,))
    assert rows(comp) == expected_rows(answers)
    missing, late = sample_answer.missing(answers), sample_answer.late(answers)
    assert "MTTQ" in missing and (comp.missing, comp.late) == (missing, late)
    assert (comp.expected, comp.actual, comp.on_time) == (len(config.units), len(config.units) - len(missing),
                                                          len(config.units) - len(missing) - len(late))
    assert [(u.unit.code, u.days_late) for u in comp.units if u.on_time is False] == [
        ("BSL", 1), ("X03670", 3), ("X03847", 1), ("X04210", 1)]
    engine.dispose()


def sub(unit, when):
    return SubmissionInfo(1, "2025-Y", unit, "f.xlsx", "0" * 64, when.astimezone(timezone.utc), "accepted", 0, 0)


@pytest.mark.parametrize("when, on_time, days_late", [
    (datetime(2025, 11, 25, 23, 59, 59, tzinfo=VN), True, None),     # the whole deadline day counts
    (datetime(2025, 11, 26, 0, 0, 0, tzinfo=VN), False, 1),
    (datetime(2025, 11, 25, 17, 30, tzinfo=timezone.utc), False, 1),  # 00:30 on 26/11 in Hà Nội
    (datetime(2025, 11, 25, 16, 59, tzinfo=timezone.utc), True, None),
    (datetime(2025, 12, 5, 9, 0, tzinfo=VN), False, 10),
])
def test_deadline_is_the_end_of_the_day_in_vietnam(config, when, on_time, days_late):
    period = Period.parse("2025-Y")
    assert deadline_end(config, period) == datetime(2025, 11, 26, tzinfo=VN)
    comp = completeness(config, period, [sub("SYT", when)])
    syt = next(u for u in comp.units if u.unit.code == "SYT")
    assert (syt.on_time, syt.days_late) == (on_time, days_late)
    assert (comp.expected, comp.actual, comp.on_time) == (len(config.units), 1, 1 if on_time else 0)
    assert comp.missing == [u for u in config.units if u != "SYT"]


@pytest.mark.parametrize("status, reported, on_time", [
    ("accepted", True, False), ("partially_accepted", True, False), ("rejected", False, None)])
def test_a_unit_has_reported_only_when_its_current_file_was_accepted_wholly_or_in_part(config, status, reported,
                                                                                      on_time):
    period = Period.parse("2025-Y")
    late = replace(sub("SYT", datetime(2025, 11, 27, 8, 0, tzinfo=VN)), status=status)
    comp = completeness(config, period, [late])
    assert rows(comp)[4] == ("SYT", reported, "27/11 08:00", on_time, 2 if reported else None, status)
    assert (comp.actual, comp.on_time, comp.late, comp.rejected) == (
        int(reported), 0, ["SYT"] if reported else [], [] if reported else ["SYT"])
    assert "SYT" not in comp.missing if reported else "SYT" in comp.missing
