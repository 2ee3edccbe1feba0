"""summary.json: every file of the round and what became of it, for programs and for the officer's check."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tonghop.consolidate.completeness import completeness
from tonghop.config import Period, ProvinceConfig
from tonghop.consolidate.current import submission_info
from tonghop.store.types import utc
from tonghop.round.ingest import IngestResult
from tonghop.statuses import FILE_STATUSES, REJECTED
from tonghop.store.models import Submission


def build_summary(config: ProvinceConfig, period: Period, result: IngestResult,
                  submissions: list[Submission], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The round as data: files seen in this run, every stored submission of the period, counts by status."""
    by_id = {s.id: s for s in submissions}
    files = []
    arrived = {f.path.name: f.received_at for f in result.files}
    for o in result.outcomes:
        sub = by_id.get(o.submission_id) if o.submission_id else None
        files.append({"file": o.file, "sha256": o.sha256, "state": o.state, "duplicate_of": o.duplicate_of,
                      "unit": sub.unit_code if sub else None, "status": sub.status if sub else None,
                      "submission_id": o.submission_id,
                      "received_at": utc(arrived[o.file]).isoformat() if o.file in arrived else None})
    subs = [{
        "id": s.id, "unit": s.unit_code, "file": s.file_name, "sha256": s.sha256, "status": s.status,
        "is_current": s.is_current, "received_at": s.received_at.isoformat(),
        "errors": s.n_errors, "warnings": s.n_warnings,
    } for s in submissions]
    comp = completeness(config, period, [submission_info(s) for s in submissions if s.is_current and s.unit_code],
                        frozenset(s.unit_code for s in submissions if s.unit_code))
    counts = {k: sum(1 for s in submissions if s.is_current and s.status == k)
              for k in FILE_STATUSES}
    summary = {
        "province": config.province_name, "period": period.code, "period_vi": period.vi,
        "deadline": config.deadline(period).isoformat(),
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files_in_inbox": len(result.outcomes),
        "files_read_this_run": len(result.read),
        "documents": sum(1 for o in result.outcomes if o.state == "document"),    # archived, never read
        "counts": {**counts, "rejected_files": sum(1 for s in submissions if s.status == REJECTED)},
        "units_expected": len(config.units),
        # reported, on time and missing as every document counts them (completeness.reporting)
        "units_reported": [u.unit.code for u in comp.units if u.reported],
        "units_on_time": [u.unit.code for u in comp.units if u.on_time],
        "units_missing": comp.missing,
        "files": files,
        "submissions": subs,
    }
    if extra:
        summary.update(extra)
    return summary


def write_summary(summary: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "summary.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
