"""The "lay-thu" flow through Prefect against a real Dovecot: takes new mail into the inbox once, skips when there
is no mailbox, when a round holds the period or when a schedule fires out of its dates, and fails in one line when
the mailbox cannot be read."""
from __future__ import annotations

import csv
from datetime import datetime

import pytest

from test_mailbox_fetch import ROUND, SYT, VN, at, mail, message_id, sample, server_messages

IMAP_VARS = ("TONGHOP_IMAP_HOST", "TONGHOP_IMAP_PORT", "TONGHOP_IMAP_USER", "TONGHOP_IMAP_PASSWORD",
             "TONGHOP_IMAP_SECURITY")


def use_mailbox(monkeypatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_lay_thu_takes_new_mail_once_and_the_next_round_reads_it(prefect_harness, server, dovecot, tmp_path,
                                                                 monkeypatch):
    from flows.mailbox import fetch_round_mail
    from flows.round import consolidate_round

    collector, port = server
    account = dovecot.account()
    syt = mail("Sở Y tế <syt@sonla.gov.vn>", "Báo cáo BĐG năm 2025", [(SYT, sample(SYT))])
    cover = mail("stc@sonla.gov.vn", "Công văn gửi báo cáo", text="Sở Tài chính sẽ gửi biểu mẫu sau.")
    stranger = mail("nguoi.la@gmail.com", "Gửi hộ báo cáo", [(SYT, sample(SYT))])
    account.plant(syt.as_bytes(), at("21/11/2025 09:40"))
    account.plant(cover.as_bytes(), at("22/11/2025 10:00"))
    account.plant(stranger.as_bytes(), at("22/11/2025 11:00"))
    use_mailbox(monkeypatch, account.env())
    inbox, out, db = tmp_path / "hop-thu", tmp_path / "out", f"sqlite:///{tmp_path / 'out' / 'tonghop.db'}"
    params = dict(period=ROUND, inbox=str(inbox), out=str(out), db_url=db, config_path=None)

    state = fetch_round_mail(**params, return_state=True)
    assert state.is_completed() and state.name == "Completed"
    first = state.result()
    line = (f"Hộp thư {account.user} (INBOX): lấy 2 thư mới, lưu 1 tệp vào {inbox}, 1 thư được trả lời vì không có "
            f"biểu mẫu hoặc có tệp không nhận được; 1 thư từ địa chỉ chưa đăng ký để nguyên trên máy chủ (xem thư "
            f"tổng hợp gửi cán bộ).")
    assert first == {"period": ROUND, "mailbox": f"{account.user} (INBOX)", "taken": 2, "saved": [SYT],
                     "strangers": 1, "answered": 1, "error": None, "line": line}
    assert sorted(p.name for p in inbox.iterdir()) == sorted(["received.csv", SYT])
    with open(inbox / "received.csv", encoding="utf-8") as fh:
        assert [(r["file"], datetime.fromisoformat(r["received_at"])) for r in csv.DictReader(fh)] == [
            (SYT, at("21/11/2025 09:40"))]
    assert server_messages(account) == {"Báo cáo BĐG năm 2025": ("TonghopDaNhan",),
                                        "Công văn gửi báo cáo": ("TonghopDaNhan",), "Gửi hộ báo cáo": ()}
    assert collector.arrived == []          # the fetch queues the answer; a round (or the reminders) delivers it

    again = fetch_round_mail(**params)
    assert (again["taken"], again["saved"], again["strangers"], again["answered"]) == (0, [], 1, 0)
    assert sorted(p.name for p in inbox.iterdir()) == sorted(["received.csv", SYT])

    # The round finds the file in its folder with its message's arrival time, and takes nothing more.
    use_mailbox(monkeypatch, {"TONGHOP_SMTP_HOST": "127.0.0.1", "TONGHOP_SMTP_SECURITY": "none",
                              "TONGHOP_SMTP_PORT": str(port)})
    summary = consolidate_round(**params, trigger="test")
    assert {f["file"]: (f["unit"], f["state"], datetime.fromisoformat(f["received_at"]).astimezone(VN))
            for f in summary["files"]} == {SYT: ("SYT", "new", at("21/11/2025 09:40"))}
    assert summary["mailbox"]["taken"] == 0 and summary["units_on_time"] == ["SYT"]
    replies = {str(a.message["In-Reply-To"]): (tuple(a.rcpt_tos), str(a.message["Subject"]))
               for a in collector.arrived if a.message["In-Reply-To"]}
    assert sorted(replies) == sorted([message_id(syt), message_id(cover)])
    assert replies[message_id(cover)] == (("stc@sonla.gov.vn",),
                                          "Re: Công văn gửi báo cáo – Chưa nhận được biểu mẫu")
    assert replies[message_id(syt)][0] == ("syt@sonla.gov.vn",)
    assert "nguoi.la@gmail.com" not in {r for a in collector.arrived for r in a.rcpt_tos}


def test_lay_thu_without_a_mailbox_does_nothing(prefect_harness, tmp_path, monkeypatch):
    from flows.mailbox import fetch_round_mail

    for name in IMAP_VARS:
        monkeypatch.delenv(name, raising=False)
    result = fetch_round_mail(period=ROUND, inbox=str(tmp_path / "hop-thu"), out=str(tmp_path / "out"))
    assert result == {"period": ROUND, "skipped": "Chưa cấu hình hộp thư (TONGHOP_IMAP_HOST chưa đặt): không lấy "
                                                  "thư; các tệp vẫn nhận qua thư mục nhận tệp."}
    assert list(tmp_path.iterdir()) == []


def test_lay_thu_leaves_the_mail_to_a_round_in_progress(prefect_harness, dovecot, tmp_path, monkeypatch, config):
    from flows.mailbox import fetch_round_mail
    from tonghop.config import Period
    from tonghop.round.runs import acquire_lock, lock_scope, release_lock, start_run
    from tonghop.store import open_db

    account = dovecot.account()
    account.plant(mail("syt@sonla.gov.vn", "Báo cáo", [(SYT, sample(SYT))]).as_bytes(), at("21/11/2025 09:40"))
    use_mailbox(monkeypatch, account.env())
    db = f"sqlite:///{tmp_path / 'r.db'}"
    engine = open_db(db)
    holder = start_run(engine, period=Period.parse(ROUND), trigger="schedule", parameters={})
    acquire_lock(engine, lock_scope(config.province_code, Period.parse(ROUND)), holder)
    params = dict(period=ROUND, inbox=str(tmp_path / "hop-thu"), out=str(tmp_path / "out"), db_url=db)
    try:
        result = fetch_round_mail(**params)
    finally:
        release_lock(engine, lock_scope(config.province_code, Period.parse(ROUND)), holder)
    assert result == {"period": ROUND, "skipped": f"Bỏ qua: đợt tổng hợp kỳ {ROUND} (lần chạy số {holder}) đang "
                                                  f"chạy và tự lấy thư từ hộp thư."}
    assert not (tmp_path / "hop-thu").exists() and server_messages(account) == {"Báo cáo": ()}
    assert fetch_round_mail(**params)["taken"] == 1          # the lock released: taken
    engine.dispose()


def test_lay_thu_scheduled_out_of_its_dates_is_skipped(prefect_harness, dovecot, tmp_path, monkeypatch):
    """Cron has no year: a 2025-Y schedule still served in 2026 fires on 20-25/11/2026; the run takes nothing."""
    from flows.mailbox import fetch_round_mail

    account = dovecot.account()
    account.plant(mail("syt@sonla.gov.vn", "Báo cáo", [(SYT, sample(SYT))]).as_bytes(), at("21/11/2025 09:40"))
    use_mailbox(monkeypatch, account.env())
    result = fetch_round_mail(period=ROUND, inbox=str(tmp_path / "hop-thu"), out=str(tmp_path / "out"),
                              trigger="schedule")
    assert result == {"period": ROUND, "skipped": f"Bỏ qua: lần lấy thư theo lịch không thuộc kỳ {ROUND}."}
    assert server_messages(account) == {"Báo cáo": ()} and list(tmp_path.iterdir()) == []


def test_lay_thu_fails_in_one_line_when_the_mailbox_cannot_be_read(prefect_harness, dovecot, tmp_path, monkeypatch):
    from flows.mailbox import MailboxFetchFailed, fetch_round_mail

    account = dovecot.account()
    use_mailbox(monkeypatch, {**account.env(), "TONGHOP_IMAP_PASSWORD": "sai"})
    inbox = tmp_path / "hop-thu"
    state = fetch_round_mail(period=ROUND, inbox=str(inbox), out=str(tmp_path / "out"), return_state=True)
    assert state.is_failed()
    with pytest.raises(MailboxFetchFailed) as failed:
        state.result()
    assert str(failed.value) == (f"Không đọc được hộp thư {account.user} trên 127.0.0.1: sai tên đăng nhập hoặc mật khẩu (với "
                    f"Gmail: dùng mật khẩu ứng dụng và bật IMAP trong phần cài đặt Gmail). Lần lấy thư sau sẽ thử "
                    f"lại; các tệp đã lấy vẫn nằm trong thư mục {inbox}.")
