"""The Makefile's two commands: the demo keeps its made-up figures apart from the real rounds."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def planned(target: str, *args: str) -> list[str]:
    """The commands `make -n TARGET` would run. Under `make test` (CI) this make is a child of make, which would
    add "make[1]: Entering/Leaving directory" lines: --no-print-directory keeps only the commands."""
    done = subprocess.run(["make", "--no-print-directory", "-n", target, *args], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return done.stdout.strip().splitlines()


def test_demo_has_its_own_output_folder_and_database():
    """Not outputs/ and outputs/tonghop.db (nor TONGHOP_DB): the demo must never become a real round's 'kỳ trước'."""
    assert planned("demo")[-1] == (".venv/bin/tonghop run --period 2025-Y --inbox sample_inputs/2025-Y "
                                   "--out outputs/demo --db sqlite:///outputs/demo/tonghop.db")
    assert planned("demo", "PERIOD=2025-H1")[-1] == (
        ".venv/bin/tonghop run --period 2025-H1 --inbox sample_inputs/2025-H1 "
        "--out outputs/demo --db sqlite:///outputs/demo/tonghop.db")
    # the full suite, with its 20 slowest tests named at the end (where CI spends its time)
    assert planned("test")[-2:] == ["bash scripts/services.sh", ".venv/bin/python -m pytest -q --durations=20"]


def test_quick_runs_the_quick_tier_without_services():
    """`make quick` is the tier a developer runs before each commit: no PostgreSQL started, `-m quick` only."""
    assert planned("quick")[-1] == ".venv/bin/python -m pytest -q -m quick -n auto"
    assert "bash scripts/services.sh" not in planned("quick")
