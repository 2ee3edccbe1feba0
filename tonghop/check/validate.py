"""Validate a batch of read files: header checks per file, then one Pandera validation over all files' rows of every
indicator at once, failures mapped back to their sheet and cell, then the acceptance rule.

Acceptance: a file that cannot be read, or whose unit or period is wrong, is rejected whole; otherwise
each (file, indicator) — and each (file, activity kind) of Biểu 02 — is accepted unless one of its rows
has an error. Warnings never block.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.backends.pandas.error_formatters import consolidate_failure_cases

from schemas.catalogue import Catalogue, load_catalogue
from schemas.indicators import build_activity_schema, build_batch_schema, build_indicator_schema
from schemas.labels import SHEET_INDICATORS
from tonghop.config import Period, ProvinceConfig, Unit
from tonghop.entry_hints import range_fix
from tonghop.intake.header import check_header
from tonghop.numbers import format_vi
from tonghop.problems import ERROR, Problem, ValidationReport
from tonghop.intake.read import ParsedFile
from tonghop.intake.rows import activity_records, indicator_records
from tonghop.safe_text import plain_text

# For a frame-level check, the cell the person must look at.
FRAME_CHECK_CELL = {
    "missing-value": "value", "zero-denominator": "denominator", "duplicate-row": "indicator",
    "value-mismatch": "value", "numerator-above-denominator": "numerator",
    "sex-sum-mismatch:numerator": "numerator", "sex-sum-mismatch:denominator": "denominator",
    "participants-mismatch": "participants",
}
_FRAME_COLS = ["file_idx", "area", "sex", "numerator", "denominator", "value", "value_derived", "assigned"]


@dataclass
class CheckedFile:
    parsed: ParsedFile
    report: ValidationReport
    unit: Unit | None
    figures: list[dict[str, Any]] = field(default_factory=list)      # each with "accepted"
    activities: list[dict[str, Any]] = field(default_factory=list)


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> list[tuple[str, str | None, Any]]:
    """(check name, column, frame index) for every failing element; empty when the frame is valid."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        return [(str(c), col if isinstance(col, str) else None, idx)
                for c, col, idx in zip(fc["check"], fc["column"], fc["index"])]
    return []


def _frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame({c: [r[c] for r in records] for c in columns})
    for c in ("numerator", "denominator", "value", "count", "participants", "men", "women", "budget"):
        if c in df:
            df[c] = df[c].astype("float64")
    for c in ("area", "sex", "activity"):
        if c in df:
            df[c] = df[c].astype(str)
    for c in ("value_derived", "assigned"):
        if c in df:
            df[c] = df[c].astype(bool)
    df["file_idx"] = df["file_idx"].astype("int64")
    return df


def _indicator_problem(code: str, rec: dict[str, Any], ind, unit: Unit | None, config: ProvinceConfig,
                       same_key: int, frame_row: pd.Series, sums: dict[str, Any]) -> Problem:
    column = FRAME_CHECK_CELL.get(code)
    params: dict[str, Any] = {
        "indicator_label": ind.label, "unit_name": unit.name if unit else "",
        "province": config.province_name, "province_code": config.province_code,
        "numerator": format_vi(rec["numerator"]), "denominator": format_vi(rec["denominator"]),
        "area": rec["area"], "sex": rec["sex"], "count": same_key,
        "low": format_vi(ind.unit.plausible[0]), "high": format_vi(ind.unit.plausible[1]), "unit": ind.unit.vi,
        "range_fix": range_fix(ind),
    }
    if ind.unit.factor and rec["numerator"] is not None and rec["denominator"]:
        params["expected"] = format_vi(rec["numerator"] / rec["denominator"] * ind.unit.factor)
    base = code.split(":")[0]
    if base == "sex-sum-mismatch":
        params.update(sums)
    if column is None:
        column = {"unknown-area": "area", "invalid-sex": "sex", "indicator-not-assigned": "indicator"}.get(base, "value")
    value: Any = frame_row[column] if column in frame_row.index else rec.get(column)
    if isinstance(value, float) and value != value:   # NaN: the cell is empty
        value = None
    params["column"] = {"numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị"}.get(column, column)
    if isinstance(value, float):
        value = format_vi(value)
    return Problem(base, rec["sheet"], rec["cells"].get(column, ""), value, rec["indicator"], params)


def _sex_sums(df: pd.DataFrame, idx: Any, column: str) -> dict[str, Any]:
    row = df.loc[idx]
    same = df[(df["file_idx"] == row["file_idx"]) & (df["area"] == row["area"])]
    men = same.loc[same["sex"] == "Nam", column].sum()
    women = same.loc[same["sex"] == "Nữ", column].sum()
    return {"total": format_vi(row[column]), "men": format_vi(men), "women": format_vi(women),
            "sum": format_vi(men + women)}


