"""Run records and the one-run-at-a-time lock, on SQLite and PostgreSQL, across threads and processes."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from tonghop.config import Period
from tonghop.errors import RunInProgress, TonghopError
from tonghop.round.runs import (
    acquire_lock, finish_run, format_runs, list_runs, lock_scope, release_lock, run_lock, stale_reason, start_run,
    this_holder, tracked_run,
)
from tonghop.store.db import open_db
from tonghop.store.models import RunLock

ROOT = Path(__file__).resolve().parent.parent
Y2025, H1_2025 = Period.parse("2025-Y"), Period.parse("2025-H1")
SCOPE = lock_scope("14", Y2025)

# A second process: waits for the start signal (a file), tries the lock, says what happened, then
# holds it until told to let go (a line on stdin) or until killed.
CHILD = r"""
import os, sys, time
from pathlib import Path
from tonghop.config import Period
from tonghop.errors import RunInProgress
from tonghop.round.runs import acquire_lock, release_lock, start_run
from tonghop.store.db import open_db

url, scope, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
engine = open_db(url)
run_id = start_run(engine, period=Period.parse("2025-Y"), trigger="test", parameters={}, started_by="child")
print(f"RUN {run_id}", flush=True)
while not go.exists():
    time.sleep(0.01)
try:
    acquire_lock(engine, scope, run_id)
except RunInProgress as exc:
    print("REFUSED " + str(exc).replace("\n", " "), flush=True)
    sys.exit(0)
