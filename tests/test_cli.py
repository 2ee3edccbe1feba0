"""The command line: the end-of-run summary, pre-flight checks and usage errors in Vietnamese."""
from __future__ import annotations

from pathlib import Path

import pytest
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
               "files_read_this_run": 0, "units_expected": 18, "units_missing": [], "units_reported": [],
               "units_on_time": [], "submissions": [], "files": [],
               "counts": {"accepted": 0, "partially_accepted": 0, "rejected": 0, "rejected_files": 0},
               "indicators": {f"1.{i}": {"status": s} for i, s in enumerate(statuses)}}
    lines = [line for line in printed(summary).splitlines() if line.startswith("Chỉ tiêu:")]
    assert lines == ["Chỉ tiêu: 3 đạt · 2 chưa đạt · 1 chưa có số liệu hợp lệ · 1 cần kiểm tra số liệu · "
                     "1 chưa có mục tiêu để so sánh (trên 8 chỉ tiêu)"]


def test_a_run_refused_by_the_lock_says_so_in_one_line(prefect_harness, tmp_path, config):
    """The flow ends with RunInProgress: the officer reads the Vietnamese reason, not Prefect's traceback."""
    import os
    import subprocess

    from prefect.settings import PREFECT_API_URL

    from tonghop.runs import acquire_lock, lock_scope, start_run
    from tonghop.store import open_db

    out = tmp_path / "out"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    engine = open_db(f"sqlite:///{(out / 'tonghop.db')}")
    holder = start_run(engine, period="2025-Y", trigger="schedule", parameters={})
    acquire_lock(engine, lock_scope(config.province_code, "2025-Y"), holder)   # this process: alive, not stale
    engine.dispose()
    done = subprocess.run([str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "tonghop"), "run",
                           "--period", "2025-Y", "--inbox", str(inbox), "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())})
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip() and "━" not in line]
    assert "Traceback" not in done.stderr
    assert lines[-1].startswith(f"Lỗi: Kỳ 2025-Y (tỉnh mã {config.province_code}) đang được xử lý bởi lần chạy số 1")


def invoke(*args: str):
    from typer.testing import CliRunner

    return CliRunner().invoke(cli.app, list(args))


def test_national_without_its_input_folder_or_files_says_so(tmp_path):
    missing = invoke("national", "--inputs", str(tmp_path / "khong-co"), "--out", str(tmp_path / "out"))
    assert (missing.exit_code, missing.stderr.strip()) == (2, f"Lỗi: Không tìm thấy thư mục {tmp_path / 'khong-co'}")
    (tmp_path / "trong").mkdir()
    (tmp_path / "trong" / "ghi-chu.txt").write_text("không phải CSV")
    empty = invoke("national", "--inputs", str(tmp_path / "trong"), "--out", str(tmp_path / "out"))
    assert (empty.exit_code, empty.stderr.strip()) == (
        2, f"Lỗi: Thư mục {tmp_path / 'trong'} không có tệp .csv nào: hãy chép vào đó tệp sdmx-<mã tỉnh>-<kỳ>.csv "
           "của các tỉnh")
    assert not (tmp_path / "out").exists()


def test_runs_does_not_create_a_database_where_there_is_none(tmp_path):
    done = invoke("runs", "--out", str(tmp_path / "out"))
    assert done.exit_code == 2
    assert done.stderr.strip() == (f"Lỗi: Chưa có cơ sở dữ liệu {tmp_path / 'out' / 'tonghop.db'}: chưa có đợt nào "
                                   f"chạy với --out {tmp_path / 'out'} (hoặc chỉ ra cơ sở dữ liệu bằng --db)")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["run", "--period", "2025-Y"], "Lỗi: Thiếu tùy chọn bắt buộc --inbox / -i. Xem hướng dẫn: tonghop run --help"),
    (["run", "--perod", "2025-Y"],
     "Lỗi: Không có tùy chọn --perod (có phải --period, --verbose?). Xem hướng dẫn: tonghop run --help"),
    (["runs", "--limit", "mười"],
     "Lỗi: Giá trị không hợp lệ cho --limit / -n: cần một số nguyên. Xem hướng dẫn: tonghop runs --help"),
    (["chay"], "Lỗi: Không có lệnh 'chay'. Xem hướng dẫn: tonghop --help"),
], ids=["missing", "typo", "not-a-number", "no-command"])
def test_usage_errors_are_one_vietnamese_line(capsys, argv, message):
    with pytest.raises(SystemExit) as ended:
        cli.main(argv)
    assert ended.value.code == 2
    assert capsys.readouterr().err.strip() == message


