"""Command line `tonghop`: the app and `main`; the commands live in this package's modules, one group each."""
from __future__ import annotations

import sys

import typer
from rich.markup import escape

from flows.cli.app import app, console, err
from flows.cli.interrupt import STOPPED
from flows.cli.summary import print_summary
from flows.cli.usage import app_commands, is_usage_error, usage_error_vi
from tonghop.errors import TonghopError

# each module registers its commands on `app` when imported: the order here is the order of `tonghop --help`
from flows.cli import rounds, many, forms, scheduling, national, scaffold  # noqa: E402  isort: skip

COMMAND_MODULES = (rounds, many, forms, scheduling, national, scaffold)

# console is read from here at each print of the summary: callers (and tests) may swap it
__all__ = ["app", "app_commands", "console", "err", "main", "print_summary", "usage_error_vi"]


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
        if not is_usage_error(exc):
            raise
        if type(exc).__name__ != "NoArgsIsHelpError":      # `tonghop` alone: Typer has printed the help
            err.print(f"[bold red]Lỗi:[/] {escape(usage_error_vi(exc, argv if argv is not None else sys.argv[1:]))}",
                      soft_wrap=True, highlight=False)
        sys.exit(2)
    if code == 130:                                      # Typer's answer to a KeyboardInterrupt
        err.print(STOPPED, highlight=False)
    sys.exit(code if isinstance(code, int) else 0)
