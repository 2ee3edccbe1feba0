"""The province workbook read back: every sheet agrees with the merged figures, and it is formatted for people."""
from __future__ import annotations

import json
from collections import defaultdict

import openpyxl
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import sample_answer
from tonghop.config import load_config
from tonghop.problems import PROBLEM_TYPES
from tonghop.store.models import ActivityRow, Submission
from tonghop.statuses import TARGET_STATUS_VI as STATUS_VI


@pytest.fixture(scope="module")
def reports(sample_round):
    return sample_round


@pytest.fixture(scope="module")
def book(reports):
    _folder, out = reports
    return openpyxl.load_workbook(out["2025-Y"][1]["province_xlsx"], data_only=True)


def table(ws, header_row: int) -> list[dict]:
    """Rows under a header row as dicts keyed by header text, stopping at the first empty row."""
    headers = [c.value for c in ws[header_row]]
    rows = []
    for r in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if all(v is None for v in r):
            break
        rows.append(dict(zip(headers, r)))
    return rows


def test_files_are_named_as_agreed(reports):
    folder, out = reports
    assert {k: p.relative_to(folder).as_posix() for k, p in out["2025-Y"][1].items()} == {
        "province_xlsx": "2025-Y/bao-cao-tong-hop-son-la-2025-Y.xlsx",
        "ministry_xlsx": "2025-Y/bao-cao-bo-noi-vu-2025-Y.xlsx",
        "sdmx_csv": "2025-Y/sdmx-14-2025-Y.csv",
        "html": "2025-Y/tong-hop-2025-Y.html",
        "trace_json": "2025-Y/truy-vet-2025-Y.json",
        "docx": "2025-Y/bao-cao-son-la-2025-Y.docx",
    }
    assert all(p.stat().st_size > 0 for p in out["2025-H1"][1].values())


def test_sheets_in_reading_order(book):
    assert book.sheetnames == ["Chỉ tiêu", "Theo đơn vị", "Hoạt động", "Tình hình nộp", "Vấn đề", "Truy vết",
                               "Diễn biến", "Biểu đồ", "Phương pháp"]


def near(x):
    """A float as the workbook keeps it (Excel stores 15 significant digits)."""
    return None if x is None else pytest.approx(x, rel=1e-13)


def indicator_rows(ws) -> dict[tuple[str, str], dict]:
    return {(r["Mã"], r["Phân tổ"]): r for r in table(ws, 4) if r["Phân tổ"]}


@pytest.mark.parametrize("period", ["2025-H1", "2025-Y"])
def test_indicator_sheet_equals_the_merged_figures(reports, period):
    _folder, out = reports
    summary, paths = out[period]
    rows = indicator_rows(openpyxl.load_workbook(paths["province_xlsx"], data_only=True)["Chỉ tiêu"])
    got = {key: (r["Giá trị"], r["Tử số"], r["Mẫu số"], r["Đánh giá"]) for key, r in rows.items()}
    want = {}
    for code, s in summary.items():
        want[(code, "Tổng")] = (near(s["value"]), s["numerator"], s["denominator"], STATUS_VI[s["status"]])
        for sex, c in s["by_sex"].items():
            want[(code, sex)] = (near(c["value"]), c["numerator"], c["denominator"], STATUS_VI[c["status"]])
    assert got == want
    y = rows[("3.2a", "Tổng")]
    if period == "2025-Y":
        # compared with 2024-Y (not on record), never with the half-year 2025-H1
        assert (y["Đơn vị cung cấp số liệu"], y["Đơn vị chưa có số liệu"]) == (
            "Sở Nội vụ", "Sở Văn hóa, Thể thao và Du lịch")
        # no year earlier on record: no empty "năm trước" columns
        assert not [h for h in y if h and "2024" in h]
        assert rows[("4.1", "Tổng")]["Ghi chú"] == ("Giá trị 1,12 ngoài khoảng thường gặp (80–150 trên 100): "
                                                     "chưa so với chỉ tiêu cần đạt; đề nghị đơn vị báo cáo kiểm tra lại")
        assert rows[("4.1", "Tổng")]["Đánh giá"] == "Cần kiểm tra số liệu"
        assert rows[("4.1", "Tổng")]["Chênh lệch so với chỉ tiêu"] is None     # not compared with ≤ 111


