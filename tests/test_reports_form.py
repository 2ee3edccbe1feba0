"""Tests of the form writer (templates, filled copies, guide sheet) and of the sample round generator."""
from __future__ import annotations

import csv
import re
import subprocess
import sys
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import yaml
from openpyxl.utils import get_column_letter, range_boundaries

from schemas.catalogue import load_catalogue
from schemas.labels import (ACTIVITY_COLUMNS, HEADER_FIELDS, INDICATOR_COLUMNS, SHEET_ACTIVITIES, SHEET_GUIDE,
                            SHEET_INDICATORS, TITLE_ACTIVITIES, TITLE_INDICATORS, sheet_key)
from tonghop.config import Period, parse_config
from tonghop.entry_hints import entry_hint
from tonghop.reports.form import template_rows, write_form, write_templates

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "sample_inputs" / "generate.py"
CATALOGUE = load_catalogue()


def _validations(ws) -> list[tuple[str, str | None, str | None, str | None, set[str]]]:
    """(type, operator, formula1, formula2, set of single cells covered) for each data validation."""
    out = []
    for dv in ws.data_validations.dataValidation:
        cells = set()
        for rng in dv.sqref.ranges:
            min_col, min_row, max_col, max_row = range_boundaries(rng.coord)
            cells |= {f"{get_column_letter(c)}{r}" for c in range(min_col, max_col + 1)
                      for r in range(min_row, max_row + 1)}
        out.append((dv.type, dv.operator, dv.formula1, dv.formula2, cells))
    return out


def _covering(ws, cell: str) -> list[tuple]:
    return [(t, op, f1, f2) for t, op, f1, f2, cells in _validations(ws) if cell in cells]


