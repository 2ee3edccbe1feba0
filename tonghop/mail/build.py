"""The four messages the pipeline sends: a unit's validation report, the officer's notice, a reminder, a digest."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from schemas.catalogue import load_catalogue
from tonghop.consolidate.completeness import deadline_end, reporting
from tonghop.config import Period, ProvinceConfig, Unit
from tonghop.consolidate.current import SubmissionInfo
from tonghop.reports.listing import CSV_NAME, indicator_label, kind_counts, listing, problems_csv
from tonghop.mail.message import (
    attach, clean_text, date_vi, new_message, paragraphs, render, resend_by, safe_filename, today_in,
)
from tonghop.mail.recipients import unit_addresses
from tonghop.mail.settings import consolidator_full
from tonghop.numbers import format_vi
from tonghop.problems import ValidationReport
from tonghop.statuses import ACCEPTED, FILE_STATUS_VI, PARTIAL, REJECTED

STATUS_COLOUR = {ACCEPTED: "#1b7f3b", PARTIAL: "#b26a00", REJECTED: "#b00020"}


def _common(config: ProvinceConfig, period: Period) -> dict:
    return {
        "province": config.province_name,
        "province_short": config.province_short,
        "consolidator": config.consolidator_name,
        "consolidator_full": consolidator_full(config),
        "contact": config.consolidator_email,
        "period_vi": period.vi,
    }


def _counts_text(n_errors: int, n_warnings: int) -> str:
    parts = [f"{n} lỗi" for n in [n_errors] if n] + [f"{n} cảnh báo" for n in [n_warnings] if n]
    return f" ({', '.join(parts)})" if parts else ""


def parts_text(codes: list[str]) -> str:
    """'1 chỉ tiêu và 3 loại hoạt động': Biểu 01 indicators and Biểu 02 activity kinds, each counted as what it is."""
    activities = load_catalogue().activities
    n_act = sum(1 for c in codes if c in activities)
    n_ind = len(codes) - n_act
    parts = [f"{n} chỉ tiêu" for n in [n_ind] if n] + [f"{n} loại hoạt động" for n in [n_act] if n]
    return " và ".join(parts) or "0 chỉ tiêu"


def build_report_message(report: ValidationReport, *, config: ProvinceConfig, period: Period,
                         recipients: list[str], deadline: date, annotated_copy: Path | None,
                         full_list_csv: bytes | None = None, today: date | None = None,
                         newer: SubmissionInfo | None = None) -> EmailMessage:
    """The validation report for the unit that sent the file: verdict, what to do and by when, the problems.

    At most MAX_LINES problem lines are shown; when some are left out the full list is attached as CSV
    (`full_list_csv` if the caller has one, else generated). The annotated copy is attached unchanged.
    `newer`: the unit's later file that consolidation uses instead (accepted or partly): then nothing is
    asked of this file.
    """
    today = today or today_in(config)
    unit = config.units.get(report.unit or "")
    unit_name = clean_text(unit.name if unit else (report.unit_name or report.unit or report.file), 120)
    status = report.status
    shown = listing(report.problems)
    n_err, n_warn = len(report.errors), len(report.warnings)
    attachments: list[tuple[str, str, bytes]] = []
    if annotated_copy is not None:
        attachments.append((safe_filename(annotated_copy.name), "annotated", Path(annotated_copy).read_bytes()))
    if shown.capped:
        attachments.append((CSV_NAME, "csv", full_list_csv if full_list_csv is not None else problems_csv(report.problems)))
    context = {
        **_common(config, period),
        "unit_name": unit_name,
        "status": status,
        "status_vi": FILE_STATUS_VI[status],
        "colour": STATUS_COLOUR[status],
        "file_name": clean_text(report.file, 200),
        "sha256": report.sha256,
        "deadline": deadline,
        "by": resend_by(deadline, today),
        "kinds": kind_counts(report.problems),
        "listing": shown,
        "n_errors": n_err,
        "n_warnings": n_warn,
        "attachments": [(name, kind) for name, kind, _ in attachments],
        "csv_name": CSV_NAME,
    }
    if newer is not None:
        context["newer"] = {"file": clean_text(newer.file_name, 120), "status_vi": FILE_STATUS_VI[newer.status].lower(),
                            "status": newer.status,
                            "received": f"{newer.received_at.astimezone(ZoneInfo(config.timezone)):%d/%m/%Y %H:%M}"}
    context["to_do"] = newer is None and (status != ACCEPTED or n_err > 0 or n_warn > 0)
    context["verdict"] = paragraphs(
        "verdict.txt.j2", **context, accepted_parts=parts_text(report.accepted_indicators),
        blocked_parts=parts_text(report.blocked_indicators),
        blocked=[indicator_label(c) for c in report.blocked_indicators])
    subject = (f"[{config.province_short}] {unit_name} – {period.vi}: "
               f"{FILE_STATUS_VI[status]}{_counts_text(n_err, n_warn)}")
    if newer is not None:
        subject += f"; tệp gửi sau đã {FILE_STATUS_VI[newer.status].lower()}"
    msg = new_message(config, to=recipients, subject=subject,
                      text=render("report.txt.j2", **context), html=render("report.html.j2", **context))
    for name, _kind, data in attachments:
        attach(msg, data, name)
    return msg


def notice_reason(report: ValidationReport, config: ProvinceConfig) -> str:
    """Why no unit can be mailed: unreadable | no-unit | unknown-unit | no-address."""
    codes = {p.code for p in report.problems}
    if codes & {"file-unreadable", "form-not-found"}:
        return "unreadable"
    if not report.unit or "unit-missing" in codes:
        return "no-unit"
    unit = config.units.get(report.unit)
    if unit is None:
        return "unknown-unit"
    return "no-address"


def build_unknown_sender_notice(report: ValidationReport, *, config: ProvinceConfig, period: Period,
                                typed_email: str | None = None, annotated_copy: Path | None = None,
                                reason: str | None = None) -> EmailMessage:
    """To the data officer: a file whose unit is unknown or unreadable (or has no registered address).

    The typed unit code, name and e-mail are shown in the body only (escaped, one line each): a file can
    never make the system mail a stranger.
    """
    reason = reason or notice_reason(report, config)
    shown = listing(report.problems)
    unit = config.units.get(report.unit or "")
    context = {
        **_common(config, period),
        "reason": reason,
        "file_name": clean_text(report.file, 200),
        "sha256": report.sha256,
        "typed_unit": clean_text(report.unit, 60),
        "typed_unit_name": clean_text(report.unit_name, 120),
        "typed_email": clean_text(typed_email, 120),
        "unit_name": clean_text(unit.name) if unit else "",
        # an unreadable file's header was never read: its fields are unknown, not empty
        "blank": "(không đọc được)" if reason == "unreadable" else "(để trống)",
        "status_vi": FILE_STATUS_VI[report.status],
        "listing": shown,
        "kinds": kind_counts(report.problems),
        "n_errors": len(report.errors),
        "n_warnings": len(report.warnings),
        "csv_name": CSV_NAME,
    }
    context["reason_paragraphs"] = paragraphs("_notice_reason.txt.j2", **context)
    subject = (f"[{config.province_short}] Cần xử lý – {period.vi}: chưa gửi được kết quả kiểm tra "
               f"tệp \u201c{clean_text(report.file, 80)}\u201d")
    msg = new_message(config, to=[config.consolidator_email], subject=subject,
                      text=render("notice.txt.j2", **context), html=render("notice.html.j2", **context))
    if annotated_copy is not None:
        attach(msg, Path(annotated_copy).read_bytes(), safe_filename(annotated_copy.name))
    if shown.capped:
        attach(msg, problems_csv(report.problems), CSV_NAME)
    return msg


def build_reminder(unit: Unit, *, config: ProvinceConfig, period: Period, deadline: date, days_left: int,
                   last_status: str | None = None) -> EmailMessage:
    """To a unit that has not reported (or whose last file was rejected): what to send, to whom, by when."""
    to = unit_addresses(unit)
    context = {
        **_common(config, period),
        "unit_name": clean_text(unit.name),
        "deadline": deadline,
        "days_left": days_left,
        "when": _when(days_left),
        "today": deadline - timedelta(days=days_left),
        "indicators": [indicator_label(c) for c in unit.indicators],
        "last_status": last_status,
    }
    context["body"] = paragraphs("_reminder_body.txt.j2", **context)
    subject = (f"[{config.province_short}] Nhắc nộp báo cáo bình đẳng giới {period.vi} – "
               f"hạn {date_vi(deadline)} ({context['when']})")
    return new_message(config, to=to, subject=subject,
                       text=render("reminder.txt.j2", **context), html=render("reminder.html.j2", **context))


def build_template_message(unit: Unit, *, config: ProvinceConfig, period: Period, template: Path) -> EmailMessage:
    """The start-of-round letter: the unit's own form attached, what to fill, by when, where to send it."""
    to = unit_addresses(unit)
    context = {
        **_common(config, period),
        "unit_name": clean_text(unit.name),
        "deadline": config.deadline(period),
        "indicators": [indicator_label(c) for c in unit.indicators],
        "file_name": template.name,
    }
    context["body"] = paragraphs("_template_body.txt.j2", **context)
    subject = (f"[{config.province_short}] Biểu mẫu báo cáo bình đẳng giới {period.vi} – {clean_text(unit.name)} "
               f"(hạn {date_vi(context['deadline'])})")
    msg = new_message(config, to=to, subject=subject,
                      text=render("template.txt.j2", **context), html=render("template.html.j2", **context))
    attach(msg, template.read_bytes(), template.name)
    return msg


