"""The shipped sample round: every planted mistake found at its cell, nothing else, each file's verdict right."""
from __future__ import annotations

import pytest
import yaml

import sample_answer
from conftest import SAMPLES
from tonghop.config import Period
from tonghop.intake.read import parse_file
from tonghop_dev.sample import config as sample_config
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


def test_sample_configuration_has_every_commune_as_tonghop_init_writes_it(config):
    """config/son-la.yaml: Sơn La's 75 communes exactly as `tonghop init` lists them, with illustrative e-mails;
    tonghop_dev/sample/config.py would not change the file (it is up to date)."""
    from tonghop.config import is_placeholder
    from tonghop.provinces import communes, find_province
    from tonghop.scaffold import starting_units

    def keyed(units):
        return [{k: u[k] for k in ("code", "name", "kind", "area", "indicators")} for u in units]

    text = config.source.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    ours = [u for u in data["units"] if u["kind"] == "commune"]
    init = [u for u in starting_units(find_province("14")) if u["kind"] == "commune"]
    assert len(ours) == 75 and keyed(ours) == keyed(init)
    emails = [e for u in ours for e in u["emails"]]
    assert len(emails) == len(set(emails)) == 75
    assert not any(is_placeholder(e) for e in emails) and all(e.endswith("@sonla.gov.vn") for e in emails)
    assert data["areas"] == [{"code": "14", "name": "Tỉnh Sơn La"}] + [
        {"code": c.code, "name": c.name} for c in communes("14")]
    assert [u["code"] for u in data["units"] if u["kind"] == "department"] == [
        "SNV", "STC", "CCTK", "SGDDT", "SYT", "SVHTTDL", "CAT", "SKHCN", "STP", "SDTTG", "BDBP", "DPTTH", "BSL", "MTTQ"]
    assert sample_config.rewrite(text) == text


def test_the_sample_round_is_a_realistic_round(config):
    """Every unit sends a file but a few; a few are late, a few make mistakes; about 90 files a period."""
    for period, spec in EXPECTED.items():
        sent = {f["unit"] for f in spec["files"] if f["unit"]}
        assert sent | set(spec["no_file"]) == set(config.units) and not sent & set(spec["no_file"])
        answers = sample_answer.units(config, period)
        with_mistakes = {f["unit"] for f in spec["files"] if f["problems"]}
        assert (2 <= len(spec["no_file"]) <= 5, 3 <= len(sample_answer.late(answers)) <= 8,
                4 <= len(with_mistakes) <= 20, 85 <= len(spec["files"]) <= 95) == (True, True, True, True), period
        assert sum(u.on_time is True for u in answers) >= 0.85 * len(config.units)        # most on time
