"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, failures, retries, once-only, STARTTLS."""
from __future__ import annotations

import dataclasses
import datetime as dt
import email
import ssl
from datetime import date, timedelta
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aiosmtpd.controller import Controller

from tonghop.config import Period
from tonghop.mail import outbox
from tonghop.mail.build import build_reminder
from tonghop.reports.listing import CSV_NAME, problems_csv
from tonghop.mail.queue import queue_report
from tonghop.mail.reminders import queue_digest, queue_reminders
from tonghop.mail.send import DeliveryResult, deliver_pending, eml_name
from tonghop.mail.settings import SmtpSettings
from tonghop.problems import Problem, ValidationReport
from tonghop.store.db import open_db
from tonghop.store.models import OutboxMessage

from smtp_server import Collector, free_port  # noqa: F401  (the `server` fixture is in conftest)

PERIOD = "2025-Y"
YEAR = Period.parse(PERIOD)    # the period as the mail room takes it; PERIOD is its code
DEADLINE = date(2025, 11, 25)


def plain_settings(port: int) -> SmtpSettings:
    """As SmtpSettings.from_env() reads them with no configuration: the envelope sender is each From."""
    return SmtpSettings(host="127.0.0.1", port=port, security="none", user=None, password=None, timeout=5)


@pytest.fixture
def engine(db_url):
    eng = open_db(db_url)
    yield eng
    eng.dispose()


def rows(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def queue_reminders_for(engine, config, codes: list[str]) -> None:
    for code in codes:
        msg = build_reminder(config.units[code], config=config, period=YEAR, deadline=DEADLINE, days_left=7)
        assert outbox.enqueue(engine, key=outbox.reminder_key(PERIOD, code, 7), kind="reminder", period=PERIOD,
                              unit_code=code, submission_id=None, message=msg)


def partial_report() -> ValidationReport:
    problems = [Problem("not-a-number", "Biểu 01", f"G{r}", "n/a", "4.1", {"column": "Tử số"}) for r in range(9, 25)]
    problems.append(Problem("numerator-above-denominator", "Biểu 01", "G30", 8400, "4.2",
                            {"numerator": "8.400", "denominator": "8.350"}))
    # 22 indicator-less warnings (no cell: never folded) push the list past its 20 lines
    problems += [Problem("hidden-sheet-ignored", f"Ẩn {i}", "", f"Ẩn {i}") for i in range(22)]
    return ValidationReport(file="Báo cáo SYT 2025.xlsx", sha256="a" * 64, unit="SYT", unit_name="Sở Y tế",
                            period=PERIOD, problems=problems, accepted_indicators=["4.3", "4.4"],
                            blocked_indicators=["4.1", "4.2"])


def test_report_arrives_intact_and_a_rerun_sends_nothing(engine, config, server, tmp_path):
    collector, port = server
    annotated = tmp_path / "Báo cáo SYT 2025 (đã đánh dấu).xlsx"
    annotated.write_bytes(bytes(range(256)) * 40)      # every byte value: any re-encoding would show
    report = partial_report()
    assert queue_report(engine, report, submission_id=None, config=config, period=YEAR,
                        annotated_copy=annotated, typed_email="SYT@sonla.gov.vn", today=date(2025, 11, 18))

    assert deliver_pending(engine, plain_settings(port), tmp_path / "mail") == DeliveryResult(sent=1)
    [row] = rows(engine)
    assert (row.key, row.kind, row.status, row.attempts, row.recipients) == (
        f"report:{PERIOD}:{'a' * 64}", "report", "sent", 1, "syt@sonla.gov.vn")
    [got] = collector.arrived
    assert (got.mail_from, got.rcpt_tos) == ("cchcsonla@gmail.com", ["syt@sonla.gov.vn"])
    assert got.data == row.message                     # the stored bytes are what the server received

    msg = got.message
    assert msg["Subject"] == "[Sơn La] Sở Y tế – Năm 2025: Được chấp nhận một phần (17 lỗi, 22 cảnh báo)"
    assert str(msg["From"]) == "Sở Nội vụ tỉnh Sơn La <cchcsonla@gmail.com>"
    assert str(msg["To"]) == "syt@sonla.gov.vn"
    assert msg["Message-ID"].endswith("@gmail.com>") and msg["Date"].datetime.tzinfo is not None
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    for expected in ("KẾT QUẢ KIỂM TRA BÁO CÁO NĂM 2025: ĐƯỢC CHẤP NHẬN MỘT PHẦN",
                     "4.1. Tỷ số giới tính khi sinh",
                     "gửi lại cả tệp chậm nhất ngày 25/11/2025",
                     "1. trang Biểu 01, dòng 9 đến 24 [Biểu 01!G9:G24] — 16 ô: Không phải là số",
                     "+4 nữa: danh sách đầy đủ ở tệp đính kèm danh-sach-van-de.csv"):
        assert expected in text
    assert "Được chấp nhận một phần" in msg.get_body(("html",)).get_content()
    attachments = [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True)) for p in msg.iter_attachments()]
    assert attachments == [
        ("Báo cáo SYT 2025 (đã đánh dấu).xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", annotated.read_bytes()),
        (CSV_NAME, "text/csv", problems_csv(report.problems)),
    ]

    # a rerun of the round: same file, nothing queued, nothing sent
    assert not queue_report(engine, report, submission_id=None, config=config, period=YEAR, annotated_copy=annotated)
    assert deliver_pending(engine, plain_settings(port), tmp_path / "mail") == DeliveryResult()
    assert len(collector.arrived) == 1