print("HELD", flush=True)
sys.stdin.readline()
release_lock(engine, scope, run_id)
print("RELEASED", flush=True)
"""


@pytest.fixture
def engine(db_url):
    engine = open_db(db_url)
    yield engine
    engine.dispose()


def child(db_url: str, go: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, db_url, SCOPE, str(go)], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    first = proc.stdout.readline()
    assert first.startswith("RUN "), first
    proc.run_id = int(first.split()[1])  # type: ignore[attr-defined]
    return proc


def read_line(proc: subprocess.Popen, timeout: float = 60) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert result, "the child process said nothing in time"
    return result[0].strip()


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


def test_run_records(engine):
    first = start_run(engine, period=Y2025, trigger="schedule",
                      parameters={"period": "2025-Y", "inbox": "/srv/hộp thư"}, started_by="prefect")
    second = start_run(engine, period=H1_2025, trigger="manual", parameters={}, started_by=None)
    finish_run(engine, first, outcome="completed", files_seen=12, files_new=3, message="Đã tổng hợp 3 tệp mới")
    runs = list_runs(engine)
    assert [r.id for r in runs] == [second, first]
    done = runs[1]
    assert done.outcome == "completed" and (done.files_seen, done.files_new) == (12, 3)
    assert done.parameters == {"period": "2025-Y", "inbox": "/srv/hộp thư"}
    assert done.message == "Đã tổng hợp 3 tệp mới" and done.started_by == "prefect"
    assert done.started_at.tzinfo is not None and done.finished_at >= done.started_at
    assert runs[0].outcome == "running" and runs[0].finished_at is None and "@" in runs[0].started_by
    assert [r.id for r in list_runs(engine, limit=1)] == [second]
    assert [r.id for r in list_runs(engine, period=Y2025)] == [first]
    with pytest.raises(ValueError):
        finish_run(engine, second, outcome="running")


def test_lock_refuses_second_run(engine):
    a = start_run(engine, period=Y2025, trigger="schedule", parameters={})
    b = start_run(engine, period=Y2025, trigger="manual", parameters={})
    assert acquire_lock(engine, SCOPE, a, "may-chu:1234") is None
    with pytest.raises(RunInProgress) as info:
        acquire_lock(engine, SCOPE, b, "may-khac:99")
    exc = info.value
    assert isinstance(exc, TonghopError) and exc.run_id == a and exc.holder == "may-chu:1234"
    text = str(exc)
    assert f"lần chạy số {a}" in text and "máy may-chu, tiến trình 1234" in text and "Kỳ 2025-Y" in text
    assert "tonghop runs" in text and "Hãy đợi" in text
    # Another period, or another province, is not blocked.
    acquire_lock(engine, lock_scope("14", H1_2025), b, "may-khac:99")
    # Only the holder releases.
    assert not release_lock(engine, SCOPE, b)
    assert release_lock(engine, SCOPE, a)
    acquire_lock(engine, SCOPE, b)
    with run_lock(engine, lock_scope("15", Y2025), a):
        pass


def test_threads_exactly_one_holds(engine):
    n = 6
    ids = [start_run(engine, period=Y2025, trigger="test", parameters={}) for _ in range(n)]
    barrier = threading.Barrier(n)
    held: list[int] = []
    refused: list[RunInProgress] = []
    errors: list[BaseException] = []

    def attempt(run_id: int) -> None:
        barrier.wait()
        try:
            acquire_lock(engine, SCOPE, run_id, f"may-chu:{os.getpid()}")
            held.append(run_id)
        except RunInProgress as exc:
            refused.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(held) == 1 and len(refused) == n - 1
    assert all(exc.run_id == held[0] for exc in refused)


def test_two_processes_exactly_one_holds(db_url, engine, tmp_path):
    go = tmp_path / "go"
    procs = [child(db_url, go), child(db_url, go)]
    try:
        go.touch()
        said = [read_line(p) for p in procs]
        assert sorted(s.split()[0] for s in said) == ["HELD", "REFUSED"], said
        holder = procs[[s.split()[0] for s in said].index("HELD")]
        refusal = next(s for s in said if s.startswith("REFUSED"))
        assert f"lần chạy số {holder.run_id}" in refusal and f"tiến trình {holder.pid}" in refusal
        # This process is refused too, then waits and gets the lock once the holder lets go.
        mine = start_run(engine, period=Y2025, trigger="manual", parameters={})
        with pytest.raises(RunInProgress):
            acquire_lock(engine, SCOPE, mine)
        threading.Timer(1.0, lambda: (holder.stdin.write("\n"), holder.stdin.flush())).start()
        started = time.monotonic()
        acquire_lock(engine, SCOPE, mine, wait_seconds=60)
        assert 0.5 < time.monotonic() - started < 60
        assert read_line(holder) == "RELEASED"
    finally:
        for p in procs:
            stop(p)


def test_wait_gives_up_with_message(engine):
    a = start_run(engine, period=Y2025, trigger="schedule", parameters={})
    b = start_run(engine, period=Y2025, trigger="manual", parameters={})
    acquire_lock(engine, SCOPE, a)
    started = time.monotonic()
    with pytest.raises(RunInProgress, match="Đã đợi 1 giây"):
        acquire_lock(engine, SCOPE, b, wait_seconds=1.2)
    assert time.monotonic() - started >= 1.2


def test_lock_of_dead_process_is_taken_over(db_url, engine, tmp_path):
    go = tmp_path / "go"
    go.touch()
    proc = child(db_url, go)
    try:
        assert read_line(proc) == "HELD"
        mine = start_run(engine, period=Y2025, trigger="manual", parameters={})
        with pytest.raises(RunInProgress):
            acquire_lock(engine, SCOPE, mine)
        proc.send_signal(signal.SIGKILL)      # dies holding the lock
        proc.wait(timeout=30)
        note = acquire_lock(engine, SCOPE, mine)
        assert note and f"lần chạy số {proc.run_id}" in note and "không còn chạy" in note
    finally:
        stop(proc)


def put_lock(engine, holder: str, age: timedelta, run_id: int = 999) -> None:
    with engine.begin() as conn:
        conn.execute(insert(RunLock).values(scope=SCOPE, run_id=run_id, holder=holder,
                                            acquired_at=datetime.now(timezone.utc) - age))


def test_lock_older_than_max_age_is_taken_over(engine):
    put_lock(engine, "may-khac:4321", timedelta(hours=7))       # another machine: its pid means nothing here
    mine = start_run(engine, period=Y2025, trigger="manual", parameters={})
    with pytest.raises(RunInProgress, match="sau 8 giờ"):
        acquire_lock(engine, SCOPE, mine, max_age=timedelta(hours=8))
    with pytest.raises(RunInProgress):
        acquire_lock(engine, SCOPE, mine, max_age=None)          # never by age
    note = acquire_lock(engine, SCOPE, mine)                     # default: 6 hours
    assert note and "quá 6 giờ" in note
    with engine.connect() as conn:
        assert conn.execute(select(RunLock.run_id)).scalars().all() == [mine]


def test_lock_of_missing_pid_on_this_host(engine):
    put_lock(engine, f"{socket.gethostname()}:{2**22 + 12345}", timedelta(seconds=5))   # above pid_max
    mine = start_run(engine, period=Y2025, trigger="manual", parameters={})
    assert "không còn chạy" in acquire_lock(engine, SCOPE, mine)


def test_stale_and_refused_lock_messages_write_hours_the_vietnamese_way():
    since = datetime(2025, 11, 20, 1, 0, tzinfo=timezone.utc)
    assert stale_reason("may-khac:4321", since, timedelta(hours=6), now=since + timedelta(hours=7, minutes=30)) == \
        "khóa đã giữ 7,5 giờ, quá 6 giờ"
    refused = RunInProgress("14:2025-Y", 12, "may-khac:4321", since, max_age=timedelta(minutes=90), waited=2.6)
    assert str(refused) == (
        "Kỳ 2025-Y (tỉnh mã 14) đang được xử lý bởi lần chạy số 12 (máy may-khac, tiến trình 4321) từ 08:00:00 ngày "
        "20/11/2025. Lần chạy này bị từ chối và không thay đổi dữ liệu. Đã đợi 3 giây. Hãy đợi lần chạy kia kết thúc "
        "(xem `tonghop runs`) rồi chạy lại. Nếu tiến trình đó đã dừng hẳn, khóa được tự gỡ: ngay ở lần chạy sau nếu "
        "cùng máy, hoặc sau 1,5 giờ kể từ lúc khóa.")


def test_live_lock_of_this_process_is_kept(engine):
    put_lock(engine, this_holder(), timedelta(hours=1))
    with pytest.raises(RunInProgress):
        acquire_lock(engine, SCOPE, start_run(engine, period=Y2025, trigger="manual", parameters={}))


def test_tracked_run(engine):
    with tracked_run(engine, scope=SCOPE, period=Y2025, trigger="schedule", parameters={"period": "2025-Y"},
                     started_by="prefect") as run:
        run.files_seen, run.files_new, run.message = 5, 2, "Đã đọc 5 tệp"
        with pytest.raises(RunInProgress):
            with tracked_run(engine, scope=SCOPE, period=Y2025, trigger="manual", parameters={}):
                pass
    with pytest.raises(ZeroDivisionError):
        with tracked_run(engine, scope=SCOPE, period=Y2025, trigger="manual", parameters={}):
            1 / 0
    failed, refused, completed = list_runs(engine)
    assert (completed.outcome, completed.files_seen, completed.files_new) == ("completed", 5, 2)
    assert completed.message == "Đã đọc 5 tệp"
    assert refused.outcome == "refused" and f"lần chạy số {completed.id}" in refused.message
    assert failed.outcome == "failed" and "ZeroDivisionError" in failed.message
    with engine.connect() as conn:                                # every lock released
        assert conn.execute(select(RunLock)).all() == []
    text = format_runs(list_runs(engine))
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["Số", "Kỳ", "Kiểu"]
    assert "hoàn thành" in text and "bị từ chối" in text and "lỗi" in text and "theo lịch" in text
    assert "2/5" in text
    assert format_runs([]) == "Chưa có lần chạy nào."
