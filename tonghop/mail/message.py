"""Header-safe EmailMessage construction, template rendering and attachments shared by the builders."""
from __future__ import annotations

import mimetypes
import re
from datetime import date, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import format_datetime, formataddr, make_msgid
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tonghop.config import ProvinceConfig
from tonghop.mail.mime import add_attachment, attachment_part, set_alternative
from tonghop.mail.recipients import valid_address
from tonghop.mail.settings import sender
from tonghop.safe_text import plain_text

TEMPLATES = Path(__file__).with_name("templates")
SUBJECT_LIMIT = 200
CRLF = "\r\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean_text(value: object, limit: int | None = None) -> str:
    """One line of text from anything a file may contain: control characters (CR, LF, tab…) become spaces,
    format characters (bidi overrides, zero-width marks) go.

    Used on every value that reaches a header, a one-line field or an attachment's name, so a unit name such
    as "Sở Y tế\\r\\nBcc: x@evil" can neither add a header nor break the layout, and "bao-cao\\u202excod.exe"
    cannot pose as another file type.
    """
    return plain_text(value, limit)


def date_vi(value: date | datetime | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        undefined=StrictUndefined,      # a misspelt field fails the test, not the officer's inbox
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,              # the templates ship with the package: no stat() of each at every message
    )
    env.filters["date_vi"] = date_vi
    env.filters["oneline"] = clean_text
    return env


ENV = _env()


def render(name: str, **context: object) -> str:
    return ENV.get_template(name).render(**context)


def paragraphs(name: str, **context: object) -> list[str]:
    """A plain-text template's output as paragraphs (blank-line separated), for both text and HTML bodies."""
    text = render(name, **context)
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def resend_by(deadline: date, today: date) -> str:
    """When a corrected file should come: by the deadline (the whole day counts), or as soon as possible once
    it has passed. One wording for the e-mail and the submission's web page."""
    if today > deadline:
        return f"sớm nhất có thể (hạn nộp {date_vi(deadline)} đã qua)"
    return f"chậm nhất ngày {date_vi(deadline)}"


def today_in(config: ProvinceConfig) -> date:
    return datetime.now(ZoneInfo(config.timezone)).date()


def _encoded(text: str, name: str) -> str:
    """RFC 2047 words with every space inside a word: the email package's own folding puts the space between
    two words, where readers drop it ("chấp nhận" arrived as "chấpnhận")."""
    return Header(text, "utf-8", header_name=name).encode(linesep=CRLF)


def _address(address: Address, name: str, room: int) -> str:
    """One address; `room` is what is left of its first line (78 characters, less what precedes it)."""
    if not address.display_name or address.display_name.isascii():
        text = formataddr((address.display_name, address.addr_spec))
        return text if len(text) <= room else text.replace(" <", CRLF + " <", 1)
    words = _encoded(address.display_name, name)
    last = words.rsplit(CRLF, 1)[-1]
    room = room if CRLF not in words else 78
    fits = len(last) + len(address.addr_spec) + 3 <= room
    return f"{words}{' ' if fits else CRLF + ' '}<{address.addr_spec}>"


def put_header(msg: EmailMessage, name: str, value: str | Address | list[Address]) -> None:
    """Set a header encoded once, now, so that it reads back exactly as written.

    Also why: the email package refolds a header on every as_bytes() (7 ms a message for a From with a
    Vietnamese name, a sixth of a national run's cost per file); a raw header is written as it is.
    """
    texts = [value] if isinstance(value, str) else [value.display_name] if isinstance(value, Address) else \
        [a.display_name for a in value]
    if any("\r" in t or "\n" in t for t in texts):
        raise ValueError(f"a {name} header may not contain a line break: {value!r}")
    if isinstance(value, str):
        key: str | tuple[tuple[str, str], ...] = value
    else:
        key = tuple((a.display_name, a.addr_spec) for a in ([value] if isinstance(value, Address) else value))
    msg.set_raw(name, _folded(name, key, msg.policy))


@lru_cache(maxsize=1024)
def _folded(name: str, value: str | tuple[tuple[str, str], ...], policy: Policy) -> str:
    """A header's raw text; the same From and Reply-To head every message of a round: encoded once."""
    if isinstance(value, str):
        raw = value if value.isascii() else _encoded(value, name)
        if len(name) + 2 + len(raw.split(CRLF)[0]) > 78:   # a long ASCII line: fold it the package's way
            raw = policy.header_factory(name, value).fold(policy=policy)[len(name) + 2:].rstrip(CRLF)
        return raw
    items = [Address(display, addr_spec=addr_spec) for display, addr_spec in value]
    return f",{CRLF} ".join(_address(a, name, 78 - (len(name) + 2 if i == 0 else 1)) for i, a in enumerate(items))


def new_message(config: ProvinceConfig, *, to: list[str], subject: str, text: str, html: str) -> EmailMessage:
    """A UTF-8 message with a plain-text and an HTML part, Date and Message-ID set, every header checked."""
    addresses = [a for a in (valid_address(t) for t in to) if a]
    if not addresses or len(addresses) != len(to):
        raise ValueError(f"recipients must be plain registered addresses: {to!r}")
    frm = sender(config)
    msg = EmailMessage(policy=SMTP)
    put_header(msg, "From", frm)
    put_header(msg, "To", [Address(addr_spec=a) for a in addresses])
    if frm.addr_spec != config.consolidator_email:
        # a no-reply sender: answers still reach the data officer
        put_header(msg, "Reply-To", Address(clean_text(config.consolidator_name), addr_spec=config.consolidator_email))
    put_header(msg, "Subject", clean_text(subject, SUBJECT_LIMIT))
    # ASCII values made here, already in their RFC 5322 form: set raw, not parsed by the header registry (the
    # same bytes, and reading msg["Date"] back still gives the parsed header)
    msg.set_raw("Date", format_datetime(datetime.now(ZoneInfo(config.timezone))))
    msg.set_raw("Message-ID", make_msgid(domain=frm.domain))
    msg.set_raw("Auto-Submitted", "auto-generated")   # RFC 3834: out-of-office robots must not answer
    # base64, not 8bit: an old relay without 8BITMIME must not mangle the diacritics. The parts are those of
    # set_content(text) + add_alternative(html), byte for byte, without their cost (tonghop.mail.mime)
    set_alternative(msg, text, html)
    return msg


def safe_filename(name: str, default: str = "tep-dinh-kem") -> str:
    """The last path part of a name from a submission, on one line, without characters mail clients dislike."""
    name = clean_text(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r'[<>:"|?*]', "_", name).strip(" .")
    return name[:150] or default


def attach(msg: EmailMessage, data: bytes, filename: str, mime: str | None = None) -> None:
    """Attach bytes unchanged (base64, so a CSV keeps its BOM), with a UTF-8 file name (RFC 2231)."""
    mime = mime or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if filename.lower().endswith(".xlsx"):
        mime = XLSX
    maintype, subtype = mime.split("/", 1)
    # with charset=utf-8 for a text type; the part add_attachment would add, byte for byte (tonghop.mail.mime)
    add_attachment(msg, attachment_part(data, maintype, subtype, filename, msg.policy))
