"""`tonghop run-many`: the rounds of several provinces in one flow run (tong-hop-nhieu-tinh), one line each."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from flows.cli.app import app, console, err, fail, quiet_prefect, require_folder
from flows.cli.interrupt import STOPPED, hide_known_errors, stop_now
from flows.cli.rounds import _with_progress
from tonghop.errors import TonghopError

CONFIG_NAME = "config.yaml"


def province_round_spec(folder: Path, period: str) -> dict[str, str | None]:
    """One province folder as a round of the national flow: its config.yaml, its inbox (inbox/<period>/ when the
    inbox is kept by period, else inbox/), its results and its own SQLite database under outputs/."""
    config = folder / CONFIG_NAME
    if not config.is_file():
        raise TonghopError(f"{folder}: không có tệp cấu hình {CONFIG_NAME}")
    inbox = folder / "inbox" / period
    if not inbox.is_dir():
        inbox = folder / "inbox"
    require_folder(inbox, f"{folder}/inbox", "thư mục hộp thư đến", "các tệp đơn vị gửi")
    return {"config_path": str(config.resolve()), "inbox": str(inbox.resolve()),
            "out": str((folder / "outputs").resolve()), "db_url": None}


def province_line(summary: dict[str, Any], out: str) -> str:
    """What one province's round (results in `out`) gave, in one line (or why it could not run)."""
    if "error" in summary:
        return f"[red]✗[/] {escape(out)}: {escape(summary['error'])}"
    n = summary["units_expected"]
    return (f"[green]✓[/] {escape(summary['province'])}: đọc mới {summary['files_read_this_run']}/"
            f"{summary['files_in_inbox']} tệp · đơn vị đã nộp {len(summary['units_reported'])}/{n} · "
            f"chưa nộp {len(summary['units_missing'])} → {escape(str(Path(out) / summary['period']))}")


@app.command("run-many")
def run_many(
    folders: list[Path] = typer.Argument(..., metavar="THƯ_MỤC_TỈNH", show_default=False, help="Thư mục của từng tỉnh: config.yaml, inbox/ (hoặc "
                                                    "inbox/<kỳ>/); kết quả và cơ sở dữ liệu ghi vào outputs/."),
    period: str = typer.Option(..., "--period", "-p", help="Kỳ báo cáo: 2025-H1 (6 tháng) hoặc 2025-Y (năm)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Hiện nhật ký chi tiết của Prefect."),
) -> None:
    """Tổng hợp nhiều tỉnh trong một lần chạy (cho Bộ hoặc dịch vụ chạy cho nhiều tỉnh).

    Mỗi tỉnh chạy như `tonghop run`, với cấu hình, hộp thư, thư mục kết quả và cơ sở dữ liệu riêng.

    Cả đợt là một lần chạy flow: chi phí cố định của Prefect và việc khởi động các tiến trình làm việc chỉ tốn một lần.

    Chạy lại khi chỉ một tệp thay đổi chỉ đọc tệp đó.

    Tỉnh không chạy được được báo, các tỉnh khác vẫn chạy; khi đó mã thoát là 1.

    Từ 400 tệp mới (cộng mọi tỉnh) trở lên, các tệp được chia cho các tiến trình làm việc (TONGHOP_WORKERS=N).

    Ví dụ: tonghop run-many --period 2025-Y /srv/tonghop/son-la /srv/tonghop/lai-chau
    """
    quiet_prefect(verbose)
    from tonghop.config import Period

    try:
        Period.parse(period)
        rounds = [province_round_spec(f, period) for f in folders]
    except TonghopError as exc:
        fail(str(exc))
    from flows.many import ProvincesFailed, consolidate_many   # imports Prefect

    hide_known_errors(verbose)
    try:
        result, stopped = _with_progress(consolidate_many, dict(period=period, rounds=rounds, trigger="manual"),
                                         keep=(ProvincesFailed,))
    except ProvincesFailed as exc:
        result, stopped = {"provinces": exc.summaries}, False
    if stopped:
        stop_now(f"{STOPPED} Chạy lại cùng lệnh để xử lý tiếp.")
    summaries = result["provinces"] if result else []
    for summary, spec in zip(summaries, rounds):
        console.print(province_line(summary, str(spec["out"])), soft_wrap=True, highlight=False)
    failed = sum(1 for s in summaries if "error" in s)
    if failed:
        err.print(f"{failed}/{len(summaries)} tỉnh chưa tổng hợp được; sửa rồi chạy lại cùng lệnh "
                  "(các tỉnh đã xong không bị đọc lại).", soft_wrap=True, highlight=False)
        raise typer.Exit(1)
