"""The Ministry outputs read back: SDMX-CSV exactly as agreed, the Ministry workbook, and all outputs agreeing."""
from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest

import sample_answer
from tonghop.config import load_config
from tonghop.reports.ministry import sdmx_number, sdmx_period
from tonghop.statuses import TARGET_STATUS_VI as STATUS_VI

HEAD = "dataflow,VN_MOHA:DF_GENDER_EQUALITY(1.0),I,14,2025"
# The 2025-Y sample round (values by hand in tests/test_consolidate_merge.py), to 6 decimals. 4.1 = 1,12 is "Cần kiểm tra số
# liệu" (a ratio typed for 112): OBS_STATUS U (low reliability), not A.
SDMX_2025_Y = f"""\
STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,TIME_PERIOD,INDICATOR,SEX,OBS_VALUE,UNIT_MEASURE,OBS_STATUS,NUMERATOR,DENOMINATOR,UNIT_COUNT
{HEAD},1.1,_T,50.526316,percent,A,48,95,1
{HEAD},2.1,_T,,percent,M,,,0
{HEAD},2.2,_T,70.596591,percent,A,248500,352000,1
{HEAD},2.3,_T,,percent,M,,,0
{HEAD},3.1,_T,1.821429,ratio,A,20.4,11.2,1
{HEAD},3.2a,_T,84.52381,percent,A,142,168,1
{HEAD},3.2b,_T,58.638743,percent,A,112,191,2
{HEAD},3.3,_T,,percent,M,,,0
{HEAD},3.4,_T,66.666667,percent,A,2,3,1
{HEAD},4.1,_T,1.12,per_100,U,,,1
{HEAD},4.2,_T,44.798407,per_100k,A,9,20090,1
{HEAD},4.3,_T,40.740741,per_1000,A,1980,48600,1
{HEAD},4.4,_T,1,boolean,A,,,1
{HEAD},5.1,_T,,percent,M,,,0
{HEAD},5.1,M,,percent,M,,,0
{HEAD},5.1,F,,percent,M,,,0
{HEAD},5.2a,_T,54.770992,percent,A,1148,2096,1
{HEAD},5.2b,_T,26.760563,percent,A,38,142,1
{HEAD},5.3,_T,1,boolean,A,,,1
{HEAD},5.4,_T,41.621622,percent,A,6160,14800,2
{HEAD},6.1,_T,61.609919,percent,A,812450,1318700,1
{HEAD},6.2,_T,100,percent,A,1,1,1
"""
SEX = {"_T": "Tổng", "M": "Nam", "F": "Nữ"}


@pytest.fixture(scope="module")
def out(sample_round):
    return sample_round[1]


def test_sdmx_csv_of_the_year_is_exactly_the_agreed_file(out):
    raw = out["2025-Y"][1]["sdmx_csv"].read_bytes()
    assert raw.decode("utf-8") == SDMX_2025_Y
    assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")


def test_sdmx_csv_of_the_half_year_uses_the_semester_and_has_every_indicator(out):
    rows = list(csv.DictReader(io.StringIO(out["2025-H1"][1]["sdmx_csv"].read_text(encoding="utf-8"))))
    assert {r["TIME_PERIOD"] for r in rows} == {"2025-S1"}
    # H1: everything accepted except SYT's 4.3 (value-mismatch, 197,9 typed for 19,79)
    assert [(r["INDICATOR"], r["SEX"], r["OBS_STATUS"]) for r in rows if r["OBS_STATUS"] != "A"] == [
        ("4.3", "_T", "M")]
    assert [(r["INDICATOR"], r["SEX"], r["OBS_VALUE"], r["NUMERATOR"], r["DENOMINATOR"], r["UNIT_COUNT"])
            for r in rows if r["INDICATOR"] in ("3.2a", "5.1", "4.4")] == [
        ("3.2a", "_T", "82.733813", "115", "139", "2"),          # SNV 71/86 + SVHTTDL 44/53 = 115/139
        ("4.4", "_T", "0", "", "", "1"),                          # "chưa triển khai"
        ("5.1", "_T", "92.001561", "11790", "12815", "1"),
        ("5.1", "M", "91.441718", "5962", "6520", "1"),
        ("5.1", "F", "92.581414", "5828", "6295", "1")]


