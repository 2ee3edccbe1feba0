"""The "Hướng dẫn" sheet of a unit's form: what to fill, the assigned indicators, code lists, deadline."""
from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from schemas.catalogue import Catalogue, Indicator
from schemas.labels import SHEET_ACTIVITIES, SHEET_INDICATORS, SHEET_GUIDE
from tonghop.config import Period, ProvinceConfig, Unit
from tonghop.numbers import format_vi

# Every font of the form names its typeface: an unnamed one (bold, a size) makes LibreOffice fall back to a serif
# face beside the default Calibri cells, so labels and values looked mixed. Calibri is the workbook's default.
FORM_FONT = "Calibri"

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_WIDTHS = {"A": 16, "B": 48, "C": 34, "D": 34, "E": 13, "F": 16, "G": 16, "H": 26}
_TABLE_HEADERS = ("Mã", "Tên chỉ tiêu", "Tử số", "Mẫu số", "Đơn vị tính",
                  "Chỉ tiêu cần đạt năm 2025", "Chỉ tiêu cần đạt năm 2030", "Cách ghi")


@dataclass(frozen=True)
class GuideRanges:
    """Where the code lists sit on the guide sheet, for drop-downs too long to inline."""

    areas: str        # e.g. 'Hướng dẫn'!$A$40:$A$44
    activities: str
    indicators: str   # the unit's assigned codes (empty range text when none)


def fit_height(ws: Worksheet, row: int, widths: dict[str, float], *, line: float = 15,
               minimum: float | None = None) -> None:
    """Set a row's height from its longest wrapped text: neither Excel nor LibreOffice grows it on open."""
    lines = 1
    for letter, width in widths.items():
        value = ws[f"{letter}{row}"].value
        if isinstance(value, str) and not value.startswith("="):
            # about one character per width unit, conservative for fonts substituted on other machines
            lines = max(lines, -(-len(value) // max(1, int(width))))
    if lines > 1 or minimum:
        ws.row_dimensions[row].height = max(line * lines, minimum or 0)


def target_text(ind: Indicator, year: int) -> str:
    """'tối thiểu 60 %', 'dưới 30 %', 'Có' — the target as a person reads it, or '—'."""
    if year not in ind.targets:
        return "—"
    value = ind.targets[year]
    if ind.is_boolean:
        return "Có (1)" if value else "Không (0)"
    amount = format_vi(value) + ("%" if ind.unit.code == "percent" else f" {ind.unit.vi}")
    if ind.unit.code == "percent" and value == 100:
        return amount   # "at least 100 %" reads oddly; 100 % is the whole target
    if year in ind.strict_years:
        return ("trên " if ind.direction == "up" else "dưới ") + amount
    return ("tối thiểu " if ind.direction == "up" else "tối đa ") + amount


def _how_to(ind: Indicator) -> str:
    if ind.is_boolean:
        return "Nhập 1 vào cột Giá trị nếu đã có, 0 nếu chưa; không cần Tử số, Mẫu số."
    text = f"Giá trị = Tử số / Mẫu số × {format_vi(ind.unit.factor or 1)}"
    if ind.by_sex:
        text += "; báo cáo 3 dòng Tổng, Nam, Nữ (Tổng = Nam + Nữ)"
    return text + "."


def _put(ws: Worksheet, row: int, values: list[object], *, bold: bool = False, box: bool = False,
         fill: PatternFill | None = None) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.alignment = _WRAP
        if bold:
            cell.font = Font(name=FORM_FONT, bold=True)
        if box:
            cell.border = _BOX
        if fill is not None:
            cell.fill = fill


def _section(ws: Worksheet, row: int, title: str) -> int:
    ws.cell(row=row, column=1, value=title).font = Font(name=FORM_FONT, bold=True, size=12, color="1F4E79")
    return row + 1


def write_guide(ws: Worksheet, *, config: ProvinceConfig, period: Period, unit: Unit,
                catalogue: Catalogue) -> GuideRanges:
    """Fill the guide sheet for one unit and period; return where the code lists are."""
    ws.title = SHEET_GUIDE
    for letter, width in _WIDTHS.items():
        ws.column_dimensions[letter].width = width
    ws.merge_cells("A1:H1")
    ws["A1"] = "HƯỚNG DẪN ĐIỀN BIỂU MẪU BÁO CÁO CÔNG TÁC BÌNH ĐẲNG GIỚI"
    ws["A1"].font = Font(name=FORM_FONT, bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    deadline = config.deadline(period).strftime("%d/%m/%Y")
    row = _write_facts(ws, config=config, period=period, unit=unit, deadline=deadline)
    row = _write_steps(ws, row, config=config, deadline=deadline)
    row, indicators = _write_assigned(ws, row, unit=unit, catalogue=catalogue)
    row = _section(ws, row + 1, f"MÃ HOẠT ĐỘNG ({SHEET_ACTIVITIES})")
    row, activities = _write_codes(ws, row, "Loại hoạt động", [(a.code, a.vi) for a in catalogue.activities.values()])
    row = _section(ws, row + 2, "MÃ ĐỊA BÀN")
    row, areas = _write_codes(ws, row, "Tên địa bàn", [(a.code, a.name) for a in config.areas.values()],
                              text_codes=True)
    ws.protection.sheet = True   # read-only by default, no password: it is guidance, not a lock
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return GuideRanges(areas=areas, activities=activities, indicators=indicators)


def _write_facts(ws: Worksheet, *, config: ProvinceConfig, period: Period, unit: Unit, deadline: str) -> int:
    """Who reports, for which period, by when and to whom (and the unit's note), from row 3; returns the next row."""
    facts = [
        ("Đơn vị báo cáo", f"{unit.name} (mã {unit.code})"),
        ("Kỳ báo cáo", period.vi),
        ("Hạn gửi báo cáo", deadline),
        ("Nơi nhận", f"{config.consolidator_name} — email {config.consolidator_email}"),
    ]
    row = 3
    for label, value in facts:
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=8)
        ws.cell(row=row, column=1, value=label).font = Font(name=FORM_FONT, bold=True)
        ws.cell(row=row, column=2, value=value).font = Font(name=FORM_FONT, bold=label == "Hạn gửi báo cáo")
        row += 1
    if unit.note:
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=8)
        ws.cell(row=row, column=1, value="Lưu ý").font = Font(name=FORM_FONT, bold=True)
        ws.cell(row=row, column=2, value=unit.note)
        row += 1
    return row


def _write_steps(ws: Worksheet, row: int, *, config: ProvinceConfig, deadline: str) -> int:
    """The numbered "CÁCH ĐIỀN" steps after a blank row; returns the row after them."""
    steps = [
        f"Điền họ tên người lập biểu và email liên hệ vào các ô ở dòng 4, 5 của trang {SHEET_INDICATORS} "
        f"và {SHEET_ACTIVITIES}. Kết quả kiểm tra được gửi về email đã đăng ký của đơn vị.",
        f"{SHEET_INDICATORS}: mỗi dòng là một chỉ tiêu, một địa bàn, một phân tổ (Tổng, Nam, Nữ). "
        "Nhập Tử số và Mẫu số, cột Giá trị tự tính (ở dòng tự thêm có thể để trống Giá trị: hệ thống tính từ "
        "Tử số và Mẫu số); nếu chỉ có Giá trị thì nhập thẳng vào cột Giá trị.",
        "Chỉ nhập số, không kèm chữ hay đơn vị tính (ví dụ 1234 hoặc 45,5). Không ghi 'khoảng', 'trên'...",
        f"Số liệu của cả tỉnh dùng mã địa bàn {config.province_code}; số liệu của xã, phường: "
        "thêm dòng ở các dòng trống bên dưới và chọn mã địa bàn của xã, phường.",
        f"{SHEET_ACTIVITIES}: mỗi dòng là một loại hoạt động; Số người tham gia = Nam + Nữ; "
        "Kinh phí tính bằng triệu đồng.",
        "Không đổi tên trang tính, không xóa hoặc chèn cột, giữ nguyên dòng tiêu đề bảng (dòng 8).",
        f"Gửi tệp Excel (.xlsx) về {config.consolidator_name} qua email {config.consolidator_email} "
        f"chậm nhất ngày {deadline} (hết ngày). Nếu có lỗi, đơn vị sửa trên chính tệp này và gửi lại.",
    ]
    row = _section(ws, row + 1, "CÁCH ĐIỀN")
    for n, step in enumerate(steps, start=1):
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=8)
        ws.cell(row=row, column=1, value=f"{n}.").alignment = Alignment(horizontal="right", vertical="top")
        ws.cell(row=row, column=2, value=step).alignment = _WRAP
        fit_height(ws, row, {"B": sum(_WIDTHS.values()) - _WIDTHS["A"]})
        row += 1
    return row


