"""Answers in the sender's own thread: the validation report made a reply to the message that carried the file, and the answer to a message that carried no form."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tonghop.config import Period, ProvinceConfig
from tonghop.mail.build import _common, _counts_text
from tonghop.mail.message import clean_text, new_message, paragraphs, put_header, render, resend_by, \
    today_in
from tonghop.mail.recipients import unit_addresses, valid_address
from tonghop.problems import ValidationReport
from tonghop.statuses import FILE_STATUS_VI as STATUS_VI
from tonghop.intake.container import MAX_FILE_BYTES
from tonghop.store.models import MailAttachment, MailMessage

REFERENCES_KEPT = 20        # the last ids of a long thread: enough for every reader to place the reply


@dataclass(frozen=True)
class Origin:
    """The message a file came in: the reply goes to its sender, in its thread."""

    sender: str
    message_id: str | None
    references: tuple[str, ...]
    subject: str
    received_at: datetime


def origins(engine: Engine, period: Period) -> dict[str, Origin]:
    """File hash -> the first message that brought it (a file sent twice is answered in the first thread)."""
    with Session(engine) as s:
        rows = s.execute(select(MailAttachment.sha256, MailMessage)
                         .join(MailMessage, MailAttachment.message_row == MailMessage.id)
                         .where(MailMessage.period == period.code, MailAttachment.kind == "form",
                                MailMessage.outcome == "forms")
                         .order_by(MailMessage.received_at, MailMessage.id)).all()
    out: dict[str, Origin] = {}
    for sha, m in rows:
        if sha and sha not in out:
            out[sha] = Origin(m.sender, m.message_id, tuple((m.references or "").split()), m.subject,
                              m.received_at)
    return out


def reply_subject(original: str, verdict: str) -> str:
    """'Re: <the sender's subject> – <verdict>'; a subject that already starts with Re: keeps one."""
    original = clean_text(original, 160) or "(không có tiêu đề)"
    while original[:3].lower() == "re:":
        original = original[3:].lstrip()
    return f"Re: {original} – {verdict}"


def thread(msg: EmailMessage, origin: Origin, verdict: str) -> EmailMessage:
    """Make `msg` a reply in the origin's thread (RFC 5322 In-Reply-To and References)."""
    if origin.message_id:
        refs = [r for r in origin.references if r != origin.message_id][-(REFERENCES_KEPT - 1):] + [origin.message_id]
        msg["In-Reply-To"] = origin.message_id
        msg["References"] = " ".join(refs)
    del msg["Subject"]
    put_header(msg, "Subject", reply_subject(origin.subject, verdict))
    return msg


def report_verdict(report: ValidationReport) -> str:
    """'Chấp nhận một phần (2 lỗi, 1 cảnh báo)': the verdict a reply's subject ends with."""
    return STATUS_VI[report.status] + _counts_text(len(report.errors), len(report.warnings))


def answer_recipients(origin: Origin | None, registered: list[str]) -> list[str]:
    """The sender of the message first (it is registered: only such messages are taken), then the file's unit."""
    if origin is None:
        return registered
    return [origin.sender] + [r for r in registered if r != origin.sender]


def answer_key(period: str, mailbox: str, uidvalidity: int, uid: int, message_id: str | None) -> str:
    """One answer per message: by its Message-ID (the same message in two folders, or after the server renumbered
    its UIDs, is answered once), else by its place on the server."""
    ident = message_id or f"{mailbox}/{uidvalidity}/{uid}"
    return f"intake:{period}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


WHAT_VI = {
    "form": "biểu mẫu: đang được kiểm tra, kết quả gửi trong thư riêng",
    "document": "văn bản kèm theo: đã lưu trữ, không thay cho biểu mẫu",
    "ours": "tệp do hệ thống đã gửi cho đơn vị, không phải báo cáo mới",
    "other": "không phải tệp bảng tính: không đọc",
}


def build_intake_answer(*, config: ProvinceConfig, period: Period, origin: Origin, to: list[str],
                        unit_name: str, files: list[tuple[str, str, str | None]],
                        unreadable: str | None = None, today: date | None = None) -> EmailMessage:
    """The answer to a message from a registered address that brought no form (or files that were refused):
    what arrived, what was not taken and why, what to attach and by when. `files`: (name, kind, reason)."""
    today = today or today_in(config)
    n_forms = sum(1 for _, kind, _ in files if kind == "form")
    verdict = "Chưa nhận được biểu mẫu" if not n_forms else "Có tệp không nhận được"
    if unreadable:
        verdict = "Không đọc được thư"
    shown = [{"name": clean_text(name, 150),
              "what": f"không nhận: {reason}" if kind == "refused" else
                      (f"{WHAT_VI['other']} ({reason})" if kind == "other" and reason else WHAT_VI[kind])}
             for name, kind, reason in files]
    context = {
        **_common(config, period),
        "unit_name": clean_text(unit_name, 120),
        "subject": clean_text(origin.subject, 160) or "(không có tiêu đề)",
        "received": origin.received_at.astimezone(ZoneInfo(config.timezone)).strftime("%H:%M ngày %d/%m/%Y"),
        "unreadable": unreadable,
        "period_mid": period.vi[:1].lower() + period.vi[1:],      # "năm 2025" inside a sentence
        "n_forms": n_forms,
        "n_documents": sum(1 for _, kind, _ in files if kind == "document"),
        "max_size": f"{MAX_FILE_BYTES // 2**20} MB",
        "by": resend_by(config.deadline(period), today),
        "files": shown,
        "verdict": verdict,
    }
    context["body"] = paragraphs("_intake_body.txt.j2", **context)
    addresses = [a for a in (valid_address(t) for t in to) if a]
    msg = new_message(config, to=addresses, subject=verdict,
                      text=render("intake.txt.j2", **context), html=render("intake.html.j2", **context))
    return thread(msg, origin, verdict)


def registered_senders(config: ProvinceConfig) -> dict[str, str | None]:
    """Every address the configuration registers -> its unit code (None: the consolidator's own office)."""
    out: dict[str, str | None] = {}
    for unit in config.units.values():
        for address in unit_addresses(unit):
            out.setdefault(address, unit.code)
    own = valid_address(config.consolidator_email)
    if own:
        out.setdefault(own, None)
    return out
