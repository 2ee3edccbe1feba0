"""Generate realistic reporting rounds at any size: N provinces, each with its config YAML, its departments'
and communes' filled forms (a few habits and formats), a share of planted mistakes, and what to expect.

    .venv/bin/python bench/generate_round.py --provinces 34 --communes-per-province 100 --out /tmp/round \\
        [--mistakes 0.1] [--seed 2025] [--period 2025-Y]

writes, per province, OUT/<code>-<slug>/config.yaml, inbox/ (the workbooks and received.csv) and
expected.json (each file's unit, planted problems {code, sheet, cell} and expected status). 34 provinces ×
(100 communes + 15 departments) = 3,910 workbooks. Deterministic for a given seed.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from schemas.catalogue import load_catalogue
from schemas.labels import SHEET_ACTIVITIES, SHEET_INDICATORS
from tonghop.config import Period, ProvinceConfig, parse_config
from tonghop.problems import PROBLEM_TYPES, WARNING
from tonghop.safe_text import slugify   # the one slug: generated file and unit names as production makes them
from tonghop.provinces import PROVINCES, short_name
from tonghop_dev.fastform import FormSpec, FormWriter

TZ = timezone(timedelta(hours=7))
B1, B2 = SHEET_INDICATORS, SHEET_ACTIVITIES

# Departments of every province: code, name, assigned indicators (as Sơn La's Kế hoạch), Biểu 02 activities.
DEPARTMENTS: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("SNV", "Sở Nội vụ", ("1.1", "2.1", "2.2", "3.2a", "3.2b", "3.4", "5.4", "6.1", "6.2"), ("TT", "TH", "KT", "THD")),
    ("STC", "Sở Tài chính", ("2.3",), ("TT",)),
    ("CCTK", "Thống kê tỉnh", ("3.1",), ()),
    ("SGDDT", "Sở Giáo dục và Đào tạo", ("5.1", "5.2a", "5.2b", "5.3", "5.4"), ("TT", "TH")),
    ("SYT", "Sở Y tế", ("4.1", "4.2", "4.3", "4.4"), ("TT",)),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", ("3.2a", "3.2b"), ("TT", "MH", "VP")),
    ("CAT", "Công an tỉnh", ("3.3",), ("TT", "VP")),
    ("SKHCN", "Sở Khoa học và Công nghệ", (), ("TT", "TH")),
    ("STP", "Sở Tư pháp", (), ("TT", "TH", "KT")),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", (), ("TT", "MH")),
    ("BCHQS", "Bộ Chỉ huy Quân sự tỉnh", (), ("TT",)),
    ("BDBP", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", (), ("TT", "MH")),
    ("BPTTH", "Báo và Phát thanh, Truyền hình tỉnh", (), ("TT",)),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", (), ("TT", "TH", "MH", "THD")),
    ("HLHPN", "Hội Liên hiệp Phụ nữ tỉnh", (), ("TT", "TH", "MH", "THD")),
]
COMMUNE_ACTIVITIES = ("TT", "TH", "MH", "VP", "THD")
_FIRST = ("Tân", "Phú", "Hòa", "An", "Bình", "Long", "Thạnh", "Mường", "Chiềng", "Nà", "Quang", "Đông",
          "Tây", "Nam", "Bắc", "Vĩnh", "Hưng", "Thái", "Phúc", "Kim", "Ngọc", "Hồng", "Minh", "Đức")
_SECOND = ("Lập", "Thịnh", "Sơn", "Hà", "Lợi", "Phong", "Tiến", "Thành", "Yên", "Mỹ", "Hải", "Lộc", "Xuân",
           "Khánh", "Trung", "Hiệp", "Bằng", "Lương", "Châu", "Phước", "Điền", "Tường", "Quý", "Cường")
_GIVEN = ("Thị Hương", "Văn Thành", "Thị Mai", "Thị Ngọc", "Văn Dũng", "Thị Lan", "Văn Hùng", "Minh Đức",
          "Thị Thu", "Văn Sơn", "Quang Huy", "Thị Yến", "Thu Trang", "Thị Hoa", "Thị Hằng", "Văn Thắng")
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Lò", "Cầm", "Quàng", "Lường", "Đinh", "Hà")
DESCRIPTIONS = {
    "TT": "Hội nghị tuyên truyền Luật Bình đẳng giới và phòng, chống bạo lực gia đình",
    "TH": "Tập huấn nâng cao năng lực cho cán bộ làm công tác bình đẳng giới",
    "MH": "Duy trì mô hình “Địa chỉ tin cậy ở cộng đồng”",
    "KT": "Kiểm tra việc thực hiện pháp luật về bình đẳng giới",
    "VP": "Xử lý vi phạm hành chính về bình đẳng giới, bạo lực gia đình",
    "THD": "Mít tinh hưởng ứng Tháng hành động vì bình đẳng giới",
}
# per activity: count range, people per event (None: no participants), budget per event (million VND)
_SCALE = {"TT": ((2, 12), (40, 120), (2, 6)), "TH": ((1, 3), (30, 60), (10, 30)), "MH": ((1, 6), (15, 30), (3, 8)),
          "KT": ((1, 4), None, (2, 5)), "VP": ((0, 4), None, None), "THD": ((1, 6), (80, 200), (5, 12))}


def vn(x: float | int, sep: str = ".") -> str:
    """A number typed the Vietnamese way: 1.318.700 (or 12 500), decimal comma 45,5."""
    if isinstance(x, float) and not x.is_integer():
        whole, _, frac = f"{abs(x):.2f}".partition(".")
        frac = frac.rstrip("0")
    else:
        whole, frac = str(abs(int(x))), ""
    grouped = f"{int(whole):,}".replace(",", sep)
    return ("-" if x < 0 else "") + grouped + ("," + frac if frac else "")


# --- provinces and their configuration ----------------------------------------------------------------------

@dataclass(frozen=True)
class ProvinceSpec:
    code: str
    name: str

    @property
    def slug(self) -> str:
        return slugify(short_name(self.name))


def province_specs(n: int) -> list[ProvinceSpec]:
    """The first n of the 34 provinces; beyond 34, synthetic ones (codes 101, 102, ...)."""
    real = [ProvinceSpec(c, name) for c, name in PROVINCES.items()]
    extra = [ProvinceSpec(str(100 + i), f"Tỉnh Thử Nghiệm {i}") for i in range(1, max(0, n - len(real)) + 1)]
    return (real + extra)[:n]


def commune_names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """(kind, name) of n communes: 'xã'/'phường' and a two-syllable name, unique within the province."""
    names: list[tuple[str, str]] = []
    seen: set[str] = set()
    pool = [f"{a} {b}" for a in _FIRST for b in _SECOND]
    rng.shuffle(pool)
    for i in range(n):
        base = pool[i % len(pool)]
        name = base if base not in seen else f"{base} {i // len(pool) + 1}"
        seen.add(name)
        names.append(("phường" if rng.random() < 0.2 else "xã", name))
    return names


def province_config(spec: ProvinceSpec, communes: int, seed: int) -> dict[str, Any]:
    """The province's configuration as the YAML structure of config/son-la.yaml."""
    rng = random.Random(f"{seed}-config-{spec.code}")
    domain = f"{spec.slug.replace('-', '')}.gov.vn"
    width = max(3, len(str(communes)))
    units: list[dict[str, Any]] = [
        {"code": code, "name": name, "kind": "department", "emails": [f"{code.lower()}@{domain}"],
         "indicators": list(indicators)} for code, name, indicators, _acts in DEPARTMENTS]
    areas: list[dict[str, str]] = [{"code": spec.code, "name": spec.name}]
    for i, (kind, name) in enumerate(commune_names(rng, communes), start=1):
        area = f"{spec.code}{i:0{width}d}"
        units.append({"code": f"X{area}", "name": f"UBND {kind} {name}", "kind": "commune", "area": area,
                      "emails": [f"ubnd.{slugify(name).replace('-', '')}{i}@{domain}"], "indicators": []})
        areas.append({"code": area, "name": f"{kind.capitalize()} {name}"})
    return {
        "province": {"code": spec.code, "name": spec.name, "short": short_name(spec.name)},
        "consolidator": {"code": "SNV", "name": "Sở Nội vụ", "email": f"snv@{domain}"},
        "timezone": "Asia/Ho_Chi_Minh",
        "deadlines": {"H1": "20/05", "Y": "25/11"},
        "periods": {"2025-H1": {}, "2025-Y": {}},
        "schedule": {"run_days_before": 5, "run_time": "07:00", "reminder_days_before": [7, 2]},
        "units": units,
        "areas": areas,
        "check_official_list": False,     # communes made up for load tests: not the official list
    }


