"""Cold run vs rerun of one province's round, in one process with a temporary Prefect server: prints the time
of a cold run, a rerun with nothing new, and a rerun after one agency resent its file.

    .venv/bin/python bench/rerun_sample.py                                   # the Sơn La sample (20 files)
    .venv/bin/python bench/generate_round.py --provinces 1 --communes-per-province 985 --out /tmp/p1000
    .venv/bin/python bench/rerun_sample.py --province /tmp/p1000/01-ha-noi   # a province of 1,000 files
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tonghop-bench-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def resend_one(inbox: Path) -> str:
    """SYT resends its file with one figure corrected (new content, so a new hash)."""
    import openpyxl

    path = next(p for p in inbox.iterdir() if "Sở Y tế" in p.name)
    wb = openpyxl.load_workbook(path)
    wb["Biểu 01"]["J9"] = "gửi lại"
    wb.save(path)
    return path.name


def resend_generated(config: Path):
    """A unit of a generated province resends its report with one cell changed (tonghop_dev/benchmark.py)."""
    from tonghop_dev.benchmark import Province, change_one_file

    return lambda inbox: change_one_file(Province(config, inbox)).name


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--province", type=Path,
                        help="a province made by bench/generate_round.py (config.yaml and inbox/); default: the sample")
    args = parser.parse_args(argv)
    from prefect.testing.utilities import prefect_test_harness

    from flows.round import consolidate_round

    work = Path(tempfile.mkdtemp(prefix="tonghop-rerun-"))
    inbox = work / "inbox"
    if args.province:
        shutil.copytree(args.province / "inbox", inbox)
        config, resend = str(args.province / "config.yaml"), resend_generated(args.province / "config.yaml")
    else:
        shutil.copytree(ROOT / "sample_inputs" / "2025-Y", inbox)
        config, resend = None, resend_one
    files = sum(1 for p in inbox.iterdir() if p.is_file() and p.name not in ("received.csv", "README.md", "EXPECTED.yaml"))
    run = dict(period="2025-Y", inbox=str(inbox), out=str(work / "out"), db_url=f"sqlite:///{work / 'db.sqlite'}",
               config_path=config)
    with prefect_test_harness(server_startup_timeout=120):
        timings = []
        for label, before in [(f"cold run ({files} files)", None), ("rerun, nothing new", None),
                              ("rerun after one file resent", resend)]:
            note = before(inbox) if before else ""
            t0 = time.perf_counter()
            summary = consolidate_round(**run, trigger="test")
            timings.append((label, time.perf_counter() - t0, summary["files_read_this_run"], note))
    for label, seconds, read, note in timings:
        print(f"{label:32s} {seconds:6.2f} s   files read: {read:4d}  {note}")
    cold = timings[0][1]
    print(f"rerun after one resent file = {timings[2][1] / cold:.0%} of the cold run")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
