"""Run one round (the real Prefect flow) and SIGKILL this process at a chosen point; for tests/test_faults.py.

Usage: python tests/faults/kill_run.py STAGE N PERIOD INBOX OUT DB_URL
STAGE: store (before the N-th submission is built: N-1 are committed), outputs (after the N-th file's reports),
queue (after the N-th message is built and recorded, its transaction still open), send-before / send-after (around the N-th SMTP DATA: claimed and
not sent / accepted by the server and not yet marked sent), summary (before summary.json). Exits 3 if the
point was never reached.
"""
from __future__ import annotations

import os
import signal
import smtplib
import sys
from typing import Any, Callable

import flows.round as round_flow  # noqa: E402
import tonghop.round.steps as round_steps  # noqa: E402
import tonghop.mail.queue as mail_queue  # noqa: E402
import tonghop.store.repo as repo  # noqa: E402


def killing(original: Callable[..., Any], nth: int, after: bool) -> Callable[..., Any]:
    calls = 0

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth and not after:
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if calls == nth and after:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    return wrapper


def main() -> None:
    stage, nth, period, inbox, out, db_url = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
    if stage == "store":
        repo.build_submission = killing(repo.build_submission, nth, after=False)
    elif stage == "outputs":
        round_steps.write_file_outputs = killing(round_steps.write_file_outputs, nth, after=True)
    elif stage == "queue":
        mail_queue.queue_report = killing(mail_queue.queue_report, nth, after=True)
    elif stage in ("send-before", "send-after"):
        smtplib.SMTP.sendmail = killing(smtplib.SMTP.sendmail, nth, after=stage == "send-after")
    elif stage == "summary":
        round_flow.write_summary = killing(round_flow.write_summary, nth, after=False)
    else:
        raise SystemExit(f"unknown stage {stage}")
    round_flow.consolidate_round(period=period, inbox=inbox, out=out, db_url=db_url, trigger="test")
    raise SystemExit(3)


if __name__ == "__main__":
    main()
