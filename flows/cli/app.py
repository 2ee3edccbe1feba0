"""The Typer app of `tonghop`: its Vietnamese help, the consoles, the options shared by commands, one-line failures."""
from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup

from tonghop.config import DEFAULT_CONFIG

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
             "<list[str]>": "<văn bản>", "<list[Path]>": "<đường dẫn>", "<bool>": ""}
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
            elif param.param_type_name == "argument":   # an argument's metavar is its name: its kind is apart
                kind = _KINDS_VI.get(param.display_type(ctx) or "", "<giá trị>")
                param.display_type_rich = lambda ctx, kind=kind: kind
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


def quiet_prefect(verbose: bool) -> None:
    """Prefect reads these at import; a data officer wants the progress bar, not the engine's logs."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Prefect's 20 s for its own local server is too short on a busy office PC (seen here with two cores loaded).
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]Lỗi:[/] {message}", soft_wrap=True)   # a path cut by wrapping is hard to copy
    raise typer.Exit(code)


def require_folder(path: Path, option: str, name: str, holds: str) -> None:
    """Exit 2 with one Vietnamese line when `path` is missing or is a file (Click's own check is English)."""
    if not path.exists():
        fail(f"Không tìm thấy {name} {path}")
    if not path.is_dir():
        fail(f"{path} là một tệp, không phải thư mục; {option} cần thư mục chứa {holds}")
