"""What `tonghop run` prints at the end of a round: the files' table, the counts, mail and the indicators."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tonghop.safe_text import terminal_text
from tonghop.statuses import FILE_STATUS_VI

_NOTES = {"known": "đã đọc ở lần chạy trước", "document": "không phải biểu mẫu: đã lưu trữ, không kiểm tra, không trả lời"}


def _console() -> Console:
    """The package's console, looked up at each call: callers (and tests) swap flows.cli.console to record."""
    import flows.cli

    return flows.cli.console


def files_table(summary: dict) -> Table:
    """One row per file of the inbox: its name, unit, result and a note."""
    table = Table(title=f"{summary['province']} — {summary['period_vi']}", show_lines=False)
    table.add_column("Tệp", overflow="fold")       # a name cut with "…" cannot be told from the next one
    table.add_column("Đơn vị")
    table.add_column("Kết quả")
    table.add_column("Ghi chú")
    subs = {s["id"]: s for s in summary["submissions"]}
    for f in summary["files"]:
        sub = subs.get(f["submission_id"]) or {}
        note = f"trùng nội dung với {f['duplicate_of']}" if f["state"] == "duplicate" else _NOTES.get(f["state"], "")
        if sub:
            note = ", ".join(x for x in [note, f"{sub['errors']} lỗi, {sub['warnings']} cảnh báo"] if x)
        document = f["state"] == "document"
        # names and codes come from senders: no rich markup, no terminal escape codes
        table.add_row(terminal_text(f["file"], None), "—" if document else terminal_text(f["unit"] or "?", 40),
                      "Văn bản kèm theo" if document else FILE_STATUS_VI.get(f["status"] or "", "—"),
                      terminal_text(note, 200))
    return table


def counts_lines(summary: dict) -> list[str]:
    """The files of the inbox and the units, counted."""
    c = summary["counts"]
    documents = summary.get("documents", 0)
    # a file a unit corrected by sending another is neither accepted now nor rejected: counted apart, so the
    # counts add up to the files in the inbox
    replaced = sum(1 for s in summary.get("submissions", [])
                   if s.get("is_current") is False and s.get("status") != "rejected")
    n = summary["units_expected"]
    return [f"Tệp trong hộp thư: {summary['files_in_inbox']} · đọc mới: {summary['files_read_this_run']} · "
            f"chấp nhận: {c['accepted']} · một phần: {c['partially_accepted']} · từ chối: {c['rejected_files']}"
            + (f" · đã được thay bằng bản gửi sau: {replaced}" if replaced else "")
            + (f" · văn bản kèm theo: {documents}" if documents else ""),
            f"Đơn vị đã nộp: {len(summary['units_reported'])}/{n} · "
            f"nộp đúng hạn: {len(summary['units_on_time'])}/{n} · chưa nộp: {len(summary['units_missing'])}"]


def mail_lines(summary: dict) -> list[tuple[str, bool]]:
    """The results' mail, the mailbox and placeholder addresses (rich markup), each with whether it wraps softly
    (a line holding an address or a path is not cut)."""
    lines = []
    mail = summary.get("mail", {})
    if mail.get("failed_error"):
        error = escape(mail["failed_error"])
        # "N thư chưa gửi được: <lý do>" says it already; any other failure (the database, the settings) gets it said
        said = f"[yellow]{error}[/]" if "chưa gửi được" in error else f"[yellow]Thư chưa gửi được[/] ({error})"
        lines.append((f"{said}; thư vẫn trong hộp thư đi, lần chạy sau sẽ gửi.", False))
    elif mail:
        where = f"gửi qua máy chủ thư: {mail.get('sent', 0)}" if mail.get("sent") else \
            f"ghi thành tệp .eml: {mail.get('written', 0)} (chưa cấu hình TONGHOP_SMTP_HOST)"
        lines.append((f"Thư kết quả mới xếp hàng: {mail.get('queued', 0)} · {where}", False))
    if summary.get("mailbox"):
        lines.append((escape(summary["mailbox"]["line"]), True))
    if mail.get("placeholders"):
        lines.append((f"[yellow]{escape(mail['placeholders'])}[/]", True))
    return lines


def indicators_line(indicators: dict) -> str:
    """How many indicators meet their target, miss it, have no valid figure, are to check or have no target."""
    def count(status: str | None) -> int:
        return sum(1 for i in indicators.values() if i.get("status") == status)

    to_check, no_target = count("to_check"), count(None)
    return (f"Chỉ tiêu: {count('achieved')} đạt · {count('not_achieved')} chưa đạt · {count('no_data')} chưa có số "
            "liệu hợp lệ"
            + (f" · {to_check} cần kiểm tra số liệu" if to_check else "")
            + (f" · {no_target} chưa có chỉ tiêu cần đạt để so sánh" if no_target else "")
            + f" (trên {len(indicators)} chỉ tiêu)")


def print_summary(summary: dict, out: Path) -> None:
    """The short table an officer reads at the end of a run."""
    console = _console()
    console.print(files_table(summary))
    for line in counts_lines(summary):
        console.print(line)
    for line, soft in mail_lines(summary):
        console.print(line, soft_wrap=soft)
    if summary.get("indicators"):
        console.print(indicators_line(summary["indicators"]))
    for path in summary.get("consolidated", {}).values():
        console.print(f"  {path}")
    console.print(f"Kết quả: {Path(out) / summary['period']}  (summary.json, submissions/, mail/)")
