"""Prefect flow "nhac-nop-bao-cao": queue reminders and the officer's digest for a period, then deliver the outbox."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.runners import opened

from tonghop.config import DEFAULT_CONFIG, Period, ProvinceConfig, load_config
from tonghop.errors import TonghopError
from tonghop.mail.message import today_in
from tonghop.mail.reminders import queue_digest, queue_reminders
from tonghop.mail.send import deliver_pending
from tonghop.mail.settings import SmtpSettings
from tonghop.store.db import open_db


class DeliveryIncomplete(TonghopError):
    """Some messages could not be handed to the mail server; raised so Prefect retries the task."""


def _config(config_path: str | None) -> ProvinceConfig:
    return load_config(config_path or DEFAULT_CONFIG)


# Sending has side effects: never answer a retry or a rerun from a cache.
@task(name="gui-thu", retries=3, retry_delay_seconds=[10, 60, 300], cache_policy=NO_CACHE)
@opened
def deliver(db_url: str, eml_dir: str, config_path: str | None = None) -> dict:
    """Deliver the outbox; raise when some messages failed (they stay queued, and Prefect tries again)."""
    engine = open_db(db_url)
    try:
        result = deliver_pending(engine, SmtpSettings.from_env(_config(config_path)), Path(eml_dir))
    finally:
        engine.dispose()
    if result.failed:
        raise DeliveryIncomplete(f"{result.failed} thư chưa gửi được: {'; '.join(result.errors[:3])}")
    return {"sent": result.sent, "written": result.written, "bounced": result.bounced}


@flow(name="nhac-nop-bao-cao")
def send_reminders(period: str, db_url: str, out: str, config_path: str | None = None,
                   today: str | None = None) -> dict:
    """Reminders to units that have not reported (on the configured days), the digest if something changed, then
    delivery."""
    config = _config(config_path)
    p = Period.parse(period)
    day = date.fromisoformat(today) if today else today_in(config)
    # the first reminder may come before any round: the output folder (home of the default database) is made
    # here, while a database folder given explicitly must exist (open_db refuses a mistyped one)
    Path(out).mkdir(parents=True, exist_ok=True)
    engine = open_db(db_url)
    try:
        reminders = queue_reminders(engine, config, p, day)
        digest = queue_digest(engine, config, p, day)
    finally:
        engine.dispose()
    delivered = deliver(db_url, str(Path(out) / p.code / "mail"), config_path)
    return {"period": p.code, "today": day.isoformat(), "reminders_queued": reminders,
            "digest_queued": digest, **delivered}