def test_formats_panes_colours_widths_and_no_formulas(reports):
    _folder, out = reports
    wb = openpyxl.load_workbook(out["2025-Y"][1]["province_xlsx"])
    assert {ws.title: ws.freeze_panes for ws in wb} == {
        "Chỉ tiêu": "C5", "Theo đơn vị": "C5", "Hoạt động": "A5", "Tình hình nộp": "D10", "Vấn đề": "C5",
        "Truy vết": "C5", "Diễn biến": "C5", "Biểu đồ": None, "Phương pháp": None}
    formulas = [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas == []
    ws = wb["Chỉ tiêu"]
    col = {c.value: c.column for c in ws[4]}
    by_code = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)
               if ws.cell(r, col["Phân tổ"]).value == "Tổng"}
    fmt = {code: (ws.cell(r, col["Giá trị"]).number_format, ws.cell(r, col["Tử số"]).number_format,
                  ws.cell(r, col["Chỉ tiêu cần đạt năm 2025"]).number_format,
                  ws.cell(r, col["Đánh giá"]).fill.fgColor.rgb[-6:]) for code, r in by_code.items() if code in
           ("1.1", "2.2", "3.1", "4.2", "4.4", "5.4", "6.1")}
    assert fmt == {
        "1.1": ("#,##0.00", "#,##0", '"≥ "General', "FFC7CE"),
        "2.2": ("#,##0.00", "#,##0", '"< "General', "FFC7CE"),          # "dưới 30 %"
        "3.1": ("#,##0.00", "#,##0.0#", '"≤ "General', "FFC7CE"),       # 20,4 giờ
        "4.2": ("#,##0.00", "#,##0", '"≤ "General', "FFC7CE"),
        "4.4": ('"Có";"Có";"Không"', "#,##0", '"Có";"Có";"Không"', "C6EFCE"),
        "5.4": ("#,##0.00", "#,##0", "General", "FFFFFF"),               # no target
        "6.1": ("#,##0.00", "#,##0", '"≥ "General', "C6EFCE"),
    }
    assert (ws.column_dimensions["B"].width, ws.cell(4, 1).font.b, ws.cell(4, 1).fill.fgColor.rgb[-6:]) == (
        32, True, "DDEBF7")
    charts = wb["Biểu đồ"]._charts
    # one chart per goal and unit of measure: never % beside "lần", per 100.000 beside per 1.000
    assert [(c.title.tx.rich.p[0].r[0].t, c.y_axis.title.tx.rich.p[0].r[0].t, len(c.series)) for c in charts] == [
        ("Mục tiêu 1 (%)", "%", 2), ("Mục tiêu 2 (%)", "%", 2), ("Mục tiêu 3 (lần)", "lần", 2),
        ("Mục tiêu 3 (%)", "%", 2), ("Mục tiêu 4 (trên 100)", "trên 100", 2),
        ("Mục tiêu 4 (trên 100.000)", "trên 100.000", 2), ("Mục tiêu 4 (trên 1.000)", "trên 1.000", 2),
        ("Mục tiêu 5 (%)", "%", 2), ("Mục tiêu 6 (%)", "%", 2)]
    # bars from zero; shares on their whole 0–100 range
    assert [(c.y_axis.scaling.min, c.y_axis.scaling.max) for c in charts] == [
        (0, 100) if "%" in c.title.tx.rich.p[0].r[0].t else (0, None) for c in charts]
    ws = wb["Biểu đồ"]
    labels = {ws.cell(r, 1).value: (ws.cell(r, 2).value, ws.cell(r, 3).value) for r in range(1, ws.max_row + 1)
              if isinstance(ws.cell(r, 1).value, str) and ws.cell(r, 1).value[:1].isdigit()}
    # the target with its direction in the category; a value to check left out; one decimal at most
    assert labels["2.2 (cần đạt < 30)"] == (70.6, 30)
    assert labels["4.1 (cần đạt ≤ 111) – cần kiểm tra số liệu"] == (None, 111)
    assert labels["1.1 (cần đạt ≥ 60)"] == (50.5, 60)


