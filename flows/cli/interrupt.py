"""Ctrl+C and Prefect's console during a command: one Vietnamese line, exit status 130, no English traceback."""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime

from flows.cli.app import err
from tonghop.config import Period
from tonghop.errors import TonghopError

GRACE_SECONDS = 5   # after Ctrl+C, the most a run may take to record itself before the process ends anyway
STOPPED = "Đã dừng theo yêu cầu (Ctrl+C)."

_stopping = threading.Lock()


def _known_error(record: logging.LogRecord) -> bool:
    """False for a log record carrying a TonghopError: the CLI prints it itself, in one line."""
    exc = record.exc_info[1] if record.exc_info else None
    return not isinstance(exc, TonghopError)


def hide_known_errors(verbose: bool) -> None:
    """Prefect prints the traceback of an exception that ends a flow run; for the errors tonghop explains
    (a folder it cannot write, a database it cannot open, a run already in progress) the officer gets the
    one-line Vietnamese message instead. Only the terminal loses it: the Prefect server still records it."""
    if verbose:
        return
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and _known_error not in handler.filters:
            handler.addFilter(_known_error)


def ctrl_c_stops_run(said: Callable[[], str | None]) -> Callable[..., None]:
    """The SIGINT handler of a run. The first Ctrl+C stops the run (KeyboardInterrupt), which records itself as
    interrupted on its way out; Prefect's English crash report is not shown; the process ends as soon as the
    record is written (`said` gives the officer's line then, None before), not after Prefect has waited for
    the tasks still running (minutes with a large batch), and at the latest after GRACE_SECONDS. A second
    Ctrl+C ends it at once."""
    def handler(signum, frame) -> None:
        from prefect.logging.handlers import PrefectConsoleHandler

        for console_handler in logging.getLogger().handlers:
            if isinstance(console_handler, PrefectConsoleHandler):
                console_handler.addFilter(lambda record: False)
        signal.signal(signal.SIGINT, lambda *_: stop_now(STOPPED))
        threading.Thread(target=_end_soon, args=(said,), daemon=True).start()
        raise KeyboardInterrupt

    return handler


def _end_soon(said: Callable[[], str | None]) -> None:
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline:
        line = said()
        if line:
            stop_now(line)
        time.sleep(0.2)
    stop_now(said() or f"{STOPPED} Chạy lại cùng lệnh để xử lý tiếp.")


def interrupted_run(db_url: str, period: Period, since: datetime) -> str | None:
    """The officer's line once the run stopped by Ctrl+C has recorded itself (what it kept, what to do next);
    None while it has not."""
    from tonghop.round.runs import list_runs
    from tonghop.store import open_db

    try:
        engine = open_db(db_url, migrated=True)
        try:
            last = list_runs(engine, limit=1, period=period)
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 - a database busy or gone: the caller falls back to the plain line
        return None
    if last and last[0].outcome == "interrupted" and last[0].started_at >= since:
        return (f"Đã dừng theo yêu cầu (Ctrl+C) đợt tổng hợp {period.vi}: {last[0].files_new} tệp mới đã lưu được "
                "giữ lại; chạy lại cùng lệnh để xử lý tiếp.")
    return None


def stop_now(message: str) -> None:
    """Ctrl+C during a run: one Vietnamese line and exit status 130 at once, without waiting for the tasks
    still running in other threads (what they had not committed, the next run redoes)."""
    if not _stopping.acquire(blocking=False):       # another thread is already saying it and ending
        time.sleep(GRACE_SECONDS)
        os._exit(130)
    err.print(message, soft_wrap=True, highlight=False)
    err.show_cursor(True)                            # the progress bar hides it while it runs
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)