def test_server_down_then_up_sends_each_message_exactly_once(engine, config, tmp_path):
    port = free_port()                                  # nothing listens here yet
    queue_reminders_for(engine, config, ["SYT", "STC", "CAT"])
    down = deliver_pending(engine, plain_settings(port), tmp_path / "mail")
    assert (down.sent, down.failed, down.written, down.bounced) == (0, 3, 0, 0)
    assert [(r.status, r.attempts, r.sent_at) for r in rows(engine)] == [("failed", 1, None)] * 3
    assert all(r.last_error.startswith(f"không kết nối được 127.0.0.1:{port}: ") for r in rows(engine))
    assert [r.key for r in outbox.pending(engine)] == [f"reminder:{PERIOD}:{c}:7" for c in ("SYT", "STC", "CAT")]

    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert deliver_pending(engine, plain_settings(port), tmp_path / "mail") == DeliveryResult(sent=3)
        assert deliver_pending(engine, plain_settings(port), tmp_path / "mail") == DeliveryResult()
    finally:
        controller.stop()
    assert sorted(a.rcpt_tos[0] for a in collector.arrived) == ["cat@sonla.gov.vn", "stc@sonla.gov.vn", "syt@sonla.gov.vn"]
    assert [(r.status, r.attempts, r.last_error) for r in rows(engine)] == [("sent", 2, None)] * 3
    assert outbox.pending(engine) == []


def test_temporary_refusal_is_retried_by_the_next_delivery(engine, config, server, tmp_path):
    collector, port = server
    collector.data_reply = "451 4.3.0 Mailbox busy, try again later"
    codes = ["SYT", "STC", "CAT", "STP", "BSL", "MTTQ"]
    queue_reminders_for(engine, config, codes)
    first = deliver_pending(engine, plain_settings(port), tmp_path / "mail")
    assert (first.sent, first.failed, first.bounced) == (0, 6, 0)
    assert [(r.status, r.last_error) for r in rows(engine)] == [("failed", "451 4.3.0 Mailbox busy, try again later")] * 6
    assert collector.connections == 1                  # a refusal is not a reason to hang up

    collector.data_reply = None
    assert deliver_pending(engine, plain_settings(port), tmp_path / "mail") == DeliveryResult(sent=6)
    assert [a.rcpt_tos for a in collector.arrived] == [[config.units[c].emails[0]] for c in codes]
    assert [(r.status, r.attempts) for r in rows(engine)] == [("sent", 2)] * 6
    assert collector.connections == 2


def test_a_server_closing_the_session_gets_a_new_connection(engine, config, server, tmp_path):
    collector, port = server
    collector.data_reply = "421 4.3.2 Service shutting down"
    queue_reminders_for(engine, config, ["SYT", "STC", "CAT"])
    result = deliver_pending(engine, plain_settings(port), tmp_path / "mail")
    assert (result.sent, result.failed, result.errors) == (
        2, 1, (f"reminder:{PERIOD}:SYT:7: 421 4.3.2 Service shutting down",))
    assert [a.rcpt_tos for a in collector.arrived] == [["stc@sonla.gov.vn"], ["cat@sonla.gov.vn"]]
    assert collector.connections == 2
    assert deliver_pending(engine, plain_settings(port), tmp_path / "mail") == DeliveryResult(sent=1)


