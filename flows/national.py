"""The national consolidation flow: the provinces' SDMX-CSV files → the Ministry's national report."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from tonghop.config import Period
from tonghop.national.consolidate import NationalResult, consolidate_national, find_inputs, summary, write_outputs


@task(name="doc-va-kiem-tra-tep-cac-tinh", cache_policy=NO_CACHE)
def read_validate_consolidate(paths: list[Path], period: Period | None) -> NationalResult:
    """Read every province's file, validate them together, recompute the national values."""
    return consolidate_national(paths, period)


@task(name="ghi-bao-cao-quoc-gia", cache_policy=NO_CACHE)
def write_national(result: NationalResult, out: Path) -> dict[str, Path]:
    return write_outputs(result, out)


@flow(name="tong-hop-quoc-gia", flow_run_name="quoc-gia-{period}", validate_parameters=True)
def consolidate_national_flow(inputs: str, out: str = "outputs/quoc-gia", period: str | None = None) -> dict[str, Any]:
    """Tổng hợp toàn quốc: đọc tệp SDMX-CSV của các tỉnh, kiểm tra, tính giá trị toàn quốc, ghi báo cáo."""
    logger = get_run_logger()
    paths = find_inputs(Path(inputs))
    result = read_validate_consolidate(paths, Period.parse(period) if period else None)
    outputs = write_national(result, Path(out))
    used = sum(f.used for f in result.files)
    logger.info("%d tệp, %d tệp được dùng, %d vấn đề", len(result.files), used, len(result.problems))
    return {**summary(result), "outputs": {k: str(v) for k, v in outputs.items()}}