def test_matrix_shows_each_units_part_and_why_one_is_missing(book):
    rows = {r["Mã đơn vị"]: r for r in table(book["Theo đơn vị"], 4)}
    assert list(rows) == ["SNV", "STC", "CCTK", "SGDDT", "SYT", "SVHTTDL", "CAT", "Tỉnh"]
    assert {k: v for k, v in rows["SVHTTDL"].items() if v is not None} == {
        "Mã đơn vị": "SVHTTDL", "Đơn vị": "Sở Văn hóa, Thể thao và Du lịch", "3.2a": "lỗi",
        "3.2b": pytest.approx(41 / 73 * 100)}
    assert {k: v for k, v in rows["SNV"].items() if v is not None and k not in ("Mã đơn vị", "Đơn vị")} == {
        "1.1": pytest.approx(48 / 95 * 100), "2.1": "lỗi", "2.2": pytest.approx(248_500 / 352_000 * 100),
        "3.2a": pytest.approx(142 / 168 * 100), "3.2b": pytest.approx(71 / 118 * 100),
        "3.4": pytest.approx(2 / 3 * 100), "5.4": pytest.approx(3850 / 9200 * 100),
        "6.1": pytest.approx(812_450 / 1_318_700 * 100), "6.2": 100.0}
    assert rows["Tỉnh"]["3.2b"] == pytest.approx(112 / 191 * 100)
    assert rows["Tỉnh"]["2.1"] is None


def test_activities_equal_the_accepted_rows_summed_in_the_database(reports, book):
    folder, _out = reports
    engine = create_engine(f"sqlite:///{folder / 'tonghop.db'}")
    want: dict[str, list] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0.0, set()])
    with Session(engine) as s:
        for a, unit in s.execute(select(ActivityRow, Submission.unit_code).join(Submission).where(
                Submission.period == "2025-Y", Submission.is_current.is_(True), ActivityRow.accepted.is_(True))):
            for i, v in enumerate((a.count, a.participants, a.men, a.women, a.budget)):
                want[a.activity][i] += v or 0
            want[a.activity][5].add(unit)
    engine.dispose()
    rows = table(book["Hoạt động"], 4)
    got = {r["Mã"]: (r["Số lượng"], r["Số lượt người tham gia"] or 0, r["Nam"] or 0, r["Nữ"] or 0,
                     round(r["Kinh phí (triệu đồng)"] or 0, 6), r["Số đơn vị"]) for r in rows if r["Mã"]}
    assert got == {k: (v[0], v[1], v[2], v[3], round(v[4], 6), len(v[5])) for k, v in want.items()}
    total = next(r for r in rows if r["Loại hoạt động"] == "Cộng")
    # meetings, classes and cases are not added together; people and money are
    assert (total["Số lượng"], total["Số lượt người tham gia"], round(total["Kinh phí (triệu đồng)"], 6)) == (
        None, sum(v[1] for v in want.values()), round(sum(v[4] for v in want.values()), 6))
    assert [r["Đơn vị tính"] for r in rows if r["Mã"]] == ["cuộc", "lớp", "mô hình", "cuộc", "vụ việc", "hoạt động"]


def test_completeness_sheet(book):
    ws = book["Tình hình nộp"]
    answers = sample_answer.units(load_config(), "2025-Y")
    n = len(answers)
    done, on_time = sum(a.reported for a in answers), sum(bool(a.on_time) for a in answers)
    assert [(ws.cell(r, 3).value, ws.cell(r, 4).value, ws.cell(r, 5).value) for r in range(4, 8)] == [
        ("Số đơn vị phải báo cáo", n, None), ("Số đơn vị đã nộp", done, pytest.approx(done / n * 100)),
        ("Số đơn vị nộp đúng hạn", on_time, pytest.approx(on_time / n * 100)),
        ("Số đơn vị gửi tệp bị từ chối, chưa có bản được tiếp nhận", 2, pytest.approx(2 / n * 100))]
    assert ws.cell(8, 1).value == (
        "Đơn vị được tính là đã nộp khi tệp hiện hành của đơn vị được chấp nhận toàn bộ hoặc một phần (tệp bị từ "
        "chối chưa được tính); đúng hạn khi tệp đó đến trước khi hết ngày hạn nộp (giờ Việt Nam).")
    rows = table(ws, 9)
    assert [(r["Mã"], r["Đã nộp"], r["Đúng hạn"]) for r in rows if r["Đúng hạn"] != "Đúng hạn"] == [
        (a.code, "Có" if a.reported else "Chưa", f"Trễ {a.days_late} ngày" if a.days_late else None)
        for a in answers if not a.on_time]
    # STC's file rejected row by row is its current file; Phù Yên's only file was rejected as a whole
    assert [(r["Mã"], r["Kết quả kiểm tra"]) for r in rows if (r["Kết quả kiểm tra"] or "").startswith("Bị từ chối")] \
        == list(zip(sample_answer.rejected(answers), ["Bị từ chối", "Bị từ chối cả tệp"])) \
        == [("STC", "Bị từ chối"), ("X03910", "Bị từ chối cả tệp")]
    assert rows[0]["Thời điểm nhận"].strftime("%d/%m/%Y %H:%M") == "20/11/2025 16:45"   # local time, SNV


