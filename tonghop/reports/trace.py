"""Traceability: for every consolidated number, the submissions, files, sheets and cells it came from."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonghop.reports.round_data import MERGE_VI, RoundData


@dataclass(frozen=True)
class TraceRow:
    """One source figure of one consolidated cell (flat, for the workbook's traceability sheet)."""

    indicator: str
    sex: str
    consolidated: float | None
    unit: str
    submission_id: int
    file: str
    sheet: str
    cell: str
    row: int
    area: str
    numerator: float | None
    denominator: float | None
    value: float | None
    used: bool
    reason: str


def trace_rows(data: RoundData) -> list[TraceRow]:
    """Every figure of the current submissions, under the indicator and sex it belongs to."""
    rows = []
    for code, r in data.results.items():
        for sex, cell in r.merged.cells.items():
            for s in cell.sources:
                f = s.figure
                rows.append(TraceRow(code, sex, cell.value, f.unit_code, f.submission_id, f.file_name, f.sheet,
                                     f.cell, f.row, f.area, f.numerator, f.denominator, f.value, s.used, s.reason))
    return rows


def trace_dict(data: RoundData) -> dict[str, Any]:
    """The same as JSON: indicator → sex → value and sources, with each source's submission and hash."""
    subs = {s.id: s for s in data.submissions.values()}
    indicators: dict[str, Any] = {}
    for code, r in data.results.items():
        cells = {}
        for sex, cell in r.merged.cells.items():
            sources = []
            for s in cell.sources:
                f = s.figure
                sub = subs.get(f.submission_id)
                sources.append({
                    "unit": f.unit_code, "submission_id": f.submission_id, "file": f.file_name,
                    "sha256": sub.sha256 if sub else None,
                    "received_at": sub.received_at.isoformat() if sub else None,
                    "sheet": f.sheet, "cell": f.cell, "row": f.row, "area": f.area, "sex": f.sex,
                    "numerator": f.numerator, "denominator": f.denominator, "value": f.value,
                    "accepted": f.accepted, "used": s.used, "reason": s.reason,
                })
            cells[sex] = {"value": cell.value, "numerator": cell.numerator, "denominator": cell.denominator,
                          "units": cell.units, "sources": sources}
        indicators[code] = {"label": r.ind.label, "unit": r.ind.unit.code, "merge": r.ind.merge,
                            "status": r.status, "notes": r.notes, "by_sex": cells}
    return {"province": data.config.province_name, "province_code": data.config.province_code,
            "period": data.period.code, "generated_at": data.generated_at.isoformat(), "method": MERGE_VI,
            "indicators": indicators}


def write_trace_json(data: RoundData, path: Path) -> Path:
    path.write_text(json.dumps(trace_dict(data), ensure_ascii=False, indent=2), encoding="utf-8")
    return path
