"""Command line `tonghop`: run a round, and the officer's other everyday commands."""
from __future__ import annotations

import difflib
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup

from tonghop.config import DEFAULT_CONFIG
from tonghop.errors import TonghopError
from tonghop.safe_text import terminal_text
from tonghop.statuses import FILE_STATUS_VI

# Typer's help boilerplate in Vietnamese: rich_utils reads these module strings each time it prints a help.
rich_utils.OPTIONS_PANEL_TITLE = "Tùy chọn"
rich_utils.ARGUMENTS_PANEL_TITLE = "Tham số"
rich_utils.COMMANDS_PANEL_TITLE = "Lệnh"
rich_utils.REQUIRED_LONG_STRING = "[bắt buộc]"
rich_utils.DEFAULT_STRING = "[mặc định: {}]"
rich_utils.ENVVAR_STRING = "[biến môi trường: {}]"
rich_utils.DEPRECATED_STRING = "(không còn dùng) "
rich_utils.ERRORS_PANEL_TITLE = "Lỗi"
rich_utils.ABORTED_TEXT = "Đã dừng."
rich_utils.RICH_HELP = "Xem hướng dẫn: [blue]{command_path} {help_option}[/]"

# What kind of value an option takes, in place of Typer's <str>, <path>…; a flag takes none.
_KINDS_VI = {"<str>": "<văn bản>", "<path>": "<đường dẫn>", "<int>": "<số nguyên>", "<float>": "<số>",
             "<list[str]>": "<văn bản>", "<bool>": ""}
_OWN_HELP_VI = {"help": "Hiện hướng dẫn này rồi thoát.",
                "install_completion": "Cài tự điền lệnh (phím Tab) cho shell đang dùng.",
                "show_completion": "In đoạn mã tự điền lệnh cho shell đang dùng, để chép hoặc tự cài."}


class _VietnameseHelp:
    """The usage line, the kinds of values and Typer's own options of a --help, in Vietnamese."""

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="Cách dùng: ")

    def format_help(self, ctx, formatter) -> None:
        for param in self.get_params(ctx):
            if param.name in _OWN_HELP_VI:
                param.help = _OWN_HELP_VI[param.name]
            if param.param_type_name == "option" and param.metavar is None:
                param.metavar = _KINDS_VI.get(param.display_type(ctx) or "", "<giá trị>")
        super().format_help(ctx, formatter)


class VietnameseCommand(_VietnameseHelp, TyperCommand):
    pass


class VietnameseGroup(_VietnameseHelp, TyperGroup):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.subcommand_metavar = "LỆNH [THAM SỐ]..."


class _App(typer.Typer):
    """Every command of the app gets the Vietnamese help."""

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", VietnameseCommand)
        return super().command(*args, **kwargs)


app = _App(
    cls=VietnameseGroup, options_metavar="[TÙY CHỌN]", suggest_commands=False,
    help="tonghop — tổng hợp báo cáo bình đẳng giới của các đơn vị cho Sở Nội vụ.\n\n"
         "Đọc các tệp Excel các đơn vị gửi, kiểm tra, lưu vào cơ sở dữ liệu, trả kết quả kiểm tra "
         "cho từng đơn vị và lập báo cáo tổng hợp.",
    no_args_is_help=True, rich_markup_mode="rich", pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)


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


GRACE_SECONDS = 5   # after Ctrl+C, the most a run may take to record itself before the process ends anyway


def _ctrl_c_stops_run(said: Callable[[], str | None]) -> Callable[..., None]:
    """The SIGINT handler of a run. The first Ctrl+C stops the run (KeyboardInterrupt), which records itself as
    interrupted on its way out; Prefect's English crash report is not shown; the process ends as soon as the
    record is written (`said` gives the officer's line then, None before), not after Prefect has waited for
    the tasks still running (minutes with a large batch), and at the latest after GRACE_SECONDS. A second
    Ctrl+C ends it at once."""
    def handler(signum, frame) -> None:
        from prefect.logging.handlers import PrefectConsoleHandler

        for console_handler in logging.getLogger().handlers:
            if isinstance(console_handler, PrefectConsoleHandler):
                console_handler.addFilter(lambda record: False)
        signal.signal(signal.SIGINT, lambda *_: stop_now(STOPPED))
        threading.Thread(target=_end_soon, args=(said,), daemon=True).start()
        raise KeyboardInterrupt

    return handler


