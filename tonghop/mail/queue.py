"""One call for the round flow: the validation report of a new submission, queued to its unit or to the officer."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tonghop.config import Period, ProvinceConfig, is_placeholder
from tonghop.consolidate.current import SubmissionInfo, current_submissions
from tonghop.mail import outbox
from tonghop.mail.build import build_report_message, build_template_message, build_unknown_sender_notice
from tonghop.mail.recipients import recipients_for
from tonghop.mail.reply import Origin, answer_recipients, origins, report_verdict, thread
from tonghop.problems import ACCEPTED, PARTIAL, ValidationReport
from tonghop.store.models import Submission


def queue_report(bind: Engine | Session, report: ValidationReport, *, submission_id: int | None,
                 config: ProvinceConfig, period: Period, annotated_copy: Path | None = None,
                 typed_email: str | None = None, full_list_csv: bytes | None = None,
                 today: date | None = None, newer: SubmissionInfo | None = None, origin: Origin | None = None) -> bool:
    """Queue the report to the unit's registered addresses, or a notice to the data officer when the unit
    is unknown, unreadable or has no address (a placeholder is none). Idempotent by the file's hash; True when
    newly queued. A file taken from the mailbox (`origin`) is answered to its sender, in its thread."""
    recipients = answer_recipients(origin, recipients_for(report.unit, typed_email, config))
    if recipients:
        message = build_report_message(report, config=config, period=period, recipients=recipients,
                                       deadline=config.deadline(period), annotated_copy=annotated_copy,
                                       full_list_csv=full_list_csv, today=today, newer=newer)
        if origin is not None:
            thread(message, origin, report_verdict(report))
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
                  period: Period) -> int:
    """queue_report for many submissions, a hundred per transaction (one commit per message cost more
    than building it); returns how many were newly queued. A run that dies mid-way loses at most the
    open chunk, which the next run queues again (the keys make that safe)."""
    items = list(items)
    later = newer_files(engine, period)
    came_by_mail = origins(engine, period)
    queued = 0
    for start in range(0, len(items), QUEUE_CHUNK):
        with Session(engine, expire_on_commit=False) as session, session.begin():
            for item in items[start:start + QUEUE_CHUNK]:
                queued += queue_report(session, item.report, submission_id=item.submission_id, config=config,
                                       period=period, annotated_copy=item.annotated_copy,
                                       typed_email=item.typed_email, newer=later.get(item.report.sha256),
                                       origin=came_by_mail.get(item.report.sha256))
    return queued


def newer_files(engine: Engine, period: Period) -> dict[str, SubmissionInfo]:
    """File hash -> the unit's current file, for every file that a later accepted (or partly accepted) file of
    the same unit replaced: its report must not ask for a file the unit has already sent."""
    current = {s.unit_code: s for s in current_submissions(engine, period) if s.status in (ACCEPTED, PARTIAL)}
    with Session(engine) as s:
        rows = s.execute(select(Submission.sha256, Submission.unit_code, Submission.received_at)
                         .where(Submission.period == period.code, Submission.unit_code.in_(list(current)))).all()
    return {sha: current[unit] for sha, unit, received in rows
            if sha != current[unit].sha256 and received < current[unit].received_at}


def queue_templates(bind: Engine | Session, config: ProvinceConfig, period: Period,
                    templates: dict[str, Path]) -> int:
    """Queue each unit's form (unit code -> template file) once per period; returns how many were new."""
    queued = 0
    for code, path in templates.items():
        unit = config.units[code]
        if not recipients_for(code, None, config):
            continue   # no registered address: the officer hands this one over another way
        message = build_template_message(unit, config=config, period=period, template=path)
        queued += outbox.enqueue(bind, key=outbox.template_key(period.code, code), kind="template", period=period.code,
                                 unit_code=code, submission_id=None, message=message)
    return queued