def _listed(wb, formula: str) -> list[str]:
    """The choices of a list validation: inline ("a,b") or a column range of the guide sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    m = re.fullmatch(r"'Hướng dẫn'!\$A\$(\d+):\$A\$(\d+)", formula)
    assert m, formula
    return [wb[SHEET_GUIDE][f"A{r}"].value for r in range(int(m.group(1)), int(m.group(2)) + 1)]


# the 89 units' forms of one period in the quick tier, the other period's in the full suite (7 s each)
@pytest.mark.parametrize("period_code", ["2025-Y", pytest.param("2025-H1", marks=pytest.mark.full)])
def test_templates_for_every_unit(tmp_path, config, period_code):
    period = Period.parse(period_code)
    paths = write_templates(config, period, tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{code}-{period_code}.xlsx" for code in config.units)
    for unit in config.units.values():
        wb = openpyxl.load_workbook(tmp_path / f"{unit.code}-{period_code}.xlsx")
        assert wb.sheetnames == [SHEET_INDICATORS, SHEET_ACTIVITIES, SHEET_GUIDE]
        ws, ws2 = wb[SHEET_INDICATORS], wb[SHEET_ACTIVITIES]
        for sheet in (ws, ws2):
            assert [sheet[f"A{r}"].value for r in range(1, 6)] == list(HEADER_FIELDS.values())
            assert [sheet[f"C{r}"].value for r in range(1, 6)] == [unit.name, unit.code, period.vi, None,
                                                                   unit.emails[0]]
            # protection without password; the province's cells locked, the person's unlocked
            assert sheet.protection.sheet is True and not sheet.protection.password
            assert sheet["C2"].protection.locked and sheet["C3"].protection.locked
            assert not sheet["C4"].protection.locked and not sheet["C5"].protection.locked
            assert sheet["A8"].protection.locked and sheet["A8"].font.b
            assert sheet.protection.insertRows is False   # people may still add rows
            # print settings: A4 landscape, one page wide, rows 1-8 on every page
            assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
            assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
            assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
            assert sheet.print_title_rows == "$1:$8" and sheet.freeze_panes == "A9"
        assert ws["A6"].value == TITLE_INDICATORS and ws2["A6"].value == TITLE_ACTIVITIES
        assert [ws[f"{c}8"].value for c, _ in INDICATOR_COLUMNS.values()] == [h for _, h in INDICATOR_COLUMNS.values()]
        assert [ws2[f"{c}8"].value for c, _ in ACTIVITY_COLUMNS.values()] == [h for _, h in ACTIVITY_COLUMNS.values()]
        assert ws.column_dimensions["C"].width == 34 and ws2.column_dimensions["C"].width == 52
        assert [ws[f"{c}8"].value for c in "KL"] == ["Đơn vị tính", "Cách nhập"]

        expected = template_rows(config, unit)
        assert len(expected) == sum(3 if CATALOGUE.indicators[c].by_sex else 1 for c in unit.indicators)
        for r, row in enumerate(expected, start=9):
            ind = CATALOGUE.indicators[row["indicator"]]
            assert [ws[f"{c}{r}"].value for c in "ABCDEF"] == [r - 8, ind.code, ind.vi, "14", "Tỉnh Sơn La",
                                                               row["sex"]]
            assert [ws[f"{c}{r}"].value for c in "GHJ"] == [None, None, None]
            # the unit and how to enter it, read-only beside the figures
            assert [ws[f"{c}{r}"].value for c in "KL"] == [ind.unit.vi, entry_hint(ind)]
            assert ws[f"K{r}"].protection.locked and ws[f"L{r}"].protection.locked
            if ind.code == "4.1":
                assert ws[f"L{r}"].value == ("Tử số = Số bé trai sinh ra sống; Mẫu số = Số bé gái sinh ra sống; "
                                             "Giá trị = Tử số / Mẫu số × 100, tính trên 100, khoảng 112 (không ghi "
                                             "1,12).")
            assert ws[f"B{r}"].protection.locked and ws[f"F{r}"].protection.locked
            assert not ws[f"D{r}"].protection.locked and not ws[f"I{r}"].protection.locked
            assert _covering(ws, f"B{r}") == [("list", None, '"' + ",".join(unit.indicators) + '"', None)]
            [(kind, _op, areas, _f2)] = _covering(ws, f"D{r}")
            assert kind == "list" and _listed(wb, areas) == list(config.areas)
            assert _covering(ws, f"F{r}") == [("list", None, '"Tổng,Nam,Nữ"', None)]
            if ind.is_boolean:
                assert ws[f"I{r}"].value is None
                assert _covering(ws, f"I{r}") == [("whole", "between", "0", "1")]
                assert _covering(ws, f"G{r}") == [] and ws[f"G{r}"].protection.locked
            else:
                factor = {"percent": "*100", "ratio": "", "per_100": "*100", "per_1000": "*1000",
                          "per_100k": "*100000"}[ind.unit.code]
                assert ws[f"I{r}"].value == f'=IF(AND(ISNUMBER(G{r}),ISNUMBER(H{r}),H{r}<>0),G{r}/H{r}{factor},"")'
                for c in "GHI":
                    assert _covering(ws, f"{c}{r}") == [("decimal", "greaterThanOrEqual", "0", None)]
                    assert not ws[f"{c}{r}"].protection.locked
        spare = 9 + len(expected)          # first empty entry line below the pre-filled rows
        assert ws[f"B{spare}"].value is None and not ws[f"B{spare}"].protection.locked
        for dv in ws.data_validations.dataValidation:
            assert dv.showErrorMessage and dv.showInputMessage and dv.error and dv.prompt
        dvs = {(t, op, f1): cells for t, op, f1, _, cells in _validations(ws2)}
        assert dvs[("list", None, '"TT,TH,MH,KT,VP,THD"')] == {f"B{r}" for r in range(9, 17)}
        assert dvs[("whole", "greaterThanOrEqual", "0")] == {f"{c}{r}" for c in "DEFG" for r in range(9, 17)}
        assert ws2["C18"].value == "Người lập biểu" and ws2["F18"].value == "Thủ trưởng đơn vị"
        assert ws2["A17"].value is None and ws2["C17"].value is None
        _check_guide(wb[SHEET_GUIDE], config, period, unit)


def _check_guide(ws, config, period, unit) -> None:
    text = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    deadline = {"Y": "25/11/", "H1": "20/05/"}[period.kind] + str(period.year)
    assert f"Hạn gửi báo cáo\n{deadline}" in text
    assert f"{unit.name} (mã {unit.code})" in text and f"Kỳ báo cáo\n{period.vi}" in text
    assert "Nơi nhận\nSở Nội vụ — email cchcsonla@gmail.com" in text
    rows = {row[0]: row for row in ws.iter_rows(values_only=True) if row[0] in CATALOGUE.indicators}
    assert set(rows) == set(unit.indicators)
    for code in unit.indicators:
        ind = CATALOGUE.indicators[code]
        assert rows[code][1] == ind.label
        assert "chưa đối chiếu" not in rows[code][1] and "nguyên văn" not in rows[code][1]
        assert rows[code][2] == (ind.numerator or "—") and rows[code][3] == (ind.denominator or "—")
        assert rows[code][4] == ind.unit.vi
    if "4.1" in rows:
        assert rows["4.1"][5:7] == ("tối đa 111 trên 100", "tối đa 109 trên 100")
    if "2.2" in rows:
        assert rows["2.2"][5:7] == ("dưới 30%", "dưới 25%")
    if "6.1" in rows:
        assert rows["6.1"][5:7] == ("tối thiểu 60%", "tối thiểu 80%")
    for code in ("TT", "TH", "MH", "KT", "VP", "THD"):
        assert (code, CATALOGUE.activities[code].vi) in {row[:2] for row in ws.iter_rows(values_only=True)}
    assert ws.protection.sheet is True


def test_commune_template_uses_its_own_area(tmp_path, config):
    data = yaml.safe_load(config.source.read_text(encoding="utf-8"))
    for raw in data["units"]:
        if raw["code"] == "X03847":
            raw["indicators"] = ["4.1", "5.1"]
    cfg = parse_config(data)
    path = write_templates(cfg, Period.parse("2025-Y"), tmp_path, ["X03847"])[0]
    ws = openpyxl.load_workbook(path)[SHEET_INDICATORS]
    got = [tuple(ws[f"{c}{r}"].value for c in "BDEF") for r in range(9, 13)]
    assert got == [("4.1", "03847", "Xã Mường Bú", "Tổng"), ("5.1", "03847", "Xã Mường Bú", "Tổng"),
                   ("5.1", "03847", "Xã Mường Bú", "Nam"), ("5.1", "03847", "Xã Mường Bú", "Nữ")]


def test_long_area_list_uses_guide_range(tmp_path, config):
    data = yaml.safe_load(config.source.read_text(encoding="utf-8"))
    data["areas"] += [{"code": f"14{n:03d}", "name": f"Xã số {n}"} for n in range(5, 80)]
    cfg = parse_config(data)
    wb = openpyxl.load_workbook(write_templates(cfg, Period.parse("2025-Y"), tmp_path, ["SYT"])[0])
    # 80 codes do not fit Excel's 255-character inline list: the drop-down points at the guide's table
    (formula,) = [f1 for t, _, f1, _, cells in _validations(wb[SHEET_INDICATORS]) if "D9" in cells]
    m = re.fullmatch(r"'Hướng dẫn'!\$A\$(\d+):\$A\$(\d+)", formula)
    assert m, formula
    listed = [wb[SHEET_GUIDE][f"A{r}"].value for r in range(int(m.group(1)), int(m.group(2)) + 1)]
    assert listed == list(cfg.areas)



def test_every_font_of_a_template_names_its_typeface(tmp_path, config):
    """An unnamed font (bold, a size) made LibreOffice draw labels in a serif face beside Calibri values."""
    [path] = write_templates(config, Period.parse("2025-Y"), tmp_path, ["SYT"])
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
    fonts = re.findall(r"<font>.*?</font>|<font/>", re.search(r"<fonts[^>]*>(.*)</fonts>", styles, re.S).group(1), re.S)
    assert fonts and [f for f in fonts if "<name " not in f] == []
    assert set(re.findall(r'<name val="([^"]+)"', styles)) == {"Calibri"}

def test_write_templates_rejects_unknown_unit(tmp_path, config):
    with pytest.raises(KeyError, match="XYZ"):
        write_templates(config, Period.parse("2025-Y"), tmp_path, ["SYT", "XYZ"])


def test_write_form_puts_values_at_documented_cells(tmp_path, config):
    rows = [
        {"indicator": "4.1", "area": "14", "sex": "Tổng", "numerator": "10.612", "denominator": 9478,
         "value": 111.96, "note": "Số liệu sơ bộ"},
        None,
        {"indicator": "4.2", "area": "03847", "sex": None, "numerator": 1, "denominator": 1520,
         "value": "=G11/H11*100000", "note": None},
    ]
    acts = [{"activity": "TT", "description": "Hội nghị", "count": 3, "participants": 250, "men": 100,
             "women": 150, "budget": "12,5", "note": None}]
    path = write_form(tmp_path / "f.xlsx", config=config, period=Period.parse("2025-Y"), unit=config.units["SYT"],
                      indicator_rows=rows, activity_rows=acts, reporter="Hoàng Văn Dũng",
                      period_text="Năm 2024", place_date="Sơn La, ngày 20 tháng 11 năm 2025",
                      signers=("Hoàng Văn Dũng", "Lê Văn Tuấn"))
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_INDICATORS]
    assert [ws[f"C{r}"].value for r in range(1, 6)] == ["Sở Y tế", "SYT", "Năm 2024", "Hoàng Văn Dũng",
                                                        "syt@sonla.gov.vn"]
    assert [ws[f"{c}9"].value for c in "ABCDEFGHIJ"] == [1, "4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La",
                                                         "Tổng", "10.612", 9478, 111.96, "Số liệu sơ bộ"]
    assert [ws[f"{c}10"].value for c in "ABCDEFGHIJ"] == [None] * 10
    assert [ws[f"{c}11"].value for c in "ABDEFGHI"] == [2, "4.2", "03847", "Xã Mường Bú", None, 1, 1520,
                                                        "=G11/H11*100000"]
    # footer: empty row 12, date line 13, labels 14, signers 5 rows below the labels
    assert all(ws[f"{c}12"].value is None for c in "ABCDEFGHIJ")
    assert ws["G13"].value == "Sơn La, ngày 20 tháng 11 năm 2025"
    assert (ws["C14"].value, ws["G14"].value) == ("Người lập biểu", "Thủ trưởng đơn vị")
    assert (ws["C19"].value, ws["G19"].value) == ("Hoàng Văn Dũng", "Lê Văn Tuấn")
    ws2 = wb[SHEET_ACTIVITIES]
    assert [ws2[f"{c}9"].value for c in "ABCDEFGHI"] == [1, "TT", "Hội nghị", 3, 250, 100, 150, "12,5", None]
    assert ws2["F11"].value == "Sơn La, ngày 20 tháng 11 năm 2025" and ws2["C12"].value == "Người lập biểu"


def test_merged_participants_header_moves_data_to_row_10(tmp_path, config):
    acts = [{"activity": "MH", "description": "Mô hình", "count": 2, "participants": 40, "men": 15, "women": 25,
             "budget": 6.5, "note": None}]
    path = write_form(tmp_path / "m.xlsx", config=config, period=Period.parse("2025-H1"), unit=config.units["X03646"],
                      indicator_rows=[], activity_rows=acts, merged_participants_header=True)
    ws = openpyxl.load_workbook(path)[SHEET_ACTIVITIES]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"E8:G8", "A8:A9", "B8:B9", "D8:D9", "H8:H9", "I8:I9"} <= merged
    assert (ws["E8"].value, ws["E9"].value, ws["F9"].value, ws["G9"].value) == ("Số người tham gia", "Tổng", "Nam",
                                                                                "Nữ")
    assert [ws[f"{c}10"].value for c in "ABDEFGH"] == [1, "MH", 2, 40, 15, 25, 6.5]
    assert ws.freeze_panes == "A10" and ws.print_title_rows == "$1:$9"
    assert ws["C3"].value == "6 tháng đầu năm 2025"


# --- the sample round ---------------------------------------------------------------------------------------

def _run_generator(out: Path) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True, capture_output=True,
                   cwd=str(out.parent))


@pytest.fixture(scope="module")
def generated_samples(tmp_path_factory) -> Path:
    """The sample round written afresh by sample_inputs/generate.py (full suite only: it takes seconds)."""
    out = tmp_path_factory.mktemp("samples") / "round"
    _run_generator(out)
    return out


def _grid(path: Path) -> dict[str, list[list]]:
    """Every sheet's cell values; xlsx/xlsm via openpyxl (formulas as text), others via calamine."""
    if path.suffix in (".xlsx", ".xlsm"):
        wb = openpyxl.load_workbook(path)
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return {"csv": list(csv.reader(fh))}
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_generator_is_deterministic(generated_samples, tmp_path):
    again = tmp_path / "again"
    _run_generator(again)
    for period in ("2025-Y", "2025-H1"):
        names = sorted(p.name for p in (generated_samples / period).iterdir())
        assert names == sorted(p.name for p in (again / period).iterdir())
        for name in names:
            a, b = generated_samples / period / name, again / period / name
            if zipfile.is_zipfile(a):
                # every part byte for byte, but the creation time openpyxl stamps in docProps/core.xml
                # (comparing parts, not cell grids: 180 workbooks read twice would take a minute)
                with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
                    assert za.namelist() == zb.namelist(), name
                    assert [za.read(n) for n in za.namelist() if n != "docProps/core.xml"] == [
                        zb.read(n) for n in zb.namelist() if n != "docProps/core.xml"], name
            else:
                assert a.read_bytes() == b.read_bytes(), name
    assert (generated_samples / "EXPECTED.yaml").read_text(encoding="utf-8") == (again / "EXPECTED.yaml").read_text("utf-8")


