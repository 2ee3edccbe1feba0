"""Benchmark tonghop on generated rounds, in one run on the same files: the calamine floor, a naive
openpyxl + Pandera baseline, tonghop at two sizes across provinces (the national round as one flow run,
flows/many.py) and in one province, one process against every core, a national rerun after one file changed;
marginal cost, ratios, peak memory (the flow process and its workers) and issue 17's targets, met or not.

    .venv/bin/python bench/run_benchmark.py --sizes 100 400       # a quick check (a few minutes)
    .venv/bin/python bench/run_benchmark.py --sizes 400 4000      # the national scale

Each measurement runs in its own fresh Python process (`--worker`), so peak memory is that run's own (sampled
over the process and every worker it starts) and the flow's time excludes imports (printed apart). A size of N
workbooks across provinces is the first provinces of a generated national round (15 departments +
--communes-per-province communes each, the last one cut to reach N), run as one `tong-hop-nhieu-tinh` flow run,
each province with its own config, inbox, output folder and SQLite file; in one province, it is a province of
N units (N - 15 communes) run by the province flow. TONGHOP_WORKERS=1 (one process) is compared with the
default (worker processes, one per core).
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
# issue 17: marginal cost per workbook <= 10x the calamine floor; >= 4x faster than the naive way; the cost per
# workbook at the large size within 1.2x of the small one; every core >= 1.7x one process (2 cores); a national
# rerun after one changed file <= one province's work + 2 s; < 1 GB at 4,000, growing no faster than the input
TARGETS = {"marginal_vs_floor": 10.0, "speedup_vs_naive": 4.0, "linear": 1.2, "cores_speedup": 1.7,
           "rerun_extra_seconds": 2.0, "memory_mb": 1024.0}


# --- corpus -------------------------------------------------------------------------------------------------

@dataclass
class Province:
    config: Path
    inbox: Path

    def files(self) -> list[Path]:
        return sorted(p for p in self.inbox.iterdir() if p.is_file() and p.name != "received.csv")


def kept_corpus(folder: Path, recipe: dict[str, Any]) -> list[Province] | None:
    """The corpus generated earlier in `folder` from the same recipe (a kept --workdir), else None."""
    try:
        kept = json.loads((folder / "corpus.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if kept.get("recipe") != recipe:
        return None
    return [Province(Path(c), Path(i)) for c, i in kept["provinces"]]


def keep_corpus(folder: Path, recipe: dict[str, Any], provinces: list[Province]) -> list[Province]:
    """Write down what was generated, so that the next run with this --workdir reads the same files again."""
    (folder / "corpus.json").write_text(json.dumps(
        {"recipe": recipe, "provinces": [[str(p.config), str(p.inbox)] for p in provinces]}), encoding="utf-8")
    return provinces


def make_corpus(folder: Path, n: int, communes: int, mistakes: float, seed: int) -> list[Province]:
    """The first provinces of a national round holding exactly n workbooks (the last province cut short)."""
    recipe = {"kind": "across", "n": n, "communes": communes, "mistakes": mistakes, "seed": seed, "period": PERIOD}
    kept = kept_corpus(folder, recipe)
    if kept is not None:
        return kept
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
    return keep_corpus(folder, recipe, out)


def make_one_province(folder: Path, n: int, mistakes: float, seed: int) -> list[Province]:
    """One province of n units (15 departments and n - 15 communes), each sending its form."""
    recipe = {"kind": "one", "n": n, "mistakes": mistakes, "seed": seed, "period": PERIOD}
    kept = kept_corpus(folder, recipe)
    if kept is not None:
        return kept
    from tonghop_dev.generate_round import FormWriter, generate_province, province_specs
    from tonghop.config import Period

    made = generate_province(province_specs(1)[0], folder, communes=max(n - 15, 1), period=Period.parse(PERIOD),
                             mistakes=mistakes, seed=seed, writer=FormWriter(), limit=n)
    return keep_corpus(folder, recipe, [Province(made.config_path, made.inbox)])


def all_files(provinces: list[Province]) -> list[Path]:
    return [f for p in provinces for f in p.files()]


def restore_changed(province: Province) -> None:
    """Undo change_one_file of an earlier run in a kept work dir (the rerun must find exactly one changed file)."""
    for saved in province.inbox.parent.glob("*.truoc-khi-sua"):
        shutil.move(saved, province.inbox / saved.name.removesuffix(".truoc-khi-sua"))
    manifest = province.inbox.parent / "received.csv.truoc-khi-sua"
    if manifest.exists():
        shutil.move(manifest, province.inbox / "received.csv")


def change_one_file(province: Province) -> Path:
    """A unit resends its report with one cell corrected: the file's content (and hash) changes."""
    import openpyxl

    target = next(f for f in province.files() if f.suffix == ".xlsx")
    shutil.copy2(target, province.inbox.parent / f"{target.name}.truoc-khi-sua")
    shutil.copy2(province.inbox / "received.csv", province.inbox.parent / "received.csv.truoc-khi-sua")
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


