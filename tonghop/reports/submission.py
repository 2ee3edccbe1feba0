"""A submission's validation report as JSON (for programs) and as an HTML page (for people)."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tonghop.reports.listing import indicator_label, kind_counts, listing
from tonghop.problems import ValidationReport
from tonghop.statuses import FILE_STATUS_VI

TEMPLATES = Path(__file__).with_name("templates")


@cache
def jinja_env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def output_stem(report: ValidationReport) -> str:
    """File name stem of a submission's outputs: unit code and the start of the content hash."""
    unit = "".join(ch for ch in (report.unit or "khong-ro-don-vi") if ch.isalnum() or ch in "-_")
    return f"{unit}-{report.sha256[:10]}"


def render_json(report: ValidationReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def render_html(report: ValidationReport, *, period_vi: str, resend_by: str, province: str) -> str:
    """The submission's page; `resend_by` says when a corrected file should come (mail.message.resend_by)."""
    lines = listing(report.problems, limit=10_000)   # the page shows everything, grouped
    return jinja_env().get_template("submission.html").render(
        r=report, status_vi=FILE_STATUS_VI[report.status], lines=lines, counts=kind_counts(report.problems),
        period_vi=period_vi, resend_by=resend_by, province=province,
        accepted=[indicator_label(c) for c in report.accepted_indicators],
        blocked=[indicator_label(c) for c in report.blocked_indicators])


def write_submission_reports(report: ValidationReport, folder: Path, **context: str) -> dict[str, Path]:
    """Write `<stem>.json` and `<stem>.html` into folder; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = output_stem(report)
    paths = {"json": folder / f"{stem}.json", "html": folder / f"{stem}.html"}
    paths["json"].write_text(render_json(report), encoding="utf-8")
    paths["html"].write_text(render_html(report, **context), encoding="utf-8")
    return paths