# --- figures ------------------------------------------------------------------------------------------------

def _parts(code: str, pop: int, rng: random.Random) -> tuple[float | None, float | None, float | None]:
    """Plausible (numerator, denominator, value) of an indicator for a province of `pop` people."""
    ind = load_catalogue().indicators[code]
    if ind.is_boolean:
        return None, None, float(rng.random() < 0.5)
    u = rng.uniform
    den: float
    num: float
    if code == "3.1":                                    # hours of unpaid care work, women / men
        num, den = round(u(16, 26), 1), round(u(9, 13), 1)
    elif code == "4.1":                                  # boys / girls born alive
        den = int(pop * u(0.006, 0.009))
        num = int(den * u(1.04, 1.14))
    elif code == "4.2":                                  # maternal deaths / live births
        den = int(pop * u(0.013, 0.017))
        num = rng.randint(0, max(1, den // 2500))
    elif code == "4.3":                                  # births to women 15-19 / women 15-19
        den = int(pop * u(0.03, 0.04))
        num = int(den * u(0.01, 0.05))
    else:                                                # a share: numerator within denominator
        base = {"1.1": 120 + pop // 20_000, "2.1": pop * 0.27, "2.2": pop * 0.27, "2.3": pop * 0.004,
                "3.2a": pop / 8_000, "3.2b": pop / 12_000, "3.3": pop / 50_000, "3.4": 6, "5.2a": pop / 600,
                "5.2b": pop / 9_000, "5.4": pop / 140, "6.1": pop, "6.2": 4}.get(code, pop / 100)
        den = max(2, int(base * u(0.8, 1.2)))
        num = int(den * u(0.3, 0.95))
    value = round(num / den * ind.unit.factor, 2) if den else None
    return num, den, value


def indicator_rows(config: ProvinceConfig, unit_code: str, pop: int, rng: random.Random) -> list[dict[str, Any] | None]:
    """Clean Biểu 01 rows: every assigned indicator, Tổng/Nam/Nữ when by sex (Nam + Nữ = Tổng)."""
    catalogue = load_catalogue()
    rows: list[dict[str, Any] | None] = []
    for code in config.units[unit_code].indicators:
        ind = catalogue.indicators[code]
        base = {"indicator": code, "area": config.province_code}
        if ind.by_sex:
            men_den, women_den = int(pop * rng.uniform(0.004, 0.006)), int(pop * rng.uniform(0.004, 0.006))
            men_num, women_num = int(men_den * rng.uniform(0.85, 0.98)), int(women_den * rng.uniform(0.85, 0.98))
            for sex, num, den in (("Tổng", men_num + women_num, men_den + women_den),
                                  ("Nam", men_num, men_den), ("Nữ", women_num, women_den)):
                rows.append({**base, "sex": sex, "numerator": num, "denominator": den,
                             "value": round(num / den * ind.unit.factor, 2), "note": None})
        else:
            num, den, value = _parts(code, pop, rng)
            rows.append({**base, "sex": "Tổng", "numerator": num, "denominator": den, "value": value,
                         "note": "Số liệu ước tính" if rng.random() < 0.05 else None})
    return rows


def activity_rows(plan: tuple[str, ...], period: Period, rng: random.Random) -> list[dict[str, Any] | None]:
    """A few Biểu 02 rows; participants = men + women; half-year counts about half the year's."""
    rows: list[dict[str, Any] | None] = []
    for code in plan:
        if code == "THD" and period.kind != "Y":   # the Action Month runs 15/11-15/12
            continue
        (lo, hi), people, budget = _SCALE[code]
        if period.kind == "H1":
            lo, hi = lo // 2, max(1, hi // 2)
        count = rng.randint(lo, hi)
        row: dict[str, Any] = {"activity": code, "description": DESCRIPTIONS[code], "count": count,
                               "participants": None, "men": None, "women": None, "budget": None, "note": None}
        if people is not None and count:
            total = count * rng.randint(*people)
            women = round(total * rng.uniform(0.5, 0.65))
            row.update(participants=total, men=total - women, women=women)
        if budget is not None and count:
            row["budget"] = round(count * rng.uniform(*budget), 1)
        if code == "VP":
            row["note"] = "Số vụ việc"
        rows.append(row)
    return rows


# --- one file as a unit sends it ----------------------------------------------------------------------------

@dataclass
class Sending:
    unit: str
    ind_rows: list[dict[str, Any] | None]
    act_rows: list[dict[str, Any] | None]
    fmt: str = "xlsx"                                   # xlsx | xls | ods | csv | xlsm
    period_text: str | None = None
    unit_code_text: str | None = None                   # what the person typed as unit code, if not the code
    email: str | None = None
    place_date: str | None = None
    signers: tuple[str, ...] | None = None
    merged: bool = False
    sheet_names: dict[str, str] = field(default_factory=dict)
    text_numbers: bool = False
    problems: list[dict[str, str]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    habits: list[str] = field(default_factory=list)

    @property
    def first_activity_row(self) -> int:
        return 10 if self.merged else 9

    def plant(self, code: str, sheet: str, index: int | None, column: str, blocks: str | None) -> None:
        """Record a planted problem at a table row's cell (index None: the header cell `column`)."""
        if index is None:
            cell = column
        else:
            cell = f"{column}{(9 if sheet == B1 else self.first_activity_row) + index}"
        self.problems.append({"code": code, "sheet": self.sheet_names.get(sheet, sheet), "cell": cell})
        if blocks and PROBLEM_TYPES[code].severity != WARNING:
            self.blocked.add(blocks)

    def status(self) -> str:
        """The acceptance rule: file-level → rejected; blocked parts → partial when something else is accepted."""
        if any(PROBLEM_TYPES[p["code"]].file_level for p in self.problems):
            return "rejected"
        parts = ({r["indicator"] for r in self.ind_rows if r}
                 | {str(r["activity"]).upper() for r in self.act_rows if r})
        if not self.blocked:
            return "accepted"
        return "partially_accepted" if parts - self.blocked else "rejected"


def _rows_where(rows: list[dict[str, Any] | None], pred) -> list[int]:
    return [i for i, r in enumerate(rows) if r is not None and pred(r)]


def plant_mistake(s: Sending, rng: random.Random, period: Period) -> str | None:
    """One honest mistake of a kind that fits the file; returns its code (None if nothing fits)."""
    catalogue = load_catalogue()
    ind = catalogue.indicators

    def single(r: dict) -> bool:       # a row whose indicator has no Nam/Nữ split (changing it breaks no sum)
        return not ind[r["indicator"]].by_sex

    ratio_rows = _rows_where(s.ind_rows, lambda r: single(r) and not ind[r["indicator"]].is_boolean)
    share_rows = [i for i in ratio_rows if ind[s.ind_rows[i]["indicator"]].numerator_le_denominator]
    bool_rows = _rows_where(s.ind_rows, lambda r: ind[r["indicator"]].is_boolean)
    sex_rows = _rows_where(s.ind_rows, lambda r: r["sex"] == "Nữ")
    people_rows = _rows_where(s.act_rows, lambda r: r["participants"] is not None)
    count_rows = _rows_where(s.act_rows, lambda r: r["count"])
    options = ["period-mismatch", "unknown-unit", "email-not-registered"]
    options += ["value-mismatch", "duplicate-row", "unknown-area", "not-a-number", "negative-value",
                "missing-value"] * bool(ratio_rows)
    options += ["numerator-above-denominator", "zero-denominator"] * bool(share_rows)
    options += ["not-boolean"] * bool(bool_rows) + ["sex-sum-mismatch"] * bool(sex_rows)
    options += ["participants-mismatch", "activity-not-a-number"] * bool(people_rows)
    options += ["unknown-activity", "activity-negative"] * bool(count_rows)
    kind = rng.choice(options)
    if kind == "period-mismatch":                       # last year's file sent again
        s.period_text = f"Năm {period.year - 1}" if period.kind == "Y" else f"6 tháng đầu năm {period.year - 1}"
        s.plant(kind, B1, None, "C3", None)
    elif kind == "unknown-unit":                        # letter O typed for zero, or the old district code
        s.unit_code_text = s.unit.replace("0", "O", 1) if "0" in s.unit else s.unit + "1"
        s.plant(kind, B1, None, "C2", None)
    elif kind == "email-not-registered":                # the reporter's own mailbox
        s.email = f"{slugify(rng.choice(_GIVEN)).replace('-', '')}{rng.randint(70, 99)}@gmail.com"
        s.plant(kind, B1, None, "C5", None)
    elif kind == "value-mismatch":                      # digits swapped / decimal point slipped
        i = rng.choice(ratio_rows)
        row = s.ind_rows[i]
        row["value"] = round(row["value"] * 1.5 + 3, 2)
        s.plant(kind, B1, i, "I", row["indicator"])
    elif kind == "duplicate-row":                       # the same row pasted twice
        i = rng.choice(ratio_rows)
        s.ind_rows.insert(i + 1, dict(s.ind_rows[i]))
        s.plant(kind, B1, i, "B", s.ind_rows[i]["indicator"])
        s.plant(kind, B1, i + 1, "B", s.ind_rows[i]["indicator"])
    elif kind == "unknown-area":                        # a row for an abolished district
        i = rng.choice(ratio_rows)
        row = dict(s.ind_rows[i], area=str(rng.randint(100, 999)), area_name="Thành phố (cũ)")
        s.ind_rows.append(row)
        s.plant(kind, B1, len(s.ind_rows) - 1, "D", row["indicator"])
    elif kind == "not-a-number":                        # words instead of a count
        i = rng.choice(ratio_rows)
        s.ind_rows[i]["numerator"] = rng.choice(["chưa có số liệu", "khoảng 300", "đang tổng hợp"])
        s.plant(kind, B1, i, "G", s.ind_rows[i]["indicator"])
    elif kind == "negative-value":
        i = rng.choice(ratio_rows)
        s.ind_rows[i]["numerator"] = -(s.ind_rows[i]["numerator"] or 1)
        s.plant(kind, B1, i, "G", s.ind_rows[i]["indicator"])
    elif kind == "missing-value":                       # the row left empty
        i = rng.choice(ratio_rows)
        s.ind_rows[i].update(numerator=None, denominator=None, value=None)
        s.plant(kind, B1, i, "I", s.ind_rows[i]["indicator"])
    elif kind == "numerator-above-denominator":         # numerator from another line; value left to compute
        i = rng.choice(share_rows)
        row = s.ind_rows[i]
        row.update(numerator=row["denominator"] + rng.randint(1, 50), value=None)
        s.plant(kind, B1, i, "G", row["indicator"])
    elif kind == "zero-denominator":
        i = rng.choice(share_rows)
        s.ind_rows[i].update(numerator=0, denominator=0)
        s.plant(kind, B1, i, "H", s.ind_rows[i]["indicator"])
    elif kind == "not-boolean":                         # a count typed where 1/0 is asked
        i = rng.choice(bool_rows)
        s.ind_rows[i]["value"] = float(rng.randint(2, 5))
        s.plant(kind, B1, i, "I", s.ind_rows[i]["indicator"])
    elif kind == "sex-sum-mismatch":                    # girls' count mistyped, Nam + Nữ ≠ Tổng
        i = rng.choice(sex_rows)
        row = s.ind_rows[i]
        factor = ind[row["indicator"]].unit.factor
        row["numerator"] += rng.randint(10, 90)
        row["numerator"] = min(row["numerator"], row["denominator"])
        row["value"] = round(row["numerator"] / row["denominator"] * factor, 2)
        total = next(j for j in range(i, -1, -1) if s.ind_rows[j] and s.ind_rows[j]["sex"] == "Tổng"
                     and s.ind_rows[j]["indicator"] == row["indicator"])
        s.plant(kind, B1, total, "G", row["indicator"])
    elif kind == "participants-mismatch":               # total not updated after correcting the women's count
        i = rng.choice(people_rows)
        row = s.act_rows[i]
        row["participants"] = row["men"] + row["women"] + rng.randint(5, 60)
        s.plant(kind, B2, i, "E", row["activity"])
    elif kind == "activity-not-a-number":               # an estimate instead of a count
        i = rng.choice(people_rows)
        s.act_rows[i].update(participants=f"khoảng {rng.randint(2, 9)}00", men=None, women=None)
        s.plant("not-a-number", B2, i, "E", s.act_rows[i]["activity"])
    elif kind == "unknown-activity":                    # a code not in the list
        i = rng.choice(count_rows)
        s.act_rows[i]["activity"] = rng.choice(["HN", "TTr", "K"])
        s.plant(kind, B2, i, "B", s.act_rows[i]["activity"].upper())
    elif kind == "activity-negative":
        i = rng.choice(count_rows)
        s.act_rows[i]["count"] = -s.act_rows[i]["count"]
        s.plant("negative-value", B2, i, "D", s.act_rows[i]["activity"])
    return kind


def apply_habits(s: Sending, rng: random.Random, planted: bool, has_indicators: bool) -> None:
    """How people fill and save the form; layout habits before the mistakes, format changes on clean files."""
    if rng.random() < 0.05:
        s.merged = True
        s.habits.append("Biểu 02: 'Số người tham gia' gộp trên hai dòng Tổng | Nam | Nữ")
    if rng.random() < 0.05 and s.ind_rows:
        s.ind_rows.insert(rng.randint(1, len(s.ind_rows)), None)
        s.habits.append("dòng trống xen giữa bảng Biểu 01")
    if rng.random() < 0.05 and s.act_rows:
        s.act_rows.insert(rng.randint(1, len(s.act_rows)), None)
        s.habits.append("dòng trống xen giữa bảng Biểu 02")
    if planted:
        return
    roll = rng.random()
    if roll < 0.02:
        s.fmt = "xls"
        s.sheet_names = {B1: "Bieu 01", B2: "Bieu 02"}
    elif roll < 0.04:
        s.fmt = "ods"
    elif roll < 0.05:
        s.fmt = "xlsm"
    elif roll < 0.06 and not has_indicators:
        s.fmt = "csv"
    elif roll < 0.09:
        s.sheet_names = {B1: "BIEU01", B2: "BIEU02"}
        s.habits.append("trang tính đổi tên")
    if s.fmt != "xlsx":
        s.habits.append(f"tệp .{s.fmt}")


def text_numbers(s: Sending) -> None:
    """Numbers typed as text the Vietnamese way (1.234; 45,5; 12 500)."""
    sep = "." if len(s.unit) % 2 else " "
    for row in s.ind_rows + s.act_rows:
        if row:
            for key in ("numerator", "denominator", "value", "participants", "men", "women", "budget"):
                if isinstance(row.get(key), (int, float)) and not isinstance(row.get(key), bool):
                    row[key] = vn(row[key], sep)


def file_name(unit_name: str, code: str, period: Period, rng: random.Random, fmt: str) -> str:
    ascii_name = slugify(unit_name).replace("-", " ")
    when = f"năm {period.year}" if period.kind == "Y" else f"6 tháng đầu năm {period.year}"
    when_ascii = f"nam {period.year}" if period.kind == "Y" else f"6 thang {period.year}"
    stem = rng.choice([f"{unit_name} - BC BĐG {when}", f"{code}_BDG_{period.code}",
                       f"BC BDG {ascii_name} {when_ascii}", f"Báo cáo bình đẳng giới {when} ({unit_name})"])
    return unicodedata.normalize("NFC", f"{stem}.{fmt}")


def _reporter(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_GIVEN)}"


# --- writing ------------------------------------------------------------------------------------------------

@dataclass
class GeneratedProvince:
    code: str
    name: str
    root: Path
    config_path: Path
    inbox: Path
    files: list[dict[str, Any]]


def write_sending(s: Sending, writer: FormWriter, config: ProvinceConfig, period: Period, dest: Path,
                  reporter: str) -> None:
    unit = config.units[s.unit]
    if s.unit_code_text:
        unit = type(unit)(**{**unit.__dict__, "code": s.unit_code_text})
    spec = FormSpec(config=config, period=period, unit=unit, indicator_rows=s.ind_rows, activity_rows=s.act_rows,
                    reporter=reporter, email=s.email, period_text=s.period_text, place_date=s.place_date,
                    signers=s.signers, merged_participants_header=s.merged)
    if s.fmt == "xlsx":
        writer.write(dest, spec, s.sheet_names)
        return
    from tonghop_dev.sample import formats   # the slow converters, used on a few files only

    with tempfile.TemporaryDirectory() as tmp:
        xlsx = writer.write(Path(tmp) / "form.xlsx", spec)
        {"xls": lambda: formats.to_xls(xlsx, dest, s.sheet_names), "ods": lambda: formats.to_ods(xlsx, dest),
         "csv": lambda: formats.to_csv(xlsx, dest, B2), "xlsm": lambda: formats.to_xlsm(xlsx, dest)}[s.fmt]()


def generate_province(spec: ProvinceSpec, out: Path, *, communes: int, period: Period, mistakes: float,
                      seed: int, writer: FormWriter | None = None, limit: int | None = None) -> GeneratedProvince:
    """Write one province: config.yaml, inbox/ with one file per unit (or the first `limit`), expected.json."""
    writer = writer or FormWriter()
    root = out / f"{spec.code}-{spec.slug}"
    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    data = province_config(spec, communes, seed)
    config_path = root / "config.yaml"
    config_path.write_text("# Tỉnh tổng hợp thử (bench/generate_round.py): mã xã, e-mail là mẫu minh họa.\n"
                           + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    config = parse_config(data, source=config_path)
    pop = random.Random(f"{seed}-pop-{spec.code}").randint(800_000, 8_000_000)
    d = config.deadline(period)
    deadline = datetime(d.year, d.month, d.day, 17, 0, tzinfo=TZ)
    plans = {code: acts for code, _n, _i, acts in DEPARTMENTS}
    expected: list[dict[str, Any]] = []
    received: list[tuple[str, datetime]] = []
    names: set[str] = set()
    for code in list(config.units)[:limit]:
        unit = config.units[code]
        rng = random.Random(f"{seed}-{period.code}-{spec.code}-{code}")
        s = Sending(code, indicator_rows(config, code, pop, rng) if unit.indicators else [],
                    activity_rows(plans.get(code, COMMUNE_ACTIVITIES), period, rng))
        planted = rng.random() < mistakes
        apply_habits(s, rng, planted, bool(unit.indicators))
        if planted:
            plant_mistake(s, rng, period)
        if rng.random() < 0.1:
            day = deadline - timedelta(days=rng.randint(1, 10))
            s.place_date = f"{short_name(config.province_name)}, ngày {day.day} tháng {day.month} năm {day.year}"
            s.signers = (_reporter(rng), _reporter(rng))
            s.habits.append("chân biểu có chữ ký và dòng ngày tháng")
        if rng.random() < 0.08:
            s.text_numbers = True
            text_numbers(s)
            s.habits.append("số gõ dạng chữ kiểu Việt Nam")
        name = file_name(unit.name, code, period, rng, s.fmt)
        if name in names:
            name = name.replace(f".{s.fmt}", f" ({code}).{s.fmt}")
        names.add(name)
        write_sending(s, writer, config, period, inbox / name, _reporter(rng))
        late = rng.random() < 0.05
        when = (deadline + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6)) if late
                else deadline - timedelta(days=rng.randint(0, 14), hours=rng.randint(0, 9), minutes=rng.randint(0, 59)))
        received.append((name, when))
        expected.append({"file": name, "unit": code, "status": s.status(), "problems": s.problems,
                         "format": s.fmt, "habits": s.habits})
    with open(inbox / "received.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "received_at"])
        for name, when in sorted(received, key=lambda x: x[1]):
            w.writerow([name, when.isoformat(timespec="seconds")])
    (root / "expected.json").write_text(json.dumps({"province": spec.code, "period": period.code, "files": expected},
                                                   ensure_ascii=False, indent=1), encoding="utf-8")
    return GeneratedProvince(spec.code, spec.name, root, config_path, inbox, expected)


def generate_round(out: Path | str, *, provinces: int, communes_per_province: int, mistakes: float = 0.1,
                   seed: int = 2025, period: str = "2025-Y", limit: int | None = None) -> list[GeneratedProvince]:
    """Generate a whole round: `provinces` provinces of (15 departments + communes_per_province communes)."""
    out = Path(out)
    writer = FormWriter()
    p = Period.parse(period)
    return [generate_province(spec, out, communes=communes_per_province, period=p, mistakes=mistakes, seed=seed,
                              writer=writer, limit=limit)
            for spec in province_specs(provinces)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--communes-per-province", type=int, default=100)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mistakes", type=float, default=0.1, help="share of files with one planted mistake")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--period", default="2025-Y")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    made = generate_round(args.out, provinces=args.provinces, communes_per_province=args.communes_per_province,
                          mistakes=args.mistakes, seed=args.seed, period=args.period)
    n = sum(len(p.files) for p in made)
    planted = sum(1 for p in made for f in p.files if f["problems"])
    dt = time.perf_counter() - t0
    print(f"{len(made)} tỉnh, {n} tệp ({planted} có lỗi cài sẵn) trong {args.out} — {dt:.1f} s "
          f"({dt / max(n, 1) * 1000:.1f} ms/tệp)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
