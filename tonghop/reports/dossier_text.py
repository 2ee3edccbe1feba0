"""The Word report's words, written from a round's figures: the body (I–IV) and the appendices' cell texts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from schemas.catalogue import Indicator
from tonghop.consolidate.completeness import DEFINITION_VI
from tonghop.config import Period
from tonghop.consolidate.merge import FEMALE, MALE
from tonghop.numbers import format_vi
from tonghop.consolidate.outlook import HORIZON, INSUFFICIENT, VERDICT_VI
from tonghop.reports.round_data import IndicatorResult, RoundData, _plausibility_note
from tonghop.safe_text import plain_text
from tonghop.consolidate.targets import (ACHIEVED, NO_DATA, NOT_ACHIEVED, TO_CHECK, meets, plausible, target_bound,
                                          target_text)

ROMAN = ["I", "II", "III", "IV", "V", "VI"]
LETTERS = "abcdefghiklmnopqrstuvxy"          # Vietnamese lists skip j, w, z
# what one "Số lượng" of an activity kind counts, so "263 hoạt động truyền thông", "21 lớp tập huấn"
COUNT_WORD = {"TT": "hoạt động", "TH": "lớp", "MH": "mô hình", "KT": "cuộc", "VP": "vụ", "THD": "hoạt động"}
STATUS_ORDER = (ACHIEVED, NOT_ACHIEVED, NO_DATA, TO_CHECK, None)
STATUS_COUNT_VI = {ACHIEVED: "đạt", NOT_ACHIEVED: "chưa đạt", NO_DATA: "chưa có số liệu",
                   TO_CHECK: "cần kiểm tra lại số liệu", None: "chưa có chỉ tiêu cần đạt để so sánh"}
OFFICER_III = ("Phần hạn chế, nguyên nhân do cán bộ tổng hợp viết (chương trình không tự đánh giá nguyên nhân). "
               "Xóa ghi chú này sau khi viết.")
OFFICER_IV = ("Phần đề xuất, kiến nghị do cán bộ tổng hợp viết trước khi trình ký. Xóa ghi chú này sau khi viết.")


@dataclass(frozen=True)
class Block:
    """One paragraph of the body: kind is heading (level 1: I., 2: 1.), para, or officer (a place to write)."""

    kind: str
    text: str
    level: int = 0
    note: str = ""                 # for officer: the comment Word shows beside the place


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def date_vi(d: date) -> str:
    """Nghị định 30's way: a leading 0 for days below 10 and for months 1 and 2 ("ngày 05 tháng 02 năm 2026")."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def value_text(ind: Indicator, value: float | None) -> str:
    """A value with its unit, as the text says it: 50,53% / 1,82 lần / 44,8 trên 100.000 / có."""
    if value is None:
        return ""
    if ind.is_boolean:
        return "có" if value >= 0.5 else "không"
    if ind.unit.code == "percent":
        return f"{format_vi(value)}%"
    return f"{format_vi(value)} {ind.unit.vi}"


def cell_value(ind: Indicator, value: float | None) -> str:
    """A value in a table whose column gives the unit: 50,53 / Có."""
    if value is None:
        return ""
    if ind.is_boolean:
        return "Có" if value >= 0.5 else "Không"
    return format_vi(value)


def target_phrase(ind: Indicator, year: int) -> str:
    """The target in force as words: từ 60% trở lên / dưới 30% / không quá 111 trên 100 / có."""
    bound = target_bound(ind, year)
    if bound is None:
        return ""
    if bound.boolean:
        return "có" if bound.target >= 0.5 else "không"
    amount = value_text(ind, bound.target)
    if bound.ceiling:
        return amount                       # "100%": nothing is above it
    return {"<": f"dưới {amount}", "≤": f"không quá {amount}", ">": f"trên {amount}",
            "≥": f"từ {amount} trở lên"}[bound.sign]


def target_cell(ind: Indicator, year: int) -> str:
    """The target in a table: ≥ 60 / < 30 / Có / 100 (a 100% target: nothing is above it)."""
    bound = target_bound(ind, year)
    if bound is None or not bound.ceiling:
        return target_text(ind, year)
    return format_vi(bound.target)


