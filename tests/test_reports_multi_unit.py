"""The method note on indicators reported by several units, as the province configured the rule."""
from __future__ import annotations

from dataclasses import replace

import openpyxl
import pytest

from conftest import SAMPLES
from tonghop.config import Period, load_config
from tonghop.round.ingest import ingest_inbox
from tonghop.reports.consolidated import write_consolidated_reports
from tonghop.store import open_db

Y = Period.parse("2025-Y")


def test_the_rule_chosen_for_each_indicator_is_stated_in_both_workbooks_and_applied(tmp_path):
    # 3.2b: Sở Nội vụ's figure, Sở VHTTDL's beside it; 3.2a and 5.4 still added up
    config = replace(load_config(), multi_unit={"3.2a": "sum", "3.2b": "SNV", "5.4": "sum"})
    engine = open_db(f"sqlite:///{tmp_path / 'tonghop.db'}")
    ingest_inbox(SAMPLES / Y.code, engine, config, Y)
    summary, paths = write_consolidated_reports(engine, config, Y, tmp_path / "out")
    engine.dispose()
    assert (summary["3.2b"]["numerator"], summary["3.2b"]["denominator"], summary["3.2b"]["units"]) == (
        71, 118, ["SNV"])
    assert summary["3.2b"]["value"] == pytest.approx(71 / 118 * 100)
    assert "Tổng: đối chiếu — SVHTTDL báo 56,16 (Tử số 41, Mẫu số 73); số liệu dùng là của SNV: 60,17" in \
        summary["3.2b"]["notes"]
    method = {r[0]: r[1] for r in openpyxl.load_workbook(paths["province_xlsx"])["Phương pháp"].iter_rows(
        min_row=4, values_only=True)}
    stated = ("Chỉ tiêu do nhiều đơn vị báo cáo, được cộng Tử số và Mẫu số của các đơn vị (các đơn vị báo cáo "
              "những người khác nhau): 3.2a (Sở Nội vụ và Sở Văn hóa, Thể thao và Du lịch); 5.4 (Sở Nội vụ và Sở "
              "Giáo dục và Đào tạo). Chỉ tiêu do nhiều đơn vị báo cáo, lấy số liệu của một đơn vị: 3.2b: lấy số "
              "liệu của Sở Nội vụ; số liệu của Sở Văn hóa, Thể thao và Du lịch dùng để đối chiếu, ghi ở cột Ghi "
              "chú.")
    assert method["Chỉ tiêu do nhiều đơn vị báo cáo"] == stated
    ministry = openpyxl.load_workbook(paths["ministry_xlsx"])["Biểu tổng hợp chỉ tiêu"]
    notes = [c.value for row in ministry.iter_rows() for c in row if isinstance(c.value, str) and stated in c.value]
    assert len(notes) == 1 and notes[0].startswith("Giá trị tổng hợp = tổng Tử số / tổng Mẫu số")
