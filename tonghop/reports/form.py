"""Write the province's reporting form (Biểu 01, Biểu 02, Hướng dẫn) as .xlsx: blank templates or filled copies."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from schemas.catalogue import Catalogue, load_catalogue
from schemas.labels import (ACTIVITY_COLUMNS, FIRST_DATA_ROW, HEADER_FIELDS, INDICATOR_COLUMNS, SEX_CHOICES,
                            SHEET_ACTIVITIES, SHEET_INDICATORS, TABLE_HEADER_ROW, TITLE_ACTIVITIES,
                            TITLE_INDICATORS, TITLE_ROW)
from tonghop.config import Period, ProvinceConfig, Unit
from tonghop.entry_hints import entry_hint
from tonghop.reports.guide import FORM_FONT, GuideRanges, fit_height, write_guide

Row = dict[str, Any] | None   # None = a blank line inside the table, as people leave them

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_GREY = PatternFill("solid", fgColor="EDEDED")
_UNLOCKED = Protection(locked=False)
_LOCKED = Protection(locked=True)
_INDICATOR_WIDTHS = {"A": 6, "B": 8, "C": 34, "D": 9, "E": 16, "F": 8, "G": 12, "H": 12, "I": 10, "J": 18,
                     "K": 10, "L": 34}
# Biểu 01 after its ten read columns: the unit and how to enter the figure (the reader ignores unknown headers)
_HINT_COLUMNS = {"K": "Đơn vị tính", "L": "Cách nhập"}
_IND_LAST = "L"
_ACTIVITY_WIDTHS = {"A": 6, "B": 10, "C": 52, "D": 10, "E": 12, "F": 10, "G": 10, "H": 13, "I": 26}
TEMPLATE_ACTIVITY_ROWS = 8     # empty Biểu 02 lines in a template
TEMPLATE_SPARE_ROWS = 5        # empty Biểu 01 lines below the pre-filled ones (commune rows, extras)
_NUMBER_PROMPT = "Chỉ nhập số, không kèm chữ hay đơn vị tính. Ví dụ: 1234 hoặc 45,5."


def _col(columns: dict[str, tuple[str, str]], field: str) -> str:
    return columns[field][0]


def _style_cell(cell: Any, *, bold: bool = False, box: bool = True, wrap: bool = True,
                center: bool = False, fill: PatternFill | None = None) -> None:
    cell.font = Font(name=FORM_FONT, bold=bold)
    if box:
        cell.border = _BOX
    cell.alignment = Alignment(wrap_text=wrap, vertical="center", horizontal="center" if center else None)
    if fill is not None:
        cell.fill = fill


def _header_block(ws: Worksheet, unit: Unit, period_text: str, reporter: str | None, email: str | None,
                  last_col: str) -> None:
    """Rows 1-5: label in A (merged A:B so it fits), value in C; title in row 6."""
    values = {"unit_name": unit.name, "unit_code": unit.code, "period": period_text,
              "reporter": reporter, "email": email}
    for row, (field, label) in enumerate(HEADER_FIELDS.items(), start=1):
        ws.merge_cells(f"A{row}:B{row}")
        ws[f"A{row}"] = label
        ws[f"A{row}"].font = Font(name=FORM_FONT, bold=True)
        cell = ws[f"C{row}"]
        cell.value = values[field]
        cell.number_format = "@"    # a unit code like 14001 must stay text
        # the province fills who and when; the person fills reporter and e-mail
        cell.protection = _UNLOCKED if field in ("reporter", "email") else _LOCKED
        cell.border = Border(bottom=Side(style="dotted", color="808080"))
        if field in ("reporter", "email"):
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    title = ws[f"A{TITLE_ROW}"]
    title.value = TITLE_INDICATORS if last_col == _IND_LAST else TITLE_ACTIVITIES
    title.font = Font(name=FORM_FONT, bold=True, size=13)
    title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[TITLE_ROW].height = 22


def _footer(ws: Worksheet, row: int, last_col: str, place_date: str | None,
            signers: Sequence[str] | None) -> None:
    """An empty row, optional date line, then 'Người lập biểu' / 'Thủ trưởng đơn vị' as on paper forms."""
    row += 1
    right = f"G{{r}}:{last_col}{{r}}" if last_col == _IND_LAST else f"F{{r}}:{last_col}{{r}}"
    right_col = "G" if last_col == _IND_LAST else "F"
    if place_date:
        ws.merge_cells(right.format(r=row))
        ws[f"{right_col}{row}"] = place_date
        ws[f"{right_col}{row}"].font = Font(name=FORM_FONT, italic=True)
        ws[f"{right_col}{row}"].alignment = Alignment(horizontal="center")
        row += 1
    for text, sub, col in (("Người lập biểu", "(Ký, ghi rõ họ tên)", "C"),
                           ("Thủ trưởng đơn vị", "(Ký tên, đóng dấu)", right_col)):
        if col == right_col:
            ws.merge_cells(right.format(r=row))
            ws.merge_cells(right.format(r=row + 1))
        ws[f"{col}{row}"] = text
        ws[f"{col}{row}"].font = Font(name=FORM_FONT, bold=True)
        ws[f"{col}{row}"].alignment = Alignment(horizontal="center")
        ws[f"{col}{row + 1}"] = sub
        ws[f"{col}{row + 1}"].font = Font(name=FORM_FONT, italic=True)
        ws[f"{col}{row + 1}"].alignment = Alignment(horizontal="center")
    if signers:
        for name, col in zip(signers, ("C", right_col)):
            if col == right_col:
                ws.merge_cells(right.format(r=row + 5))
            ws[f"{col}{row + 5}"] = name
            ws[f"{col}{row + 5}"].font = Font(name=FORM_FONT, bold=True)
            ws[f"{col}{row + 5}"].alignment = Alignment(horizontal="center")


def _page(ws: Worksheet, widths: dict[str, int], header_rows: int) -> None:
    """Column widths, frozen header, and print settings: A4 landscape, one page wide, header repeated."""
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{header_rows + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_rows}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "Trang &P/&N"
    # protected without password: it prevents slips, not determined edits; rows may still be added
    ws.protection.sheet = True
    ws.protection.insertRows = False
    ws.protection.deleteRows = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _validation(kind: str, *, formula1: str, formula2: str | None = None, operator: str | None = None,
                title: str, prompt: str, error: str) -> DataValidation:
    """A validation with an input message and a stop alert, both in Vietnamese; blanks allowed."""
    return DataValidation(type=kind, formula1=formula1, formula2=formula2, operator=operator, allow_blank=True,
                          showErrorMessage=True, showInputMessage=True, errorStyle="stop",
                          promptTitle=title, prompt=prompt, errorTitle="Dữ liệu không hợp lệ", error=error)


def _list_formula(items: Iterable[str], fallback_range: str) -> str:
    """An inline list when Excel's 255-character limit allows, else a range on the guide sheet."""
    inline = ",".join(items)
    return f'"{inline}"' if len(inline) <= 250 else fallback_range


