"""Every hostile case of the corpus (corpus.py, expected.yaml) with its answer, and the time and peak memory of reading it.

    .venv/bin/python bench/hostile_table.py            # about two minutes; prints a Markdown table

Each file is read and validated in its own fresh Python process (as test_hostile's memory test does), so the
peak resident memory (VmHWM, reset after the imports) is that file's alone. The worst cases are listed last.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


CHILD = """
import json, sys, time
from pathlib import Path
from tonghop.config import DEFAULT_CONFIG, Period, load_config
from tonghop.intake.read import parse_file
from tonghop.check.validate import validate_files

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024

config, period = load_config(DEFAULT_CONFIG), Period.parse("2025-Y")
validate_files([parse_file(Path({warm!r}))], config, period)      # imports and caches warm, not measured
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")                                                   # VmHWM starts again from here
base = status("VmRSS:")
start = time.perf_counter()
item = validate_files([parse_file(Path({path!r}))], config, period)[0]
seconds = time.perf_counter() - start
print(json.dumps({{"status": item.report.status, "codes": sorted({{p.code for p in item.report.problems}}),
                  "seconds": seconds, "peak_mb": status("VmHWM:"), "base_mb": base}}))
"""


def measure(path: Path, warm: Path) -> dict:
    code = CHILD.format(path=str(path), warm=str(warm))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return {"status": "CRASH", "codes": [done.stderr.strip().splitlines()[-1][:80] if done.stderr else "?"],
                "seconds": float("nan"), "peak_mb": float("nan"), "base_mb": float("nan")}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from tonghop_dev.hostile.corpus import GOOD, make_corpus

    with tempfile.TemporaryDirectory(prefix="tonghop-hostile-") as tmp:
        folder = Path(tmp)
        made = make_corpus(folder)
        GOOD[1](folder / GOOD[0])
        rows = []
        for i, (case, path) in enumerate(made.items(), start=1):
            print(f"\r{i}/{len(made)} {case:30}", end="", file=sys.stderr, flush=True)
            r = measure(path, folder / GOOD[0])
            rows.append((case, path.stat().st_size, r))
        print(file=sys.stderr)
    print("| case | size (bytes) | answer | problem codes | time (s) | peak RSS above the interpreter (MB) |")
    print("|---|---:|---|---|---:|---:|")
    for case, size, r in rows:
        print(f"| {case} | {size:,} | {r['status']} | {', '.join(r['codes'])} | {r['seconds']:.3f} | "
              f"{r['peak_mb'] - r['base_mb']:.1f} |")
    print("\nslowest:", ", ".join(f"{c} {r['seconds']:.2f} s" for c, _s, r in
                                  sorted(rows, key=lambda x: -x[2]["seconds"])[:5]))
    print("most memory:", ", ".join(f"{c} +{r['peak_mb'] - r['base_mb']:.0f} MB (peak {r['peak_mb']:.0f} MB)"
                                    for c, _s, r in sorted(rows, key=lambda x: x[2]["base_mb"] - x[2]["peak_mb"])[:5]))


if __name__ == "__main__":
    main()
