"""The one entry point for a round's consolidated reports, all written from the same merged figures."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tonghop.config import Period, ProvinceConfig
from tonghop.reports.dossier import write_dossier
from tonghop.reports.ministry import write_ministry_xlsx, write_sdmx_csv
from tonghop.reports.province_xlsx import write_province_xlsx
from tonghop.reports.round_data import RoundData, build_round
from tonghop.reports.round_html import write_round_html
from tonghop.reports.trace import write_trace_json
from tonghop.safe_text import slugify


def output_names(config: ProvinceConfig, period: Period) -> dict[str, str]:
    p = period.code
    return {
        "province_xlsx": f"bao-cao-tong-hop-{slugify(config.province_short)}-{p}.xlsx",
        "ministry_xlsx": f"bao-cao-bo-noi-vu-{p}.xlsx",
        "sdmx_csv": f"sdmx-{config.province_code}-{p}.csv",
        "html": f"tong-hop-{p}.html",
        "trace_json": f"truy-vet-{p}.json",
        "docx": f"bao-cao-{slugify(config.province_short)}-{p}.docx",
    }


def indicator_summary(data: RoundData) -> dict[str, dict[str, Any]]:
    """Per indicator, for summary.json: Tổng's value, parts and status; other sexes under by_sex."""
    out: dict[str, dict[str, Any]] = {}
    for code, r in data.results.items():
        total = r.total
        out[code] = {
            "value": total.value, "numerator": total.numerator, "denominator": total.denominator,
            "status": r.status, "units_missing": list(r.merged.units_missing),
            "by_sex": {sex: {"value": c.value, "numerator": c.numerator, "denominator": c.denominator,
                             "status": r.sex_status.get(sex), "units": list(c.units)}
                       for sex, c in r.merged.cells.items() if sex != "Tổng"},
            "units": list(total.units),
            "target": {"year": r.target[0], "value": r.target[1]} if r.target else None,
            "verdict_2030": r.outlook.verdict,
            "notes": list(r.notes),
            # the earlier periods the reports show (database, or the province's sheet where it has none)
            "history": {p: v for p, v in r.outlook.history.items() if v is not None},
            "history_from_sheet": [p for p in data.history_periods if (code, p) in data.history_from_sheet],
            "previous": {"period": r.outlook.previous_period, "value": r.outlook.previous_value,
                         "change": r.outlook.change},
            "projected_2030": r.outlook.projected,
        }
        if data.baseline_period:
            out[code]["baseline"] = {"period": data.baseline_period.code, "value": r.baseline,
                                     "change": r.baseline_change}
    return out


def write_consolidated_reports(engine: Engine, config: ProvinceConfig, period: Period,
                               out_dir: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Path]]:
    """Merge the period's current accepted figures and write every consolidated output into out_dir.

    Returns the per-indicator dict for summary.json and the paths written, by kind.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = build_round(engine, config, period)
    names = output_names(config, period)
    writers = {"province_xlsx": write_province_xlsx, "ministry_xlsx": write_ministry_xlsx,
               "sdmx_csv": write_sdmx_csv, "html": write_round_html, "trace_json": write_trace_json,
               "docx": write_dossier}
    paths = {kind: writers[kind](data, out_dir / names[kind]) for kind in names}
    return indicator_summary(data), paths
