"""The province's consolidated workbook (Vietnamese), every figure a value, never a formula."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from tonghop.config import Period
from tonghop.consolidate.completeness import DEFINITION_VI
from tonghop.consolidate.merge import TOTAL
from tonghop.consolidate.outlook import HORIZON, METHOD_VI, VERDICT_VI
from tonghop.problems import PROBLEM_TYPES
from tonghop.statuses import FILE_STATUS_VI as SUBMISSION_STATUS_VI, REJECTED, TARGET_STATUS_VI as STATUS_VI
from tonghop.reports.round_data import MERGE_VI, RoundData, unit_contributions
from tonghop.reports.trace import trace_rows
from tonghop.reports.xlsx_style import (FMT_DATETIME, FMT_GAP, FMT_RATE, FMT_VALUE, GOAL_FILL, WRAP, fit_rows,
                                        font, header, number_format, paint, paint_status, paint_verdict, put,
                                        set_widths, target_format, title, value_format)
from tonghop.consolidate.targets import TO_CHECK, plausible

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


INDICATOR_HEADERS = ["Mã", "Tên chỉ tiêu", "Phân tổ", "Đơn vị tính", "Giá trị", "Tử số", "Mẫu số", "Chỉ tiêu cần đạt",
                     "Năm mốc", "Chênh lệch (giá trị − chỉ tiêu)", "Đánh giá", "Cùng kỳ năm trước",
                     "Giá trị cùng kỳ năm trước", "Thay đổi so với cùng kỳ năm trước", f"Dự báo {HORIZON}",
                     f"Xu hướng đến {HORIZON}", "Đơn vị cung cấp số liệu", "Đơn vị chưa có số liệu", "Ghi chú"]
INDICATOR_WIDTHS = [7, 52, 8, 12, 11, 13, 13, 10, 8, 13, 17, 13, 12, 13, 10, 15, 20, 20, 48]


def sheet_indicators(ws: Worksheet, data: RoundData) -> None:
    width = len(INDICATOR_HEADERS)
    title(ws, "TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU BÌNH ĐẲNG GIỚI", _subtitle(data, "theo mục tiêu"), width)
    ws.cell(3, 1, "Giá trị = tổng Tử số / tổng Mẫu số của các đơn vị (không lấy trung bình tỷ lệ). "
                  "Phương pháp: xem trang “Phương pháp”.").font = font(italic=True, color="595959")
    header(ws, 4, INDICATOR_HEADERS, INDICATOR_WIDTHS)
    row = 5
    for goal_code, results in data.by_goal().items():
        _goal_row(ws, row, f"Mục tiêu {goal_code}. {data.catalogue.goals[goal_code].vi}", width)
        row += 1
        for r in results:
            ind, o = r.ind, r.outlook
            cell_fmt = value_format(ind)
            put(ws, row, 1, ind.code, bold=True)
            put(ws, row, 2, ind.vi + ("" if ind.confirmed else " (chưa đối chiếu)"), wrap=True)
            put(ws, row, 3, TOTAL, center=True)
            put(ws, row, 4, ind.unit.vi, center=True)
            put(ws, row, 5, r.value, cell_fmt, bold=True)
            put(ws, row, 6, r.total.numerator, number_format(r.total.numerator))
            put(ws, row, 7, r.total.denominator, number_format(r.total.denominator))
            put(ws, row, 8, r.target[1] if r.target else None, target_format(ind, r.target[0]) if r.target else None)
            put(ws, row, 9, r.target[0] if r.target else None, center=True)
            put(ws, row, 10, None if ind.is_boolean else r.gap, FMT_GAP)
            paint_status(put(ws, row, 11, STATUS_VI[r.status], center=True), r.status)
            put(ws, row, 12, Period.parse(o.previous_period).vi if o.previous_period else None, center=True, wrap=True)
            put(ws, row, 13, o.previous_value, cell_fmt)
            put(ws, row, 14, None if ind.is_boolean else o.change, FMT_GAP)
            put(ws, row, 15, o.projected, FMT_VALUE)
            paint_verdict(put(ws, row, 16, VERDICT_VI[o.verdict] or None, center=True), o.verdict)
            put(ws, row, 17, ", ".join(r.merged.units) or None, wrap=True)
            put(ws, row, 18, ", ".join(r.merged.units_missing) or None, wrap=True)
            put(ws, row, 19, "\n".join(r.notes) or None, wrap=True)
            row += 1
            for sex, cell in r.merged.cells.items():
                if sex == TOTAL:
                    continue
                put(ws, row, 1, ind.code)
                put(ws, row, 2, f"   trong đó: {sex}", wrap=True)
                put(ws, row, 3, sex, center=True)
                put(ws, row, 4, ind.unit.vi, center=True)
                put(ws, row, 5, cell.value, cell_fmt)
                put(ws, row, 6, cell.numerator, number_format(cell.numerator))
                put(ws, row, 7, cell.denominator, number_format(cell.denominator))
                put(ws, row, 8, r.target[1] if r.target else None,
                    target_format(ind, r.target[0]) if r.target else None)
                put(ws, row, 9, r.target[0] if r.target else None, center=True)
                gap = None if cell.value is None or not r.target else cell.value - r.target[1]
                put(ws, row, 10, gap, FMT_GAP)
                st = r.sex_status.get(sex)
                paint_status(put(ws, row, 11, STATUS_VI[st], center=True), st)
                for c in range(12, width + 1):
                    put(ws, row, c, None)
                put(ws, row, 17, ", ".join(cell.units) or None, wrap=True)
                row += 1
    ws.freeze_panes = "C5"


def sheet_matrix(ws: Worksheet, data: RoundData) -> None:
    """Units × indicators: each unit's own number; 'lỗi' when its figure was blocked, 'thiếu' when absent."""
    codes = list(data.results)
    title(ws, "SỐ LIỆU TỪNG ĐƠN VỊ THEO CHỈ TIÊU", _subtitle(data, "giá trị phần của từng đơn vị (phân tổ Tổng)"),
          len(codes) + 2)
    ws.cell(3, 1, "Ô trống: chỉ tiêu không giao cho đơn vị · “thiếu”: được giao nhưng không có số liệu · "
                  "“lỗi”: số liệu bị chặn do lỗi · “không dùng”: có số liệu nhưng không cộng được").font = \
        font(italic=True, color="595959")
    header(ws, 4, ["Mã đơn vị", "Đơn vị"] + codes, [11, 34] + [9] * len(codes))
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