@pytest.mark.parametrize("x, text", [(None, ""), (48.0, "48"), (20.4, "20.4"), (1318700.0, "1318700"),
                                     (2 / 3 * 100, "66.666667"), (1e-7, "0"), (-0.0, "0"), (0.5, "0.5")])
def test_sdmx_numbers(x, text):
    assert sdmx_number(x) == text


def test_sdmx_periods():
    assert (sdmx_period("2025-Y"), sdmx_period("2026-H1")) == ("2025", "2026-S1")


def test_ministry_workbook_layout_and_figures(out):
    summary, paths = out["2025-Y"]
    wb = openpyxl.load_workbook(paths["ministry_xlsx"], data_only=True)
    assert wb.sheetnames == ["Biểu tổng hợp chỉ tiêu", "Biểu 02 - Hoạt động", "Tình hình báo cáo"]
    ws = wb["Biểu tổng hợp chỉ tiêu"]
    # the heading of Nghị định 30/2020/NĐ-CP, from the configuration's `document` block
    assert [ws.cell(r, 1).value for r in (1, 2, 4, 6, 7, 8)] == [
        "UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "Số: …/BC-SNV", "BÁO CÁO",
        "Kết quả thực hiện các chỉ tiêu của Chiến lược quốc gia về bình đẳng giới giai đoạn 2021 – 2030, "
        "Năm 2025 – Tỉnh Sơn La", "Kính gửi: Bộ Nội vụ"]
    assert [ws.cell(r, 4).value for r in (1, 2)] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                                     "Độc lập - Tự do - Hạnh phúc"]
    assert re.fullmatch(r"Sơn La, ngày \d\d tháng \d\d năm \d{4}", ws.cell(4, 4).value)
    assert (ws.cell(10, 4).value, ws.cell(11, 4).value) == ("Chỉ tiêu cần đạt theo Chiến lược", "Năm 2025")
    assert ws.freeze_panes == "C13" and ws.print_title_rows == "$10:$12"
    sign = next(r for r in range(13, ws.max_row + 1) if ws.cell(r, 1).value == "Nơi nhận:")
    # Nơi nhận on the left; on the right the signer from configuration: KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC, room to sign
    # and seal, and no name line since none is configured (it is written by hand)
    assert [(ws.cell(r, 1).value, ws.cell(r, 9).value) for r in range(sign, sign + 4)] == [
        ("Nơi nhận:", "KT. GIÁM ĐỐC"), ("- Bộ Nội vụ;", "PHÓ GIÁM ĐỐC"), ("- UBND tỉnh Sơn La;", None),
        ("- Lưu: VT.", None)]
    assert all(ws.cell(r, c).value is None for r in range(sign + 4, ws.max_row + 1) for c in range(1, 14))
    assert ws.print_area == f"'Biểu tổng hợp chỉ tiêu'!$A$1:$M${sign + 6}"
    got = {}
    for r in range(13, sign):
        code = ws.cell(r, 1).value
        if code in summary:
            got[code] = tuple(ws.cell(r, c).value for c in (4, 5, 6, 9, 10, 11, 12))
    assert got["2.2"] == (30, 25, pytest.approx(248_500 / 352_000 * 100), 248_500, 352_000, "Chưa đạt", 1)
    assert got["3.2a"][5:] == ("Đạt", 1)
    assert {c: (v[2], v[5], v[6]) for c, v in got.items()} == {
        c: (None if s["value"] is None else pytest.approx(s["value"], rel=1e-13), STATUS_VI[s["status"]],
            len(s["units"])) for c, s in summary.items()}
    notes = {ws.cell(r, 1).value: ws.cell(r, 13).value for r in range(13, sign)}
    assert notes["3.2a"] == "Chưa có số liệu của: Sở Văn hóa, Thể thao và Du lịch"
    ws = wb["Tình hình báo cáo"]
    config = load_config()
    answers = sample_answer.units(config, "2025-Y")
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(5, 8)] == [
        ("Phải báo cáo", len(answers)), ("Đã báo cáo", sum(a.reported for a in answers)),
        ("Báo cáo đúng hạn", sum(bool(a.on_time) for a in answers))]
    names = [config.units[u].name for u in sample_answer.missing(answers)]
    assert names[0] == "Sở Tài chính" and ws.cell(9, 1).value == "Đơn vị chưa báo cáo: " + ", ".join(names)
    assert ws.cell(11, 1).value.startswith("Đơn vị được tính là đã nộp khi tệp hiện hành của đơn vị được chấp nhận")
    late = [config.units[u].name for u in sample_answer.late(answers)]
    assert late[:2] == ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "UBND phường Mộc Châu"]
    assert ws.cell(10, 1).value == "Đơn vị báo cáo trễ hạn: " + ", ".join(late)


