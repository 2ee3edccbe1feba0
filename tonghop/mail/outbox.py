"""The outbox: every message is recorded (whole, with a unique key) before it is sent, then marked sent or failed."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from functools import cache
from email.policy import SMTP

from sqlalchemy import Engine, bindparam, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tonghop.config import is_placeholder
from tonghop.store.models import OutboxMessage

PENDING, SENDING, SENT, FAILED, BOUNCED = "pending", "sending", "sent", "failed", "bounced"
# A claim older than this belongs to a run that died mid-send: the message is offered again
# (at-least-once, see send.py). Far above one message's worst case (a few SMTP timeouts).
CLAIM_LEASE = timedelta(minutes=15)
KINDS = ("report", "notice", "reminder", "digest", "template", "intake")


def report_key(period: str, sha256: str) -> str:
    return f"report:{period}:{sha256}"


def notice_key(period: str, sha256: str) -> str:
    return f"notice:{period}:{sha256}"


def reminder_key(period: str, unit_code: str, days_before: int) -> str:
    return f"reminder:{period}:{unit_code}:{days_before}"


def digest_key(period: str, fingerprint: str) -> str:
    return f"digest:{period}:{fingerprint}"


def template_key(period: str, unit_code: str) -> str:
    return f"template:{period}:{unit_code}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


@contextmanager
def _session(bind: Engine | Session) -> Iterator[Session]:
    """A Session: the caller's (its transaction, committed with the caller's own writes), or a new one."""
    if isinstance(bind, Session):
        yield bind
        return
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


# a list of bare dot-atom addresses, as put_header writes a To without names: what the header parser reads in it
# is exactly these addresses, so they are taken without it (a parse is a fifth of queueing a message)
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_BARE = rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_BARE_LIST = re.compile(rf"{_BARE}(?:,(?:\r\n)? {_BARE})*")
_BARE_ONE = re.compile(_BARE)


def _addresses(message: EmailMessage) -> list[str]:
    found: list[str] = []
    for name in ("To", "Cc"):
        values = [v for k, v in message.raw_items() if k.lower() == name.lower()]
        if len(values) == 1 and isinstance(values[0], str) and _BARE_LIST.fullmatch(values[0]):
            found += _BARE_ONE.findall(values[0])
            continue
        header = message[name]
        if header is not None:
            found += [a.addr_spec for a in header.addresses]
    if message["Bcc"] is not None:
        # the stored bytes are sent as they are: a Bcc header would show every hidden recipient
        raise ValueError("Bcc is not supported in the outbox")
    return list(dict.fromkeys(found))


def enqueue(bind: Engine | Session, *, key: str, kind: str, period: str, unit_code: str | None,
            submission_id: int | None, message: EmailMessage) -> bool:
    """Record a message to send; False (and nothing written) when `key` is already recorded.

    Pass the Session that stores the submission to record both in one transaction.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    recipients = _addresses(message)
    if not recipients:
        raise ValueError("a message without recipients cannot be queued")
    if any(is_placeholder(r) for r in recipients):
        raise ValueError("an address still to be filled in (placeholder) cannot be mailed")
    values = {
        "key": key, "kind": kind, "period": str(period), "unit_code": unit_code,
        "submission_id": submission_id, "recipients": ",".join(recipients),
        "subject": str(message["Subject"] or ""), "message": message.as_bytes(policy=SMTP),
        "status": PENDING, "attempts": 0, "created_at": _now(),
    }
    with _session(bind) as session:
        dialect = session.get_bind().dialect.name
        if dialect in ("postgresql", "sqlite"):
            # ON CONFLICT DO NOTHING: two runs racing on one key leave one row and no error
            # RETURNING, not rowcount: the ORM-enabled insert reports no reliable rowcount on every driver
            return session.execute(_insert_new(dialect, tuple(values)), values).scalar_one_or_none() is not None
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
            return False
        try:
            with session.begin_nested():
                session.execute(insert(OutboxMessage).values(**values))
        except IntegrityError:
            return False
        return True