def _pss_mb(pid: int) -> float:
    """A process's proportional set size: forked workers share their parent's pages, which RSS counts in each."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class TreeMemory:
    """Peak memory (PSS) of this process and all its descendants (the fork server and the worker processes),
    sampled every 0.2 s: ru_maxrss sees one process only."""

    def __init__(self) -> None:
        import threading

        self.peak = 0.0
        self.cpu: dict[int, float] = {}        # descendants' CPU seconds, by pid (a pid that ends keeps its last)
        self.gone: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def tree(cpu: dict[int, float] | None = None) -> float:
        """PSS of this process and its descendants, MB; `cpu` gets each one's CPU seconds so far, by pid."""
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(int(fields[1]), []).append(int(entry))
                if cpu is not None:
                    cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        total, todo, seen = 0.0, [os.getpid()], []
        while todo:
            pid = todo.pop()
            seen.append(pid)
            todo += children.get(pid, [])
            total += _pss_mb(pid)
        if cpu is not None:
            for pid in [p for p in cpu if p not in seen]:
                del cpu[pid]
        return total

    @staticmethod
    def sample() -> float:
        return TreeMemory.tree()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            now: dict[int, float] = {}
            self.peak = max(self.peak, self.tree(now))
            self.gone.update({pid: cpu for pid, cpu in self.cpu.items() if pid not in now})
            self.cpu = now

    def descendants_cpu(self) -> float:
        """CPU seconds of the worker processes (every descendant but this process), as last sampled."""
        me = os.getpid()
        return sum(v for pid, v in {**self.gone, **self.cpu}.items() if pid != me)


def worker_tonghop(spec: dict[str, Any]) -> dict[str, Any]:
    """tonghop on the spec's provinces, as production runs them: `many` = one tong-hop-nhieu-tinh flow run for
    them all, else consolidate_round for each in turn; against PREFECT_API_URL, with the environment's
    TONGHOP_WORKERS."""
    t0 = time.perf_counter()
    from flows.many import consolidate_many
    from flows.round import consolidate_round
    imported = time.perf_counter() - t0
    base = TreeMemory.sample()
    profiler = None
    if spec.get("profile"):
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    t1, c1 = time.perf_counter(), time.process_time()
    counts: dict[str, int] = {}
    read = 0
    with TreeMemory() as memory:
        if spec.get("many"):
            rounds = [{"inbox": r["inbox"], "out": r["out"], "config_path": r["config"]} for r in spec["runs"]]
            summaries = consolidate_many(period=PERIOD, rounds=rounds, trigger="benchmark")["provinces"]
        else:
            summaries = [consolidate_round(period=PERIOD, inbox=r["inbox"], out=r["out"], config_path=r["config"],
                                           trigger="benchmark") for r in spec["runs"]]
    wall, cpu = time.perf_counter() - t1, time.process_time() - c1
    for summary in summaries:
        read += summary["files_read_this_run"]
        for k, v in summary["counts"].items():
            counts[k] = counts.get(k, 0) + v
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(spec["profile"])
    result = {"seconds": wall, "cpu_seconds": cpu, "workers_cpu_seconds": memory.descendants_cpu(), "import_seconds": imported, "rss_after_import_mb": base,
              "peak_mb": max(memory.peak, TreeMemory.sample()), "files_read": read, "counts": counts,
              "workers": os.environ.get("TONGHOP_WORKERS", "default")}
    if spec.get("warm"):   # the same single-workbook run again in this process, into a new folder: warm fixed cost
        t2 = time.perf_counter()
        for run in spec["warm"]:
            consolidate_round(period=PERIOD, inbox=run["inbox"], out=run["out"], config_path=run["config"],
                              trigger="benchmark")
        result["warm_seconds"] = time.perf_counter() - t2
    return result


