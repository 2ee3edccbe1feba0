"""`tonghop schedule` (the plan from the configuration), `serve` (on a Prefect server) and `runs` (the log)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from flows.cli.app import ConfigOpt, DbOpt, OutOpt, app, err, fail, quiet_prefect
from tonghop.errors import TonghopError


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
    quiet_prefect(False)
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
    from tonghop.config import Period, load_config
    from tonghop.round.runs import format_runs, list_runs
    from tonghop.store import default_db_url, open_db

    url = db or default_db_url(out)
    if not db and not (out / "tonghop.db").exists():   # a listing must not create an empty database
        fail(f"Chưa có cơ sở dữ liệu {out / 'tonghop.db'}: chưa có đợt nào chạy với --out {out} "
             "(hoặc chỉ ra cơ sở dữ liệu bằng --db)")
    try:
        only = Period.parse(period) if period else None
        cfg = load_config(config)
        engine = open_db(url)
    except TonghopError as exc:
        fail(str(exc))
    typer.echo(format_runs(list_runs(engine, limit=limit, period=only), cfg.timezone))
    engine.dispose()