def is_queued(bind: Engine | Session, key: str) -> bool:
    """Whether a message with this key is recorded (enqueue would record nothing): asked before building a
    message that costs more than the question."""
    with _session(bind) as session:
        return session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None


@cache
def _insert_new(dialect: str, columns: tuple[str, ...]):
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING id, compiled once per process: the dialects' insert()
    is never cached by SQLAlchemy (inherit_cache = False), so executed as it is it was compiled again for every
    message. Its SQL as that insert compiles it, as a text statement with the columns' own types (cached)."""
    module = postgresql if dialect == "postgresql" else sqlite
    table = OutboxMessage.__table__
    statement = module.insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
    sql = str(statement.compile(dialect=module.dialect(paramstyle="named"), column_keys=list(columns)))
    return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns)).columns(table.c.id)


def _claimable():
    """Pending, failed, or claimed by a run that died (its lease is over)."""
    stale = _now() - CLAIM_LEASE
    return or_(OutboxMessage.status.in_((PENDING, FAILED)),
               (OutboxMessage.status == SENDING) & (OutboxMessage.sent_at < stale))


def pending(bind: Engine | Session, limit: int | None = None) -> list[OutboxMessage]:
    """Messages still to send, oldest first: pending, failed, and claims abandoned by a dead run."""
    query = (select(OutboxMessage)
             .where(_claimable())
             .order_by(OutboxMessage.created_at, OutboxMessage.id))
    if limit is not None:
        query = query.limit(limit)
    with _session(bind) as session:
        return list(session.scalars(query))


def has_pending(bind: Engine | Session) -> bool:
    """Whether pending() would return a message, without loading any: a rerun that queued nothing need not
    start a delivery."""
    with _session(bind) as session:
        return session.scalar(select(OutboxMessage.id).where(_claimable()).limit(1)) is not None


def claim(bind: Engine | Session, message_id: int) -> bool:
    """Take a message for sending; False when another run took it first (so it is never sent twice at once).

    While a message is claimed, `sent_at` holds the claim time (the lease); mark_sent overwrites it.
    """
    with _session(bind) as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _claimable())
            .values(status=SENDING, attempts=OutboxMessage.attempts + 1, sent_at=_now()))
        return result.rowcount == 1


def claim_many(bind: Engine | Session, message_ids: list[int]) -> list[int]:
    """claim() for many messages in one statement; returns the ids this run took."""
    if not message_ids:
        return []
    with _session(bind) as session:
        if session.get_bind().dialect.name not in ("postgresql", "sqlite"):
            return [i for i in message_ids if claim(session, i)]
        taken = session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), _claimable())
            .values(status=SENDING, attempts=OutboxMessage.attempts + 1, sent_at=_now())
            .returning(OutboxMessage.id))
        return list(taken)


def mark_sent(bind: Engine | Session, message_id: int, note: str | None = None) -> None:
    """The server accepted the message (`note`: recipients it refused, if any)."""
    _set(bind, message_id, status=SENT, sent_at=_now(), last_error=note)


def mark_failed(bind: Engine | Session, message_id: int, error: str) -> None:
    """A temporary failure: the next delivery tries again."""
    _set(bind, message_id, status=FAILED, sent_at=None, last_error=error[:2000])


def mark_bounced(bind: Engine | Session, message_id: int, error: str) -> None:
    """A permanent refusal (5xx for every recipient): kept for the officer, never retried."""
    _set(bind, message_id, status=BOUNCED, sent_at=None, last_error=error[:2000])


def _set(bind: Engine | Session, message_id: int, **values: object) -> None:
    with _session(bind) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))


def counts(bind: Engine | Session, period: str | None = None) -> dict[str, int]:
    """How many messages per status (for `tonghop` status output and tests)."""
    with _session(bind) as session:
        query = select(OutboxMessage.status)
        if period is not None:
            query = query.where(OutboxMessage.period == period)
        out: dict[str, int] = {}
        for status in session.scalars(query):
            out[status] = out.get(status, 0) + 1
        return out
