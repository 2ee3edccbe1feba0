"""Where the reports' earlier figures come from and the baseline year, in the method notes' words."""
from __future__ import annotations

from tonghop.config import Period
from tonghop.reports.round_data import RoundData


def baseline_header(data: RoundData) -> str:
    """The baseline column's header: "Năm 2020 (gốc)"."""
    return f"{data.baseline_period.vi} (gốc)" if data.baseline_period else ""


def history_note(data: RoundData) -> list[str]:
    """The method note's lines on earlier figures: the province's sheet and the rule that the database wins, the
    sources the sheet names, and the baseline year; nothing for a province without a sheet or a baseline."""
    lines = []
    sheet = data.config.history
    if sheet is not None:
        text = (f"Số liệu các kỳ trước lấy từ cơ sở dữ liệu của chương trình (các kỳ đã tổng hợp); chỉ tiêu, kỳ chưa "
                f"có trong cơ sở dữ liệu lấy từ tệp số liệu các năm trước do {data.config.consolidator_name} nhập "
                f"({sheet.path.name}). Khi cả cơ sở dữ liệu và tệp đều có số liệu của một chỉ tiêu trong một kỳ, "
                f"dùng số liệu trong cơ sở dữ liệu")
        if data.history_overridden:
            text += f" ({len(data.history_overridden)} số liệu trong tệp không dùng vì cơ sở dữ liệu đã có)"
        lines.append(text)
        sources = sheet.sources(data.history_from_sheet)
        if sources:
            lines.append("Nguồn số liệu các năm trước: " + "; ".join(
                f"{Period.parse(p).vi}: {', '.join(s)}" for p, s in sources.items()))
    if data.shows_baseline:
        base = data.baseline_period
        lines.append(f"Năm gốc để so sánh: năm {base.year} (theo cấu hình của tỉnh); cột “{baseline_header(data)}” là "
                     f"giá trị {base.vi.lower()}, thay đổi so với năm gốc là kết quả {data.period.vi.lower()} trừ "
                     f"giá trị năm {base.year} (với chỉ tiêu tính bằng % là điểm phần trăm)")
    return lines
