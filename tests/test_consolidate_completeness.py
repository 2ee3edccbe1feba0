"""Completeness and timeliness: every configured unit, reported or not, on time against the end of the deadline day."""
from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from conftest import SAMPLES
from tonghop.consolidate.completeness import completeness, deadline_end
from tonghop.config import Period
from tonghop.consolidate.current import SubmissionInfo, current_submissions
from tonghop.round.ingest import ingest_inbox
from tonghop.store import open_db

VN = timezone(timedelta(hours=7))


def rows(comp):
    return [(u.unit.code, u.reported, u.received_local.strftime("%d/%m %H:%M") if u.received_local else None,
             u.on_time, u.days_late, u.submission.status if u.submission else None) for u in comp.units]


def test_sample_year_round(db_url, config):
    period = Period.parse("2025-Y")
    engine = open_db(db_url)
    ingest_inbox(SAMPLES / "2025-Y", engine, config, period)
    comp = completeness(config, period, current_submissions(engine, period.code))
    # received.csv of the sample; deadline 25/11/2025; MTTQ and Mộc Châu late; STC's only file is rejected
    # (its one indicator blocked): it is the unit's current submission, but STC has not reported
    assert rows(comp) == [
        ("SNV", True, "20/11 16:45", True, None, "partially_accepted"),
        ("STC", False, "20/11 10:01", None, None, "rejected"),
        ("CCTK", True, "23/11 10:29", True, None, "accepted"),
        ("SGDDT", True, "24/11 08:07", True, None, "partially_accepted"),
        ("SYT", True, "15/11 11:51", True, None, "accepted"),
        ("SVHTTDL", True, "15/11 13:07", True, None, "partially_accepted"),
        ("CAT", True, "17/11 11:55", True, None, "partially_accepted"),
        ("SKHCN", True, "16/11 07:59", True, None, "accepted"),       # the stray 2024 file is not current
        ("STP", True, "17/11 10:48", True, None, "accepted"),
        ("SDTTG", True, "15/11 11:44", True, None, "accepted"),
        ("BDBP", True, "24/11 11:30", True, None, "accepted"),
        ("DPTTH", True, "12/11 07:32", True, None, "accepted"),
        ("BSL", True, "24/11 07:21", True, None, "accepted"),
        ("MTTQ", True, "26/11 11:10", False, 1, "partially_accepted"),
        ("X14001", True, "14/11 11:43", True, None, "accepted"),
        ("X14002", True, "14/11 09:21", True, None, "accepted"),
        ("X14003", True, "24/11 13:39", True, None, "partially_accepted"),
        ("X14004", True, "27/11 15:43", False, 2, "accepted"),
    ]
    assert (comp.expected, comp.actual, comp.on_time, comp.rejected) == (18, 17, 15, ["STC"])
    assert (round(comp.rate(comp.actual), 1), round(comp.rate(comp.on_time), 1)) == (94.4, 83.3)
    assert (comp.missing, comp.late) == (["STC"], ["MTTQ", "X14004"])
    engine.dispose()


def test_sample_half_year_round_with_a_unit_left_out(tmp_path, db_url, config):
    period = Period.parse("2025-H1")
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "2025-H1", inbox)
    (inbox / "MTTQ tinh - BC BDG 6 thang 2025.xlsx").unlink()
    engine = open_db(db_url)
    ingest_inbox(inbox, engine, config, period)
    comp = completeness(config, period, current_submissions(engine, period.code))
    assert (comp.expected, comp.actual, comp.on_time) == (18, 17, 15)
    assert (comp.missing, comp.late) == (["MTTQ"], ["BSL", "X14003"])
    assert [(u.unit.code, u.days_late) for u in comp.units if u.on_time is False] == [("BSL", 1), ("X14003", 1)]
    assert round(comp.rate(comp.on_time), 2) == 83.33
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
    assert (comp.expected, comp.actual, comp.on_time) == (18, 1, 1 if on_time else 0)
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
