"""Write validated submissions to the database and answer the questions a run asks of it."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tonghop.store.models import ActivityRow, DatabaseInfo, Figure, OutboxMessage, ProblemRow, Submission
from tonghop.check.validate import CheckedFile
from tonghop.statuses import REJECTED


@dataclass(frozen=True)
class Known:
    id: int
    file_name: str
    status: str
    unit_code: str | None
    received_at: datetime | None = None     # when this content arrived, as stored (UTC)


def database_id(engine: Engine) -> str:
    """This database's identity, made on first use (a random id: two databases never share one)."""
    with Session(engine) as s:
        found = s.get(DatabaseInfo, "id")
        if found:
            return found.value
        s.add(DatabaseInfo(key="id", value=uuid.uuid4().hex))
        try:
            s.commit()
        except IntegrityError:        # another run made it first
            s.rollback()
        return s.get(DatabaseInfo, "id", populate_existing=True).value


def has_records(engine: Engine, period: str) -> bool:
    """Whether the database holds any file or message of the period."""
    with Session(engine) as s:
        return any(s.scalar(select(m.id).where(m.period == period).limit(1)) is not None
                   for m in (Submission, OutboxMessage))


def known_hashes(engine: Engine, period: str) -> dict[str, Known]:
    """Files already stored for the period, by content hash: a rerun does not parse them again."""
    with Session(engine) as s:
        rows = s.execute(select(Submission.sha256, Submission.id, Submission.file_name, Submission.status,
                                Submission.unit_code, Submission.received_at).where(Submission.period == period))
        return {h: Known(i, f, st, u, at) for h, i, f, st, u, at in rows}


@dataclass
class SubmissionRows:
    """One checked file as rows of the submissions, figures, activities and problems tables."""

    submission: dict[str, Any]
    figures: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    problems: list[dict[str, Any]]


def build_submission(item: CheckedFile, received_at: datetime, period: str) -> SubmissionRows:
    report, parsed = item.report, item.parsed
    sub = dict(
        period=period, sha256=parsed.sha256, file_name=parsed.path.name, file_size=parsed.size,
        received_at=received_at, read_at=datetime.now(timezone.utc),
        unit_code=item.unit.code if item.unit else report.unit,
        unit_name=str(parsed.header.get("unit_name") or "") or None,
        reporter=str(parsed.header.get("reporter") or "") or None,
        email=str(parsed.header.get("email") or "").strip() or None,
        status=report.status, is_current=False,
        n_errors=len(report.errors), n_warnings=len(report.warnings),
        report_json=json.dumps(report.to_dict(), ensure_ascii=False),
    )
    figures = [dict(indicator=f["indicator"], area=f["area"], sex=f["sex"], numerator=f["numerator"],
                    denominator=f["denominator"], value=f["value"], value_derived=f["value_derived"],
                    sheet=f["sheet"], row=f["row"], cell=f["cells"].get("value", ""),
                    accepted=f["accepted"] and not report.rejected_whole)
               for f in item.figures]
    activities = [dict(activity=a["activity"], description=_text(a["description"]), count=a["count"],
                       participants=a["participants"], men=a["men"], women=a["women"],
                       budget=a["budget"], sheet=a["sheet"], row=a["row"],
                       accepted=a["accepted"] and not report.rejected_whole)
                  for a in item.activities]
    problems = [dict(code=p.code, severity=p.severity, sheet=p.sheet, cell=p.cell,
                     value=None if p.value is None else str(p.value), indicator=p.indicator, message=p.message)
                for p in report.problems]
    return SubmissionRows(sub, figures, activities, problems)


def _text(v: object) -> str | None:
    return None if v is None else str(v)


