"""The communes and areas of config/son-la.yaml, written by `tonghop init`'s own code with illustrative e-mails."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from tonghop.provinces import communes, find_province, fold
from tonghop.scaffold import _q, _unit_line, starting_units

CONFIG = Path(__file__).resolve().parents[2] / "config" / "son-la.yaml"
PROVINCE = "14"
# The lines this module owns: from the communes' comment to the end of the units list, and the areas list.
UNITS_START = "  # Communes (UBND xã, phường, đặc khu)"
AREAS_START = "areas:"


def illustrative_email(name: str) -> str:
    """'UBND phường Tô Hiệu' → 'ubnd.tohieu@sonla.gov.vn': an address in the province's usual shape, not a real one."""
    bare = re.sub(r"^ubnd (xa|phuong|dac khu) ", "", fold(name))
    return f"ubnd.{bare.replace(' ', '')}@sonla.gov.vn"


def commune_units() -> list[dict]:
    """Every commune of Sơn La as `tonghop init` writes it, the placeholder address replaced by an illustrative one."""
    units = [u for u in starting_units(find_province(PROVINCE)) if u["kind"] == "commune"]
    return [{**u, "emails": [illustrative_email(u["name"])]} for u in units]


def units_block() -> list[str]:
    """The commune units with their comment, as YAML lines."""
    return [UNITS_START + ": all of them, official codes; activities only (Biểu 02). Written by",
            "  # tonghop_dev/sample/config.py with `tonghop init`'s code (tonghop/scaffold.py): rerun it, do not "
            "edit.",
            "  # Their e-mail addresses are ILLUSTRATIVE (mẫu minh họa, ubnd.<tên>@sonla.gov.vn) so the demo mails",
            "  # every unit: replace them with the registered addresses.",
            *(_unit_line(u) for u in commune_units())]


def areas_block() -> list[str]:
    """The province and every commune as areas, as YAML lines."""
    province = find_province(PROVINCE)
    return [AREAS_START, f"  - {{code: {_q(province.code)}, name: {_q(province.name)}}}",
            *(f"  - {{code: {_q(c.code)}, name: {_q(c.name)}}}" for c in communes(province.code))]


def rewrite(text: str) -> str:
    """The configuration with its commune units and its areas replaced; everything else kept as it is."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(UNITS_START))
    end = start
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    lines[start:end] = units_block()
    areas = lines.index(AREAS_START)
    end = areas + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    lines[areas:end] = areas_block()
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=CONFIG)
    args = parser.parse_args(argv)
    args.config.write_text(rewrite(args.config.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"Đã ghi {len(commune_units())} xã, phường vào {args.config}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
