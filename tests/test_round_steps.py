"""The guards a round passes before it stores or mails anything: the inbox's period, the output folder's database."""
from __future__ import annotations

import json

import pytest

from test_round_ingest import syt_file
from tonghop.config import Period
from tonghop.round.steps import NotThisPeriod, OtherDatabase, RoundPaths, check_inbox_period, check_same_database
from tonghop.store import open_db
from tonghop.store.repo import database_id

Y2025 = Period.parse("2025-Y")


def test_an_inbox_of_other_periods_is_refused_and_says_which(tmp_path):
    files = [syt_file(tmp_path / "a.xlsx", period_text="Năm 2026"), syt_file(tmp_path / "b.xlsx", period_text="2026-Y"),
             syt_file(tmp_path / "c.xlsx", period_text="6 tháng đầu năm 2025"), tmp_path / "cong-van.pdf"]
    files[-1].write_bytes(b"%PDF-1.4 not a form")
    with pytest.raises(NotThisPeriod) as caught:
        check_inbox_period(files, Y2025)
    assert str(caught.value) == (
        "Không tệp nào trong hộp thư là báo cáo kỳ Năm 2025 (2025-Y): 2 tệp ghi kỳ Năm 2026 (2026-Y), 1 tệp ghi kỳ "
        "6 tháng đầu năm 2025 (2025-H1). Đợt chạy dừng lại: không lưu tệp nào, không xếp và không gửi thư nào. "
        "Kiểm tra lại --period và --inbox.")


def test_one_file_of_the_period_or_no_readable_file_lets_the_round_go_on(tmp_path):
    other = syt_file(tmp_path / "a.xlsx", period_text="Năm 2026")
    right = syt_file(tmp_path / "b.xlsx", period_text="Năm 2025")
    junk = tmp_path / "c.pdf"
    junk.write_bytes(b"%PDF-1.4")
    assert check_inbox_period([other, right, junk], Y2025) is None     # the wrong file is answered as usual
    assert check_inbox_period([junk], Y2025) is None                   # nothing declares a period
    assert check_inbox_period([], Y2025) is None                       # an empty inbox is not this case


def test_results_made_with_another_database_stop_the_run_unless_starting_over(tmp_path):
    paths = RoundPaths.for_period(tmp_path / "out", Y2025)
    first = open_db(f"sqlite:///{tmp_path / 'first.db'}")
    (paths.root / "summary.json").write_text(json.dumps({"period": "2025-Y", "database_id": database_id(first)}))
    check_same_database(paths, first, Y2025)                       # the same database: go on
    url = f"sqlite:///{tmp_path / 'second.db'}"
    second = open_db(url)
    with pytest.raises(OtherDatabase) as caught:
        check_same_database(paths, second, Y2025)
    assert str(caught.value) == (
        f"Thư mục {paths.root} đã có kết quả kỳ Năm 2025 (2025-Y) lập với một cơ sở dữ liệu khác, còn cơ sở dữ liệu "
        f"{url} chưa có hồ sơ nào của kỳ này. Chạy tiếp sẽ đọc lại mọi tệp và gửi lại cho các đơn vị những thư đã "
        "gửi, nên đợt chạy dừng lại, không thay đổi gì. Hãy chỉ ra đúng cơ sở dữ liệu (--db hoặc TONGHOP_DB; mặc định "
        "là tệp tonghop.db trong thư mục --out); chỉ khi thật sự muốn làm lại kỳ này từ đầu (gửi lại mọi thư), chạy "
        "lại với --start-over.")
    check_same_database(paths, second, Y2025, start_over=True)     # the officer's explicit choice
    assert database_id(first) != database_id(second) and database_id(first) == database_id(first)
    first.dispose()
    second.dispose()
