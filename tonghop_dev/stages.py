"""Time each per-file stage of a round (scan, read, validate, store, reports, annotated copy, message) on the same files."""
from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from datetime import datetime, timezone
from typing import Any

PERIOD = "2025-Y"
RECEIVED = datetime(2025, 12, 1, tzinfo=timezone.utc)
BATCH = 100          # files read, validated and stored together, as the round does
STAGES = ("floor", "read", "scan", "validate", "store", "reports", "annotate", "message")
LABELS = {
    "floor": "calamine thô (sàn)",
    "scan": "  trong đó: kiểm tra giới hạn",
    "read": "đọc (parse_file, gồm kiểm tra)",
    "validate": "kiểm tra số liệu",
    "store": "lưu vào CSDL",
    "reports": "báo cáo JSON + HTML",
    "annotate": "bản đánh dấu",
    "message": "soạn thư + xếp hàng",
}


@dataclass
class Corpus:
    label: str
    config: Path
    files: list[Path]


@dataclass
class Timing:
    label: str
    files: int
    seconds: dict[str, float] = field(default_factory=dict)

    def ms(self, stage: str) -> float:
        return self.seconds.get(stage, 0.0) * 1000 / max(self.files, 1)

    @property
    def pipeline_ms(self) -> float:
        # the scan runs inside parse_file: timed apart on the same files, it is part of "read", not added to it
        return sum(self.ms(s) for s in STAGES if s not in ("floor", "scan"))


def make_corpora(folder: Path, n: int, seed: int = 2025, mistakes: float = 0.1,
                 communes: tuple[int, ...] = (100, 985)) -> list[Corpus]:
    """One province of n workbooks (its first n units) per size of area list: by default an ordinary one and one of
    ~985 communes. Each is written under `folder`/<communes> and reused when already there (the same files for
    another run, e.g. of an older tonghop)."""
    from tonghop.config import Period
    from tonghop_dev.generate_round import FormWriter, generate_province, province_specs

    writer = FormWriter()
    specs = province_specs(len(communes))
    out = []
    for spec, count in zip(specs, communes):
        label = "tỉnh thường (100 xã)" if count == 100 else f"tỉnh {count:,} xã".replace(",", ".")
        inbox = folder / str(count) / f"{spec.code}-{spec.slug}" / "inbox"
        config = inbox.parent / "config.yaml"
        files = sorted(p for p in inbox.iterdir() if p.is_file() and p.name != "received.csv") if inbox.exists() else []
        if len(files) != n or not config.exists():
            made = generate_province(spec, folder / str(count), communes=count, period=Period.parse(PERIOD),
                                     mistakes=mistakes, seed=seed, writer=writer, limit=n)
            files = sorted(p for p in made.inbox.iterdir() if p.is_file() and p.name != "received.csv")
        out.append(Corpus(label, config, files))
    return out


CLOCK = time.perf_counter     # --clock cpu: time.process_time, this process's own CPU time (on a shared machine)


def _clock(seconds: dict[str, float], stage: str, fn: Callable[[], Any]) -> Any:
    t0 = CLOCK()
    result = fn()
    seconds[stage] = seconds.get(stage, 0.0) + CLOCK() - t0
    return result


def floor(files: list[Path]) -> None:
    """python-calamine opening every file and reading every sheet, nothing else (csv: the csv module)."""
    import python_calamine as pc

    for f in files:
        data = f.read_bytes()
        if f.suffix.lower() == ".csv":
            list(csv.reader(io.StringIO(data.decode("utf-8-sig", "replace"))))
            continue
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def scan(files: list[Path]) -> None:
    """The bounds inspection alone, on every file parse_file would inspect, as parse_file asks for it."""
    from tonghop.intake import container

    for f in files:
        data = f.read_bytes()
        if f.suffix.lower() == ".csv" and container.container_kind(data) == "other":
            continue
        try:
            container.inspect_workbook(data, cut=True)     # the rows parse_file never reads left uncounted
        except container.Refused:
            pass


