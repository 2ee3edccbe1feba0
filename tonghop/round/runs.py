"""Run records and the one-run-at-a-time lock per province and period, on SQLite and PostgreSQL alike."""
from __future__ import annotations

import getpass
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tonghop.config import Period
from tonghop.errors import RunInProgress
from tonghop.numbers import format_vi
from tonghop.store.models import Run, RunLock, Submission

log = logging.getLogger(__name__)

OUTCOMES = ("running", "completed", "failed", "refused", "interrupted")
TRIGGERS_VI = {"schedule": "theo lịch", "manual": "thủ công", "deployment": "chạy lại (Prefect)", "test": "thử"}
OUTCOMES_VI = {"running": "đang chạy", "completed": "hoàn thành", "failed": "lỗi", "refused": "bị từ chối",
               "interrupted": "bị dừng"}

# How stale locks are taken over (a run killed before it could release its lock):
#  - same host: the holder's process id no longer exists -> taken over at once;
#  - any host (a PostgreSQL shared by several machines): the lock is older than `max_age` -> taken over.
# A real run lasts minutes; 6 hours is long enough never to steal a live run's lock, short enough that a
# crashed run on another machine does not block the next day's scheduled run. Pass max_age=None to
# never take over by age. The takeover is a conditional delete of exactly the stale row, then the
# ordinary insert, so two runs taking over at once still end with one holder.
DEFAULT_MAX_AGE = timedelta(hours=6)
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class RunRecord:
    """One row of `runs`, detached from the session."""

    id: int
    period: str
    trigger: str
    started_by: str | None
    parameters: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    files_seen: int
    files_new: int
    message: str | None


@dataclass
class RunHandle:
    """What a tracked run fills in while it works; recorded when it ends."""

    run_id: int
    files_seen: int = 0
    files_new: int = 0
    message: str | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def lock_scope(province_code: str, period: Period) -> str:
    """The lock key of one province and period: '14:2025-Y'."""
    return f"{province_code}:{period.code}"


