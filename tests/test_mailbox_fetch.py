"""Submissions by e-mail against a real Dovecot and a real SMTP server: a planted round, its rerun, a run killed
between saving and recording, and a mailbox that cannot be reached."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from zoneinfo import ZoneInfo

from imapclient import IMAPClient

from conftest import ROOT, SAMPLES

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ROUND = "2025-Y"


def at(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN)


def mail(sender: str, subject: str, files: list[tuple[str, bytes]] = (), text: str = "Kính gửi Sở Nội vụ.") -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = sender, "cchcsonla@gmail.com", subject
    msg["Message-ID"] = make_msgid(domain="sonla.gov.vn")
    msg.set_content(text)
    for name, data in files:     # the stdlib writes a Vietnamese name as RFC 2231 (filename*=utf-8'')
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def sample(name: str) -> bytes:
    return (SAMPLES / ROUND / name).read_bytes()


def rfc2047_named(sender: str, subject: str, name: str, data: bytes) -> bytes:
    """Outlook's way: the file name as an RFC 2047 encoded word inside the quoted parameter."""
    import base64

    word = "=?utf-8?B?" + base64.b64encode(name.encode()).decode() + "?="
    body = base64.encodebytes(data).decode()
    return (f"From: {sender}\r\nTo: cchcsonla@gmail.com\r\nSubject: {subject}\r\nMessage-ID: {make_msgid()}\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\nGửi Sở báo cáo.\r\n--b1\r\n"
            f"Content-Type: application/vnd.ms-excel; name=\"{word}\"\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; filename=\"{word}\"\r\n\r\n{body}\r\n--b1--\r\n").encode()


