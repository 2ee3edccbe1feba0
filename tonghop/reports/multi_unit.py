"""The method note on indicators reported by several units: which were added, which taken from one unit."""
from __future__ import annotations

from tonghop.reports.round_data import RoundData


def multi_unit_note(data: RoundData) -> str:
    """One Vietnamese sentence per rule in use, naming the units in full; empty when no indicator has two units."""
    summed, led = [], []
    for code in data.results:
        units = [u.code for u in data.config.units_for_indicator(code)]
        if len(units) < 2:
            continue
        rule = data.config.multi_unit.get(code, "sum")
        names = " và ".join(data.unit_name(u) for u in units)
        if rule == "sum":
            summed.append(f"{code} ({names})")
        else:
            others = ", ".join(data.unit_name(u) for u in units if u != rule)
            led.append(f"{code}: lấy số liệu của {data.unit_name(rule)}; số liệu của {others} dùng để đối chiếu, "
                       f"ghi ở cột Ghi chú")
    parts = []
    if summed:
        parts.append("Chỉ tiêu do nhiều đơn vị báo cáo, được cộng Tử số và Mẫu số của các đơn vị (các đơn vị báo cáo "
                     "những người khác nhau): " + "; ".join(summed) + ".")
    if led:
        parts.append("Chỉ tiêu do nhiều đơn vị báo cáo, lấy số liệu của một đơn vị: " + "; ".join(led) + ".")
    return " ".join(parts)