def amount_text(ind: Indicator, amount: float) -> str:
    """A difference in the indicator's unit: 9,47 điểm phần trăm / 0,12 lần."""
    if ind.unit.code == "percent":
        return f"{format_vi(amount)} điểm phần trăm"
    return f"{format_vi(amount)} {ind.unit.vi}"


def change_cell(r: IndicatorResult) -> str:
    o = r.outlook
    if r.ind.is_boolean or o.change is None:
        return ""
    return format_vi(o.change, signed=True)


def previous_cell(r: IndicatorResult) -> str:
    """Last year's value; one left out of the comparison as implausible says so."""
    o = r.outlook
    if o.previous_period and o.previous_period in o.unchecked:
        return f"{cell_value(r.ind, o.unchecked[o.previous_period])} (cần kiểm tra)"
    return cell_value(r.ind, o.previous_value)


def baseline_cell(r: IndicatorResult) -> str:
    """The baseline year's value; one that is to be checked says so, as last year's does."""
    if r.baseline is None:
        return ""
    return cell_value(r.ind, r.baseline) + ("" if plausible(r.ind, r.baseline) else " (cần kiểm tra)")


def baseline_sentence(data: RoundData, r: IndicatorResult) -> str:
    """The change since the configured baseline year, when that year's value is on record."""
    base, ind = data.baseline_period, r.ind
    if base is None or r.baseline is None:
        return ""
    if not plausible(ind, r.baseline):
        return (f" Năm gốc {base.year} ({value_text(ind, r.baseline)}) là giá trị cần kiểm tra lại số liệu, "
                f"không dùng để so sánh.")
    change = r.baseline_change
    if change is None:
        return f" Năm gốc {base.year}: {value_text(ind, r.baseline)}."
    moved = ("không thay đổi" if round(change, 2) == 0 else
             f"{'tăng' if change > 0 else 'giảm'} {amount_text(ind, abs(change))}")
    return f" So với năm gốc {base.year} ({value_text(ind, r.baseline)}): {moved}."


def units_text(data: RoundData, codes: list[str]) -> str:
    return ", ".join(data.unit_name(c) for c in codes)


def note_text(data: RoundData, note: str) -> str:
    """A merge or outlook note with a leading unit code ("SNV: …") named in full ("Sở Nội vụ: …")."""
    note = plain_text(note)
    m = re.match(r"^([A-Z0-9]+): ", note)
    if m and m.group(1) in data.config.units:
        note = f"{data.unit_name(m.group(1))}: {note[m.end():]}"
    return note.rstrip(".")


def body_notes(r: IndicatorResult) -> list[str]:
    """The result's notes but the implausibility and outlook ones, which the paragraph says in its sentences."""
    said = _plausibility_note(r.ind, r.value) + r.outlook.notes
    return [n for n in r.notes if n not in said]


def has_comparison(data: RoundData) -> bool:
    """Whether the same period a year earlier is on record (then every indicator has its "Năm trước")."""
    return data.period.year_earlier.code in data.history_periods


# ---------------------------------------------------------------------------------------------------- body


def opening(data: RoundData) -> list[Block]:
    doc, comp = data.config.document, data.completeness
    basis = "; ".join(doc.basis)
    under = f"Thực hiện {basis}; trên" if basis else "Trên"
    period = lower_first(data.period.vi)
    return [Block("para", f"{under} cơ sở báo cáo của {comp.actual}/{comp.expected} đơn vị được giao, "
                          f"{data.config.consolidator_name} báo cáo kết quả thực hiện công tác bình đẳng giới {period} "
                          f"trên địa bàn {lower_first(data.config.province_name)} như sau:")]


