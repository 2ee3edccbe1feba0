"""`tonghop run` (a round, with its progress bar and Ctrl+C) and `tonghop fetch` (the mailbox only)."""
from __future__ import annotations

import os
import signal
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from flows.cli.app import ConfigOpt, DbOpt, OutOpt, app, console, err, fail, quiet_prefect, require_folder
from flows.cli.interrupt import STOPPED, ctrl_c_stops_run, hide_known_errors, interrupted_run, stop_now
from flows.cli.summary import print_summary
from tonghop.errors import TonghopError


def _preflight(period: str, inbox: Path, out: Path, db: str | None, config: Path):
    """The round's Period once config, period, output folder and database are known to be usable: a typo'd
    period, a folder or database that cannot be used is said in one line before anything is read."""
    from tonghop.config import Period, load_config
    from tonghop.mail.message import today_in
    from tonghop.round.steps import RoundPaths
    from tonghop.store import default_db_url, open_db

    if not os.environ.get("TONGHOP_IMAP_HOST"):   # with a mailbox the round fetches into a new folder itself
        require_folder(inbox, "--inbox", "thư mục hộp thư đến", "các tệp đơn vị gửi")
    try:
        cfg = load_config(config)
        p = Period.parse(period)
        cfg.check_run_period(p, today_in(cfg))
        RoundPaths.for_period(out, p)
        open_db(db or default_db_url(out)).dispose()
    except TonghopError as exc:
        fail(str(exc))
    return p


def _with_progress(flow, flow_kwargs: dict, keep: tuple[type[TonghopError], ...] = ()) -> tuple[dict | None, bool]:
    """Run the round's flow under a progress bar per stage: (its summary, whether Ctrl+C stopped it). Errors of
    the kinds in `keep` go to the caller; any other error of tonghop ends the command in one line."""
    from flows.runners import task_runner
    from tonghop import progress

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as bar:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            # a stage with nothing to do is not shown: its bar said "1/1" (a rerun "checked again" one stored file
            # when it checked none), and in a national run it overwrote another province's count
            if not total:
                return
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        progress.set_reporter(report)
        try:
            runner = task_runner()   # worker processes (from MIN_FILES new files) unless TONGHOP_* says otherwise
            return flow.with_options(task_runner=runner)(**flow_kwargs), False
        except TonghopError as exc:
            if isinstance(exc, keep):
                raise
            fail(str(exc))
        except KeyboardInterrupt:
            return None, True
        finally:
            progress.set_reporter(None)
    return None, False   # not reached: fail() exits


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

    Từ 400 tệp mới trở lên, các tệp được chia cho các tiến trình làm việc, mỗi lõi một tiến trình.
    TONGHOP_WORKERS=N đặt số tiến trình; TONGHOP_WORKERS=1: mọi tệp trong một tiến trình.

    Ví dụ: tonghop run --period 2025-Y --inbox sample_inputs/2025-Y
    """
    quiet_prefect(verbose)
    from tonghop.store import default_db_url

    p = _preflight(period, inbox, out, db, config)
    from flows.round import consolidate_round   # imports Prefect, whose console handler is then filtered

    hide_known_errors(verbose)
    since, url = datetime.now(timezone.utc), db or default_db_url(out)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, ctrl_c_stops_run(lambda: interrupted_run(url, p, since))) \
        if in_main_thread else None
    try:
        summary, stopped = _with_progress(consolidate_round, dict(
            period=period, inbox=str(inbox.resolve()), out=str(out), db_url=db, config_path=str(config),
            trigger="manual", lock_wait_seconds=wait, start_over=start_over))
    finally:
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


