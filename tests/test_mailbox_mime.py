"""Hostile mail taken apart within bounds: encoded Vietnamese names, zips and zip bombs, oversized files,
forwarded messages, broken MIME, robots' mail."""
from __future__ import annotations

import base64
import io
import zipfile
from email.message import EmailMessage
from email.policy import SMTP

from tonghop.mailbox.mime import Unreadable, parse_message, safe_name
from tonghop.intake.container import MAX_FILE_BYTES


def message(*files: tuple[str, bytes], headers: dict[str, str] | None = None) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "Sở Y tế <SYT@sonla.gov.vn>", "cchcsonla@gmail.com", "Báo cáo BĐG"
    msg["Message-ID"] = "<m1@sonla.gov.vn>"
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content("Kính gửi.")
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def kinds(raw: bytes) -> list[tuple[str, str, str | None]]:
    return [(a.name, a.kind, a.reason) for a in parse_message(raw).attachments]


def test_rfc2231_and_rfc2047_names_are_read_in_nfc_and_made_safe():
    nfd = "Ba\u0301o ca\u0301o.xlsx"                        # macOS writes names decomposed
    word = "=?utf-8?B?" + base64.b64encode("Sở Y tế/../Báo cáo.xls".encode()).decode() + "?="
    raw = (b"From: syt@sonla.gov.vn\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Disposition: attachment; filename=\"" + word.encode() + b"\"\r\n\r\nabc\r\n--b--\r\n")
    assert kinds(message((nfd, b"x"), ("received.csv", b"y")).as_bytes())[0] == ("Báo cáo.xlsx", "form", None)
    assert kinds(raw) == [("Báo cáo.xls", "form", None)]
    assert [safe_name(n) for n in ("~$a.xlsx", "..\\..\\b.xlsx", "._c.xls", "a\u202eslx.exe")] == \
        ["a.xlsx", "b.xlsx", "c.xls", "aslx.exe"]


def test_a_zip_gives_its_forms_and_a_zip_bomb_is_refused_whole():
    ok = io.BytesIO()
    utf8 = "Ba\u0309o ca\u0301o.xlsx".encode()         # decomposed, as macOS writes it
    with zipfile.ZipFile(ok, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("X" * len(utf8), b"form")
        z.writestr("anh.jpg", b"jpg")
        z.writestr("trong.zip", b"PK")
    # a UTF-8 name without the zip's UTF-8 flag, as 7-Zip and others write it
    ok = io.BytesIO(ok.getvalue().replace(b"X" * len(utf8), utf8))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(5):
            z.writestr(f"b{i}.xlsx", b"\0" * (MAX_FILE_BYTES - 1))      # each under the file bound, all over 100 MB
    assert kinds(message(("goi.zip", ok.getvalue())).as_bytes()) == [
        ("Bảo cáo.xlsx", "form", None), ("anh.jpg", "other", None),
        ("trong.zip", "other", "tệp nén lồng trong tệp nén không được mở")]
    assert kinds(message(("bom.zip", bomb.getvalue())).as_bytes()) == [
        ("bom.zip", "refused", "tệp nén giải nén ra quá 100 MB hoặc nhiều hơn kích thước khai báo "
                               "(có thể là tệp nén độc hại)")]


def test_an_oversized_file_is_refused_and_a_forwarded_form_is_found():
    big = message(("lon.xlsx", b"x" * (MAX_FILE_BYTES + 1)))
    assert kinds(big.as_bytes()) == [("lon.xlsx", "refused", "tệp nặng 25 MB, quá giới hạn 25 MB")]
    outer = message()
    outer.add_attachment(message(("Biểu.ods", b"ods")))                  # message/rfc822
    parsed = parse_message(outer.as_bytes())
    assert ([(a.name, a.kind) for a in parsed.attachments], parsed.sender) == ([("Biểu.ods", "form")], "syt@sonla.gov.vn")


def test_robots_and_broken_mail():
    assert parse_message(message(headers={"Auto-Submitted": "auto-replied"}).as_bytes()).automatic is True
    assert parse_message(message().as_bytes()).automatic is False
    deep = b"From: a@b.vn\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" + b"".join(
        f"--a{i}\r\nContent-Type: multipart/mixed; boundary=a{i + 1}\r\n\r\n".encode() for i in range(10))
    try:
        parse_message(deep.replace(b"--a0", b"--a"))
        raised = None
    except Unreadable as exc:
        raised = str(exc)
    assert raised == "thư có quá nhiều phần lồng nhau (giới hạn 300 phần, 6 tầng)"
    garbage = b"\x00\xff\r\n\r\n--\r\n"
    assert (parse_message(garbage).attachments, parse_message(garbage).sender) == ([], None)
