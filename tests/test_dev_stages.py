"""The per-file benchmark's corpora (tonghop_dev/stages.py): one province per length of area list, kept for reuse."""
from __future__ import annotations

from tonghop_dev.stages import Timing, make_corpora, table


def test_one_province_per_area_list_written_once_and_reused(tmp_path):
    corpora = make_corpora(tmp_path, 3, communes=(100, 7))
    assert [(c.label, len(c.files), c.config.exists()) for c in corpora] == [
        ("tỉnh thường (100 xã)", 3, True), ("tỉnh 7 xã", 3, True)]
    written = {f: f.stat().st_mtime_ns for c in corpora for f in c.files}
    again = make_corpora(tmp_path, 3, communes=(100, 7))
    assert [c.files for c in again] == [c.files for c in corpora]
    assert {f: f.stat().st_mtime_ns for c in again for f in c.files} == written


def test_the_table_gives_each_province_chain_against_the_first():
    timings = [Timing("a", 10, {"floor": 0.01, "read": 0.05}), Timing("b", 10, {"floor": 0.02, "read": 0.08})]
    lines = table(timings).splitlines()
    assert lines[-2].split() == ["cả", "chuỗi", "(trừ", "sàn)", "5.00", "ms", "5.0×", "sàn", "8.00", "ms", "4.0×", "sàn"]
    assert lines[-1].split() == ["cả", "chuỗi", "/", "cột", "đầu", "1.00×", "1.60×"]