ACTIVITY_HEADERS = ["Mã", "Loại hoạt động", "Số lượng", "Số người tham gia", "Nam", "Nữ", "Kinh phí (triệu đồng)",
                    "Số đơn vị"]


def _activity_cells(ws: Worksheet, row: int, col: int, total, bold: bool = False) -> None:
    for i, name in enumerate(("count", "participants", "men", "women", "budget")):
        v = getattr(total, name)
        put(ws, row, col + i, v, "#,##0.0" if name == "budget" else number_format(v), bold=bold)


def sheet_activities(ws: Worksheet, data: RoundData) -> None:
    acts = data.activities
    title(ws, "TỔNG HỢP HOẠT ĐỘNG BÌNH ĐẲNG GIỚI (BIỂU 02)",
          _subtitle(data, "dòng được chấp nhận của tệp hiện hành"), 9)
    ws.cell(3, 1, "Theo loại hoạt động").font = font(True)
    header(ws, 4, ACTIVITY_HEADERS)
    row = 5
    for code, total in acts.by_kind.items():
        put(ws, row, 1, code, bold=True)
        put(ws, row, 2, data.catalogue.activities[code].vi if code in data.catalogue.activities else code, wrap=True)
        _activity_cells(ws, row, 3, total)
        put(ws, row, 8, len(total.units))
        row += 1
    put(ws, row, 1, None)
    put(ws, row, 2, "Cộng", bold=True)
    _activity_cells(ws, row, 3, acts.total, bold=True)
    put(ws, row, 8, len(acts.total.units), bold=True)
    row += 2
    if acts.blocked_rows:
        ws.cell(row, 1, f"{acts.blocked_rows} dòng Biểu 02 của tệp hiện hành có lỗi, không được cộng "
                        f"(xem trang “Vấn đề”).").font = font(italic=True, color="9C0006")
        row += 1
    row += 1
    ws.cell(row, 1, "Theo đơn vị").font = font(True)
    row += 1
    header(ws, row, ["Mã đơn vị", "Đơn vị", "Mã HĐ", "Loại hoạt động", "Số lượng", "Số người tham gia", "Nam", "Nữ",
                     "Kinh phí (triệu đồng)"])
    row += 1
    for unit, kinds in acts.by_unit.items():
        for code, total in kinds.items():
            put(ws, row, 1, unit, bold=True)
            put(ws, row, 2, data.unit_name(unit), wrap=True)
            put(ws, row, 3, code, center=True)
            put(ws, row, 4, data.catalogue.activities[code].vi if code in data.catalogue.activities else code,
                wrap=True)
            _activity_cells(ws, row, 5, total)
            row += 1
    set_widths(ws, [11, 34, 10, 30, 11, 14, 10, 10, 14])
    ws.freeze_panes = "A5"


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
    ws.cell(8, 3, DEFINITION_VI).font = font(italic=True, color="595959")
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
        put(ws, row, 9, SUBMISSION_STATUS_VI.get(sub.status, sub.status) if sub else None, wrap=True)
        put(ws, row, 10, sub.n_errors if sub else None, "0")
        put(ws, row, 11, sub.n_warnings if sub else None, "0")
        if not u.reported:
            paint(done, ("FFC7CE", "9C0006"))
        elif not u.on_time:
            paint(timely, ("FFEB9C", "9C5700"))
        else:
            paint(timely, ("C6EFCE", "006100"))
        if sub and sub.status == REJECTED:
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
    title(ws, "DIỄN BIẾN QUA CÁC KỲ VÀ TRIỂN VỌNG ĐẾN NĂM 2030", _subtitle(data, "các kỳ đã lưu trong cơ sở dữ liệu"),
          len(headers))
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
    ws.cell(row + 1, 1, METHOD_VI).alignment = WRAP
    ws.cell(row + 1, 1).font = font()
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=len(headers))
    ws.row_dimensions[row + 1].height = 95
    ws.freeze_panes = "C5"