def activities_section(data: RoundData) -> list[Block]:
    acts = data.activities
    out = [Block("heading", f"{ROMAN[0]}. KẾT QUẢ CÁC HOẠT ĐỘNG BÌNH ĐẲNG GIỚI", 1)]
    done = [(code, t) for code, t in acts.by_kind.items() if t.rows]
    if not done:
        out.append(Block("para", "Kỳ này chưa có đơn vị nào báo cáo hoạt động (Biểu 02) được chấp nhận."))
        return out
    for i, (code, t) in enumerate(done, start=1):
        name = data.catalogue.activities[code].vi if code in data.catalogue.activities else code
        parts = [f"{format_vi(t.count)} {COUNT_WORD.get(code, 'hoạt động')}" if t.count is not None else ""]
        if t.participants is not None:
            people = f"{format_vi(t.participants)} lượt người tham gia"
            if t.men is not None or t.women is not None:
                people += f" (nam {format_vi(t.men or 0)}, nữ {format_vi(t.women or 0)})"
            parts.append(people)
        if t.budget is not None:
            parts.append(f"kinh phí {format_vi(t.budget, 1)} triệu đồng")
        most = sorted(((u, k[code].count or 0) for u, k in acts.by_unit.items() if code in k),
                      key=lambda uc: -uc[1])[:3]
        by = "; ".join(f"{data.unit_name(u)} ({format_vi(n)})" for u, n in most)
        who = f"{len(t.units)} đơn vị thực hiện" + (f", nhiều nhất là {by}" if len(t.units) > 1 else f" ({by})")
        out.append(Block("para", f"{i}. {name}: " + ", ".join(p for p in parts if p) + f"; {who}."))
    tot = acts.total
    sums = []
    if tot.participants is not None:
        sums.append(f"{format_vi(tot.participants)} lượt người tham gia (nam {format_vi(tot.men or 0)}, "
                    f"nữ {format_vi(tot.women or 0)})")
    if tot.budget is not None:
        sums.append(f"tổng kinh phí {format_vi(tot.budget, 1)} triệu đồng")
    text = f"Tổng cộng {len(tot.units)} đơn vị báo cáo hoạt động"
    text += (": " + ", ".join(sums) if sums else "") + " (chi tiết tại Phụ lục 02)."
    if acts.blocked_rows:
        text += (f" Có {format_vi(acts.blocked_rows)} dòng hoạt động thuộc phần chưa được chấp nhận của tệp báo cáo, "
                 f"chưa được tính.")
    out.append(Block("para", text))
    return out


def indicator_paragraph(data: RoundData, r: IndicatorResult, letter: str, all_insufficient: bool) -> str:
    """The report's paragraph on one indicator: result, target, last year, baseline, projection, sources, notes."""
    ind = r.ind
    text = f"{letter}) Chỉ tiêu {ind.code}. {ind.vi}: " + _say_result(r) + _say_target(data, r) + "."
    text += _say_previous(r) + baseline_sentence(data, r) + _say_unchecked(r) + _say_projection(r, all_insufficient)
    text += _say_sources(data, r)
    for note in body_notes(r):
        text += f" Lưu ý: {note_text(data, note)}."
    return text


def _say_result(r: IndicatorResult) -> str:
    ind = r.ind
    if r.value is None:
        return "chưa có số liệu"
    text = f"kết quả {value_text(ind, r.value)}"
    if ind.counts and not ind.is_boolean and r.total.numerator is not None and r.total.denominator:
        text += f" ({format_vi(r.total.numerator)}/{format_vi(r.total.denominator)})"
    sexes = [f"{s.lower()} {value_text(ind, r.merged.cells[s].value)}" for s in (MALE, FEMALE)
             if s in r.merged.cells and r.merged.cells[s].value is not None]
    if sexes:
        text += f", trong đó {', '.join(sexes)}"
    return text


