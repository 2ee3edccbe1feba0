"""Command line `tonghop`: run a round, and the officer's other everyday commands."""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tonghop.config import DEFAULT_CONFIG
from tonghop.errors import TonghopError
from tonghop.safety import terminal_text

app = typer.Typer(
    help="tonghop — tổng hợp báo cáo bình đẳng giới của các đơn vị cho Sở Nội vụ.\n\n"
         "Đọc các tệp Excel các đơn vị gửi, kiểm tra, lưu vào cơ sở dữ liệu, trả kết quả kiểm tra "
         "cho từng đơn vị và lập báo cáo tổng hợp.",
    no_args_is_help=True, rich_markup_mode="rich", pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)

STATUS_VI = {"accepted": "Chấp nhận", "partially_accepted": "Chấp nhận một phần", "rejected": "Từ chối"}

ConfigOpt = typer.Option(Path(os.environ.get("TONGHOP_CONFIG", DEFAULT_CONFIG)), "--config", "-c",
                         help="Tệp cấu hình của tỉnh (đơn vị, địa bàn, hạn nộp). Biến môi trường: TONGHOP_CONFIG.")
OutOpt = typer.Option(Path(os.environ.get("TONGHOP_OUT", "outputs")), "--out", "-o",
                      help="Thư mục kết quả; mỗi kỳ một thư mục con.")
DbOpt = typer.Option(os.environ.get("TONGHOP_DB"), "--db",
                     help="URL cơ sở dữ liệu (mặc định: tệp SQLite OUT/tonghop.db; PostgreSQL: "
                          "postgresql+psycopg://user@host/db). Biến môi trường: TONGHOP_DB.")


@app.callback()
def _root() -> None:
    """Các lệnh: run (chạy đợt tổng hợp), template (lập biểu mẫu), schedule/serve (lịch chạy), runs (nhật ký)."""


def _quiet_prefect(verbose: bool) -> None:
    """Prefect reads these at import; a data officer wants the progress bar, not the engine's logs."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect's 20 s for its own local server is too short on a busy office PC (seen here with two cores loaded).
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _known_error(record: logging.LogRecord) -> bool:
    """False for a log record carrying a TonghopError: the CLI prints it itself, in one line."""
    exc = record.exc_info[1] if record.exc_info else None
    return not isinstance(exc, TonghopError)


def _hide_known_errors(verbose: bool) -> None:
    """Prefect prints the traceback of an exception that ends a flow run; for the errors tonghop explains
    (a folder it cannot write, a database it cannot open, a run already in progress) the officer gets the
    one-line Vietnamese message instead. Only the terminal loses it: the Prefect server still records it."""
    if verbose:
        return
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and _known_error not in handler.filters:
            handler.addFilter(_known_error)


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]Lỗi:[/] {message}", soft_wrap=True)   # a path cut by wrapping is hard to copy
    raise typer.Exit(code)


def require_folder(path: Path, option: str, name: str, holds: str) -> None:
    """Exit 2 with one Vietnamese line when `path` is missing or is a file (Click's own check is English)."""
    if not path.exists():
        fail(f"Không tìm thấy {name} {path}")
    if not path.is_dir():
        fail(f"{path} là một tệp, không phải thư mục; {option} cần thư mục chứa {holds}")


@app.command()
def run(
    period: str = typer.Option(..., "--period", "-p", help="Kỳ báo cáo: 2025-H1 (6 tháng) hoặc 2025-Y (năm)."),
    inbox: Path = typer.Option(..., "--inbox", "-i", help="Thư mục chứa các tệp đơn vị gửi cho kỳ này."),
    out: Path = OutOpt,
    db: Optional[str] = DbOpt,
    config: Path = ConfigOpt,
    wait: float = typer.Option(0, "--wait", help="Nếu một lần chạy khác đang xử lý kỳ này: chờ tối đa N giây "
                                                 "(mặc định không chờ, báo ngay)."),
    start_over: bool = typer.Option(False, "--start-over",
                                    help="Làm lại kỳ này từ đầu dù thư mục kết quả đã có kết quả lập với một cơ sở "
                                         "dữ liệu khác (đọc lại mọi tệp và gửi lại mọi thư)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Hiện nhật ký chi tiết của Prefect."),
) -> None:
    """Chạy một đợt tổng hợp: đọc, kiểm tra, lưu từng tệp; ghi báo cáo kiểm tra và summary.json.

    Chạy lại trên cùng hộp thư không làm thay đổi gì: tệp đã đọc (cùng nội dung) không đọc lại.
    Mã thoát 0 khi đợt đã xử lý xong (dù có tệp bị từ chối); khác 0 khi chính đợt chạy không hoàn thành.

    Ví dụ: tonghop run --period 2025-Y --inbox sample_inputs/2025-Y
    """
    _quiet_prefect(verbose)
    from tonghop import progress
    from tonghop.config import Period, load_config

    from tonghop.round import RoundPaths
    from tonghop.store import default_db_url, open_db

    require_folder(inbox, "--inbox", "thư mục hộp thư đến", "các tệp đơn vị gửi")
    from tonghop.mail.message import today_in

    try:
        cfg = load_config(config)
        p = Period.parse(period)
        cfg.check_run_period(p, today_in(cfg))    # a typo'd period is refused before anything is read
        # before the flow starts: a folder or database that cannot be used is said in one line, not a traceback
        RoundPaths.for_period(out, p)
        open_db(db or default_db_url(out)).dispose()
    except TonghopError as exc:
        fail(str(exc))
    from flows.round import consolidate_round
    from flows.runners import task_runner

    _hide_known_errors(verbose)

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as bar:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done if total else 1, total=max(total, 1))

        progress.set_reporter(report)
        try:
            runner = task_runner()   # threads by default; Dask with TONGHOP_DASK_ADDRESS / TONGHOP_TASK_RUNNER=dask
            summary = consolidate_round.with_options(task_runner=runner)(
                period=period, inbox=str(inbox.resolve()), out=str(out), db_url=db, config_path=str(config),
                trigger="manual", lock_wait_seconds=wait, start_over=start_over)
        except TonghopError as exc:
            fail(str(exc))
        finally:
            progress.set_reporter(None)
    print_summary(summary, out)


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
    from tonghop.form import template_name, write_templates

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
        from tonghop.mail.queue import queue_templates
        from tonghop.mail.send import deliver_pending
        from tonghop.mail.settings import SmtpSettings
        from tonghop.store import default_db_url, open_db

        default_out = Path(os.environ.get("TONGHOP_OUT", "outputs"))
        if not db:
            default_out.mkdir(parents=True, exist_ok=True)   # the default database's folder; an explicit --db must exist
        engine = open_db(db or default_db_url(default_out))
        codes = unit or list(cfg.units)
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