def this_holder() -> str:
    """'host:pid' of this process, written in the lock so the second run can say who holds it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def default_started_by() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):   # no login name in some containers and services
        user = "?"
    return f"{user}@{socket.gethostname()}"


def start_run(engine: Engine, *, period: Period, trigger: str, parameters: dict[str, Any],
              started_by: str | None = None) -> int:
    """Record the start of a run (outcome 'running'); returns its id."""
    with engine.begin() as conn:
        result = conn.execute(insert(Run).values(
            period=period.code, trigger=trigger, started_by=started_by or default_started_by(),
            parameters=json.dumps(parameters, ensure_ascii=False, sort_keys=True, default=str),
            started_at=_now(), outcome="running", files_seen=0, files_new=0,
        ))
        return int(result.inserted_primary_key[0])


def finish_run(engine: Engine, run_id: int, *, outcome: str, files_seen: int = 0, files_new: int = 0,
               message: str | None = None) -> None:
    """Record how a run ended: completed, failed, refused or interrupted."""
    if outcome not in OUTCOMES or outcome == "running":
        raise ValueError(f"outcome must be completed, failed, refused or interrupted, not {outcome!r}")
    with engine.begin() as conn:
        conn.execute(update(Run).where(Run.id == run_id).values(
            outcome=outcome, finished_at=_now(), files_seen=files_seen, files_new=files_new, message=message,
        ))


def list_runs(engine: Engine, limit: int = 20, period: Period | None = None) -> list[RunRecord]:
    """The latest runs, newest first (optionally of one period)."""
    query = select(Run).order_by(Run.started_at.desc(), Run.id.desc()).limit(limit)
    if period is not None:
        query = query.where(Run.period == period.code)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [RunRecord(
        id=r.id, period=r.period, trigger=r.trigger, started_by=r.started_by,
        parameters=json.loads(r.parameters or "{}"), started_at=r.started_at,
        finished_at=r.finished_at, outcome=r.outcome, files_seen=r.files_seen or 0,
        files_new=r.files_new or 0, message=r.message,
    ) for r in rows]


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return True                      # unknown: never take over on a guess
    if os.name == "nt":
        # os.kill(pid, 0) on Windows would send CTRL_C_EVENT, not probe: ask the kernel instead.
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)   # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5             # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259                         # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True                      # exists, owned by another user
    return True


def stale_reason(holder: str, acquired_at: datetime, max_age: timedelta | None,
                 now: datetime | None = None) -> str | None:
    """Why a lock may be taken over (Vietnamese, for the run's message), or None if it is live."""
    host, _, pid_text = holder.rpartition(":")
    if host == socket.gethostname() and pid_text.isdigit() and not _pid_alive(int(pid_text)):
        return f"tiến trình {pid_text} trên máy {host} không còn chạy"
    age = (now or _now()) - acquired_at
    if max_age is not None and age > max_age:
        return (f"khóa đã giữ {format_vi(age.total_seconds() / 3600, 1)} giờ, "
                f"quá {format_vi(max_age.total_seconds() / 3600)} giờ")
    return None


def _try_insert(engine: Engine, scope: str, run_id: int, holder: str) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(insert(RunLock).values(scope=scope, run_id=run_id, acquired_at=_now(), holder=holder))
        return True
    except IntegrityError:               # the primary key: someone holds it
        return False


def _read_lock(engine: Engine, scope: str) -> RunLock | None:
    with engine.connect() as conn:
        row = conn.execute(select(RunLock.run_id, RunLock.holder, RunLock.acquired_at)
                           .where(RunLock.scope == scope)).first()
    if row is None:
        return None
    return RunLock(scope=scope, run_id=row.run_id, holder=row.holder, acquired_at=row.acquired_at)


def live_lock(engine: Engine, scope: str, max_age: timedelta | None = DEFAULT_MAX_AGE) -> RunLock | None:
    """The lock of `scope` while a live run holds it; None when free or held by a run that is gone (stale)."""
    current = _read_lock(engine, scope)
    if current is None or stale_reason(current.holder, current.acquired_at, max_age) is not None:
        return None
    return current


def acquire_lock(engine: Engine, scope: str, run_id: int, holder: str | None = None, wait_seconds: float = 0,
                 *, max_age: timedelta | None = DEFAULT_MAX_AGE, timezone_name: str = "Asia/Ho_Chi_Minh",
                 ) -> str | None:
    """Take the lock of `scope` for `run_id`, or raise RunInProgress naming the run that holds it.

    With wait_seconds > 0, retries until then before refusing. A stale lock (see DEFAULT_MAX_AGE) is
    taken over; the reason is returned (Vietnamese) so the run can record it, else None.
    """
    holder = holder or this_holder()
    deadline = time.monotonic() + max(wait_seconds, 0)
    started = time.monotonic()
    took_over: str | None = None
    while True:
        if _try_insert(engine, scope, run_id, holder):
            return took_over
        current = _read_lock(engine, scope)
        if current is None:
            continue                     # released between our insert and our read: try again at once
        reason = stale_reason(current.holder, current.acquired_at, max_age)
        if reason is not None:
            with engine.begin() as conn:
                # Only this exact stale row: if another run took over first, we delete nothing.
                gone = conn.execute(delete(RunLock).where(
                    RunLock.scope == scope, RunLock.run_id == current.run_id, RunLock.holder == current.holder,
                )).rowcount
            if gone:
                took_over = f"Đã gỡ khóa cũ của lần chạy số {current.run_id} ({current.holder}): {reason}."
                log.warning("%s", took_over)
            continue
        if time.monotonic() >= deadline:
            raise RunInProgress(scope, current.run_id, current.holder, current.acquired_at, max_age=max_age,
                                waited=time.monotonic() - started if wait_seconds > 0 else 0.0,
                                timezone=timezone_name)
        time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0.01)))


def release_lock(engine: Engine, scope: str, run_id: int) -> bool:
    """Release `scope` if `run_id` holds it (a lock taken over meanwhile is left alone); True if released."""
    with engine.begin() as conn:
        return bool(conn.execute(delete(RunLock).where(RunLock.scope == scope, RunLock.run_id == run_id)).rowcount)


