"""`tonghop template`: each unit's own form for a period, and with --send the mail that carries it."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from flows.cli.app import ConfigOpt, DbOpt, app, console, err, fail
from tonghop.errors import TonghopError


@app.command()
def template(
    period: str = typer.Option(..., "--period", "-p", help="Kỳ báo cáo của biểu mẫu, ví dụ 2025-Y."),
    unit: Optional[list[str]] = typer.Option(None, "--unit", "-u",
                                             help="Mã đơn vị (lặp lại được); bỏ trống = tất cả đơn vị."),
    out: Path = typer.Option(Path("outputs/bieu-mau"), "--out", "-o", help="Thư mục ghi các tệp biểu mẫu."),
    send: bool = typer.Option(False, "--send", help="Gửi mỗi đơn vị biểu mẫu của mình qua thư (mỗi đơn vị một lần "
                                                     "mỗi kỳ; không cấu hình máy chủ thư thì ghi tệp .eml)."),
    db: Optional[str] = DbOpt,
    config: Path = ConfigOpt,
    yes: bool = typer.Option(False, "--yes", "-y", help="Đồng ý gửi dù hạn nộp của kỳ đã qua (không hỏi lại)."),
) -> None:
    """Lập biểu mẫu riêng cho từng đơn vị: đã điền tên, mã, kỳ báo cáo và các chỉ tiêu được giao,
    có danh sách chọn, kiểm tra số liệu khi nhập và trang Hướng dẫn.

    Ví dụ: tonghop template --period 2025-Y --unit SYT --out outputs/bieu-mau
    """
    from tonghop.config import Period, load_config
    from tonghop.reports.form import write_templates

    try:
        cfg = load_config(config)
        p = Period.parse(period)
    except TonghopError as exc:
        fail(str(exc))
    unknown = [u for u in unit or [] if u not in cfg.units]
    if unknown:
        fail(f"Không có đơn vị {', '.join(unknown)} trong cấu hình {config}")
    if send:
        _confirm_late_send(cfg, p, yes)
    paths = write_templates(cfg, p, out, unit or None)
    for path in paths:
        console.print(f"  {path}")
    console.print(f"Đã lập {len(paths)} biểu mẫu kỳ {p.vi} trong {out}")
    if send:
        _send_templates(cfg, p, out, unit or list(cfg.units), db)


def _send_templates(cfg, p, out: Path, codes: list[str], db: str | None) -> None:
    """Queue each unit's form in the outbox (once per unit and period) and deliver what is pending."""
    from tonghop.mail.queue import queue_templates
    from tonghop.mail.send import deliver_pending
    from tonghop.mail.settings import SmtpSettings
    from tonghop.reports.form import template_name
    from tonghop.store import default_db_url, open_db

    default_out = Path(os.environ.get("TONGHOP_OUT", "outputs"))
    if not db:
        default_out.mkdir(parents=True, exist_ok=True)   # the default database's folder; an explicit --db must exist
    engine = open_db(db or default_db_url(default_out))
    queued = queue_templates(engine, cfg, p, {c: out / template_name(cfg.units[c], p) for c in codes})
    result = deliver_pending(engine, SmtpSettings.from_env(cfg), out / "thu")
    engine.dispose()
    console.print(f"Thư gửi biểu mẫu mới xếp hàng: {queued} · đã gửi: {result.sent} · ghi .eml: {result.written}"
                  + (f" · chưa gửi được: {result.failed}" if result.failed else ""))


def _confirm_late_send(cfg, p, yes: bool) -> None:
    """A form sent after its period's deadline asks units for a report already late: say so, and send only
    when the officer confirms (--yes, or an answer at the terminal; without a terminal, refuse)."""
    from tonghop.mail.message import today_in

    deadline, today = cfg.deadline(p), today_in(cfg)
    if today <= deadline:
        return
    err.print(f"[bold yellow]Cảnh báo:[/] hạn nộp kỳ {p.vi} là ngày {deadline:%d/%m/%Y}, đã qua "
              f"{(today - deadline).days} ngày: biểu mẫu gửi bây giờ đến các đơn vị khi đã quá hạn.",
              soft_wrap=True, highlight=False)
    if yes:
        return
    if not sys.stdin.isatty():
        fail("Không gửi thư nào vì hạn nộp đã qua. Nếu thật sự muốn gửi, chạy lại với --yes.")
    answer = typer.prompt("Vẫn gửi? Gõ 'có' để gửi, Enter để thôi", default="", show_default=False)
    if answer.strip().casefold() not in {"có", "co", "c", "yes", "y"}:
        fail("Không gửi thư nào (chưa được đồng ý).", code=1)
