"""The round generator (tonghop_dev/generate_round.py): patched workbooks read exactly like write_form's, and a generated round
validates to exactly the planted problems and expected statuses, in every format it writes."""
from __future__ import annotations

import csv
import json
import random

import pytest
import yaml

from tonghop.config import Period, load_config, parse_config
from tonghop.intake.read import parse_file
from tonghop.intake.rows import activity_records
from tonghop.check.validate import validate_files
from tonghop_dev.fastform import FormSpec, FormWriter
from tonghop_dev.generate_round import (DEPARTMENTS, Sending, activity_rows, generate_round, indicator_rows, main,
                                        province_config, province_specs, write_sending)

pytestmark = pytest.mark.full   # generates and validates whole provinces of forms
Y = Period.parse("2025-Y")


def readable(path):
    """What tonghop reads from a file: header, sheets and every table cell with its address."""
    p = parse_file(path)
    assert not p.problems, [x.code for x in p.problems]
    return (p.header, p.header_cells, p.indicator_sheet, p.activity_sheet,
            [(r.row, r.values, r.cells) for r in p.indicator_rows],
            [(r.row, r.values, r.cells) for r in p.activity_rows], p.percent_cells)


@pytest.fixture(scope="module")
def province():
    data = province_config(province_specs(2)[1], 6, seed=5)
    return parse_config(data)


def test_a_patched_workbook_reads_exactly_like_the_one_write_form_writes(tmp_path, province):
    rng = random.Random(3)
    plans = {code: acts for code, _n, _i, acts in DEPARTMENTS}

    def spec(code: str, **kw) -> FormSpec:
        unit = province.units[code]
        ind = indicator_rows(province, code, 1_200_000, rng) if unit.indicators else []
        act = activity_rows(plans.get(code, ("TT", "TH", "MH", "VP", "THD")), Y, rng)
        return FormSpec(config=province, period=Y, unit=unit, indicator_rows=kw.pop("ind", ind),
                        activity_rows=kw.pop("act", act), reporter=kw.pop("reporter", "Lò Thị Hương"), **kw)

    communes = [c for c, u in province.units.items() if u.kind == "commune"]
    pairs = [  # (first of a shape: the template, a second one of the same shape: patched)
        (spec(communes[0]), spec(communes[1], email="canbo.xa@gmail.com")),
        (spec(communes[2], merged_participants_header=True, place_date="Cao Bằng, ngày 1 tháng 11 năm 2025",
              signers=("A", "B")),
         spec(communes[3], merged_participants_header=True, place_date="Cao Bằng, ngày 9 tháng 11 năm 2025",
              signers=("Hà Văn Tấn", "Lê Thị Nga"), period_text="năm 2025")),
    ]
    snv = spec("SNV")
    changed = [dict(r) if r else None for r in snv.indicator_rows]
    changed[0]["value"] = "=G9/H9*100"                   # a formula with no cached value
    changed[1].update(numerator="1.318.700", note=" ước tính ")   # typed as text, with spaces
    changed.insert(3, None)                              # a blank line
    twin = [dict(r) if r else None for r in changed]
    twin[2]["value"] = 12.5
    pairs.append((spec("SNV", ind=twin), spec("SNV", ind=changed, reporter=None)))
    writer = FormWriter()
    for i, (first, second) in enumerate(pairs):
        writer.write(tmp_path / f"template-{i}.xlsx", first)
        fast = writer.write(tmp_path / f"fast-{i}.xlsx", second)
        slow = second.write_with_openpyxl(tmp_path / f"slow-{i}.xlsx")
        assert readable(fast) == readable(slow)
    assert writer.templates_written == len(pairs)
    renamed = writer.write(tmp_path / "renamed.xlsx", pairs[0][1], {"Biểu 01": "BIEU01", "Biểu 02": "BIEU02"})
    parsed = parse_file(renamed)
    assert (parsed.indicator_sheet, parsed.activity_sheet) == ("BIEU01", "BIEU02")


@pytest.mark.parametrize("fmt", ["xls", "ods", "csv", "xlsm"])
def test_other_formats_are_read_like_the_xlsx(tmp_path, province, fmt):
    rng = random.Random(4)
    code = next(c for c, u in province.units.items() if u.kind == "commune")
    s = Sending(code, [], activity_rows(("TT", "TH", "VP"), Y, rng), fmt=fmt)
    if fmt == "xls":
        s.sheet_names = {"Biểu 01": "Bieu 01", "Biểu 02": "Bieu 02"}
    writer = FormWriter()
    write_sending(s, writer, province, Y, tmp_path / f"f.{fmt}", "Cà Thị Xuân")
    write_sending(Sending(code, [], s.act_rows), writer, province, Y, tmp_path / "f.xlsx", "Cà Thị Xuân")
    got, want = parse_file(tmp_path / f"f.{fmt}"), parse_file(tmp_path / "f.xlsx")
    assert got.problems == [] and got.header["unit_code"] == code
    typed = [activity_records(0, p)[0] for p in (got, want)]       # CSV cells are text: compare what is read
    assert [[{k: r[k] for k in ("activity", "count", "participants", "men", "women", "budget")} for r in recs]
            for recs in typed] == [[{k: r[k] for k in ("activity", "count", "participants", "men", "women",
                                                       "budget")} for r in typed[1]]] * 2


def test_a_generated_round_validates_to_exactly_the_planted_problems(tmp_path):
    made = generate_round(tmp_path / "round", provinces=2, communes_per_province=8, mistakes=0.6, seed=2025)
    assert [p.code for p in made] == ["01", "04"]
    planted = 0
    for prov in made:
        assert len(prov.files) == 15 + 8
        config = load_config(prov.config_path)
        assert yaml.safe_load(prov.config_path.read_text(encoding="utf-8"))["province"]["code"] == prov.code
        with open(prov.inbox / "received.csv", encoding="utf-8") as fh:
            assert sorted(r["file"] for r in csv.DictReader(fh)) == sorted(f["file"] for f in prov.files)
        expected = json.loads((prov.root / "expected.json").read_text(encoding="utf-8"))["files"]
        assert expected == prov.files
        checked = validate_files([parse_file(prov.inbox / f["file"]) for f in expected], config, Y)
        for want, got in zip(expected, checked):
            found = sorted((p.code, p.sheet, p.cell) for p in got.report.problems)
            assert found == sorted((p["code"], p["sheet"], p["cell"]) for p in want["problems"]), want["file"]
            assert got.report.status == want["status"], want["file"]
            planted += bool(want["problems"])
    assert 10 <= planted <= 35
    again = generate_round(tmp_path / "again", provinces=2, communes_per_province=8, mistakes=0.6, seed=2025)
    assert [p.files for p in again] == [p.files for p in made]        # deterministic for a seed


def test_command_line(tmp_path, capsys):
    assert main(["--provinces", "1", "--communes-per-province", "2", "--out", str(tmp_path), "--seed", "1"]) == 0
    assert "17 tệp" in capsys.readouterr().out
    assert len(list((tmp_path / "01-ha-noi" / "inbox").iterdir())) == 17 + 1     # and received.csv
