"""Missing units, reminders on the configured days (once per day and unit), a digest per change; both back-ends."""
from __future__ import annotations

import email
from datetime import date, datetime, timedelta, timezone
from email.policy import default as default_policy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tonghop.config import Period
from tonghop.mail.build import DigestRow
from tonghop.mail.reminders import digest_rows, queue_digest, queue_reminders, reminder_threshold, units_missing
from tonghop.store.db import open_db
from tonghop.store.models import OutboxMessage, Submission

PERIOD = "2025-Y"
YEAR = Period.parse(PERIOD)    # the period as the mail room takes it; PERIOD is its code
DEADLINE = date(2025, 11, 25)
T0 = datetime(2025, 11, 10, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def engine(db_url):
    eng = open_db(db_url)
    yield eng
    eng.dispose()


def submit(engine, unit, status, *, current, hours=0, sha=None, period=PERIOD, n_errors=0, unit_name=None):
    with Session(engine) as s, s.begin():
        s.add(Submission(period=period, sha256=sha or f"{unit}-{status}-{hours}".ljust(64, "0"),
                         file_name=f"{unit}.xlsx", file_size=1, received_at=T0 + timedelta(hours=hours),
                         read_at=T0 + timedelta(hours=hours), unit_code=unit, unit_name=unit_name, status=status,
                         is_current=current, n_errors=n_errors, n_warnings=0, report_json="{}"))


def reminder_keys(engine) -> list[str]:
    with Session(engine) as s:
        return sorted(s.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "reminder")))


def test_units_missing_counts_only_current_non_rejected_submissions(engine, config):
    submit(engine, "SYT", "partially_accepted", current=True)
    submit(engine, "STC", "rejected", current=False)                 # rejected only: still missing
    submit(engine, "CAT", "accepted", current=False, hours=1)        # superseded, nothing current: missing
    submit(engine, "SNV", "accepted", current=True, period="2025-H1")  # another period
    missing = [u.code for u in units_missing(engine, config, YEAR)]
    assert missing == [c for c in config.units if c != "SYT"]


@pytest.mark.parametrize("days_left, expected", [(10, None), (7, 7), (6, 7), (3, 7), (2, 2), (1, 2), (0, 2), (-1, None)])
def test_reminder_threshold_catches_up_a_missed_day(config, days_left, expected):
    assert reminder_threshold(config, days_left) == expected


def test_reminders_go_once_per_configured_day_to_missing_units(engine, config):
    submit(engine, "SYT", "accepted", current=True)
    submit(engine, "STC", "rejected", current=False)
    others = [c for c in config.units if c != "SYT"]

    assert queue_reminders(engine, config, YEAR, DEADLINE - timedelta(days=10)) == 0
    assert queue_reminders(engine, config, YEAR, DEADLINE - timedelta(days=7)) == len(others)
    assert queue_reminders(engine, config, YEAR, DEADLINE - timedelta(days=7)) == 0     # rerun the same day
    assert queue_reminders(engine, config, YEAR, DEADLINE - timedelta(days=6)) == 0     # the 7-day one went out
    submit(engine, "CAT", "accepted", current=True)
    assert queue_reminders(engine, config, YEAR, DEADLINE - timedelta(days=1)) == len(others) - 1  # 2-day, caught up
    assert queue_reminders(engine, config, YEAR, DEADLINE + timedelta(days=1)) == 0
    assert reminder_keys(engine) == sorted([f"reminder:{PERIOD}:{c}:7" for c in others]
                                           + [f"reminder:{PERIOD}:{c}:2" for c in others if c != "CAT"])
    with Session(engine) as s:
        stc = s.scalar(select(OutboxMessage).where(OutboxMessage.key == f"reminder:{PERIOD}:STC:2"))
    msg = email.message_from_bytes(stc.message, policy=default_policy)
    assert msg["Subject"] == "[Sơn La] Nhắc nộp báo cáo bình đẳng giới Năm 2025 – hạn 25/11/2025 (còn 1 ngày)"
    assert "tệp gần nhất đơn vị gửi bị từ chối" in msg.get_body(("plain",)).get_content()


