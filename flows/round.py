"""The round flow: ingest an inbox for one period, validate, store, write reports, e-mail, consolidate."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import socket
import time
from datetime import datetime, timezone

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from flows.reminders import DeliveryIncomplete, deliver
from flows.runners import NATIONAL_BATCH, WorkerProcesses, batch_size, opened, sealed, worker_processes
from tonghop import progress
from tonghop.intake.archive import archive_file
from tonghop.config import DEFAULT_CONFIG, Period, load_config
from tonghop.errors import ConfigError, OutputError, os_reason
from tonghop.mailbox.fetch import fetch_mailbox
from tonghop.mailbox.settings import ImapSettings
from tonghop.round.ingest import InboxFile, batches, inbox_paths, ingest_inbox
from tonghop.round.work import FileDone, check_batch, consolidate_reports, queue_batch
from tonghop.round.summary import build_summary, write_summary
from tonghop.mail import outbox
from tonghop.mail.message import today_in
from tonghop.mail.recipients import placeholder_warning
from tonghop.mail.reminders import queue_digest
from tonghop.mail.settings import SmtpSettings
from tonghop.round.steps import (
    RoundPaths, check_inbox_period, check_same_database, consolidation_fingerprint, earlier_consolidation,
    mailed_hashes, needs_recheck,
)
from tonghop.store import default_db_url, open_db
from tonghop.round.runs import lock_scope, tracked_run
from tonghop.round.schedule import in_schedule
from tonghop.store.repo import database_id, list_submissions

BATCH_SIZE = 100   # files per task: enough that orchestration does not dominate, small enough for progress
CHECKING_AGAIN, QUEUEING = "Kiểm tra lại tệp đã lưu", "Xếp thư trả lời"


@task(name="doc-kiem-tra-luu-va-ghi-bao-cao-lo", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
@opened
def read_check_store(batch: list[InboxFile], db_url: str, config, period, paths: RoundPaths,
                     store: bool = True) -> list[FileDone]:
    """Read, validate, store and report on one batch of files (retried once: the database may be briefly
    busy; a file stored by the first try is not stored twice). Gets the URL, not the flow's Engine: it runs in a
    worker process, maybe on another machine."""
    return check_batch(batch, db_url, config, period, paths, store)


@task(name="xep-thu-lo", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
@opened
def queue_messages(done: list[FileDone], ids: dict[str, int], db_url: str, config, period) -> int:
    """One message per file of a batch not yet in the outbox (the key makes a rerun a no-op)."""
    return queue_batch(done, ids, db_url, config, period)


def in_batches(step, items: list, args: tuple, stage: str | None = None, *, start: bool = True) -> Iterator[Any]:
    """`step(batch, *args)` for batches of `items`, results in order: handed to the flow's runner (worker processes,
    threads, Dask) when it takes a step of this size (flows/runners.py batch_size), else run here one batch after
    another."""
    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    size = batch_size(runner, len(items), BATCH_SIZE, start=start)
    groups = list(batches(items, size or BATCH_SIZE))
    done = 0
    if stage:
        progress.advance(stage, 0, len(items))
    # while a national round's workers import, one province's steps are done here rather than wait for them
    here = bool(size) and isinstance(runner, WorkerProcesses) and runner.claim_here()
    try:
        if size and not here:
            results = (future.result() for future in [step.submit(*sealed((g, *args))) for g in groups])
        else:
            results = (step(*sealed((g, *args))) for g in groups)
        for group, result in zip(groups, results):
            done += len(group)
            if stage:
                progress.advance(stage, done, len(items))
            yield result
    finally:
        if here:
            runner.release_here()


def keep_originals(files, archive: Path, logger) -> None:
    """Every received file kept unchanged, addressed by its hash, so any report can be reproduced."""
    for f in files:
        try:
            archive_file(f.path, f.sha256, archive, f.received_at)
        except ValueError:   # replaced in the inbox since it was hashed: the next run reads the new one
            logger.warning("Tệp %s đã thay đổi trong lúc chạy; lần chạy sau sẽ đọc lại.", f.path.name)
        except OSError as exc:
            raise OutputError(f"Không lưu được tệp gốc vào {archive}: {os_reason(exc)}") from exc


@task(name="lay-thu-tu-hop-thu", cache_policy=NO_CACHE)
def fetch_mail(inbox: Path, engine, config, period) -> dict | None:
    """When TONGHOP_IMAP_HOST is set, take the mailbox's new messages into the inbox first; a mailbox that
    cannot be read is one line and the round goes on with what the inbox folder holds."""
    try:
        settings = ImapSettings.from_env()
    except ConfigError as exc:
        return {"error": str(exc), "line": f"{exc} Đợt chạy tiếp tục với các tệp đã có trong thư mục {inbox}."}
    if settings is None:
        return None
    result = fetch_mailbox(settings, inbox, engine, config, period)
    (get_run_logger().warning if result.error else get_run_logger().info)(result.line(inbox))
    return {**result.as_dict(), "line": result.line(inbox)}


def _mailbox_set() -> bool:
    """Whether fetch_mail has anything to do: TONGHOP_IMAP_* set, rightly or not (it reports wrong settings)."""
    try:
        return ImapSettings.from_env() is not None
    except ConfigError:
        return True


def _smtp_settings_readable(config) -> bool:
    """Whether deliver would get past reading TONGHOP_SMTP_* (wrong settings are its failure to report)."""
    try:
        SmtpSettings.from_env(config)
    except ConfigError:
        return False
    return True


@task(name="tong-hop-theo-muc-tieu", cache_policy=NO_CACHE)
@opened
def consolidate(db_url: str, config, period, out_dir: Path):
    """Merge accepted figures by goal and agency; write the provincial, Ministry, SDMX-CSV and HTML reports."""
    return consolidate_reports(db_url, config, period, out_dir)


@task(name="gui-thu-va-tong-hop", cache_policy=NO_CACHE)
@opened
def finish_province(to_mail: list[FileDone], ids: dict[str, int], db_url: str, config, period, mail_dir: str,
                    config_path: str | None, out_dir: Path) -> dict[str, Any]:
    """A province of a national round in one worker task once its files are stored: its messages queued, the
    officer's digest, the outbox delivered (once more after 5 s when it fails, as _round's deliver task), the
    consolidated reports written. One task run where _round makes three: each costs ~70 ms of Prefect's server
    and client, and a national run's CPU is what bounds it on few cores."""
    queued = queue_batch(to_mail, ids, db_url, config, period) if to_mail else 0
    engine = open_db(db_url, migrated=True)
    try:
        queue_digest(engine, config, period, today_in(config))
        idle = not outbox.has_pending(engine) and _smtp_settings_readable(config)
    finally:
        engine.dispose()
    delivery, failure = {"sent": 0, "written": 0, "bounced": 0}, None
    if not idle:
        try:
            delivery = _deliver_twice(db_url, mail_dir, config_path)
        except Exception as exc:     # said by the flow process, as _round says deliver's failure
            failure = (str(exc) or type(exc).__name__, isinstance(exc, DeliveryIncomplete))
    return {"queued": queued, "delivery": delivery, "failure": failure,
            "consolidated": consolidate_reports(db_url, config, period, out_dir)}


