"""Everything the consolidated reports of one round show, gathered once from the database."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from schemas.catalogue import Catalogue, Indicator, load_catalogue
from tonghop.consolidate.activities import ActivitySummary, summarise_activities
from tonghop.consolidate.completeness import Completeness, completeness
from tonghop.config import Period, ProvinceConfig
from tonghop.consolidate.current import (FigureRecord, ProblemInfo, SubmissionInfo, current_activities, current_figures,
                                         current_problems, current_submissions, period_sort_key, periods_on_record,
                                         units_that_sent)
from tonghop.consolidate.merge import Cell, Consolidated, merge_all
from tonghop.numbers import format_vi
from tonghop.history_sheet import with_sheet
from tonghop.consolidate.outlook import Outlook, build_outlook
from tonghop.consolidate.targets import gap, plausible, status

# Colours shared by the workbook and the HTML page (fill, text): green / red / grey / none.
STATUS_COLOURS = {"achieved": ("C6EFCE", "006100"), "not_achieved": ("FFC7CE", "9C0006"),
                  "no_data": ("E7E6E6", "3A3A3A"),
                  "to_check": ("FFEB9C", "9C5700"), None: ("FFFFFF", "3A3A3A")}
VERDICT_COLOURS = {"on_track": ("C6EFCE", "006100"), "at_risk": ("FFEB9C", "9C5700"),
                   "off_track": ("FFC7CE", "9C0006"), "insufficient": ("F2F2F2", "595959"), None: ("FFFFFF", "3A3A3A")}
MERGE_VI = (
    "Giá trị tổng hợp = tổng Tử số / tổng Mẫu số × hệ số của đơn vị tính, cộng phần của mọi đơn vị báo cáo "
    "chỉ tiêu (không lấy trung bình các tỷ lệ), trừ chỉ tiêu mà tỉnh chọn lấy số liệu của một đơn vị và dùng số "
    "liệu của đơn vị khác để đối chiếu. Số liệu theo xã, phường được cộng lên toàn tỉnh; nếu một tệp có "
    "cả dòng toàn tỉnh và các dòng xã, phường thì dùng tổng các xã, phường và ghi chú khi hai số khác nhau. "
    "Chỉ tiêu chỉ có Giá trị (không có Tử số/Mẫu số) lấy giá trị của đơn vị chủ trì (đơn vị đầu tiên được giao "
    "chỉ tiêu trong cấu hình). Chỉ tiêu có/không: “Có” khi ít nhất một đơn vị báo “Có”. Mỗi phân tổ giới (Tổng, "
    "Nam, Nữ) được tổng hợp riêng. Chỉ dùng số liệu được chấp nhận của tệp hiện hành của mỗi đơn vị. "
    "Đánh giá so với chỉ tiêu năm 2025 đến hết năm 2025, chỉ tiêu năm 2030 từ năm 2026."
)


@dataclass
class IndicatorResult:
    """One indicator of the round: its merged cells, status against the target in force, and outlook."""

    ind: Indicator
    merged: Consolidated
    status: str | None
    target: tuple[int, float] | None
    gap: float | None
    outlook: Outlook
    sex_status: dict[str, str | None]
    notes: list[str] = field(default_factory=list)
    baseline: float | None = None         # the configured baseline year's value (baseline_year), when on record

    @property
    def baseline_change(self) -> float | None:
        """This period minus the baseline year; none for a yes/no indicator or a value to be checked."""
        if self.ind.is_boolean or self.value is None or self.baseline is None \
                or not plausible(self.ind, self.value) or not plausible(self.ind, self.baseline):
            return None
        return self.value - self.baseline

    @property
    def total(self) -> Cell:
        return self.merged.total

    @property
    def value(self) -> float | None:
        return self.merged.total.value


@dataclass
class RoundData:
    config: ProvinceConfig
    catalogue: Catalogue
    period: Period
    generated_at: datetime
    results: dict[str, IndicatorResult]
    completeness: Completeness
    activities: ActivitySummary
    problems: list[ProblemInfo]
    submissions: dict[str, SubmissionInfo]          # current submission per unit
    figures: list[FigureRecord]                     # every row of the current submissions
    history_periods: list[str]                      # earlier periods on record, oldest first
    # (indicator, period) of the history taken from the province's sheet, and those where the database won
    history_from_sheet: set[tuple[str, str]] = field(default_factory=set)
    history_overridden: set[tuple[str, str]] = field(default_factory=set)

    @property
    def baseline_period(self) -> Period | None:
        """The configured baseline year (as its annual period) when it is before this period's year."""
        year = self.config.baseline_year
        return Period(year, "Y") if year is not None and year < self.period.year else None

    @property
    def shows_baseline(self) -> bool:
        """Whether the reports show a baseline column: configured, and some indicator has its value."""
        return self.baseline_period is not None and any(r.baseline is not None for r in self.results.values())

    def by_goal(self) -> dict[str, list[IndicatorResult]]:
        out: dict[str, list[IndicatorResult]] = {g: [] for g in self.catalogue.goals}
        for r in self.results.values():
            out[r.ind.goal].append(r)
        return out

    def unit_name(self, code: str) -> str:
        unit = self.config.units.get(code)
        return unit.name if unit else code


