"""The command line: the end-of-run summary, pre-flight checks and usage errors in Vietnamese."""
from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from flows import cli


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
                     "1 chưa có chỉ tiêu cần đạt để so sánh (trên 8 chỉ tiêu)"]


def test_a_run_refused_by_the_lock_says_so_in_one_line(prefect_harness, tmp_path, config):
    """The flow ends with RunInProgress: the officer reads the Vietnamese reason, not Prefect's traceback."""
    import os
    import subprocess

    from prefect.settings import PREFECT_API_URL

    from tonghop.config import Period
    from tonghop.round.runs import acquire_lock, lock_scope, start_run
    from tonghop.store import open_db

    out = tmp_path / "out"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    out.mkdir()
    engine = open_db(f"sqlite:///{(out / 'tonghop.db')}")
    holder = start_run(engine, period=Period.parse("2025-Y"), trigger="schedule", parameters={})
    acquire_lock(engine, lock_scope(config.province_code, Period.parse("2025-Y")), holder)   # alive, not stale
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
        "│ syt.xlsx        │ SYT    │ Được chấp nhận   │ 0 lỗi, 0 cảnh báo                                              │"]
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


ENGLISH = ["Usage", "Options", "Commands", "Arguments", "required", "default", "Show this message", "Install completion",
           "Show completion", "env var", "OPTIONS", "COMMAND", "ARGS", "TEXT", "INTEGER", "BOOLEAN", "FLOAT", "PATH"]
COMMANDS = ["run", "template", "schedule", "serve", "runs", "national", "init"]


def help_of(capsys, monkeypatch, *command: str) -> list[str]:
    """The --help of `tonghop COMMAND`, each line without the panels' frame and repeated spaces."""
    import re

    monkeypatch.setenv("COLUMNS", "120")
    with pytest.raises(SystemExit) as ended:
        cli.main([*command, "--help"])
    assert ended.value.code == 0
    text = capsys.readouterr().out
    return [" ".join(re.sub(r"[│╭╮╰╯─]", " ", line).split()) for line in text.splitlines()]


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]], ids=["tonghop", *COMMANDS])
def test_help_has_no_english_boilerplate(capsys, monkeypatch, command):
    import re

    lines = help_of(capsys, monkeypatch, *command)
    text = "\n".join(lines)
    assert [w for w in ENGLISH if w in text] == []
    assert re.findall(r"<[a-z\[\]]+>", text) == []           # Typer's type labels: <bool>, <str>, <path>, <int>
    usage = "Cách dùng: tonghop [TÙY CHỌN] LỆNH [THAM SỐ]..." if not command else \
        f"Cách dùng: tonghop {command[0]} [TÙY CHỌN]"
    assert [line for line in lines if line.startswith("Cách dùng")] == [usage]
    assert "--help Hiện hướng dẫn này rồi thoát." in lines
    assert ("Tùy chọn" in lines) and (("Lệnh" in lines) == (not command))


def test_help_of_run_shows_required_defaults_and_kinds_in_vietnamese(capsys, monkeypatch):
    lines = help_of(capsys, monkeypatch, "run")
    assert "* --period -p <văn bản> Kỳ báo cáo: 2025-H1 (6 tháng) hoặc 2025-Y (năm). [bắt buộc]" in lines
    assert "--out -o <đường dẫn> Thư mục kết quả; mỗi kỳ một thư mục con. [mặc định: outputs]" in lines
    assert "--verbose -v Hiện nhật ký chi tiết của Prefect." in lines
    assert "[mặc định: 0]" in lines                             # --wait's default, below its help


def test_completion_options_are_explained_in_vietnamese(capsys, monkeypatch):
    lines = help_of(capsys, monkeypatch)
    assert "--install-completion Cài tự điền lệnh (phím Tab) cho shell đang dùng." in lines
    assert "--show-completion In đoạn mã tự điền lệnh cho shell đang dùng, để chép hoặc tự cài." in lines