def _deliver_twice(db_url: str, mail_dir: str, config_path: str | None) -> dict:
    try:
        return deliver.fn(db_url, mail_dir, config_path)
    except Exception:
        time.sleep(5)
        return deliver.fn(db_url, mail_dir, config_path)


def _undelivered(said: str, incomplete: bool, logger) -> dict[str, Any]:
    """What the summary says of a delivery that failed (the messages stay in the outbox), said once in the log."""
    logger.warning("%s — thư vẫn nằm trong hộp thư đi, lần chạy sau sẽ gửi.",
                   said if incomplete else f"Chưa gửi được thư: {said}")
    return {"sent": 0, "written": 0, "failed_error": said}


def _national_workers() -> bool:
    """Whether this round is one of a national round's provinces with its workers running: the other provinces
    keep the other workers busy, so one task may do a province's messages (one province alone queues them in
    batches on every worker)."""
    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    return isinstance(runner, WorkerProcesses) and runner.running and runner.streams > 1


def in_worker(step, *args: Any) -> Any:
    """`step(*args)` in a worker process when the flow run's worker processes are running (a national round: the
    flow process goes on with the next province meanwhile), else here."""
    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    if isinstance(runner, WorkerProcesses) and runner.running:
        return step.submit(*sealed(args)).result()
    return step(*sealed(args))


