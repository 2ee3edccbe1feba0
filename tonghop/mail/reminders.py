"""Which units have not reported, reminders to them before the deadline, and the data officer's digest of changes."""
from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import Engine, Row, select
from sqlalchemy.orm import Session

from tonghop.consolidate.completeness import completeness_on_record
from tonghop.config import Period, ProvinceConfig, Unit, is_placeholder
from tonghop.mail.review import to_review
from tonghop.mail import outbox
from tonghop.mail.build import DigestRow, build_digest, build_reminder
from tonghop.mail.recipients import unit_addresses
from tonghop.store.models import Submission


def _latest_by_unit(engine: Engine, period: Period) -> dict[str | None, list[Row]]:
    """Each unit code's submissions for the period (the columns a reminder and the digest show, not the
    validation report), the current one first, then newest first."""
    with Session(engine) as session:
        rows = session.execute(
            select(Submission.unit_code, Submission.unit_name, Submission.status, Submission.received_at,
                   Submission.file_name, Submission.n_errors, Submission.n_warnings)
            .where(Submission.period == period.code)
            .order_by(Submission.is_current.desc(), Submission.received_at.desc(), Submission.id.desc()))
        out: dict[str | None, list[Row]] = {}
        for s in rows:
            out.setdefault(s.unit_code, []).append(s)
        return out


def units_missing(engine: Engine, config: ProvinceConfig, period: Period) -> list[Unit]:
    """Configured units that have not reported for the period (completeness.reporting), in configuration order."""
    return [u.unit for u in completeness_on_record(engine, config, period).units if not u.reported]


def reminder_threshold(config: ProvinceConfig, days_left: int) -> int | None:
    """The reminder due `days_left` days before the deadline: the nearest configured day not yet passed.

    A run on a configured day (7, 2) takes that day; a run that missed it (the machine was off) takes the
    day it missed, so the reminder still goes out once, with the true number of days left.
    """
    if days_left < 0:
        return None
    due = [d for d in config.schedule.reminder_days_before if d >= days_left]
    return min(due) if due else None


def queue_reminders(engine: Engine, config: ProvinceConfig, period: Period, today: date) -> int:
    """Queue one reminder per missing unit when a reminder day is due; returns how many were newly queued."""
    deadline = config.deadline(period)
    days_left = (deadline - today).days
    threshold = reminder_threshold(config, days_left)
    if threshold is None:
        return 0
    by_unit = _latest_by_unit(engine, period)
    queued = 0
    for unit in units_missing(engine, config, period):
        if not unit_addresses(unit):
            continue                     # nobody to remind; the digest lists the unit with no address
        subs = by_unit.get(unit.code, [])
        message = build_reminder(unit, config=config, period=period, deadline=deadline, days_left=days_left,
                                 last_status=subs[0].status if subs else None)
        queued += outbox.enqueue(engine, key=outbox.reminder_key(period.code, unit.code, threshold),
                                 kind="reminder", period=period.code, unit_code=unit.code,
                                 submission_id=None, message=message)
    return queued


def digest_rows(engine: Engine, config: ProvinceConfig, period: Period) -> list[DigestRow]:
    """One row per configured unit (its current submission, else its latest), then files of unknown units."""
    by_unit = _latest_by_unit(engine, period)
    rows = []
    for unit in config.units.values():
        subs = by_unit.pop(unit.code, [])
        s = subs[0] if subs else None
        rows.append(DigestRow(
            unit_code=unit.code, unit_name=unit.name, status=s.status if s else None,
            received_at=s.received_at if s else None, file_name=s.file_name if s else None,
            n_errors=s.n_errors if s else 0, n_warnings=s.n_warnings if s else 0, emails=unit.emails))
    for subs in by_unit.values():          # what is left names no configured unit
        for s in subs:
            rows.append(DigestRow(unit_code=None, unit_name=s.unit_name or s.unit_code or "", status=s.status,
                                  received_at=s.received_at, file_name=s.file_name,
                                  n_errors=s.n_errors, n_warnings=s.n_warnings))
    return rows


def digest_fingerprint(config: ProvinceConfig, period: Period, rows: list[DigestRow]) -> str:
    """What the digest reports, without the day it is sent: the same facts give the same fingerprint."""
    facts = [config.deadline(period).isoformat()] + [
        [r.unit_code, r.unit_name, r.status, r.received_at.isoformat() if r.received_at else None,
         r.file_name, r.n_errors, r.n_warnings, list(r.emails)] for r in rows]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()[:32]


def queue_digest(engine: Engine, config: ProvinceConfig, period: Period, today: date) -> bool:
    """Queue the officer's digest when the round's state changed since the last one; True when newly queued.

    Keyed by its content, not by day: every run that changed something (a later run the same day too) sends a
    fresh digest, and a run or a day that changed nothing sends none. A round's state only moves forward (every
    new file has a later arrival), so a fingerprint never comes back after another one.
    """
    if is_placeholder(config.consolidator_email):
        return False                   # the officer's own address is still to be filled in: the run says so
    rows = digest_rows(engine, config, period)
    review = to_review(engine, period)
    fingerprint = digest_fingerprint(config, period, rows)
    if review:      # a new message for the officer is a change too
        fingerprint = hashlib.sha256((fingerprint + repr([m["key"] for m in review])).encode()).hexdigest()[:32]
    key = outbox.digest_key(period.code, fingerprint)
    if outbox.is_queued(engine, key):
        return False                   # what enqueue answers for it, without building the message (most reruns)
    message = build_digest(config=config, period=period, rows=rows, today=today, mail_review=review)
    return outbox.enqueue(engine, key=key, kind="digest", period=period.code, unit_code=None, submission_id=None,
                          message=message)
