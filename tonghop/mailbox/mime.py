"""Take a received message apart within fixed bounds: who sent it, what it answers, and its attachments (those inside a .zip or a forwarded message too), each named, hashed and sorted."""
from __future__ import annotations

import email
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from pathlib import PurePosixPath

from tonghop.round.ingest import DOCUMENT_SUFFIXES
from tonghop.mail.recipients import valid_address
from tonghop.numbers import format_vi
from tonghop.intake.container import MAX_FILE_BYTES, MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES
from tonghop.safe_text import plain_text

FORM_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
ZIP_SUFFIXES = {".zip"}
# a message carrying one file at the bound, base64-encoded (4/3) with its headers and a cover letter
MAX_MESSAGE_BYTES = 2 * MAX_FILE_BYTES
MAX_PARTS = 300            # MIME parts over the whole message, forwarded ones included
MAX_DEPTH = 6              # multipart / message/rfc822 nesting (a forward of a forward of a forward…)
MAX_ATTACHMENTS = 100      # files taken from one message, those inside zips included


class Unreadable(ValueError):
    """The message cannot be taken apart; the text says why in Vietnamese."""


@dataclass
class Attachment:
    """One file of a message: `kind` form | document | other | refused (with `reason`)."""

    name: str
    data: bytes = b""
    kind: str = "other"
    reason: str | None = None
    size: int = 0
    sha256: str | None = None
    inside: str | None = None      # the .zip it came out of


@dataclass
class Parsed:
    message_id: str | None
    references: list[str]          # the original's References (else In-Reply-To), oldest first
    subject: str
    sender: str | None             # the From address, lower-cased; None when it is not one plain address
    automatic: bool                # an auto-reply, a bounce, a list or our own generated mail: never answered
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def forms(self) -> list[Attachment]:
        return [a for a in self.attachments if a.kind == "form"]


def size_vi(n: int) -> str:
    return f"{format_vi(n / 2**20, 0)} MB" if n >= 2**20 else f"{format_vi(n, 0)} byte"


def message_ids(value: object) -> list[str]:
    return re.findall(r"<[^<>\s]{1,250}>", str(value or ""))


def _header(msg: Message, name: str) -> str:
    try:
        return str(msg.get(name) or "")
    except Exception:  # noqa: BLE001 - a malformed header is read as empty, not as a crash
        return ""


def sender_of(msg: Message) -> str | None:
    try:
        addresses = msg["From"].addresses if msg["From"] is not None else ()
    except Exception:  # noqa: BLE001 - a From that does not parse names nobody
        return None
    if len(addresses) != 1:
        return None
    return valid_address(addresses[0].addr_spec)


def _automatic(msg: Message) -> bool:
    """RFC 3834 and the usual marks of robots: such mail is never answered (no reply loops)."""
    auto = _header(msg, "Auto-Submitted").strip().lower()
    precedence = _header(msg, "Precedence").strip().lower()
    return (bool(auto) and auto != "no") or precedence in {"bulk", "junk", "list", "auto_reply"} \
        or bool(_header(msg, "X-Autoreply") or _header(msg, "X-Autorespond")) \
        or msg.get_content_type() == "multipart/report"


