"""The shipped sample round: every planted mistake found at its cell, nothing else, each file's verdict right."""
from __future__ import annotations

import pytest
import yaml

from conftest import SAMPLES
from tonghop.config import Period
from tonghop.intake.read import parse_file
from tonghop.check.validate import validate_files

EXPECTED = yaml.safe_load((SAMPLES / "EXPECTED.yaml").read_text(encoding="utf-8"))["periods"]
CASES = [(period, spec) for period, p in EXPECTED.items() for spec in p["files"]]


@pytest.fixture(scope="module")
def checked(config):
    """Each period's files validated together, as a run does."""
    out = {}
    for period in EXPECTED:
        files = sorted((SAMPLES / period).glob("*"))
        files = [f for f in files if f.name != "received.csv"]
        for item in validate_files([parse_file(f) for f in files], config, Period.parse(period)):
            out[(period, item.parsed.path.name)] = item
    return out


@pytest.mark.parametrize("period, spec", CASES, ids=[f"{p}/{s['file']}" for p, s in CASES])
def test_sample_file_gets_exactly_its_planted_problems(checked, period, spec):
    item = checked[(period, spec["file"])]
    found = sorted((p.code, p.sheet, p.cell) for p in item.report.problems)
    assert found == sorted((p["code"], p["sheet"] if p["cell"] else "", p["cell"]) for p in spec["problems"])
    assert item.report.status == spec["status"]
    assert item.report.unit == spec["unit"]


def test_every_sample_file_is_listed(checked):
    listed = {(p, s["file"]) for p, s in CASES}
    assert set(checked) == listed
