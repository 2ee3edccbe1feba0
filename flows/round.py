"""The round flow: ingest an inbox for one period, validate, store, write reports, e-mail, consolidate."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tonghop import progress
from tonghop.config import DEFAULT_CONFIG, Period, load_config
from tonghop.ingest import ingest_inbox, process_batch
from tonghop.reports.summary import build_summary, write_summary
from tonghop.round import RoundPaths, missing_outputs, recheck, write_file_outputs
from tonghop.store import default_db_url, open_db
from tonghop.store.repo import known_hashes, list_submissions

BATCH_SIZE = 100   # files per task: enough that orchestration does not dominate, small enough for progress


@task(name="doc-va-kiem-tra-lo", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_validate_store(batch, engine, config, period):
    """Read, validate and store one batch of new files (retried once: the database may be briefly busy)."""
    return process_batch(batch, engine, config, period)


@task(name="ghi-bao-cao-tung-tep", cache_policy=NO_CACHE)
def write_outputs(checked, paths, config, period) -> int:
    for i, item in enumerate(checked, start=1):
        write_file_outputs(item, paths, config, period)
        progress.advance("Ghi báo cáo từng tệp", i, len(checked))
    return len(checked)


@flow(name="tong-hop", flow_run_name="{period}-{trigger}", validate_parameters=True)
def consolidate_round(period: str, inbox: str, out: str = "outputs", db_url: str | None = None,
                      config_path: str | None = None, trigger: str = "manual") -> dict[str, Any]:
    """Tổng hợp một kỳ báo cáo: đọc hộp thư đến, kiểm tra, lưu, ghi báo cáo và trả về summary."""
    logger = get_run_logger()
    config = load_config(config_path or DEFAULT_CONFIG)
    p = Period.parse(period)
    paths = RoundPaths.for_period(Path(out), p)
    engine = open_db(db_url or default_db_url(Path(out)))
    try:
        result = ingest_inbox(Path(inbox), engine, config, p, batch_size=BATCH_SIZE, process=read_validate_store)
        logger.info("%d tệp trong hộp thư, %d tệp mới", len(result.files), len(result.checked))
        stored = known_hashes(engine, p.code)
        again = missing_outputs(result.files, result.outcomes, paths, {h: k.unit_code for h, k in stored.items()})
        write_outputs(result.checked + recheck(again, config, p), paths, config, p)
        summary = build_summary(config, p, result, list_submissions(engine, p.code), {"trigger": trigger})
        write_summary(summary, paths.root)
        return summary
    finally:
        engine.dispose()
