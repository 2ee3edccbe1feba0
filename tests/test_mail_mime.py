"""A message assembled from prefolded parts (tonghop.mail.mime) has the bytes the email package's own calls gave."""
from __future__ import annotations

import mimetypes
import re
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from tonghop.mail import message as m
from tonghop.mail.mime import make_boundary

BOUNDARY = re.compile(rb"={15}\d{19}==")


def old_message(new: EmailMessage, text: str, html: str) -> EmailMessage:
    """new_message as it was: the same header calls, then set_content + add_alternative."""
    msg = EmailMessage(policy=SMTP)
    for name, value in new._headers:
        if name in ("MIME-Version", "Content-Type"):
            continue
        msg.set_raw(name, value)
    msg.set_content(text, charset="utf-8", cte="base64")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    return msg


def old_attach(msg: EmailMessage, data: bytes, filename: str) -> None:
    """attach as it was: add_attachment."""
    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if filename.lower().endswith(".xlsx"):
        mime = m.XLSX
    maintype, subtype = mime.split("/", 1)
    params = {"charset": "utf-8"} if maintype == "text" else None
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, params=params)


def same_shape(data: bytes) -> bytes:
    """The bytes with each boundary named by its order of appearance: boundaries are random, nothing else."""
    names: dict[bytes, bytes] = {}
    return BOUNDARY.sub(lambda hit: names.setdefault(hit.group(), b"BOUNDARY-%d" % len(names)), data)


TEXTS = [
    ("Kính gửi: Sở Y tế\n\nĐƯỢC CHẤP NHẬN\n", "<p>Được chấp nhận</p>\n"),
    ("", ""),
    ("ascii only\r\nwith CRLF\rand a lone CR\n\n\n" + "x" * 300, "<b>" + "đ" * 500 + "</b>"),
]
NAMES = ["CAT-2e861940a5-danh-dau.xlsx", "danh-sach-loi.csv", "Báo cáo Sở Y tế (bản đánh dấu).xlsx",
         "bieu mau.pdf", 'a "quoted" name.xlsx', "x.xlsx", "-.xlsx", "tep.bin"]
# plain names around the length where the Content-Disposition line folds
NAMES += ["n" * k + ".xlsx" for k in range(40, 60)]


@pytest.mark.parametrize("text, html", TEXTS)
@pytest.mark.parametrize("names", [[], ["CAT-2e861940a5-danh-dau.xlsx"], ["danh-sach-loi.csv"], NAMES])
def test_message_bytes_are_those_of_the_email_package(config, text, html, names):
    new = m.new_message(config, to=["syt@sonla.gov.vn", "vt@sonla.gov.vn"], subject="[Sơn La] Sở Y tế – Năm 2025",
                        text=text, html=html)
    old = old_message(new, text, html)
    for i, name in enumerate(names):
        data = bytes(range(256)) * (i + 1) + name.encode()
        m.attach(new, data, name)
        old_attach(old, data, name)
    assert same_shape(new.as_bytes(policy=SMTP)) == same_shape(old.as_bytes(policy=SMTP))
    # written twice, the same (the package fixes a boundary at its first write; here it is fixed from the start)
    assert new.as_bytes(policy=SMTP) == new.as_bytes(policy=SMTP)


def test_cached_headers_are_those_computed_afresh(config):
    for name, value in [("From", (("Sở Nội vụ tỉnh Sơn La", "snv@sonla.gov.vn"),)),
                        ("Subject", "[Sơn La] " + "Báo cáo " * 30), ("Subject", "ascii " * 30)]:
        assert m._folded(name, value, SMTP) == m._folded.__wrapped__(name, value, SMTP)


def test_boundaries_look_like_the_email_package_ones():
    from email.generator import Generator

    drawn = {make_boundary() for _ in range(50)}
    assert len(drawn) == 50
    assert all(BOUNDARY.fullmatch(b.encode()) and len(b) == len(Generator._make_boundary()) for b in drawn)


def test_a_message_is_written_without_folding_a_header_again(config, monkeypatch):
    """Every part's headers were folded when the part was made: writing the message (each part with a clone of
    the policy) folds none of them again, nor parses one."""
    import email.headerregistry

    new = m.new_message(config, to=["syt@sonla.gov.vn"], subject="[Sơn La] Sở Y tế", text="Kính gửi", html="<p>x</p>")
    m.attach(new, b"data", "CAT-2e861940a5-danh-dau.xlsx")
    m.attach(new, b"a;b\r\n", "danh-sach-loi.csv")
    expected = new.as_bytes(policy=SMTP)

    def refused(*args, **kwargs):
        raise AssertionError("a header folded or parsed again at write")
    monkeypatch.setattr(email.headerregistry.BaseHeader, "fold", refused)
    monkeypatch.setattr(email.headerregistry.HeaderRegistry, "__call__", refused)
    assert new.as_bytes(policy=SMTP) == expected


def test_a_message_pickles_as_one_built_by_the_email_package(config):
    """To a worker process and back: the same bytes."""
    import pickle

    new = m.new_message(config, to=["syt@sonla.gov.vn"], subject="[Sơn La] Sở Y tế", text="Kính gửi", html="<p>x</p>")
    m.attach(new, b"data", "Báo cáo (bản đánh dấu).xlsx")
    m.attach(new, b"data", "CAT-2e861940a5-danh-dau.xlsx")
    assert pickle.loads(pickle.dumps(new)).as_bytes(policy=SMTP) == new.as_bytes(policy=SMTP)
