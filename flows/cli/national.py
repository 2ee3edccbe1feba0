"""`tonghop national`: the Ministry's consolidation of the provinces' SDMX-CSV files, through its flow."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from flows.cli.app import app, console, fail, quiet_prefect, require_folder
from tonghop.errors import TonghopError


@app.command()
def national(
    inputs: Path = typer.Option(..., "--inputs", "-i",
                                help="Thư mục chứa tệp SDMX-CSV của các tỉnh (sdmx-<mã tỉnh>-<kỳ>.csv)."),
    out: Path = typer.Option(Path("outputs/quoc-gia"), "--out", "-o", help="Thư mục ghi báo cáo toàn quốc."),
    period: Optional[str] = typer.Option(None, "--period", "-p", help="Kỳ báo cáo (mặc định: kỳ của các tệp)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Hiện nhật ký chi tiết của Prefect."),
) -> None:
    """Tổng hợp toàn quốc (Bộ Nội vụ): đọc, kiểm tra tệp SDMX-CSV của các tỉnh, tính giá trị toàn quốc và
    ghi báo cáo (xlsx, SDMX-CSV toàn quốc). Tệp có lỗi được báo theo từng dòng, không làm dừng đợt chạy."""
    quiet_prefect(verbose)
    from tonghop.national.consolidate import find_inputs

    require_folder(inputs, "--inputs", "thư mục", "tệp SDMX-CSV của các tỉnh")
    if period:
        from tonghop.config import Period

        try:
            period = Period.parse(period).code
        except TonghopError as exc:
            fail(str(exc))
    if not find_inputs(inputs):
        fail(f"Thư mục {inputs} không có tệp .csv nào: hãy chép vào đó tệp sdmx-<mã tỉnh>-<kỳ>.csv của các tỉnh")
    from flows.national import consolidate_national_flow

    try:
        result = consolidate_national_flow(inputs=str(inputs), out=str(out), period=period)
    except TonghopError as exc:
        fail(str(exc))
    used = sum(1 for f in result["files"] if f["used"])
    console.print(f"Kỳ {result['period'] or 'chưa xác định (không tệp nào đọc được)'}: {len(result['files'])} tệp, {used} tệp được dùng, "
                  f"{len(result['provinces_reporting'])} tỉnh có số liệu, {len(result['problems'])} vấn đề.")
    if result["provinces_missing"]:
        console.print(f"Tỉnh chưa có tệp hợp lệ: {', '.join(result['provinces_missing'])}")
    for path in result["outputs"].values():
        console.print(f"  {path}")
