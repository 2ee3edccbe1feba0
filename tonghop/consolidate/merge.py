"""Merge the accepted figures of the current submissions into one value per indicator and sex."""

# Rules (per indicator, from the catalogue's `merge`), in the README too:
# * ratio_of_sums: value = Σ Tử số / Σ Mẫu số × factor over every contributing part, never a mean of rates.
# * One unit's part (indicator, sex): its commune rows summed when they all give Tử số and Mẫu số (a province
#   row beside them is not used; a note when it differs); otherwise its province row.
# * Several units on one indicator (3.2a: SNV + SVHTTDL, 5.4: SNV + SGDDT): the province's choice in
#   configuration (`multi_unit`): "sum" (default) adds their parts; a unit code takes that unit's part only and
#   keeps the others' as a cross-check, noted beside the value.
# * A value-only part cannot be added: left out (noted) when other parts have Tử số/Mẫu số; when all parts are
#   value-only, the value of the first unit the indicator is assigned to, in configuration order.
# * boolean_any: yes (1) when any accepted figure says yes, else no (0).
# * Each sex (Tổng, Nam, Nữ) separately; a unit giving Nam and Nữ but no Tổng has Tổng = Nam + Nữ.
# * Only accepted figures are merged; blocked ones stay as unused sources so the trace says why.

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from schemas.catalogue import Catalogue, Indicator
from tonghop.config import ProvinceConfig
from tonghop.consolidate.current import FigureRecord
from tonghop.numbers import format_vi

TOTAL, MALE, FEMALE = "Tổng", "Nam", "Nữ"
SEXES = (TOTAL, MALE, FEMALE)


@dataclass(frozen=True)
class Source:
    """One figure and what the merge did with it (reason in Vietnamese when it was not used)."""

    figure: FigureRecord
    used: bool
    reason: str = ""


@dataclass
class Part:
    """One unit's contribution to one indicator and sex."""

    unit_code: str
    numerator: float | None
    denominator: float | None
    value: float | None
    sources: list[Source]

    @property
    def has_ratio(self) -> bool:
        return self.numerator is not None and self.denominator is not None


@dataclass
class Cell:
    """The consolidated number of one indicator for one sex."""

    sex: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    units: list[str] = field(default_factory=list)          # the units whose figures were used
    sources: list[Source] = field(default_factory=list)


@dataclass
class Consolidated:
    indicator: Indicator
    cells: dict[str, Cell]                                   # by sex, Tổng first
    units_assigned: list[str]
    units_missing: list[str]                                 # assigned, but no figure used
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Cell:
        return self.cells[TOTAL]

    @property
    def units(self) -> list[str]:
        seen: list[str] = []
        for cell in self.cells.values():
            seen += [u for u in cell.units if u not in seen]
        return seen


def _complete(f: FigureRecord) -> bool:
    return f.numerator is not None and f.denominator is not None