def _plausibility_note(ind: Indicator, value: float | None) -> list[str]:
    if plausible(ind, value):
        return []
    lo, hi = ind.unit.plausible
    return [f"Giá trị {format_vi(value)} ngoài khoảng thường gặp ({format_vi(lo)}–{format_vi(hi)} {ind.unit.vi}): "
            f"chưa so với chỉ tiêu cần đạt; đề nghị đơn vị báo cáo kiểm tra lại"]


def indicator_results(merged: dict[str, Consolidated], period: Period,
                      history: dict[str, dict[str, float | None]]) -> dict[str, IndicatorResult]:
    """Status, gap and outlook of every merged indicator; history: code → period → value."""
    out = {}
    for code, m in merged.items():
        ind = m.indicator
        value = m.total.value
        outlook = build_outlook(ind, period, value, history.get(code, {}))
        out[code] = IndicatorResult(
            ind=ind, merged=m, status=status(ind, value, period.year), target=ind.target_for(period.year),
            gap=gap(ind, value, period.year), outlook=outlook,
            sex_status={s: status(ind, c.value, period.year) for s, c in m.cells.items()},
            notes=m.notes + _plausibility_note(ind, value) + outlook.notes)
    return out


def history_values(engine: Engine, periods: list[Period], config: ProvinceConfig,
                   catalogue: Catalogue) -> dict[str, dict[str, float | None]]:
    """Each earlier period merged by the same rules, as indicator code → period code → total value."""
    out: dict[str, dict[str, float | None]] = {code: {} for code in catalogue.indicators}
    for p in periods:
        for code, m in merge_all(current_figures(engine, p), config, catalogue).items():
            out[code][p.code] = m.total.value
    return out


def build_round(engine: Engine, config: ProvinceConfig, period: Period,
                catalogue: Catalogue | None = None) -> RoundData:
    """Read the period's current submissions and everything earlier on record, and merge them."""
    catalogue = catalogue or load_catalogue()
    subs = current_submissions(engine, period)
    figures = current_figures(engine, period)
    on_record = [p for p in periods_on_record(engine) if p.sort_key() < period.sort_key()]
    merged = merge_all(figures, config, catalogue)
    # the database first; the province's sheet of earlier years fills what it has not (history_sheet.py)
    history, from_sheet, overridden = with_sheet(history_values(engine, on_record, config, catalogue),
                                                 config.history, period)
    earlier = sorted({p.code for p in on_record} | {p for _, p in from_sheet}, key=period_sort_key)
    results = indicator_results(merged, period, history)
    base = Period(config.baseline_year, "Y") if config.baseline_year else None
    if base and base.sort_key() < period.sort_key():
        results = {code: replace(r, baseline=history.get(code, {}).get(base.code)) for code, r in results.items()}
    return RoundData(
        config=config, catalogue=catalogue, period=period,
        generated_at=datetime.now(ZoneInfo(config.timezone)).replace(microsecond=0),
        results=results,
        completeness=completeness(config, period, subs, units_that_sent(engine, period)),
        activities=summarise_activities(current_activities(engine, period), list(catalogue.activities),
                                        list(config.units)),
        problems=current_problems(engine, period),
        submissions={s.unit_code: s for s in subs},
        figures=figures,
        history_periods=earlier,
        history_from_sheet=from_sheet,
        history_overridden=overridden,
    )


def unit_contributions(result: IndicatorResult, sex: str = "Tổng") -> dict[str, tuple[float | None, str]]:
    """Each unit's own number in a consolidated cell: (value, "used" | "blocked" | "unused")."""
    ind, cell = result.ind, result.merged.cells.get(sex)
    out: dict[str, tuple[float | None, str]] = {}
    if cell is None:
        return out
    units: dict[str, list] = {}
    for s in cell.sources:
        units.setdefault(s.figure.unit_code, []).append(s)
    for unit, sources in units.items():
        used = [s.figure for s in sources if s.used]
        if not used:
            state = "blocked" if any(not s.figure.accepted for s in sources) else "unused"
            out[unit] = (None, state)
        elif ind.is_boolean:
            out[unit] = (1.0 if any((f.value or 0) >= 0.5 for f in used) else 0.0, "used")
        elif all(f.numerator is not None and f.denominator for f in used):
            den = sum(f.denominator for f in used)
            out[unit] = (sum(f.numerator for f in used) / den * (ind.unit.factor or 1), "used")
        else:
            out[unit] = (used[0].value, "used")
    return out
