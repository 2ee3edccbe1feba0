"""Regenerate the Sơn La sample round (2025-Y, 2025-H1): every department and commune, files as people send them.

Run: .venv/bin/python sample_inputs/generate.py [--out DIR]. Deterministic: the figures are fixed in data.py and the
activity rows, the communes' habits and the arrival times come from random generators seeded per period and unit.
A realistic round: most units on time, a few late, a few send nothing, a few make honest mistakes (one sends a
corrected file after its first), and EXPECTED.yaml lists every planted problem.
"""
from __future__ import annotations

import argparse
import csv
import random
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from schemas.catalogue import load_catalogue
from schemas.labels import SHEET_ACTIVITIES, SHEET_INDICATORS
from tonghop.config import Period, ProvinceConfig, load_config
from tonghop.problems import PROBLEM_TYPES, WARNING
from tonghop.reports.form import write_form
from tonghop_dev.sample import formats
from tonghop_dev.sample.data import (ACTIVITY_PLAN, FIGURES, FILE_NAMES, HEADS, MEDIA_UNITS, PLACES, REPORTERS,
                                     activity_rows, commune_profile)

SAMPLE_INPUTS = Path(__file__).resolve().parents[2] / "sample_inputs"

SEED = 2025
TZ = timezone(timedelta(hours=7))
PERIODS = ("2025-Y", "2025-H1")
# Units whose file comes after the deadline day
LATE = {"2025-Y": ("MTTQ", "X03980", "X04159", "X03862", "X04231"),
        "2025-H1": ("BSL", "X03847", "X03670", "X04210")}
# Communes that send nothing this period (remote ones, or an officer on leave)
NO_FILE = {"2025-Y": ("X03880", "X04186", "X04240"), "2025-H1": ("X03868", "X04228", "X03901")}
# A commune whose first file has a mistake and which sends a corrected file two days later
RESENT = {"2025-Y": "X04168", "2025-H1": "X03979"}
# The brief's example date line: Sở Nội vụ signs its annual report on 20/11/2025.
FIXED_ARRIVAL = {("2025-Y", "SNV"): datetime(2025, 11, 20, 16, 45, tzinfo=TZ)}


@dataclass
class Sending:
    """One file as a unit sends it: its rows, how it is written, and the problems planted in it."""

    unit: str
    period: Period
    ind_rows: list[dict[str, Any] | None]
    act_rows: list[dict[str, Any] | None]
    fmt: str = "xlsx"                     # xlsx | xls | ods | csv | xlsm
    kwargs: dict[str, Any] = field(default_factory=dict)
    edits: list[Callable[[Workbook, "Sending"], None]] = field(default_factory=list)
    sheet_names: dict[str, str] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    about: list[str] = field(default_factory=list)

    @property
    def first_activity_row(self) -> int:
        return 10 if self.kwargs.get("merged_participants_header") else 9

    def find(self, code: str, sex: str = "Tổng", start: int = 0) -> int:
        for i, row in enumerate(self.ind_rows[start:], start=start):
            if row and row["indicator"] == code and row.get("sex", "Tổng") == sex:
                return i
        raise KeyError(code)

    def find_activity(self, code: str) -> int:
        return next(i for i, row in enumerate(self.act_rows) if row and row["activity"] == code)

    def plant(self, code: str, sheet: str, index: int, column: str, blocks: str | None) -> None:
        """Record a planted problem at the cell of row `index` of the sheet's table."""
        first = 9 if sheet == SHEET_INDICATORS else self.first_activity_row
        self.problems.append({"code": code, "sheet": sheet, "cell": f"{column}{first + index}"})
        if blocks and PROBLEM_TYPES[code].severity != WARNING:
            self.blocked.add(blocks)


def vn(x: float | int, sep: str = ".") -> str:
    """A number typed the Vietnamese way: 1.318.700 (or 12 500), decimal comma 45,5."""
    whole, _, frac = f"{x:.2f}".partition(".") if isinstance(x, float) and not x.is_integer() else (str(int(x)), "", "")
    frac = frac.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", sep)
    return grouped + ("," + frac if frac else "")


