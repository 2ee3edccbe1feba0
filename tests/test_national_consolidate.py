"""National consolidation: provinces' SDMX-CSV files validated together, national values recomputed, reports."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import openpyxl
import pytest

from schemas.catalogue import load_catalogue
from tonghop.config import Period
from tonghop.national import consolidate as national
from tonghop.reports import sdmx

CAT = load_catalogue()


def obs(area: str, indicator: str, num=None, den=None, *, sex: str = "_T", value=None, unit: str | None = None,
        status: str = "A", count: str = "1", period: str = "2025", **raw: str) -> dict[str, str]:
    """One provincial observation as the provincial report writes it (value from num/den unless given)."""
    ind = CAT.indicators.get(indicator)
    if value is None and num is not None and den:
        value = num / den * (ind.unit.factor if ind else 100)
    row = {"STRUCTURE": sdmx.STRUCTURE, "STRUCTURE_ID": sdmx.STRUCTURE_ID, "ACTION": "I", "REF_AREA": area,
           "TIME_PERIOD": period, "INDICATOR": indicator, "SEX": sex, "OBS_VALUE": sdmx.sdmx_number(value),
           "UNIT_MEASURE": unit or (ind.unit.code if ind else ""), "OBS_STATUS": status, "NUMERATOR": sdmx.sdmx_number(num),
           "DENOMINATOR": sdmx.sdmx_number(den), "UNIT_COUNT": count}
    row.update(raw)
    return row


def province_rows(area: str, scale: int = 1, has_clinic: int = 1, period: str = "2025") -> list[dict[str, str]]:
    return [obs(area, "1.1", 40 * scale, 100 * scale, period=period, count="2"),
            obs(area, "4.1", 1100 * scale, 1000 * scale, period=period),
            obs(area, "5.1", 180 * scale, 200 * scale, period=period),
            obs(area, "5.1", 90 * scale, 100 * scale, sex="M", period=period),
            obs(area, "5.1", 90 * scale, 100 * scale, sex="F", period=period),
            obs(area, "4.4", value=has_clinic, period=period)]


def write(path: Path, rows: list[dict[str, str]], columns: list[str] = sdmx.COLUMNS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def value(result, indicator, sex="_T"):
    return next(v for v in result.values if v.indicator == indicator and v.sex == sex)


def test_national_values_are_ratios_of_summed_parts_and_shares_of_provinces(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write(inputs / "14-son-la.csv", province_rows("14", scale=1, has_clinic=1))
    write(inputs / "01-ha-noi.csv", province_rows("01", scale=3, has_clinic=0))
    rows = province_rows("48", scale=1, has_clinic=1)
    rows[1] = obs("48", "4.1", value=104.5)            # a value without its parts: cannot be summed
    write(inputs / "48-da-nang.csv", rows)

    result = national.run_national(inputs, tmp_path / "out")

    assert result.problems == [] and result.period == "2025-Y" and result.time_period == "2025"
    assert [f.status for f in result.files] == ["accepted"] * 3
    v = value(result, "1.1")
    assert (v.numerator, v.denominator, v.value) == (200, 500, 40)      # (40+120+40)/(100+300+100), not a mean
    assert v.units == 6 and v.provinces == ["01", "14", "48"] and len(v.missing) == 31
    assert v.status == "not_achieved" and v.target == "≥ 60"
    births = value(result, "4.1")
    assert births.value == pytest.approx(1100 * 4 / (1000 * 4) * 100) and births.value_only == ["48"]
    assert value(result, "5.1", "F").numerator == 90 * 5
    clinics = value(result, "4.4")                       # 2 of 3 provinces: 66.7 % against the 40 % national target
    assert clinics.unit == "percent" and clinics.value == pytest.approx(200 / 3)
    assert (clinics.numerator, clinics.denominator, clinics.status) == (2, 3, "achieved")
    assert value(result, "6.2").value is None            # nobody reported it: a missing observation

    folder = tmp_path / "out" / "2025-Y"
    with open(folder / "VN-2025.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == sdmx.COLUMNS
        out = {(r["INDICATOR"], r["SEX"]): r for r in reader}
    assert out[("1.1", "_T")] == {"STRUCTURE": "dataflow", "STRUCTURE_ID": "VN_MOHA:DF_GENDER_EQUALITY(1.0)",
                                  "ACTION": "I", "REF_AREA": "VN", "TIME_PERIOD": "2025", "INDICATOR": "1.1",
                                  "SEX": "_T", "OBS_VALUE": "40", "UNIT_MEASURE": "percent", "OBS_STATUS": "A",
                                  "NUMERATOR": "200", "DENOMINATOR": "500", "UNIT_COUNT": "3"}
    assert out[("4.4", "_T")]["OBS_VALUE"] == "66.666667" and out[("6.2", "_T")]["OBS_STATUS"] == "M"
    wb = openpyxl.load_workbook(folder / "bao-cao-quoc-gia-2025-Y.xlsx")
    assert wb.sheetnames == ["Theo chỉ tiêu", "Theo tỉnh", "Vấn đề"]
    by_province = {r[0]: r for r in wb["Theo tỉnh"].iter_rows(min_row=2, values_only=True)}
    assert by_province["14"][3] == "Dùng toàn bộ" and by_province["96"][3] == "Chưa gửi"


def test_a_value_to_check_is_taken_but_not_summed_and_the_note_says_why(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write(inputs / "14.csv", province_rows("14"))
    rows = province_rows("01")
    rows[1] = obs("01", "4.1", value=1.12, status="U")     # the province's "Cần kiểm tra số liệu"
    write(inputs / "01.csv", rows)

    result = national.run_national(inputs, tmp_path / "out")

    assert result.problems == []
    births = value(result, "4.1")
    assert (births.provinces, births.to_check, len(births.missing), births.value) == (
        ["14"], ["01"], 32, pytest.approx(110.0))
    ws = openpyxl.load_workbook(tmp_path / "out" / "2025-Y" / "bao-cao-quoc-gia-2025-Y.xlsx")["Theo chỉ tiêu"]
    notes = {r[0]: r[11] for r in ws.iter_rows(min_row=5, values_only=True)}
    assert notes["4.1"] == "Cần kiểm tra số liệu, không cộng: 01; Chưa có số liệu của 32 tỉnh"


def test_row_problems_are_reported_per_file_and_block_only_that_indicator(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write(inputs / "14.csv", province_rows("14"))
    rows = province_rows("01")
    rows[0]["OBS_VALUE"] = "40,0"                                       # decimal comma: line 2
    rows[1]["UNIT_MEASURE"] = "percent"                                # 4.1 is per_100: line 3
    rows.append(dict(rows[2]))                                         # 5.1 _T twice: lines 4 and 8
    rows.append(obs("01", "9.9", 1, 2, unit="percent"))                # not in the catalogue: line 9
    rows.append(obs("01", "3.3", 30, 20))                              # numerator above denominator: line 10
    rows.append(obs("01", "2.3", 25, 100, value=52))                   # digits swapped: line 11
    write(inputs / "01.csv", rows)

    result = national.consolidate_national(national.find_inputs(inputs))

    found = sorted((p.file, p.code, p.row, p.column, p.value) for p in result.problems)
    assert found == [("01.csv", "duplicate-row", 4, "INDICATOR", "5.1"),
                     ("01.csv", "duplicate-row", 8, "INDICATOR", "5.1"),
                     ("01.csv", "not-a-number", 2, "OBS_VALUE", "40,0"),
                     ("01.csv", "numerator-above-denominator", 10, "NUMERATOR", "30"),
                     ("01.csv", "unit-mismatch", 3, "UNIT_MEASURE", "percent"),
                     ("01.csv", "unknown-indicator", 9, "INDICATOR", "9.9"),
                     ("01.csv", "value-mismatch", 11, "OBS_VALUE", "52")]
    messages = {p.code: p.message for p in result.problems}
    assert messages["not-a-number"].startswith("Cột OBS_VALUE có '40,0', không phải số")
    assert messages["unit-mismatch"] == ("Đơn vị tính 'percent' không khớp danh mục: chỉ tiêu 4.1 tính bằng 'per_100'.")
    assert messages["value-mismatch"] == "OBS_VALUE 52 không khớp NUMERATOR/DENOMINATOR (tính được 25)."
    bad = result.files[0]
    assert bad.status == "partially_accepted" and bad.blocked == {"1.1", "4.1", "5.1", "9.9", "3.3", "2.3"}
    assert value(result, "1.1").provinces == ["14"] and value(result, "4.4").provinces == ["01", "14"]
    assert value(result, "5.1", "M").provinces == ["14"]     # the whole indicator of that province is left out


def test_file_problems_leave_the_file_out_and_the_run_goes_on(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write(inputs / "a-14.csv", province_rows("14"))
    write(inputs / "b-stale.csv", province_rows("04", period="2024"))                    # last year's file
    write(inputs / "c-columns.csv", province_rows("08"), columns=sdmx.COLUMNS[:-1])      # UNIT_COUNT missing
    (inputs / "d-excel.csv").write_bytes(b"PK\x03\x04 not really a csv")
    write(inputs / "e-unknown.csv", province_rows("99"))
    write(inputs / "f-structure.csv", [dict(r, STRUCTURE_ID="VN_MOHA:DF_OTHER(2.0)") for r in province_rows("11")])
    older, newer = write(inputs / "g-12-old.csv", province_rows("12", 1)), write(inputs / "h-12-new.csv",
                                                                                 province_rows("12", 2))
    os.utime(older, (1_700_000_000, 1_700_000_000))
    os.utime(newer, (1_700_000_500, 1_700_000_500))
    (inputs / "notes.txt").write_text("not an input")

    result = national.run_national(inputs, tmp_path / "out", period=Period.parse("2025-Y"))

    status = {f.path.name: (f.status, f.used) for f in result.files}
    assert status == {"a-14.csv": ("accepted", True), "b-stale.csv": ("rejected", False),
                      "c-columns.csv": ("rejected", False), "d-excel.csv": ("rejected", False),
                      "e-unknown.csv": ("rejected", False), "f-structure.csv": ("rejected", False),
                      "g-12-old.csv": ("rejected", False), "h-12-new.csv": ("accepted", True)}
    codes = {(p.file, p.code, p.row, p.column) for p in result.problems}
    assert codes == {("b-stale.csv", "period-mismatch", 2, "TIME_PERIOD"),
                     ("c-columns.csv", "columns-missing", 1, ""), ("d-excel.csv", "file-unreadable", None, ""),
                     ("e-unknown.csv", "unknown-province", 2, "REF_AREA"),
                     ("f-structure.csv", "wrong-structure", 2, "STRUCTURE_ID"),
                     ("g-12-old.csv", "duplicate-province", None, "REF_AREA")}
    by_code = {p.code: p for p in result.problems}
    assert by_code["period-mismatch"].message == "Tệp ghi kỳ '2024', trong khi đợt tổng hợp này là kỳ '2025'."
    assert by_code["duplicate-province"].severity == "warning" and "h-12-new.csv" in by_code["duplicate-province"].message
    assert value(result, "1.1").provinces == ["12", "14"] and value(result, "1.1").numerator == 40 + 80
    sheet = openpyxl.load_workbook(result.outputs["xlsx"])["Vấn đề"]
    assert sheet.max_row == 1 + len(result.problems)


def test_the_period_is_the_commonest_one_when_not_given(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for code in ("01", "04"):
        write(inputs / f"{code}.csv", province_rows(code, period="2025-S1"))
    write(inputs / "08.csv", province_rows("08", period="2025"))
    result = national.run_national(inputs, tmp_path / "out")
    assert (result.period, result.time_period) == ("2025-H1", "2025-S1")
    assert [p.code for p in result.problems] == ["period-mismatch"]
    assert (tmp_path / "out" / "2025-H1" / "VN-2025-S1.csv").exists()


def test_an_empty_inputs_folder_still_writes_a_report(tmp_path):
    (tmp_path / "in").mkdir()
    result = national.run_national(tmp_path / "in", tmp_path / "out")
    assert result.files == [] and result.period is None
    assert result.outputs["xlsx"].exists() and "sdmx" not in result.outputs


def test_the_provincial_export_reads_back_as_the_national_input(tmp_path, sample_round):
    """The sample round's own SDMX-CSV (written by the provincial report) is taken by the national step
    without a problem, and a one-province nation has the province's values."""
    ind, files = sample_round[1]["2025-Y"]
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / files["sdmx_csv"].name).write_bytes(files["sdmx_csv"].read_bytes())
    result = national.run_national(inputs, tmp_path / "out")
    assert result.problems == [] and result.period == "2025-Y"
    totals = {v.indicator: v for v in result.values if v.sex == "_T"}
    for code in ("1.1", "3.2b", "6.1", "4.2"):
        assert totals[code].value == pytest.approx(ind[code]["value"])
        assert (totals[code].numerator, totals[code].denominator) == (ind[code]["numerator"], ind[code]["denominator"])
    assert [sdmx.sdmx_number(x) for x in (61.61, 1318700.0, None)] == ["61.61", "1318700", ""]


def test_the_national_flow(prefect_harness, tmp_path):
    from flows.national import consolidate_national_flow

    inputs = tmp_path / "in"
    inputs.mkdir()
    write(inputs / "14.csv", province_rows("14"))
    summary = consolidate_national_flow(inputs=str(inputs), out=str(tmp_path / "out"))
    assert summary["period"] == "2025-Y" and summary["provinces_reporting"] == ["14"]
    assert Path(summary["outputs"]["sdmx"]).name == "VN-2025.csv"


def test_a_file_name_that_looks_like_a_formula_is_written_as_text(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    write(inputs / "=1+1-14.csv", province_rows("14"))
    write(inputs / "+cmd-99.csv", province_rows("99"))             # unknown province: listed as not used

    result = national.run_national(inputs, tmp_path / "out", period=Period.parse("2025-Y"))

    wb = openpyxl.load_workbook(result.outputs["xlsx"])
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    names = {c.value: c.data_type for c in cells if c.value in ("=1+1-14.csv", "+cmd-99.csv")}
    assert names == {"=1+1-14.csv": "s", "+cmd-99.csv": "s"}