def zipped(files: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SYT = "Báo cáo BĐG năm 2025 - Sở Y tế.xlsx"
CAT = "Công an tỉnh - báo cáo BĐG năm 2025.xlsx"
SGD = "Báo cáo bình đẳng giới năm 2025 (Sở GD&ĐT).xlsx"
MOC = "xa Moc Chau BC BDG nam 2025.xlsx"
TOH = "UBND phường Tô Hiệu - BC BĐG năm 2025.xlsx"
MTT = "MTTQ tinh - BC BDG nam 2025.xlsx"


def plant_round(account) -> dict[str, EmailMessage | bytes]:
    """Registered senders (one with a zip, one with an RFC 2047 name, one forwarding the form, one sending the same
    file twice), a cover letter without a form, a stranger, and a form arriving after the deadline (25/11/2025)."""
    planted = {
        "syt": mail("Sở Y tế <syt@sonla.gov.vn>", "Báo cáo BĐG năm 2025", [(SYT, sample(SYT))]),
        "cat": mail("cat@sonla.gov.vn", "CAT gửi báo cáo", [("bao-cao-cat.zip", zipped([(CAT, sample(CAT)),
                                                                                      ("Công văn.pdf", PDF)]))]),
        "sgd": rfc2047_named("sgddt@sonla.gov.vn", "Sở GD&ĐT báo cáo", SGD, sample(SGD)),
        "stc": mail("stc@sonla.gov.vn", "Công văn gửi báo cáo", [("Công văn STC.pdf", PDF + b"% STC\n")],
                    text="Sở Tài chính sẽ gửi biểu mẫu sau."),
        "stranger": mail("nguoi.la@gmail.com", "Gửi hộ báo cáo", [(MTT, sample(MTT))]),
        "late": mail("ubnd.mocchau@sonla.gov.vn", "Báo cáo muộn", [(MOC, sample(MOC))]),
    }
    forwarded = mail("ubnd.tohieu@sonla.gov.vn", "Fwd: báo cáo BĐG")
    forwarded.add_attachment(mail("canbo.tohieu@gmail.com", "báo cáo", [(TOH, sample(TOH))]))   # message/rfc822
    planted["tohieu"] = forwarded
    planted["syt-again"] = mail("syt@sonla.gov.vn", "Gửi lại báo cáo", [(SYT, sample(SYT))])
    times = {"syt": "15/11/2025 11:51", "cat": "14/11/2025 08:30", "sgd": "20/11/2025 16:05",
             "stc": "21/11/2025 09:00", "stranger": "22/11/2025 10:00", "late": "27/11/2025 08:15",
             "tohieu": "18/11/2025 14:20", "syt-again": "24/11/2025 07:00"}
    for key, msg in planted.items():
        account.plant(msg if isinstance(msg, bytes) else msg.as_bytes(), at(times[key]))
    return planted


def server_messages(account) -> dict[str, tuple]:
    with IMAPClient("127.0.0.1", port=account.server.port, ssl=False) as c:
        c.login(account.user, account.password)
        c.select_folder("INBOX", readonly=True)
        data = c.fetch(c.search("ALL"), ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    import email
    from email.policy import default

    return {str(email.message_from_bytes(v[b"BODY[HEADER.FIELDS (SUBJECT)]"], policy=default)["Subject"]): tuple(sorted(f.decode() for f in v[b"FLAGS"]
                                                                             if f != b"\\Recent"))
            for v in data.values()}


def message_id(m) -> str:
    import email
    from email.policy import default

    if isinstance(m, bytes):
        m = email.message_from_bytes(m, policy=default)
    return str(m["Message-ID"])


def test_a_planted_round_by_mail_is_read_answered_in_its_threads_and_taken_once(
        prefect_harness, server, dovecot, tmp_path, monkeypatch):
    from flows.round import consolidate_round

    collector, port = server
    account = dovecot.account()
    planted = plant_round(account)
    for name, value in {**account.env(), "TONGHOP_SMTP_HOST": "127.0.0.1", "TONGHOP_SMTP_SECURITY": "none",
                        "TONGHOP_SMTP_PORT": str(port)}.items():
        monkeypatch.setenv(name, value)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    run = dict(period=ROUND, inbox=str(inbox), out=str(tmp_path / "out"), db_url=f"sqlite:///{tmp_path / 'r.db'}",
               trigger="test")
    summary = consolidate_round(**run)

    files = {f["file"]: (f["unit"], f["state"], datetime.fromisoformat(f["received_at"]).astimezone(VN))
             for f in summary["files"]}
    assert files == {
        SYT: ("SYT", "new", at("15/11/2025 11:51")),
        CAT: ("CAT", "new", at("14/11/2025 08:30")),
        "Công văn.pdf": (None, "document", at("14/11/2025 08:30")),
        SGD: ("SGDDT", "new", at("20/11/2025 16:05")),
        "Công văn STC.pdf": (None, "document", at("21/11/2025 09:00")),
        MOC: ("X03980", "new", at("27/11/2025 08:15")),
        TOH: ("X03646", "new", at("18/11/2025 14:20")),
    }
    assert sorted(summary["units_on_time"]) == ["CAT", "SGDDT", "SYT", "X03646"]
    assert "X03980" in summary["units_reported"] and "X03980" not in summary["units_on_time"]   # late
    assert summary["mailbox"]["taken"] == 7 and summary["mailbox"]["strangers"] == 1
    assert summary["mailbox"]["answered"] == 1
    import csv

    with open(inbox / "received.csv", encoding="utf-8") as fh:        # each file once, with its message's time
        assert sorted((r["file"], datetime.fromisoformat(r["received_at"])) for r in csv.DictReader(fh)) == sorted(
            (name, when) for name, (_unit, _state, when) in files.items())

    by_reply = {}
    for arrival in collector.arrived:
        m = arrival.message
        by_reply[str(m["In-Reply-To"] or "-")] = (tuple(arrival.rcpt_tos), str(m["Subject"]), str(m["References"]))
    cfg_officer = "cchcsonla@gmail.com"
    assert "nguoi.la@gmail.com" not in {r for a in collector.arrived for r in a.rcpt_tos}        # the stranger: never
    expected_threads = {
        "syt": ("syt@sonla.gov.vn", "Re: Báo cáo BĐG năm 2025 – "),
        "cat": ("cat@sonla.gov.vn", "Re: CAT gửi báo cáo – "),
        "sgd": ("sgddt@sonla.gov.vn", "Re: Sở GD&ĐT báo cáo – "),
        "late": ("ubnd.mocchau@sonla.gov.vn", "Re: Báo cáo muộn – "),
        "tohieu": ("ubnd.tohieu@sonla.gov.vn", "Re: Fwd: báo cáo BĐG – "),
        "stc": ("stc@sonla.gov.vn", "Re: Công văn gửi báo cáo – Chưa nhận được biểu mẫu"),
    }
    for key, (to, subject) in expected_threads.items():
        mid = message_id(planted[key])
        rcpt, subj, refs = by_reply[mid]
        assert rcpt[0] == to and subj.startswith(subject) and refs == mid, key
    # the same file sent twice is answered once, in the thread of its first message
    assert message_id(planted["syt-again"]) not in by_reply
    # the rest: the officer's digest, listing the stranger's message
    others = [a for a in collector.arrived if a.message["In-Reply-To"] is None]
    assert [tuple(a.rcpt_tos) for a in others] == [(cfg_officer,)]
    digest = others[0].message.get_body(("plain",)).get_content()
    assert "nguoi.la@gmail.com" in digest and "Gửi hộ báo cáo" in digest and MTT in digest
    sent = len(collector.arrived)

    again = consolidate_round(**run)
    assert (again["mailbox"]["taken"], again["mailbox"]["saved"], again["files_read_this_run"]) == (0, [], 0)
    assert len(collector.arrived) == sent
    on_server = server_messages(account)
    assert len(on_server) == len(planted)                                     # nothing deleted
    assert on_server["Gửi hộ báo cáo"] == ()                         # the stranger's: not taken
    assert sum(1 for flags in on_server.values() if flags == ("TonghopDaNhan",)) == len(planted) - 1


KILLER = """
import os, signal
from pathlib import Path
import tonghop.mailbox.fetch as m
from tonghop.config import Period, load_config
from tonghop.mailbox.settings import ImapSettings
from tonghop.store import open_db

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)      # the files are saved; the record is never written
m.record_message = killed
engine = open_db({db!r})
m.fetch_mailbox(ImapSettings.from_env(), Path({inbox!r}), engine, load_config(), Period.parse("2025-Y"))
"""


def test_a_run_killed_between_saving_and_recording_loses_and_doubles_nothing(
        prefect_harness, server, dovecot, tmp_path, monkeypatch):
    from flows.round import consolidate_round

    collector, port = server
    account = dovecot.account()
    planted = plant_round(account)
    env = {**account.env(), "TONGHOP_SMTP_HOST": "127.0.0.1", "TONGHOP_SMTP_SECURITY": "none",
           "TONGHOP_SMTP_PORT": str(port)}
    inbox, db = tmp_path / "inbox", f"sqlite:///{tmp_path / 'r.db'}"
    inbox.mkdir()
    script = KILLER.format(db=db, inbox=str(inbox))
    killed = subprocess.run([sys.executable, "-c", script], env={**os.environ, **env}, cwd=ROOT)
    assert killed.returncode == -9
    saved_before = sorted(p.name for p in inbox.iterdir())
    assert SYT in saved_before or CAT in saved_before       # the first message's files were saved, then the kill
    assert all(flags == () for flags in server_messages(account).values())    # nothing marked taken

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    summary = consolidate_round(period=ROUND, inbox=str(inbox), out=str(tmp_path / "out"), db_url=db, trigger="test")
    assert sorted(p.name for p in inbox.iterdir()) == sorted(
        ["received.csv", SYT, CAT, "Công văn.pdf", SGD, "Công văn STC.pdf", MOC, TOH])         # no second copy
    assert {f["file"]: datetime.fromisoformat(f["received_at"]).astimezone(VN) for f in summary["files"]}[CAT] \
        == at("14/11/2025 08:30")
    assert summary["mailbox"]["taken"] == 7 and summary["files_read_this_run"] == 5
    replies = [str(a.message["In-Reply-To"]) for a in collector.arrived if a.message["In-Reply-To"]]
    assert sorted(replies) == sorted(message_id(planted[k]) for k in ("syt", "cat", "sgd", "stc", "late", "tohieu"))
    again = consolidate_round(period=ROUND, inbox=str(inbox), out=str(tmp_path / "out"), db_url=db, trigger="test")
    assert again["mailbox"]["taken"] == 0 and len(collector.arrived) == 6 + 1


def test_a_mailbox_that_cannot_be_read_is_one_line_and_the_round_goes_on(dovecot, tmp_path, config):
    from smtp_server import free_port
    from tonghop.config import Period
    from tonghop.mailbox.fetch import fetch_mailbox
    from tonghop.mailbox.settings import ImapSettings
    from tonghop.store import open_db

    account = dovecot.account()
    engine = open_db(f"sqlite:///{tmp_path / 'r.db'}")
    period = Period.parse(ROUND)

    def line(**changes) -> str:
        settings = ImapSettings.from_env({**account.env(), **changes})
        result = fetch_mailbox(settings, tmp_path / "inbox", engine, config, period)
        assert result.taken == 0
        return result.line(tmp_path / "inbox")

    go_on = f" Đợt chạy tiếp tục với các tệp đã có trong thư mục {tmp_path / 'inbox'}."
    assert line(TONGHOP_IMAP_PASSWORD="sai") == (
        f"Không đọc được hộp thư {account.user} trên 127.0.0.1: sai tên đăng nhập hoặc mật khẩu (với Gmail: dùng "
        f"mật khẩu ứng dụng và bật IMAP trong phần cài đặt Gmail)." + go_on)
    down = free_port()
    assert line(TONGHOP_IMAP_PORT=str(down)) == (
        f"Không đọc được hộp thư {account.user} trên 127.0.0.1: máy chủ không nhận kết nối ở cổng {down} "
        f"(máy chủ tắt hoặc sai cổng)." + go_on)
    assert line(**account.env("ssl")) == (
        f"Không đọc được hộp thư {account.user} trên 127.0.0.1: chứng chỉ bảo mật của máy chủ không hợp lệ "
        f"(self-signed certificate); nếu máy chủ dùng chứng chỉ riêng, đặt TONGHOP_IMAP_CAFILE." + go_on)
    # the same server over IMAPS with its certificate trusted: read, nothing there yet
    ok = fetch_mailbox(ImapSettings.from_env({**account.env("ssl"), "TONGHOP_IMAP_CAFILE": str(dovecot.cert)}),
                       tmp_path / "inbox", engine, config, period)
    assert (ok.error, ok.taken) == (None, 0)
    engine.dispose()


def test_tonghop_fetch_takes_the_mail_only_and_says_so_in_one_line(dovecot, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from flows import cli

    account = dovecot.account()
    account.plant(mail("syt@sonla.gov.vn", "Báo cáo", [(SYT, sample(SYT))]).as_bytes(), at("15/11/2025 11:51"))
    for name, value in account.env().items():
        monkeypatch.setenv(name, value)
    inbox = tmp_path / "hop-thu"
    args = ["fetch", "--period", ROUND, "--inbox", str(inbox), "--out", str(tmp_path / "out")]
    first = CliRunner().invoke(cli.app, args)
    assert " ".join(first.output.split()) == f"Hộp thư {account.user} (INBOX): lấy 1 thư mới, lưu 1 tệp vào {inbox}."
    assert first.exit_code == 0
    assert sorted(p.name for p in inbox.iterdir()) == sorted(["received.csv", SYT])
    assert not (tmp_path / "out" / ROUND).exists()            # nothing read, nothing reported
    again = CliRunner().invoke(cli.app, args)
    assert " ".join(again.output.split()) == f"Hộp thư {account.user} (INBOX): lấy 0 thư mới, lưu 0 tệp vào {inbox}."
    monkeypatch.setenv("TONGHOP_IMAP_PASSWORD", "sai")
    wrong = CliRunner().invoke(cli.app, args)
    assert wrong.exit_code == 1 and " ".join(wrong.output.split()).startswith(
        f"Không đọc được hộp thư {account.user} trên 127.0.0.1: sai tên đăng nhập hoặc mật khẩu")