def _write_assigned(ws: Worksheet, row: int, *, unit: Unit, catalogue: Catalogue) -> tuple[int, str]:
    """The unit's indicators with their targets and how to enter them, after a blank row; returns the row after
    them and the range of their codes ("" when the unit has none)."""
    row = _section(ws, row + 1, f"CHỈ TIÊU ĐƯỢC GIAO ({SHEET_INDICATORS})")
    if not unit.indicators:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
        ws.cell(row=row, column=1, value=f"Đơn vị không được giao chỉ tiêu Chiến lược: để trống {SHEET_INDICATORS}, "
                                         f"chỉ điền {SHEET_ACTIVITIES}.")
        return row + 1, ""
    _put(ws, row, list(_TABLE_HEADERS), bold=True, box=True, fill=_HEAD_FILL)
    row += 1
    indicators = f"'{SHEET_GUIDE}'!$A${row}:$A${row + len(unit.indicators) - 1}"
    for code in unit.indicators:
        ind = catalogue.indicators[code]
        _put(ws, row, [ind.code, ind.label, ind.numerator or "—", ind.denominator or "—", ind.unit.vi,
                       target_text(ind, 2025), target_text(ind, 2030), _how_to(ind)], box=True)
        fit_height(ws, row, _WIDTHS)
        row += 1
    return row, indicators


def _write_codes(ws: Worksheet, row: int, heading: str, codes: list[tuple[str, str]],
                 text_codes: bool = False) -> tuple[int, str]:
    """A Mã | `heading` list from `row` (area codes stored as text); returns its last row and the range of its
    codes, which the form's drop-down lists point to."""
    _put(ws, row, ["Mã", heading], bold=True, box=True, fill=_HEAD_FILL)
    first = row + 1
    for code, name in codes:
        row += 1
        _put(ws, row, [code, name], box=True)
        if text_codes:
            ws.cell(row=row, column=1).number_format = "@"
    return row, f"'{SHEET_GUIDE}'!$A${first}:$A${row}"
