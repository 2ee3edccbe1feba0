"""The per-file work of a round, a batch at a time, as plain functions a worker process can run: picklable
arguments in (a database URL, the configuration, the period, the output folders), small facts out."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tonghop.check.validate import validate_files
from tonghop.config import Period, ProvinceConfig
from tonghop.errors import OutputError, os_reason
from tonghop.intake.read import parse_file
from tonghop.mail.queue import ReportToQueue, queue_reports
from tonghop.problems import ValidationReport
from tonghop.reports.consolidated import write_consolidated_reports
from tonghop.round import steps
from tonghop.round.ingest import InboxFile
from tonghop.store import open_db
from tonghop.store.repo import save_checked


@dataclass(frozen=True)
class FileDone:
    """What the rest of the round needs of one file read in a batch: its report, not its sheets or figures."""

    file: str
    sha256: str
    report: ValidationReport
    typed_email: str | None = None        # the address typed in the form, for the report's recipients
    annotated: Path | None = None         # the annotated copy, attached to the message


def check_batch(batch: list[InboxFile], db_url: str, config: ProvinceConfig, period: Period, paths: steps.RoundPaths,
                store: bool = True) -> list[FileDone]:
    """Read and validate a batch together, store it (unless `store` is False: files stored by an earlier run
    that lack their reports), then write each file's JSON and HTML report and annotated copy.

    Opens its own engine from the URL (a worker is another process, maybe another machine) and disposes of it:
    an engine kept for the process would keep writing to a SQLite file deleted and made anew since."""
    checked = validate_files([parse_file(f.path) for f in batch], config, period)
    if store:
        engine = open_db(db_url, migrated=True)     # the flow migrated it before handing out any batch
        try:
            save_checked(engine, [(c, f.received_at) for c, f in zip(checked, batch)], period.code)
        finally:
            engine.dispose()
    done = []
    for item in checked:
        try:
            # looked up on the module at call time: the fault tests stop a run right after a file's outputs
            written = steps.write_file_outputs(item, paths, config, period)
        except OSError as exc:
            raise OutputError(f"Không ghi được báo cáo vào {paths.submissions}: {os_reason(exc)}") from exc
        done.append(FileDone(item.parsed.path.name, item.parsed.sha256, item.report,
                             str(item.parsed.header.get("email") or "") or None, written.get("annotated")))
    return done


def queue_batch(done: list[FileDone], ids: dict[str, int], db_url: str, config: ProvinceConfig,
                period: Period) -> int:
    """Queue the message of each file of a batch (the outbox key makes a second time a no-op); returns how
    many were newly queued. Run once every batch is stored: a message says when a later file replaced its own."""
    engine = open_db(db_url, migrated=True)
    try:
        return queue_reports(engine, [ReportToQueue(d.report, ids.get(d.sha256), d.annotated, d.typed_email)
                                      for d in done], config=config, period=period)
    finally:
        engine.dispose()


def consolidate_reports(db_url: str, config: ProvinceConfig, period: Period,
                        out_dir: Path) -> tuple[dict[str, dict], dict[str, Path]]:
    """Merge the accepted figures and write the consolidated reports from the database at `db_url`: what a worker
    process does for a province of a national round while the flow process goes on with the next one."""
    engine = open_db(db_url, migrated=True)
    try:
        return write_consolidated_reports(engine, config, period, out_dir)
    finally:
        engine.dispose()
