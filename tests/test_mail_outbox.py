"""The outbox on SQLite and PostgreSQL: a key is queued once, order, claims, marks, the caller's transaction."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tonghop.config import Period
from tonghop.mail import outbox
from tonghop.mail.build import build_reminder
from tonghop.store.db import open_db
from tonghop.store.models import OutboxMessage

PERIOD = "2025-Y"
YEAR = Period.parse(PERIOD)    # the period as the mail room takes it; PERIOD is its code
DEADLINE = date(2025, 11, 25)


@pytest.fixture
def engine(db_url):
    eng = open_db(db_url)
    yield eng
    eng.dispose()


def reminder(config, code="SYT", days=7):
    return build_reminder(config.units[code], config=config, period=YEAR, deadline=DEADLINE, days_left=days)


def put(bind, config, code="SYT", days=7, message=None) -> bool:
    return outbox.enqueue(bind, key=outbox.reminder_key(PERIOD, code, days), kind="reminder", period=PERIOD,
                          unit_code=code, submission_id=None, message=message or reminder(config, code, days))


def all_rows(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_key_is_queued_once(engine, config):
    first = reminder(config)
    assert put(engine, config, message=first) is True
    assert put(engine, config, message=reminder(config)) is False          # a rerun builds a new message: ignored
    [row] = all_rows(engine)
    assert (row.key, row.kind, row.period, row.unit_code, row.submission_id, row.recipients, row.status,
            row.attempts, row.last_error, row.sent_at) == (
        "reminder:2025-Y:SYT:7", "reminder", PERIOD, "SYT", None, "syt@sonla.gov.vn", "pending", 0, None, None)
    assert row.subject == "[Sơn La] Nhắc nộp báo cáo bình đẳng giới Năm 2025 – hạn 25/11/2025 (còn 7 ngày)"
    assert row.message == first.as_bytes() and row.message.startswith(b"From:") and b"\r\n" in row.message
    assert row.created_at is not None


def test_keys_follow_the_agreed_shapes():
    assert outbox.report_key(PERIOD, "ab") == "report:2025-Y:ab"
    assert outbox.notice_key(PERIOD, "ab") == "notice:2025-Y:ab"
    assert outbox.reminder_key(PERIOD, "SYT", 2) == "reminder:2025-Y:SYT:2"
    assert outbox.digest_key(PERIOD, "9f86d081") == "digest:2025-Y:9f86d081"


def test_enqueue_in_the_callers_transaction_rolls_back_with_it(engine, config):
    with Session(engine) as session:
        assert put(session, config) is True
        assert put(session, config) is False          # seen inside the same transaction
        session.rollback()
    assert all_rows(engine) == []
    with Session(engine) as session, session.begin():
        assert put(session, config, "STC") is True
    assert [r.key for r in all_rows(engine)] == ["reminder:2025-Y:STC:7"]


def test_pending_is_oldest_first_and_skips_sent_bounced_and_fresh_claims(engine, config):
    for code in ("SYT", "STC", "CAT", "STP", "BSL"):
        assert put(engine, config, code)
    ids = {r.unit_code: r.id for r in all_rows(engine)}
    # make creation order differ from id order: CAT is the oldest
    with Session(engine) as s, s.begin():
        s.execute(update(OutboxMessage).where(OutboxMessage.id == ids["CAT"])
                  .values(created_at=datetime.now(timezone.utc) - timedelta(days=1)))
    outbox.mark_sent(engine, ids["SYT"])
    outbox.mark_bounced(engine, ids["STC"], "550 5.1.1 No such user")
    outbox.mark_failed(engine, ids["STP"], "451 try later")
    assert outbox.claim(engine, ids["BSL"]) is True
    assert [m.unit_code for m in outbox.pending(engine)] == ["CAT", "STP"]
    assert outbox.counts(engine) == {"sent": 1, "bounced": 1, "pending": 1, "failed": 1, "sending": 1}
    assert outbox.counts(engine, period="2024-Y") == {}


def test_has_pending_says_whether_pending_would_return_a_message(engine, config):
    """Each state alone: pending and failed are to send, as is a claim whose lease is over; sent, bounced and a
    fresh claim are not."""
    assert outbox.has_pending(engine) is False                   # an empty outbox
    seen = []
    for step in ("pending", "sent", "failed", "bounced", "fresh claim", "stale claim"):
        with Session(engine) as s, s.begin():
            s.execute(OutboxMessage.__table__.delete())
        assert put(engine, config)
        [row] = all_rows(engine)
        if step == "sent":
            outbox.mark_sent(engine, row.id)
        elif step == "failed":
            outbox.mark_failed(engine, row.id, "451 try later")
        elif step == "bounced":
            outbox.mark_bounced(engine, row.id, "550 5.1.1 No such user")
        elif step != "pending":
            assert outbox.claim(engine, row.id) is True
            if step == "stale claim":
                with Session(engine) as s, s.begin():
                    s.execute(update(OutboxMessage).values(
                        sent_at=datetime.now(timezone.utc) - outbox.CLAIM_LEASE - timedelta(seconds=5)))
        seen.append((step, outbox.has_pending(engine), bool(outbox.pending(engine))))
    assert seen == [("pending", True, True), ("sent", False, False), ("failed", True, True),
                    ("bounced", False, False), ("fresh claim", False, False), ("stale claim", True, True)]


def test_claim_is_exclusive_until_the_lease_expires(engine, config):
    assert put(engine, config)
    [row] = all_rows(engine)
    assert outbox.claim(engine, row.id) is True
    assert outbox.claim(engine, row.id) is False       # a second deliverer keeps its hands off
    with Session(engine) as s, s.begin():
        s.execute(update(OutboxMessage).values(
            sent_at=datetime.now(timezone.utc) - outbox.CLAIM_LEASE - timedelta(seconds=5)))
    assert [m.id for m in outbox.pending(engine)] == [row.id]
    assert outbox.claim(engine, row.id) is True
    outbox.mark_sent(engine, row.id)
    assert outbox.claim(engine, row.id) is False       # sent is final
    [row] = all_rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)



def test_claim_many_takes_only_what_no_one_holds(engine, config):
    for code in ("SYT", "STC", "CAT", "STP"):
        assert put(engine, config, code)
    ids = {r.unit_code: r.id for r in all_rows(engine)}
    assert outbox.claim(engine, ids["STC"]) is True          # another run is sending this one
    outbox.mark_sent(engine, ids["STP"])                     # and this one is done
    taken = outbox.claim_many(engine, [ids[c] for c in ("SYT", "STC", "CAT", "STP")])
    assert sorted(taken) == sorted([ids["SYT"], ids["CAT"]])
    assert outbox.claim_many(engine, list(ids.values())) == []   # a second deliverer gets nothing
    assert outbox.claim_many(engine, []) == []
    assert {r.unit_code: (r.status, r.attempts) for r in all_rows(engine)} == {
        "SYT": ("sending", 1), "STC": ("sending", 1), "CAT": ("sending", 1), "STP": ("sent", 0)}

def test_mark_failed_keeps_the_reason_and_mark_sent_clears_it(engine, config):
    assert put(engine, config)
    [row] = all_rows(engine)
    outbox.claim(engine, row.id)
    outbox.mark_failed(engine, row.id, "451 4.3.0 try later")
    [row] = all_rows(engine)
    assert (row.status, row.attempts, row.last_error, row.sent_at) == ("failed", 1, "451 4.3.0 try later", None)
    outbox.claim(engine, row.id)
    outbox.mark_sent(engine, row.id)
    [row] = all_rows(engine)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None) and row.sent_at is not None


def test_enqueue_refuses_what_it_cannot_send_safely(engine, config):
    msg = reminder(config)
    msg["Bcc"] = "hidden@sonla.gov.vn"
    with pytest.raises(ValueError, match="Bcc"):
        put(engine, config, message=msg)
    with pytest.raises(ValueError, match="kind"):
        outbox.enqueue(engine, key="x", kind="spam", period=PERIOD, unit_code=None, submission_id=None,
                       message=reminder(config))
    assert all_rows(engine) == []


def test_enqueue_refuses_a_placeholder_address(engine, config):
    msg = reminder(config)
    msg.replace_header("To", "syt@sonla.gov.vn, syt@chua-dien-dia-chi.invalid")
    with pytest.raises(ValueError, match="placeholder"):
        put(engine, config, message=msg)
    assert all_rows(engine) == []


@pytest.mark.parametrize("raw", [
    "a@b.vn", "syt@sonla.gov.vn,\r\n vt@sonla.gov.vn", "a.b+c@x-y.vn, d_e@f.vn", "o'brien@x.vn",
    # not a list of bare addresses: read by the header parser, as before
    "Sở Y tế <syt@sonla.gov.vn>", '"a,b" <a@b.vn>', "a..b@c.vn", "a@b.vn (comment)", "a@b.vn,", ".a@b.vn",
    "a@[127.0.0.1]", "undisclosed:;",
])
def test_recipients_read_without_the_parser_are_those_it_reads(raw):
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    msg.set_raw("To", raw)
    assert outbox._addresses(msg) == list(dict.fromkeys(a.addr_spec for a in msg["To"].addresses))
