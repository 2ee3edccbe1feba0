"""The province's consolidated workbook (Vietnamese), every figure a value, never a formula."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import PatternFill
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from tonghop.config import Period
from tonghop.consolidate.completeness import DEFINITION_VI
from tonghop.consolidate.merge import TOTAL, Cell
from tonghop.consolidate.outlook import HORIZON, INSUFFICIENT, METHOD_VI, VERDICT_VI
from tonghop.problems import PROBLEM_TYPES
from tonghop.statuses import FILE_STATUS_VI as SUBMISSION_STATUS_VI, REJECTED, TARGET_STATUS_VI as STATUS_VI
from tonghop.reports.round_data import MERGE_VI, IndicatorResult, RoundData, unit_contributions
from tonghop.reports.baseline import baseline_header, history_note
from tonghop.reports.multi_unit import multi_unit_note
from tonghop.reports.trace import trace_rows
from tonghop.reports.xlsx_print import long_note, setup_print, use_report_font
from tonghop.reports.xlsx_style import (FMT_DATETIME, FMT_GAP, FMT_RATE, FMT_VALUE, GOAL_FILL, WRAP, fit_rows,
                                        font, header, number_format, paint, paint_status, paint_verdict, put,
                                        set_widths, target_format, title, value_format)
from tonghop.consolidate.targets import TO_CHECK, plausible, target_text

SEVERITY_VI = {"error": "Lỗi", "warning": "Cảnh báo"}
KIND_VI = {"department": "Sở, ban, ngành", "commune": "Xã, phường"}


def _subtitle(data: RoundData, what: str) -> str:
    return (f"{data.config.province_name} · {data.period.vi} · {what} · lập lúc "
            f"{data.generated_at.strftime('%H:%M ngày %d/%m/%Y')}")


def _goal_row(ws: Worksheet, row: int, text: str, width: int) -> None:
    ws.cell(row, 1, text).font = font(True)
    for c in range(1, width + 1):
        ws.cell(row, c).fill = GOAL_FILL
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


@dataclass(frozen=True)
class Column:
    """One column of the indicator sheet: header, width, and the cell of an indicator row / a sex row."""

    header: str
    width: float
    total: Callable[[IndicatorResult], tuple[Any, dict]]
    sex: Callable[[IndicatorResult, str, Cell], tuple[Any, dict]] = lambda r, s, c: (None, {})


def _target_cell(r: IndicatorResult) -> tuple[Any, dict]:
    if not r.target:
        return None, {}
    return r.target[1], {"fmt": target_format(r.ind, r.target[0]), "center": True}


def indicator_columns(data: RoundData) -> list[Column]:
    """Only the columns that carry information this round: no "năm trước" columns before there is a year
    earlier on record, no 2030 projection while no indicator has two years, no empty remarks."""
    results = list(data.results.values())
    milestones = {r.target[0] for r in results if r.target}
    one_milestone = len(milestones) <= 1
    target_header = (f"Chỉ tiêu cần đạt năm {next(iter(milestones))}" if milestones and one_milestone
                     else "Chỉ tiêu cần đạt")
    return (_result_columns(target_header, one_milestone) + _history_columns(data, results)
            + _source_columns(data, results))


def _result_columns(target_header: str, one_milestone: bool) -> list[Column]:
    """What the indicator is, its value this round and how it stands against its target (a sex's row too)."""
    cols = [
        Column("Mã", 6, lambda r: (r.ind.code, {"bold": True, "center": True}),
               lambda r, s, c: (r.ind.code, {"center": True})),
        Column("Tên chỉ tiêu", 32, lambda r: (r.ind.vi, {"wrap": True}),
               lambda r, s, c: (f"   trong đó: {s}", {"wrap": True})),
        Column("Phân tổ", 7, lambda r: (TOTAL, {"center": True}), lambda r, s, c: (s, {"center": True})),
        Column("Đơn vị tính", 9, lambda r: (r.ind.unit.vi, {"center": True}),
               lambda r, s, c: (r.ind.unit.vi, {"center": True})),
        Column("Giá trị", 10, lambda r: (r.value, {"fmt": value_format(r.ind), "bold": True}),
               lambda r, s, c: (c.value, {"fmt": value_format(r.ind)})),
        Column("Tử số", 10, lambda r: (r.total.numerator, {"fmt": number_format(r.total.numerator)}),
               lambda r, s, c: (c.numerator, {"fmt": number_format(c.numerator)})),
        Column("Mẫu số", 10, lambda r: (r.total.denominator, {"fmt": number_format(r.total.denominator)}),
               lambda r, s, c: (c.denominator, {"fmt": number_format(c.denominator)})),
        Column(target_header, 10, _target_cell, lambda r, s, c: _target_cell(r)),
    ]
    if not one_milestone:
        cols.append(Column("Năm mốc", 7, lambda r: (r.target[0] if r.target else None, {"center": True}),
                           lambda r, s, c: (r.target[0] if r.target else None, {"center": True})))
    cols += [
        Column("Chênh lệch so với chỉ tiêu", 11, lambda r: (None if r.ind.is_boolean else r.gap, {"fmt": FMT_GAP}),
               lambda r, s, c: (None if c.value is None or not r.target or r.ind.is_boolean
                                else c.value - r.target[1], {"fmt": FMT_GAP})),
        Column("Đánh giá", 11, lambda r: (STATUS_VI[r.status], {"center": True, "status": r.status}),
               lambda r, s, c: (STATUS_VI[r.sex_status.get(s)], {"center": True, "status": r.sex_status.get(s)})),
    ]
    return cols


def _history_columns(data: RoundData, results: list[IndicatorResult]) -> list[Column]:
    """Against the baseline year and last year, and the projection to the horizon: each only when some
    indicator has it."""
    cols: list[Column] = []
    if data.shows_baseline:
        base = data.baseline_period
        cols += [Column(baseline_header(data), 10, lambda r: (r.baseline, {"fmt": value_format(r.ind)})),
                 Column(f"Tăng (+), giảm (−) so với năm {base.year}", 11,
                        lambda r: (r.baseline_change, {"fmt": FMT_GAP}))]
    if any(r.outlook.previous_value is not None for r in results):
        earlier = data.period.year_earlier.vi
        cols += [Column(f"Giá trị {earlier}", 10,
                        lambda r: (r.outlook.previous_value, {"fmt": value_format(r.ind)})),
                 Column(f"Tăng (+), giảm (−) so với {earlier}", 11,
                        lambda r: (None if r.ind.is_boolean else r.outlook.change, {"fmt": FMT_GAP}))]
    if any(r.outlook.projected is not None for r in results):
        cols.append(Column(f"Dự báo {HORIZON}", 10, lambda r: (r.outlook.projected, {"fmt": FMT_VALUE})))
    if any(r.outlook.verdict not in (None, INSUFFICIENT) for r in results):
        cols += [Column(f"Xu hướng đến {HORIZON}", 11,
                        lambda r: (VERDICT_VI[r.outlook.verdict] or None, {"center": True,
                                                                           "verdict": r.outlook.verdict}))]
    return cols


def _source_columns(data: RoundData, results: list[IndicatorResult]) -> list[Column]:
    """Which units gave the figures, which have not (when any), and the remarks (when any)."""
    cols = [Column("Đơn vị cung cấp số liệu", 18,
                   lambda r: (", ".join(data.unit_name(u) for u in r.merged.units) or None, {"wrap": True}),
                   lambda r, s, c: (", ".join(data.unit_name(u) for u in c.units) or None, {"wrap": True}))]
    if any(r.merged.units_missing for r in results):
        cols.append(Column("Đơn vị chưa có số liệu", 16,
                           lambda r: (", ".join(data.unit_name(u) for u in r.merged.units_missing) or None,
                                      {"wrap": True})))
    if any(r.notes for r in results):
        cols.append(Column("Ghi chú", 30, lambda r: ("\n".join(r.notes) or None, {"wrap": True})))
    return cols


def _put_styled(ws: Worksheet, row: int, col: int, value: Any, style: dict) -> None:
    cell = put(ws, row, col, value, style.get("fmt"), bold=style.get("bold", False), wrap=style.get("wrap", False),
               center=style.get("center", False))
    if "status" in style:
        paint_status(cell, style["status"])
    if "verdict" in style:
        paint_verdict(cell, style["verdict"])


def sheet_indicators(ws: Worksheet, data: RoundData) -> None:
    cols = indicator_columns(data)
    width = len(cols)
    title(ws, "TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU BÌNH ĐẲNG GIỚI", _subtitle(data, "theo mục tiêu"), width)
    header(ws, 4, [c.header for c in cols], [c.width for c in cols])
    long_note(ws, 3, "Giá trị = tổng Tử số / tổng Mẫu số của các đơn vị (không lấy trung bình tỷ lệ). "
                     "Phương pháp: xem trang “Phương pháp”.", last_col=width, font=font(italic=True, color="595959"))
    row = 5
    for goal_code, results in data.by_goal().items():
        _goal_row(ws, row, f"Mục tiêu {goal_code}. {data.catalogue.goals[goal_code].vi}", width)
        row += 1
        for r in results:
            for i, col in enumerate(cols, start=1):
                _put_styled(ws, row, i, *col.total(r))
            row += 1
            for sex, cell in r.merged.cells.items():
                if sex == TOTAL:
                    continue
                for i, col in enumerate(cols, start=1):
                    _put_styled(ws, row, i, *col.sex(r, sex, cell))
                row += 1
    ws.freeze_panes = "C5"


def sheet_matrix(ws: Worksheet, data: RoundData) -> None:
    """Units × indicators: each unit's own number; 'lỗi' when its figure was blocked, 'thiếu' when absent."""
    codes = list(data.results)
    title(ws, "SỐ LIỆU TỪNG ĐƠN VỊ THEO CHỈ TIÊU", _subtitle(data, "giá trị phần của từng đơn vị (phân tổ Tổng)"),
          len(codes) + 2)
    header(ws, 4, ["Mã đơn vị", "Đơn vị"] + codes, [9, 28] + [8] * len(codes))
    long_note(ws, 3, "Ô trống: chỉ tiêu không giao cho đơn vị · “thiếu”: được giao nhưng không có số liệu · "
                     "“lỗi”: số liệu bị chặn do lỗi · “không dùng”: có số liệu nhưng không cộng được hoặc chỉ để "
                     "đối chiếu", last_col=len(codes) + 2, font=font(italic=True, color="595959"))
    contributions = {code: unit_contributions(r) for code, r in data.results.items()}
    units = [u for u in data.config.units.values()
             if u.indicators or any(u.code in c for c in contributions.values())]
    marks = {"blocked": ("lỗi", "FFC7CE"), "unused": ("không dùng", "FFEB9C"), "missing": ("thiếu", "E7E6E6")}
    row = 5
    for unit in units:
        put(ws, row, 1, unit.code, bold=True)
        put(ws, row, 2, unit.name, wrap=True)
        for c, code in enumerate(codes, start=3):
            value, state = contributions[code].get(unit.code, (None, "missing"))
            if state == "used":
                put(ws, row, c, value, value_format(data.results[code].ind))
            elif state == "missing" and code not in unit.indicators:
                put(ws, row, c, None)
            else:
                text, fill = marks[state]
                cell = put(ws, row, c, text, center=True)
                cell.fill = PatternFill("solid", fgColor=fill)
        row += 1
    put(ws, row, 1, "Tỉnh", bold=True)
    put(ws, row, 2, "Giá trị tổng hợp", bold=True)
    for c, code in enumerate(codes, start=3):
        r = data.results[code]
        cell = put(ws, row, c, r.value, value_format(r.ind), bold=True)
        paint_status(cell, r.status)
        cell.number_format = value_format(r.ind)
    ws.freeze_panes = "C5"


ACTIVITY_HEADERS = ["Mã", "Loại hoạt động", "Đơn vị tính", "Số lượng", "Số lượt người tham gia", "Nam", "Nữ",
                    "Kinh phí (triệu đồng)", "Số đơn vị"]
ACTIVITY_WIDTHS = [8, 40, 10, 10, 13, 10, 10, 13, 9]
COUNT_NOT_ADDED = ("Dòng “Cộng” không cộng cột Số lượng: mỗi loại hoạt động đếm một thứ khác nhau (cuộc, lớp, mô "
                   "hình, vụ việc…); số lượt người và kinh phí thì cộng được.")


def _activity_cells(ws: Worksheet, row: int, col: int, total, bold: bool = False, count: bool = True) -> None:
    for i, name in enumerate(("count", "participants", "men", "women", "budget")):
        v = getattr(total, name) if count or name != "count" else None
        put(ws, row, col + i, v, "#,##0.0" if name == "budget" else number_format(v), bold=bold)


def activity_name(data: RoundData, code: str) -> str:
    return data.catalogue.activities[code].vi if code in data.catalogue.activities else code


def activity_unit(data: RoundData, code: str) -> str | None:
    return data.catalogue.activities[code].unit or None if code in data.catalogue.activities else None


def sheet_activities(ws: Worksheet, data: RoundData) -> None:
    acts = data.activities
    title(ws, "TỔNG HỢP HOẠT ĐỘNG BÌNH ĐẲNG GIỚI (BIỂU 02)",
          _subtitle(data, "dòng được chấp nhận của tệp hiện hành"), len(ACTIVITY_HEADERS))
    ws.cell(3, 1, "Theo loại hoạt động").font = font(True)
    header(ws, 4, ACTIVITY_HEADERS, ACTIVITY_WIDTHS)
    row = 5
    for code, total in acts.by_kind.items():
        put(ws, row, 1, code, bold=True, center=True)
        put(ws, row, 2, activity_name(data, code), wrap=True)
        put(ws, row, 3, activity_unit(data, code), center=True)
        _activity_cells(ws, row, 4, total)
        put(ws, row, 9, len(total.units), "0")
        row += 1
    put(ws, row, 1, None)
    put(ws, row, 2, "Cộng", bold=True)
    put(ws, row, 3, None)
    _activity_cells(ws, row, 4, acts.total, bold=True, count=False)     # cuộc + lớp + vụ việc is no number
    put(ws, row, 9, len(acts.total.units), "0", bold=True)
    long_note(ws, row + 2, COUNT_NOT_ADDED, last_col=len(ACTIVITY_HEADERS), font=font(italic=True, size=10,
                                                                                   color="595959"))
    row += 4
    if acts.blocked_rows:
        ws.cell(row, 1, f"{acts.blocked_rows} dòng Biểu 02 của tệp hiện hành có lỗi, không được cộng "
                        f"(xem trang “Vấn đề”).").font = font(italic=True, color="9C0006")
        row += 1
    row += 1
    ws.cell(row, 1, "Theo đơn vị").font = font(True)
    row += 1
    header(ws, row, ["Mã HĐ", "Đơn vị – loại hoạt động", "Đơn vị tính", "Số lượng", "Số lượt người tham gia", "Nam",
                     "Nữ", "Kinh phí (triệu đồng)"])
    row += 1
    for unit, kinds in acts.by_unit.items():
        for code, total in kinds.items():
            put(ws, row, 1, code, bold=True, center=True)
            put(ws, row, 2, f"{data.unit_name(unit)} – {activity_name(data, code)}", wrap=True)
            put(ws, row, 3, activity_unit(data, code), center=True)
            _activity_cells(ws, row, 4, total)
            row += 1
    ws.freeze_panes = "A5"


REJECTED_WHOLE_VI = "Bị từ chối cả tệp"


def sheet_completeness(ws: Worksheet, data: RoundData) -> None:
    comp = data.completeness
    title(ws, "TÌNH HÌNH NỘP BÁO CÁO", _subtitle(data, f"hạn nộp hết ngày {comp.deadline.strftime('%d/%m/%Y')} "
                                                       f"(giờ Việt Nam)"), 11)
    summary = [("Số đơn vị phải báo cáo", comp.expected, None),
               ("Số đơn vị đã nộp", comp.actual, comp.rate(comp.actual)),
               ("Số đơn vị nộp đúng hạn", comp.on_time, comp.rate(comp.on_time)),
               ("Số đơn vị gửi tệp bị từ chối, chưa có bản được tiếp nhận", len(comp.rejected),
                comp.rate(len(comp.rejected)))]
    put(ws, 3, 3, "Chỉ số", bold=True)
    put(ws, 3, 4, "Số đơn vị", bold=True, center=True)
    put(ws, 3, 5, "Tỷ lệ", bold=True, center=True)
    for i, (label, n, rate) in enumerate(summary, start=4):
        put(ws, i, 3, label)
        put(ws, i, 4, n, "0")
        put(ws, i, 5, rate, FMT_RATE)
    long_note(ws, 8, DEFINITION_VI, first_col=1, last_col=11, font=font(italic=True, size=10, color="595959"))
    hrow = 9
    header(ws, hrow, ["STT", "Mã", "Đơn vị", "Loại", "Đã nộp", "Thời điểm nhận", "Đúng hạn", "Tệp hiện hành",
                      "Kết quả kiểm tra", "Số lỗi", "Số cảnh báo"],
           [6, 11, 36, 14, 9, 17, 14, 44, 22, 8, 10])
    for i, u in enumerate(comp.units, start=1):
        row = hrow + i
        sub = u.submission
        put(ws, row, 1, i, center=True)
        put(ws, row, 2, u.unit.code, bold=True)
        put(ws, row, 3, u.unit.name, wrap=True)
        put(ws, row, 4, KIND_VI.get(u.unit.kind, u.unit.kind))
        done = put(ws, row, 5, "Có" if u.reported else "Chưa", center=True)
        put(ws, row, 6, u.received_local, FMT_DATETIME)
        timely = put(ws, row, 7, None if not u.reported else ("Đúng hạn" if u.on_time else f"Trễ {u.days_late} ngày"),
                     center=True)
        put(ws, row, 8, sub.file_name if sub else None, wrap=True)
        # a unit whose only file was rejected as a whole has no current file, but it did send one: say so
        result = (SUBMISSION_STATUS_VI.get(sub.status, sub.status) if sub
                  else REJECTED_WHOLE_VI if u.unit.code in comp.rejected else None)
        put(ws, row, 9, result, wrap=True)
        put(ws, row, 10, sub.n_errors if sub else None, "0")
        put(ws, row, 11, sub.n_warnings if sub else None, "0")
        if not u.reported:
            paint(done, ("FFC7CE", "9C0006"))
        elif not u.on_time:
            paint(timely, ("FFEB9C", "9C5700"))
        else:
            paint(timely, ("C6EFCE", "006100"))
        if (sub and sub.status == REJECTED) or result == REJECTED_WHOLE_VI:
            paint(ws.cell(row, 9), ("FFC7CE", "9C0006"))
    ws.freeze_panes = ws.cell(hrow + 1, 4)


def sheet_problems(ws: Worksheet, data: RoundData) -> None:
    title(ws, "CÁC VẤN ĐỀ CÒN TỒN TẠI", _subtitle(data, "vấn đề của tệp hiện hành của mỗi đơn vị"), 12)
    # the Vietnamese title is what the officer reads; the code stays, narrow and last, to look a problem up
    header(ws, 4, ["STT", "Mã đơn vị", "Đơn vị", "Tệp", "Mức độ", "Vấn đề", "Chỉ tiêu/HĐ",
                   "Trang tính", "Ô", "Giá trị gặp", "Nội dung", "Mã vấn đề"],
           [6, 11, 28, 34, 10, 30, 10, 11, 7, 14, 70, 10])
    severity_order = {"error": 0, "warning": 1}
    problems = sorted(data.problems, key=lambda p: (severity_order.get(p.severity, 2),
                                                    list(data.config.units).index(p.unit_code)
                                                    if p.unit_code in data.config.units else 99))
    for i, p in enumerate(problems, start=1):
        row = 4 + i
        put(ws, row, 1, i, center=True)
        put(ws, row, 2, p.unit_code, bold=True)
        put(ws, row, 3, data.unit_name(p.unit_code), wrap=True)
        put(ws, row, 4, p.file_name, wrap=True)
        sev = put(ws, row, 5, SEVERITY_VI.get(p.severity, p.severity), center=True)
        paint(sev, ("FFC7CE", "9C0006") if p.severity == "error" else ("FFEB9C", "9C5700"))
        put(ws, row, 6, PROBLEM_TYPES[p.code].title if p.code in PROBLEM_TYPES else p.code, wrap=True)
        put(ws, row, 7, p.indicator, center=True)
        put(ws, row, 8, p.sheet)
        put(ws, row, 9, p.cell, center=True)
        put(ws, row, 10, p.value, wrap=True)
        put(ws, row, 11, p.message, wrap=True)
        put(ws, row, 12, p.code)
    if not problems:
        ws.cell(5, 1, "Không còn vấn đề nào.").font = font(italic=True)
    ws.freeze_panes = "C5"


def sheet_trace(ws: Worksheet, data: RoundData) -> None:
    title(ws, "TRUY VẾT SỐ LIỆU", _subtitle(data, "mỗi số tổng hợp lấy từ tệp, trang tính và ô nào"), 15)
    header(ws, 4, ["Mã chỉ tiêu", "Phân tổ", "Giá trị tổng hợp", "Đơn vị", "Mã lần nộp", "Tệp", "Trang tính", "Ô",
                   "Dòng", "Địa bàn", "Tử số", "Mẫu số", "Giá trị", "Được dùng", "Lý do không dùng"],
           [10, 8, 12, 10, 9, 40, 11, 7, 7, 9, 12, 12, 11, 9, 50])
    row = 5
    for t in trace_rows(data):
        ind = data.results[t.indicator].ind
        put(ws, row, 1, t.indicator, bold=True)
        put(ws, row, 2, t.sex, center=True)
        put(ws, row, 3, t.consolidated, value_format(ind))
        put(ws, row, 4, t.unit)
        put(ws, row, 5, t.submission_id, "0")
        put(ws, row, 6, t.file, wrap=True)
        put(ws, row, 7, t.sheet)
        put(ws, row, 8, t.cell, center=True)
        put(ws, row, 9, t.row, "0")
        put(ws, row, 10, t.area, center=True)
        put(ws, row, 11, t.numerator, number_format(t.numerator))
        put(ws, row, 12, t.denominator, number_format(t.denominator))
        put(ws, row, 13, t.value, value_format(ind))
        used = put(ws, row, 14, "Có" if t.used else "Không", center=True)
        if not t.used:
            paint(used, ("FFEB9C", "9C5700"))
        put(ws, row, 15, t.reason or None, wrap=True)
        row += 1
    ws.freeze_panes = "C5"


def sheet_history(ws: Worksheet, data: RoundData) -> None:
    periods = [Period.parse(p).vi for p in data.history_periods] + [data.period.vi]
    headers = ["Mã", "Tên chỉ tiêu", "Đơn vị tính"] + periods + ["Thay đổi so với cùng kỳ năm trước",
                                                             f"Cần đạt {HORIZON}", f"Dự báo {HORIZON}", "Xu hướng"]
    kept = "các kỳ đã lưu trong cơ sở dữ liệu" + (" và tệp số liệu các năm trước" if data.history_from_sheet else "")
    title(ws, "DIỄN BIẾN QUA CÁC KỲ VÀ TRIỂN VỌNG ĐẾN NĂM 2030", _subtitle(data, kept), len(headers))
    header(ws, 4, headers, [7, 52, 12] + [11] * len(periods) + [12, 10, 10, 15])
    row = 5
    for r in data.results.values():
        ind, o = r.ind, r.outlook
        fmt = value_format(ind)
        put(ws, row, 1, ind.code, bold=True)
        put(ws, row, 2, ind.vi, wrap=True)
        put(ws, row, 3, ind.unit.vi, center=True)
        col = 4
        for p in data.history_periods:
            cell = put(ws, row, col, o.history.get(p), fmt)
            if not plausible(ind, o.history.get(p)):      # shown, in the "Cần kiểm tra số liệu" colour
                paint_status(cell, TO_CHECK)
            col += 1
        cell = put(ws, row, col, r.value, fmt, bold=True)
        if r.status == TO_CHECK:
            paint_status(cell, TO_CHECK)
        put(ws, row, col + 1, None if ind.is_boolean else o.change, FMT_GAP)
        put(ws, row, col + 2, o.target, target_format(ind, HORIZON) if o.target is not None else None)
        put(ws, row, col + 3, o.projected, FMT_VALUE)
        paint_verdict(put(ws, row, col + 4, VERDICT_VI[o.verdict] or None, center=True), o.verdict)
        row += 1
    row += 1
    ws.cell(row, 1, "Phương pháp dự báo:").font = font(True)
    extra = " ".join(f"{line}." for line in history_note(data))
    ws.cell(row + 1, 1, f"{METHOD_VI} {extra}".strip()).alignment = WRAP
    ws.cell(row + 1, 1).font = font()
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=len(headers))
    ws.row_dimensions[row + 1].height = 95 + (15 * (len(extra) // 120 + 1) if extra else 0)   # the sheet's lines
    ws.freeze_panes = "C5"


CHART_VALUE = "General"        # values rounded to one decimal: 50,5 %, 1,8 lần, 44,8, and a target of 100 stays 100
CHART_CM = (6.5, 14.0)         # height, width: beside columns A–E, one landscape page wide, two a page
CHART_BLOCK_ROWS = 14          # a goal's table and chart: 15 + 20 + 12 × 15 pt, more than the chart's 184 pt


def chart_groups(data: RoundData) -> list[tuple[str, list[IndicatorResult]]]:
    """Per goal, one group per unit of measure (a chart never puts % beside "lần" or per 100.000 beside per 1.000);
    yes/no indicators are not drawn."""
    out = []
    for goal_code, results in data.by_goal().items():
        by_unit: dict[str, list[IndicatorResult]] = {}
        for r in results:
            if not r.ind.is_boolean:
                by_unit.setdefault(r.ind.unit.code, []).append(r)
        out += [(goal_code, items) for items in by_unit.values()]
    return out


def sheet_charts(ws: Worksheet, data: RoundData) -> None:
    """Per goal and unit: a small table of values and targets, and a clustered bar chart drawn from it. The
    category names the target with its direction ("2.2 (cần đạt < 30)"); a value to check is not drawn."""
    title(ws, "BIỂU ĐỒ: KẾT QUẢ SO VỚI CHỈ TIÊU CẦN ĐẠT THEO MỤC TIÊU",
          _subtitle(data, "mỗi biểu đồ một mục tiêu và một đơn vị tính; chỉ tiêu có/không không vẽ"), 4)
    set_widths(ws, [22, 11, 11, 14, 3])
    row, blocks = 4, 0
    for goal_code, items in chart_groups(data):
        unit = items[0].ind.unit
        ws.cell(row, 1, f"Mục tiêu {goal_code} ({unit.vi})").font = font(True)
        header(ws, row + 1, ["Chỉ tiêu", "Kết quả", "Cần đạt", "Đánh giá"])
        ws.row_dimensions[row + 1].height = 20
        first = row + 2
        for i, r in enumerate(items):
            drawn = r.status != TO_CHECK      # 1,12 for 112 would draw a bar a hundred times too short
            aim = target_text(r.ind, data.period.year)
            label = r.ind.code + (f" (cần đạt {aim})" if aim else "") + ("" if drawn else " – cần kiểm tra số liệu")
            put(ws, first + i, 1, label, bold=True, wrap=True)
            put(ws, first + i, 2, round(r.value, 1) if drawn and r.value is not None else None, CHART_VALUE)
            put(ws, first + i, 3, r.target[1] if r.target else None, CHART_VALUE)
            paint_status(put(ws, first + i, 4, STATUS_VI[r.status], center=True), r.status)
        last = first + len(items) - 1
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = f"Mục tiêu {goal_code} ({unit.vi})"      # one line: the plot keeps its height
        chart.y_axis.title = unit.vi
        chart.y_axis.scaling.min = 0                      # bars start at zero
        if unit.code == "percent":
            chart.y_axis.scaling.max = 100                # a share on its whole range
        chart.y_axis.numFmt = "#,##0"
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=row + 1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        chart.dataLabels.numFmt = CHART_VALUE
        for flag in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
            setattr(chart.dataLabels, flag, False)      # LibreOffice shows them all unless told not to
        chart.x_axis.delete = False          # openpyxl 3.1 hides axes unless told otherwise
        chart.y_axis.delete = False
        chart.height, chart.width = CHART_CM
        chart.legend.position = "b"
        ws.add_chart(chart, f"F{row}")
        row += max(len(items) + 4, CHART_BLOCK_ROWS)
        blocks += 1
        if blocks % 2 == 0:                # two charts a page, never one cut by a page break
            ws.row_breaks.append(Break(id=row - 1))


def sheet_method(ws: Worksheet, data: RoundData) -> None:
    title(ws, "PHƯƠNG PHÁP TỔNG HỢP", _subtitle(data, "quy tắc dùng trong báo cáo này"), 2)
    rows = [("Tổng hợp số liệu", MERGE_VI), ("Diễn biến và dự báo", METHOD_VI),
            ("Tình hình nộp", "Mọi đơn vị trong cấu hình đều phải báo cáo mỗi kỳ. Đơn vị đã nộp khi có tệp hiện hành "
                              "(tệp đọc được gửi sau cùng) của kỳ; đúng hạn khi tệp đó đến trước hết ngày hạn nộp "
                              "(giờ Việt Nam). Tỷ lệ = số đơn vị / số đơn vị phải báo cáo."),
            *((("Số liệu các năm trước", "\n".join(f"{line}." for line in history_note(data))),)
              if history_note(data) else ()),
            ("Chỉ tiêu do nhiều đơn vị báo cáo", multi_unit_note(data) or "Không có chỉ tiêu nào do hai đơn vị "
                                                                           "trở lên báo cáo."),
            ("Truy vết", "Trang “Truy vết” và tệp truy-vet-<kỳ>.json ghi, cho từng số tổng hợp, lần nộp, tệp, trang "
                         "tính, ô và lý do khi một số liệu không được dùng.")]
    set_widths(ws, [24, 110])
    for i, (label, text) in enumerate(rows, start=4):
        put(ws, i, 1, label, bold=True, wrap=True)
        put(ws, i, 2, text, wrap=True)
        ws.row_dimensions[i].height = max(30, 15 * (len(text) // 120 + 1))


# sheet → (writer, header rows repeated on every printed page, columns repeated when it runs over pages)
SHEETS = [("Chỉ tiêu", sheet_indicators, "4:4", "A:B"), ("Theo đơn vị", sheet_matrix, "4:4", "A:B"),
          ("Hoạt động", sheet_activities, None, None), ("Tình hình nộp", sheet_completeness, "9:9", "A:C"),
          ("Vấn đề", sheet_problems, "4:4", "A:C"), ("Truy vết", sheet_trace, "4:4", "A:B"),
          ("Diễn biến", sheet_history, "4:4", "A:B"), ("Biểu đồ", sheet_charts, None, None),
          ("Phương pháp", sheet_method, None, None)]


def write_province_xlsx(data: RoundData, path: Path) -> Path:
    """Write the whole workbook; sheets in the order an officer reads them, each printing on A4."""
    wb = Workbook()
    use_report_font(wb)
    wb.remove(wb.active)
    for name, fill, rows, cols in SHEETS:
        ws = wb.create_sheet(name)
        fill(ws, data)
        fit_rows(ws)
        ws.sheet_view.zoomScale = 90
        setup_print(ws, title_rows=rows, title_cols=cols,
                    extra_pt=CHART_CM[1] / 2.54 * 72 if ws._charts else 0.0)
    wb.properties.title = f"Báo cáo tổng hợp bình đẳng giới – {data.config.province_name} – {data.period.vi}"
    wb.properties.creator = data.config.consolidator_name
    wb.save(path)
    return path
