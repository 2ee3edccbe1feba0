"""Benchmark tonghop on generated rounds, in one run on the same files: the calamine floor, a naive
openpyxl + Pandera baseline, tonghop's round flow against a running Prefect server (two sizes and a single
workbook), a rerun after one file changed; marginal cost, ratios, peak memory, targets, and a profile of
what misses a target.

    .venv/bin/python bench/run_benchmark.py                      # 200 and 1,000 workbooks (a few minutes)
    .venv/bin/python bench/run_benchmark.py --sizes 400 4000     # the national scale

Each measurement runs in its own fresh Python process (`--worker`), so peak RSS is that process's own and
the flow's time excludes imports (printed apart). A size of N workbooks is the first provinces of a
generated national round (15 departments + --communes-per-province communes each, the last one cut to
reach N), each province run as production runs it: consolidate_round with its own config, inbox and
output folder (SQLite), one province after another in the same process.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PERIOD = "2025-Y"
TARGETS = {"marginal_vs_floor": 5.0, "speedup_vs_naive": 10.0, "rerun_share": 0.10, "memory_mb": 1024.0}


# --- corpus -------------------------------------------------------------------------------------------------

@dataclass
class Province:
    config: Path
    inbox: Path

    def files(self) -> list[Path]:
        return sorted(p for p in self.inbox.iterdir() if p.is_file() and p.name != "received.csv")


def make_corpus(folder: Path, n: int, communes: int, mistakes: float, seed: int) -> list[Province]:
    """The first provinces of a national round holding exactly n workbooks (the last province cut short)."""
    from tonghop_dev.generate_round import FormWriter, generate_province, province_specs
    from tonghop.config import Period

    per = communes + 15
    specs = province_specs(math.ceil(n / per))
    writer = FormWriter()
    out: list[Province] = []
    left = n
    for spec in specs:
        made = generate_province(spec, folder, communes=communes, period=Period.parse(PERIOD), mistakes=mistakes,
                                 seed=seed, writer=writer, limit=min(per, left))
        left -= len(made.files)
        out.append(Province(made.config_path, made.inbox))
    return out


def all_files(provinces: list[Province]) -> list[Path]:
    return [f for p in provinces for f in p.files()]


def change_one_file(province: Province) -> Path:
    """A unit resends its report with one cell corrected: the file's content (and hash) changes."""
    import openpyxl

    target = next(f for f in province.files() if f.suffix == ".xlsx")
    wb = openpyxl.load_workbook(target)
    for ws in wb.worksheets[:2]:
        ws["C4"] = "Người lập biểu (gửi lại)"
    wb.save(target)
    manifest = province.inbox / "received.csv"
    rows = list(csv.reader(manifest.open(encoding="utf-8")))
    now = time.strftime("%Y-%m-%dT%H:%M:%S+07:00")
    manifest.write_text("\n".join(",".join(r if r[0] != target.name else [r[0], now]) for r in rows) + "\n",
                        encoding="utf-8")
    return target


# --- workers (each in its own process) ----------------------------------------------------------------------

def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def worker_floor(spec: dict[str, Any]) -> dict[str, Any]:
    """Only parse: python-calamine opens each file and reads every sheet (csv: the csv module)."""
    import python_calamine as pc

    files = [Path(f) for f in spec["files"]]
    t0 = time.perf_counter()
    cells = 0
    for f in files:
        if f.suffix.lower() == ".csv":
            cells += sum(len(r) for r in csv.reader(f.open(encoding="utf-8-sig")))
            continue
        wb = pc.CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
    return {"seconds": time.perf_counter() - t0, "files": len(files), "cells": cells, "peak_mb": _peak_mb()}