def _write_indicators(ws: Worksheet, rows: list[Row], *, config: ProvinceConfig, unit: Unit,
                      catalogue: Catalogue, template: bool, guide: GuideRanges) -> int:
    """Biểu 01 table from row 8; returns the last table row."""
    for letter, header in [*INDICATOR_COLUMNS.values(), *_HINT_COLUMNS.items()]:
        _style_cell(ws[f"{letter}{TABLE_HEADER_ROW}"], bold=True, center=True, fill=_HEAD_FILL)
        ws[f"{letter}{TABLE_HEADER_ROW}"] = header
    ws.row_dimensions[TABLE_HEADER_ROW].height = 30
    # the cells each validation covers: figures, the value of an ordinary indicator, the value of a yes/no one
    numeric_cells: list[str] = []
    value_cells: list[str] = []
    boolean_cells: list[str] = []
    r = FIRST_DATA_ROW - 1
    stt = 0
    for row in rows:
        r += 1
        for letter in "ABCDEFGHIJKL":
            _style_cell(ws[f"{letter}{r}"], center=letter in "ABDFK")
            ws[f"{letter}{r}"].protection = _UNLOCKED
        for letter in "BD":
            ws[f"{letter}{r}"].number_format = "@"   # codes: keep 4.1 and 14001 as text
        if row is None:
            numeric_cells.append(f"G{r}:I{r}")
            ws.row_dimensions[r].height = 20   # room to write by hand on a printed copy
            continue
        stt += 1
        boolean = _fill_indicator_line(ws, r, row, stt, config=config, catalogue=catalogue, template=template)
        (boolean_cells if boolean else value_cells).append(f"I{r}")
        if not boolean:
            numeric_cells.append(f"G{r}:H{r}")
        fit_height(ws, r, _INDICATOR_WIDTHS, minimum=20)
    if r >= FIRST_DATA_ROW:
        _validate_indicators(ws, r, config=config, unit=unit, guide=guide, numeric_cells=numeric_cells,
                             value_cells=value_cells, boolean_cells=boolean_cells)
    return r


