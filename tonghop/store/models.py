"""SQLAlchemy 2 models: submissions, their figures, activities and problems."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tonghop.store.types import UtcDateTime


class Base(DeclarativeBase):
    pass


class Submission(Base):
    """One received file for one period. Identical content (same hash) is stored once per period."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("period", "sha256", name="uq_submission_period_hash"),
                      Index("ix_submission_unit_period", "unit_code", "period"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(Text)
    file_size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime] = mapped_column(UtcDateTime)
    unit_code: Mapped[str | None] = mapped_column(String(32))
    unit_name: Mapped[str | None] = mapped_column(Text)          # as written in the file
    reporter: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)              # as written in the file
    status: Mapped[str] = mapped_column(String(24))              # accepted | partially_accepted | rejected
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)  # the one used for consolidation
    n_errors: Mapped[int] = mapped_column(Integer, default=0)
    n_warnings: Mapped[int] = mapped_column(Integer, default=0)
    report_json: Mapped[str] = mapped_column(Text)               # the validation report as JSON

    figures: Mapped[list[Figure]] = relationship(back_populates="submission", cascade="all, delete-orphan")
    activities: Mapped[list[ActivityRow]] = relationship(back_populates="submission", cascade="all, delete-orphan")
    problems: Mapped[list[ProblemRow]] = relationship(back_populates="submission", cascade="all, delete-orphan")


class Figure(Base):
    """One row of Biểu 01 as read, with its source cell; `accepted` says whether it may be consolidated."""

    __tablename__ = "figures"
    __table_args__ = (Index("ix_figure_indicator", "indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(16))
    area: Mapped[str] = mapped_column(String(32))
    sex: Mapped[str] = mapped_column(String(8))
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    value_derived: Mapped[bool] = mapped_column(Boolean, default=False)  # computed from num/den
    sheet: Mapped[str] = mapped_column(Text)
    row: Mapped[int] = mapped_column(Integer)                    # Excel row number (1-based)
    cell: Mapped[str] = mapped_column(String(16))                # the Giá trị cell, e.g. I12
    accepted: Mapped[bool] = mapped_column(Boolean)

    submission: Mapped[Submission] = relationship(back_populates="figures")


class ActivityRow(Base):
    """One row of Biểu 02 as read."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    activity: Mapped[str] = mapped_column(String(8))
    description: Mapped[str | None] = mapped_column(Text)
    count: Mapped[float | None] = mapped_column(Float)
    participants: Mapped[float | None] = mapped_column(Float)
    men: Mapped[float | None] = mapped_column(Float)
    women: Mapped[float | None] = mapped_column(Float)
    budget: Mapped[float | None] = mapped_column(Float)
    sheet: Mapped[str] = mapped_column(Text)
    row: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[bool] = mapped_column(Boolean)

    submission: Mapped[Submission] = relationship(back_populates="activities")


class ProblemRow(Base):
    """One problem found in a submission (see tonghop.problems for the codes)."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(48))
    severity: Mapped[str] = mapped_column(String(8))
    sheet: Mapped[str | None] = mapped_column(Text)
    cell: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(Text)
    indicator: Mapped[str | None] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)

    submission: Mapped[Submission] = relationship(back_populates="problems")


class OutboxMessage(Base):
    """A message recorded before it is sent; `key` (e.g. report:<sha256>) makes a rerun a no-op."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(24))                # report | reminder | digest | template
    period: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(32))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"))
    recipients: Mapped[str] = mapped_column(Text)                # comma-separated
    subject: Mapped[str] = mapped_column(Text)
    message: Mapped[bytes] = mapped_column(LargeBinary)          # the whole RFC 5322 message
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Run(Base):
    """One run of the pipeline: who or what started it, with what, and how it ended."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(32))             # schedule | manual | deployment | test
    started_by: Mapped[str | None] = mapped_column(Text)
    parameters: Mapped[str] = mapped_column(Text)                # JSON
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(16), default="running")  # running | completed | failed | refused | interrupted
    files_seen: Mapped[int] = mapped_column(Integer, default=0)
    files_new: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)


class RunLock(Base):
    """At most one writing run per province and period: the row exists while a run holds it."""

    __tablename__ = "run_locks"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)   # "<province>:<period>"
    run_id: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[datetime] = mapped_column(UtcDateTime)
    holder: Mapped[str] = mapped_column(Text)                    # host:pid, for the message to the second run


class DatabaseInfo(Base):
    """Facts about the database itself; key 'id' is its identity, recorded in each summary.json so a run
    can tell that the output folder was written with another database (which would send every message again)."""

    __tablename__ = "database_info"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class MailMessage(Base):
    """One message of the consolidator's mailbox as taken (or seen, from an unregistered sender): its server
    identity (mailbox, UIDVALIDITY, UID) makes a rerun skip it."""

    __tablename__ = "mail_messages"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_mail_message_uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(300))             # user@host/folder
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(Text)          # the original's Message-ID, for the reply
    references: Mapped[str | None] = mapped_column(Text)          # its References, continued by the reply
    subject: Mapped[str] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(Text)                     # the From address, lower-cased
    unit_code: Mapped[str | None] = mapped_column(String(32))     # the sender's registered unit
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)   # IMAP INTERNALDATE
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(16))              # forms | no-form | stranger | auto | reply | refused
    note: Mapped[str | None] = mapped_column(Text)                # why, in Vietnamese, for the officer

    attachments: Mapped[list[MailAttachment]] = relationship(back_populates="message", cascade="all, delete-orphan")


class MailAttachment(Base):
    """One attachment of a taken message (or a file inside its .zip) and what became of it."""

    __tablename__ = "mail_attachments"
    __table_args__ = (Index("ix_mail_attachment_sha256", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_row: Mapped[int] = mapped_column(ForeignKey("mail_messages.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)                       # as sent (decoded, NFC)
    saved_as: Mapped[str | None] = mapped_column(Text)            # its file in the inbox folder
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))                 # form | document | ours | other | refused
    reason: Mapped[str | None] = mapped_column(Text)

    message: Mapped[MailMessage] = relationship(back_populates="attachments")
