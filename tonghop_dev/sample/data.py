"""Figures, names and activity rows of the Sơn La sample round (a province of about 1,3 million people)."""
from __future__ import annotations

import random
import unicodedata
from typing import Any

from tonghop.config import Period

# (indicator, sex, numerator, denominator[, value, note]); value defaults to numerator/denominator × factor,
# rounded to 2 decimals. Yes/no indicators give value 1/0 with no numerator or denominator.
FIGURES: dict[str, dict[str, list[tuple]]] = {
    "2025-Y": {
        "SNV": [("1.1", "Tổng", 48, 95), ("2.1", "Tổng", 96_400, 352_000), ("2.2", "Tổng", 248_500, 352_000),
                ("3.2a", "Tổng", 142, 168), ("3.2b", "Tổng", 71, 118), ("3.4", "Tổng", 2, 3),
                ("5.4", "Tổng", 3_850, 9_200), ("6.1", "Tổng", 812_450, 1_318_700), ("6.2", "Tổng", 1, 1)],
        "STC": [("2.3", "Tổng", 1_265, 4_870)],
        "CCTK": [("3.1", "Tổng", 20.4, 11.2, None, "Giờ/tuần; điều tra lao động việc làm 2025")],
        "SGDDT": [("5.1", "Tổng", 11_842, 12_815), ("5.1", "Nam", 5_990, 6_520), ("5.1", "Nữ", 5_852, 6_295),
                  ("5.2a", "Tổng", 1_148, 2_096), ("5.2b", "Tổng", 38, 142),
                  ("5.3", "Tổng", None, None, 1, "Học phần Giới và giáo dục giới tại Trường CĐSP Sơn La"),
                  ("5.4", "Tổng", 2_310, 5_600)],
        "SYT": [("4.1", "Tổng", 10_612, 9_478), ("4.2", "Tổng", 9, 20_090), ("4.3", "Tổng", 1_980, 48_600),
                ("4.4", "Tổng", None, None, 1, "Bệnh viện Đa khoa tỉnh thí điểm từ tháng 9/2025")],
        "SVHTTDL": [("3.2a", "Tổng", 96, 112), ("3.2b", "Tổng", 41, 73)],
        "CAT": [("3.3", "Tổng", 23, 26)],
    },
    "2025-H1": {
        "SNV": [("1.1", "Tổng", 48, 95), ("2.1", "Tổng", 95_800, 350_500), ("2.2", "Tổng", 249_900, 350_500),
                ("3.2a", "Tổng", 71, 86), ("3.2b", "Tổng", 33, 61), ("3.4", "Tổng", 2, 3),
                ("5.4", "Tổng", 3_620, 9_150), ("6.1", "Tổng", 706_300, 1_318_700), ("6.2", "Tổng", 1, 1)],
        "STC": [("2.3", "Tổng", 1_241, 4_802)],
        "CCTK": [("3.1", "Tổng", 20.6, 11.1, None, "Giờ/tuần; ước tính 6 tháng")],
        "SGDDT": [("5.1", "Tổng", 11_790, 12_815), ("5.1", "Nam", 5_962, 6_520), ("5.1", "Nữ", 5_828, 6_295),
                  ("5.2a", "Tổng", 1_131, 2_079), ("5.2b", "Tổng", 37, 140), ("5.3", "Tổng", None, None, 1),
                  ("5.4", "Tổng", 2_250, 5_540)],
        "SYT": [("4.1", "Tổng", 5_248, 4_690), ("4.2", "Tổng", 4, 9_938), ("4.3", "Tổng", 962, 48_600),
                ("4.4", "Tổng", None, None, 0, "Chưa triển khai")],
        "SVHTTDL": [("3.2a", "Tổng", 44, 53), ("3.2b", "Tổng", 19, 35)],
        "CAT": [("3.3", "Tổng", 11, 12)],
    },
}