def test_permanent_refusal_is_kept_not_retried_and_a_partial_one_is_not_resent(engine, config, server, tmp_path):
    collector, port = server
    collector.refuse_rcpt = {"stc@sonla.gov.vn": "550 5.1.1 No such user",
                             "syt.2@sonla.gov.vn": "550 5.1.1 No such user"}
    syt = dataclasses.replace(config.units["SYT"], emails=("syt@sonla.gov.vn", "syt.2@sonla.gov.vn"))
    config = dataclasses.replace(config, units={**config.units, "SYT": syt})
    queue_reminders_for(engine, config, ["SYT", "STC"])

    result = deliver_pending(engine, plain_settings(port), tmp_path / "mail")
    assert (result.sent, result.failed, result.bounced) == (1, 0, 1)
    assert [(r.unit_code, r.status, r.last_error) for r in rows(engine)] == [
        ("SYT", "sent", "syt.2@sonla.gov.vn: 550 5.1.1 No such user"),   # accepted for one: resending would double it
        ("STC", "bounced", "stc@sonla.gov.vn: 550 5.1.1 No such user"),
    ]
    assert [a.rcpt_tos for a in collector.arrived] == [["syt@sonla.gov.vn"]]
    assert outbox.pending(engine) == []
    assert deliver_pending(engine, plain_settings(port), tmp_path / "mail") == DeliveryResult()


def test_a_run_dying_after_the_server_accepted_resends_once_the_claim_expires(engine, config, server, tmp_path, monkeypatch):
    """At-least-once: the duplicate carries the same Message-ID, so mail clients can fold it."""
    collector, port = server
    queue_reminders_for(engine, config, ["SYT"])

    def die(*_args, **_kw):
        raise KeyboardInterrupt("the machine went down")
    monkeypatch.setattr(outbox, "mark_sent", die)
    with pytest.raises(KeyboardInterrupt):
        deliver_pending(engine, plain_settings(port), tmp_path / "mail")
    monkeypatch.undo()
    assert len(collector.arrived) == 1
    assert [(r.status, r.attempts) for r in rows(engine)] == [("sending", 1)]

    # another run while the claim is fresh leaves it alone (the first run might still be sending)
    assert deliver_pending(engine, plain_settings(port), tmp_path / "mail") == DeliveryResult()
    with Session(engine) as s, s.begin():
        s.execute(update(OutboxMessage).values(sent_at=dt.datetime.now(dt.timezone.utc) - outbox.CLAIM_LEASE - timedelta(minutes=1)))
    assert deliver_pending(engine, plain_settings(port), tmp_path / "mail") == DeliveryResult(sent=1)
    assert [(r.status, r.attempts) for r in rows(engine)] == [("sent", 2)]
    first, second = collector.arrived
    assert first.data == second.data and first.message["Message-ID"] == second.message["Message-ID"]


def test_without_smtp_settings_messages_become_eml_files(engine, config, tmp_path):
    queue_reminders_for(engine, config, ["SYT", "X03646"])
    out = tmp_path / "out" / PERIOD / "mail"
    assert deliver_pending(engine, None, out) == DeliveryResult(written=2)
    assert sorted(p.name for p in out.iterdir()) == [f"reminder_{PERIOD}_SYT_7.eml", f"reminder_{PERIOD}_X03646_7.eml"]
    stored = {r.key: r.message for r in rows(engine)}
    for key, data in stored.items():
        assert (out / eml_name(key)).read_bytes() == data
    msg = email.message_from_bytes((out / f"reminder_{PERIOD}_X03646_7.eml").read_bytes(), policy=default_policy)
    assert msg["Subject"] == "[Sơn La] Nhắc nộp báo cáo bình đẳng giới Năm 2025 – hạn 25/11/2025 (còn 7 ngày)"
    assert "Kính gửi: UBND phường Tô Hiệu" in msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert [r.status for r in rows(engine)] == ["sent", "sent"]
    assert deliver_pending(engine, None, out) == DeliveryResult()


def test_starttls_is_never_skipped(engine, config, server, tmp_path):
    """A server that does not offer STARTTLS gets nothing when starttls is configured (no fall-back to clear)."""
    collector, port = server
    queue_reminders_for(engine, config, ["SYT"])
    settings = dataclasses.replace(plain_settings(port), security="starttls")
    result = deliver_pending(engine, settings, tmp_path / "mail")
    assert (result.sent, result.failed) == (0, 1)
    assert "STARTTLS" in rows(engine)[0].last_error and collector.arrived == []


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_with_login(engine, config, tmp_path):
    pytest.importorskip("cryptography")
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"m\xe1\xba\xadt-kh\xe1\xba\xa9u")  # "mật-khẩu"

    collector, port = Collector(), free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, auth_required=True, authenticator=authenticator)
    controller.start()
    try:
        queue_reminders_for(engine, config, ["SYT"])
        settings = SmtpSettings(host="127.0.0.1", port=port, security="starttls", user="tonghop",
                                password="mật-khẩu", mail_from="bounces@sonla.gov.vn", timeout=5, cafile=str(cert))
        assert deliver_pending(engine, settings, tmp_path / "mail") == DeliveryResult(sent=1)
    finally:
        controller.stop()
    assert logins == [(b"tonghop", "mật-khẩu".encode())]
    [got] = collector.arrived
    assert (got.tls, got.authenticated, got.mail_from, got.rcpt_tos) == (
        True, True, "bounces@sonla.gov.vn", ["syt@sonla.gov.vn"])


