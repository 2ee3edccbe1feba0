"""The officer's end-of-run summary printed by `tonghop run`."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console

from tonghop import cli


def printed(summary: dict) -> str:
    console = Console(record=True, width=200)
    saved, cli.console = cli.console, console
    try:
        cli.print_summary(summary, Path("outputs"))
    finally:
        cli.console = saved
    return console.export_text()


def test_indicator_line_accounts_for_every_indicator():
    statuses = ["achieved"] * 3 + ["not_achieved"] * 2 + ["no_data", "to_check", None]
    summary = {"province": "Sơn La", "period": "2025-Y", "period_vi": "Năm 2025", "files_in_inbox": 0,
               "files_read_this_run": 0, "units_expected": 18, "units_missing": [], "submissions": [], "files": [],
               "counts": {"accepted": 0, "partially_accepted": 0, "rejected": 0, "rejected_files": 0},
               "indicators": {f"1.{i}": {"status": s} for i, s in enumerate(statuses)}}
    lines = [line for line in printed(summary).splitlines() if line.startswith("Chỉ tiêu:")]
    assert lines == ["Chỉ tiêu: 3 đạt · 2 chưa đạt · 1 chưa có số liệu hợp lệ · 1 cần kiểm tra số liệu · "
                     "1 chưa có mục tiêu để so sánh (trên 8 chỉ tiêu)"]
