"""A submission's own page: its verdict says when to resend, in the same words as its e-mail."""
from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import SAMPLES
from tonghop.config import Period
from tonghop.mail.message import resend_by
from tonghop.intake.read import parse_file
from tonghop.reports.submission import render_html
from tonghop.check.validate import validate_files

Y = Period.parse("2025-Y")


@pytest.mark.parametrize("today, when", [
    (date(2025, 11, 25), "chậm nhất ngày 25/11/2025"),                       # the deadline's whole day counts
    (date(2025, 11, 26), "sớm nhất có thể (hạn nộp 25/11/2025 đã qua)"),
])
def test_verdict_says_when_to_resend(config, today, when):
    [item] = validate_files([parse_file(SAMPLES / "2025-Y" / "SNV - Bao cao BDG nam 2025.xlsx")], config, Y)
    assert item.report.status == "partially_accepted"
    html = render_html(item.report, period_vi=Y.vi, resend_by=resend_by(config.deadline(Y), today),
                       province=config.province_name)
    verdict = " ".join(re.search(r'<div class="verdict[^"]*">(.*?)</div>', html, re.S).group(1).split())
    assert verdict == ("<b>Được chấp nhận một phần.</b> Các chỉ tiêu không có lỗi đã được ghi nhận; đề nghị sửa các "
                       f"lỗi dưới đây và gửi lại toàn bộ tệp {when}.")