def _ratio(ind: Indicator, num: float, den: float) -> float | None:
    return None if den == 0 else num / den * (ind.unit.factor or 1)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _unit_part(ind: Indicator, unit: str, rows: list[FigureRecord], province: str,
               notes: list[str]) -> Part | None:
    """One unit's accepted rows for one indicator and sex reduced to one part (communes roll up)."""
    if ind.merge == "boolean_any":
        values = [f.value for f in rows if f.value is not None]
        if not values:
            return None
        return Part(unit, None, None, 1.0 if any(v >= 0.5 for v in values) else 0.0,
                    [Source(f, f.value is not None, "" if f.value is not None else "không có giá trị") for f in rows])
    prov = [f for f in rows if f.area == province]
    communes = [f for f in rows if f.area != province]
    if communes and all(_complete(f) for f in communes):
        num = math.fsum(f.numerator for f in communes)
        den = math.fsum(f.denominator for f in communes)
        sources = [Source(f, True) for f in communes]
        for p in prov:
            sources.append(Source(p, False, "dùng tổng các xã, phường thay cho dòng toàn tỉnh"))
            if _complete(p) and not (_close(p.numerator, num) and _close(p.denominator, den)):
                notes.append(f"{unit}: dòng toàn tỉnh ({p.sheet}!{p.cell}: Tử số {format_vi(p.numerator)}, "
                             f"Mẫu số {format_vi(p.denominator)}) khác tổng các xã, phường (Tử số "
                             f"{format_vi(num)}, Mẫu số {format_vi(den)}); đã dùng tổng các xã, phường")
            elif not _complete(p) and p.value is not None and _ratio(ind, num, den) is not None \
                    and abs(p.value - _ratio(ind, num, den)) > 0.01:
                notes.append(f"{unit}: giá trị dòng toàn tỉnh ({format_vi(p.value)}) khác giá trị tính từ các xã, "
                             f"phường ({format_vi(_ratio(ind, num, den))}); đã dùng các xã, phường")
        return Part(unit, num, den, _ratio(ind, num, den), sources)
    if prov:
        chosen, rest = prov[0], prov[1:]
        sources = [Source(chosen, True)]
        sources += [Source(f, False, "dòng toàn tỉnh lặp lại") for f in rest]
        sources += [Source(f, False, "thiếu Tử số/Mẫu số ở một số xã, phường; dùng dòng toàn tỉnh") for f in communes]
        if _complete(chosen):
            return Part(unit, chosen.numerator, chosen.denominator,
                        _ratio(ind, chosen.numerator, chosen.denominator), sources)
        return Part(unit, None, None, chosen.value, sources)
    cells = ", ".join(f"{f.sheet}!{f.cell}" for f in communes)
    notes.append(f"{unit}: số liệu theo xã, phường thiếu Tử số/Mẫu số, không cộng được ({cells})")
    return Part(unit, None, None, None, [Source(f, False, "thiếu Tử số/Mẫu số, không cộng được") for f in communes])


def _add_parts(a: Part, b: Part) -> Part:
    return Part(a.unit_code, a.numerator + b.numerator, a.denominator + b.denominator, None, a.sources + b.sources)


def _merge_cell(ind: Indicator, sex: str, parts: list[Part], notes: list[str]) -> Cell:
    """Parts of several units for one sex → one cell, by the indicator's merge rule."""
    cell = Cell(sex)
    usable = [p for p in parts if p.value is not None or p.has_ratio]
    for p in parts:
        if p not in usable:
            cell.sources += p.sources
    if ind.merge == "boolean_any":
        if usable:
            cell.value = 1.0 if any(p.value for p in usable) else 0.0
            cell.units = [p.unit_code for p in usable]
        cell.sources += [s for p in usable for s in p.sources]
        return cell
    with_ratio = [p for p in usable if p.has_ratio]
    if with_ratio:
        cell.numerator = math.fsum(p.numerator for p in with_ratio)
        cell.denominator = math.fsum(p.denominator for p in with_ratio)
        cell.value = _ratio(ind, cell.numerator, cell.denominator)
        cell.units = [p.unit_code for p in with_ratio]
        for p in usable:
            if p.has_ratio:
                cell.sources += p.sources
            else:
                notes.append(f"{sex}: {p.unit_code} chỉ ghi Giá trị ({format_vi(p.value)}), không có Tử số/Mẫu số "
                             f"để cộng với đơn vị khác; không dùng")
                cell.sources += [Source(s.figure, False, "chỉ có Giá trị, không cộng được với Tử số/Mẫu số "
                                        "của đơn vị khác") if s.used else s for s in p.sources]
    elif usable:
        chosen = usable[0]       # parts come in configuration order: the responsible unit first
        cell.value = chosen.value
        cell.units = [chosen.unit_code]
        cell.sources += chosen.sources
        for p in usable[1:]:
            notes.append(f"{sex}: dùng giá trị của {chosen.unit_code}; giá trị của {p.unit_code} "
                         f"({format_vi(p.value)}) không dùng")
            cell.sources += [Source(s.figure, False, f"dùng giá trị của đơn vị chủ trì {chosen.unit_code}")
                             if s.used else s for s in p.sources]
    return cell