def _lock(ws: Worksheet, r: int, letters: str) -> None:
    """Cells of line r the person does not fill: locked and greyed."""
    for letter in letters:
        ws[f"{letter}{r}"].protection = _LOCKED
        ws[f"{letter}{r}"].fill = _GREY


def _fill_indicator_line(ws: Worksheet, r: int, row: dict[str, Any], stt: int, *, config: ProvinceConfig,
                         catalogue: Catalogue, template: bool) -> bool:
    """Line r of Biểu 01 written from `row`; True when its indicator is a yes/no one."""
    code = row.get("indicator")
    ind = catalogue.indicators.get(str(code)) if code is not None else None
    area = row.get("area")
    values = {
        "stt": stt,
        "indicator": code,
        "indicator_name": row.get("indicator_name", ind.vi if ind else None),
        "area": area,
        "area_name": row.get("area_name", config.areas[area].name if area in config.areas else None),
        "sex": row.get("sex"),
        "numerator": row.get("numerator"),
        "denominator": row.get("denominator"),
        "value": row.get("value"),
        "note": row.get("note"),
    }
    for field, value in values.items():
        ws[f"{_col(INDICATOR_COLUMNS, field)}{r}"] = value
    if ind is not None:      # the unit and the way to enter it, beside the figures (4.1: about 112, not 1,12)
        ws[f"K{r}"], ws[f"L{r}"] = ind.unit.vi, entry_hint(ind)
        _lock(ws, r, "KL")
    boolean = ind is not None and ind.is_boolean
    if template and ind is not None:
        _lock(ws, r, "ABCF")   # which indicator, which sex: pre-filled by the province
        factor = ind.unit.factor
        if boolean:
            _lock(ws, r, "GH")   # a yes/no indicator has no numerator or denominator
        elif factor is not None and values["value"] is None:
            mult = f"*{factor:g}" if factor != 1 else ""
            ws[f"I{r}"] = f'=IF(AND(ISNUMBER(G{r}),ISNUMBER(H{r}),H{r}<>0),G{r}/H{r}{mult},"")'
    num_fmt = "#,##0.0" if ind is not None and ind.unit.code == "ratio" else "#,##0"
    ws[f"G{r}"].number_format = ws[f"H{r}"].number_format = num_fmt
    ws[f"I{r}"].number_format = "0" if boolean else "0.00"
    return boolean


def _validate_indicators(ws: Worksheet, last: int, *, config: ProvinceConfig, unit: Unit, guide: GuideRanges,
                         numeric_cells: list[str], value_cells: list[str], boolean_cells: list[str]) -> None:
    """Biểu 01's drop-down lists (indicator, area, sex) and number checks, down to row `last`."""
    def rng(letter: str) -> str:
        return f"{letter}{FIRST_DATA_ROW}:{letter}{last}"

    if unit.indicators:
        dv = _validation("list", formula1=_list_formula(unit.indicators, guide.indicators), title="Mã chỉ tiêu",
                         prompt="Chọn mã chỉ tiêu trong danh sách (xem trang Hướng dẫn).",
                         error="Mã chỉ tiêu không có trong danh sách chỉ tiêu được giao cho đơn vị.")
        dv.add(rng("B"))
        ws.add_data_validation(dv)
    dv = _validation("list", formula1=_list_formula(config.areas, guide.areas), title="Mã địa bàn",
                     prompt=f"{config.province_code} = cả tỉnh; hoặc mã xã, phường (xem trang Hướng dẫn).",
                     error="Mã địa bàn không có trong danh sách địa bàn của tỉnh.")
    dv.add(rng("D"))
    ws.add_data_validation(dv)
    dv = _validation("list", formula1=_list_formula(SEX_CHOICES, ""), title="Phân tổ",
                     prompt="Tổng, Nam hoặc Nữ (để trống nghĩa là Tổng).",
                     error="Phân tổ chỉ nhận Tổng, Nam hoặc Nữ.")
    dv.add(rng("F"))
    ws.add_data_validation(dv)
    dv = _validation("decimal", operator="greaterThanOrEqual", formula1="0", title="Nhập số",
                     prompt=_NUMBER_PROMPT, error="Ô này chỉ nhận số lớn hơn hoặc bằng 0.")
    for ref in numeric_cells + value_cells:
        dv.add(ref)
    ws.add_data_validation(dv)
    if boolean_cells:
        dv = _validation("whole", operator="between", formula1="0", formula2="1", title="Có/không",
                         prompt="Nhập 1 nếu đã có, 0 nếu chưa.",
                         error="Chỉ tiêu này chỉ nhận 1 (có) hoặc 0 (không).")
        for ref in boolean_cells:
            dv.add(ref)
        ws.add_data_validation(dv)


