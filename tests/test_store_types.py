"""The UTC datetime column on SQLite and PostgreSQL: whatever zone goes in, aware UTC comes out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text

from tonghop.store.db import open_db
from tonghop.store.models import RunLock
from tonghop.store.types import utc

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_moments_come_back_aware_in_utc(db_url):
    engine = open_db(db_url)
    written = {"a": datetime(2025, 11, 25, 23, 59, 30, tzinfo=HANOI),       # the deadline's last minute, local
               "b": datetime(2025, 11, 25, 16, 0, 0, 123456, tzinfo=timezone.utc),
               "c": datetime(2025, 11, 25, 16, 0, 1)}                         # naive: read as UTC
    with engine.begin() as conn:
        for i, (scope, at) in enumerate(written.items()):
            conn.execute(insert(RunLock).values(scope=scope, run_id=i, holder="may:1", acquired_at=at))
        read = dict(conn.execute(select(RunLock.scope, RunLock.acquired_at).order_by(RunLock.scope)).all())
        stored = conn.execute(text("SELECT acquired_at FROM run_locks WHERE scope = 'a'")).scalar_one()
    assert read == {"a": datetime(2025, 11, 25, 16, 59, 30, tzinfo=timezone.utc),
                    "b": datetime(2025, 11, 25, 16, 0, 0, 123456, tzinfo=timezone.utc),
                    "c": datetime(2025, 11, 25, 16, 0, 1, tzinfo=timezone.utc)}
    assert all(v.utcoffset() == timedelta(0) and v.tzinfo is timezone.utc for v in read.values())
    # the stored form is the one DateTime(timezone=True) always had: UTC text on SQLite, a timestamptz on PostgreSQL
    if engine.dialect.name == "sqlite":
        assert stored == "2025-11-25 16:59:30.000000"
    else:
        assert stored == datetime(2025, 11, 25, 16, 59, 30, tzinfo=timezone.utc)


def test_utc_reads_naive_as_utc_and_converts_aware():
    assert utc(datetime(2025, 1, 1, 7, 0)) == datetime(2025, 1, 1, 7, 0, tzinfo=timezone.utc)
    assert utc(datetime(2025, 1, 1, 7, 0, tzinfo=HANOI)) == datetime(2025, 1, 1, 0, 0, tzinfo=timezone.utc)
    assert utc(datetime(2025, 1, 1, 7, 0, tzinfo=HANOI)).tzinfo is timezone.utc
