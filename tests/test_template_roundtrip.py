"""Templates filled as a person would are read back with no problems and the same figures; classic
mistakes typed into a template are caught. Runs for every unit of the Sơn La configuration."""
from __future__ import annotations

import openpyxl
import pytest

from tonghop.config import Period, load_config
from tonghop.reports.form import write_templates
from tonghop.numbers import format_vi
from tonghop.intake.read import parse_file
from tonghop.check.validate import validate_files

Y = Period.parse("2025-Y")
UNITS = list(load_config().units)


# numerator = denominator × share, a plausible share for each kind of unit
SHARE = {"percent": 0.4, "ratio": 1.6, "per_100": 1.1, "per_1000": 0.02, "per_100k": 0.0004}
DENOMINATOR = {"Tổng": 15000, "Nam": 7000, "Nữ": 8000}   # Tổng = Nam + Nữ


def fill(path, catalogue):
    """Type figures into every pre-filled indicator row and one activity, as text the Vietnamese way."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Biểu 01"]
    typed = {}
    for r in range(9, ws.max_row + 1):
        code, sex = ws.cell(r, 2).value, ws.cell(r, 6).value
        if not code:
            continue
        unit = catalogue.indicators[code].unit.code
        if unit == "boolean":                     # no formula: the person types 1 or 0
            ws.cell(r, 9, 1)
            typed[(code, sex)] = (None, None)
            continue
        den = DENOMINATOR[sex] if catalogue.indicators[code].by_sex else DENOMINATOR[sex] + 10 * r
        num = round(den * SHARE[unit], 2)
        ws.cell(r, 7, format_vi(num))
        ws.cell(r, 8, format_vi(den))
        typed[(code, sex)] = (float(num), float(den))
    act = wb["Biểu 02"]
    for c, v in zip("BCDEFGH", ["TH", "Tập huấn cán bộ", "2", "1.250", "600", "650", "15,5"]):
        act[f"{c}9"] = v
    wb.save(path)
    return typed


@pytest.mark.parametrize("unit", UNITS)
def test_filled_template_reads_back_clean(tmp_path, config, catalogue, unit):
    [path] = write_templates(config, Y, tmp_path, [unit])
    # by-sex rows (5.1): Tổng row 0, Nam row 1, Nữ row 2 — make Tổng = Nam + Nữ
    typed = fill(path, catalogue)
    [item] = validate_files([parse_file(path)], config, Y)
    assert [(p.code, p.cell) for p in item.report.problems] == []
    assert item.report.status == "accepted"
    read = {(f["indicator"], f["sex"]): (f["numerator"], f["denominator"]) for f in item.figures}
    assert read == typed
    assert [(a["activity"], a["participants"], a["men"], a["women"], a["budget"]) for a in item.activities] == [
        ("TH", 1250.0, 600.0, 650.0, 15.5)]


def test_template_with_classic_mistakes_is_caught(tmp_path, config, catalogue):
    [path] = write_templates(config, Y, tmp_path, ["SGDDT"])
    fill(path, catalogue)
    wb = openpyxl.load_workbook(path)
    ws = wb["Biểu 01"]
    ws["G9"] = "khoảng 300"          # text where a number belongs
    ws["G12"], ws["H12"] = 900, 600    # numerator above denominator (5.2a is a share)
    ws["D13"] = "116"                  # an old district code
    ws["B14"] = "5.9"                  # a code not in the catalogue
    wb["Biểu 02"]["E9"] = 1200         # participants ≠ men + women (600 + 650)
    wb.save(path)
    [item] = validate_files([parse_file(path)], config, Y)
    assert sorted((p.code, p.cell) for p in item.report.problems) == [
        ("missing-indicator", ""), ("not-a-number", "G9"), ("numerator-above-denominator", "G12"),
        ("participants-mismatch", "E9"), ("unknown-area", "D13"), ("unknown-indicator", "B14")]
    assert item.report.status == "partially_accepted"
