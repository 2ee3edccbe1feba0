"""Deliver the outbox: over one SMTP connection when configured, else as .eml files an officer can open.

Delivery is AT-LEAST-ONCE. A message is claimed, handed to the server, and marked sent in its own
transaction right after the server's "250" to DATA. If the run dies between that "250" and the commit
(a window of milliseconds), the message stays claimed; once the claim lease expires (outbox.CLAIM_LEASE)
the next run sends it again. We chose this over at-most-once because a lost message is worse here: a
unit that never hears its file was rejected misses the deadline, while a duplicate is a nuisance. The
resent bytes are the stored ones, with the same Message-ID, so most mail clients show a single message.
Two runs delivering at once never send one message twice: each message is claimed before it is sent.
"""
from __future__ import annotations

import base64
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import SMTP
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tonghop.mail import outbox
from tonghop.mail.settings import SmtpSettings
from tonghop.store.models import OutboxMessage

MAX_CONNECTIONS = 4    # a server that drops the connection mid-batch gets a few new ones, not one per message


@dataclass(frozen=True)
class DeliveryResult:
    sent: int = 0          # accepted by the SMTP server
    failed: int = 0        # temporary failure: left for the next run
    written: int = 0       # written as .eml files (no SMTP server configured)
    bounced: int = 0       # refused for good (5xx for every recipient): not retried
    errors: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.failed == 0


def deliver_pending(engine: Engine, settings: SmtpSettings | None, eml_dir: Path) -> DeliveryResult:
    """Send (or write) every pending message; mark each sent only once the server has accepted it."""
    messages = outbox.pending(engine)
    if settings is None:
        return _write_all(engine, messages, Path(eml_dir))
    return _send_all(engine, messages, settings)


def eml_name(key: str) -> str:
    """`report:2025-Y:ab12…` -> `report_2025-Y_ab12….eml` (safe on Windows too)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", key) + ".eml"


def _write_all(engine: Engine, messages: list[OutboxMessage], eml_dir: Path, chunk: int = 100) -> DeliveryResult:
    """Files, unlike a server, can be written again without harm: claim a hundred at a time, write them,
    mark them written in one transaction. A run that dies mid-chunk leaves them claimed; after the lease the
    next run writes them again over the same names — never two copies."""
    eml_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for start in range(0, len(messages), chunk):
        part = messages[start:start + chunk]
        taken = set(outbox.claim_many(engine, [m.id for m in part]))
        done: list[tuple[int, Path]] = []
        for m in part:
            if m.id not in taken:
                continue                      # another run holds it
            target = eml_dir / eml_name(m.key)
            tmp = target.with_suffix(".eml.tmp")
            tmp.write_bytes(m.message)
            tmp.replace(target)
            done.append((m.id, target))
        with Session(engine) as session, session.begin():
            for message_id, target in done:
                outbox.mark_sent(session, message_id, note=f"written to {target}")
        written += len(done)
    return DeliveryResult(written=written)


def _connect(s: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=s.cafile)
    if s.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
    else:
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
    try:
        smtp.ehlo()
        if s.security == "starttls":
            smtp.starttls(context=context)   # raises if the server does not offer it: never fall back to clear
            smtp.ehlo()
        if s.user:
            _login(smtp, s.user, s.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    if (user + password).isascii():
        smtp.login(user, password)
        return
    # smtplib encodes credentials as ASCII; AUTH PLAIN is UTF-8 by definition (RFC 4616), so a
    # Vietnamese password goes that way
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace')}" for rcpt, (code, msg) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
    return f"{type(exc).__name__}: {exc}"


def _permanent(exc: BaseException) -> bool:
    """Only a refusal of this message itself is permanent; server, sender or login trouble never is
    (fixing the configuration must let every waiting message go out)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def _from_address(message: bytes) -> str:
    """The message's own From address (set by the builders from the configuration)."""
    return BytesHeaderParser(policy=SMTP).parsebytes(message)["From"].addresses[0].addr_spec


def _connection_lost(exc: BaseException) -> bool:
    """The connection is unusable (socket error, disconnect, 421); after a plain 4xx/5xx reply it is not."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    # SMTPException derives from OSError: only non-SMTP socket errors and a disconnect mean a dead line
    return isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(exc, smtplib.SMTPException)


def _send_all(engine: Engine, messages: list[OutboxMessage], s: SmtpSettings) -> DeliveryResult:
    sent = failed = bounced = connections = 0
    errors: list[str] = []
    smtp: smtplib.SMTP | None = None
    try:
        for i, m in enumerate(messages):
            if smtp is None:
                if connections >= MAX_CONNECTIONS:
                    error = "bỏ qua: máy chủ thư ngắt kết nối nhiều lần trong lượt gửi này"
                    failed += _fail_rest(engine, messages[i:], error, errors)
                    break
                try:
                    connections += 1
                    smtp = _connect(s)
                except (OSError, ValueError) as exc:
                    # nothing reachable (or the settings are wrong): every remaining message records why
                    # and waits for the next run
                    error = f"không kết nối được {s.host}:{s.port}: {_describe(exc)}"
                    failed += _fail_rest(engine, messages[i:], error, errors)
                    break
            if not outbox.claim(engine, m.id):
                continue                               # another run is sending it
            try:
                refused = smtp.sendmail(s.mail_from or _from_address(m.message), m.recipients.split(","), m.message)
            except OSError as exc:                     # smtplib's errors included
                error = _describe(exc)
                errors.append(f"{m.key}: {error}")
                if _permanent(exc):
                    outbox.mark_bounced(engine, m.id, error)
                    bounced += 1
                else:
                    outbox.mark_failed(engine, m.id, error)
                    failed += 1
                if _connection_lost(exc):
                    _drop(smtp)
                    smtp = None
                continue
            # accepted for at least one recipient: sending again would double it for those
            note = "; ".join(f"{r}: {c} {t.decode(errors='replace')}" for r, (c, t) in refused.items()) or None
            outbox.mark_sent(engine, m.id, note)
            sent += 1
    finally:
        if smtp is not None:
            _drop(smtp, polite=True)
    return DeliveryResult(sent=sent, failed=failed, bounced=bounced, errors=tuple(errors))


def _fail_rest(engine: Engine, rest: list[OutboxMessage], error: str, errors: list[str]) -> int:
    n = 0
    for m in rest:
        if outbox.claim(engine, m.id):       # counts the attempt; skips what another run holds
            outbox.mark_failed(engine, m.id, error)
            n += 1
    errors.append(error)
    return n


def _drop(smtp: smtplib.SMTP, polite: bool = False) -> None:
    try:
        if polite:
            smtp.quit()
    except OSError:            # smtplib's own errors are OSErrors too
        pass
    finally:
        smtp.close()
