"""Take every message not yet taken from the consolidator's IMAP mailbox: save its forms into the inbox folder with the message's arrival time, record it, answer it when it brought no form, then mark it taken on the server."""
from __future__ import annotations

import csv
import hashlib
import os
import socket
import ssl
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tonghop.config import Period, ProvinceConfig, is_placeholder
from tonghop.round.ingest import IGNORED_NAMES, JUNK_PREFIXES, RECEIVED_MANIFEST, same_name
from tonghop.mailbox.mime import (
    MAX_MESSAGE_BYTES, Attachment, Parsed, Unreadable, message_ids, parse_message, sender_of, size_vi,
)
from tonghop.mail.reply import Origin, answer_key, answer_recipients, build_intake_answer, registered_senders
from tonghop.mailbox.settings import ImapSettings
from tonghop.mail import outbox
from tonghop.mail.recipients import unit_addresses
from tonghop.intake.read import hash_bytes
from tonghop.store.models import MailAttachment, MailMessage, OutboxMessage

SAVED_KINDS = ("form", "document")
TMP_PREFIX = "~$tonghop-"        # a file being written: ingest passes over "~$" names (editors' lock files)


class MailboxUnreachable(Exception):
    """The mailbox cannot be read; the text is one Vietnamese line for the officer."""


@dataclass
class FetchResult:
    """What one fetch did; `error` is set (and nothing else) when the mailbox could not be read."""

    mailbox: str = ""
    taken: int = 0                                  # messages taken this run
    saved: list[str] = field(default_factory=list)  # files written into the inbox folder
    strangers: int = 0                              # messages from unregistered addresses, left on the server
    answered: int = 0                               # answers queued about a message itself (no form, refused)
    error: str | None = None

    def line(self, inbox: Path) -> str:
        """The officer's one line about the mailbox."""
        if self.error:
            return f"{self.error} Đợt chạy tiếp tục với các tệp đã có trong thư mục {inbox}."
        text = (f"Hộp thư {self.mailbox}: lấy {self.taken} thư mới, lưu {len(self.saved)} tệp vào {inbox}")
        if self.answered:
            text += f", {self.answered} thư được trả lời vì không có biểu mẫu hoặc có tệp không nhận được"
        if self.strangers:
            text += (f"; {self.strangers} thư từ địa chỉ chưa đăng ký để nguyên trên máy chủ (xem thư tổng hợp gửi "
                     f"cán bộ)")
        return text + "."

    def as_dict(self) -> dict:
        return {"mailbox": self.mailbox, "taken": self.taken, "saved": self.saved, "strangers": self.strangers,
                "answered": self.answered, "error": self.error}


# --- the server ---------------------------------------------------------------------------------------------

def _reason(exc: BaseException, s: ImapSettings) -> str:
    if isinstance(exc, LoginError):
        return ("sai tên đăng nhập hoặc mật khẩu (với Gmail: dùng mật khẩu ứng dụng và bật IMAP trong phần "
                "cài đặt Gmail)")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"chứng chỉ bảo mật của máy chủ không hợp lệ ({exc.verify_message}); nếu máy chủ dùng chứng chỉ "
                f"riêng, đặt TONGHOP_IMAP_CAFILE")
    if isinstance(exc, ssl.SSLError):
        return "không thiết lập được kết nối mã hóa (kiểm tra TONGHOP_IMAP_SECURITY và TONGHOP_IMAP_PORT)"
    if isinstance(exc, socket.gaierror):
        return f"không tìm thấy máy chủ {s.host}"
    if isinstance(exc, ConnectionRefusedError):
        return f"máy chủ không nhận kết nối ở cổng {s.port} (máy chủ tắt hoặc sai cổng)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"máy chủ không trả lời trong {s.timeout:g} giây"
    if isinstance(exc, OSError):
        return f"lỗi mạng ({exc.strerror or exc})"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"máy chủ trả lời lỗi ({text[:200]})"


def connect(s: ImapSettings) -> IMAPClient:
    """Log in (TLS verified against the system's or TONGHOP_IMAP_CAFILE's authorities); raises MailboxUnreachable."""
    try:
        context = ssl.create_default_context(cafile=s.cafile)
        client = IMAPClient(s.host, port=s.port, ssl=s.security == "ssl", ssl_context=context, timeout=s.timeout)
        try:
            if s.security == "starttls":
                client.starttls(context)
            client.login(s.user, s.password)
        except BaseException:
            _close(client)
            raise
    except (IMAPClientError, OSError) as exc:
        raise MailboxUnreachable(f"Không đọc được hộp thư {s.user} trên {s.host}: {_reason(exc, s)}.") from exc
    client.normalise_times = False      # INTERNALDATE with the server's own UTC offset, never a guess
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass


