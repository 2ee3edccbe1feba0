"""The steps of one round (one province, one period), as plain functions the Prefect flow orchestrates."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from datetime import date
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tonghop.config import Period, ProvinceConfig
from tonghop.errors import OutputError, TonghopError, os_reason
from tonghop.intake.header import parse_period_text
from tonghop.round.ingest import InboxFile, IngestResult
from tonghop.intake.read import parse_file
from tonghop.mail.message import resend_by, today_in
from tonghop.reports.annotate import annotate_workbook
from tonghop.reports.submission import output_stem, write_submission_reports
from tonghop.store.db import shown_url
from tonghop.store.models import OutboxMessage, Submission
from tonghop.store.repo import database_id, has_records
from tonghop.check.validate import CheckedFile, validate_files


@dataclass
class RoundPaths:
    """Where a round writes: <out>/<period>/ with submissions/, mail/ and the consolidated reports."""

    root: Path

    @property
    def submissions(self) -> Path:
        return self.root / "submissions"

    @property
    def mail(self) -> Path:
        return self.root / "mail"

    @property
    def archive(self) -> Path:
        """Received files, unchanged, by hash: shared by every period of the output folder."""
        return self.root.parent / "luu-tru"

    @classmethod
    def for_period(cls, out: Path, period: Period) -> "RoundPaths":
        paths = cls(Path(out) / period.code)
        for folder in (paths.root, paths.submissions, paths.mail, paths.archive):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                probe = folder / ".ghi-thu"
                probe.write_text("ok")
                probe.unlink()
            except OSError as exc:
                raise OutputError(f"Không ghi được vào thư mục kết quả {folder}: {os_reason(exc)}") from exc
        return paths


class NotThisPeriod(TonghopError):
    """Every readable file of the inbox declares another period: the run stops before storing or mailing."""


def check_inbox_period(paths: list[Path], period: Period) -> None:
    """Raise NotThisPeriod when no file declares `period` and some declare another one (a typo in
    --period would otherwise answer every unit "Sai kỳ báo cáo"). Reading stops at the first file of the
    period, so a right run pays for one file; files that cannot be read, or name no period, do not count."""
    others: dict[Period, int] = {}
    for path in paths:
        found = parse_period_text(parse_file(path).header.get("period"))
        if found == period:
            return
        if found is not None:
            others[found] = others.get(found, 0) + 1
    if not others:
        return
    listed = ", ".join(f"{n} tệp ghi kỳ {p.vi} ({p.code})"
                       for p, n in sorted(others.items(), key=lambda item: (-item[1], item[0].sort_key())))
    raise NotThisPeriod(
        f"Không tệp nào trong hộp thư là báo cáo kỳ {period.vi} ({period.code}): {listed}. "
        f"Đợt chạy dừng lại: không lưu tệp nào, không xếp và không gửi thư nào. "
        f"Kiểm tra lại --period và --inbox.")


class OtherDatabase(TonghopError):
    """The output folder holds the period's results made with another database: going on would read every
    file again and send every message again."""


def check_same_database(paths: RoundPaths, engine: Engine, period: Period, start_over: bool = False) -> None:
    """Raise OtherDatabase when `paths.root/summary.json` was written with another database than `engine`'s
    (its `database_id`; a summary from before identities counts as another database only when this one has
    no record of the period). `start_over` is the officer's explicit choice to do the period again."""
    summary = paths.root / "summary.json"
    if start_over or not summary.exists():
        return
    try:
        recorded = json.loads(summary.read_text(encoding="utf-8")).get("database_id")
    except (OSError, ValueError, AttributeError):
        recorded = None
    current = database_id(engine)
    if recorded == current:
        return
    known = has_records(engine, period.code)
    if recorded is None and known:
        return
    state = "chưa có hồ sơ nào của kỳ này" if not known else "không phải cơ sở dữ liệu đã lập các kết quả đó"
    raise OtherDatabase(
        f"Thư mục {paths.root} đã có kết quả kỳ {period.vi} ({period.code}) lập với một cơ sở dữ liệu khác, "
        f"còn cơ sở dữ liệu {shown_url(engine.url.render_as_string(hide_password=False))} {state}. "
        f"Chạy tiếp sẽ đọc lại mọi tệp và gửi lại cho các đơn vị những thư đã gửi, nên đợt chạy dừng lại, "
        f"không thay đổi gì. Hãy chỉ ra đúng cơ sở dữ liệu (--db hoặc TONGHOP_DB; mặc định là tệp tonghop.db "
        f"trong thư mục --out); chỉ khi thật sự muốn làm lại kỳ này từ đầu (gửi lại mọi thư), "
        f"chạy lại với --start-over.")


