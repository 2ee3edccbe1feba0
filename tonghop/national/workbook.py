"""The national report (.xlsx) in the house's look (reports/xlsx_style): by indicator, by province, problems."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from schemas.catalogue import Catalogue
from tonghop.national.model import NationalResult, NationalValue, ProvinceFile
from tonghop.problems import ERROR, WARNING
from tonghop.provinces import PROVINCES, short_name
from tonghop.reports import sdmx
from tonghop.reports.xlsx_style import FMT_VALUE, fit_rows, font, header, number_format, paint_status, put, title
from tonghop.statuses import FILE_USE_VI, MISSING, REJECTED, TARGET_STATUS_VI

# the first data row of each sheet: tests and readers of the workbook count from these
INDICATOR_ROW, PROVINCE_ROW, PROBLEM_ROW = 5, 2, 2


def _notes(v: NationalValue) -> str | None:
    notes = []
    if v.to_check:
        notes.append("Cần kiểm tra số liệu, không cộng: " + ", ".join(v.to_check))
    if v.value_only:
        notes.append("Chỉ có giá trị, không cộng được: " + ", ".join(v.value_only))
    if v.missing:
        notes.append(f"Chưa có số liệu của {len(v.missing)} tỉnh")
    return "; ".join(notes) or None


def _by_indicator(ws: Worksheet, result: NationalResult, catalogue: Catalogue) -> None:
    headers = ["Mã", "Chỉ tiêu", "Phân tổ", "Đơn vị tính", "Giá trị toàn quốc", "Tử số", "Mẫu số", "Chỉ tiêu",
               "Đánh giá", "Số tỉnh", "Số đơn vị báo cáo", "Ghi chú"]
    title(ws, f"TỔNG HỢP TOÀN QUỐC CÁC CHỈ TIÊU BÌNH ĐẲNG GIỚI — KỲ {result.period or 'không rõ kỳ'}",
          "Giá trị toàn quốc = tổng Tử số / tổng Mẫu số của các tỉnh (không lấy trung bình các tỷ lệ); chỉ tiêu "
          "có/không = tỷ lệ % số tỉnh trả lời có.", len(headers))
    header(ws, INDICATOR_ROW - 1, headers, [7, 60, 9, 14, 14, 16, 16, 16, 16, 9, 12, 50])
    ws.freeze_panes = ws.cell(INDICATOR_ROW, 1)
    for r, v in enumerate(result.values, start=INDICATOR_ROW):
        ind = catalogue.indicators[v.indicator]
        put(ws, r, 1, ind.code, center=True)
        put(ws, r, 2, ind.vi, wrap=True)
        put(ws, r, 3, sdmx.SEX_VI[v.sex], center=True)
        put(ws, r, 4, "% số tỉnh" if ind.is_boolean else ind.unit.vi, center=True)
        put(ws, r, 5, v.value, FMT_VALUE)
        put(ws, r, 6, v.numerator, number_format(v.numerator))
        put(ws, r, 7, v.denominator, number_format(v.denominator))
        put(ws, r, 8, v.target or None, center=True)
        status = put(ws, r, 9, TARGET_STATUS_VI.get(v.status) or None, center=True)
        if v.status:
            paint_status(status, v.status)
        put(ws, r, 10, len(v.provinces), center=True)
        put(ws, r, 11, v.units, center=True)
        put(ws, r, 12, _notes(v), wrap=True)


def _file_counts(f: ProvinceFile) -> list[int]:
    return [sum(p.severity == ERROR for p in f.problems), sum(p.severity == WARNING for p in f.problems)]


def _by_province(ws: Worksheet, result: NationalResult) -> None:
    """One row per province (its figures as sent, blocked indicators left out), then the files not used."""
    columns = [(v.indicator, v.sex) for v in result.values]
    header(ws, PROVINCE_ROW - 1, ["Mã tỉnh", "Tỉnh, thành phố", "Tệp", "Tình trạng", "Lỗi", "Cảnh báo"]
           + [f"{c}{'' if s == '_T' else ' ' + sdmx.SEX_VI[s]}" for c, s in columns],
           [8, 22, 34, 16, 7, 9] + [10] * len(columns))
    ws.freeze_panes = ws.cell(PROVINCE_ROW, 1)
    by_province = {f.province: f for f in result.files if f.used and f.province}
    r = PROVINCE_ROW
    for code, name in PROVINCES.items():
        f = by_province.get(code)
        values = {(row["INDICATOR"], row["SEX"]): sdmx.parse_number(row["OBS_VALUE"])
                  for row in (f.rows if f else []) if row["INDICATOR"] not in f.blocked
                  and sdmx.NUMBER_RE.match(row["OBS_VALUE"] or "x")}
        cells = [code, short_name(name), f.path.name if f else None, FILE_USE_VI[f.status if f else MISSING],
                 *(_file_counts(f) if f else [None, None]), *(values.get(k) for k in columns)]
        for c, x in enumerate(cells, start=1):
            put(ws, r, c, x, number_format(x) if c > 6 and x is not None else None)  # names come from the files
        r += 1
    for f in result.files:   # files not used, or of no known province
        if f.used and f.province in PROVINCES:
            continue
        duplicate = any(p.code == "duplicate-province" for p in f.problems)
        cells = [f.province, PROVINCES.get(f.province or "", ""), f.path.name,
                 "Không dùng (tệp trùng)" if duplicate else FILE_USE_VI[REJECTED], *_file_counts(f)]
        for c, x in enumerate(cells, start=1):
            put(ws, r, c, x)
        r += 1


def _problems(ws: Worksheet, result: NationalResult) -> None:
    header(ws, PROBLEM_ROW - 1, ["Tệp", "Mã lỗi", "Mức độ", "Dòng", "Cột", "Giá trị", "Chỉ tiêu", "Nội dung"],
           [34, 26, 10, 7, 14, 18, 9, 90])
    ws.freeze_panes = ws.cell(PROBLEM_ROW, 1)
    for r, p in enumerate(result.problems, start=PROBLEM_ROW):
        cells = [p.file, p.code, "Lỗi" if p.severity == ERROR else "Cảnh báo", p.row, p.column, p.value,
                 p.indicator, p.message]
        for c, x in enumerate(cells, start=1):
            put(ws, r, c, x, wrap=c == 8)
    if not result.problems:
        ws.cell(PROBLEM_ROW, 1, "Không có vấn đề nào trong các tệp của các tỉnh.").font = font(italic=True)


def write_national_xlsx(result: NationalResult, path: Path, catalogue: Catalogue) -> Path:
    """Three views: by indicator, by province, problems."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Theo chỉ tiêu"
    _by_indicator(ws, result, catalogue)
    _by_province(wb.create_sheet("Theo tỉnh"), result)
    _problems(wb.create_sheet("Vấn đề"), result)
    for sheet in wb:
        fit_rows(sheet)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
