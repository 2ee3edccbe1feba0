"""National consolidation for the Ministry, the whole run: read, validate, recompute, then write the outputs.

The steps live in their own modules: read.py (the provinces' SDMX-CSV files), validate.py (one Pandera schema over
every file's rows, schemas/national.py), compute.py (national values) and workbook.py (the .xlsx report). A problem
in an input file is data, never an exception: it is reported per file with its code, CSV line, column, value and
a Vietnamese message from the one catalogue (tonghop/problems.py, national scope).
"""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from schemas.catalogue import Catalogue, load_catalogue
from tonghop.config import Period
from tonghop.national.compute import national_sdmx_rows, national_values
from tonghop.national.model import NationalProblem, NationalResult, NationalValue, ProvinceFile
from tonghop.national.read import choose_period, find_inputs, read_province_file
from tonghop.national.validate import validate_files
from tonghop.national.workbook import write_national_xlsx
from tonghop.problems import ERROR, NATIONAL_PROBLEM_TYPES as PROBLEMS, WARNING
from tonghop.provinces import NATIONAL_CODE, PROVINCES
from tonghop.reports import sdmx

# the national step's names, as flows/ and the tests have always taken them from this module
__all__ = ["PROBLEMS", "NationalProblem", "NationalResult", "NationalValue", "ProvinceFile", "consolidate_national",
           "find_inputs", "run_national", "summary", "write_outputs"]


def consolidate_national(paths: list[Path], period: Period | None = None,
                         catalogue: Catalogue | None = None) -> NationalResult:
    """Read, validate and consolidate the given files (no writing)."""
    catalogue = catalogue or load_catalogue()
    files = [read_province_file(p) for p in paths]
    time_period = choose_period(files, period)
    validate_files(files, catalogue, time_period)
    values = national_values(files, catalogue, time_period)
    return NationalResult(sdmx.period_code(time_period) if time_period else None, time_period, files, values)


def write_outputs(result: NationalResult, out: Path, catalogue: Catalogue | None = None) -> dict[str, Path]:
    """OUT/<period>/: bao-cao-quoc-gia-<period>.xlsx, VN-<TIME_PERIOD>.csv (SDMX) and quoc-gia.json."""
    catalogue = catalogue or load_catalogue()
    folder = Path(out) / (result.period or "khong-ro-ky")
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {"xlsx": write_national_xlsx(result, folder / f"bao-cao-quoc-gia-{result.period or 'khong-ro-ky'}.xlsx",
                                           catalogue)}
    if result.time_period:
        outputs["sdmx"] = sdmx.write_sdmx(national_sdmx_rows(result.values, result.time_period),
                                          folder / f"{NATIONAL_CODE}-{result.time_period}.csv")
    outputs["json"] = folder / "quoc-gia.json"
    outputs["json"].write_text(json.dumps(summary(result), ensure_ascii=False, indent=2), encoding="utf-8")
    result.outputs = outputs
    return outputs


def summary(result: NationalResult) -> dict[str, Any]:
    """The run as data: files and their status, problem counts, national values."""
    return {
        "period": result.period, "time_period": result.time_period,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files": [{"file": f.path.name, "province": f.province, "status": f.status, "used": f.used,
                   "errors": sum(p.severity == ERROR for p in f.problems),
                   "warnings": sum(p.severity == WARNING for p in f.problems)} for f in result.files],
        "provinces_reporting": sorted({f.province for f in result.files if f.used and f.province}),
        "provinces_missing": [p for p in PROVINCES
                              if p not in {f.province for f in result.files if f.used}],
        "problems": [asdict(p) for p in result.problems],
        "values": [asdict(v) for v in result.values],
    }


def run_national(inputs: Path, out: Path, period: Period | None = None) -> NationalResult:
    """`tonghop national --inputs DIR --out DIR [--period 2025-Y]`: read, validate, consolidate, write."""
    catalogue = load_catalogue()
    result = consolidate_national(find_inputs(Path(inputs)), period, catalogue)
    write_outputs(result, Path(out), catalogue)
    return result