def _end_soon(said: Callable[[], str | None]) -> None:
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline:
        line = said()
        if line:
            stop_now(line)
        time.sleep(0.2)
    stop_now(said() or f"{STOPPED} Chạy lại cùng lệnh để xử lý tiếp.")


def interrupted_run(db_url: str, period, since: datetime) -> str | None:
    """The officer's line once the run stopped by Ctrl+C has recorded itself (what it kept, what to do next);
    None while it has not."""
    from tonghop.round.runs import list_runs
    from tonghop.store import open_db

    try:
        engine = open_db(db_url, migrated=True)
        try:
            last = list_runs(engine, limit=1, period=period.code)
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 - a database busy or gone: the caller falls back to the plain line
        return None
    if last and last[0].outcome == "interrupted" and last[0].started_at >= since:
        return (f"Đã dừng theo yêu cầu (Ctrl+C) đợt tổng hợp {period.vi}: {last[0].files_new} tệp mới đã lưu được "
                "giữ lại; chạy lại cùng lệnh để xử lý tiếp.")
    return None


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

    from tonghop.round.steps import RoundPaths
    from tonghop.store import default_db_url, open_db

    if not os.environ.get("TONGHOP_IMAP_HOST"):   # with a mailbox the round fetches into a new folder itself
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
    since, url = datetime.now(timezone.utc), db or default_db_url(out)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _ctrl_c_stops_run(lambda: interrupted_run(url, p, since))) \
        if in_main_thread else None
    stopped = False
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
        except KeyboardInterrupt:
            stopped = True
        finally:
            progress.set_reporter(None)
            if in_main_thread:
                signal.signal(signal.SIGINT, previous)
    if stopped:
        stop_now(interrupted_run(url, p, since) or f"{STOPPED} Chạy lại cùng lệnh để xử lý tiếp.")
    print_summary(summary, out)


@app.command()
def fetch(
    period: str = typer.Option(..., "--period", "-p", help="Kỳ báo cáo nhận tệp, ví dụ 2025-Y."),
    inbox: Path = typer.Option(..., "--inbox", "-i", help="Thư mục lưu các tệp lấy từ hộp thư."),
    out: Path = OutOpt,
    db: Optional[str] = DbOpt,
    config: Path = ConfigOpt,
) -> None:
    """Chỉ lấy thư mới từ hộp thư của đơn vị tổng hợp (TONGHOP_IMAP_*) và lưu tệp đính kèm vào --inbox.

    Ví dụ: tonghop fetch --period 2025-Y --inbox hop-thu/2025-Y
    """
    from tonghop.config import Period, load_config
    from tonghop.mailbox.fetch import fetch_mailbox
    from tonghop.mailbox.settings import ImapSettings
    from tonghop.store import default_db_url, open_db

    try:
        settings = ImapSettings.from_env()
        if settings is None:
            fail("Chưa cấu hình hộp thư: đặt TONGHOP_IMAP_HOST, TONGHOP_IMAP_USER và TONGHOP_IMAP_PASSWORD")
        cfg, p = load_config(config), Period.parse(period)
        if not db:
            out.mkdir(parents=True, exist_ok=True)   # the default database's folder; an explicit --db must exist
        engine = open_db(db or default_db_url(out))
    except TonghopError as exc:
        fail(str(exc))
    try:
        result = fetch_mailbox(settings, inbox, engine, cfg, p)
    finally:
        engine.dispose()
    console.print(escape(result.line(inbox)), soft_wrap=True)
    if result.error:
        raise typer.Exit(1)


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
    from tonghop.reports.form import template_name, write_templates

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
    from tonghop.round.schedule import format_plan, plan_deployments

    try:
        cfg = load_config(config)
    except TonghopError as exc:
        fail(str(exc))
    now = datetime.now(ZoneInfo(cfg.timezone))
    planned = plan_deployments(cfg, inbox, out, db_url=db, config_path=config, now=now)
    typer.echo(format_plan(planned, now, count))
    _warn_if_nothing_scheduled(planned, cfg)