def mailed_hashes(engine: Engine, period: Period) -> set[str]:
    """Files whose report (or notice to the officer) is already in the outbox, whatever its state."""
    with Session(engine) as s:
        keys = s.scalars(select(OutboxMessage.key).where(OutboxMessage.period == period.code,
                                                         OutboxMessage.kind.in_(["report", "notice"])))
        return {k.rsplit(":", 1)[-1] for k in keys}


def needs_recheck(result: IngestResult, paths: RoundPaths, known_units: dict[str, str | None],
                  mailed: set[str]) -> list[InboxFile]:
    """Files stored by an earlier run that still lack their reports in this output folder (e.g. a new
    --out) or their message in the outbox (a run that died between storing and queueing)."""
    read_now = {sha for _name, sha in result.read}
    known = {o.file for o in result.outcomes if o.state == "known"}
    out = []
    for f in result.files:
        if f.path.name not in known or f.sha256 in read_now:
            continue
        unit = "".join(ch for ch in (known_units.get(f.sha256) or "khong-ro-don-vi") if ch.isalnum() or ch in "-_")
        if f.sha256 not in mailed or not (paths.submissions / f"{unit}-{f.sha256[:10]}.json").exists():
            out.append(f)
    return out


def recheck(files: list[InboxFile], config: ProvinceConfig, period: Period) -> list[CheckedFile]:
    """Validate again without storing: the result is the same as when the file was first read."""
    return validate_files([parse_file(f.path) for f in files], config, period)


def write_file_outputs(checked: CheckedFile, paths: RoundPaths, config: ProvinceConfig,
                       period: Period) -> dict[str, Path]:
    """JSON + HTML report and the annotated copy of one submission."""
    report = checked.report
    out = write_submission_reports(report, paths.submissions, period_vi=period.vi,
                                   resend_by=resend_by(config.deadline(period), today_in(config)),
                                   province=config.province_name)
    if not report.rejected_whole or any(p.cell for p in report.problems):
        try:
            annotated = annotate_workbook(checked.parsed.path, report.problems,
                                          paths.submissions / f"{output_stem(report)}-danh-dau")
        except Exception:  # noqa: BLE001 - a file we cannot re-open still has its JSON and HTML report
            annotated = None
        if annotated:
            out["annotated"] = annotated
    return out


def consolidation_fingerprint(engine: Engine, config: ProvinceConfig, today: date) -> str:
    """What the consolidated reports are made of: every stored submission of every period (the reports show
    earlier periods too; which one is current, its status and counts), the whole configuration, the day and
    tonghop's version. A file's figures never change (a submission is its content's hash), so equal
    fingerprints make equal reports."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("tonghop")
    except PackageNotFoundError:       # pragma: no cover - a source tree never installed
        release = "?"
    with Session(engine) as s:
        rows = sorted(tuple(str(v) for v in row) for row in s.execute(select(
            Submission.id, Submission.period, Submission.sha256, Submission.unit_code, Submission.status,
            Submission.is_current, Submission.received_at, Submission.n_errors, Submission.n_warnings)).all())
    return hashlib.sha256(repr((rows, repr(config), today.isoformat(), release)).encode("utf-8")).hexdigest()[:32]


def earlier_consolidation(paths: RoundPaths, fingerprint: str) -> tuple[dict[str, Any], dict[str, Path]] | None:
    """The indicators and consolidated files of the last run (its summary.json) when it had the same fingerprint
    and its files are all still there: a rerun that changed nothing need not write them again."""
    try:
        last = json.loads((paths.root / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(last, dict) or last.get("consolidation_fingerprint") != fingerprint:
        return None
    files = {k: Path(v) for k, v in (last.get("consolidated") or {}).items()}
    if not files or not all(f.exists() for f in files.values()) or not isinstance(last.get("indicators"), dict):
        return None
    return last["indicators"], files
