"""Cold run vs rerun on the Sơn La sample round, in one process with a temporary Prefect server:
prints the time of a cold run, a rerun with nothing new, and a rerun after one agency resent its file."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tonghop-bench-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
sys.path.insert(0, str(ROOT))


def resend_one(inbox: Path) -> str:
    """SYT resends its file with one figure corrected (new content, so a new hash)."""
    import openpyxl

    path = next(p for p in inbox.iterdir() if "Sở Y tế" in p.name)
    wb = openpyxl.load_workbook(path)
    wb["Biểu 01"]["J9"] = "gửi lại"
    wb.save(path)
    return path.name


def main() -> None:
    from prefect.testing.utilities import prefect_test_harness

    from flows.round import consolidate_round

    work = Path(tempfile.mkdtemp(prefix="tonghop-rerun-"))
    inbox = work / "inbox"
    shutil.copytree(ROOT / "sample_inputs" / "2025-Y", inbox)
    run = dict(period="2025-Y", inbox=str(inbox), out=str(work / "out"), db_url=f"sqlite:///{work / 'db.sqlite'}")
    with prefect_test_harness(server_startup_timeout=120):
        timings = []
        for label, before in [("cold run (20 files)", None), ("rerun, nothing new", None),
                              ("rerun after one file resent", resend_one)]:
            note = before(inbox) if before else ""
            t0 = time.perf_counter()
            summary = consolidate_round(**run, trigger="test")
            timings.append((label, time.perf_counter() - t0, summary["files_read_this_run"], note))
    for label, seconds, read, note in timings:
        print(f"{label:32s} {seconds:6.2f} s   files read: {read:2d}  {note}")
    cold = timings[0][1]
    print(f"rerun after one resent file = {timings[2][1] / cold:.0%} of the cold run")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
