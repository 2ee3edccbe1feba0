"""Read a period's current submissions, their figures, activities and problems, as plain detached records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tonghop.config import Period
from tonghop.errors import ConfigError
from tonghop.store.models import ActivityRow, Figure, ProblemRow, Submission


@dataclass(frozen=True)
class SubmissionInfo:
    id: int
    period: str
    unit_code: str
    file_name: str
    sha256: str
    received_at: datetime          # UTC, aware
    status: str
    n_errors: int
    n_warnings: int


@dataclass(frozen=True)
class FigureRecord:
    """One Biểu 01 row of a current submission, with where it came from."""

    submission_id: int
    unit_code: str
    file_name: str
    indicator: str
    area: str
    sex: str
    numerator: float | None
    denominator: float | None
    value: float | None
    sheet: str
    row: int
    cell: str
    accepted: bool


@dataclass(frozen=True)
class ActivityRecord:
    submission_id: int
    unit_code: str
    activity: str
    count: float | None
    participants: float | None
    men: float | None
    women: float | None
    budget: float | None
    accepted: bool


@dataclass(frozen=True)
class ProblemInfo:
    submission_id: int
    unit_code: str
    file_name: str
    code: str
    severity: str
    sheet: str | None
    cell: str | None
    value: str | None
    indicator: str | None
    message: str


def submission_info(s: Submission) -> SubmissionInfo:
    return SubmissionInfo(s.id, s.period, s.unit_code or "", s.file_name, s.sha256, s.received_at,
                          s.status, s.n_errors, s.n_warnings)


def units_that_sent(engine: Engine, period: Period) -> frozenset[str]:
    """Units that sent any file for the period, a file rejected as a whole included (it is never current)."""
    with Session(engine) as s:
        return frozenset(s.scalars(select(Submission.unit_code).distinct()
                                   .where(Submission.period == period.code, Submission.unit_code.is_not(None))))


def current_submissions(engine: Engine, period: Period) -> list[SubmissionInfo]:
    """The one submission per unit that consolidation uses (Submission.is_current), by unit code."""
    with Session(engine) as s:
        rows = s.scalars(select(Submission).where(Submission.period == period.code, Submission.is_current.is_(True),
                                                  Submission.unit_code.is_not(None))
                         .order_by(Submission.unit_code))
        return [submission_info(r) for r in rows]


def current_figures(engine: Engine, period: Period) -> list[FigureRecord]:
    """Every figure of the current submissions, accepted or not (the blocked ones are traced too)."""
    with Session(engine) as s:
        rows = s.execute(select(Figure, Submission.unit_code, Submission.file_name)
                         .join(Submission, Figure.submission_id == Submission.id)
                         .where(Submission.period == period.code, Submission.is_current.is_(True),
                                Submission.unit_code.is_not(None))
                         .order_by(Submission.unit_code, Figure.sheet, Figure.row, Figure.id))
        return [FigureRecord(f.submission_id, unit, file, f.indicator, f.area, f.sex, f.numerator, f.denominator,
                             f.value, f.sheet, f.row, f.cell, bool(f.accepted)) for f, unit, file in rows]


def current_activities(engine: Engine, period: Period) -> list[ActivityRecord]:
    with Session(engine) as s:
        rows = s.execute(select(ActivityRow, Submission.unit_code)
                         .join(Submission, ActivityRow.submission_id == Submission.id)
                         .where(Submission.period == period.code, Submission.is_current.is_(True),
                                Submission.unit_code.is_not(None))
                         .order_by(Submission.unit_code, ActivityRow.row, ActivityRow.id))
        return [ActivityRecord(a.submission_id, unit, a.activity, a.count, a.participants, a.men, a.women,
                               a.budget, bool(a.accepted)) for a, unit in rows]


def current_problems(engine: Engine, period: Period) -> list[ProblemInfo]:
    """Problems of the current submissions: those of replaced files are no longer open."""
    with Session(engine) as s:
        rows = s.execute(select(ProblemRow, Submission.unit_code, Submission.file_name)
                         .join(Submission, ProblemRow.submission_id == Submission.id)
                         .where(Submission.period == period.code, Submission.is_current.is_(True),
                                Submission.unit_code.is_not(None))
                         .order_by(Submission.unit_code, ProblemRow.id))
        return [ProblemInfo(p.submission_id, unit, file, p.code, p.severity, p.sheet, p.cell, p.value, p.indicator,
                            p.message) for p, unit, file in rows]


def period_sort_key(code: str) -> tuple[int, int]:
    """Chronological order of period codes: 2024-Y < 2025-H1 < 2025-Y."""
    p = Period.parse(code)
    return p.year, (0 if p.kind == "H1" else 1)


def periods_on_record(engine: Engine) -> list[Period]:
    """Every period with stored submissions, oldest first (codes that do not parse are left out)."""
    with Session(engine) as s:
        codes = s.scalars(select(Submission.period).distinct()).all()
    valid = []
    for code in codes:
        try:
            valid.append(Period.parse(code))
        except ConfigError:
            continue
    return sorted(valid, key=Period.sort_key)