@dataclass(frozen=True)
class DigestRow:
    """One configured unit (or one file naming no known unit) as the digest shows it."""

    unit_code: str | None          # None: a file whose unit the province does not know
    unit_name: str
    status: str | None             # accepted | partially_accepted | rejected; None: nothing received
    received_at: datetime | None = None
    file_name: str | None = None
    n_errors: int = 0
    n_warnings: int = 0
    emails: tuple[str, ...] = ()


def build_digest(*, config: ProvinceConfig, period: Period, rows: list[DigestRow],
                 today: date | None = None, mail_review: list[dict] = ()) -> EmailMessage:
    """To the data officer: completeness and timeliness, who is missing, what was rejected, who reported."""
    today = today or today_in(config)
    tz = ZoneInfo(config.timezone)
    deadline = config.deadline(period)
    end = deadline_end(config, period)
    units = [r for r in rows if r.unit_code is not None]
    strangers = [r for r in rows if r.unit_code is None]
    entries = []
    for r in units:
        local = r.received_at.astimezone(tz) if r.received_at else None
        reported, on_time = reporting(r.status, r.received_at, end)
        entries.append({
            "row": r,
            "name": clean_text(r.unit_name, 120),
            "file": clean_text(r.file_name, 120),
            "status_vi": FILE_STATUS_VI.get(r.status or "", "Chưa nộp"),
            "received": local.strftime("%d/%m/%Y %H:%M") if local else "",
            "reported": reported,
            # on time is judged by the file's arrival, never by when a later run read it
            "late": on_time is False,
            "on_time": on_time is True,
        })
    reported = [e for e in entries if e["reported"]]
    n_on_time = sum(1 for e in entries if e["on_time"])
    context = {
        **_common(config, period),
        "today": today,
        "deadline": deadline,
        "when": _when((deadline - today).days),
        "expected": len(units),
        "n_reported": len(reported),
        "n_on_time": n_on_time,
        "rate": _percent(len(reported), len(units)),
        "rate_on_time": _percent(n_on_time, len(units)),
        "missing": [e for e in entries if e["row"].status is None],
        "rejected": [e for e in entries if e["row"].status == REJECTED],
        "reported": reported,
        "strangers": [{"name": clean_text(r.unit_name, 120), "file": clean_text(r.file_name, 120),
                       "received": r.received_at.astimezone(tz).strftime("%d/%m/%Y %H:%M") if r.received_at else ""}
                      for r in strangers],
        # messages of the mailbox no one was answered about (tonghop.mail.review)
        "mail_review": [{**m, "received": m["received_at"].astimezone(tz).strftime("%d/%m/%Y %H:%M")} for m in mail_review],
        "mail_strangers": any(m["outcome"] == "stranger" for m in mail_review),
    }
    subject = (f"[{config.province_short}] Tình hình nộp báo cáo {period.vi} ngày {date_vi(today)}: "
               f"{len(reported)}/{len(units)} đơn vị đã nộp")
    return new_message(config, to=[config.consolidator_email], subject=subject,
                       text=render("digest.txt.j2", **context), html=render("digest.html.j2", **context))


def _percent(part: int, whole: int) -> str:
    return f"{format_vi(part / whole * 100, 0)}%" if whole else "–"


def _when(days_left: int) -> str:
    if days_left > 0:
        return f"còn {days_left} ngày"
    return "hạn cuối là hôm nay" if days_left == 0 else f"đã quá hạn {-days_left} ngày"