def _write_activities(ws: Worksheet, rows: list[Row], *, guide: GuideRanges, catalogue: Catalogue,
                      merged_header: bool) -> tuple[int, int]:
    """Biểu 02 table from row 8; returns (last header row, last table row)."""
    header_last = _activity_header(ws, merged_header)
    r = header_last
    stt = 0
    for row in rows:
        r += 1
        for letter in "ABCDEFGHI":
            _style_cell(ws[f"{letter}{r}"], center=letter in "AB")
            ws[f"{letter}{r}"].protection = _UNLOCKED
        for letter in "DEFG":
            ws[f"{letter}{r}"].number_format = "#,##0"
        ws[f"H{r}"].number_format = "#,##0.0"
        if row is None:
            ws.row_dimensions[r].height = 20   # room to write by hand on a printed copy
            continue
        stt += 1
        ws[f"A{r}"] = stt if any(v is not None for v in row.values()) else None
        for field in ("activity", "description", "count", "participants", "men", "women", "budget", "note"):
            ws[f"{_col(ACTIVITY_COLUMNS, field)}{r}"] = row.get(field)
        fit_height(ws, r, _ACTIVITY_WIDTHS, minimum=20)
    if r > header_last:
        _validate_activities(ws, header_last + 1, r, guide=guide, catalogue=catalogue)
    return header_last, r


def _activity_header(ws: Worksheet, merged_header: bool) -> int:
    """Biểu 02's column headings, on one row or with "Số người tham gia" over Tổng | Nam | Nữ; returns their
    last row."""
    cols = ACTIVITY_COLUMNS
    header_last = TABLE_HEADER_ROW + (1 if merged_header else 0)
    for field, (letter, header) in cols.items():
        top = ws[f"{letter}{TABLE_HEADER_ROW}"]
        if merged_header and field in ("participants", "men", "women"):
            # "Số người tham gia" over Tổng | Nam | Nữ, as many units draw it
            ws[f"{letter}{header_last}"] = {"participants": "Tổng"}.get(field, header)
            _style_cell(ws[f"{letter}{header_last}"], bold=True, center=True, fill=_HEAD_FILL)
            _style_cell(top, bold=True, center=True, fill=_HEAD_FILL)
            continue
        top.value = header
        _style_cell(top, bold=True, center=True, fill=_HEAD_FILL)
        if merged_header:
            _style_cell(ws[f"{letter}{header_last}"], bold=True, center=True, fill=_HEAD_FILL)
            ws.merge_cells(f"{letter}{TABLE_HEADER_ROW}:{letter}{header_last}")
    if merged_header:
        ws[f"E{TABLE_HEADER_ROW}"] = cols["participants"][1]
        ws.merge_cells(f"E{TABLE_HEADER_ROW}:G{TABLE_HEADER_ROW}")
    ws.row_dimensions[TABLE_HEADER_ROW].height = 30
    return header_last


def _validate_activities(ws: Worksheet, first: int, last: int, *, guide: GuideRanges, catalogue: Catalogue) -> None:
    """Biểu 02's drop-down list of activity codes and its number checks, rows first..last."""
    dv = _validation("list", formula1=_list_formula(catalogue.activities, guide.activities),
                     title="Mã hoạt động",
                     prompt="TT truyền thông, TH tập huấn, MH mô hình, KT thanh tra/kiểm tra, "
                            "VP vi phạm được xử lý, THD Tháng hành động.",
                     error="Mã hoạt động chỉ nhận TT, TH, MH, KT, VP, THD.")
    dv.add(f"B{first}:B{last}")
    ws.add_data_validation(dv)
    dv = _validation("whole", operator="greaterThanOrEqual", formula1="0", title="Nhập số nguyên",
                     prompt="Số lượng và số người là số nguyên, không kèm chữ.",
                     error="Ô này chỉ nhận số nguyên lớn hơn hoặc bằng 0.")
    dv.add(f"D{first}:G{last}")
    ws.add_data_validation(dv)
    dv = _validation("decimal", operator="greaterThanOrEqual", formula1="0", title="Kinh phí (triệu đồng)",
                     prompt=_NUMBER_PROMPT, error="Ô này chỉ nhận số lớn hơn hoặc bằng 0.")
    dv.add(f"H{first}:H{last}")
    ws.add_data_validation(dv)