def safe_name(name: str) -> str:
    """A file name from a sender as it may be written in the inbox: its last path part, NFC, one line,
    no characters a file system or Excel refuses, never hidden or passed over as an editor's lock file."""
    name = unicodedata.normalize("NFC", plain_text(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r'[<>:"|?*\x00-\x1f]', "_", name).strip()
    while name.startswith(("~$", "._", ".", " ")):
        name = name[2:] if name.startswith(("~$", "._")) else name[1:]
    name = name.rstrip(" .")
    stem, dot, suffix = name.rpartition(".")
    if dot and len(name) > 150:
        name = stem[:150 - len(suffix) - 1] + "." + suffix
    return name[:150] or "tep-dinh-kem"


def _kind(name: str) -> str:
    suffix = PurePosixPath(name.lower()).suffix
    if suffix in FORM_SUFFIXES:
        return "form"
    if suffix in DOCUMENT_SUFFIXES:
        return "document"
    if suffix in ZIP_SUFFIXES:
        return "zip"
    return "other"


def _file(name: str, data: bytes, inside: str | None = None) -> Attachment:
    kind = _kind(name)
    att = Attachment(name=name, data=data, kind=kind, size=len(data), inside=inside,
                     sha256=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_FILE_BYTES:
        att.kind, att.data = "refused", b""
        att.reason = f"tệp nặng {size_vi(len(data))}, quá giới hạn {size_vi(MAX_FILE_BYTES)}"
    return att


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Windows' own zip writes names in the OEM code page without saying so; 7-Zip and others write UTF-8
    without the flag too. Python reads both as cp437: UTF-8 is recovered when the bytes are UTF-8."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def unpack_zip(name: str, data: bytes) -> list[Attachment]:
    """The forms and documents inside a .zip, each read with a cap (never more than it declares, never past
    the bounds of one file or of a whole workbook's parts); a zip inside the zip is not opened."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except Exception:  # noqa: BLE001 - zipfile raises many types on a damaged archive
        return [Attachment(name, kind="refused", size=len(data), reason="tệp nén .zip bị hỏng, không giải nén được")]
    if len(infos) > MAX_ZIP_ENTRIES:
        return [Attachment(name, kind="refused", size=len(data),
                           reason=f"tệp nén chứa {format_vi(len(infos), 0)} tệp, quá giới hạn {format_vi(MAX_ZIP_ENTRIES, 0)}")]
    out: list[Attachment] = []
    total = 0
    for info in infos:
        inner = safe_name(_zip_name(info))
        kind = _kind(inner)
        if kind in ("other", "zip"):
            out.append(Attachment(inner, kind="other", size=info.file_size, inside=name,
                                  reason="tệp nén lồng trong tệp nén không được mở" if kind == "zip" else None))
            continue
        if info.flag_bits & 0x1:
            out.append(Attachment(inner, kind="refused", size=info.file_size, inside=name,
                                  reason="tệp trong tệp nén được đặt mật khẩu"))
            continue
        if info.file_size > MAX_FILE_BYTES:
            out.append(Attachment(inner, kind="refused", size=info.file_size, inside=name,
                                  reason=f"khi giải nén tệp nặng {size_vi(info.file_size)}, quá giới hạn {size_vi(MAX_FILE_BYTES)}"))
            continue
        try:
            with archive.open(info) as fh:
                body = fh.read(info.file_size + 1)   # never more than declared (+1 shows a lie)
        except Exception:  # noqa: BLE001 - a damaged member, an unsupported method
            out.append(Attachment(inner, kind="refused", size=info.file_size, inside=name,
                                  reason="không giải nén được tệp này (tệp nén bị hỏng)"))
            continue
        total += len(body)
        if len(body) > info.file_size or total > MAX_UNPACKED_BYTES:
            return [Attachment(name, kind="refused", size=len(data),
                               reason=f"tệp nén giải nén ra quá {size_vi(MAX_UNPACKED_BYTES)} hoặc nhiều hơn kích thước "
                                      "khai báo (có thể là tệp nén độc hại)")]
        out.append(_file(inner, body, inside=name))
    return out


def parse_message(raw: bytes) -> Parsed:
    """The message's sender, thread and attachments; raises Unreadable when it is too large or too deep."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise Unreadable(f"thư nặng {size_vi(len(raw))}, quá giới hạn {size_vi(MAX_MESSAGE_BYTES)}")
    try:
        msg: EmailMessage = email.message_from_bytes(raw, policy=default_policy)
    except Exception as exc:  # noqa: BLE001 - the parser is lenient; anything it still raises means unreadable
        raise Unreadable("thư bị hỏng, không đọc được cấu trúc MIME") from exc
    refs = message_ids(_header(msg, "References")) or message_ids(_header(msg, "In-Reply-To"))
    message_id = (message_ids(_header(msg, "Message-ID")) or [None])[0]
    parsed = Parsed(message_id=message_id, references=refs, subject=plain_text(_header(msg, "Subject"), 300),
                    sender=sender_of(msg), automatic=_automatic(msg))
    count = 0

    def walk(part: Message, depth: int) -> None:
        nonlocal count
        count += 1
        if count > MAX_PARTS or depth > MAX_DEPTH:
            raise Unreadable(f"thư có quá nhiều phần lồng nhau (giới hạn {MAX_PARTS} phần, {MAX_DEPTH} tầng)")
        if part.is_multipart():
            # message/rfc822 (a forwarded message) is multipart here: its own attachments are walked too
            for sub in part.get_payload():
                if isinstance(sub, Message):
                    walk(sub, depth + 1)
            return
        try:
            filename = part.get_filename()
        except Exception:  # noqa: BLE001 - a malformed parameter: no name
            filename = None
        disposition = (part.get_content_disposition() or "").lower()
        if not filename and disposition != "attachment":
            return                                   # the text of the message, an inline image without a name
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:  # noqa: BLE001
            data = b""
        name = safe_name(filename or "tep-dinh-kem")
        if len(parsed.attachments) >= MAX_ATTACHMENTS:
            raise Unreadable(f"thư có quá nhiều tệp đính kèm (giới hạn {MAX_ATTACHMENTS})")
        if _kind(name) == "zip":
            if len(data) > MAX_FILE_BYTES:
                parsed.attachments.append(_file(name, data))
            else:
                parsed.attachments.extend(unpack_zip(name, data))
        else:
            parsed.attachments.append(_file(name, data))

    walk(msg, 0)
    return parsed