@pytest.mark.parametrize("argv, message", [
    (["ru"], "Lỗi: Không có lệnh 'ru' (có phải run, runs?). Xem hướng dẫn: tonghop --help"),
    (["run", "--period"], "Lỗi: Tùy chọn --period cần một giá trị. Xem hướng dẫn: tonghop run --help"),
    (["run", "--inbox", ".", "--verbose=có", "--period", "2025-Y"],
     "Lỗi: Tùy chọn --verbose không nhận giá trị (chỉ cần ghi --verbose). Xem hướng dẫn: tonghop run --help"),
    (["runs", "thua", "nua"], "Lỗi: Thừa đối số: thua nua. Xem hướng dẫn: tonghop runs --help"),
    (["run", "--period", "2025-Y", "--inbox", ".", "--wait", "lâu"],
     "Lỗi: Giá trị không hợp lệ cho --wait: cần một số. Xem hướng dẫn: tonghop run --help"),
], ids=["command-typo", "option-without-value", "flag-with-value", "extra-arguments", "not-a-float"])
def test_more_usage_errors_are_one_vietnamese_line(capsys, argv, message):
    with pytest.raises(SystemExit) as ended:
        cli.main(argv)
    assert ended.value.code == 2
    assert capsys.readouterr().err.strip() == message


def test_ctrl_c_in_a_short_command_says_it_stopped(capsys, monkeypatch, tmp_path):
    import tonghop.round.runs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(tonghop.round.runs, "list_runs", interrupted)
    with pytest.raises(SystemExit) as ended:
        cli.main(["runs", "--db", f"sqlite:///{tmp_path / 'tonghop.db'}"])
    shown = capsys.readouterr()
    assert (ended.value.code, shown.out, shown.err.strip()) == (130, "", "Đã dừng theo yêu cầu (Ctrl+C).")


def test_national_with_a_period_it_cannot_read_says_so(tmp_path):
    (tmp_path / "vao").mkdir()
    (tmp_path / "vao" / "sdmx-14-2025-Y.csv").write_text("STRUCTURE,REF_AREA\n", encoding="utf-8")
    done = invoke("national", "--inputs", str(tmp_path / "vao"), "--out", str(tmp_path / "out"), "--period", "2025")
    assert (done.exit_code, done.stderr.strip()) == (2, "Lỗi: Kỳ báo cáo không hợp lệ: '2025' (dạng đúng: 2025-H1 "
                                                        "hoặc 2025-Y)")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("api_url, message", [
    (None, "Lỗi: Chưa cấu hình máy chủ Prefect (PREFECT_API_URL), nên không có nơi giữ lịch chạy. Hãy chạy "
           "`prefect server start` ở một cửa sổ khác, rồi `prefect config set "
           "PREFECT_API_URL=http://127.0.0.1:4200/api`, rồi chạy lại `tonghop serve`."),
    ("http://127.0.0.1:1/api", "Lỗi: Không kết nối được máy chủ Prefect http://127.0.0.1:1/api (PREFECT_API_URL): "
                               "máy chủ chưa chạy hoặc sai địa chỉ. Hãy chạy `prefect server start` ở một cửa sổ "
                               "khác (hoặc sửa PREFECT_API_URL), rồi chạy lại `tonghop serve`."),
], ids=["not-configured", "not-running"])
def test_serve_needs_a_prefect_server_and_says_so(monkeypatch, api_url, message):
    import flows.deployments
    from prefect.settings import PREFECT_API_URL, temporary_settings

    served = []
    monkeypatch.setattr(flows.deployments, "serve", lambda *deployments, **kw: served.append(deployments))
    settings = {"updates": {PREFECT_API_URL: api_url}} if api_url else {"restore_defaults": {PREFECT_API_URL}}
    with temporary_settings(**settings):
        done = invoke("serve")
    assert (done.exit_code, done.stderr.strip(), served) == (2, message, [])


@pytest.fixture
def december_2026(monkeypatch):
    """The day the issue was seen: the 2026 round is on, 2027 has not begun."""
    from datetime import date

    monkeypatch.setattr("tonghop.mail.message.today_in", lambda config: date(2026, 12, 2))


def test_run_refuses_a_period_not_begun_or_not_configured_before_reading(tmp_path, december_2026):
    from tonghop.config import DEFAULT_CONFIG

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    future = invoke("run", "--period", "2027-Y", "--inbox", str(inbox), "--out", str(out))
    assert (future.exit_code, future.stderr.strip()) == (2, (
        "Lỗi: Kỳ 2027-Y (Năm 2027) chưa bắt đầu: kỳ bắt đầu ngày 01/01/2027, hôm nay là 02/12/2026. "
        "Chưa đọc tệp nào, chưa gửi thư nào: kiểm tra lại --period (có gõ nhầm năm không?)."))
    unknown = invoke("run", "--period", "2024-H1", "--inbox", str(inbox), "--out", str(out))
    assert (unknown.exit_code, unknown.stderr.strip()) == (2, (
        f"Lỗi: Kỳ 2024-H1 (6 tháng đầu năm 2024) không có trong tệp cấu hình {DEFAULT_CONFIG} (các kỳ đã khai báo: "
        "6 tháng đầu năm và năm của mỗi năm từ năm 2025). Chưa đọc tệp nào, chưa gửi thư nào: kiểm tra lại "
        "--period, hoặc khai báo kỳ này ở mục periods."))
    assert not out.exists()


