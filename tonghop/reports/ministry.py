"""The report to the Ministry of Home Affairs: its .xlsx layout and the SDMX-CSV 2.0 the national step reads."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from tonghop.consolidate.completeness import DEFINITION_VI
from tonghop.reports.multi_unit import multi_unit_note
from tonghop.reports.province_xlsx import COUNT_NOT_ADDED
from tonghop.reports.dossier_text import date_vi
from tonghop.reports.round_data import IndicatorResult, RoundData
from tonghop.reports.xlsx_print import long_note, setup_print, use_report_font
from tonghop.reports.xlsx_style import (BORDER, CENTER, FMT_RATE, GOAL_FILL, WRAP, fit_rows, font, header,
                                        number_format, paint_status, put, set_widths, target_format, value_format)
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


def letterhead(ws: Worksheet, data: RoundData, width: int, split: int, title_text: str) -> int:
    """The administrative heading of Nghị định 30/2020/NĐ-CP: issuing body and Số on the left, national motto and
    place and date on the right, then the title and Kính gửi; returns the first free row."""
    doc = data.config.document_info()
    d = data.generated_at
    left = [(doc.parent_body, False, False), (doc.issuing_body, True, False), ("————", False, False),
            (f"Số: …/{doc.symbol}", False, False)]
    right = [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False), ("Độc lập - Tự do - Hạnh phúc", True, False),
             ("——————————", False, False),
             (f"{doc.place}, {date_vi(d)}", False, True)]
    for i, ((lt, lb, li), (rt, rb, ri)) in enumerate(zip(left, right), start=1):
        for text, bold, italic, first, last in ((lt, lb, li, 1, split), (rt, rb, ri, split + 1, width)):
            cell = ws.cell(i, first, text)
            cell.font = font(bold=bold, italic=italic, size=12)
            cell.alignment = Alignment(horizontal="center", vertical="center")
            ws.merge_cells(start_row=i, start_column=first, end_row=i, end_column=last)
        ws.row_dimensions[i].height = 17
    for r in (3,):
        ws.row_dimensions[r].height = 9           # the rules sit close under the names
    lines = [("BÁO CÁO", True, 13), (title_text, True, 13),
             ("Kính gửi: Bộ Nội vụ", False, 13)]
    row = 6
    for text, bold, size in lines:
        ws.cell(row, 1, text).font = font(bold=bold, size=size)
        ws.cell(row, 1).alignment = CENTER
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        ws.row_dimensions[row].height = 34 if len(text) > 90 else 19
        row += 1
    return row + 1


def signature(ws: Worksheet, row: int, data: RoundData, width: int, split: int) -> int:
    """Nơi nhận on the left, the signer on the right (authority, position, room to sign and seal, name)."""
    doc = data.config.document_info()
    signer = doc.signature
    block = [t for t in (signer.authority, signer.title) if t]
    for i, text in enumerate(block):
        cell = ws.cell(row + i, split + 1, text)
        cell.font = font(bold=True, size=12)
        cell.alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=row + i, start_column=split + 1, end_row=row + i, end_column=width)
    name_row = row + len(block) + 4                     # room for the signature and the seal
    if signer.name:
        cell = ws.cell(name_row, split + 1, signer.name)
        cell.font = font(bold=True, size=12)
        cell.alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=name_row, start_column=split + 1, end_row=name_row, end_column=width)
    ws.cell(row, 1, "Nơi nhận:").font = font(bold=True, italic=True, size=12)
    # this workbook goes to the Ministry: Nơi nhận is the Ministry and the province's People's Committee
    province = data.config.province_name[:1].lower() + data.config.province_name[1:]
    lines = ["- Bộ Nội vụ;", f"- UBND {province};", f"- Lưu: {doc.archive}."]
    for i, text in enumerate(lines, start=1):
        ws.cell(row + i, 1, text).font = font(size=11)
        ws.cell(row + i, 1).alignment = Alignment(horizontal="left")
    return max(name_row, row + len(lines))          # the last row of the block (the name, or room for it)


MINISTRY_TITLE = ("Kết quả thực hiện các chỉ tiêu của Chiến lược quốc gia về bình đẳng giới giai đoạn 2021 – 2030, "
                  "{period} – {province}")
INDICATOR_WIDTHS = [7, 44, 10, 10, 10, 10, 9, 9, 12, 12, 12, 9, 30]
SPLIT = 3            # heading: issuing body over columns A–C, national motto over the rest


def sheet_indicators(ws: Worksheet, data: RoundData) -> None:
    width = len(INDICATOR_WIDTHS)
    set_widths(ws, INDICATOR_WIDTHS)
    top_row = letterhead(ws, data, width, SPLIT, MINISTRY_TITLE.format(period=data.period.vi,
                                                                       province=data.config.province_name))
    numbers = _indicator_header(ws, top_row, width)
    row = numbers + 1
    for i, (goal_code, results) in enumerate(data.by_goal().items()):
        ws.cell(row, 1, ROMAN[i]).font = font(True)
        ws.cell(row, 1).alignment = CENTER
        ws.cell(row, 2, f"Mục tiêu {goal_code}: {data.catalogue.goals[goal_code].vi}").font = font(True)
        ws.cell(row, 2).alignment = WRAP
        for c in range(1, width + 1):
            ws.cell(row, c).fill = GOAL_FILL
            ws.cell(row, c).border = BORDER
        row += 1
        for r in results:
            _put_indicator(ws, row, data, r)
            row += 1
    long_note(ws, row, "Giá trị tổng hợp = tổng Tử số / tổng Mẫu số của các đơn vị báo cáo (không lấy trung bình các "
                       "tỷ lệ); đánh giá so với chỉ tiêu cần đạt năm 2025 (đến hết năm 2025) hoặc năm 2030 (từ năm "
                       "2026). " + multi_unit_note(data), last_col=width, font=font(italic=True, size=10))
    end = signature(ws, row + 2, data, width, 8)
    ws.freeze_panes = ws.cell(numbers + 1, 3)
    ws.print_area = f"A1:{ws.cell(end, width).coordinate}"
    ws.print_title_rows = f"{top_row}:{numbers}"


def _indicator_header(ws: Worksheet, top_row: int, width: int) -> int:
    """The two-row table heading (targets over 2025 | 2030, results over Tổng | Nam | Nữ) and the row of column
    numbers under it; returns that row."""
    top = ["STT", "Mục tiêu, chỉ tiêu", "Đơn vị tính", "Chỉ tiêu cần đạt theo Chiến lược", None,
           "Kết quả thực hiện kỳ báo cáo", None, None, "Tử số", "Mẫu số", "Đánh giá", "Số đơn vị báo cáo", "Ghi chú"]
    sub = [None, None, None, "Năm 2025", "Năm 2030", "Tổng", "Nam", "Nữ", None, None, None, None, None]
    header(ws, top_row, [t or "" for t in top])
    header(ws, top_row + 1, [t or "" for t in sub])
    ws.row_dimensions[top_row].height = 32
    ws.row_dimensions[top_row + 1].height = 18
    for c in (1, 2, 3, 9, 10, 11, 12, 13):
        ws.merge_cells(start_row=top_row, start_column=c, end_row=top_row + 1, end_column=c)
    ws.merge_cells(start_row=top_row, start_column=4, end_row=top_row, end_column=5)
    ws.merge_cells(start_row=top_row, start_column=6, end_row=top_row, end_column=8)
    numbers = top_row + 2
    for c in range(1, width + 1):
        ws.cell(numbers, c, f"({c})").font = font(italic=True, size=9)
        ws.cell(numbers, c).alignment = CENTER
        ws.cell(numbers, c).border = BORDER
    return numbers


def _put_indicator(ws: Worksheet, row: int, data: RoundData, r: IndicatorResult) -> None:
    """One indicator's line: targets, result by sex, numerator and denominator, status, units, remarks."""
    ind, cells = r.ind, r.merged.cells
    fmt = value_format(ind)
    put(ws, row, 1, ind.code, center=True)
    put(ws, row, 2, ind.vi, wrap=True)
    put(ws, row, 3, ind.unit.vi, center=True)
    for c, year in ((4, 2025), (5, 2030)):
        put(ws, row, c, ind.targets.get(year), target_format(ind, year) if year in ind.targets else None,
            center=True)
    put(ws, row, 6, cells[TOTAL].value, fmt, bold=True)
    put(ws, row, 7, cells[MALE].value if MALE in cells else None, fmt)
    put(ws, row, 8, cells[FEMALE].value if FEMALE in cells else None, fmt)
    put(ws, row, 9, r.total.numerator, number_format(r.total.numerator))
    put(ws, row, 10, r.total.denominator, number_format(r.total.denominator))
    paint_status(put(ws, row, 11, STATUS_VI[r.status], center=True), r.status)
    put(ws, row, 12, len(r.total.units), "0", center=True)
    notes = list(r.notes)
    if r.merged.units_missing:
        notes.insert(0, "Chưa có số liệu của: " + ", ".join(data.unit_name(u) for u in r.merged.units_missing))
    put(ws, row, 13, "\n".join(notes) or None, wrap=True)