def sheet_charts(ws: Worksheet, data: RoundData) -> None:
    """Per goal: a small table of values and targets, and a clustered bar chart drawn from it."""
    title(ws, "BIỂU ĐỒ: KẾT QUẢ SO VỚI CHỈ TIÊU THEO MỤC TIÊU",
          _subtitle(data, "chỉ tiêu có/không không vẽ; mỗi biểu đồ một mục tiêu"), 4)
    set_widths(ws, [9, 12, 12, 14])
    row = 4
    for goal_code, results in data.by_goal().items():
        items = [r for r in results if not r.ind.is_boolean]
        if not items:
            continue
        ws.cell(row, 1, f"Mục tiêu {goal_code}").font = font(True)
        header(ws, row + 1, ["Mã chỉ tiêu", "Kết quả", "Cần đạt", "Đánh giá"])
        first = row + 2
        for i, r in enumerate(items):
            put(ws, first + i, 1, r.ind.code, bold=True)
            put(ws, first + i, 2, r.value, FMT_VALUE)
            put(ws, first + i, 3, r.target[1] if r.target else None, FMT_VALUE)
            paint_status(put(ws, first + i, 4, STATUS_VI[r.status], center=True), r.status)
        last = first + len(items) - 1
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.title = f"Mục tiêu {goal_code}: kết quả và mức cần đạt"
        chart.y_axis.title = "Giá trị"
        chart.x_axis.title = "Chỉ tiêu"
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=row + 1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        for flag in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
            setattr(chart.dataLabels, flag, False)      # LibreOffice shows them all unless told not to
        chart.x_axis.delete = False          # openpyxl 3.1 hides axes unless told otherwise
        chart.y_axis.delete = False
        chart.height, chart.width = 8.5, 17
        chart.legend.position = "b"
        ws.add_chart(chart, f"F{row}")
        row += max(len(items) + 4, 17)


def sheet_method(ws: Worksheet, data: RoundData) -> None:
    title(ws, "PHƯƠNG PHÁP TỔNG HỢP", _subtitle(data, "quy tắc dùng trong báo cáo này"), 2)
    rows = [("Tổng hợp số liệu", MERGE_VI), ("Diễn biến và dự báo", METHOD_VI),
            ("Tình hình nộp", "Mọi đơn vị trong cấu hình đều phải báo cáo mỗi kỳ. Đơn vị đã nộp khi có tệp hiện hành "
                              "(tệp đọc được gửi sau cùng) của kỳ; đúng hạn khi tệp đó đến trước hết ngày hạn nộp "
                              "(giờ Việt Nam). Tỷ lệ = số đơn vị / số đơn vị phải báo cáo."),
            ("Truy vết", "Trang “Truy vết” và tệp truy-vet-<kỳ>.json ghi, cho từng số tổng hợp, lần nộp, tệp, trang "
                         "tính, ô và lý do khi một số liệu không được dùng.")]
    set_widths(ws, [24, 110])
    for i, (label, text) in enumerate(rows, start=4):
        put(ws, i, 1, label, bold=True, wrap=True)
        put(ws, i, 2, text, wrap=True)
        ws.row_dimensions[i].height = max(30, 15 * (len(text) // 120 + 1))


def write_province_xlsx(data: RoundData, path: Path) -> Path:
    """Write the whole workbook; sheets in the order an officer reads them."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, fill in [("Chỉ tiêu", sheet_indicators), ("Theo đơn vị", sheet_matrix), ("Hoạt động", sheet_activities),
                       ("Tình hình nộp", sheet_completeness), ("Vấn đề", sheet_problems), ("Truy vết", sheet_trace),
                       ("Diễn biến", sheet_history), ("Biểu đồ", sheet_charts), ("Phương pháp", sheet_method)]:
        ws = wb.create_sheet(name)
        fill(ws, data)
        fit_rows(ws)
        ws.sheet_view.zoomScale = 90
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.title = f"Báo cáo tổng hợp bình đẳng giới – {data.config.province_name} – {data.period.vi}"
    wb.properties.creator = data.config.consolidator_name
    wb.save(path)
    return path
