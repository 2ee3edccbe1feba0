"""What the sample round must give, worked out from sample_inputs/EXPECTED.yaml and received.csv (not from tonghop)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import yaml

from conftest import SAMPLES
from tonghop.problems import PROBLEM_TYPES, WARNING

EXPECTED = yaml.safe_load((SAMPLES / "EXPECTED.yaml").read_text(encoding="utf-8"))["periods"]
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class UnitAnswer:
    code: str
    file: dict | None          # the EXPECTED entry of the unit's current file
    received: datetime | None  # its arrival, Vietnam time
    reported: bool             # current file accepted wholly or in part
    on_time: bool | None       # arrived by the end of the deadline day; None when not reported
    days_late: int | None

    @property
    def status(self) -> str | None:
        return self.file["status"] if self.file else None


def arrivals(period: str) -> dict[str, datetime]:
    with open(SAMPLES / period / "received.csv", encoding="utf-8", newline="") as fh:
        return {r["file"]: datetime.fromisoformat(r["received_at"]).astimezone(VN) for r in csv.DictReader(fh)}


def _rejected_whole(spec: dict) -> bool:
    return spec["status"] == "rejected" and any(PROBLEM_TYPES[p["code"]].file_level for p in spec["problems"])


def units(config, period: str, left_out: tuple[str, ...] = ()) -> list[UnitAnswer]:
    """Every configured unit in configuration order; a unit's current file is its latest one not rejected whole
    (a broken resend does not replace a good report). `left_out`: file names taken out of the inbox."""
    when = arrivals(period)
    deadline = date.fromisoformat(EXPECTED[period]["deadline"])
    end = datetime.combine(deadline + timedelta(days=1), datetime.min.time(), tzinfo=VN)
    current: dict[str, dict] = {}
    for spec in EXPECTED[period]["files"]:
        if spec["unit"] and spec["file"] not in left_out and not _rejected_whole(spec):
            held = current.get(spec["unit"])
            if held is None or when[spec["file"]] > when[held["file"]]:
                current[spec["unit"]] = spec
    out = []
    for code in config.units:
        spec = current.get(code)
        received = when[spec["file"]] if spec else None
        reported = bool(spec) and spec["status"] in ("accepted", "partially_accepted")
        on_time = received < end if reported else None
        out.append(UnitAnswer(code, spec, received, reported, on_time,
                              (received.date() - deadline).days if on_time is False else None))
    return out


def missing(answers: list[UnitAnswer]) -> list[str]:
    return [a.code for a in answers if not a.reported]


def late(answers: list[UnitAnswer]) -> list[str]:
    return [a.code for a in answers if a.on_time is False]


def rejected(answers: list[UnitAnswer], period: str = "2025-Y") -> list[str]:
    """Units that sent something but have not reported: every file they sent was rejected (row by row, or as a
    whole, so that it never became their current file)."""
    sent = {spec["unit"] for spec in EXPECTED[period]["files"] if spec["unit"]}
    return [a.code for a in answers if not a.reported and a.code in sent]


def open_problems(answers: list[UnitAnswer]) -> list[tuple[str, str, str, str, str]]:
    """(unit, severity, code, sheet, cell) of the current files: errors first, by unit in configuration order,
    then warnings, each file's in the order EXPECTED lists them."""
    found = [(a.code, PROBLEM_TYPES[p["code"]].severity, p["code"], p["sheet"], p["cell"])
             for a in answers if a.file for p in a.file["problems"]]
    return sorted(found, key=lambda p: p[1] == WARNING)