def _value(code: str, num: float, den: float) -> float:
    factor = load_catalogue().indicators[code].unit.factor or 1
    return round(num / den * factor, 2)


def indicator_rows(config: ProvinceConfig, unit: str, period: str) -> list[dict[str, Any] | None]:
    """Clean Biểu 01 rows for the unit from FIGURES, every assigned indicator present."""
    rows: list[dict[str, Any] | None] = []
    for code, sex, num, den, *rest in FIGURES[period].get(unit, []):
        value = rest[0] if rest and rest[0] is not None else _value(code, num, den)
        note = rest[1] if len(rest) > 1 else None
        rows.append({"indicator": code, "area": config.province_code, "sex": sex, "numerator": num,
                     "denominator": den, "value": value, "note": note})
    missing = set(config.units[unit].indicators) - {r["indicator"] for r in rows if r}
    assert not missing, f"{unit} {period}: no figures for {missing}"
    return rows


# --- habits: how each unit writes its file, the same every period --------------------------------------------

def _text_numbers(s: Sending, codes: tuple[str, ...], sep: str = ".") -> None:
    for row in s.ind_rows:
        if row and row["indicator"] in codes:
            for key in ("numerator", "denominator", "value"):
                if isinstance(row[key], (int, float)):
                    row[key] = vn(row[key], sep)


def _signed(s: Sending, arrival: datetime) -> None:
    day = arrival - timedelta(days=1 if arrival.hour < 10 else 0)
    s.kwargs["place_date"] = f"{PLACES[s.unit]}, ngày {day.day} tháng {day.month} năm {day.year}"
    s.kwargs["signers"] = (REPORTERS[s.unit], HEADS[s.unit])
    s.about.append("chân biểu có chữ ký và dòng ngày tháng")


def habit(s: Sending, arrival: datetime) -> None:
    """Apply the unit's own way of filling and saving the form."""
    u = s.unit
    if u == "SNV":
        i = s.find("1.1")
        s.ind_rows[i]["value"] = f"=G{9 + i}/H{9 + i}*100"
        _text_numbers(s, ("6.1", "2.1", "2.2"))
        _signed(s, arrival)
        s.about += [f"Biểu 01!I{9 + i} là công thức =G/H*100 không có giá trị lưu sẵn",
                    "số gõ dạng chữ kiểu Việt Nam (1.318.700; 61,61)"]
    elif u == "SGDDT":
        _text_numbers(s, ("5.1",), sep=" ")
        i = s.find("5.2a")
        s.edits.append(lambda wb, s, i=i: _percent_cell(wb, s, i))
        s.edits.append(lambda wb, s: setattr(wb[SHEET_INDICATORS].column_dimensions["E"], "hidden", True))
        s.about += ["5.1 gõ dạng chữ có dấu cách ngăn nghìn (11 842)",
                    f"Biểu 01!I{9 + i} định dạng phần trăm (ô chứa tỷ lệ 0,xxxx)", "cột E bị ẩn"]
    elif u == "SYT":
        s.ind_rows[1:1] = [None]
        s.ind_rows[4:4] = [None, None]
        _signed(s, arrival)
        s.about.append("dòng trống xen giữa bảng Biểu 01")
    elif u == "SVHTTDL":
        for row in s.ind_rows:
            if row:
                row["value"] = vn(row["value"])
        s.about.append("Giá trị gõ dạng chữ với dấu phẩy thập phân (85,71)")
    elif u == "CAT":
        _signed(s, arrival)
    elif u == "CCTK":
        s.fmt = "xls"
        s.sheet_names = {SHEET_INDICATORS: "Bieu 01", SHEET_ACTIVITIES: "Bieu 02"}
        s.about.append("tệp .xls cũ (BIFF8), trang tính đổi tên Bieu 01 / Bieu 02")
    elif u == "BSL":
        s.edits.append(_rename_upper)
        s.about.append("trang tính đổi tên BIEU01 / BIEU02")
    elif u == "STP":
        s.fmt = "csv"
        s.about.append("chỉ gửi Biểu 02 dạng CSV (UTF-8 có BOM), bố cục như trang tính")
    elif u == "SDTTG":
        s.fmt = "xlsm"
        s.about.append("tệp .xlsm (macro-enabled, không có VBA)")
    elif u == "X03667":
        s.fmt = "ods"
        s.about.append("tệp .ods của LibreOffice")
    elif u in ("BDBP", "X03646"):
        s.kwargs["merged_participants_header"] = True
        s.about.append("Biểu 02: 'Số người tham gia' gộp trên hai dòng Tổng | Nam | Nữ, số liệu từ dòng 10")
        if u == "BDBP":
            s.act_rows[1:1] = [None, None]
            s.about.append("dòng trống xen giữa bảng Biểu 02")
        else:
            _signed(s, arrival)
    elif u == "X03980":
        for row in s.act_rows:
            if row:
                for key in ("participants", "men", "women", "budget"):
                    if isinstance(row.get(key), (int, float)):
                        row[key] = vn(row[key])
        _signed(s, arrival)
        s.about.append("Biểu 02: số gõ dạng chữ (1.250; 12,5)")
    elif u in PROFILED:
        commune_habit(s, arrival)