@app.command()
def schedule(
    inbox: str = typer.Option("inbox/{period}", "--inbox", "-i",
                              help="Thư mục hộp thư đến; {period} được thay bằng mã kỳ (ví dụ inbox/2025-Y)."),
    out: Path = OutOpt, db: Optional[str] = DbOpt, config: Path = ConfigOpt,
    count: int = typer.Option(3, "--count", "-n", help="Số lần chạy tới hiển thị cho mỗi lịch."),
) -> None:
    """In lịch chạy tự động lấy từ tệp cấu hình (không cần máy chủ Prefect): mỗi deployment, chuỗi cron,
    múi giờ và các lần chạy tới."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tonghop.config import load_config
    from tonghop.schedule import format_plan, plan_deployments

    try:
        cfg = load_config(config)
    except TonghopError as exc:
        fail(str(exc))
    now = datetime.now(ZoneInfo(cfg.timezone))
    planned = plan_deployments(cfg, inbox, out, db_url=db, config_path=config, now=now)
    typer.echo(format_plan(planned, now, count))
    _warn_if_nothing_scheduled(planned, cfg)


def _warn_if_nothing_scheduled(planned, cfg) -> None:
    from tonghop.schedule import no_upcoming_warning

    warning = no_upcoming_warning(planned, cfg)
    if warning:
        err.print(f"[bold yellow]{escape(warning)}[/]", soft_wrap=True, highlight=False)


@app.command()
def serve(
    inbox: str = typer.Option("inbox/{period}", "--inbox", "-i",
                              help="Thư mục hộp thư đến; {period} được thay bằng mã kỳ."),
    out: Path = OutOpt, db: Optional[str] = DbOpt, config: Path = ConfigOpt,
) -> None:
    """Phục vụ các deployment theo lịch trên máy chủ Prefect (PREFECT_API_URL); giữ chạy đến khi Ctrl+C.

    Trước đó: `prefect server start` ở cửa sổ khác và `prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api`.
    """
    _quiet_prefect(False)
    from tonghop.schedule import plan_deployments
    from tonghop.config import load_config

    try:
        cfg = load_config(config)
        _warn_if_nothing_scheduled(plan_deployments(cfg, inbox, out, db_url=db, config_path=config), cfg)
    except TonghopError as exc:
        fail(str(exc))
    from flows.deployments import serve_all

    serve_all(str(config), inbox, str(out), db)


@app.command()
def runs(
    period: Optional[str] = typer.Option(None, "--period", "-p", help="Chỉ các lần chạy của kỳ này."),
    limit: int = typer.Option(20, "--limit", "-n", help="Số lần chạy gần nhất."),
    out: Path = OutOpt, db: Optional[str] = DbOpt, config: Path = ConfigOpt,
) -> None:
    """Nhật ký các lần chạy: ai/cái gì kích hoạt, tham số, số tệp, kết quả."""
    from tonghop.config import load_config
    from tonghop.runs import format_runs, list_runs
    from tonghop.store import default_db_url, open_db

    url = db or default_db_url(out)
    if not db and not (out / "tonghop.db").exists():   # a listing must not create an empty database
        fail(f"Chưa có cơ sở dữ liệu {out / 'tonghop.db'}: chưa có đợt nào chạy với --out {out} "
             "(hoặc chỉ ra cơ sở dữ liệu bằng --db)")
    try:
        cfg = load_config(config)
        engine = open_db(url)
    except TonghopError as exc:
        fail(str(exc))
    typer.echo(format_runs(list_runs(engine, limit=limit, period=period), cfg.timezone))
    engine.dispose()


@app.command()
def national(
    inputs: Path = typer.Option(..., "--inputs", "-i",
                                help="Thư mục chứa tệp SDMX-CSV của các tỉnh (sdmx-<mã tỉnh>-<kỳ>.csv)."),
    out: Path = typer.Option(Path("outputs/quoc-gia"), "--out", "-o", help="Thư mục ghi báo cáo toàn quốc."),
    period: Optional[str] = typer.Option(None, "--period", "-p", help="Kỳ báo cáo (mặc định: kỳ của các tệp)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Hiện nhật ký chi tiết của Prefect."),
) -> None:
    """Tổng hợp toàn quốc (Bộ Nội vụ): đọc, kiểm tra tệp SDMX-CSV của các tỉnh, tính giá trị toàn quốc và
    ghi báo cáo (xlsx, SDMX-CSV toàn quốc). Tệp có lỗi được báo theo từng dòng, không làm dừng đợt chạy."""
    _quiet_prefect(verbose)
    from tonghop.national import find_inputs

    require_folder(inputs, "--inputs", "thư mục", "tệp SDMX-CSV của các tỉnh")
    if not find_inputs(inputs):
        fail(f"Thư mục {inputs} không có tệp .csv nào: hãy chép vào đó tệp sdmx-<mã tỉnh>-<kỳ>.csv của các tỉnh")
    from flows.national import consolidate_national_flow

    try:
        result = consolidate_national_flow(inputs=str(inputs), out=str(out), period=period)
    except TonghopError as exc:
        fail(str(exc))
    used = sum(1 for f in result["files"] if f["used"])
    console.print(f"Kỳ {result['period'] or 'chưa xác định (không tệp nào đọc được)'}: {len(result['files'])} tệp, {used} tệp được dùng, "
                  f"{len(result['provinces_reporting'])} tỉnh có số liệu, {len(result['problems'])} vấn đề.")
    if result["provinces_missing"]:
        console.print(f"Tỉnh chưa có tệp hợp lệ: {', '.join(result['provinces_missing'])}")
    for path in result["outputs"].values():
        console.print(f"  {path}")


def print_summary(summary: dict, out: Path) -> None:
    """The short table an officer reads at the end of a run."""
    table = Table(title=f"{summary['province']} — {summary['period_vi']}", show_lines=False)
    table.add_column("Tệp")
    table.add_column("Đơn vị")
    table.add_column("Kết quả")
    table.add_column("Ghi chú")
    subs = {s["id"]: s for s in summary["submissions"]}
    for f in summary["files"]:
        sub = subs.get(f["submission_id"]) or {}
        note = {"known": "đã đọc ở lần chạy trước", "duplicate": f"trùng nội dung với {f['duplicate_of']}"}.get(
            f["state"], "")
        if sub:
            note = ", ".join(x for x in [note, f"{sub['errors']} lỗi, {sub['warnings']} cảnh báo"] if x)
        # names and codes come from senders: no rich markup, no terminal escape codes
        table.add_row(terminal_text(f["file"]), terminal_text(f["unit"] or "?", 40),
                      STATUS_VI.get(f["status"] or "", "—"), terminal_text(note, 200))
    console.print(table)
    c = summary["counts"]
    console.print(
        f"Tệp trong hộp thư: {summary['files_in_inbox']} · đọc mới: {summary['files_read_this_run']} · "
        f"chấp nhận: {c['accepted']} · một phần: {c['partially_accepted']} · từ chối: {c['rejected_files']} · "
        f"đơn vị chưa nộp: {len(summary['units_missing'])}/{summary['units_expected']}")
    mail = summary.get("mail", {})
    if mail.get("failed_error"):
        console.print(f"[yellow]Thư chưa gửi được[/] ({mail['failed_error']}); thư vẫn trong hộp thư đi, lần chạy sau sẽ gửi.")
    elif mail:
        where = f"gửi qua máy chủ thư: {mail.get('sent', 0)}" if mail.get("sent") else \
            f"ghi thành tệp .eml: {mail.get('written', 0)} (chưa cấu hình TONGHOP_SMTP_HOST)"
        console.print(f"Thư kết quả mới xếp hàng: {mail.get('queued', 0)} · {where}")
    indicators = summary.get("indicators", {})
    if indicators:
        met = sum(1 for i in indicators.values() if i.get("status") == "achieved")
        not_met = sum(1 for i in indicators.values() if i.get("status") == "not_achieved")
        no_data = sum(1 for i in indicators.values() if i.get("status") == "no_data")
        to_check = sum(1 for i in indicators.values() if i.get("status") == "to_check")
        no_target = sum(1 for i in indicators.values() if i.get("status") is None)
        console.print(f"Chỉ tiêu: {met} đạt · {not_met} chưa đạt · {no_data} chưa có số liệu hợp lệ"
                      + (f" · {to_check} cần kiểm tra số liệu" if to_check else "")
                      + (f" · {no_target} chưa có mục tiêu để so sánh" if no_target else "")
                      + f" (trên {len(indicators)} chỉ tiêu)")
    for path in summary.get("consolidated", {}).values():
        console.print(f"  {path}")
    console.print(f"Kết quả: {Path(out) / summary['period']}  (summary.json, submissions/, mail/)")


_VALUE_REASONS_VI = [("valid integer", "cần một số nguyên"), ("valid number", "cần một số"),
                     ("valid boolean", "cần có hoặc không (true/false)")]


def _is_usage_error(exc: BaseException) -> bool:
    """Typer vendors Click and does not export its exception classes; a usage error is recognised by its
    shape (Click's UsageError: exit code 2, a context, a formatted message)."""
    return getattr(exc, "exit_code", None) == 2 and hasattr(exc, "ctx") and hasattr(exc, "format_message")


def usage_error_vi(exc: Exception) -> str:
    """Click's usage errors in Vietnamese (the officer typed the command; Click's own text is English)."""
    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)
    kind = type(exc).__name__
    hint = f" Xem hướng dẫn: {ctx.command_path} --help" if ctx is not None else " Xem: tonghop --help"

    def name() -> str:
        opts = getattr(param, "opts", None) or [getattr(param, "name", "?")]
        return " / ".join(opts)

    if kind == "MissingParameter" and param is not None:
        return f"Thiếu tùy chọn bắt buộc {name()}.{hint}"
    if kind == "NoSuchOption":
        maybe = getattr(exc, "possibilities", None)
        suggestion = f" (có phải {', '.join(maybe)}?)" if maybe else ""
        return f"Không có tùy chọn {getattr(exc, 'option_name', '')}{suggestion}.{hint}"
    if kind == "BadParameter" and param is not None:
        detail = str(getattr(exc, "message", "") or "")
        detail = next((vi for en, vi in _VALUE_REASONS_VI if en in detail), detail)
        return f"Giá trị không hợp lệ cho {name()}: {detail}.{hint}"
    message = exc.format_message()
    if message.startswith("No such command"):
        return f"Không có lệnh {message.removeprefix('No such command').strip(' .')}.{hint}"
    return f"Lệnh không hợp lệ: {message}.{hint}"


def main(argv: list[str] | None = None) -> None:
    """The `tonghop` command: the app, with usage errors in Vietnamese (exit status 2)."""
    try:
        code = app(args=argv, prog_name="tonghop", standalone_mode=False)
    except typer.Abort:
        err.print("Đã dừng.")
        sys.exit(130)
    except TonghopError as exc:
        err.print(f"[bold red]Lỗi:[/] {exc}", soft_wrap=True)
        sys.exit(2)
    except Exception as exc:
        if not _is_usage_error(exc):
            raise
        if type(exc).__name__ != "NoArgsIsHelpError":      # `tonghop` alone: Typer has printed the help
            err.print(f"[bold red]Lỗi:[/] {escape(usage_error_vi(exc))}", soft_wrap=True, highlight=False)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
