"""The sample round (2025-H1 then 2025-Y) ingested once and its consolidated reports written, for report tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import SAMPLES
from tonghop.config import Period, load_config
from tonghop.round.ingest import ingest_inbox
from tonghop.reports.consolidated import write_consolidated_reports
from tonghop.store import open_db

PERIODS = ("2025-H1", "2025-Y")


def sample_reports(folder: Path) -> dict[str, tuple[dict[str, Any], dict[str, Path]]]:
    """period → (per-indicator dict, paths written); SQLite in `folder` (the merge itself runs on both back-ends
    in test_merge)."""
    config = load_config()
    engine = open_db(f"sqlite:///{folder / 'tonghop.db'}")
    out = {}
    for code in PERIODS:
        ingest_inbox(SAMPLES / code, engine, config, Period.parse(code))
    for code in PERIODS:
        out[code] = write_consolidated_reports(engine, config, Period.parse(code), folder / code)
    engine.dispose()
    return out


def next_year_reports(folder: Path) -> tuple[dict[str, Any], dict[str, Path]]:
    """The 2025-H1 and 2025-Y samples, then a 2026-Y round where Sở Y tế gives 4.1 = 110,67 (2025-Y had the
    implausible 1,12) and Sở Nội vụ 1.1 = 50/95: the 2026-Y reports, to see what the change and projection use."""
    from tonghop_dev.builders import indicator_grid, write_xlsx

    config = load_config()
    engine = open_db(f"sqlite:///{folder / 'tonghop.db'}")
    for code in PERIODS:
        ingest_inbox(SAMPLES / code, engine, config, Period.parse(code))
    inbox = folder / "2026-Y"
    inbox.mkdir()
    write_xlsx(inbox / "SYT.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2026", [
        ["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", "Tổng", None, None, 110.67, None]])})
    write_xlsx(inbox / "SNV.xlsx", {"Biểu 01": indicator_grid("SNV", "Năm 2026", [
        ["1.1", "Lãnh đạo chủ chốt là nữ", "14", "Tỉnh Sơn La", "Tổng", 50, 95, None, None]],
        unit_name="Sở Nội vụ", email="cchcsonla@gmail.com")})
    ingest_inbox(inbox, engine, config, Period.parse("2026-Y"))
    out = write_consolidated_reports(engine, config, Period.parse("2026-Y"), folder / "out-2026-Y")
    engine.dispose()
    return out