# The communes described only by data.commune_profile, filled in by describe_communes
PROFILED: set[str] = set()


def describe_communes(config: ProvinceConfig) -> None:
    """File name, reporter, chairman, place and activities of every commune not described by hand."""
    for code, unit in config.units.items():
        if unit.kind != "commune" or code in FILE_NAMES:
            continue
        FILE_NAMES[code], REPORTERS[code], HEADS[code], PLACES[code], ACTIVITY_PLAN[code] = commune_profile(
            code, unit.name)
        PROFILED.add(code)


def commune_habit(s: Sending, arrival: datetime) -> None:
    """A commune's own way with the form, drawn once per commune (the same every period)."""
    pick = random.Random(f"{SEED}-habit-{s.unit}").random()
    if pick < 0.3:
        _signed(s, arrival)
    elif pick < 0.4:
        s.kwargs["merged_participants_header"] = True
        s.about.append("Biểu 02: 'Số người tham gia' gộp trên hai dòng Tổng | Nam | Nữ, số liệu từ dòng 10")
    elif pick < 0.5:
        s.act_rows[1:1] = [None]
        s.about.append("dòng trống xen giữa bảng Biểu 02")
    elif pick < 0.6:
        for row in s.act_rows:
            if row:
                for key in ("participants", "men", "women", "budget"):
                    if isinstance(row.get(key), (int, float)):
                        row[key] = vn(row[key])
        s.about.append("Biểu 02: số gõ dạng chữ (1.250; 12,5)")


def _percent_cell(wb: Workbook, s: Sending, i: int) -> None:
    row = s.ind_rows[i]
    cell = wb[SHEET_INDICATORS][f"I{9 + i}"]
    cell.value = round(row["numerator"] / row["denominator"], 4)
    cell.number_format = "0.00%"


def _rename_upper(wb: Workbook, s: Sending) -> None:
    wb[SHEET_INDICATORS].title = "BIEU01"
    wb[SHEET_ACTIVITIES].title = "BIEU02"


# --- honest mistakes ----------------------------------------------------------------------------------------