def _failures_per_block(schema: pa.DataFrameSchema, frame: pd.DataFrame,
                        bounds: list[tuple[int, int]]) -> list[list[tuple[str, str | None, int]]] | None:
    """_failures of each block of rows [start, stop) of one validation of the whole frame, in the order, and with
    the row numbers (from 0 in the block), that validating the block alone gives: its share of each error, put
    together by Pandera's own consolidation (whose sort by schema part is not stable: the same errors must go in).
    None when an error is not one of rows (a scalar failure case): then only one validation per block tells."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        errors = exc.schema_errors
    else:
        return [[] for _ in bounds]
    if not all(isinstance(e.failure_cases, pd.DataFrame) and "index" in e.failure_cases for e in errors):
        return None
    out = []
    for start, stop in bounds:
        mine = []
        for err in errors:
            cases = err.failure_cases
            cases = cases[(cases["index"] >= start) & (cases["index"] < stop)]
            if len(cases):
                # what the consolidation reads of an error (a SchemaError does not copy: it pickles to strings)
                mine.append(SimpleNamespace(check=err.check, check_index=err.check_index, schema=err.schema,
                                            column_name=err.column_name, failure_cases=cases))
        if not mine:
            out.append([])
            continue
        fc = consolidate_failure_cases(mine)
        out.append([(str(c), col if isinstance(col, str) else None, int(idx) - start)
                    for c, col, idx in zip(fc["check"], fc["column"], fc["index"])])
    return out


def validate_indicators(records: list[dict[str, Any]], units: list[Unit | None], config: ProvinceConfig,
                        catalogue: Catalogue, *, batch: bool = True) -> dict[int, list[Problem]]:
    """Problems per file index, from one schema validation over every file's rows of every indicator (each row held
    to its own indicator's checks), read back per indicator as one validation per indicator reads.
    `batch=False`: one validation per indicator (build_indicator_schema), what the batch must equal."""
    out: dict[int, list[Problem]] = defaultdict(list)
    by_indicator: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        by_indicator[rec["indicator"]].append(i)
    area_codes = set(config.areas)
    rows_with_error: set[tuple[int, int]] = set()
    blocks = [(code, [records[i] for i in positions]) for code, positions in by_indicator.items()]
    bounds, start = [], 0
    for _, recs in blocks:
        bounds.append((start, start + len(recs)))
        start += len(recs)
    found = None
    if blocks and batch:
        whole = _frame([r for _, recs in blocks for r in recs], _FRAME_COLS)
        schema = build_batch_schema([(catalogue.indicators[code], len(recs)) for code, recs in blocks], area_codes)
        found = _failures_per_block(schema, whole, bounds)
    for n, (code, recs) in enumerate(blocks):
        ind = catalogue.indicators[code]
        failures = found[n] if found is not None else None
        if failures == []:
            continue
        df = _frame(recs, _FRAME_COLS)
        if failures is None:
            failures = _failures(build_indicator_schema(ind, area_codes), df)
        seen: set[tuple[str, int]] = set()
        # rows per (file, area, sex), counted once: a per-problem scan made a file of duplicates quadratic
        key_counts = Counter((r["file_idx"], r["area"], r["sex"]) for r in recs)
        for check, _col, idx in failures:
            if check not in FRAME_CHECK_CELL and _col:
                check_col = _col
            else:
                check_col = None
            key = (f"{check}|{check_col}", int(idx))
            if key in seen:
                continue
            seen.add(key)
            rec = recs[int(idx)]
            if rec["unparsed"] and check in ("missing-value", "value-mismatch"):
                continue   # the unreadable number is already reported
            if check.startswith("sex-sum-mismatch") and check_col is None:
                sums = _sex_sums(df, idx, check.split(":")[1])
            else:
                sums = {}
            same_key = key_counts[(rec["file_idx"], rec["area"], rec["sex"])]
            problem = _indicator_problem(check, rec, ind, units[rec["file_idx"]], config, same_key,
                                         df.loc[idx], sums)
            if check_col == "assigned":
                problem.cell, problem.value = rec["cells"].get("indicator", ""), rec["indicator"]
            elif check_col:   # a column-level check: point at that column's cell
                problem.cell = rec["cells"].get(check_col, problem.cell)
                problem.value = format_vi(df.loc[idx, check_col]) if isinstance(df.loc[idx, check_col], float) \
                    else df.loc[idx, check_col]
                problem.params["column"] = {"numerator": "Tử số", "denominator": "Mẫu số",
                                            "value": "Giá trị"}.get(check_col, check_col)
            out[rec["file_idx"]].append(problem)
            if problem.severity == ERROR:
                rows_with_error.add((rec["file_idx"], rec["row"]))
    # "please check the range" adds nothing on a row that already has to be fixed
    for file_idx, probs in out.items():
        probs[:] = [p for p in probs if not (p.code == "out-of-range" and (file_idx, _row_of(p)) in rows_with_error)]
    return out


def _row_of(p: Problem) -> int:
    return int("".join(ch for ch in p.cell if ch.isdigit()) or 0)


def validate_activities(records: list[dict[str, Any]], catalogue: Catalogue) -> dict[int, list[Problem]]:
    out: dict[int, list[Problem]] = defaultdict(list)
    if not records:
        return out
    cols = ["file_idx", "activity", "count", "participants", "men", "women", "budget"]
    df = _frame(records, cols)
    seen: set[tuple] = set()
    for check, col, idx in _failures(build_activity_schema(catalogue), df):
        rec = records[int(idx)]
        target = FRAME_CHECK_CELL.get(check, col or "activity")
        if (check, target, idx) in seen:
            continue
        seen.add((check, target, idx))
        raw = df.loc[idx, target]
        params = {"column": {"count": "Số lượng", "participants": "Số người tham gia", "men": "Nam",
                             "women": "Nữ", "budget": "Kinh phí"}.get(target, target)}
        if check == "participants-mismatch":
            params.update(total=format_vi(rec["participants"]), men=format_vi(rec["men"]),
                          women=format_vi(rec["women"]), sum=format_vi(rec["men"] + rec["women"]))
        out[rec["file_idx"]].append(Problem(check, rec["sheet"], rec["cells"].get(target, ""),
                                            format_vi(raw) if isinstance(raw, float) else raw,
                                            rec["activity"], params))
    return out


def validate_files(parsed_files: list[ParsedFile], config: ProvinceConfig, period: Period,
                   catalogue: Catalogue | None = None) -> list[CheckedFile]:
    """Validate files together; returns one CheckedFile per input, in order."""
    catalogue = catalogue or load_catalogue()
    checked: list[CheckedFile] = []
    ind_records: list[dict[str, Any]] = []
    act_records: list[dict[str, Any]] = []
    units: list[Unit | None] = []
    for i, parsed in enumerate(parsed_files):
        report = ValidationReport(file=parsed.path.name, sha256=parsed.sha256, period=period.code,
                                  problems=list(parsed.problems))
        unit = None
        if not report.rejected_whole:
            unit, header_problems = check_header(parsed.header, parsed.header_cells, config, period)
            report.problems.extend(header_problems)
        report.unit = unit.code if unit else (str(parsed.header.get("unit_code") or "") or None)
        report.unit_name = unit.name if unit else parsed.header.get("unit_name")
        units.append(unit)
        checked.append(CheckedFile(parsed, report, unit))
        if report.rejected_whole:
            continue
        recs, probs = indicator_records(i, parsed, unit, config, catalogue)
        ind_records.extend(recs)
        report.problems.extend(probs)
        recs, probs = activity_records(i, parsed)
        act_records.extend(recs)
        report.problems.extend(probs)
    for i, probs in validate_indicators(ind_records, units, config, catalogue).items():
        checked[i].report.problems.extend(probs)
    for i, probs in validate_activities(act_records, catalogue).items():
        checked[i].report.problems.extend(probs)
    for rec in ind_records:
        checked[rec["file_idx"]].figures.append(rec)
    for rec in act_records:
        checked[rec["file_idx"]].activities.append(rec)
    for item in checked:
        _decide(item, catalogue)
        _name_rows(item)
    return checked


def _name_rows(item: CheckedFile) -> None:
    """Give each problem on a table row that row's STT, so messages can name the row as the clerk numbered it."""
    parsed = item.parsed
    stt: dict[tuple[str, int], str] = {}
    for sheet, rows in ((parsed.indicator_sheet, parsed.indicator_rows), (parsed.activity_sheet, parsed.activity_rows)):
        for row in rows:
            raw = row.values.get("stt")
            text = format_vi(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else plain_text(raw, 12)
            if sheet and text:
                stt[(sheet, row.row)] = text
    for p in item.report.problems:
        m = re.match(r"^[A-Z]+(\d+)$", p.cell or "")
        if m:
            p.stt = stt.get((p.sheet, int(m.group(1))))


def _decide(item: CheckedFile, catalogue: Catalogue) -> None:
    """Apply the acceptance rule and warn about assigned indicators that are missing."""
    report = item.report
    if report.rejected_whole:
        return
    present = {f["indicator"] for f in item.figures}
    if item.unit:
        for code in item.unit.indicators:
            if code not in present:
                report.problems.append(Problem(
                    "missing-indicator", item.parsed.indicator_sheet or SHEET_INDICATORS, "", None, code,
                    {"indicator_label": catalogue.indicators[code].label, "unit_name": item.unit.name}))
    blocked = {p.indicator for p in report.problems if p.severity == ERROR and p.indicator}
    parts = sorted(present | {a["activity"] for a in item.activities})
    report.blocked_indicators = [c for c in parts if c in blocked]
    report.accepted_indicators = [c for c in parts if c not in blocked]
    for f in item.figures:
        f["accepted"] = f["indicator"] not in blocked
    for a in item.activities:
        a["accepted"] = a["activity"] not in blocked
    report.n_figures = len(item.figures)
    report.n_activities = len(item.activities)
