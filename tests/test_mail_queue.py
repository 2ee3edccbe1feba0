"""Queueing a round's reports: a file already replaced by the unit's later accepted file is told so."""
from __future__ import annotations

import email
import json
from datetime import datetime, timezone
from email.policy import default as default_policy

from sqlalchemy import select
from sqlalchemy.orm import Session

from tonghop.config import Period
from tonghop.mail.queue import ReportToQueue, queue_reports
from tonghop.problems import Problem, ValidationReport
from tonghop.store.db import open_db
from tonghop.store.models import OutboxMessage, Submission
from tonghop.store.repo import refresh_current

PERIOD = "2025-Y"
YEAR = Period.parse(PERIOD)    # the period as the mail room takes it; PERIOD is its code


def stored(report: ValidationReport, received: datetime) -> Submission:
    return Submission(period=PERIOD, sha256=report.sha256, file_name=report.file, file_size=1, received_at=received,
                      read_at=received, unit_code=report.unit, status=report.status, is_current=False,
                      n_errors=len(report.errors), n_warnings=len(report.warnings),
                      report_json=json.dumps(report.to_dict(), ensure_ascii=False))


def test_a_rejected_file_replaced_by_a_later_accepted_one_is_not_asked_for_again(config, tmp_path):
    old = ValidationReport(file="syt.xlsx", sha256="a" * 64, unit="SYT", unit_name="Sở Y tế", period=PERIOD,
                           problems=[Problem("not-a-number", "Biểu 01", "G9", "n/a", "4.1", {"column": "Tử số"})],
                           blocked_indicators=["4.1"])
    new = ValidationReport(file="syt-sua.xlsx", sha256="c" * 64, unit="SYT", unit_name="Sở Y tế", period=PERIOD,
                           accepted_indicators=["4.1"])
    engine = open_db(f"sqlite:///{tmp_path / 'tonghop.db'}")
    with Session(engine) as s, s.begin():
        s.add_all([stored(old, datetime(2025, 11, 19, 8, 0, tzinfo=timezone.utc)),
                   stored(new, datetime(2025, 11, 20, 9, 45, tzinfo=timezone.utc))])
    refresh_current(engine, PERIOD)
    assert queue_reports(engine, [ReportToQueue(old), ReportToQueue(new)], config=config, period=YEAR) == 2
    with Session(engine) as s:
        messages = [email.message_from_bytes(m, policy=default_policy)
                    for m in s.scalars(select(OutboxMessage.message).order_by(OutboxMessage.id))]
    engine.dispose()
    assert [m["Subject"] for m in messages] == [
        "[Sơn La] Sở Y tế – Năm 2025: Bị từ chối (1 lỗi); tệp gửi sau đã được chấp nhận",
        "[Sơn La] Sở Y tế – Năm 2025: Được chấp nhận",
    ]
    text = messages[0].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert ("Đơn vị đã gửi tệp mới hơn \u201csyt-sua.xlsx\u201d (nhận lúc 20/11/2025 16:45), tệp đó đã được chấp "
            "nhận và được dùng để tổng hợp. Đơn vị không cần làm gì thêm.\n") in text