@contextmanager
def run_lock(engine: Engine, scope: str, run_id: int, holder: str | None = None, wait_seconds: float = 0,
             *, max_age: timedelta | None = DEFAULT_MAX_AGE, timezone_name: str = "Asia/Ho_Chi_Minh",
             ) -> Iterator[str | None]:
    """Hold the lock for the `with` block; yields the takeover note (or None); always releases."""
    note = acquire_lock(engine, scope, run_id, holder, wait_seconds, max_age=max_age, timezone_name=timezone_name)
    try:
        yield note
    finally:
        release_lock(engine, scope, run_id)


@contextmanager
def tracked_run(engine: Engine, *, scope: str, period: Period, trigger: str, parameters: dict[str, Any],
                started_by: str | None = None, wait_seconds: float = 0,
                max_age: timedelta | None = DEFAULT_MAX_AGE, timezone_name: str = "Asia/Ho_Chi_Minh",
                ) -> Iterator[RunHandle]:
    """A recorded, locked run: start_run, acquire the lock, and on the way out finish_run and release.

    Refused (RunInProgress, re-raised) when another run holds the period; 'failed' with the error if
    the block raises; otherwise 'completed' with the counts and message set on the handle.
    """
    run_id = start_run(engine, period=period, trigger=trigger, parameters=parameters, started_by=started_by)
    try:
        note = acquire_lock(engine, scope, run_id, wait_seconds=wait_seconds, max_age=max_age,
                            timezone_name=timezone_name)
    except RunInProgress as exc:
        finish_run(engine, run_id, outcome="refused", message=str(exc))
        raise
    except BaseException as exc:
        finish_run(engine, run_id, outcome="failed", message=f"{type(exc).__name__}: {exc}")
        raise
    handle = RunHandle(run_id)
    try:
        yield handle
    except KeyboardInterrupt:
        # Ctrl+C: not an error. What was stored stays (every file is committed whole), and the rerun goes on.
        stored = stored_by(engine, run_id, period)
        message = "; ".join(m for m in (note, f"Dừng theo yêu cầu (Ctrl+C) sau khi lưu {stored} tệp mới; "
                                              "chạy lại để xử lý tiếp") if m)
        finish_run(engine, run_id, outcome="interrupted", files_seen=max(handle.files_seen, stored),
                   files_new=stored, message=message)
        raise
    except BaseException as exc:
        message = "; ".join(m for m in (note, handle.message, f"{type(exc).__name__}: {exc}") if m)
        finish_run(engine, run_id, outcome="failed", files_seen=handle.files_seen, files_new=handle.files_new,
                   message=message)
        raise
    else:
        message = "; ".join(m for m in (note, handle.message) if m) or None
        finish_run(engine, run_id, outcome="completed", files_seen=handle.files_seen,
                   files_new=handle.files_new, message=message)
    finally:
        release_lock(engine, scope, run_id)


def stored_by(engine: Engine, run_id: int, period: Period) -> int:
    """How many files of `period` were stored since run `run_id` started (one run per period at a time)."""
    started = select(Run.started_at).where(Run.id == run_id).scalar_subquery()
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Submission)
                               .where(Submission.period == period.code, Submission.read_at >= started)) or 0)


def format_runs(runs: list[RunRecord], timezone_name: str = "Asia/Ho_Chi_Minh") -> str:
    """The runs as a plain Vietnamese table, for `tonghop runs`."""
    if not runs:
        return "Chưa có lần chạy nào."
    tz = ZoneInfo(timezone_name)
    header = ("Số", "Kỳ", "Kiểu", "Bắt đầu", "Kết thúc", "Kết quả", "Tệp mới/đã đọc", "Ghi chú")
    rows = [header]
    for r in runs:
        start = r.started_at.astimezone(tz)
        end = r.finished_at.astimezone(tz) if r.finished_at else None
        end_text = "" if end is None else (f"{end:%H:%M:%S}" if end.date() == start.date()
                                           else f"{end:%H:%M:%S %d/%m/%Y}")
        rows.append((str(r.id), r.period, TRIGGERS_VI.get(r.trigger, r.trigger), f"{start:%H:%M:%S %d/%m/%Y}",
                     end_text, OUTCOMES_VI.get(r.outcome, r.outcome), f"{r.files_new}/{r.files_seen}",
                     (r.message or "").replace("\n", " ")[:100]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths)) + "  " + row[-1]
                     for row in rows).rstrip()
