"""Biểu 02 consolidated: the accepted activity rows of current submissions summed by kind and by unit."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from tonghop.consolidate.current import ActivityRecord

FIELDS = ("count", "participants", "men", "women", "budget")


@dataclass
class ActivityTotal:
    count: float | None = None           # None: no row gave this column (KT, VP have no participants)
    participants: float | None = None
    men: float | None = None
    women: float | None = None
    budget: float | None = None
    rows: int = 0
    units: list[str] = field(default_factory=list)

    def add(self, rec: ActivityRecord) -> None:
        for name in FIELDS:
            v, so_far = getattr(rec, name), getattr(self, name)
            if v is not None:
                setattr(self, name, v if so_far is None else math.fsum([so_far, v]))
        self.rows += 1
        if rec.unit_code not in self.units:
            self.units.append(rec.unit_code)


@dataclass
class ActivitySummary:
    by_kind: dict[str, ActivityTotal]                     # activity code → total, catalogue order
    by_unit: dict[str, dict[str, ActivityTotal]]          # unit → activity code → total
    total: ActivityTotal
    blocked_rows: int                                     # rows of current submissions not accepted


def summarise_activities(records: list[ActivityRecord], kinds: list[str], unit_order: list[str]) -> ActivitySummary:
    """Sum accepted rows; kinds and units are listed in the catalogue's and configuration's order."""
    accepted = [r for r in records if r.accepted]
    by_kind = {k: ActivityTotal() for k in kinds}
    by_unit: dict[str, dict[str, ActivityTotal]] = {}
    total = ActivityTotal()
    for rec in accepted:
        by_kind.setdefault(rec.activity, ActivityTotal()).add(rec)
        by_unit.setdefault(rec.unit_code, {}).setdefault(rec.activity, ActivityTotal()).add(rec)
        total.add(rec)
    order = {u: i for i, u in enumerate(unit_order)}
    kind_order = {k: i for i, k in enumerate(kinds)}
    by_unit = {u: dict(sorted(by_unit[u].items(), key=lambda kv: kind_order.get(kv[0], len(kinds))))
               for u in sorted(by_unit, key=lambda u: (order.get(u, len(order)), u))}
    return ActivitySummary(by_kind, by_unit, total, len(records) - len(accepted))
