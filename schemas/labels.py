"""The form's labels (biểu mẫu): sheet names, header-block labels, table column headers, footer markers.

The writer (templates, samples) uses the canonical wording; the reader matches these loosely via
`normalize_label`, so a label typed with other case, NFD diacritics, spaces or line breaks still matches.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SHEET_INDICATORS = "Biểu 01"
SHEET_ACTIVITIES = "Biểu 02"
SHEET_GUIDE = "Hướng dẫn"

TITLE_INDICATORS = "BIỂU 01. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CHIẾN LƯỢC QUỐC GIA VỀ BÌNH ĐẲNG GIỚI"
TITLE_ACTIVITIES = "BIỂU 02. KẾT QUẢ CÁC HOẠT ĐỘNG BÌNH ĐẲNG GIỚI"

# Header block: label in column A (rows 1-5), value in column C (B-C may be merged).
HEADER_FIELDS = {
    "unit_name": "Đơn vị báo cáo",
    "unit_code": "Mã đơn vị",
    "period": "Kỳ báo cáo",
    "reporter": "Người lập biểu",
    "email": "Email",
}
HEADER_ROWS = 5
TITLE_ROW = 6
TABLE_HEADER_ROW = 8
FIRST_DATA_ROW = 9

# Biểu 01 columns: field -> (column letter, canonical header)
INDICATOR_COLUMNS = {
    "stt": ("A", "STT"),
    "indicator": ("B", "Mã chỉ tiêu"),
    "indicator_name": ("C", "Tên chỉ tiêu"),
    "area": ("D", "Mã địa bàn"),
    "area_name": ("E", "Tên địa bàn"),
    "sex": ("F", "Phân tổ"),
    "numerator": ("G", "Tử số"),
    "denominator": ("H", "Mẫu số"),
    "value": ("I", "Giá trị"),
    "note": ("J", "Ghi chú"),
}
# Biểu 02 columns. "Số người tham gia" is often a merged header over Tổng | Nam | Nữ.
ACTIVITY_COLUMNS = {
    "stt": ("A", "STT"),
    "activity": ("B", "Mã hoạt động"),
    "description": ("C", "Nội dung hoạt động"),
    "count": ("D", "Số lượng"),
    "participants": ("E", "Số người tham gia"),
    "men": ("F", "Nam"),
    "women": ("G", "Nữ"),
    "budget": ("H", "Kinh phí (triệu đồng)"),
    "note": ("I", "Ghi chú"),
}
# Other spellings people use for the same header (normalised before comparison).
COLUMN_ALIASES = {
    "indicator": ["Mã CT", "Mã số chỉ tiêu", "Chỉ tiêu"],
    "area": ["Mã ĐB", "Mã xã", "Địa bàn"],
    "sex": ["Giới tính", "Phân tổ giới"],
    "numerator": ["Tử"],
    "denominator": ["Mẫu"],
    "value": ["Kết quả", "Giá trị (%)"],
    "activity": ["Mã HĐ", "Loại hoạt động"],
    "count": ["Số lượng (cuộc/lớp/mô hình)"],
    "participants": ["Số người", "Tổng số người tham gia", "Tổng"],
    "budget": ["Kinh phí", "Kinh phí (tr.đ)"],
}

SEX_VALUES = {"tong": "Tổng", "nam": "Nam", "nu": "Nữ", "": "Tổng", "chung": "Tổng", "tong so": "Tổng"}
SEX_CHOICES = ("Tổng", "Nam", "Nữ")

# A row whose first text starts with one of these ends the table.
FOOTER_MARKERS = ("nguoi lap bieu", "thu truong don vi", "thu truong", "nguoi lap", "xac nhan", "ky ten")
FOOTER_DATE_RE = re.compile(r"ngay\s.*thang\s.*nam", re.IGNORECASE)


def normalize_label(text: object) -> str:
    """Lower-case, diacritic-free, single-spaced form of a label, for loose matching."""
    return _normalize(str(text or ""))


@lru_cache(maxsize=65536)
def _normalize(text: str) -> str:
    # cached: a workbook repeats the same few labels in thousands of cells
    s = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "d")
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = re.sub(r"\s+", " ", s).strip().lower()
    return s


def sheet_key(name: str) -> str | None:
    """'indicators' or 'activities' for a sheet named like Biểu 01 / Bieu 01 / BIEU01 / Biểu 1, else None."""
    s = normalize_label(name).replace(" ", "").replace(".", "").replace("_", "").replace("-", "")
    m = re.fullmatch(r"(?:bieu|bm|bieumau)0*([12])", s)
    if not m:
        return None
    return "indicators" if m.group(1) == "1" else "activities"
