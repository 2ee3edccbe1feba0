"""The MIME parts of a message assembled from headers folded once per process, byte for byte as the email package writes them."""
from __future__ import annotations

import base64
import random
import re
import sys
from email.message import EmailMessage
from email.policy import SMTP, Policy
from functools import lru_cache

# Why this module: set_content/add_alternative/add_attachment parse and refold every Content-* header of every part
# of every message, and the generator then picks each multipart boundary by rewriting Content-Type again — most of
# a report message's cost. The headers of a part depend only on its type and file name, so they are built here once
# with the email package itself (the same text), and a boundary is chosen when the part is made.

_WIDTH = len(repr(sys.maxsize - 1))
_PLACEHOLDER = "=" * 15 + "0" * _WIDTH + "=="
_SIMPLE_NAME = re.compile(r"[A-Za-z0-9._-]+")
_SIMPLE_SAMPLE = "tep-mau_01.xlsx"


def make_boundary() -> str:
    """A boundary as the email package draws one. Drawn when the part is made, not when it is written: every body
    here is base64 and every header line after the first starts with a space, so no line can start with '--'."""
    return "=" * 15 + f"{random.randrange(sys.maxsize):0{_WIDTH}d}" + "=="


class _Prefolded:
    """A header that writes, for the policy it was made for, the text it was folded to once: the generator reads a
    part's Content-Type and Content-Transfer-Encoding several times a write (a raw value is parsed at each read)
    and folds them again at every write (a parsed one is folded each time)."""

    _policy: Policy | None = None
    _text = ""

    def fold(self, *, policy: Policy) -> str:
        # the generator writes each part with a clone of its policy (the same settings, another object)
        if policy is self._policy or (type(policy) is type(self._policy) and vars(policy) == vars(self._policy)):
            return self._text
        return super().fold(policy=policy)

    def __reduce__(self):
        # its class is made at run time (as the email package makes its own, which pickle by their bases): a message
        # pickles, to a worker process and back, as one built by set_content did
        return _rebuilt, (self.name, str(self), self._text, self._policy)


def _rebuilt(name: str, value: str, text: str, policy: Policy) -> object:
    return _header(policy, name, value, text)


@lru_cache(maxsize=None)
def _prefolded_type(name: str, policy: Policy) -> type:
    return type(f"_Prefolded{name.title().replace('-', '')}", (_Prefolded, policy.header_factory[name]), {})


def _header(policy: Policy, name: str, value: str, folded: str | None = None) -> object:
    """A parsed header for `name: value` (`folded`: its text, when known) that folds only once."""
    header = _prefolded_type(name.lower(), policy)(name, value)
    header._text = super(_Prefolded, header).fold(policy=policy) if folded is None else folded
    header._policy = policy
    return header


def _kept(policy: Policy, name: str, header: object) -> object:
    """A header of a part made by the email package, in the form that writes the same text for less: read by the
    generator, prefolded; else its folded text set raw where that writes back the same, else the header itself."""
    folded = header.fold(policy=policy)
    if name.lower() in ("content-type", "content-transfer-encoding"):
        made = _header(policy, name, str(header))
        if super(_Prefolded, made).fold(policy=policy) == folded:
            return made
        return header
    raw = folded[len(name) + 2:-len(policy.linesep)]
    return raw if policy.fold(name, raw) == folded else header


def _headers_of(part: EmailMessage) -> tuple[tuple[str, object], ...]:
    return tuple((name, _kept(part.policy, name, value)) for name, value in part._headers)


@lru_cache(maxsize=None)
def _text_headers(subtype: str, policy: Policy) -> tuple[tuple[str, object], ...]:
    part = EmailMessage(policy=policy)
    part.set_content("", subtype=subtype, charset="utf-8", cte="base64")
    return _headers_of(part)


@lru_cache(maxsize=256)
def _attachment_headers(maintype: str, subtype: str, filename: str, charset: bool,
                        policy: Policy) -> tuple[tuple[str, object], ...]:
    part = EmailMessage(policy=policy)
    part.set_content(b"", maintype=maintype, subtype=subtype, filename=filename,
                     params={"charset": "utf-8"} if charset else None)
    headers = _headers_of(part)
    if filename == _SIMPLE_SAMPLE and ("Content-Disposition", f'attachment; filename="{filename}"') not in headers:
        raise AssertionError(f"a plain file name is not written as expected: {headers!r}")
    return headers