def test_ministry_workbook_says_why_last_years_value_is_not_compared(next_year_round):
    ws = openpyxl.load_workbook(next_year_round[1]["ministry_xlsx"], data_only=True)[
        "Biểu tổng hợp chỉ tiêu"]
    rows = {ws.cell(r, 1).value: r for r in range(13, ws.max_row + 1)}
    assert [ws.cell(rows["4.1"], c).value for c in (6, 11, 13)] == [
        110.67, "Chưa đạt", "Giá trị Năm 2025 (1,12) cần kiểm tra số liệu: không dùng để tính thay đổi và dự báo"]


class _Table(HTMLParser):
    """Rows of the page's key table: (code, sex) → (data-value, data-status)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], list] = {}
        self._key: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-code" in a:
            self._key = (a["data-code"], a["data-sex"])
            self.rows[self._key] = [None, a["data-status"]]
        elif tag == "td" and self._key and "data-value" in a:
            self.rows[self._key][0] = float(a["data-value"]) if a["data-value"] else None


@pytest.mark.parametrize("period", ["2025-H1", "2025-Y"])
def test_dict_workbooks_sdmx_and_page_agree(out, period):
    summary, paths = out[period]
    want = {}
    for code, s in summary.items():
        want[(code, "Tổng")] = (s["value"], s["numerator"], s["denominator"], s["status"], len(s["units"]))
        for sex, c in s["by_sex"].items():
            want[(code, sex)] = (c["value"], c["numerator"], c["denominator"], c["status"], len(c["units"]))

    sdmx = {(r["INDICATOR"], SEX[r["SEX"]]): r for r in csv.DictReader(
        io.StringIO(paths["sdmx_csv"].read_text(encoding="utf-8")))}
    assert {k: (r["OBS_VALUE"], r["NUMERATOR"], r["DENOMINATOR"], r["UNIT_COUNT"]) for k, r in sdmx.items()} == {
        k: (sdmx_number(v), sdmx_number(n), sdmx_number(d), str(u)) for k, (v, n, d, _s, u) in want.items()}

    province = openpyxl.load_workbook(paths["province_xlsx"], data_only=True)["Chỉ tiêu"]
    col = {c.value: c.column for c in province[4]}
    rows = {(province.cell(r, 1).value, province.cell(r, 3).value): r for r in range(5, province.max_row + 1)
            if province.cell(r, 3).value}
    assert {k: (round(province.cell(r, 5).value, 6) if province.cell(r, 5).value is not None else None,
                province.cell(r, 6).value, province.cell(r, 7).value, province.cell(r, col["Đánh giá"]).value)
            for k, r in rows.items()} == {
        k: (None if v is None else round(v, 6), n, d, STATUS_VI[s]) for k, (v, n, d, s, _u) in want.items()}

    page = _Table()
    page.feed(paths["html"].read_text(encoding="utf-8"))
    assert {k: (None if v is None else round(v, 9), st) for k, (v, st) in page.rows.items()} == {
        k: (None if v is None else round(v, 9), s or "none") for k, (v, _n, _d, s, _u) in want.items()}