# File names as the senders chose them: {vi} "năm 2025" / "6 tháng đầu năm 2025", {ascii} without diacritics.
FILE_NAMES = {
    "SNV": "SNV - Bao cao BDG {ascii}.xlsx",
    "STC": "STC_BDG_{code}.xlsx",
    "CCTK": "CCTK_BaoCaoBDG_{code}.xls",
    "SGDDT": "Báo cáo bình đẳng giới {vi} (Sở GD&ĐT).xlsx",
    "SYT": "Báo cáo BĐG {vi} - Sở Y tế.xlsx",
    "SVHTTDL": "SVHTTDL bao cao BDG {ascii}.xlsx",
    "CAT": "Công an tỉnh - báo cáo BĐG {vi}.xlsx",
    "SKHCN": "SKHCN-{code}.xlsx",
    "STP": "STP - Bieu 02 - {ascii}.csv",
    "SDTTG": "Báo cáo BĐG {vi} - Sở Dân tộc và Tôn giáo.xlsm",
    "BDBP": "BĐBP tỉnh - báo cáo bình đẳng giới {vi}.xlsx",
    "DPTTH": "Đài PTTH - BC BĐG {vi}.xlsx",
    "BSL": "BAOSONLA_BDG_{code}.xlsx",
    "MTTQ": "MTTQ tinh - BC BDG {ascii}.xlsx",
    "X03646": "UBND phường Tô Hiệu - BC BĐG {vi}.xlsx",
    "X03667": "BC BDG phuong Chieng An {ascii}.ods",
    "X03847": "Mường Bú - báo cáo bình đẳng giới {vi}.xlsx",
    "X03980": "xa Moc Chau BC BDG {ascii}.xlsx",
}

REPORTERS = {
    "SNV": "Lò Thị Hương", "STC": "Nguyễn Văn Thành", "CCTK": "Đỗ Thị Mai", "SGDDT": "Cầm Thị Ngọc",
    "SYT": "Hoàng Văn Dũng", "SVHTTDL": "Quàng Thị Lan", "CAT": "Lường Văn Hùng", "SKHCN": "Trần Minh Đức",
    "STP": "Vì Thị Thu", "SDTTG": "Tòng Văn Sơn", "BDBP": "Lê Quang Huy", "DPTTH": "Bạc Thị Yến",
    "BSL": "Phạm Thu Trang", "MTTQ": "Lù Thị Hoa", "X03646": "Nguyễn Thị Hằng", "X03667": "Lò Văn Thắng",
    "X03847": "Cà Thị Xuân", "X03980": "Đinh Văn Khánh",
}
HEADS = {"SNV": "Nguyễn Thị Thu Hà", "SYT": "Lê Văn Tuấn", "CAT": "Hà Văn Tấn", "X03646": "Phạm Văn Long",
         "X03980": "Hà Thị Nga"}
PLACES = {"SNV": "Sơn La", "SYT": "Sơn La", "CAT": "Sơn La", "X03646": "Tô Hiệu", "X03980": "Mộc Châu"}

_COMMUNE = ("TT", "TH", "MH", "VP", "THD")
ACTIVITY_PLAN: dict[str, tuple[str, ...]] = {
    "SNV": ("TT", "TH", "KT", "THD"), "SVHTTDL": ("TT", "MH", "VP"), "SGDDT": ("TT", "TH"), "SYT": ("TT",),
    "CAT": ("TT", "VP"), "SKHCN": ("TT", "TH"), "STP": ("TT", "TH", "KT"), "SDTTG": ("TT", "MH"),
    "BDBP": ("TT", "MH"), "DPTTH": ("TT",), "BSL": ("TT",), "MTTQ": ("TT", "TH", "MH", "THD"),
    "X03646": _COMMUNE, "X03667": _COMMUNE, "X03847": _COMMUNE, "X03980": _COMMUNE,
}
MEDIA_UNITS = {"DPTTH": "Chuyên mục “Vì sự tiến bộ của phụ nữ” phát trên sóng phát thanh, truyền hình",
               "BSL": "Tin, bài về bình đẳng giới trên Báo Sơn La in và điện tử"}

DESCRIPTIONS = {
    "TT": "Hội nghị tuyên truyền Luật Bình đẳng giới và phòng, chống bạo lực gia đình",
    "TH": "Tập huấn nâng cao năng lực cho cán bộ làm công tác bình đẳng giới",
    "MH": "Duy trì mô hình “Địa chỉ tin cậy ở cộng đồng”, câu lạc bộ phòng, chống bạo lực gia đình",
    "KT": "Kiểm tra việc thực hiện pháp luật về bình đẳng giới tại cơ quan, đơn vị",
    "VP": "Xử lý vi phạm hành chính về bình đẳng giới, bạo lực gia đình",
    "THD": "Mít tinh hưởng ứng Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở giới",
}
# per activity: (count range, people per event range, budget per event in million VND); None = no participants
_SCALE = {"TT": ((4, 20), (40, 120), (2, 6)), "TH": ((1, 4), (30, 60), (15, 35)), "MH": ((2, 12), (15, 30), (3, 8)),
          "KT": ((2, 6), None, (2, 5)), "VP": ((1, 5), None, None), "THD": ((3, 10), (80, 200), (5, 12))}