def _number(v):
    """A figure as people type it: 1.234 / 12 500 / 45,5; None when empty; raises ValueError otherwise."""
    if v is None or v == "":
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).replace(" ", "")
    if "," in s:
        s = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    return float(s)


def _figures(row, columns: str, sheet: str, r: int, found: set) -> dict[str, float | None]:
    """Parse the given columns of a row; a non-number is recorded as not-a-number at its cell."""
    out = {}
    for c in columns:
        v = row[ord(c) - 65] if ord(c) - 65 < len(row) else None
        try:
            out[c] = None if isinstance(v, str) and v.startswith("=") else _number(v)
        except ValueError:
            found.add(("not-a-number", sheet, f"{c}{r}"))
            out[c] = None
        assert out[c] is None or out[c] >= 0, (sheet, c, r)
    return out


def _indicator_problems(rows, sheet: str, areas) -> set:
    """An independent, minimal check of Biểu 01: the problems a validator must find, as (code, sheet, cell)."""
    found: set = set()
    keys: dict[tuple, list[int]] = {}
    sums: dict[tuple, dict[str, tuple]] = {}
    for r, row in enumerate(rows[8:], start=9):
        if not row[1] or str(row[1]) not in CATALOGUE.indicators:
            continue
        ind = CATALOGUE.indicators[str(row[1])]
        area, sex = str(row[3]), row[5] or "Tổng"
        if area not in areas:
            found.add(("unknown-area", sheet, f"D{r}"))
        keys.setdefault((ind.code, area, sex), []).append(r)
        f = _figures(row, "GHI", sheet, r, found)
        num, den, value = f["G"], f["H"], f["I"]
        sums.setdefault((ind.code, area), {})[sex] = (r, num, den)
        if ind.is_boolean:
            assert value in (0, 1)
            continue
        if ind.numerator_le_denominator and num is not None and den is not None and num > den:
            found.add(("numerator-above-denominator", sheet, f"G{r}"))
        elif num is not None and den is not None and value is not None:
            computed = num / den * ind.unit.factor
            # a percent-formatted cell holds the share (0.5477 shows as 54,77%)
            if abs(value - computed) > 0.05 and abs(value * 100 - computed) > 0.05:
                found.add(("value-mismatch", sheet, f"I{r}"))
        low, high = ind.unit.plausible
        if value is not None and not low <= value <= high:
            found.add(("out-of-range", sheet, f"I{r}"))
    for rs in keys.values():
        if len(rs) > 1:
            found |= {("duplicate-row", sheet, f"B{r}") for r in rs}
    for by_sex in sums.values():
        if {"Tổng", "Nam", "Nữ"} <= set(by_sex):
            (r, *total), (_, *men), (_, *women) = by_sex["Tổng"], by_sex["Nam"], by_sex["Nữ"]
            for i, col in enumerate("GH"):
                if total[i] != men[i] + women[i]:
                    found.add(("sex-sum-mismatch", sheet, f"{col}{r}"))
    return found