def _warn_if_nothing_scheduled(planned, cfg) -> None:
    from tonghop.round.schedule import no_upcoming_warning

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
    from tonghop.round.schedule import plan_deployments
    from tonghop.config import load_config

    try:
        cfg = load_config(config)
        _warn_if_nothing_scheduled(plan_deployments(cfg, inbox, out, db_url=db, config_path=config), cfg)
    except TonghopError as exc:
        fail(str(exc))
    from flows.deployments import prefect_server_problem, serve_all

    problem = prefect_server_problem()
    if problem:
        fail(problem)
    serve_all(str(config), inbox, str(out), db)


@app.command()
def runs(
    period: Optional[str] = typer.Option(None, "--period", "-p", help="Chỉ các lần chạy của kỳ này."),
    limit: int = typer.Option(20, "--limit", "-n", help="Số lần chạy gần nhất."),
    out: Path = OutOpt, db: Optional[str] = DbOpt, config: Path = ConfigOpt,
) -> None:
    """Nhật ký các lần chạy: ai/cái gì kích hoạt, tham số, số tệp, kết quả."""
    from tonghop.config import load_config
    from tonghop.round.runs import format_runs, list_runs
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
    from tonghop.national.consolidate import find_inputs

    require_folder(inputs, "--inputs", "thư mục", "tệp SDMX-CSV của các tỉnh")
    if period:
        from tonghop.config import Period

        try:
            period = Period.parse(period).code
        except TonghopError as exc:
            fail(str(exc))
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


