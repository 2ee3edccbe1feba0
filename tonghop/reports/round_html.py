"""The round's summary page: one HTML file, no scripts, charts drawn here as inline SVG."""
from __future__ import annotations

import math
from pathlib import Path

from markupsafe import Markup

from schemas.catalogue import Indicator
from tonghop.config import Period
from tonghop.consolidate.completeness import DEFINITION_VI, Completeness
from tonghop.numbers import format_vi
from tonghop.consolidate.outlook import HORIZON, METHOD_VI, VERDICT_VI
from tonghop.reports.round_data import MERGE_VI, STATUS_COLOURS, VERDICT_COLOURS, IndicatorResult, RoundData
from tonghop.reports.submission import jinja_env
from tonghop.safe_text import html_text
from tonghop.consolidate.targets import TO_CHECK, target_text
from tonghop.statuses import FILE_STATUS_VI, TARGET_STATUS_VI

BAR = {"achieved": "#2E7D32", "not_achieved": "#C62828", "no_data": "#9E9E9E", "to_check": "#EF6C00", None: "#1565C0"}


def show(ind: Indicator, value: float | None) -> str:
    """A value as the page shows it: Có/Không for yes/no, else Vietnamese digits with two decimals."""
    if value is None:
        return ""
    if ind.is_boolean:
        return "Có" if value >= 0.5 else "Không"
    return format_vi(value, 2)


def chart_number(value: float) -> str:
    """A value on a chart: one decimal at most (50,5; 112; 44,8)."""
    return format_vi(value, 1)


def goal_chart(results: list[IndicatorResult], year: int) -> Markup:
    """Bullet rows, each its own axis in its own unit from zero (shares on 0–100 %): the value bar coloured by
    status, the target as a dark tick with the side that meets it shaded ("< 30" shades 0–30, "≥ 60" 60–100);
    a value to check is named, not drawn."""
    left, bar_w, row_h, right = 64, 380, 44, 320
    width = left + bar_w + right
    height = row_h * len(results) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="chart">']
    for i, r in enumerate(results):
        y = 8 + i * row_h
        ind = r.ind
        parts.append(f'<text x="4" y="{y + 17}" class="code">{html_text(ind.code)}</text>')
        target = r.target[1] if r.target else None
        if ind.is_boolean:
            colour = BAR[r.status]
            text = show(ind, r.value) or "chưa có số liệu"
            parts.append(f'<rect x="{left}" y="{y + 3}" width="90" height="20" rx="10" fill="{colour}"/>'
                         f'<text x="{left + 45}" y="{y + 17}" text-anchor="middle" class="pill">{html_text(text)}</text>'
                         f'<text x="{left + 100}" y="{y + 17}" class="note">chỉ tiêu cần đạt: '
                         f'{html_text(target_text(ind, year)) or "không có"}</text>')
            continue
        drawn = r.value if r.status != TO_CHECK else None
        top = 100.0 if ind.unit.code == "percent" else _round_up(max(drawn or 0.0, target or 0.0) * 1.2)
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{bar_w}" height="18" fill="#EEEEEE"/>')
        if target is not None:                   # the side of the target that meets it
            tx = left + target / top * bar_w
            x0, x1 = (tx, left + bar_w) if ind.direction == "up" else (left, tx)
            parts.append(f'<rect x="{x0:.1f}" y="{y + 4}" width="{x1 - x0:.1f}" height="18" fill="#A5D6A7" '
                         f'fill-opacity="0.45" class="meets"/>')
        if drawn is not None:
            w = max(1.0, drawn / top * bar_w)
            parts.append(f'<rect x="{left}" y="{y + 9}" width="{w:.1f}" height="8" fill="{BAR[r.status]}"/>')
            label = f"{chart_number(drawn)} {ind.unit.vi}"
        elif r.status == TO_CHECK:
            label = f"{format_vi(r.value)} cần kiểm tra, không vẽ"
        else:
            label = "chưa có số liệu"
        if target is not None:
            parts.append(f'<line x1="{tx:.1f}" y1="{y}" x2="{tx:.1f}" y2="{y + 26}" stroke="#212121" '
                         f'stroke-width="3"/>')
            label += f" · cần đạt {target_text(ind, year)}"
        parts.append(f'<text x="{left + bar_w + 8}" y="{y + 17}" class="val">{html_text(label)}</text>')
        # the row's own axis: zero and its top, in its unit
        parts.append(f'<text x="{left}" y="{y + 36}" class="axis">0</text>'
                     f'<text x="{left + bar_w}" y="{y + 36}" text-anchor="end" class="axis">'
                     f'{html_text(format_vi(top, 0))} {html_text(ind.unit.vi)}</text>')
    milestone = next((r.target[0] for r in results if r.target), HORIZON)
    parts.append(f'<text x="{left}" y="{height - 4}" class="note">Mỗi dòng một thang từ 0, theo đơn vị tính của '
                 f'chỉ tiêu; vạch đen: chỉ tiêu cần đạt năm {milestone}, phần tô xanh: khoảng đạt chỉ tiêu</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _round_up(x: float) -> float:
    """A round top for an axis: 1, 2 or 5 times a power of ten at or above x (133 → 200; 2,2 → 5)."""
    if x <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= x)