def _probe(i: int) -> int:
    return os.getpid()


def worker_startup(spec: dict[str, Any]) -> dict[str, Any]:
    """What worker processes cost before their first batch: two flow runs in one process, each handing one tiny
    task to each of its workers; the first run also starts the fork server (which imports tonghop and Prefect)."""
    from prefect import flow

    from flows.runners import WorkerProcesses

    n = spec["workers"]

    @flow(name="khoi-dong-tien-trinh", task_runner=WorkerProcesses(max_workers=n, min_files=0))
    def start() -> float:
        t = time.perf_counter()
        pids = {f.result() for f in [probe_task.submit(i) for i in range(n)]}
        assert os.getpid() not in pids
        return time.perf_counter() - t

    return {"first_seconds": start(), "second_seconds": start(), "workers": n}


def _probe_task():
    from prefect import task
    return task(name="tham-do-tien-trinh", cache_policy=None)(_probe)


probe_task = _probe_task()     # module-level: a worker finds it by reference
WORKERS = {"floor": worker_floor, "naive": worker_naive, "tonghop": worker_tonghop, "startup": worker_startup}


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
    parser.add_argument("--sizes", type=int, nargs=2, default=[400, 4000], metavar=("SMALL", "LARGE"),
                        help="the two round sizes, in workbooks (a quick check: 100 400)")
    parser.add_argument("--communes-per-province", type=int, default=100,
                        help="communes of each generated province (each also has 15 departments)")
    parser.add_argument("--mistakes", type=float, default=0.1, help="share of files with one planted mistake")
    parser.add_argument("--seed", type=int, default=2025, help="seed of the generator (same seed, same files)")
    parser.add_argument("--workdir", type=Path, help="keep corpora and outputs here (default: a temp folder, removed)")
    parser.add_argument("--profile", choices=("never", "always"), default="never",
                        help="also profile a one-process run at the large size (cProfile of the flow process)")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, spec_path = args.worker
        print("RESULT " + json.dumps(WORKERS[kind](json.loads(Path(spec_path).read_text(encoding="utf-8")))))
        return 0

    from tonghop_dev.prefect_server import prefect_server

    small, large = sorted(args.sizes)
    started = time.perf_counter()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tonghop-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect-client"), "PREFECT_LOGGING_LEVEL": "WARNING",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("TONGHOP_WORKERS", None)
    try:
        print(f"tonghop benchmark — sizes {small} and {large} workbooks, {args.communes_per_province} communes + "
              f"15 departments per province, {args.mistakes:.0%} files with a planted mistake; work dir {work}")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        t = time.perf_counter()
        corpora = {n: make_corpus(work / f"n{n}", n, args.communes_per_province, args.mistakes, args.seed)
                   for n in (1, small, large)}
        single = {n: make_one_province(work / f"one{n}", n, args.mistakes, args.seed) for n in (small, large)}
        n_gen = sum(len(all_files(c)) for c in (*corpora.values(), *single.values()))
        print(f"generated (or found in the work dir) {n_gen} workbooks in {time.perf_counter() - t:.1f} s")
        for old in [*work.glob("out-*"), work / "prefect-server", work / "prefect-client"]:
            shutil.rmtree(old, ignore_errors=True)      # a kept work dir: every run's outputs and Prefect anew
        for p in (*corpora[large], *single[large]):
            restore_changed(p)

        floor = {n: run_worker("floor", {"files": [str(f) for f in all_files(corpora[n])]}, env, work)
                 for n in (small, large)}
        naive = {n: run_worker("naive", {"files": [str(f) for f in all_files(corpora[n])]}, env, work)
                 for n in (small, large)}

        def runs(provinces: list[Province], tag: str) -> list[dict[str, str]]:
            return [{"inbox": str(p.inbox), "config": str(p.config),
                     "out": str(work / f"out-{tag}" / p.inbox.parent.name)} for p in provinces]

        with prefect_server(work / "prefect-server") as server:
            api_url = env["PREFECT_API_URL"] = server.url
            one_process = {**env, "TONGHOP_WORKERS": "1"}
            print(f"Prefect server running at {api_url}")
            startup = run_worker("startup", {"workers": os.cpu_count() or 2}, env, work)
            fixed = run_worker("tonghop", {"runs": runs(corpora[1], "one"), "warm": runs(corpora[1], "one-warm")},
                               env, work)
            across = {n: run_worker("tonghop", {"runs": runs(corpora[n], str(n)), "many": True}, env, work)
                      for n in (small, large)}
            alone = run_worker("tonghop", {"runs": runs(corpora[large], f"{large}-1"), "many": True}, one_process, work)
            province = {n: run_worker("tonghop", {"runs": runs(single[n], f"one{n}")}, env, work)
                        for n in (small, large)}
            changed = change_one_file(corpora[large][0])
            rerun = run_worker("tonghop", {"runs": runs(corpora[large], str(large)), "many": True}, env, work)
            summarise(small, large, corpora, floor, naive, startup, fixed, across, alone, province, rerun, changed)
            if args.profile == "always":
                prof = work / "one-process-large.prof"
                run_worker("tonghop", {"runs": runs(corpora[large], f"{large}-profiled"), "many": True,
                                       "profile": str(prof)}, one_process, work)
                print_profile(prof, f"one process, {large} workbooks across provinces")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")
    return 0