def plant_mistakes(s: Sending) -> None:
    """The planted problems of a period; each in a plain .xlsx with the canonical sheet names."""
    key, B1, B2 = (s.period.code, s.unit), SHEET_INDICATORS, SHEET_ACTIVITIES
    if key == ("2025-Y", "SNV"):            # digits swapped: 27,39 typed as 72,39
        i = s.find("2.1")
        s.ind_rows[i]["value"] = 72.39
        s.plant("value-mismatch", B1, i, "I", "2.1")
    elif key == ("2025-Y", "SGDDT"):        # girls' count mistyped, Nam + Nữ no longer equals Tổng
        i = s.find("5.1", "Nữ")
        s.ind_rows[i].update(numerator=5_862, value=_value("5.1", 5_862, 6_295))
        s.plant("sex-sum-mismatch", B1, s.find("5.1"), "G", "5.1")
    elif key == ("2025-Y", "CAT"):          # numerator taken from another line; Giá trị left to the formula
        i = s.find("3.3")
        s.ind_rows[i].update(numerator=28, value=None)
        s.plant("numerator-above-denominator", B1, i, "G", "3.3")
    elif key == ("2025-Y", "STC"):          # a city row with the district code abolished on 1/7/2025
        s.ind_rows.append({"indicator": "2.3", "area": "116", "area_name": "Thành phố Sơn La", "sex": "Tổng",
                           "numerator": 512, "denominator": 1_730, "value": _value("2.3", 512, 1_730)})
        s.plant("unknown-area", B1, len(s.ind_rows) - 1, "D", "2.3")
    elif key == ("2025-Y", "SVHTTDL"):      # the same row pasted twice
        i = s.find("3.2a")
        s.ind_rows.insert(i + 1, dict(s.ind_rows[i]))
        s.plant("duplicate-row", B1, i, "B", "3.2a")
        s.plant("duplicate-row", B1, i + 1, "B", "3.2a")
    elif key == ("2025-Y", "SYT"):          # boys/girls typed as a ratio, not per 100; no Tử số/Mẫu số given
        i = s.find("4.1")
        s.ind_rows[i].update(numerator=None, denominator=None, value=1.12)
        s.plant("out-of-range", B1, i, "I", None)
    elif key == ("2025-Y", "MTTQ"):         # total not updated after correcting the women's count
        i = s.find_activity("TH")
        s.act_rows[i]["participants"] = s.act_rows[i]["men"] + s.act_rows[i]["women"] + 50
        s.plant("participants-mismatch", B2, i, "E", "TH")
    elif key == ("2025-Y", "X03847"):       # an estimate instead of a count
        i = s.find_activity("TT")
        s.act_rows[i].update(participants="khoảng 300", men=None, women=None)
        s.plant("not-a-number", B2, i, "E", "TT")
    elif key == ("2025-H1", "SYT"):         # decimal point slipped: 19,79 typed as 197,9
        i = s.find("4.3")
        s.ind_rows[i]["value"] = 197.9
        s.plant("value-mismatch", B1, i, "I", "4.3")
    elif key in COMMUNE_MISTAKES:
        COMMUNE_MISTAKES[key](s)


def _total_not_updated(s: Sending, code: str = "TT") -> None:
    """Women's count corrected, total left as it was."""
    i = s.find_activity(code)
    s.act_rows[i]["women"] += 12
    s.plant("participants-mismatch", SHEET_ACTIVITIES, i, "E", code)
    s.about.append("Biểu 02: sửa số nữ nhưng quên sửa tổng số người tham gia")


def _words_in(column: str, key: str, text: str, code: str = "TT") -> Callable[[Sending], None]:
    """A count written with its unit or as an estimate ("3 buổi", "khoảng 250 người")."""
    def plant(s: Sending) -> None:
        i = s.find_activity(code)
        s.act_rows[i][key] = text
        if key == "participants":
            s.act_rows[i].update(men=None, women=None)
        s.plant("not-a-number", SHEET_ACTIVITIES, i, column, code)
        s.about.append(f"Biểu 02: ghi chữ vào ô số ({text!r})")
    return plant


def _corrected(s: Sending) -> None:
    """The file sent again after correcting: nothing left to find."""


def _other_period_in_header(s: Sending) -> None:
    """Last half-year's file opened again and refilled: its header still says the old period."""
    s.kwargs["period_text"] = Period(s.period.year, "H1").vi
    s.problems.append({"code": "period-mismatch", "sheet": SHEET_INDICATORS, "cell": "C3"})
    s.about.append(f"mở lại tệp 6 tháng để điền: ô kỳ báo cáo vẫn ghi '{s.kwargs['period_text']}'")


# The communes' honest mistakes, by (period, unit); the first file of RESENT units gets _total_not_updated.
COMMUNE_MISTAKES: dict[tuple[str, str], Callable[[Sending], None]] = {
    ("2025-Y", "X03721"): _total_not_updated,                                        # Thuận Châu
    ("2025-Y", "X04105"): _total_not_updated,                                        # Mai Sơn
    ("2025-Y", "X03808"): _words_in("E", "participants", "khoảng 250 người"),        # Mường La
    ("2025-Y", "X04075"): _words_in("D", "count", "3 buổi"),                         # Yên Châu
    ("2025-Y", "X03910"): _other_period_in_header,                                   # Phù Yên
    ("2025-H1", "X03754"): _total_not_updated,                                       # Chiềng La
    ("2025-H1", "X04000"): _words_in("D", "count", "2 hội nghị"),                    # Đoàn Kết
}