def worker_naive(spec: dict[str, Any]) -> dict[str, Any]:
    """What one would write first: pandas.read_excel(engine="openpyxl") per file, then Pandera per file."""
    import pandas as pd
    import pandera.pandas as pa

    from schemas.catalogue import load_catalogue

    catalogue = load_catalogue()
    number = {"nullable": True, "coerce": True}
    schemas = {
        "Mã chỉ tiêu": pa.DataFrameSchema({
            "Mã chỉ tiêu": pa.Column(str, pa.Check.isin(list(catalogue.indicators)), coerce=True),
            "Tử số": pa.Column(float, pa.Check.ge(0), **number),
            "Mẫu số": pa.Column(float, pa.Check.ge(0), **number),
            "Giá trị": pa.Column(float, pa.Check.ge(0), **number)}),
        "Mã hoạt động": pa.DataFrameSchema({
            "Mã hoạt động": pa.Column(str, pa.Check.isin(list(catalogue.activities)), coerce=True),
            "Số lượng": pa.Column(float, pa.Check.ge(0), **number),
            "Nam": pa.Column(float, pa.Check.ge(0), **number),
            "Nữ": pa.Column(float, pa.Check.ge(0), **number)}),
    }
    engines = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".xls": "calamine", ".ods": "odf"}
    files = [Path(f) for f in spec["files"]]
    t0 = time.perf_counter()
    failed = tables = 0
    for f in files:
        if f.suffix.lower() == ".csv":
            sheets = {"csv": pd.read_csv(f, header=None, encoding="utf-8-sig")}
        else:
            sheets = pd.read_excel(f, engine=engines[f.suffix.lower()], sheet_name=None, header=None)
        for frame in sheets.values():
            for key, schema in schemas.items():
                hits = frame.index[frame.eq(key).any(axis=1)]
                if len(hits) == 0:
                    continue
                table = frame.iloc[hits[0] + 1:]
                table.columns = [str(c) for c in frame.iloc[hits[0]]]
                table = table.loc[table[key].notna().to_numpy().ravel()[:len(table)], ~table.columns.duplicated()]
                table = table.reindex(columns=list(schema.columns))
                tables += 1
                try:
                    schema.validate(table, lazy=True)
                except (pa.errors.SchemaErrors, pa.errors.SchemaError):
                    failed += 1
    return {"seconds": time.perf_counter() - t0, "files": len(files), "tables": tables,
            "tables_failed": failed, "peak_mb": _peak_mb()}


def worker_tonghop(spec: dict[str, Any]) -> dict[str, Any]:
    """consolidate_round for each province in turn, as `tonghop run` does, against PREFECT_API_URL."""
    t0 = time.perf_counter()
    from flows.round import consolidate_round
    imported = time.perf_counter() - t0
    base = _rss_mb()
    profiler = None
    if spec.get("profile"):
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    t1, c1 = time.perf_counter(), time.process_time()
    counts: dict[str, int] = {}
    read = 0
    for run in spec["runs"]:
        summary = consolidate_round(period=PERIOD, inbox=run["inbox"], out=run["out"], config_path=run["config"],
                                    trigger="benchmark")
        read += summary["files_read_this_run"]
        for k, v in summary["counts"].items():
            counts[k] = counts.get(k, 0) + v
    wall, cpu = time.perf_counter() - t1, time.process_time() - c1
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(spec["profile"])
    result = {"seconds": wall, "cpu_seconds": cpu, "import_seconds": imported, "rss_after_import_mb": base,
              "peak_mb": _peak_mb(), "files_read": read, "counts": counts}
    if spec.get("warm"):   # the same single-workbook run again in this process, into a new folder: warm fixed cost
        t2 = time.perf_counter()
        for run in spec["warm"]:
            consolidate_round(period=PERIOD, inbox=run["inbox"], out=run["out"], config_path=run["config"],
                              trigger="benchmark")
        result["warm_seconds"] = time.perf_counter() - t2
    return result


WORKERS = {"floor": worker_floor, "naive": worker_naive, "tonghop": worker_tonghop}


def run_worker(kind: str, spec: dict[str, Any], env: dict[str, str], work: Path) -> dict[str, Any]:
    spec_path = Path(tempfile.mkstemp(prefix=f"{kind}-", suffix=".json", dir=work)[1])
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "tonghop_dev.benchmark", "--worker", kind, str(spec_path)],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"worker {kind} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1][len("RESULT "):])