def summarise(small: int, large: int, corpora: dict[int, list[Province]], floor: dict, naive: dict, startup: dict,
              fixed: dict, across: dict, alone: dict, province: dict, rerun: dict, changed: Path) -> dict[str, bool]:
    """Print the table and the targets; returns target name -> met."""
    ps, pl = len(corpora[small]), len(corpora[large])
    d = large - small
    cores = os.cpu_count() or 2
    print(f"\n{'':50}{small:>10} wb{large:>10} wb   per workbook (small / large)")
    print(f"{'':50}{f'({ps} prov.)':>13}{f'({pl} prov.)':>13}")
    rows = (("(1) floor: python-calamine, parse only", floor),
            ("(2) naive: read_excel(openpyxl) + Pandera", naive),
            (f"(3) tonghop across provinces, 1 flow run, {cores} cores", across),
            ("(4) tonghop in one province", province))
    for label, res in rows:
        print(f"{label:<50}{res[small]['seconds']:>11.2f}s{res[large]['seconds']:>11.2f}s  "
              f"{_ms(res[small]['seconds'], small)} / {_ms(res[large]['seconds'], large)}")
    print(f"{'(5) tonghop across provinces, one process':<50}{'':>12}{alone['seconds']:>11.2f}s  "
          f"{'':>11}   {_ms(alone['seconds'], large)}   (TONGHOP_WORKERS=1)")
    print(f"{'(6) tonghop on 1 workbook (fixed cost of a run)':<50}{fixed['seconds']:>11.2f}s   "
          f"(warm, 2nd run in the process: {fixed['warm_seconds']:.2f} s; imports {fixed['import_seconds']:.1f} s)")
    print(f"{'(7) national rerun after 1 file changed':<50}{'':>12}{rerun['seconds']:>11.2f}s   "
          f"({rerun['files_read']} file read again: {changed.name})")
    print(f"worker start-up ({startup['workers']} processes, a trivial task each): {startup['first_seconds']:.2f} s "
          f"with the fork server's start, {startup['second_seconds']:.2f} s in a second flow run of the process")
    print(f"CPU time of the flow process: across {across[small]['cpu_seconds']:.1f} s / "
          f"{across[large]['cpu_seconds']:.1f} s; one process {alone['cpu_seconds']:.1f} s; of the worker processes "
          f"(with the fork server): across {across[small].get('workers_cpu_seconds', 0):.1f} s / "
          f"{across[large].get('workers_cpu_seconds', 0):.1f} s")
    print("peak memory (PSS), the flow process and its workers together (MB; floor and naive: peak RSS):")
    for label, res in (("floor", floor), ("naive", naive), ("tonghop across provinces", across),
                       ("tonghop in one province", province)):
        print(f"  {label:<48}{res[small]['peak_mb']:>11.0f} {res[large]['peak_mb']:>11.0f}")
    print(f"  {'tonghop across provinces, one process':<48}{'':>11} {alone['peak_mb']:>11.0f}")
    print(f"  {'tonghop, after imports, before the run':<48}{across[small]['rss_after_import_mb']:>11.0f} "
          f"{across[large]['rss_after_import_mb']:>11.0f}")
    print(f"  {'tonghop, national rerun':<48}{'':>11} {rerun['peak_mb']:>11.0f}")
    print(f"outcomes at {large}: {across[large]['counts']}")

    floor_pw = floor[large]["seconds"] / large
    marginal = (across[large]["seconds"] - across[small]["seconds"]) / d
    speedup = naive[large]["seconds"] / across[large]["seconds"]
    per_wb = {k: (res[large]["seconds"] / large) / (res[small]["seconds"] / small)
              for k, res in (("across", across), ("province", province))}
    cores_speedup = alone["seconds"] / across[large]["seconds"]
    province_work = across[large]["seconds"] / pl
    base_s, base_l = across[small]["rss_after_import_mb"], across[large]["rss_after_import_mb"]
    grow_s, grow_l = across[small]["peak_mb"] - base_s, across[large]["peak_mb"] - base_l
    growth = grow_l / grow_s if grow_s > 0 else float("inf")
    peak = max(across[large]["peak_mb"], province[large]["peak_mb"], alone["peak_mb"])
    # below 4,000: the straight line through the two sizes (the workers' own imports are a fixed part)
    slope = max(across[large]["peak_mb"] - across[small]["peak_mb"], 0.0) / d
    mem_4000 = peak if large >= 4000 else peak + slope * (4000 - large)
    met = {
        "marginal": marginal <= TARGETS["marginal_vs_floor"] * floor_pw,
        "naive": speedup >= TARGETS["speedup_vs_naive"],
        "linear": max(per_wb.values()) <= TARGETS["linear"],
        "cores": cores_speedup >= TARGETS["cores_speedup"],
        "rerun": rerun["seconds"] <= province_work + TARGETS["rerun_extra_seconds"],
        "memory": mem_4000 < TARGETS["memory_mb"] and growth <= large / small,
    }
    print("\ntargets (issue 17)")
    print(f"  marginal cost per workbook  ({large}-{small})/{d} = {marginal * 1000:.2f} ms vs floor "
          f"{floor_pw * 1000:.2f} ms/wb = {marginal / floor_pw:.1f}x   (target <= {TARGETS['marginal_vs_floor']:g}x)  "
          f"{verdict(met['marginal'])}")
    print(f"  faster than naive            {naive[large]['seconds']:.2f} s / {across[large]['seconds']:.2f} s = "
          f"{speedup:.2f}x   (target >= {TARGETS['speedup_vs_naive']:g}x)  {verdict(met['naive'])}")
    print(f"  linear: per workbook at {large} / at {small}   across provinces {per_wb['across']:.2f}x, in one "
          f"province {per_wb['province']:.2f}x   (target <= {TARGETS['linear']:g}x)  {verdict(met['linear'])}")
    print(f"  every core vs one process    {alone['seconds']:.2f} s / {across[large]['seconds']:.2f} s = "
          f"{cores_speedup:.2f}x on {cores} cores   (target >= {TARGETS['cores_speedup']:g}x on 2 cores)  "
          f"{verdict(met['cores'])}")
    print(f"  national rerun               {rerun['seconds']:.2f} s vs one province's work {province_work:.2f} s "
          f"({across[large]['seconds']:.2f} s / {pl}) + {TARGETS['rerun_extra_seconds']:g} s  {verdict(met['rerun'])}")
    extrapolated = "" if large >= 4000 else " (extrapolated along the line through the two sizes)"
    print(f"  peak memory                  {mem_4000:.0f} MB at 4,000{extrapolated}; growth above the "
          f"post-import baseline {grow_s:.0f} -> {grow_l:.0f} MB = {growth:.2f}x for {large / small:.1f}x the "
          f"input  (target < 1 GB, growth <= input)  {verdict(met['memory'])}")
    return met


if __name__ == "__main__":
    raise SystemExit(main())

