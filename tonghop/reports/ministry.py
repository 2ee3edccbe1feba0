"""The report to the Ministry of Home Affairs: its .xlsx layout and the SDMX-CSV 2.0 the national step reads."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from tonghop.consolidate.completeness import DEFINITION_VI
from tonghop.reports.round_data import RoundData
from tonghop.reports.xlsx_style import (BORDER, CENTER, FMT_RATE, GOAL_FILL, fit_rows, font, header, number_format,
                                        paint_status, put, set_widths, target_format, value_format)
from tonghop.consolidate.merge import FEMALE, MALE, TOTAL
from tonghop.reports.sdmx import (ACTION, SEX_CODES, STRUCTURE, STRUCTURE_ID, obs_status, sdmx_number, sdmx_period,
                          write_sdmx)
from tonghop.consolidate.targets import plausible
from tonghop.statuses import TARGET_STATUS_VI as STATUS_VI

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def sdmx_rows(data: RoundData) -> list[dict[str, str]]:
    """One observation per indicator and sex, in catalogue order (Tổng, Nam, Nữ)."""
    rows = []
    for code, r in data.results.items():
        for sex, cell in r.merged.cells.items():
            rows.append({
                "STRUCTURE": STRUCTURE, "STRUCTURE_ID": STRUCTURE_ID, "ACTION": ACTION,
                "REF_AREA": data.config.province_code, "TIME_PERIOD": sdmx_period(data.period.code),
                "INDICATOR": code, "SEX": SEX_CODES.get(sex, sex), "OBS_VALUE": sdmx_number(cell.value),
                "UNIT_MEASURE": r.ind.unit.code, "OBS_STATUS": obs_status(cell.value, plausible(r.ind, cell.value)),
                "NUMERATOR": sdmx_number(cell.numerator), "DENOMINATOR": sdmx_number(cell.denominator),
                "UNIT_COUNT": str(len(cell.units)),
            })
    return rows


def write_sdmx_csv(data: RoundData, path: Path) -> Path:
    return write_sdmx(sdmx_rows(data), path)


def _letterhead(ws: Worksheet, data: RoundData, width: int) -> None:
    """The administrative heading: issuing body on the left, national motto on the right."""
    left = [f"UBND {data.config.province_name.upper()}", data.config.consolidator_name.upper()]
    right = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    split = 4
    for i in range(2):
        ws.cell(i + 1, 1, left[i]).font = font(bold=i == 1)
        ws.merge_cells(start_row=i + 1, start_column=1, end_row=i + 1, end_column=split)
        ws.cell(i + 1, split + 1, right[i]).font = font(bold=True)
        ws.merge_cells(start_row=i + 1, start_column=split + 1, end_row=i + 1, end_column=width)
        for c in (1, split + 1):
            ws.cell(i + 1, c).alignment = Alignment(horizontal="center")
    lines = [("BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA CHIẾN LƯỢC QUỐC GIA VỀ BÌNH ĐẲNG GIỚI "
              "GIAI ĐOẠN 2021 – 2030", True, 13),
             (f"Kỳ báo cáo: {data.period.vi} – {data.config.province_name}", False, 12),
             ("Kính gửi: Bộ Nội vụ", False, 12)]
    for i, (text, bold, size) in enumerate(lines, start=4):
        ws.cell(i, 1, text).font = font(bold=bold, size=size)
        ws.cell(i, 1).alignment = CENTER
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
    ws.row_dimensions[4].height = 34


def _signature(ws: Worksheet, row: int, data: RoundData, width: int) -> None:
    d = data.generated_at
    ws.cell(row, width - 3, f"{data.config.province_short}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}") \
        .font = font(italic=True)
    ws.cell(row + 1, width - 3, "GIÁM ĐỐC").font = font(bold=True)
    ws.cell(row + 1, 1, "Nơi nhận:").font = font(bold=True, italic=True)
    province = data.config.province_name[:1].lower() + data.config.province_name[1:]     # "UBND tỉnh Sơn La"
    for i, text in enumerate(["- Bộ Nội vụ;", f"- UBND {province};", "- Lưu: VT."], start=2):
        ws.cell(row + i, 1, text).font = font(size=10)
    for r in (row, row + 1):
        ws.merge_cells(start_row=r, start_column=width - 3, end_row=r, end_column=width)
        ws.cell(r, width - 3).alignment = Alignment(horizontal="center")


def sheet_indicators(ws: Worksheet, data: RoundData) -> None:
    width = 13
    _letterhead(ws, data, width)
    top = ["STT", "Mục tiêu, chỉ tiêu", "Đơn vị tính", "Chỉ tiêu theo Chiến lược", None,
           "Kết quả thực hiện kỳ báo cáo", None, None, "Tử số", "Mẫu số", "Đánh giá", "Số đơn vị báo cáo", "Ghi chú"]
    sub = [None, None, None, "Năm 2025", "Năm 2030", "Tổng", "Nam", "Nữ", None, None, None, None, None]
    header(ws, 8, [t or "" for t in top])
    header(ws, 9, [t or "" for t in sub])
    for c in (1, 2, 3, 9, 10, 11, 12, 13):
        ws.merge_cells(start_row=8, start_column=c, end_row=9, end_column=c)
    ws.merge_cells(start_row=8, start_column=4, end_row=8, end_column=5)
    ws.merge_cells(start_row=8, start_column=6, end_row=8, end_column=8)
    for c in range(1, width + 1):
        ws.cell(10, c, f"({c})").font = font(italic=True, size=9)
        ws.cell(10, c).alignment = CENTER
        ws.cell(10, c).border = BORDER
    set_widths(ws, [7, 56, 12, 10, 10, 11, 10, 10, 13, 13, 14, 10, 34])
    row = 11
    for i, (goal_code, results) in enumerate(data.by_goal().items()):
        ws.cell(row, 1, ROMAN[i]).font = font(True)
        ws.cell(row, 2, f"Mục tiêu {goal_code}: {data.catalogue.goals[goal_code].vi}").font = font(True)
        for c in range(1, width + 1):
            ws.cell(row, c).fill = GOAL_FILL
            ws.cell(row, c).border = BORDER
        row += 1
        for r in results:
            ind, cells = r.ind, r.merged.cells
            fmt = value_format(ind)
            put(ws, row, 1, ind.code, center=True)
            put(ws, row, 2, ind.vi + ("" if ind.confirmed else " (chưa đối chiếu)"), wrap=True)
            put(ws, row, 3, ind.unit.vi, center=True)
            for c, year in ((4, 2025), (5, 2030)):
                put(ws, row, c, ind.targets.get(year), target_format(ind, year) if year in ind.targets else None)
            put(ws, row, 6, cells[TOTAL].value, fmt, bold=True)
            put(ws, row, 7, cells[MALE].value if MALE in cells else None, fmt)
            put(ws, row, 8, cells[FEMALE].value if FEMALE in cells else None, fmt)
            put(ws, row, 9, r.total.numerator, number_format(r.total.numerator))
            put(ws, row, 10, r.total.denominator, number_format(r.total.denominator))
            paint_status(put(ws, row, 11, STATUS_VI[r.status], center=True), r.status)
            put(ws, row, 12, len(r.total.units), "0")
            notes = list(r.notes)
            if r.merged.units_missing:
                notes.insert(0, "Chưa có số liệu của: " + ", ".join(data.unit_name(u) for u in r.merged.units_missing))
            put(ws, row, 13, "\n".join(notes) or None, wrap=True)
            row += 1
    ws.cell(row, 1, "Giá trị tổng hợp = tổng Tử số / tổng Mẫu số của các đơn vị báo cáo (không lấy trung bình các "
                    "tỷ lệ); đánh giá so với chỉ tiêu năm 2025 (đến hết năm 2025) hoặc năm 2030 (từ năm 2026).") \
        .font = font(italic=True, size=10)
    _signature(ws, row + 2, data, width)
    ws.freeze_panes = "C11"


def sheet_activities(ws: Worksheet, data: RoundData) -> None:
    ws.cell(1, 1, f"BIỂU 02. TỔNG HỢP HOẠT ĐỘNG BÌNH ĐẲNG GIỚI – {data.config.province_name} – {data.period.vi}") \
        .font = font(True, 13)
    header(ws, 3, ["STT", "Loại hoạt động", "Số lượng", "Số người tham gia", "Nam", "Nữ", "Kinh phí (triệu đồng)",
                   "Số đơn vị"], [6, 44, 11, 15, 11, 11, 15, 10])
    row = 4
    for i, (code, t) in enumerate(data.activities.by_kind.items(), start=1):
        put(ws, row, 1, i, center=True)
        put(ws, row, 2, data.catalogue.activities[code].vi if code in data.catalogue.activities else code, wrap=True)
        for c, v in enumerate((t.count, t.participants, t.men, t.women), start=3):
            put(ws, row, c, v, number_format(v))
        put(ws, row, 7, t.budget, "#,##0.0")
        put(ws, row, 8, len(t.units), "0")
        row += 1
    t = data.activities.total
    put(ws, row, 1, None)
    put(ws, row, 2, "Cộng", bold=True)
    for c, v in enumerate((t.count, t.participants, t.men, t.women), start=3):
        put(ws, row, c, v, number_format(v), bold=True)
    put(ws, row, 7, t.budget, "#,##0.0", bold=True)
    put(ws, row, 8, len(t.units), "0", bold=True)
    ws.freeze_panes = "A4"


def sheet_reporting(ws: Worksheet, data: RoundData) -> None:
    comp = data.completeness
    ws.cell(1, 1, f"TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ – {data.period.vi}").font = font(True, 13)
    ws.cell(2, 1, f"Hạn nộp: hết ngày {comp.deadline.strftime('%d/%m/%Y')}").font = font(italic=True)
    header(ws, 4, ["Chỉ số", "Số đơn vị", "Tỷ lệ"], [44, 12, 12])
    for i, (label, n) in enumerate([("Phải báo cáo", comp.expected), ("Đã báo cáo", comp.actual),
                                    ("Báo cáo đúng hạn", comp.on_time)], start=5):
        put(ws, i, 1, label)
        put(ws, i, 2, n, "0")
        put(ws, i, 3, comp.rate(n), FMT_RATE)
    put(ws, 9, 1, "Đơn vị chưa báo cáo: " + (", ".join(data.unit_name(u) for u in comp.missing) or "không"), wrap=True)
    put(ws, 10, 1, "Đơn vị báo cáo trễ hạn: " + (", ".join(data.unit_name(u) for u in comp.late) or "không"),
        wrap=True)
    ws.cell(11, 1, DEFINITION_VI).font = font(italic=True, color="595959")
    ws.freeze_panes = "A5"


def write_ministry_xlsx(data: RoundData, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, fill in [("Biểu tổng hợp chỉ tiêu", sheet_indicators), ("Biểu 02 - Hoạt động", sheet_activities),
                       ("Tình hình báo cáo", sheet_reporting)]:
        ws = wb.create_sheet(name)
        fill(ws, data)
        fit_rows(ws)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
    wb.properties.title = f"Báo cáo Bộ Nội vụ – bình đẳng giới – {data.config.province_name} – {data.period.vi}"
    wb.properties.creator = data.config.consolidator_name
    wb.save(path)
    return path
