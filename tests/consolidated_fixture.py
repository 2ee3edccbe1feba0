"""The sample round (2025-H1 then 2025-Y) ingested once and its consolidated reports written, for report tests."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import SAMPLES
from tonghop.config import Period, load_config
from tonghop.ingest import ingest_inbox
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