def test_digest_rows(engine, config):
    submit(engine, "SYT", "rejected", current=False, hours=0, n_errors=5)
    submit(engine, "SYT", "partially_accepted", current=True, hours=2, n_errors=2)
    submit(engine, "STC", "rejected", current=False, hours=1, n_errors=3)
    submit(engine, None, "rejected", current=False, hours=3, unit_name="Phòng Lạ", n_errors=1)
    rows = {r.unit_code: r for r in digest_rows(engine, config, YEAR)}
    assert list(rows) == [*config.units, None]
    assert (rows["SYT"].status, rows["SYT"].n_errors, rows["SYT"].file_name) == ("partially_accepted", 2, "SYT.xlsx")
    assert rows["SYT"].received_at.replace(tzinfo=timezone.utc) == T0 + timedelta(hours=2)
    assert (rows["STC"].status, rows["STC"].n_errors) == ("rejected", 3)
    assert rows["CAT"] == DigestRow("CAT", "Công an tỉnh", None, emails=("cat@sonla.gov.vn",))
    assert (rows[None].unit_name, rows[None].status) == ("Phòng Lạ", "rejected")


def digests(engine) -> list[tuple[str, str, str]]:
    with Session(engine) as s:
        found = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest").order_by(OutboxMessage.id))
        return [(d.key, d.recipients, d.subject) for d in found]


def test_a_digest_for_each_change_and_never_the_same_content_twice(engine, config):
    day = date(2025, 11, 18)
    submit(engine, "SYT", "partially_accepted", current=True, n_errors=2)
    assert queue_digest(engine, config, YEAR, day) is True
    assert queue_digest(engine, config, YEAR, day) is False                         # rerun: nothing changed
    assert queue_digest(engine, config, YEAR, day + timedelta(days=1)) is False     # next day: nothing changed
    submit(engine, "STC", "rejected", current=True, hours=5, n_errors=3)
    assert queue_digest(engine, config, YEAR, day + timedelta(days=1)) is True      # a rejected file: news
    assert queue_digest(engine, config, YEAR, day + timedelta(days=1)) is False
    submit(engine, "CAT", "accepted", current=True, hours=6)
    assert queue_digest(engine, config, YEAR, day + timedelta(days=1)) is True      # later the same day
    got = digests(engine)
    n = len(config.units)
    assert [(r, s) for _k, r, s in got] == [
        ("cchcsonla@gmail.com", f"[Sơn La] Tình hình nộp báo cáo Năm 2025 ngày 18/11/2025: 1/{n} đơn vị đã nộp"),
        ("cchcsonla@gmail.com", f"[Sơn La] Tình hình nộp báo cáo Năm 2025 ngày 19/11/2025: 1/{n} đơn vị đã nộp"),
        ("cchcsonla@gmail.com", f"[Sơn La] Tình hình nộp báo cáo Năm 2025 ngày 19/11/2025: 2/{n} đơn vị đã nộp")]
    keys = [k for k, _r, _s in got]
    assert len(set(keys)) == 3 and all(k.startswith(f"digest:{PERIOD}:") for k in keys)


def test_a_digest_already_queued_is_not_built_again(engine, config, monkeypatch):
    """A rerun that changed nothing finds its digest's key in the outbox before building the message."""
    import tonghop.mail.reminders as reminders

    day = date(2025, 11, 18)
    submit(engine, "SYT", "partially_accepted", current=True, n_errors=2)
    built: list[date] = []
    real = reminders.build_digest
    monkeypatch.setattr(reminders, "build_digest", lambda **kw: built.append(kw["today"]) or real(**kw))
    assert queue_digest(engine, config, YEAR, day) is True
    assert queue_digest(engine, config, YEAR, day + timedelta(days=1)) is False
    submit(engine, "CAT", "accepted", current=True, hours=6)
    assert queue_digest(engine, config, YEAR, day + timedelta(days=2)) is True
    assert built == [day, day + timedelta(days=2)]
    assert len(digests(engine)) == 2