def test_open_problems_are_those_of_current_submissions(book):
    rows = table(book["Vấn đề"], 4)
    # sample_inputs/EXPECTED.yaml (2025-Y), less the files that are not current (the 2024 report, the text
    # file, a wrong-period file, a file replaced by its correction): errors first, by unit in configuration
    # order, then the one warning
    severity = {"error": "Lỗi", "warning": "Cảnh báo"}
    want = [(u, severity[s], c, sheet, cell)
            for u, s, c, sheet, cell in sample_answer.open_problems(sample_answer.units(load_config(), "2025-Y"))]
    assert [(r["Mã đơn vị"], r["Mức độ"], r["Mã vấn đề"], r["Trang tính"], r["Ô"]) for r in rows] == want
    assert want[:2] + want[-1:] == [("SNV", "Lỗi", "value-mismatch", "Biểu 01", "I10"),
                                    ("STC", "Lỗi", "unknown-area", "Biểu 01", "D10"),
                                    ("SYT", "Cảnh báo", "out-of-range", "Biểu 01", "I9")]


def test_problem_sheet_names_each_problem_in_vietnamese_and_keeps_the_code_narrow_at_the_end(book):
    ws = book["Vấn đề"]
    assert [c.value for c in ws[4]] == ["STT", "Mã đơn vị", "Đơn vị", "Tệp", "Mức độ", "Vấn đề", "Chỉ tiêu/HĐ",
                                        "Trang tính", "Ô", "Giá trị gặp", "Nội dung", "Mã vấn đề"]
    assert (ws.column_dimensions["F"].width, ws.column_dimensions["L"].width) == (30, 10)
    assert [r["Vấn đề"] for r in table(ws, 4)] == [PROBLEM_TYPES[r["Mã vấn đề"]].title for r in table(ws, 4)]
    assert [r["Vấn đề"] for r in table(ws, 4)][:8] == [
        "Giá trị không khớp Tử số/Mẫu số", "Mã địa bàn không đúng", "Nam + Nữ khác Tổng", "Dòng trùng", "Dòng trùng",
        "Tử số lớn hơn Mẫu số", "Số người tham gia khác Nam + Nữ", "Số người tham gia khác Nam + Nữ"]


def test_traceability_sheet_and_json_name_the_same_cells(reports, book):
    _folder, out = reports
    trace = json.loads(out["2025-Y"][1]["trace_json"].read_text(encoding="utf-8"))
    from_json = [(code, sex, s["unit"], s["file"], s["sheet"], s["cell"], s["used"])
                 for code, ind in trace["indicators"].items() for sex, c in ind["by_sex"].items() for s in c["sources"]]
    rows = table(book["Truy vết"], 4)
    assert [(r["Mã chỉ tiêu"], r["Phân tổ"], r["Đơn vị"], r["Tệp"], r["Trang tính"], r["Ô"], r["Được dùng"] == "Có")
            for r in rows] == from_json
    assert [x[2:] for x in from_json if x[0] == "3.2a"] == [
        ("SNV", "SNV - Bao cao BDG nam 2025.xlsx", "Biểu 01", "I12", True),
        ("SVHTTDL", "SVHTTDL bao cao BDG nam 2025.xlsx", "Biểu 01", "I9", False),
        ("SVHTTDL", "SVHTTDL bao cao BDG nam 2025.xlsx", "Biểu 01", "I10", False)]
    assert [x[2:] for x in from_json if x[0] == "3.2b"] == [
        ("SNV", "SNV - Bao cao BDG nam 2025.xlsx", "Biểu 01", "I13", True),
        ("SVHTTDL", "SVHTTDL bao cao BDG nam 2025.xlsx", "Biểu 01", "I11", True)]
    # every consolidated ratio is the sum of the sources marked used
    for code, ind in trace["indicators"].items():
        for sex, c in ind["by_sex"].items():
            used = [s for s in c["sources"] if s["used"]]
            if c["numerator"] is not None:
                assert (sum(s["numerator"] for s in used), sum(s["denominator"] for s in used)) == pytest.approx(
                    (c["numerator"], c["denominator"])), (code, sex)
            assert sorted({s["unit"] for s in used}) == sorted(c["units"]), (code, sex)
            assert all(s["sha256"] and len(s["sha256"]) == 64 for s in c["sources"])


