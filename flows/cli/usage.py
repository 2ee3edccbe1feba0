"""Click's usage errors in Vietnamese: a missing or unknown option, a bad value, a mistyped command."""
from __future__ import annotations

import difflib
import re

from flows.cli.app import app

_VALUE_REASONS_VI = [("valid integer", "cần một số nguyên"), ("valid number", "cần một số"),
                     ("valid boolean", "cần có hoặc không (true/false)")]


def is_usage_error(exc: BaseException) -> bool:
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