def _activity_problems(rows, sheet: str) -> tuple[set, int]:
    """The same for Biểu 02; also returns how many activity rows there are."""
    found: set = set()
    first = 10 if any(c == "Tổng" for c in rows[8]) else 9   # "Số người tham gia" merged over Tổng|Nam|Nữ
    seen = 0
    for r, row in enumerate(rows[first - 1:], start=first):
        if str(row[1]) not in CATALOGUE.activities:
            continue
        seen += 1
        f = _figures(row, "DEFGH", sheet, r, found)
        if None not in (f["E"], f["F"], f["G"]) and f["E"] != f["F"] + f["G"]:
            found.add(("participants-mismatch", sheet, f"E{r}"))
    return found, seen


def test_samples_are_clean_apart_from_planted_problems(generated_samples, config):
    expected = yaml.safe_load((generated_samples / "EXPECTED.yaml").read_text(encoding="utf-8"))["periods"]
    assert set(expected) == {"2025-Y", "2025-H1"}
    planted_total = {}
    for period_code, spec in expected.items():
        files = spec["files"]
        # every unit sends a file but those listed as sending none
        assert {f["unit"] for f in files if f["unit"]} == set(config.units) - set(spec["no_file"])
        deadline = datetime.fromisoformat(spec["deadline"] + "T23:59:59+07:00")
        with open(generated_samples / period_code / "received.csv", encoding="utf-8", newline="") as fh:
            received = {r["file"]: datetime.fromisoformat(r["received_at"]) for r in csv.DictReader(fh)}
        assert set(received) == {f["file"] for f in files}
        assert all(t.utcoffset().total_seconds() == 7 * 3600 for t in received.values())
        # the files said to come late are those received after the deadline day
        late = [f["file"] for f in files if received[f["file"]] > deadline]
        assert late and late == [f["file"] for f in files if "gửi sau hạn" in f["about"]]
        for f in files:
            path = generated_samples / period_code / f["file"]
            planted = {(p["code"], p["sheet"], p["cell"]) for p in f["problems"]}
            planted_total[period_code] = planted_total.get(period_code, 0) + len(planted)
            if f["unit"] is None:
                assert not zipfile.is_zipfile(path) and f["status"] == "rejected"
                assert planted == {("file-unreadable", "", "")}
                continue
            found: set = set()
            for name, rows in _grid(path).items():
                kind = "activities" if name == "csv" else sheet_key(name)
                if kind is None:
                    continue
                assert rows[1][2] == f["unit"] and rows[4][2] == config.units[f["unit"]].emails[0]
                if rows[2][2] != Period.parse(period_code).vi:
                    found.add(("period-mismatch", SHEET_INDICATORS, "C3"))
                if kind == "indicators":
                    found |= _indicator_problems(rows, SHEET_INDICATORS, config.areas)
                else:
                    problems, seen = _activity_problems(rows, SHEET_ACTIVITIES)
                    found |= problems
                    # activities-only units and communes report something in Biểu 02
                    assert seen >= 1 or config.units[f["unit"]].indicators
            assert found == planted, f["file"]
    # 2025-Y: 8 kinds of row problem in departments (the duplicate listed at both rows), the 2 stray files and 6
    # communes' mistakes (one a header with the wrong period); 2025-H1: one department's, 3 communes'
    assert planted_total == {"2025-Y": 17, "2025-H1": 4}
    statuses = {(p, f["unit"]): f["status"] for p, spec in expected.items() for f in spec["files"]}
    assert statuses[("2025-Y", "SYT")] == "accepted"           # a warning never blocks
    assert statuses[("2025-Y", "STC")] == "rejected"           # its only indicator is blocked
    assert statuses[("2025-Y", "SNV")] == "partially_accepted"


