"""One call for the round flow: the validation report of a new submission, queued to its unit or to the officer."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tonghop.config import Period, ProvinceConfig, is_placeholder
from tonghop.mail import outbox
from tonghop.mail.build import build_report_message, build_template_message, build_unknown_sender_notice
from tonghop.mail.message import as_period
from tonghop.mail.recipients import recipients_for
from tonghop.problems import ValidationReport


def queue_report(bind: Engine | Session, report: ValidationReport, *, submission_id: int | None,
                 config: ProvinceConfig, period: Period | str, annotated_copy: Path | None = None,
                 typed_email: str | None = None, full_list_csv: bytes | None = None,
                 today: date | None = None) -> bool:
    """Queue the report to the unit's registered addresses, or a notice to the data officer when the unit
    is unknown, unreadable or has no address (a placeholder is none). Idempotent by the file's hash; True when
    newly queued."""
    period = as_period(period)
    recipients = recipients_for(report.unit, typed_email, config)
    if recipients:
        message = build_report_message(report, config=config, period=period, recipients=recipients,
                                       deadline=config.deadline(period), annotated_copy=annotated_copy,
                                       full_list_csv=full_list_csv, today=today)
        return outbox.enqueue(bind, key=outbox.report_key(period.code, report.sha256), kind="report",
                              period=period.code, unit_code=report.unit, submission_id=submission_id,
                              message=message)
    if is_placeholder(config.consolidator_email):
        return False                   # the officer's own address is still to be filled in: the run says so
    message = build_unknown_sender_notice(report, config=config, period=period, typed_email=typed_email,
                                          annotated_copy=annotated_copy)
    return outbox.enqueue(bind, key=outbox.notice_key(period.code, report.sha256), kind="notice",
                          period=period.code, unit_code=report.unit if report.unit in config.units else None,
                          submission_id=submission_id, message=message)


@dataclass(frozen=True)
class ReportToQueue:
    """One submission's report with what its message needs besides the report itself."""

    report: ValidationReport
    submission_id: int | None = None
    annotated_copy: Path | None = None
    typed_email: str | None = None


QUEUE_CHUNK = 100   # messages recorded per transaction


def queue_reports(engine: Engine, items: Iterable[ReportToQueue], *, config: ProvinceConfig,
                  period: Period | str) -> int:
    """queue_report for many submissions, a hundred per transaction (one commit per message cost more
    than building it); returns how many were newly queued. A run that dies mid-way loses at most the
    open chunk, which the next run queues again (the keys make that safe)."""
    items = list(items)
    queued = 0
    for start in range(0, len(items), QUEUE_CHUNK):
        with Session(engine, expire_on_commit=False) as session, session.begin():
            for item in items[start:start + QUEUE_CHUNK]:
                queued += queue_report(session, item.report, submission_id=item.submission_id, config=config,
                                       period=period, annotated_copy=item.annotated_copy,
                                       typed_email=item.typed_email)
    return queued


def queue_templates(bind: Engine | Session, config: ProvinceConfig, period: Period | str,
                    templates: dict[str, Path]) -> int:
    """Queue each unit's form (unit code -> template file) once per period; returns how many were new."""
    period = as_period(period)
    queued = 0
    for code, path in templates.items():
        unit = config.units[code]
        if not recipients_for(code, None, config):
            continue   # no registered address: the officer hands this one over another way
        message = build_template_message(unit, config=config, period=period, template=path)
        queued += outbox.enqueue(bind, key=outbox.template_key(period.code, code), kind="template", period=period.code,
                                 unit_code=code, submission_id=None, message=message)
    return queued