def save_checked(engine: Engine, items: list[tuple[CheckedFile, datetime]], period: str) -> dict[str, int]:
    """Store each checked file in its own transaction (a run stopped mid-batch keeps the files before it);
    returns sha256 -> submission id. Its figures, activities and problems go in one multi-row INSERT each,
    not through the ORM's unit of work, which cost more than the rows themselves.

    A file stored meanwhile by another run (same period and hash) is not stored twice: the unique
    constraint refuses it and the existing id is returned.
    """
    ids: dict[str, int] = {}
    children = ((Figure.__table__, "figures"), (ActivityRow.__table__, "activities"),
                (ProblemRow.__table__, "problems"))
    for item, received_at in items:
        rows = build_submission(item, received_at, period)
        try:
            with engine.begin() as conn:
                sid = conn.execute(insert(Submission.__table__).values(rows.submission)
                                   .returning(Submission.__table__.c.id)).scalar_one()
                for table, name in children:
                    if getattr(rows, name):
                        conn.execute(insert(table), [{**r, "submission_id": sid} for r in getattr(rows, name)])
            ids[item.parsed.sha256] = sid
        except IntegrityError:
            with engine.connect() as conn:
                ids[item.parsed.sha256] = conn.scalar(select(Submission.id).where(
                    Submission.period == period, Submission.sha256 == item.parsed.sha256))
    return ids


def refresh_current(engine: Engine, period: str) -> None:
    """Mark, per unit, the latest readable submission as the one consolidation uses.

    A later file replaces an earlier one; a later file that was rejected whole does not, so a unit's
    good report is not thrown away by a broken resend. Earlier submissions stay in history.
    """
    with Session(engine) as s, s.begin():
        # the columns the choice needs, not whole rows: every run does this, most of them (a rerun) change nothing
        subs = s.execute(select(Submission.id, Submission.unit_code, Submission.status, Submission.n_errors,
                                Submission.received_at, Submission.is_current)
                         .where(Submission.period == period, Submission.unit_code.is_not(None))).all()
        # a validation report is read only for a rejected file with errors: was it rejected whole?
        rejected = [sub.id for sub in subs if sub.status == REJECTED and sub.n_errors]
        whole: set[int] = set()
        for i in range(0, len(rejected), 500):
            whole.update(sid for sid, report in s.execute(select(Submission.id, Submission.report_json)
                                                          .where(Submission.id.in_(rejected[i:i + 500])))
                         if _rejected_whole(report))
        latest: dict[str, Any] = {}
        for sub in subs:
            if sub.id in whole:
                continue
            cur = latest.get(sub.unit_code)
            if cur is None or (sub.received_at, sub.id) > (cur.received_at, cur.id):
                latest[sub.unit_code] = sub
        current_ids = {sub.id for sub in latest.values()}
        for want in (True, False):
            # one UPDATE per state and chunk, not one per submission (a first run flips every row)
            ids = [sub.id for sub in subs if sub.is_current != want and (sub.id in current_ids) == want]
            for i in range(0, len(ids), 500):
                s.execute(update(Submission).where(Submission.id.in_(ids[i:i + 500])).values(is_current=want))


def _rejected_whole(report_json: str) -> bool:
    from tonghop.problems import PROBLEM_TYPES

    codes = {i["code"] for i in json.loads(report_json)["issues"]}
    return any(PROBLEM_TYPES[c].file_level for c in codes if c in PROBLEM_TYPES)


# what a round's summary says of each submission (tonghop.round.summary): rows, not ORM objects, which cost ten
# times as much to build (and would carry each report's JSON)
LISTED = (Submission.id, Submission.period, Submission.sha256, Submission.file_name, Submission.received_at,
          Submission.unit_code, Submission.status, Submission.is_current, Submission.n_errors, Submission.n_warnings)


def list_submissions(engine: Engine, period: str) -> list[Any]:
    """All submissions of a period, oldest first: rows of the LISTED columns, read by name like a Submission."""
    with engine.connect() as conn:
        return list(conn.execute(select(*LISTED).where(Submission.period == period)
                                 .order_by(Submission.received_at, Submission.id)))