def time_corpus(corpus: Corpus, work: Path) -> Timing:
    """Every stage over all files of the corpus, in the order a round runs them."""
    from tonghop.config import Period, load_config
    from tonghop.intake.read import parse_file
    from tonghop.check.validate import validate_files
    from tonghop.mail.message import resend_by, today_in
    from tonghop.mail.queue import ReportToQueue, queue_reports
    from tonghop.reports.annotate import annotate_workbook
    from tonghop.reports.submission import output_stem, write_submission_reports
    from tonghop.store.db import open_db
    from tonghop.store.repo import known_hashes, save_checked

    config, period = load_config(corpus.config), Period.parse(PERIOD)
    work.mkdir(parents=True, exist_ok=True)
    engine = open_db(f"sqlite:///{work / 'tonghop.db'}")
    t = Timing(corpus.label, len(corpus.files))
    s = t.seconds
    _clock(s, "floor", lambda: floor(corpus.files))
    _clock(s, "scan", lambda: scan(corpus.files))
    checked = []
    for i in range(0, len(corpus.files), BATCH):
        group = corpus.files[i:i + BATCH]
        parsed = _clock(s, "read", lambda: [parse_file(f) for f in group])
        items = _clock(s, "validate", lambda: validate_files(parsed, config, period))
        _clock(s, "store", lambda: save_checked(engine, [(c, RECEIVED) for c in items], period.code))
        checked.extend(items)
    out = work / "submissions"
    context = {"period_vi": period.vi, "resend_by": resend_by(config.deadline(period), today_in(config)),
               "province": config.province_name}
    _clock(s, "reports", lambda: [write_submission_reports(c.report, out, **context) for c in checked])
    annotated: dict[str, Path] = {}

    def annotate_all() -> None:
        for c in checked:
            if not c.report.rejected_whole or any(p.cell for p in c.report.problems):
                got = annotate_workbook(c.parsed.path, c.report.problems, out / f"{output_stem(c.report)}-danh-dau")
                if got:
                    annotated[c.parsed.sha256] = got
    _clock(s, "annotate", annotate_all)
    ids = {h: k.id for h, k in known_hashes(engine, period.code).items()}
    _clock(s, "message", lambda: queue_reports(engine, (
        ReportToQueue(c.report, ids.get(c.parsed.sha256), annotated.get(c.parsed.sha256),
                      str(c.parsed.header.get("email") or "") or None) for c in checked),
        config=config, period=period))
    engine.dispose()
    return t


def table(timings: list[Timing]) -> str:
    """ms/workbook per stage and its ratio to the raw calamine parse of the same files."""
    head = f"{'công đoạn':<30}" + "".join(f"{t.label + f' ({t.files} tệp)':>34}" for t in timings)
    lines = [head, "-" * len(head)]
    for stage in STAGES:
        cells = "".join(f"{t.ms(stage):>16.2f} ms {t.ms(stage) / max(t.ms('floor'), 1e-9):>9.1f}× sàn   "
                        for t in timings)
        lines.append(f"{LABELS[stage]:<30}{cells}")
    cells = "".join(f"{t.pipeline_ms:>16.2f} ms {t.pipeline_ms / max(t.ms('floor'), 1e-9):>9.1f}× sàn   "
                    for t in timings)
    lines.append(f"{'cả chuỗi (trừ sàn)':<30}{cells}")
    # issue 17: a province's cost per file within 1.2x of the first (ordinary) one's, whatever its area list
    first = max(timings[0].pipeline_ms, 1e-9)
    lines.append(f"{'cả chuỗi / cột đầu':<30}" + "".join(f"{t.pipeline_ms / first:>16.2f}×" + " " * 20 for t in timings))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Thời gian từng công đoạn cho mỗi tệp (ms/tệp), cùng tệp, cùng lần chạy.")
    parser.add_argument("-n", "--files", type=int, default=100, help="số tệp mỗi tỉnh")
    parser.add_argument("--workdir", type=Path, help="giữ tệp sinh ra và kết quả ở đây (lần chạy sau dùng lại các tệp)")
    parser.add_argument("--communes", type=int, nargs="+", default=[100, 985],
                        help="số xã của mỗi tỉnh (độ dài danh sách địa bàn trong mỗi tệp), mặc định 100 985")
    parser.add_argument("--repeat", type=int, default=1, help="số lần đo; in lần nhanh nhất của mỗi công đoạn")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: time.perf_counter; cpu: time.process_time (thời gian CPU của riêng tiến trình này, "
                             "khi máy đang chạy việc khác)")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    with tempfile.TemporaryDirectory() as tmp:
        root = args.workdir or Path(tmp)
        corpora = make_corpora(root / "inputs", args.files, communes=tuple(args.communes))
        for i, c in enumerate(corpora):       # imports, compiled schemas and templates: not a per-file cost
            time_corpus(Corpus(c.label, c.config, c.files[:5]), root / "warm-up" / str(i))
        best: list[Timing] = []
        for r in range(args.repeat):
            runs = [time_corpus(c, root / f"run-{r}" / f"{i}") for i, c in enumerate(corpora)]
            best = runs if not best else [
                Timing(b.label, b.files, {k: min(b.seconds[k], x.seconds[k]) for k in b.seconds})
                for b, x in zip(best, runs)]
        print(table(best))
    return 0