def _round(engine, config, p, inbox: Path, paths: RoundPaths, config_path, trigger: str, logger) -> dict[str, Any]:
    """The steps of a round under the run lock (kept out of the flow body so the lock wraps all of them)."""
    url = engine.url.render_as_string(hide_password=False)
    # a task run only when there is a mailbox to read (or settings to complain about): most provinces have none
    mailbox = fetch_mail(inbox, engine, config, p) if _mailbox_set() else None
    check_inbox_period(inbox_paths(inbox), p)   # before anything is stored or mailed

    def process_all(groups: list[list[InboxFile]]) -> Iterator[list[FileDone]]:
        # ingest_inbox says its progress
        return in_batches(read_check_store, [f for g in groups for f in g], (url, config, p, paths))

    result = ingest_inbox(inbox, engine, config, p, batch_size=BATCH_SIZE, process_all=process_all)
    logger.info("%d tệp trong hộp thư, %d tệp mới", len(result.files), len(result.read))
    keep_originals(result.files, paths.archive, logger)
    stored = result.known
    mailed = mailed_hashes(engine, p)
    # stored by an earlier run but without reports here or a message: validated again, not stored again
    again = needs_recheck(result, paths, {h: k.unit_code for h, k in stored.items()}, mailed)
    done: list[FileDone] = result.checked + [
        d for group in in_batches(read_check_store, again, (url, config, p, paths, False), CHECKING_AGAIN) for d in group]
    # queued once every batch is stored: a message says when a later file of the same unit replaced its own
    to_mail = [d for d in done if d.sha256 not in mailed]
    ids = {d.sha256: stored[d.sha256].id for d in to_mail if d.sha256 in stored}
    unmailed = placeholder_warning(config)
    if unmailed:
        logger.warning(unmailed)
    submissions = list_submissions(engine, p.code)     # what the summary and the reports are made of
    fingerprint = consolidation_fingerprint(engine, config, today_in(config))
    # a province with nothing new (most of a national rerun) keeps the reports it has: writing them costs seconds
    earlier = earlier_consolidation(paths, fingerprint)
    if not earlier and len(to_mail) <= NATIONAL_BATCH and _national_workers():
        # a national round's province: messages, digest, delivery and reports in one task run (finish_province)
        finished = in_worker(finish_province, to_mail, ids, url, config, p, str(paths.mail), config_path, paths.root)
        queued, delivery, (indicators, files) = finished["queued"], finished["delivery"], finished["consolidated"]
        if finished["failure"]:
            delivery = _undelivered(*finished["failure"], logger)
    else:
        # queued once every batch is stored: a message says when a later file of the same unit replaced its own
        queued = sum(in_batches(queue_messages, to_mail, (ids, url, config, p), QUEUEING, start=False))
        queue_digest(engine, config, p, today_in(config))
        # A mail server that is down must not fail the round: the messages stay in the outbox and the next run (or
        # the reminders flow, with its longer retries) delivers them. An outbox with nothing to send (a rerun that
        # changed nothing) needs no task run: what deliver returns for it, unless the mail settings are wrong (the
        # task says so).
        idle = not outbox.has_pending(engine) and _smtp_settings_readable(config)
        try:     # the result itself, not the task's state: State.result() waits on Prefect's event loop (~0.1 s)
            delivery = {"sent": 0, "written": 0, "bounced": 0} if idle else in_worker(
                deliver.with_options(retries=1, retry_delay_seconds=5), url, str(paths.mail), config_path)
        except Exception as exc:     # undelivered (DeliveryIncomplete), or the server's or the database's own error
            delivery = _undelivered(str(exc) or type(exc).__name__, isinstance(exc, DeliveryIncomplete), logger)
        indicators, files = earlier if earlier else in_worker(consolidate, url, config, p, paths.root)
    return build_summary(config, p, result, submissions,
                         {"trigger": trigger, "mail": {"queued": queued, **delivery, "placeholders": unmailed},
                          "indicators": indicators, **({"mailbox": mailbox} if mailbox else {}),
                          "consolidated": {k: str(v) for k, v in files.items()},
                          "consolidation_fingerprint": fingerprint, "database_id": database_id(engine)})


