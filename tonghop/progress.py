"""A tiny progress hook: the CLI installs a reporter, long steps call `advance`; no-op by default."""
from __future__ import annotations

from typing import Callable

Reporter = Callable[[str, int, int], None]   # (stage, done, total)
_reporter: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    global _reporter
    _reporter = reporter


def advance(stage: str, done: int, total: int) -> None:
    if _reporter is not None:
        _reporter(stage, done, total)