def activity_rows(rng: random.Random, unit: str, period: Period, plan: tuple[str, ...],
                  media: bool) -> list[dict[str, Any] | None]:
    """A few Biểu 02 rows; participants = men + women; half-year counts about half the year's."""
    rows: list[dict[str, Any] | None] = []
    for code in plan:
        if code == "THD" and period.kind != "Y":   # the Action Month runs 15/11-15/12
            continue
        (lo, hi), people, budget = _SCALE[code]
        if period.kind == "H1":
            lo, hi = max(1, lo // 2), max(1, hi // 2)
        count = rng.randint(lo, hi)
        row: dict[str, Any] = {"activity": code, "description": DESCRIPTIONS[code], "count": count,
                               "participants": None, "men": None, "women": None, "budget": None, "note": None}
        if code == "TT" and media:
            row.update(description=MEDIA_UNITS[unit], count=count * 4, note="Số lượng: số chương trình, tin bài")
        elif people is not None:
            total = count * rng.randint(*people)
            women = round(total * rng.uniform(0.5, 0.65))
            row.update(participants=total, men=total - women, women=women)
        if budget is not None:
            row["budget"] = round(count * rng.uniform(*budget), 1)
        if code == "VP":
            row["note"] = "Số vụ việc"
        rows.append(row)
    return rows


# --- the other communes: each its own way of naming its file, its reporter, its activities ----------------------

# How commune officers name the file they send ({kind} xã/phường, {name} Thuận Châu, {kind_a}/{name_a} without
# diacritics, {NAME} upper-case without spaces); {vi}, {ascii}, {code} as in FILE_NAMES.
COMMUNE_FILE_STYLES = (
    "UBND {kind} {name} - BC BĐG {vi}.xlsx",
    "{Kind} {name} - báo cáo bình đẳng giới {vi}.xlsx",
    "BC BDG {kind_a} {name_a} {ascii}.xlsx",
    "{NAME}_BDG_{code}.xlsx",
    "Báo cáo BĐG {vi} - UBND {kind} {name}.xlsx",
    "Bieu BDG {ascii} - {name_a}.xlsx",
)
FAMILY = ("Lò", "Cà", "Quàng", "Lường", "Tòng", "Vì", "Lù", "Hoàng", "Nguyễn", "Đinh", "Bạc", "Cầm", "Mùa", "Sùng",
          "Giàng", "Thào", "Hà", "Lê", "Điêu", "Khà")
GIVEN = {"Thị": ("Hương", "Lan", "Xuân", "Yến", "Hoa", "Thu", "Mai", "Nga", "Phương", "Hằng", "Duyên", "Thảo"),
         "Văn": ("Thắng", "Dũng", "Hùng", "Sơn", "Minh", "Tuấn", "Khánh", "Quân", "Chiến", "Long", "Hải", "Pọm")}


def person(rng: random.Random) -> str:
    middle = rng.choice(tuple(GIVEN))
    return f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN[middle])}"


def ascii_text(text: str) -> str:
    """'Mường Chiên' → 'Muong Chien', as people type a name without Vietnamese input."""
    return "".join(c for c in unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
                   if not unicodedata.combining(c))


def commune_profile(code: str, unit_name: str) -> tuple[str, str, str, str, tuple[str, ...]]:
    """(file name template, reporter, chairman, place, activities) of a commune not described above; the same
    every period."""
    rng = random.Random(f"2025-commune-{code}")
    rest = unit_name.removeprefix("UBND ")
    kind = "đặc khu" if rest.startswith("đặc khu ") else rest.split(" ", 1)[0]
    name = rest[len(kind):].strip()
    style = rng.choice(COMMUNE_FILE_STYLES)
    file_name = style.format(kind=kind, Kind=kind.capitalize(), name=name, kind_a=ascii_text(kind),
                             name_a=ascii_text(name), NAME=ascii_text(name).upper().replace(" ", ""),
                             vi="{vi}", ascii="{ascii}", code="{code}")
    extra = tuple(a for a in ("TH", "MH", "VP") if rng.random() < 0.55)
    plan = ("TT",) + extra + (("THD",) if rng.random() < 0.7 else ())
    return file_name, person(rng), person(rng), name, plan
