"""Prefect flow "lay-thu": take a period's new messages from the consolidator's mailbox into its inbox folder."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from tonghop.config import DEFAULT_CONFIG, Period, load_config
from tonghop.errors import TonghopError
from tonghop.mail.message import today_in
from tonghop.mailbox.fetch import fetch_mailbox
from tonghop.mailbox.settings import ImapSettings
from tonghop.round.runs import live_lock, lock_scope
from tonghop.round.schedule import in_schedule
from tonghop.store import default_db_url, open_db

NOT_CONFIGURED = ("Chưa cấu hình hộp thư (TONGHOP_IMAP_HOST chưa đặt): không lấy thư; các tệp vẫn nhận qua thư mục "
                  "nhận tệp.")


class MailboxFetchFailed(TonghopError):
    """The mailbox could not be read; raised so the run shows as failed in Prefect (the next one tries again)."""


@flow(name="lay-thu", flow_run_name="{period}-{trigger}", validate_parameters=True)
def fetch_round_mail(period: str, inbox: str, out: str = "outputs", db_url: str | None = None,
                     config_path: str | None = None, trigger: str = "manual") -> dict[str, Any]:
    """Lấy thư mới từ hộp thư của đơn vị tổng hợp, lưu tệp đính kèm vào thư mục nhận tệp của kỳ (không kiểm tra,
    không tổng hợp: đợt tổng hợp kế tiếp đọc các tệp đó)."""
    logger = get_run_logger()
    settings = ImapSettings.from_env()          # a half-set mailbox (no password…) fails the run: ConfigError
    if settings is None:
        logger.info(NOT_CONFIGURED)
        return {"period": period, "skipped": NOT_CONFIGURED}
    config = load_config(config_path or DEFAULT_CONFIG)
    p = Period.parse(period)
    if trigger == "schedule":
        when = flow_run.scheduled_start_time or datetime.now(timezone.utc)
        if not in_schedule(config, p, when, kind="fetch"):
            # cron has no year: a schedule left running fires again next year, for a closed period
            line = f"Bỏ qua: lần lấy thư theo lịch không thuộc kỳ {p.code}."
            logger.warning(line)
            return {"period": p.code, "skipped": line}
    else:
        config.check_run_period(p, today_in(config))
    Path(out).mkdir(parents=True, exist_ok=True)    # the default database's folder, as for a round
    engine = open_db(db_url or default_db_url(Path(out)))
    try:
        lock = live_lock(engine, lock_scope(config.province_code, p))
        if lock is not None:
            # The round takes the mail itself before reading the folder; two takers at once would only race.
            line = (f"Bỏ qua: đợt tổng hợp kỳ {p.code} (lần chạy số {lock.run_id}) đang chạy và tự lấy thư từ "
                    f"hộp thư.")
            logger.info(line)
            return {"period": p.code, "skipped": line}
        result = fetch_mailbox(settings, Path(inbox), engine, config, p)
    finally:
        engine.dispose()
    if result.error:
        raise MailboxFetchFailed(f"{result.error} Lần lấy thư sau sẽ thử lại; các tệp đã lấy vẫn nằm trong "
                                 f"thư mục {inbox}.")
    line = result.line(Path(inbox))
    logger.info(line)
    return {"period": p.code, **result.as_dict(), "line": line}