def test_run_refuses_a_database_in_a_folder_that_does_not_exist(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    url = f"sqlite:///{tmp_path / 'khong-co' / 'x.db'}"
    done = invoke("run", "--period", "2025-Y", "--inbox", str(inbox), "--out", str(out), "--db", url)
    assert (done.exit_code, done.stderr.strip()) == (2, (
        f"Lỗi: Không mở được cơ sở dữ liệu {url}: thư mục {tmp_path / 'khong-co'} không tồn tại (kiểm tra lại --db "
        "hoặc TONGHOP_DB; thư mục không được tự tạo)"))
    assert not (tmp_path / "khong-co").exists()


def test_schedule_warns_when_no_upcoming_period_is_scheduled(tmp_path):
    import yaml

    from tonghop.config import DEFAULT_CONFIG

    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["periods"] = {"2025-H1": {}, "2025-Y": {}}        # a list that stopped in 2025
    path = tmp_path / "tinh.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = invoke("schedule", "--config", str(path), "--out", str(tmp_path / "out"))
    assert done.exit_code == 0
    assert done.stderr.strip() == (
        f"CẢNH BÁO: không có kỳ báo cáo sắp tới nào được lên lịch: sẽ không có lần chạy tự động và không có thư "
        f"nhắc nào. Các kỳ trong {path} chỉ đến kỳ 2025-Y (Năm 2025), đã qua hạn. Hãy khai báo các kỳ tới ở mục "
        "periods (ví dụ every_year: {from: 2025, kinds: [H1, Y]}) rồi khởi động lại `tonghop serve`.")
    shipped = invoke("schedule", "--out", str(tmp_path / "out"))
    assert (shipped.exit_code, shipped.stderr) == (0, "")


def test_template_send_after_the_deadline_asks_first(tmp_path, december_2026):
    args = ("template", "--period", "2026-Y", "--unit", "SYT", "--out", str(tmp_path / "bieu-mau"), "--send",
            "--db", f"sqlite:///{tmp_path / 'tonghop.db'}")
    warning = ("Cảnh báo: hạn nộp kỳ Năm 2026 là ngày 25/11/2026, đã qua 7 ngày: biểu mẫu gửi bây giờ đến các đơn "
               "vị khi đã quá hạn.")
    refused = invoke(*args)                      # no terminal to answer, no --yes
    assert (refused.exit_code, refused.stderr.strip().splitlines()) == (2, [
        warning, "Lỗi: Không gửi thư nào vì hạn nộp đã qua. Nếu thật sự muốn gửi, chạy lại với --yes."])
    assert not (tmp_path / "bieu-mau").exists() and not (tmp_path / "tonghop.db").exists()
    confirmed = invoke(*args, "--yes")
    assert (confirmed.exit_code, confirmed.stderr.strip()) == (0, warning)
    assert confirmed.stdout.strip().splitlines()[-1] == "Thư gửi biểu mẫu mới xếp hàng: 1 · đã gửi: 0 · ghi .eml: 1"


def test_a_file_replaced_by_a_later_one_is_counted_apart_so_the_counts_add_up():
    """A commune corrects its file by sending another: the first is no longer accepted (not current) nor rejected."""
    files = [{"file": f, "sha256": h * 64, "state": "new", "duplicate_of": None, "unit": "X04168", "status": st,
              "submission_id": i} for i, (f, h, st) in enumerate(
        [("SONGMA_BDG_2025-Y.xlsx", "a", "partially_accepted"), ("SONGMA_BDG_2025-Y (bản sửa).xlsx", "b", "accepted")],
        start=1)]
    summary = round_summary(files, [{"id": 1, "errors": 1, "warnings": 0, "status": "partially_accepted",
                                     "is_current": False},
                                    {"id": 2, "errors": 0, "warnings": 0, "status": "accepted", "is_current": True}])
    summary["counts"] = {"accepted": 1, "partially_accepted": 0, "rejected": 0, "rejected_files": 0}
    lines = printed(summary).splitlines()
    assert "Tệp trong hộp thư: 2 · đọc mới: 2 · chấp nhận: 1 · một phần: 0 · từ chối: 0 · đã được thay bằng bản gửi " \
           "sau: 1" in lines


def test_run_many_takes_each_province_folder_as_a_round_or_says_what_is_missing(tmp_path):
    from flows.cli.many import province_round_spec

    son_la = tmp_path / "son-la"
    (son_la / "inbox" / "2025-Y").mkdir(parents=True)
    (son_la / "config.yaml").write_text("x", encoding="utf-8")
    flat = tmp_path / "lai-chau"
    (flat / "inbox").mkdir(parents=True)
    (flat / "config.yaml").write_text("x", encoding="utf-8")
    assert [province_round_spec(son_la, "2025-Y"), province_round_spec(flat, "2025-Y")] == [
        {"config_path": str(son_la / "config.yaml"), "inbox": str(son_la / "inbox" / "2025-Y"),
         "out": str(son_la / "outputs"), "db_url": None},
        {"config_path": str(flat / "config.yaml"), "inbox": str(flat / "inbox"), "out": str(flat / "outputs"),
         "db_url": None}]

    (tmp_path / "dien-bien").mkdir()
    no_config = invoke("run-many", "--period", "2025-Y", str(son_la), str(tmp_path / "dien-bien"))
    assert (no_config.exit_code, no_config.stderr.strip()) == (
        2, f"Lỗi: {tmp_path / 'dien-bien'}: không có tệp cấu hình config.yaml")
    (tmp_path / "dien-bien" / "config.yaml").write_text("x", encoding="utf-8")
    no_inbox = invoke("run-many", "--period", "2025-Y", str(tmp_path / "dien-bien"))
    assert (no_inbox.exit_code, no_inbox.stderr.strip()) == (
        2, f"Lỗi: Không tìm thấy thư mục hộp thư đến {tmp_path / 'dien-bien' / 'inbox'}")
    bad_period = invoke("run-many", "--period", "2025-X", str(son_la))
    assert bad_period.exit_code == 2 and bad_period.stderr.startswith("Lỗi: ")


def test_run_help_says_from_how_many_files_the_workers_start():
    from flows.runners import MIN_FILES

    for command in ("run", "run-many"):
        shown = " ".join(invoke(command, "--help").stdout.replace("│", " ").split())
        assert f"Từ {MIN_FILES} tệp mới" in shown and "TONGHOP_WORKERS=N" in shown


def test_a_wrong_number_of_workers_is_said_in_one_line_before_any_file_is_read(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TONGHOP_WORKERS", "0")
    (tmp_path / "inbox").mkdir()
    with pytest.raises(SystemExit) as done:
        cli.main(["run", "--period", "2025-Y", "--inbox", str(tmp_path / "inbox"), "--out", str(tmp_path / "out")])
    assert (done.value.code, capsys.readouterr().err.strip()) == (2, "Lỗi: TONGHOP_WORKERS phải lớn hơn 0 (gặp '0')")
    assert [p.name for p in (tmp_path / "out").rglob("*") if p.is_file()] == ["tonghop.db"]   # no run, no summary


def test_the_mail_line_says_what_was_not_sent_once():
    from flows.cli.summary import mail_lines

    undelivered = {"mail": {"failed_error": "90 thư chưa gửi được: không kết nối được 127.0.0.1:1"}}
    other = {"mail": {"failed_error": "Không mở được cơ sở dữ liệu [x]"}}
    assert mail_lines(undelivered) == [("[yellow]90 thư chưa gửi được: không kết nối được 127.0.0.1:1[/]; thư vẫn "
                                        "trong hộp thư đi, lần chạy sau sẽ gửi.", False)]
    assert mail_lines(other) == [("[yellow]Thư chưa gửi được[/] (Không mở được cơ sở dữ liệu \\[x]); thư vẫn trong "
                                  "hộp thư đi, lần chạy sau sẽ gửi.", False)]


def test_the_progress_shows_only_stages_with_something_to_do(capsys):
    """A rerun with nothing new showed "Kiểm tra lại tệp đã lưu 1/1" (a stage of 0 files drawn as done)."""
    from flows.cli.rounds import _with_progress
    from tonghop import progress

    class Round:           # a flow's stand-in: reports its stages as _round does, returns its summary
        def with_options(self, task_runner):
            return self

        def __call__(self):
            progress.advance("Đọc và kiểm tra", 0, 0)
            progress.advance("Kiểm tra lại tệp đã lưu", 0, 0)
            progress.advance("Xếp thư trả lời", 0, 2)
            progress.advance("Xếp thư trả lời", 2, 2)
            return {"period": "2025-Y"}

    result = _with_progress(Round(), {})
    shown = [line.split("━")[0].strip() for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert (result, shown) == (({"period": "2025-Y"}, False), ["Xếp thư trả lời"])
