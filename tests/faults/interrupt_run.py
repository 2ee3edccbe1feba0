"""Run the real `tonghop` command and hold it at the N-th file to be stored, for tests/test_faults.py: the N-1
files before it are committed, MARKER is written, and that file takes SECONDS (a slow file), so that the test's
Ctrl+C (SIGINT) arrives mid-run.

Usage: python tests/faults/interrupt_run.py N SECONDS MARKER tonghop-arguments...
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import tonghop.store.repo as repo  # noqa: E402
from flows import cli  # noqa: E402


def main() -> None:
    nth, seconds, marker, args = int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:]
    original, calls = repo.build_submission, []

    def slow_at_nth(*a, **kw):
        calls.append(1)
        if len(calls) == nth:
            marker.write_text("held")
            time.sleep(seconds)
        return original(*a, **kw)

    repo.build_submission = slow_at_nth
    cli.main(args)


if __name__ == "__main__":
    main()