def test_sample_formats_are_what_they_claim(generated_samples):
    folder = generated_samples / "2025-Y"
    (xlsm,) = folder.glob("*.xlsm")
    types = zipfile.ZipFile(xlsm).read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types and "sheet.main+xml" not in types
    (csv_file,) = folder.glob("STP*.csv")
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [r[0] for r in _grid(csv_file)["csv"][:8]][:3] == ["Đơn vị báo cáo", "Mã đơn vị", "Kỳ báo cáo"]
    assert _grid(csv_file)["csv"][5][0] == TITLE_ACTIVITIES and _grid(csv_file)["csv"][7][1] == "Mã hoạt động"
    (xls,) = folder.glob("*.xls")
    assert xls.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")     # OLE2, a real legacy workbook
    assert list(_grid(xls))[:2] == ["Bieu 01", "Bieu 02"]
    (ods,) = folder.glob("*.ods")
    assert zipfile.ZipFile(ods).read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    snv = openpyxl.load_workbook(next(folder.glob("SNV*.xlsx")))[SHEET_INDICATORS]
    assert snv["I9"].value == "=G9/H9*100"
    sgddt = openpyxl.load_workbook(next(folder.glob("*GD&ĐT*.xlsx")))[SHEET_INDICATORS]
    assert sgddt["I12"].number_format == "0.00%" and sgddt["I12"].value == 0.5477
    assert sgddt.column_dimensions["E"].hidden is True
    assert openpyxl.load_workbook(next(folder.glob("BAOSONLA*.xlsx"))).sheetnames[:2] == ["BIEU01", "BIEU02"]
    for path in folder.iterdir():
        assert path.name == unicodedata.normalize("NFC", path.name)