def status_of(s: Sending) -> str:
    """The status rule: file-level → rejected; blocked items → partial if anything else is accepted."""
    if any(PROBLEM_TYPES[p["code"]].file_level for p in s.problems):
        return "rejected"
    items = {r["indicator"] for r in s.ind_rows if r} | {r["activity"] for r in s.act_rows if r}
    if not s.blocked:
        return "accepted"
    return "partially_accepted" if items - s.blocked else "rejected"


# --- writing ------------------------------------------------------------------------------------------------

def arrival_time(period: Period, unit: str, deadline: datetime) -> datetime:
    if (period.code, unit) in FIXED_ARRIVAL:
        return FIXED_ARRIVAL[(period.code, unit)]
    rng = random.Random(f"{SEED}-arrival-{period.code}-{unit}")
    if unit in LATE[period.code]:
        return deadline + timedelta(days=rng.randint(1, 3), hours=rng.randint(8, 16), minutes=rng.randint(0, 59))
    # a resending commune sent its first file early enough to correct it before the deadline
    latest = 14 if unit != RESENT[period.code] else 8
    return deadline - timedelta(days=rng.randint(1, latest)) + timedelta(hours=rng.randint(7, 17),
                                                                         minutes=rng.randint(0, 59))


def file_name(unit: str, period: Period) -> str:
    vi = period.vi.lower() if period.kind == "Y" else period.vi
    ascii_ = f"nam {period.year}" if period.kind == "Y" else f"6 thang {period.year}"
    name = FILE_NAMES[unit].format(vi=vi, ascii=ascii_, code=period.code)
    return unicodedata.normalize("NFC", name)


def write_sending(s: Sending, config: ProvinceConfig, dest: Path) -> None:
    unit = config.units[s.unit]
    edits = list(s.edits)
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = dest if s.fmt == "xlsx" else Path(tmp) / "form.xlsx"
        write_form(xlsx, config=config, period=s.period, unit=unit, indicator_rows=s.ind_rows,
                   activity_rows=s.act_rows, reporter=REPORTERS[s.unit],
                   edit=lambda wb: [e(wb, s) for e in edits], **s.kwargs)
        if s.fmt == "xls":
            formats.to_xls(xlsx, dest, s.sheet_names)
        elif s.fmt == "ods":
            formats.to_ods(xlsx, dest)
        elif s.fmt == "csv":
            formats.to_csv(xlsx, dest, SHEET_ACTIVITIES)
        elif s.fmt == "xlsm":
            formats.to_xlsm(xlsx, dest)