def test_flow_queues_reminders_and_digest_then_delivers(prefect_harness, config, server, tmp_path, monkeypatch):
    from flows.reminders import send_reminders

    collector, port = server
    monkeypatch.setenv("TONGHOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TONGHOP_SMTP_PORT", str(port))
    monkeypatch.setenv("TONGHOP_SMTP_SECURITY", "none")
    db_url = f"sqlite:///{tmp_path / 'tonghop.db'}"
    result = send_reminders(period=PERIOD, db_url=db_url, out=str(tmp_path / "out"), today="2025-11-18")
    n_units = len(config.units)
    assert result == {"period": PERIOD, "today": "2025-11-18", "reminders_queued": n_units,
                      "digest_queued": True, "sent": n_units + 1, "written": 0, "bounced": 0}
    subjects = sorted(a.message["Subject"] for a in collector.arrived)
    assert subjects.count("[Sơn La] Nhắc nộp báo cáo bình đẳng giới Năm 2025 – hạn 25/11/2025 (còn 7 ngày)") == n_units
    assert f"[Sơn La] Tình hình nộp báo cáo Năm 2025 ngày 18/11/2025: 0/{n_units} đơn vị đã nộp" in subjects


def test_the_first_reminders_before_any_round_make_the_output_folder(prefect_harness, config, tmp_path, monkeypatch):
    """The reminder 7 days before comes before the first round: the default database's folder is the output
    folder, made by the flow (only an explicit --db folder must already exist)."""
    from flows.reminders import send_reminders
    from tonghop.store import default_db_url

    monkeypatch.delenv("TONGHOP_SMTP_HOST", raising=False)
    out = tmp_path / "out"
    result = send_reminders(period=PERIOD, db_url=default_db_url(out), out=str(out), today="2025-11-18")
    n_units = len(config.units)
    assert result == {"period": PERIOD, "today": "2025-11-18", "reminders_queued": n_units,
                      "digest_queued": True, "sent": 0, "written": n_units + 1, "bounced": 0}
    assert len(list((out / PERIOD / "mail").glob("*.eml"))) == n_units + 1


def test_deliver_task_raises_so_prefect_retries(tmp_path, monkeypatch, config):
    from flows.reminders import DeliveryIncomplete, deliver

    db_url = f"sqlite:///{tmp_path / 'tonghop.db'}"
    engine = open_db(db_url)
    queue_reminders_for(engine, config, ["SYT"])
    engine.dispose()
    monkeypatch.setenv("TONGHOP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TONGHOP_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("TONGHOP_SMTP_SECURITY", "none")
    assert (deliver.retries, deliver.retry_delay_seconds) == (3, [10, 60, 300])
    with pytest.raises(DeliveryIncomplete, match="1 thư chưa gửi được: không kết nối được 127.0.0.1"):
        deliver.fn(db_url, str(tmp_path / "mail"))


def test_nothing_is_mailed_to_a_placeholder_address(engine, config, tmp_path):
    """A unit whose address is still the placeholder: its report goes to the officer instead, no reminder
    is queued for it; when the officer's own address is a placeholder too, nothing is queued at all."""
    syt = dataclasses.replace(config.units["SYT"], emails=("syt@chua-dien-dia-chi.invalid",))
    cfg = dataclasses.replace(config, units={**config.units, "SYT": syt})
    assert queue_report(engine, partial_report(), submission_id=None, config=cfg, period=YEAR)
    assert [(m.kind, m.recipients) for m in rows(engine)] == [("notice", "cchcsonla@gmail.com")]
    assert queue_reminders(engine, cfg, YEAR, DEADLINE - timedelta(days=7)) == len(cfg.units) - 1
    assert "SYT" not in {m.unit_code for m in rows(engine) if m.kind == "reminder"}

    nobody = dataclasses.replace(cfg, consolidator_email="snv@chua-dien-dia-chi.invalid")
    report = dataclasses.replace(partial_report(), sha256="b" * 64)
    assert not queue_report(engine, report, submission_id=None, config=nobody, period=YEAR)
    assert not queue_digest(engine, nobody, YEAR, DEADLINE)
    assert deliver_pending(engine, None, tmp_path / "mail").written == len(rows(engine))
    assert not any(".invalid" in m.recipients for m in rows(engine))