# --- profile ------------------------------------------------------------------------------------------------

def _area(filename: str, func: str = "") -> str:
    """Where a function lives, coarsely: tonghop.intake.read, sqlalchemy, prefect, {built-in}..."""
    if "_thread.lock" in func or "select.epoll" in func:
        return "waiting (Prefect API calls in its event-loop thread)"
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        return path.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    for top in ("tonghop/", "flows/", "schemas/"):
        if f"/{top}" in path:
            rest = path.split(f"/{top}")[1]
            return top.rstrip("/") + "." + rest.removesuffix(".py").replace("/", ".")
    if filename.startswith("~") or filename.startswith("<"):
        return "{built-in}"
    return "python stdlib"


def print_profile(path: Path, title: str, top: int = 18) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    total = stats.total_tt
    by_area: dict[str, float] = {}
    for (filename, _line, func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        area = _area(filename, func)
        by_area[area] = by_area.get(area, 0.0) + tt
    print(f"\n--- profile: {title} (cProfile, main thread, {total:.1f} s of own time) ---")
    print("own time by area:")
    for area, tt in sorted(by_area.items(), key=lambda x: -x[1])[:14]:
        print(f"  {area:<52} {tt:7.2f} s  {tt / total:6.1%}")
    print("cumulative time, tonghop's own functions:")
    rows = [(ct, nc, f"{_area(fn)}.{func}") for (fn, _l, func), (_cc, nc, _tt, ct, _c) in stats.stats.items()
            if _area(fn).startswith(("tonghop", "flows", "schemas"))]
    for ct, nc, name in sorted(rows, reverse=True)[:top]:
        print(f"  {ct:7.2f} s  {nc:7d} calls  {name}")
    print("own time, top functions anywhere:")
    rows = [(tt, nc, f"{_area(fn)}:{func}") for (fn, _l, func), (_cc, nc, tt, _ct, _c) in stats.stats.items()]
    for tt, nc, name in sorted(rows, reverse=True)[:top]:
        print(f"  {tt:7.2f} s  {nc:7d} calls  {name}")


# --- the report ---------------------------------------------------------------------------------------------

def _ms(seconds: float, n: int) -> str:
    return f"{seconds / n * 1000:8.2f} ms"


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()),
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=[200, 1000], metavar=("SMALL", "LARGE"),
                        help="the two round sizes, in workbooks (the issue's national scale: 400 4000)")
    parser.add_argument("--communes-per-province", type=int, default=100,
                        help="communes of each generated province (each also has 15 departments)")
    parser.add_argument("--mistakes", type=float, default=0.1, help="share of files with one planted mistake")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generator (same seed, same files)")
    parser.add_argument("--workdir", type=Path, help="keep corpora and outputs here (default: a temp folder, removed)")
    parser.add_argument("--profile", choices=("auto", "always", "never"), default="auto",
                        help="profile a run when a target is missed (auto), always, or never")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, spec_path = args.worker
        print("RESULT " + json.dumps(WORKERS[kind](json.loads(Path(spec_path).read_text(encoding="utf-8")))))
        return 0

    from tonghop_dev.prefect_server import prefect_server

    small, large = sorted(args.sizes)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tonghop-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect-client"), "PREFECT_LOGGING_LEVEL": "WARNING",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    try:
        print(f"tonghop benchmark — sizes {small} and {large} workbooks, {args.communes_per_province} communes + "
              f"15 departments per province, {args.mistakes:.0%} files with a planted mistake; work dir {work}")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        t = time.perf_counter()
        corpora = {n: make_corpus(work / f"n{n}", n, args.communes_per_province, args.mistakes, args.seed)
                   for n in (1, small, large)}
        n_gen = sum(len(all_files(c)) for c in corpora.values())
        print(f"generated {n_gen} workbooks in {time.perf_counter() - t:.1f} s")

        floor = {n: run_worker("floor", {"files": [str(f) for f in all_files(corpora[n])]}, env, work)
                 for n in (small, large)}
        naive = {n: run_worker("naive", {"files": [str(f) for f in all_files(corpora[n])]}, env, work)
                 for n in (small, large)}

        def runs(n: int, tag: str) -> list[dict[str, str]]:
            return [{"inbox": str(p.inbox), "config": str(p.config), "out": str(work / f"out-{tag}" / p.inbox.parent.name)}
                    for p in corpora[n]]

        with prefect_server(work / "prefect-server") as server:
            api_url = env["PREFECT_API_URL"] = server.url
            print(f"Prefect server running at {api_url}")
            fixed = run_worker("tonghop", {"runs": runs(1, "one"), "warm": runs(1, "one-warm")}, env, work)
            cold = {n: run_worker("tonghop", {"runs": runs(n, str(n))}, env, work) for n in (small, large)}
            changed = change_one_file(corpora[large][0])
            rerun = run_worker("tonghop", {"runs": runs(large, str(large))}, env, work)
            report = summarise(small, large, corpora, floor, naive, fixed, cold, rerun, changed)
            missed = [k for k, ok in report.items() if not ok]
            if args.profile == "always" or (args.profile == "auto" and missed):
                prof = work / "cold-large.prof"
                run_worker("tonghop", {"runs": runs(large, f"{large}-profiled"), "profile": str(prof)}, env, work)
                print_profile(prof, f"cold run, {large} workbooks")
                if args.profile == "always" or "rerun" in missed:
                    prof = work / "rerun.prof"
                    change_one_file(corpora[small][0])
                    run_worker("tonghop", {"runs": runs(small, f"{small}-profiled"), "profile": str(prof)}, env, work)
                    print_profile(prof, f"rerun after one file changed, {small} workbooks", top=12)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def summarise(small: int, large: int, corpora: dict[int, list[Province]], floor: dict, naive: dict, fixed: dict,
              cold: dict, rerun: dict, changed: Path) -> dict[str, bool]:
    """Print the table and the targets; returns target name -> met."""
    ps, pl = len(corpora[small]), len(corpora[large])
    d = large - small
    print(f"\n{'':44}{small:>10} wb{large:>10} wb   per workbook (large)")
    print(f"{'':44}{f'({ps} prov.)':>13}{f'({pl} prov.)':>13}")
    for label, res in (("(1) floor: python-calamine, parse only", floor),
                       ("(2) naive: read_excel(openpyxl) + Pandera", naive),
                       ("(3) tonghop: round flow, Prefect server", cold)):
        print(f"{label:<44}{res[small]['seconds']:>11.2f}s{res[large]['seconds']:>11.2f}s  "
              f"{_ms(res[large]['seconds'], large)}")
    print(f"{'(3) tonghop on 1 workbook (fixed cost)':<44}{fixed['seconds']:>11.2f}s   "
          f"(warm, 2nd run in the process: {fixed['warm_seconds']:.2f} s; imports {fixed['import_seconds']:.1f} s)")
    print(f"{'(4) rerun after 1 file changed':<44}{'':>12}{rerun['seconds']:>11.2f}s   "
          f"({rerun['files_read']} file read again: {changed.name})")
    print(f"{'    tonghop CPU time of the flow process':<44}{cold[small]['cpu_seconds']:>11.2f}s"
          f"{cold[large]['cpu_seconds']:>11.2f}s")
    print("peak RSS of the process doing the work (MB):")
    for label, res in (("floor", floor), ("naive", naive), ("tonghop", cold)):
        print(f"  {label:<42}{res[small]['peak_mb']:>11.0f} {res[large]['peak_mb']:>11.0f}")
    print(f"  {'tonghop, after imports, before the run':<42}{cold[small]['rss_after_import_mb']:>11.0f} "
          f"{cold[large]['rss_after_import_mb']:>11.0f}")
    print(f"  {'tonghop, rerun':<42}{'':>12}{rerun['peak_mb']:>11.0f}")
    print(f"outcomes at {large}: {cold[large]['counts']}")

    floor_pw = floor[large]["seconds"] / large
    marginal = (cold[large]["seconds"] - cold[small]["seconds"]) / d
    fixed_cold, fixed_warm = fixed["seconds"], fixed["warm_seconds"]
    per_province = (pl - ps) * fixed_warm / d
    speedup = naive[large]["seconds"] / cold[large]["seconds"]
    fixed_large = fixed_cold + (pl - 1) * fixed_warm          # one cold start, then a warm fixed cost per province
    variable = max(cold[large]["seconds"] - fixed_large, 0.0)
    rerun_limit = fixed_large + TARGETS["rerun_share"] * variable
    base_s, base_l = cold[small]["rss_after_import_mb"], cold[large]["rss_after_import_mb"]
    grow_s, grow_l = cold[small]["peak_mb"] - base_s, cold[large]["peak_mb"] - base_l
    growth = grow_l / grow_s if grow_s > 0 else float("inf")
    mem_4000 = cold[large]["peak_mb"] if large >= 4000 else base_l + grow_l / large * 4000
    met = {
        "marginal": marginal <= TARGETS["marginal_vs_floor"] * floor_pw,
        "naive": speedup >= TARGETS["speedup_vs_naive"],
        "rerun": rerun["seconds"] <= rerun_limit,
        "memory": mem_4000 < TARGETS["memory_mb"] and growth <= large / small * 1.1,
    }
    print("\ntargets")
    print(f"  marginal cost per workbook  ({large}-{small})/{d} = {marginal * 1000:.2f} ms vs floor "
          f"{floor_pw * 1000:.2f} ms/wb = {marginal / floor_pw:.1f}x   (target <= {TARGETS['marginal_vs_floor']:g}x)  "
          f"{verdict(met['marginal'])}")
    print(f"      of which per-province fixed cost ({pl - ps} more provinces x {fixed_warm:.2f} s) "
          f"= {per_province * 1000:.2f} ms/wb; without it {(marginal - per_province) * 1000:.2f} ms/wb "
          f"= {(marginal - per_province) / floor_pw:.1f}x floor")
    print(f"  faster than naive            {naive[large]['seconds']:.2f} s / {cold[large]['seconds']:.2f} s = "
          f"{speedup:.2f}x   (target >= {TARGETS['speedup_vs_naive']:g}x)  {verdict(met['naive'])}")
    print(f"  rerun                        {rerun['seconds']:.2f} s vs fixed {fixed_large:.2f} s "
          f"(1 cold + {pl - 1} warm) + 10% of variable {variable:.2f} s = {rerun_limit:.2f} s; "
          f"above fixed: {rerun['seconds'] - fixed_large:+.2f} s  {verdict(met['rerun'])}")
    extrapolated = "" if large >= 4000 else " (extrapolated linearly from the measured growth)"
    print(f"  peak memory                  {mem_4000:.0f} MB at 4,000{extrapolated}; growth above the "
          f"post-import baseline {grow_s:.0f} -> {grow_l:.0f} MB = {growth:.2f}x for {large / small:.1f}x the "
          f"input  (target < 1 GB, growth <= input)  {verdict(met['memory'])}")
    return met


if __name__ == "__main__":
    raise SystemExit(main())


def _warm(i: int) -> tuple:
    t = time.perf_counter()
    from importlib import import_module
    import_module("flows.round")      # what a worker imports before its first batch
    with open(f"/proc/{os.getpid()}/stat") as fh:
        started = int(fh.read().split()[21]) / os.sysconf("SC_CLK_TCK")
    with open("/proc/uptime") as fh:
        up = float(fh.read().split()[0])
    return os.getpid(), round(up - started, 2), round(time.perf_counter() - t, 2)


try:
    from prefect import task as _task
    warm_task = _task(name="khoi-dong-tien-trinh", cache_policy=None)(_warm)
except ImportError:  # pragma: no cover
    pass