def generate_period(config: ProvinceConfig, period: Period, out: Path) -> list[dict[str, Any]]:
    """Write every unit's file (plus the strays of 2025-Y) and received.csv; return the EXPECTED entries."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file():
            old.unlink()
    d = config.deadline(period)
    deadline = datetime(d.year, d.month, d.day, tzinfo=TZ)
    expected: list[dict[str, Any]] = []
    received: list[tuple[str, datetime]] = []

    def send(code: str, arrival: datetime, name: str, mistake: Callable[[Sending], None] | None = None,
             about: str | None = None) -> None:
        rng = random.Random(f"{SEED}-{period.code}-{code}")
        s = Sending(code, period, indicator_rows(config, code, period.code),
                    activity_rows(rng, code, period, ACTIVITY_PLAN.get(code, ()), code in MEDIA_UNITS))
        habit(s, arrival)
        if mistake:
            mistake(s)
        else:
            plant_mistakes(s)
        write_sending(s, config, out / name)
        received.append((name, arrival))
        if arrival >= deadline + timedelta(days=1):
            s.about.append("gửi sau hạn")
        if about:
            s.about.append(about)
        expected.append({"file": name, "unit": code, "status": status_of(s), "problems": s.problems,
                         "about": "; ".join(s.about) or "tệp .xlsx theo mẫu"})

    for code in config.units:
        if code in NO_FILE[period.code]:
            continue
        arrival, name = arrival_time(period, code, deadline), file_name(code, period)
        if code == RESENT[period.code]:
            first = arrival - timedelta(days=2)
            send(code, first, name, _total_not_updated, "gửi lần đầu, hai ngày sau gửi bản sửa")
            name = name.replace(".xlsx", " (bản sửa).xlsx")
            about = f"bản sửa của tệp gửi ngày {first.day}/{first.month}: thay thế tệp đó"
            send(code, arrival, name, _corrected, about)
            continue
        send(code, arrival, name)
    if period.code == "2025-Y":
        expected += _strays(config, period, out, received)
    with open(out / "received.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "received_at"])
        for name, when in sorted(received, key=lambda x: x[1]):
            writer.writerow([name, when.isoformat(timespec="seconds")])
    return expected


def _strays(config: ProvinceConfig, period: Period, out: Path, received: list) -> list[dict[str, Any]]:
    """Last year's report left in the inbox, and a text file renamed .xlsx."""
    old = Period(period.year - 1, "Y")
    s = Sending("SKHCN", old, [], activity_rows(random.Random(f"{SEED}-{old.code}-SKHCN"), "SKHCN", old,
                                                ACTIVITY_PLAN["SKHCN"], False))
    s.problems.append({"code": "period-mismatch", "sheet": SHEET_INDICATORS, "cell": "C3"})
    name = unicodedata.normalize("NFC", f"SKHCN - BC BĐG năm {old.year}.xlsx")
    write_sending(s, config, out / name)
    received.append((name, datetime(period.year, 11, 12, 8, 5, tzinfo=TZ)))
    bogus = unicodedata.normalize("NFC", "Báo cáo bình đẳng giới.xlsx")
    (out / bogus).write_text("Kính gửi Sở Nội vụ,\nĐơn vị gửi báo cáo qua đường link đính kèm.\n", encoding="utf-8")
    received.append((bogus, datetime(period.year, 11, 21, 10, 32, tzinfo=TZ)))
    return [
        {"file": name, "unit": "SKHCN", "status": "rejected", "problems": s.problems,
         "about": f"báo cáo năm {old.year} của SKHCN còn trong hộp thư (kỳ báo cáo 'Năm {old.year}')"},
        {"file": bogus, "unit": None, "status": "rejected",
         "problems": [{"code": "file-unreadable", "sheet": "", "cell": ""}],
         "about": "không phải bảng tính: một đoạn văn bản đổi đuôi thành .xlsx"},
    ]


HEADER = """\
# Expected outcome of validating the sample round (written by sample_inputs/generate.py; do not edit by hand).
# For each period and file: the unit code (null when the file cannot be read), the expected status
# (accepted / partially_accepted / rejected) and the planted problems as {code, sheet, cell}.
# Convention for the header block: the label is in column A (A:B merged) and the value in column C, so the
# period value cell is C3. (Were B:C merged instead, the value would be stored in B3.)
# Status rule: a file-level problem rejects the file; an error blocks its indicator (Biểu 01) or activity
# code (Biểu 02); partially_accepted when something else is still accepted, rejected when nothing is;
# warnings (out-of-range) never block. Apart from the problems listed, every file is clean.
# no_file: the units that sent nothing that period. Arrival times are in <period>/received.csv.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLE_INPUTS, help="folder for <period>/ and EXPECTED.yaml")
    args = parser.parse_args(argv)
    config = load_config()
    describe_communes(config)
    result = {"periods": {}}
    for code in PERIODS:
        period = Period.parse(code)
        result["periods"][code] = {"deadline": config.deadline(period).isoformat(),
                                   "no_file": list(NO_FILE[code]),
                                   "files": generate_period(config, period, args.out / code)}
    text = yaml.safe_dump(result, allow_unicode=True, sort_keys=False, width=120)
    (args.out / "EXPECTED.yaml").write_text(HEADER + text, encoding="utf-8")
    print(f"Đã tạo bộ mẫu trong {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