def _say_target(data: RoundData, r: IndicatorResult) -> str:
    ind = r.ind
    if not r.target:
        return "; chưa có chỉ tiêu cần đạt để so sánh"
    text = f"; chỉ tiêu cần đạt năm {r.target[0]}: {target_phrase(ind, data.period.year)}"
    if r.status == ACHIEVED:
        text += " – đạt"
    elif r.status == NOT_ACHIEVED:
        text += " – chưa đạt"
        if r.gap is not None and not ind.is_boolean:
            text += f" ({'thấp' if r.gap < 0 else 'cao'} hơn {amount_text(ind, abs(r.gap))})"
    elif r.status == TO_CHECK:
        lo, hi = ind.unit.plausible
        text += (f" – chưa so sánh được: giá trị nằm ngoài khoảng thường gặp của chỉ tiêu ({format_vi(lo)}–"
                 f"{format_vi(hi)}), đề nghị {units_text(data, r.merged.units)} kiểm tra lại số liệu")
    return text


def _say_previous(r: IndicatorResult) -> str:
    """The sentence comparing with the same period last year ("" when there is none)."""
    ind, o = r.ind, r.outlook
    if not o.previous_period:
        return ""
    prev = lower_first(Period.parse(o.previous_period).vi)
    if o.previous_period in o.unchecked:
        return (f" Cùng kỳ năm trước ({prev}: {value_text(ind, o.unchecked[o.previous_period])}) là giá trị "
                f"cần kiểm tra lại số liệu, không dùng để so sánh.")
    if o.change is not None and not ind.is_boolean:
        moved = ("không thay đổi" if round(o.change, 2) == 0 else
                 f"{'tăng' if o.change > 0 else 'giảm'} {amount_text(ind, abs(o.change))}")
        return f" So với cùng kỳ năm trước ({prev}: {value_text(ind, o.previous_value)}): {moved}."
    if o.previous_value is not None:
        return f" Cùng kỳ năm trước ({prev}): {value_text(ind, o.previous_value)}."
    if r.value is not None:
        return f" Cùng kỳ năm trước ({prev}) chưa có số liệu để so sánh."
    return ""


def _say_unchecked(r: IndicatorResult) -> str:
    """Earlier values to be checked again, left out of the projection (last year's is said with the comparison)."""
    o = r.outlook
    return "".join(f" Giá trị {lower_first(Period.parse(code).vi)} ({value_text(r.ind, v)}) cần kiểm tra lại số "
                   f"liệu, không dùng để dự báo." for code, v in o.unchecked.items() if code != o.previous_period)


def _say_projection(r: IndicatorResult, all_insufficient: bool) -> str:
    """The trend's projection to the horizon, or that there are too few years (unless said once for all)."""
    ind, o = r.ind, r.outlook
    if r.value is None or ind.is_boolean or not o.verdict or (all_insufficient and o.verdict == INSUFFICIENT):
        return ""
    if o.verdict == INSUFFICIENT:
        return f" Chưa đủ số liệu các năm để dự báo đến năm {HORIZON}."
    if o.projected is not None and o.target is not None:
        years = f"{o.points[0][0]}–{o.points[-1][0]}"
        reach = "đạt" if meets(ind, o.projected, HORIZON, o.target) else "chưa đạt"
        return (f" Theo xu hướng các năm {years}, dự báo năm {HORIZON}: {value_text(ind, o.projected)}, "
                f"{reach} chỉ tiêu cần đạt năm {HORIZON} ({target_phrase(ind, HORIZON)}) – "
                f"{lower_first(VERDICT_VI[o.verdict])}.")
    return ""


def _say_sources(data: RoundData, r: IndicatorResult) -> str:
    """Which units the figures come from, and which assigned units have not reported."""
    if r.merged.units:
        return (f" Nguồn số liệu: {units_text(data, r.merged.units)}"
                + (f"; chưa có số liệu của {units_text(data, r.merged.units_missing)}."
                   if r.merged.units_missing else "."))
    if r.merged.units_missing:
        return f" Đơn vị được giao chưa có số liệu: {units_text(data, r.merged.units_missing)}."
    return ""