# --- the inbox folder ---------------------------------------------------------------------------------------

class InboxFolder:
    """The inbox folder as the mailbox writes it: each content once, each name once, each time in received.csv."""

    def __init__(self, path: Path, timezone_name: str) -> None:
        self.path, self.tz = Path(path), ZoneInfo(timezone_name)
        self.path.mkdir(parents=True, exist_ok=True)
        self.by_hash: dict[str, str] = {}
        self.names: set[str] = set()
        for p in sorted(self.path.iterdir()):
            if p.is_file() and not p.name.startswith(JUNK_PREFIXES):
                self.names.add(same_name(p.name).casefold())
                if same_name(p.name) not in IGNORED_NAMES:
                    self.by_hash.setdefault(hash_bytes(p.read_bytes()), p.name)

    def _free_name(self, name: str) -> str:
        """The sender's name, or 'name (2).xlsx'…: a new content never takes a name an earlier one had (its
        arrival time is the name's in received.csv), nor the manifest's or another reserved name."""
        name = unicodedata.normalize("NFC", name)
        if name in IGNORED_NAMES or name.casefold() in {n.casefold() for n in IGNORED_NAMES}:
            name = f"tep-gui-kem-{name}"
        stem, dot, suffix = name.rpartition(".")
        stem, suffix = (stem, dot + suffix) if dot else (name, "")
        candidate, n = name, 1
        while candidate.casefold() in self.names:
            n += 1
            candidate = f"{stem} ({n}){suffix}"
        return candidate

    def save(self, att: Attachment, received_at: datetime) -> str:
        """Write the file (unless the same content is already here) and its arrival time; returns its name."""
        if att.sha256 in self.by_hash:
            return self.by_hash[att.sha256]
        name = self._free_name(att.name)
        self._append_time(name, received_at)     # the time first: a file is never there without its time
        tmp = self.path / f"{TMP_PREFIX}{os.getpid()}-{att.sha256[:12]}"
        with open(tmp, "wb") as fh:
            fh.write(att.data)
            fh.flush()
            os.fsync(fh.fileno())
        stamp = received_at.timestamp()
        os.utime(tmp, (stamp, stamp))            # a copy taken out of the folder keeps its arrival too
        os.replace(tmp, self.path / name)
        self.by_hash[att.sha256] = name
        self.names.add(name.casefold())
        return name

    def _append_time(self, name: str, received_at: datetime) -> None:
        manifest = self.path / RECEIVED_MANIFEST
        new = not manifest.exists() or manifest.stat().st_size == 0
        with open(manifest, "a", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            if new:
                writer.writerow(["file", "received_at"])
            writer.writerow([name, received_at.astimezone(self.tz).isoformat(timespec="seconds")])
            fh.flush()
            os.fsync(fh.fileno())


# --- what we sent ourselves ---------------------------------------------------------------------------------

class OurMail:
    """Message-IDs and attachment hashes of the messages tonghop sent, read from the outbox when first needed:
    a unit's reply quoting a report (or sending its annotated copy back unchanged) is not a new submission."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ids: set[str] | None = None
        self._hashes: set[str] = set()

    def _load(self) -> None:
        self._ids = set()
        with Session(self.engine) as s:
            for raw in s.scalars(select(OutboxMessage.message)):
                msg = message_from_bytes(raw, policy=default_policy)
                if msg["Message-ID"]:
                    self._ids.add(str(msg["Message-ID"]).strip())
                for part in msg.iter_attachments():
                    self._hashes.add(hashlib.sha256(part.get_payload(decode=True) or b"").hexdigest())

    def answers(self, refs: list[str]) -> bool:
        if not refs:
            return False
        if self._ids is None:
            self._load()
        return any(r in self._ids for r in refs)

    def sent(self, sha256: str | None) -> bool:
        if self._ids is None:
            self._load()
        return sha256 in self._hashes


# --- one message --------------------------------------------------------------------------------------------

@dataclass
class Taken:
    """One message as decided: what to record, whether to answer."""

    parsed: Parsed | None
    outcome: str
    note: str | None = None
    answer: bool = False
    unreadable: str | None = None


def decide(parsed: Parsed | None, unreadable: str | None, sender: str | None, registered: dict[str, str | None],
           ours: OurMail) -> Taken:
    if parsed is not None and parsed.automatic:
        return Taken(parsed, "auto", "thư tự động (trả lời tự động, báo lỗi gửi thư hoặc thư do chương trình tạo): "
                                     "không lấy tệp, không trả lời")
    if sender not in registered:
        return Taken(parsed, "stranger", "địa chỉ gửi chưa đăng ký cho đơn vị nào: không trả lời")
    if parsed is None:
        return Taken(None, "refused", f"không đọc được thư: {unreadable}", answer=True, unreadable=unreadable)
    is_reply = ours.answers(parsed.references)
    for att in parsed.attachments:
        if att.kind in ("form", "document") and is_reply and ours.sent(att.sha256):
            att.kind, att.data = "ours", b""
    if parsed.forms:
        refused = any(a.kind in ("refused", "other") for a in parsed.attachments)
        return Taken(parsed, "forms", answer=refused)
    if is_reply:
        return Taken(parsed, "reply", "thư trả lời thư của hệ thống, không kèm biểu mẫu mới: cán bộ đọc và trả lời")
    return Taken(parsed, "no-form", "không có tệp biểu mẫu: đã trả lời đơn vị", answer=True)


def _record(engine: Engine, *, settings: ImapSettings, uidvalidity: int, uid: int, period: Period,
            config: ProvinceConfig, taken: Taken, sender: str, subject: str, message_id: str | None,
            references: list[str], received_at: datetime, unit_code: str | None,
            saved: dict[int, str], replace: int | None) -> bool:
    """The message, its attachments and (when due) its answer, in one transaction; True when an answer was queued."""
    now = datetime.now(timezone.utc)
    queued = False
    with Session(engine) as session, session.begin():
        if replace is not None:       # a stranger's message whose address has since been registered
            session.execute(delete(MailMessage).where(MailMessage.id == replace))
        row = MailMessage(mailbox=settings.mailbox, uidvalidity=uidvalidity, uid=uid, period=period.code,
                          message_id=message_id, references=" ".join(references) or None, subject=subject,
                          sender=sender, unit_code=unit_code, received_at=received_at, taken_at=now,
                          outcome=taken.outcome, note=taken.note)
        atts = taken.parsed.attachments if taken.parsed else []
        row.attachments = [MailAttachment(name=a.name, saved_as=saved.get(i), sha256=a.sha256, size=a.size,
                                          kind=a.kind, reason=a.reason) for i, a in enumerate(atts)]
        session.add(row)
        session.flush()
        if taken.answer and not is_placeholder(sender):
            unit = config.units.get(unit_code or "")
            to = answer_recipients(Origin(sender, message_id, tuple(references), subject, received_at),
                                   unit_addresses(unit) if unit else [])
            msg = build_intake_answer(
                config=config, period=period, to=to,
                origin=Origin(sender, message_id, tuple(references), subject, received_at),
                unit_name=unit.name if unit else config.consolidator_name,
                files=[(a.name, a.kind, a.reason) for a in atts], unreadable=taken.unreadable)
            queued = outbox.enqueue(session, key=answer_key(period.code, settings.mailbox, uidvalidity, uid, message_id),
                                    kind="intake", period=period.code, unit_code=unit_code, submission_id=None,
                                    message=msg)
    return queued


def record_message(engine: Engine, **kwargs) -> bool:
    """_record, kept apart so that a test can end the process exactly between saving and recording."""
    return _record(engine, **kwargs)


def _mark(client: IMAPClient, settings: ImapSettings, uid: int, keywords: bool) -> None:
    """Taken: the keyword (the officer's mail program shows it), or moved to the officer's folder; never deleted."""
    if keywords:
        client.add_flags([uid], [settings.keyword.encode()])
    if settings.taken_folder:
        if client.has_capability("MOVE"):
            client.move([uid], settings.taken_folder)
        else:
            client.copy([uid], settings.taken_folder)


def fetch_mailbox(settings: ImapSettings, inbox: Path, engine: Engine, config: ProvinceConfig,
                  period: Period) -> FetchResult:
    """Take every message not yet taken; a mailbox that cannot be read gives a result with `error` set."""
    result = FetchResult(mailbox=f"{settings.user} ({settings.folder})")
    try:
        client = connect(settings)
    except MailboxUnreachable as exc:
        result.error = str(exc)
        return result
    try:
        _fetch(client, settings, inbox, engine, config, period, result)
    except (IMAPClientError, OSError) as exc:
        result.error = f"Mất kết nối với hộp thư {settings.user} trên {settings.host}: {_reason(exc, settings)}."
    finally:
        _close(client)
    return result


def _fetch(client: IMAPClient, settings: ImapSettings, inbox: Path, engine: Engine, config: ProvinceConfig,
           period: Period, result: FetchResult) -> None:
    if settings.taken_folder and not client.folder_exists(settings.taken_folder):
        client.create_folder(settings.taken_folder)
    try:
        state = client.select_folder(settings.folder)
    except IMAPClientError as exc:
        raise MailboxUnreachable(f"Không mở được thư mục {settings.folder} của hộp thư {settings.user}.") from exc
    uidvalidity = int(state[b"UIDVALIDITY"])
    keywords = b"\\*" in state.get(b"PERMANENTFLAGS", ())
    criteria = ["NOT", "KEYWORD", settings.keyword] if keywords else ["ALL"]
    candidates = sorted(client.search(criteria))
    with Session(engine) as s:
        known = {m.uid: (m.id, m.outcome, m.sender) for m in s.scalars(
            select(MailMessage).where(MailMessage.mailbox == settings.mailbox, MailMessage.uidvalidity == uidvalidity,
                                      MailMessage.uid.in_(candidates)))} if candidates else {}
    registered = registered_senders(config)
    folder = InboxFolder(inbox, config.timezone)
    ours = OurMail(engine)
    for uid in candidates:
        replace = None
        if uid in known:
            row_id, outcome, sender = known[uid]
            if outcome != "stranger":
                _mark(client, settings, uid, keywords)    # recorded by a run that stopped before marking it
                continue
            if sender not in registered:
                result.strangers += 1
                continue
            replace = row_id
        _take(client, settings, uid, uidvalidity, folder, engine, config, period, registered, ours, replace,
              keywords, result)


def _take(client, settings, uid, uidvalidity, folder: InboxFolder, engine, config, period, registered, ours,
          replace, keywords, result: FetchResult) -> None:
    head = client.fetch([uid], ["INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[HEADER]"]).get(uid)
    if head is None:
        return                                       # expunged meanwhile by the officer's mail program
    received_at: datetime = head[b"INTERNALDATE"]
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=timezone.utc)
    received_at = received_at.astimezone(timezone.utc)
    size = int(head[b"RFC822.SIZE"])
    header = message_from_bytes(head.get(b"BODY[HEADER]") or b"", policy=default_policy)
    sender = sender_of(header)
    parsed, unreadable = None, None
    if sender in registered or replace is not None:
        if size > MAX_MESSAGE_BYTES:
            unreadable = f"thư nặng {size_vi(size)}, quá giới hạn {size_vi(MAX_MESSAGE_BYTES)}"
        else:
            raw = client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
            try:
                parsed = parse_message(raw)
            except Unreadable as exc:
                unreadable = str(exc)
    elif size <= MAX_MESSAGE_BYTES:
        # a stranger: read to list its attachments for the officer, nothing of it is saved
        try:
            parsed = parse_message(client.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"])
        except Unreadable:
            parsed = None
    taken = decide(parsed, unreadable, sender, registered, ours)
    subject = parsed.subject if parsed else str(header.get("Subject") or "")[:300]
    message_id = parsed.message_id if parsed else (message_ids(header.get("Message-ID")) or [None])[0]
    references = parsed.references if parsed else (message_ids(header.get("References")) or message_ids(header.get("In-Reply-To")))
    saved: dict[int, str] = {}
    if taken.outcome in ("forms", "no-form", "reply", "refused") and parsed is not None:
        for i, att in enumerate(parsed.attachments):
            if att.kind in SAVED_KINDS:
                name = folder.save(att, received_at)
                saved[i] = name
                if name not in result.saved:
                    result.saved.append(name)
    try:
        queued = record_message(engine, settings=settings, uidvalidity=uidvalidity, uid=uid, period=period,
                                config=config, taken=taken, sender=sender or "", subject=subject,
                                message_id=message_id, references=references, received_at=received_at,
                                unit_code=registered.get(sender or ""), saved=saved, replace=replace)
    except IntegrityError:
        return                                       # another run (a fetch beside a round) recorded it first
    result.answered += queued
    if taken.outcome == "stranger":
        result.strangers += 1
        return                                       # left unmarked: registering the address takes it next time
    _mark(client, settings, uid, keywords)
    result.taken += 1