def test_history_sheet_lists_every_earlier_period(book):
    ws = book["Diễn biến"]
    rows = {r["Mã"]: r for r in table(ws, 4)}
    assert [c.value for c in ws[4]] == ["Mã", "Tên chỉ tiêu", "Đơn vị tính", "6 tháng đầu năm 2025", "Năm 2025",
                                        "Thay đổi so với cùng kỳ năm trước", "Cần đạt 2030", "Dự báo 2030",
                                        "Xu hướng"]
    assert (rows["2.2"]["6 tháng đầu năm 2025"], rows["2.2"]["Năm 2025"], rows["2.2"]["Xu hướng"]) == (
        pytest.approx(249_900 / 350_500 * 100), pytest.approx(248_500 / 352_000 * 100), "Chưa đủ số liệu")
    assert (rows["4.4"]["6 tháng đầu năm 2025"], rows["4.4"]["Năm 2025"], rows["4.4"]["Xu hướng"]) == (
        0, 1, "Đúng hướng")
    assert rows["5.4"]["Xu hướng"] is None


def test_next_year_compares_with_last_year_and_never_builds_on_a_value_to_check(next_year_round):
    _summary, paths = next_year_round
    book = openpyxl.load_workbook(paths["province_xlsx"], data_only=True)
    rows = indicator_rows(book["Chỉ tiêu"])
    cols = ["Giá trị", "Giá trị Năm 2025", "Tăng (+), giảm (−) so với Năm 2025", "Dự báo 2030", "Xu hướng đến 2030",
            "Ghi chú"]
    # 4.1 of 2025-Y was 1,12 (to check): no change (was +109,55) and no projection (was 548,87)
    assert [rows[("4.1", "Tổng")][c] for c in cols] == [
        110.67, None, None, None, "Chưa đủ số liệu",
        "Giá trị Năm 2025 (1,12) cần kiểm tra số liệu: không dùng để tính thay đổi và dự báo"]
    # 1.1: 48/95 in 2025-Y, 50/95 in 2026-Y: +2,11 points a year → 61,05 in 2030, short of ≥ 75 but improving
    assert [rows[("1.1", "Tổng")][c] for c in cols] == [
        near(50 / 95 * 100), near(48 / 95 * 100), near(50 / 95 * 100 - 48 / 95 * 100),
        near(50 / 95 * 100 + 4 * 2 / 95 * 100), "Có nguy cơ", None]
    ws = book["Diễn biến"]
    assert [c.value for c in ws[4]] == ["Mã", "Tên chỉ tiêu", "Đơn vị tính", "6 tháng đầu năm 2025", "Năm 2025",
                                        "Năm 2026", "Thay đổi so với cùng kỳ năm trước", "Cần đạt 2030",
                                        "Dự báo 2030", "Xu hướng"]
    history = {r["Mã"]: r for r in table(ws, 4)}
    assert [history["4.1"][c] for c in ("Năm 2025", "Năm 2026", "Thay đổi so với cùng kỳ năm trước",
                                          "Dự báo 2030")] == [1.12, 110.67, None, None]
    row_41 = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "4.1")
    assert ws.cell(row_41, 5).fill.fgColor.rgb == "00FFEB9C"     # the value to check keeps its colour


def test_a_round_with_nothing_received_still_writes_every_report(tmp_path, config):
    from tonghop.config import Period
    from tonghop.reports.consolidated import write_consolidated_reports
    from tonghop.store import open_db

    engine = open_db(f"sqlite:///{tmp_path / 'empty.db'}")
    summary, paths = write_consolidated_reports(engine, config, Period.parse("2026-H1"), tmp_path / "out")
    engine.dispose()
    assert sorted(p.name for p in paths.values()) == [
        "bao-cao-bo-noi-vu-2026-H1.xlsx", "bao-cao-son-la-2026-H1.docx", "bao-cao-tong-hop-son-la-2026-H1.xlsx",
        "sdmx-14-2026-H1.csv",
        "tong-hop-2026-H1.html", "truy-vet-2026-H1.json"]
    assert {c: (s["value"], s["status"]) for c, s in summary.items()} == {
        c: (None, None if c == "5.4" else "no_data") for c in summary}
    ws = openpyxl.load_workbook(paths["province_xlsx"], data_only=True)["Tình hình nộp"]
    assert [ws.cell(r, 4).value for r in range(4, 8)] == [len(config.units), 0, 0, 0]