def _cross_check_note(ind: Indicator, sex: str, part: Part, lead: str, cell: Cell) -> str:
    """'Tổng: đối chiếu — SVHTTDL báo 85,00 (Tử số 17, Mẫu số 20); số liệu dùng là của SNV: 80,00'."""
    theirs = format_vi(part.value, 2) if part.value is not None else "không có giá trị"
    if part.has_ratio:
        theirs += f" (Tử số {format_vi(part.numerator)}, Mẫu số {format_vi(part.denominator)})"
    ours = format_vi(cell.value, 2) if cell.value is not None else "chưa có số liệu"
    return f"{sex}: đối chiếu — {part.unit_code} báo {theirs}; số liệu dùng là của {lead}: {ours}"


def _unit_order(config: ProvinceConfig, ind: Indicator, units: set[str]) -> list[str]:
    """Assigned units in configuration order first, then any other unit (by code)."""
    assigned = [u.code for u in config.units_for_indicator(ind.code)]
    rest = [u for u in config.units if u not in assigned] + sorted(units - set(config.units))
    return [u for u in assigned + rest if u in units]


def merge_indicator(ind: Indicator, figures: list[FigureRecord], config: ProvinceConfig) -> Consolidated:
    """Consolidate one indicator from the figures (all rows of current submissions) reported for it."""
    figures = [f for f in figures if f.indicator == ind.code]
    notes: list[str] = []
    rows: dict[str, dict[str, list[FigureRecord]]] = defaultdict(lambda: defaultdict(list))
    blocked: dict[str, list[Source]] = defaultdict(list)
    for f in figures:
        if f.accepted:
            rows[f.unit_code][f.sex].append(f)
        else:
            blocked[f.sex].append(Source(f, False, "không được chấp nhận (chỉ tiêu có lỗi trong tệp của đơn vị)"))
    sexes = list(SEXES if ind.by_sex else (TOTAL,))
    sexes += sorted({f.sex for f in figures} - set(sexes))
    parts: dict[str, list[Part]] = {s: [] for s in sexes}
    lead = config.multi_unit.get(ind.code, "sum")
    lead = None if lead == "sum" else lead
    checks: dict[str, list[Part]] = defaultdict(list)
    for unit in _unit_order(config, ind, set(rows)):
        by_sex = rows[unit]
        unit_parts = {s: _unit_part(ind, unit, fs, config.province_code, notes) for s, fs in by_sex.items()}
        if (TOTAL not in unit_parts and ind.merge == "ratio_of_sums" and unit_parts.get(MALE)
                and unit_parts.get(FEMALE) and unit_parts[MALE].has_ratio and unit_parts[FEMALE].has_ratio):
            derived = _add_parts(unit_parts[MALE], unit_parts[FEMALE])
            derived.value = _ratio(ind, derived.numerator, derived.denominator)
            unit_parts[TOTAL] = derived
            notes.append(f"{unit}: không có dòng Tổng; Tổng = Nam + Nữ")
        for s, part in unit_parts.items():
            if part is not None:
                (checks[s] if lead and unit != lead else parts[s]).append(part)
    cells = {s: _merge_cell(ind, s, parts[s], notes) for s in sexes}
    for s in sexes:
        cells[s].sources += blocked.get(s, [])
        for p in checks.get(s, []):
            notes.append(_cross_check_note(ind, s, p, lead, cells[s]))
            cells[s].sources += [Source(src.figure, False, f"đối chiếu: tỉnh lấy số liệu của {lead}")
                                 if src.used else src for src in p.sources]
    assigned = [u.code for u in config.units_for_indicator(ind.code)]
    used = {u for c in cells.values() for u in c.units}
    checked = {p.unit_code for ps in checks.values() for p in ps}      # reported, shown beside as a cross-check
    return Consolidated(ind, cells, assigned, [u for u in assigned if u not in used | checked], notes)


def merge_all(figures: list[FigureRecord], config: ProvinceConfig, catalogue: Catalogue) -> dict[str, Consolidated]:
    """Every indicator of the catalogue, in catalogue order (an indicator nobody reported has empty cells)."""
    by_code: dict[str, list[FigureRecord]] = defaultdict(list)
    for f in figures:
        by_code[f.indicator].append(f)
    return {code: merge_indicator(ind, by_code.get(code, []), config) for code, ind in catalogue.indicators.items()}