@lru_cache(maxsize=None)
def _multipart_template(subtype: str, policy: Policy) -> str:
    """'Content-Type: multipart/alternative;\r\n boundary="…"\r\n' as the generator's set_boundary leaves it, with a
    placeholder boundary of the same length (every boundary has one length, so the folding is the same)."""
    name, header = policy.header_store_parse("Content-Type", f'multipart/{subtype}; boundary="{_PLACEHOLDER}"')
    folded = header.fold(policy=policy)
    if folded.count(_PLACEHOLDER) != 1:
        raise AssertionError(f"unexpected folding of a multipart/{subtype} Content-Type: {folded!r}")
    return folded


def multipart_type(subtype: str, policy: Policy = SMTP) -> object:
    """The Content-Type of a multipart with a fresh boundary."""
    boundary = make_boundary()
    return _header(policy, "Content-Type", f'multipart/{subtype}; boundary="{boundary}"',
                   _multipart_template(subtype, policy).replace(_PLACEHOLDER, boundary))


def _part(policy: Policy, headers: tuple[tuple[str, object], ...], payload: object) -> EmailMessage:
    part = EmailMessage(policy=policy)
    part._headers = list(headers)
    part._payload = payload
    return part


def _base64(data: bytes) -> str:
    # the email package's own encoder: 57 bytes (76 characters) a line, each ended by "\n"
    return base64.encodebytes(data).decode("ascii")


def text_part(text: str, subtype: str, policy: Policy = SMTP, *, mime_version: bool = True) -> EmailMessage:
    """What set_content(text, subtype=…, charset="utf-8", cte="base64") makes: the text's lines ended by the
    policy's line separator, base64. `mime_version`: False for the part that set_content first put on the message
    itself (its MIME-Version stays on the message when the message turns multipart)."""
    headers = _text_headers(subtype, policy)
    if not mime_version:
        headers = tuple(h for h in headers if h[0] != "MIME-Version")
    lines = text.encode("utf-8").splitlines()
    return _part(policy, headers, _base64(policy.linesep.encode("ascii").join(lines) + policy.linesep.encode("ascii")))


def attachment_part(data: bytes, maintype: str, subtype: str, filename: str, policy: Policy = SMTP) -> EmailMessage:
    """What add_attachment(data, maintype, subtype, filename=…) adds (with charset=utf-8 for a text type)."""
    charset = maintype == "text"
    disposition = f'attachment; filename="{filename}"'
    if _SIMPLE_NAME.fullmatch(filename) and len("Content-Disposition: " + disposition) < policy.max_line_length:
        # the common case, a plain short name (new in every message): its line is written as is, the rest is the
        # type's own (checked against the email package on a name of that kind)
        headers = tuple((n, disposition if n == "Content-Disposition" else v)
                        for n, v in _attachment_headers(maintype, subtype, _SIMPLE_SAMPLE, charset, policy))
    else:
        headers = _attachment_headers(maintype, subtype, filename, charset, policy)
    return _part(policy, headers, _base64(data))


def set_alternative(msg: EmailMessage, text: str, html: str) -> None:
    """A message's body as set_content(text) then add_alternative(html) leave it (UTF-8, base64)."""
    policy = msg.policy
    msg.set_raw("MIME-Version", "1.0")
    msg._headers.append(("Content-Type", multipart_type("alternative", policy)))
    msg._payload = [text_part(text, "plain", policy, mime_version=False), text_part(html, "html", policy)]


def add_attachment(msg: EmailMessage, part: EmailMessage) -> None:
    """add_attachment's layout: the message turns multipart/mixed once, its body moved into the first part."""
    if msg.get_content_type() != "multipart/mixed":
        body = _part(msg.policy, tuple((n, v) for n, v in msg._headers if n.lower().startswith("content-")),
                     msg._payload)
        msg._headers = [(n, v) for n, v in msg._headers if not n.lower().startswith("content-")]
        msg._headers.append(("Content-Type", multipart_type("mixed", msg.policy)))
        msg._payload = [body]
    msg._payload.append(part)
