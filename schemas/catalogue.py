"""Load the indicator catalogue (catalogue.yaml) into typed, immutable objects."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")


@dataclass(frozen=True)
class UnitKind:
    code: str
    vi: str
    factor: float | None          # value = numerator / denominator * factor; None for yes/no
    plausible: tuple[float, float]


@dataclass(frozen=True)
class Goal:
    code: str
    vi: str
    en: str


@dataclass(frozen=True)
class Indicator:
    code: str
    goal: str
    vi: str
    en: str
    unit: UnitKind
    direction: str                 # "up" (higher is better) or "down"
    targets: dict[int, float]
    strict_years: frozenset[int] = frozenset()
    numerator: str | None = None
    denominator: str | None = None
    numerator_le_denominator: bool = True
    counts: bool = True            # Tử số and Mẫu số are counts (whole numbers); 3.1's are average hours
    by_sex: bool = False
    merge: str = "ratio_of_sums"
    confirmed: bool = True
    example: float | None = None   # a typical value, shown on the form ("khoảng 112, không ghi 1,12")
    check: str = ""                # unconfirmed: what the officer has to compare with the Resolution (Vietnamese)
    parent: str | None = None
    national_targets: dict[int, float] = field(default_factory=dict)

    @property
    def is_boolean(self) -> bool:
        return self.unit.code == "boolean"

    @property
    def label(self) -> str:
        """Code and name as a person reads it. An unconfirmed wording is not marked here: documents that leave
        the office carry the name only; the officer's check list (round page) says what is left to compare."""
        return f"{self.code}. {self.vi}"

    def target_for(self, year: int) -> tuple[int, float] | None:
        """The target in force for a year: 2025's up to 2025, 2030's after (milestone, value)."""
        for milestone in sorted(self.targets):
            if year <= milestone:
                return milestone, self.targets[milestone]
        return None if not self.targets else (max(self.targets), self.targets[max(self.targets)])


@dataclass(frozen=True)
class Activity:
    code: str
    vi: str
    en: str
    unit: str = ""                 # what its "Số lượng" counts (cuộc, lớp, vụ việc…)


@dataclass(frozen=True)
class Catalogue:
    goals: dict[str, Goal]
    indicators: dict[str, Indicator]
    activities: dict[str, Activity]
    units: dict[str, UnitKind]

    def by_goal(self) -> dict[str, list[Indicator]]:
        out: dict[str, list[Indicator]] = {g: [] for g in self.goals}
        for ind in self.indicators.values():
            out[ind.goal].append(ind)
        return out


def parse_catalogue(data: dict) -> Catalogue:
    """Build a Catalogue from the YAML structure (a dict), checking references."""
    units = {
        code: UnitKind(code, u["vi"], u.get("factor"), tuple(u["plausible"]))
        for code, u in data["units"].items()
    }
    goals = {str(c): Goal(str(c), g["vi"], g["en"]) for c, g in data["goals"].items()}
    indicators: dict[str, Indicator] = {}
    for raw in data["indicators"]:
        code = str(raw["code"])
        if str(raw["goal"]) not in goals:
            raise ValueError(f"indicator {code}: unknown goal {raw['goal']}")
        unit = units[raw["unit"]]
        indicators[code] = Indicator(
            code=code,
            goal=str(raw["goal"]),
            vi=raw["vi"],
            en=raw.get("en", ""),
            unit=unit,
            direction=raw["direction"],
            targets={int(y): float(v) for y, v in (raw.get("targets") or {}).items()},
            strict_years=frozenset(int(y) for y in raw.get("strict", [])),
            numerator=raw.get("numerator"),
            denominator=raw.get("denominator"),
            numerator_le_denominator=raw.get("numerator_le_denominator", unit.code == "percent"),
            counts=bool(raw.get("counts", True)),
            by_sex=bool(raw.get("by_sex", False)),
            merge=raw.get("merge", "boolean_any" if unit.code == "boolean" else "ratio_of_sums"),
            confirmed=bool(raw.get("confirmed", True)),
            example=float(raw["example"]) if raw.get("example") is not None else None,
            check=str(raw.get("check") or ("" if raw.get("confirmed", True) else
                                           "Câu chữ chưa đối chiếu với nguyên văn Nghị quyết 28/NQ-CP.")),
            parent=raw.get("parent"),
            national_targets={int(y): float(v) for y, v in (raw.get("national_targets") or {}).items()},
        )
    activities = {c: Activity(c, a["vi"], a["en"], a.get("unit", "")) for c, a in data["activities"].items()}
    return Catalogue(goals, indicators, activities, units)


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """The catalogue shipped in schemas/catalogue.yaml (cached)."""
    with open(path, encoding="utf-8") as fh:
        return parse_catalogue(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