@app.command()
def init(
    province: str = typer.Option(..., "--province", help="Tên tỉnh, thành phố (có hoặc không dấu, có hoặc không "
                                                         "\"tỉnh\"/\"thành phố\") hoặc mã, ví dụ \"Sơn La\" hoặc 14."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Tệp cấu hình sẽ ghi; mặc định config/<tên-tỉnh>.yaml."),
    units_xlsx: bool = typer.Option(False, "--units-xlsx", help="Ghi danh sách đơn vị vào don-vi.xlsx cạnh tệp cấu "
                                                                "hình (sửa địa chỉ email trong Excel)."),
) -> None:
    """Lập tệp cấu hình cho một tỉnh từ danh mục đơn vị hành chính chính thức: mọi xã, phường, đặc khu
    với mã và tên chính thức, các sở, ngành thường được giao (sửa lại theo kế hoạch của tỉnh), hạn nộp
    20/5 và 25/11. Địa chỉ email để trống cho cán bộ điền.

    Ví dụ: tonghop init --province "Sơn La" --out config/son-la.yaml
    """
    from tonghop.config import load_config
    from tonghop.provinces import find_province
    from tonghop.scaffold import init_province

    try:
        found = find_province(province)
        written = init_province(found, out or Path("config") / f"{found.slug}.yaml", units_xlsx=units_xlsx)
        load_config(written.config)             # what was written loads and matches the official list
    except TonghopError as exc:
        fail(str(exc))
    console.print(f"Đã lập cấu hình {found.name} (mã {found.code}): {written.n_departments} sở, ngành và "
                  f"{written.n_communes} xã, phường, đặc khu.", soft_wrap=True, highlight=False)
    for path in (written.config, written.units_xlsx):
        if path:
            console.print(f"  {path}", soft_wrap=True, highlight=False)   # a path cut by wrapping is hard to copy
    where = written.units_xlsx or written.config
    console.print(f"Việc cần làm: điền địa chỉ email của từng đơn vị và của Sở Nội vụ trong {where.name} (các địa "
                  f"chỉ ...@chua-dien-dia-chi.invalid), sửa danh sách sở, ngành theo kế hoạch của tỉnh; rồi chạy "
                  f"tonghop template --config {written.config} --period <kỳ>.", soft_wrap=True, highlight=False)


def print_summary(summary: dict, out: Path) -> None:
    """The short table an officer reads at the end of a run."""
    table = Table(title=f"{summary['province']} — {summary['period_vi']}", show_lines=False)
    table.add_column("Tệp", overflow="fold")       # a name cut with "…" cannot be told from the next one
    table.add_column("Đơn vị")
    table.add_column("Kết quả")
    table.add_column("Ghi chú")
    subs = {s["id"]: s for s in summary["submissions"]}
    for f in summary["files"]:
        sub = subs.get(f["submission_id"]) or {}
        note = {"known": "đã đọc ở lần chạy trước", "duplicate": f"trùng nội dung với {f['duplicate_of']}",
                "document": "không phải biểu mẫu: đã lưu trữ, không kiểm tra, không trả lời"}.get(f["state"], "")
        if sub:
            note = ", ".join(x for x in [note, f"{sub['errors']} lỗi, {sub['warnings']} cảnh báo"] if x)
        document = f["state"] == "document"
        # names and codes come from senders: no rich markup, no terminal escape codes
        table.add_row(terminal_text(f["file"], None), "—" if document else terminal_text(f["unit"] or "?", 40),
                      "Văn bản kèm theo" if document else FILE_STATUS_VI.get(f["status"] or "", "—"),
                      terminal_text(note, 200))
    console.print(table)
    c = summary["counts"]
    documents = summary.get("documents", 0)
    # a file a unit corrected by sending another is neither accepted now nor rejected: counted apart, so the
    # counts add up to the files in the inbox
    replaced = sum(1 for s in summary.get("submissions", [])
                   if s.get("is_current") is False and s.get("status") != "rejected")
    console.print(
        f"Tệp trong hộp thư: {summary['files_in_inbox']} · đọc mới: {summary['files_read_this_run']} · "
        f"chấp nhận: {c['accepted']} · một phần: {c['partially_accepted']} · từ chối: {c['rejected_files']}"
        + (f" · đã được thay bằng bản gửi sau: {replaced}" if replaced else "")
        + (f" · văn bản kèm theo: {documents}" if documents else ""))
    n = summary["units_expected"]
    console.print(f"Đơn vị đã nộp: {len(summary['units_reported'])}/{n} · "
                  f"nộp đúng hạn: {len(summary['units_on_time'])}/{n} · chưa nộp: {len(summary['units_missing'])}")
    mail = summary.get("mail", {})
    if mail.get("failed_error"):
        console.print(f"[yellow]Thư chưa gửi được[/] ({mail['failed_error']}); thư vẫn trong hộp thư đi, lần chạy sau sẽ gửi.")
    elif mail:
        where = f"gửi qua máy chủ thư: {mail.get('sent', 0)}" if mail.get("sent") else \
            f"ghi thành tệp .eml: {mail.get('written', 0)} (chưa cấu hình TONGHOP_SMTP_HOST)"
        console.print(f"Thư kết quả mới xếp hàng: {mail.get('queued', 0)} · {where}")
    if summary.get("mailbox"):
        console.print(escape(summary["mailbox"]["line"]), soft_wrap=True)
    if mail.get("placeholders"):
        console.print(f"[yellow]{escape(mail['placeholders'])}[/]", soft_wrap=True)
    indicators = summary.get("indicators", {})
    if indicators:
        met = sum(1 for i in indicators.values() if i.get("status") == "achieved")
        not_met = sum(1 for i in indicators.values() if i.get("status") == "not_achieved")
        no_data = sum(1 for i in indicators.values() if i.get("status") == "no_data")
        to_check = sum(1 for i in indicators.values() if i.get("status") == "to_check")
        no_target = sum(1 for i in indicators.values() if i.get("status") is None)
        console.print(f"Chỉ tiêu: {met} đạt · {not_met} chưa đạt · {no_data} chưa có số liệu hợp lệ"
                      + (f" · {to_check} cần kiểm tra số liệu" if to_check else "")
                      + (f" · {no_target} chưa có chỉ tiêu cần đạt để so sánh" if no_target else "")
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


def usage_error_vi(exc: Exception, argv: list[str] | None = None) -> str:
    """Click's usage errors in Vietnamese (the officer typed the command; Click's own text is English).
    `argv` names the command when Click's parser did not say (an option missing its value)."""
    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)
    kind = type(exc).__name__
    command = ctx.command_path if ctx is not None else " ".join(
        ["tonghop", *[a for a in (argv or [])[:1] if a in app_commands()]])
    hint = f" Xem hướng dẫn: {command} --help"

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
    option = getattr(exc, "option_name", "")
    if kind == "BadOptionUsage" and message.endswith("does not take a value."):
        return f"Tùy chọn {option} không nhận giá trị (chỉ cần ghi {option}).{hint}"
    if kind == "BadOptionUsage" and " requires " in message:
        return f"Tùy chọn {option} cần một giá trị.{hint}"
    typed = re.fullmatch(r"No such command '(.*)'\.", message)
    if typed:
        maybe = difflib.get_close_matches(typed.group(1), app_commands())
        suggestion = f" (có phải {', '.join(maybe)}?)" if maybe else ""
        return f"Không có lệnh '{typed.group(1)}'{suggestion}.{hint}"
    extra = re.fullmatch(r"Got unexpected extra arguments? ?(?:\(s\))? ?\((.*)\)", message)
    if extra:
        return f"Thừa đối số: {extra.group(1)}.{hint}"
    if message.startswith("Missing command"):
        return f"Thiếu tên lệnh ({', '.join(app_commands())}).{hint}"
    return f"Lệnh không hợp lệ: {message}.{hint}"


def app_commands() -> list[str]:
    return [c.name or c.callback.__name__ for c in app.registered_commands if c.name or c.callback]


STOPPED = "Đã dừng theo yêu cầu (Ctrl+C)."


_stopping = threading.Lock()


def stop_now(message: str) -> None:
    """Ctrl+C during a run: one Vietnamese line and exit status 130 at once, without waiting for the tasks
    still running in other threads (what they had not committed, the next run redoes)."""
    if not _stopping.acquire(blocking=False):       # another thread is already saying it and ending
        time.sleep(GRACE_SECONDS)
        os._exit(130)
    err.print(message, soft_wrap=True, highlight=False)
    err.show_cursor(True)                            # the progress bar hides it while it runs
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def main(argv: list[str] | None = None) -> None:
    """The `tonghop` command: the app, with usage errors in Vietnamese (exit status 2)."""
    try:
        code = app(args=argv, prog_name="tonghop", standalone_mode=False)
    except typer.Abort:
        err.print("Đã dừng.")
        sys.exit(130)
    except KeyboardInterrupt:
        err.print(STOPPED, highlight=False)
        sys.exit(130)
    except TonghopError as exc:
        err.print(f"[bold red]Lỗi:[/] {exc}", soft_wrap=True)
        sys.exit(2)
    except Exception as exc:
        if not _is_usage_error(exc):
            raise
        if type(exc).__name__ != "NoArgsIsHelpError":      # `tonghop` alone: Typer has printed the help
            err.print(f"[bold red]Lỗi:[/] {escape(usage_error_vi(exc, argv if argv is not None else sys.argv[1:]))}",
                      soft_wrap=True, highlight=False)
        sys.exit(2)
    if code == 130:                                      # Typer's answer to a KeyboardInterrupt
        err.print(STOPPED, highlight=False)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