def indicators_section(data: RoundData) -> list[Block]:
    out = [Block("heading", f"{ROMAN[1]}. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU", 1)]
    results = list(data.results.values())
    numeric = [r for r in results if not r.ind.is_boolean and r.outlook.verdict is not None]
    all_insufficient = bool(numeric) and all(r.outlook.verdict == INSUFFICIENT for r in numeric)
    intro = (f"Kết quả {len(results)} chỉ tiêu của Chiến lược quốc gia về bình đẳng giới được tổng hợp từ số liệu "
             f"được chấp nhận của các đơn vị được giao (chi tiết tại Phụ lục 01).")
    if not has_comparison(data):
        intro += (f" Chưa có số liệu cùng kỳ năm trước ({lower_first(data.period.year_earlier.vi)}) để so sánh.")
    if all_insufficient:
        intro += (f" Số liệu các năm hiện có chưa đủ để dự báo khả năng đạt chỉ tiêu năm {HORIZON} "
                  f"(cần số liệu từ 2 năm trở lên).")
    out.append(Block("para", intro))
    for i, (goal, items) in enumerate(data.by_goal().items(), start=1):
        if not items:
            continue
        out.append(Block("heading", f"{i}. Mục tiêu {goal}: {data.catalogue.goals[goal].vi}", 2))
        for letter, r in zip(LETTERS, items):
            out.append(Block("para", indicator_paragraph(data, r, letter, all_insufficient)))
    return out


def status_counts(data: RoundData) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {s: [] for s in STATUS_ORDER}
    for code, r in data.results.items():
        out.setdefault(r.status, []).append(code)
    return out


def assessment_section(data: RoundData) -> list[Block]:
    comp = data.completeness
    out = [Block("heading", f"{ROMAN[2]}. ĐÁNH GIÁ CHUNG", 1),
           Block("heading", "1. Kết quả thực hiện các chỉ tiêu", 2)]
    counts = status_counts(data)
    parts = [f"{len(codes)} chỉ tiêu {STATUS_COUNT_VI[s]} ({', '.join(codes)})"
             for s, codes in counts.items() if codes]
    year = data.period.year
    milestone = next((r.target[0] for r in data.results.values() if r.target), year)
    out.append(Block("para", f"Trong {len(data.results)} chỉ tiêu, so với chỉ tiêu cần đạt năm {milestone}: "
                             + "; ".join(parts) + "."))
    out.append(Block("heading", "2. Tình hình báo cáo của các đơn vị", 2))
    on_time = f"{comp.on_time} đơn vị nộp đúng hạn" if comp.on_time else "không đơn vị nào nộp đúng hạn"
    text = (f"Có {comp.actual}/{comp.expected} đơn vị đã nộp báo cáo ({format_vi(comp.rate(comp.actual))}%), trong đó "
            f"{on_time} (hạn nộp hết ngày {comp.deadline.strftime('%d/%m/%Y')}).")
    late = [u for u in comp.units if u.on_time is False]
    if late:
        text += " Nộp muộn: " + "; ".join(
            f"{u.unit.name} (nhận ngày {u.received_local.strftime('%d/%m/%Y')}, muộn {u.days_late} ngày)"
            for u in late) + "."
    missing = [u for u in comp.units if not u.reported]
    if missing:
        text += " Chưa nộp: " + "; ".join(
            u.unit.name + (" (tệp đã gửi chưa được chấp nhận)" if u.unit.code in comp.rejected else "")
            for u in missing) + "."
    else:
        text += " Tất cả các đơn vị đã nộp báo cáo."
    out.append(Block("para", text + " " + DEFINITION_VI))
    out.append(Block("heading", "3. Hạn chế, nguyên nhân", 2))
    out.append(Block("officer", "", note=OFFICER_III))
    return out


def proposals_section() -> list[Block]:
    return [Block("heading", f"{ROMAN[3]}. ĐỀ XUẤT, KIẾN NGHỊ", 1), Block("officer", "", note=OFFICER_IV)]


def body(data: RoundData) -> list[Block]:
    """Sections I–IV in order, with the opening paragraph and the closing sentence."""
    closing = [Block("para", f"Trên đây là báo cáo kết quả thực hiện công tác bình đẳng giới "
                             f"{lower_first(data.period.vi)} của {data.config.consolidator_name}./.")]
    return (opening(data) + activities_section(data) + indicators_section(data) + assessment_section(data)
            + proposals_section() + closing)