def test_help_exits_0_and_no_arguments_show_the_help(capsys):
    with pytest.raises(SystemExit) as ended:
        cli.main(["run", "--help"])
    assert ended.value.code == 0 and "Chạy một đợt tổng hợp" in capsys.readouterr().out
    with pytest.raises(SystemExit) as ended:
        cli.main([])
    shown = capsys.readouterr()
    assert ended.value.code == 2 and "Lỗi" not in shown.err and "tổng hợp báo cáo bình đẳng giới" in shown.out


def round_summary(files: list[dict], submissions: list[dict]) -> dict:
    return {"province": "Sơn La", "period": "2025-Y", "period_vi": "Năm 2025", "files_in_inbox": len(files),
            "files_read_this_run": len(submissions), "units_expected": 18,
            "units_reported": ["SYT"], "units_on_time": ["SYT"], "units_missing": [f"U{i}" for i in range(17)],
            "submissions": submissions, "files": files, "documents": sum(f["state"] == "document" for f in files),
            "counts": {"accepted": len(submissions), "partially_accepted": 0, "rejected": 0, "rejected_files": 0}}


def test_documents_are_shown_as_documents_not_as_files_without_a_result():
    summary = round_summary(
        [{"file": "CV 45-SGDDT.pdf", "sha256": "a" * 64, "state": "document", "duplicate_of": None, "unit": None,
          "status": None, "submission_id": None},
         {"file": "syt.xlsx", "sha256": "b" * 64, "state": "new", "duplicate_of": None, "unit": "SYT",
          "status": "accepted", "submission_id": 1}],
        [{"id": 1, "errors": 0, "warnings": 0}])
    text = printed(summary)
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert rows == [
        "│ CV 45-SGDDT.pdf │ —      │ Văn bản kèm theo │ không phải biểu mẫu: đã lưu trữ, không kiểm tra, không trả lời │",
        "│ syt.xlsx        │ SYT    │ Chấp nhận        │ 0 lỗi, 0 cảnh báo                                              │"]
    lines = text.splitlines()
    assert "Tệp trong hộp thư: 2 · đọc mới: 1 · chấp nhận: 1 · một phần: 0 · từ chối: 0 · văn bản kèm theo: 1" in lines
    assert "Đơn vị đã nộp: 1/18 · nộp đúng hạn: 1/18 · chưa nộp: 17" in lines


def test_long_file_names_are_kept_whole_on_a_narrow_non_terminal_output():
    """Piped to a file or a log (not a wide terminal) the table is narrow: names wrap, never cut with '…'."""
    import io

    names = [f"BaoCao_BinhDangGioi_Nam2025_UBND_xa_Chieng{x}.xlsx" for x in ("Son", "Sinh", "Sung")]
    files = [{"file": n, "sha256": str(i) * 64, "state": "new", "duplicate_of": None, "unit": f"X{i}",
              "status": "accepted", "submission_id": i} for i, n in enumerate(names, start=1)]
    summary = round_summary(files, [{"id": i, "errors": 0, "warnings": 0} for i in range(1, 4)])
    buffer = io.StringIO()
    narrow = Console(file=buffer, width=60, force_terminal=False)
    saved, cli.console = cli.console, narrow
    try:
        cli.print_summary(summary, Path("outputs"))
    finally:
        cli.console = saved
    cells = [[c.strip() for c in line.split("│")[1:3]] for line in buffer.getvalue().splitlines() if line.startswith("│")]
    shown: list[str] = []
    for name_piece, unit in cells:
        if unit:                            # a row starts where its unit is written; its name goes on below
            shown.append("")
        shown[-1] += name_piece
    assert shown == names
