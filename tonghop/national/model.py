"""What the national consolidation works on: a province's file and its problems, a national value, the result."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tonghop.problems import NATIONAL_PROBLEM_TYPES as PROBLEMS
from tonghop.statuses import ACCEPTED, PARTIAL, REJECTED


@dataclass
class NationalProblem:
    file: str
    code: str
    severity: str
    row: int | None            # line of the CSV file (1 = the header line); None for the file as a whole
    column: str
    value: str | None
    message: str
    indicator: str | None = None

    @property
    def file_level(self) -> bool:
        return PROBLEMS[self.code].file_level


@dataclass
class ProvinceFile:
    """One input file and what became of it."""

    path: Path
    province: str | None = None
    time_period: str | None = None
    rows: list[dict[str, str]] = field(default_factory=list)
    problems: list[NationalProblem] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)        # indicators left out because of a row error
    used: bool = False

    @property
    def rejected(self) -> bool:
        return any(p.file_level for p in self.problems)

    @property
    def status(self) -> str:
        if self.rejected:
            return REJECTED
        return PARTIAL if self.blocked else ACCEPTED

    def add(self, code: str, row: int | None = None, column: str = "", value: str | None = None,
            indicator: str | None = None, **params: Any) -> None:
        """One problem of this file, worded from the catalogue's national template."""
        kind = PROBLEMS[code]
        text = kind.template.format_map({"value": value, "column": column, "indicator": indicator, "detail": "",
                                         "expected": "", "province": self.province, **params})
        self.problems.append(NationalProblem(self.path.name, code, kind.severity, row, column, value, text, indicator))


@dataclass
class NationalValue:
    """One national observation: an indicator and sex, recomputed from the provinces' parts."""

    indicator: str
    sex: str                         # _T | M | F
    unit: str                        # SDMX unit code of the national value (percent for yes/no shares)
    value: float | None
    numerator: float | None
    denominator: float | None
    provinces: list[str]             # provinces whose figure went into the value
    units: int                       # reporting units behind those figures (sum of UNIT_COUNT)
    value_only: list[str]            # provinces with a value but no numerator/denominator: not summed
    missing: list[str]               # provinces with no usable figure
    target: str
    status: str | None               # achieved | not_achieved | no_data | None (no target)
    to_check: list[str] = field(default_factory=list)   # provinces whose figure is U (to check): not summed


@dataclass
class NationalResult:
    period: str | None               # tonghop period code, 2025-Y / 2025-H1
    time_period: str | None          # SDMX, 2025 / 2025-S1
    files: list[ProvinceFile]
    values: list[NationalValue]
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def problems(self) -> list[NationalProblem]:
        return [p for f in self.files for p in f.problems]