def template_rows(config: ProvinceConfig, unit: Unit, catalogue: Catalogue | None = None) -> list[dict[str, Any]]:
    """One Biểu 01 row per assigned indicator (three, Tổng/Nam/Nữ, when by sex), figures empty."""
    catalogue = catalogue or load_catalogue()
    area = unit.area if unit.kind == "commune" and unit.area else config.province_code
    rows: list[dict[str, Any]] = []
    for code in unit.indicators:
        sexes = SEX_CHOICES if catalogue.indicators[code].by_sex else SEX_CHOICES[:1]
        rows.extend({"indicator": code, "area": area, "sex": sex} for sex in sexes)
    return rows


def write_form(path: Path | str, *, config: ProvinceConfig, period: Period, unit: Unit,
               indicator_rows: list[Row] | None = None, activity_rows: list[Row] | None = None,
               blank_rows: int = 0, reporter: str | None = None, email: str | None = None,
               period_text: str | None = None, place_date: str | None = None,
               signers: Sequence[str] | None = None, merged_participants_header: bool = False,
               edit: Callable[[Workbook], None] | None = None) -> Path:
    """Write a unit's form; a template (pre-filled codes, empty figures) when indicator_rows is None.

    blank_rows adds empty entry lines under each table; period_text overrides what the period cell
    says (e.g. a stale 'Năm 2024'); edit is called on the workbook before saving, to imitate what a
    person did to the file.
    """
    catalogue = load_catalogue()
    template = indicator_rows is None
    ind_rows: list[Row] = list(template_rows(config, unit, catalogue) if template else indicator_rows)
    ind_rows += [None] * (blank_rows + (TEMPLATE_SPARE_ROWS if template else 0))
    act_rows: list[Row] = [None] * TEMPLATE_ACTIVITY_ROWS if activity_rows is None else list(activity_rows)
    act_rows += [None] * blank_rows
    email = email if email is not None else (unit.emails[0] if unit.emails else None)
    shown_period = period_text or period.vi

    wb = Workbook()
    ws1 = wb.active
    ws1.title = SHEET_INDICATORS
    ws2 = wb.create_sheet(SHEET_ACTIVITIES)
    guide = write_guide(wb.create_sheet(), config=config, period=period, unit=unit, catalogue=catalogue)

    _header_block(ws1, unit, shown_period, reporter, email, _IND_LAST)
    last = _write_indicators(ws1, ind_rows, config=config, unit=unit, catalogue=catalogue,
                             template=template, guide=guide)
    _footer(ws1, max(last, TABLE_HEADER_ROW) + 1, _IND_LAST, place_date, signers)
    _page(ws1, _INDICATOR_WIDTHS, TABLE_HEADER_ROW)

    _header_block(ws2, unit, shown_period, reporter, email, "I")
    header_last, last = _write_activities(ws2, act_rows, guide=guide, catalogue=catalogue,
                                          merged_header=merged_participants_header)
    _footer(ws2, last + 1, "I", place_date, signers)
    _page(ws2, _ACTIVITY_WIDTHS, header_last)

    wb.properties.creator = config.consolidator_name
    wb.properties.title = f"Báo cáo bình đẳng giới — {unit.name} — {period.vi}"
    wb.calculation.fullCalcOnLoad = True   # formulas written here carry no cached value
    if edit is not None:
        edit(wb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def template_name(unit: Unit, period: Period) -> str:
    """File name of a unit's template: <unit code>-<period>.xlsx."""
    return f"{unit.code}-{period.code}.xlsx"


def write_templates(config: ProvinceConfig, period: Period, out_dir: Path | str,
                    unit_codes: Iterable[str] | None = None) -> list[Path]:
    """Write every unit's template (or the listed units') into out_dir; returns the paths."""
    codes = list(unit_codes) if unit_codes is not None else list(config.units)
    unknown = [c for c in codes if c not in config.units]
    if unknown:
        raise KeyError(f"Mã đơn vị không có trong cấu hình: {', '.join(unknown)}")
    out = Path(out_dir)
    return [write_form(out / template_name(config.units[c], period), config=config, period=period,
                       unit=config.units[c]) for c in codes]
