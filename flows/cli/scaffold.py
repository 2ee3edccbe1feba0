"""`tonghop init`: a province's configuration from the official list of its communes and usual departments."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from flows.cli.app import app, console, fail
from tonghop.errors import TonghopError


@app.command()
def init(
    province: str = typer.Option(..., "--province", help="Tên tỉnh, thành phố (có hoặc không dấu, có hoặc không "
                                                         "\"tỉnh\"/\"thành phố\") hoặc mã, ví dụ \"Sơn La\" hoặc 14."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Tệp cấu hình sẽ ghi; mặc định config/<tên-tỉnh>.yaml."),
    units_xlsx: bool = typer.Option(False, "--units-xlsx", help="Ghi danh sách đơn vị vào don-vi.xlsx cạnh tệp cấu "
                                                                "hình (sửa địa chỉ email trong Excel)."),
) -> None:
    """Lập tệp cấu hình cho một tỉnh từ danh mục đơn vị hành chính chính thức: mọi xã, phường, đặc khu
    với mã và tên chính thức, các sở, ngành thường được giao (sửa lại theo kế hoạch của tỉnh), hạn nộp
    20/5 và 25/11. Địa chỉ email để trống cho cán bộ điền.

    Ví dụ: tonghop init --province "Sơn La" --out config/son-la.yaml
    """
    from tonghop.config import load_config
    from tonghop.provinces import find_province
    from tonghop.scaffold import init_province

    try:
        found = find_province(province)
        written = init_province(found, out or Path("config") / f"{found.slug}.yaml", units_xlsx=units_xlsx)
        load_config(written.config)             # what was written loads and matches the official list
    except TonghopError as exc:
        fail(str(exc))
    console.print(f"Đã lập cấu hình {found.name} (mã {found.code}): {written.n_departments} sở, ngành và "
                  f"{written.n_communes} xã, phường, đặc khu.", soft_wrap=True, highlight=False)
    for path in (written.config, written.units_xlsx):
        if path:
            console.print(f"  {path}", soft_wrap=True, highlight=False)   # a path cut by wrapping is hard to copy
    where = written.units_xlsx or written.config
    console.print(f"Việc cần làm: điền địa chỉ email của từng đơn vị và của Sở Nội vụ trong {where.name} (các địa "
                  f"chỉ ...@chua-dien-dia-chi.invalid), sửa danh sách sở, ngành theo kế hoạch của tỉnh; rồi chạy "
                  f"tonghop template --config {written.config} --period <kỳ>.", soft_wrap=True, highlight=False)