def sheet_activities(ws: Worksheet, data: RoundData) -> None:
    ws.cell(1, 1, f"BIỂU 02. TỔNG HỢP HOẠT ĐỘNG BÌNH ĐẲNG GIỚI – {data.config.province_name} – {data.period.vi}") \
        .font = font(True, 13)
    header(ws, 3, ["STT", "Loại hoạt động", "Đơn vị tính", "Số lượng", "Số lượt người tham gia", "Nam", "Nữ",
                   "Kinh phí (triệu đồng)", "Số đơn vị"], [6, 40, 10, 10, 14, 10, 10, 14, 9])
    row = 4
    for i, (code, t) in enumerate(data.activities.by_kind.items(), start=1):
        act = data.catalogue.activities.get(code)
        put(ws, row, 1, i, center=True)
        put(ws, row, 2, act.vi if act else code, wrap=True)
        put(ws, row, 3, act.unit if act and act.unit else None, center=True)
        for c, v in enumerate((t.count, t.participants, t.men, t.women), start=4):
            put(ws, row, c, v, number_format(v))
        put(ws, row, 8, t.budget, "#,##0.0")
        put(ws, row, 9, len(t.units), "0", center=True)
        row += 1
    t = data.activities.total
    put(ws, row, 1, None)
    put(ws, row, 2, "Cộng", bold=True)
    put(ws, row, 3, None)
    put(ws, row, 4, None)                 # cuộc + lớp + vụ việc is no number: counts are not added across kinds
    for c, v in enumerate((t.participants, t.men, t.women), start=5):
        put(ws, row, c, v, number_format(v), bold=True)
    put(ws, row, 8, t.budget, "#,##0.0", bold=True)
    put(ws, row, 9, len(t.units), "0", bold=True, center=True)
    long_note(ws, row + 1, COUNT_NOT_ADDED, last_col=9, font=font(italic=True, size=10, color="595959"))
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
    long_note(ws, 11, DEFINITION_VI, last_col=3, font=font(italic=True, size=10, color="595959"))
    ws.freeze_panes = "A5"


# sheet → (writer, orientation, header rows repeated on every printed page)
SHEETS = [("Biểu tổng hợp chỉ tiêu", sheet_indicators, "landscape", None),
          ("Biểu 02 - Hoạt động", sheet_activities, "landscape", "3:3"),
          ("Tình hình báo cáo", sheet_reporting, "portrait", None)]


def write_ministry_xlsx(data: RoundData, path: Path) -> Path:
    wb = Workbook()
    use_report_font(wb)
    wb.remove(wb.active)
    for name, fill, orientation, rows in SHEETS:
        ws = wb.create_sheet(name)
        fill(ws, data)
        fit_rows(ws)
        setup_print(ws, title_rows=rows, title_cols="A:B", orientation=orientation)
    wb.properties.title = f"Báo cáo Bộ Nội vụ – bình đẳng giới – {data.config.province_name} – {data.period.vi}"
    wb.properties.creator = data.config.consolidator_name
    wb.save(path)
    return path
