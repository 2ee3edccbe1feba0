"""The mailbox's messages that only the officer can deal with (unregistered senders, replies without a form, robots' mail), as the digest lists them."""
from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from tonghop.config import Period
from tonghop.mail.message import clean_text
from tonghop.store.models import MailMessage

REVIEWED = ("stranger", "reply")     # a robot's mail ("auto") is recorded but not worth the officer's time


def to_review(engine: Engine, period: Period) -> list[dict]:
    """Sender, subject, arrival, why, and the attachments' names of each message left to the officer."""
    with Session(engine) as s:
        rows = s.scalars(select(MailMessage).options(selectinload(MailMessage.attachments))
                         .where(MailMessage.period == period.code, MailMessage.outcome.in_(REVIEWED))
                         .order_by(MailMessage.received_at, MailMessage.id)).all()
        return [{"key": f"{m.mailbox}/{m.uidvalidity}/{m.uid}/{m.outcome}", "outcome": m.outcome,
                 "sender": clean_text(m.sender, 120) or "(không rõ địa chỉ)",
                 "subject": clean_text(m.subject, 160) or "(không có tiêu đề)",
                 "received_at": m.received_at, "note": m.note or "",
                 "files": [clean_text(a.name, 120) for a in m.attachments]} for m in rows]
