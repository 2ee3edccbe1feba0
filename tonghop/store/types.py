"""The UTC datetime column: stores UTC, hands back aware UTC datetimes on SQLite and PostgreSQL alike."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one is read as UTC, the one convention of the pipeline (a naive time is
    what SQLite hands back, and what received.csv may hold)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment stored as `timestamp with time zone` (PostgreSQL) or as UTC text (SQLite, which keeps no zone):
    written in UTC whatever zone the value carries, read back aware in UTC, so callers never ask which
    database answered. The stored form is the one DateTime(timezone=True) already had: no migration."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        # SQLite writes the wall time and drops the zone: a +07:00 value must become UTC before that
        return None if value is None else utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else utc(value)