def province_round(period: Period, inbox: str, out: str = "outputs", db_url: str | None = None,
                   config_path: str | None = None, trigger: str = "manual", lock_wait_seconds: float = 0,
                   start_over: bool = False) -> dict[str, Any]:
    """One province's round inside the current flow run, under its own configuration, database, output folder and
    lock: what `tong-hop` does for one province and `tong-hop-nhieu-tinh` (flows/many.py) for each of many."""
    logger = get_run_logger()
    config = load_config(config_path or DEFAULT_CONFIG)
    if trigger != "schedule":    # a scheduled run out of its dates is skipped below, not failed
        config.check_run_period(period, today_in(config))
    paths = RoundPaths.for_period(Path(out), period)
    engine = open_db(db_url or default_db_url(Path(out)))
    try:
        if trigger == "schedule" and not in_schedule(
                config, period, flow_run.scheduled_start_time or datetime.now(timezone.utc)):
            # cron has no year: a schedule left running fires again next year, for a closed period
            logger.warning("Bỏ qua: lần chạy theo lịch không thuộc kỳ %s", period.code)
            return {"period": period.code, "skipped": True}
        check_same_database(paths, engine, period, start_over)
        with tracked_run(engine, scope=lock_scope(config.province_code, period), period=period, trigger=trigger,
                         parameters={"period": period.code, "inbox": inbox, "out": out},
                         started_by=f"prefect:{flow_run.name or '-'}@{socket.gethostname()}",
                         wait_seconds=lock_wait_seconds, timezone_name=config.timezone) as run:
            summary = _round(engine, config, period, Path(inbox), paths, config_path, trigger, logger)
            run.files_seen, run.files_new = summary["files_in_inbox"], summary["files_read_this_run"]
            summary["run_id"] = run.run_id
        write_summary(summary, paths.root)
        return summary
    finally:
        engine.dispose()


# Worker processes (TONGHOP_WORKERS, one per CPU by default) for a run with many new files; the caller may pick
# another runner (the CLI does, from the environment): see flows/runners.py
@flow(name="tong-hop", flow_run_name="{period}-{trigger}", validate_parameters=True,
      task_runner=worker_processes())
def consolidate_round(period: str, inbox: str, out: str = "outputs", db_url: str | None = None,
                      config_path: str | None = None, trigger: str = "manual",
                      lock_wait_seconds: float = 0, start_over: bool = False) -> dict[str, Any]:
    """Tổng hợp một kỳ báo cáo: đọc hộp thư đến, kiểm tra, lưu, ghi báo cáo và trả về summary.

    start_over: làm lại kỳ từ đầu dù thư mục kết quả đã có kết quả lập với cơ sở dữ liệu khác."""
    return province_round(Period.parse(period), inbox, out, db_url, config_path, trigger, lock_wait_seconds, start_over)