def completeness_chart(comp: Completeness) -> Markup:
    """One stacked bar: on time, late, not reported."""
    width, height, bar_w = 620, 56, 600
    segments = [(comp.on_time, "#2E7D32", "đúng hạn"), (comp.actual - comp.on_time, "#F9A825", "trễ hạn"),
                (comp.expected - comp.actual, "#C62828", "chưa nộp")]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="chart">']
    x, legend_x = 10.0, 10.0
    for n, colour, label in segments:
        if not n or not comp.expected:
            continue
        w = n / comp.expected * bar_w
        parts.append(f'<rect x="{x:.1f}" y="4" width="{w:.1f}" height="26" fill="{colour}"/>')
        if w >= 24:     # a count that does not fit its segment is still read in the legend
            parts.append(f'<text x="{x + w / 2:.1f}" y="22" text-anchor="middle" class="pill">{n}</text>')
        # the legend runs on its own line: labels under narrow segments (5 of 89 units) ran into each other
        text = f"{label}: {n}"
        parts.append(f'<rect x="{legend_x:.1f}" y="39" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{legend_x + 14:.1f}" y="48" class="note">{html_text(text)}</text>')
        x += w
        legend_x += 14 + 7 * len(text) + 18
    parts.append("</svg>")
    return Markup("".join(parts))


def _change_text(r: IndicatorResult) -> str:
    """'so với Năm 2025: +2,11' when the same period a year earlier has a value to compare with."""
    o = r.outlook
    if o.change is None or r.ind.is_boolean:
        return ""
    return f"so với {Period.parse(o.previous_period).vi}: {format_vi(o.change, signed=True)}"


def render_round_html(data: RoundData) -> str:
    year = data.period.year
    goals = []
    for goal_code, results in data.by_goal().items():
        rows = []
        for r in results:
            for sex, cell in r.merged.cells.items():
                st = r.status if sex == "Tổng" else r.sex_status.get(sex)
                rows.append({
                    "code": r.ind.code, "sex": sex, "label": r.ind.vi if sex == "Tổng" else f"trong đó: {sex}",
                    "unconfirmed": not r.ind.confirmed and sex == "Tổng", "unit": r.ind.unit.vi,
                    "value": cell.value, "value_text": show(r.ind, cell.value),
                    "numerator": format_vi(cell.numerator), "denominator": format_vi(cell.denominator),
                    "target": target_text(r.ind, year), "status": st or "none", "status_vi": TARGET_STATUS_VI[st],
                    "status_colours": STATUS_COLOURS[st],
                    "verdict": r.outlook.verdict if sex == "Tổng" else None,
                    "verdict_vi": VERDICT_VI[r.outlook.verdict] if sex == "Tổng" else "",
                    "verdict_colours": VERDICT_COLOURS[r.outlook.verdict if sex == "Tổng" else None],
                    "projected": show(r.ind, r.outlook.projected) if sex == "Tổng" else "",
                    "change": _change_text(r) if sex == "Tổng" else "",
                    "units": ", ".join(cell.units), "missing": ", ".join(r.merged.units_missing) if sex == "Tổng"
                    else "", "notes": r.notes if sex == "Tổng" else [], "total": sex == "Tổng",
                })
        goals.append({"code": goal_code, "vi": data.catalogue.goals[goal_code].vi, "rows": rows,
                      "chart": goal_chart(results, year)})
    comp = data.completeness
    units = [{
        "code": u.unit.code, "name": u.unit.name, "reported": u.reported,
        "received": u.received_local.strftime("%d/%m/%Y %H:%M") if u.received_local else "",
        "timely": "" if not u.reported else ("Đúng hạn" if u.on_time else f"Trễ {u.days_late} ngày"),
        "state": "missing" if not u.reported else ("ontime" if u.on_time else "late"),
        "status_vi": FILE_STATUS_VI.get(u.submission.status, "") if u.submission else "",
        "status": u.submission.status if u.submission else "",
    } for u in comp.units]
    counts = {s or "no_target": sum(1 for r in data.results.values() if r.status == s)
              for s in ("achieved", "not_achieved", "no_data", "to_check", None)}
    return jinja_env().get_template("round.html").render(
        d=data, goals=goals, comp=comp, units=units, counts=counts, horizon=HORIZON,
        completeness_chart=completeness_chart(comp), merge_vi=MERGE_VI, method_vi=METHOD_VI,
        definition_vi=DEFINITION_VI,
        unconfirmed=[ind for ind in data.catalogue.indicators.values() if not ind.confirmed],
        n_problems={"error": sum(1 for p in data.problems if p.severity == "error"),
                    "warning": sum(1 for p in data.problems if p.severity == "warning")},
        rate=lambda n: format_vi(comp.rate(n), 1))


def write_round_html(data: RoundData, path: Path) -> Path:
    path.write_text(render_round_html(data), encoding="utf-8")
    return path
