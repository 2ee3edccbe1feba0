"""Building the messages: subject and verdict, problem grouping and cap, CSV, safe headers, reminder, digest."""
from __future__ import annotations

import csv
import email
import io
from datetime import date, datetime, timezone
from email.headerregistry import Address
from email.policy import default as default_policy

import pytest

from tonghop.config import Period
from tonghop.consolidate.current import SubmissionInfo
from tonghop.errors import ConfigError
from tonghop.mail.build import (
    DigestRow, build_digest, build_reminder, build_report_message, build_unknown_sender_notice,
)
from tonghop.reports.listing import CSV_NAME, Line, group_lines, listing, problems_csv
from tonghop.mail.settings import SmtpSettings, sender
from tonghop.problems import Problem, ValidationReport

PERIOD = "2025-Y"
YEAR = Period.parse(PERIOD)    # the period as the mail room takes it; PERIOD is its code
DEADLINE = date(2025, 11, 25)


def parse(msg) -> email.message.EmailMessage:
    """Through the wire format and back, as a mail client sees it."""
    return email.message_from_bytes(msg.as_bytes(), policy=default_policy)


def body(msg, kind: str = "plain") -> str:
    """A decoded body part; MIME text travels with CRLF line ends."""
    return msg.get_body((kind,)).get_content().replace("\r\n", "\n")


def text_of(msg) -> str:
    return body(parse(msg))


def report(problems, unit="SYT", accepted=(), blocked=(), **kw) -> ValidationReport:
    return ValidationReport(file=kw.pop("file", "syt.xlsx"), sha256="b" * 64, unit=unit, unit_name="Sở Y tế",
                            period=PERIOD, problems=list(problems), accepted_indicators=list(accepted),
                            blocked_indicators=list(blocked), **kw)


def build(rep, config, **kw):
    kw.setdefault("today", date(2025, 11, 18))
    return build_report_message(rep, config=config, period=YEAR, recipients=["syt@sonla.gov.vn"],
                                deadline=DEADLINE, annotated_copy=kw.pop("annotated_copy", None), **kw)


def test_accepted_without_problems_says_nothing_to_do(config):
    msg = parse(build(report([], accepted=["4.1", "4.2", "4.3", "4.4"]), config))
    assert msg["Subject"] == "[Sơn La] Sở Y tế – Năm 2025: Được chấp nhận"
    text = body(msg)
    assert text.startswith("Kính gửi: Sở Y tế\n\nKẾT QUẢ KIỂM TRA BÁO CÁO NĂM 2025: ĐƯỢC CHẤP NHẬN\n\n"
                           "Báo cáo Năm 2025 của đơn vị đã được tiếp nhận đầy đủ; số liệu sẽ được đưa vào tổng hợp.\n\n"
                           "Đơn vị không cần làm gì thêm.\n")
    assert "PHẢI SỬA" not in text and "CẦN KIỂM TRA" not in text
    # nothing to do, so no word on how to resend
    assert "gửi lại" not in text and "gửi lại" not in body(msg, "html")
    assert list(msg.iter_attachments()) == []


@pytest.mark.parametrize("problems, expected", [
    ([Problem("out-of-range", "Biểu 01", "I9", 450, "4.3", {"value": "450"})],
     "Báo cáo Năm 2025 của đơn vị đã được tiếp nhận; số liệu sẽ được đưa vào tổng hợp.\n\n"
     "Có 1 cảnh báo cần kiểm tra (mục \"Cần kiểm tra\" bên dưới). Nếu số liệu có sai sót, đề nghị sửa và gửi lại "
     "cả tệp chậm nhất ngày 25/11/2025; nếu số liệu đã đúng, đơn vị không cần làm gì thêm.\n"),
    # an error that blocks no indicator (a stray row): accepted, but never "nothing to do"
    ([Problem("missing-code", "Biểu 01", "B30")],
     "Báo cáo Năm 2025 của đơn vị đã được tiếp nhận; số liệu sẽ được đưa vào tổng hợp.\n\n"
     "Có 1 lỗi ở mục \"Phải sửa\": những dòng có lỗi không được đưa vào tổng hợp. Đề nghị sửa và gửi lại cả tệp "
     "chậm nhất ngày 25/11/2025.\n"),
])
def test_accepted_with_problems_says_what_to_check(config, problems, expected):
    text = text_of(build(report(problems, accepted=["4.1"]), config))
    assert text.split("ĐƯỢC CHẤP NHẬN\n\n", 1)[1].startswith(expected)


def test_rejected_after_the_deadline_asks_for_the_file_as_soon_as_possible(config):
    rep = report([Problem("period-mismatch", "Biểu 01", "C3", "Năm 2024",
                          params={"read_as": "", "expected": "Năm 2025"})])
    msg = parse(build(rep, config, today=date(2025, 11, 27)))
    assert msg["Subject"] == "[Sơn La] Sở Y tế – Năm 2025: Bị từ chối (1 lỗi)"
    text = body(msg)
    assert ("Tệp chưa được tiếp nhận: chưa có số liệu nào của tệp này được đưa vào tổng hợp.\n\n"
            "Đề nghị sửa 1 lỗi ở mục \"Phải sửa\" và gửi lại cả tệp sớm nhất có thể (hạn nộp 25/11/2025 đã qua).") in text
    assert ("PHẢI SỬA (1 lỗi)\n"
            "1. trang Biểu 01, dòng 3 [Biểu 01!C3]: Sai kỳ báo cáo\n"
            "   Tệp ghi kỳ báo cáo 'Năm 2024', trong khi đợt này tổng hợp kỳ Năm 2025.\n"
            "   Cách sửa: Kiểm tra lại có gửi nhầm tệp của kỳ khác không; sửa ô Kỳ báo cáo hoặc gửi đúng tệp.\n") in text


def test_partial_report_orders_verdict_counts_errors_then_warnings(config):
    problems = [Problem("out-of-range", "Biểu 01", "I40", 450, "4.3", {"value": "450", "low": 0, "high": 100, "unit": "%"})]
    problems += [Problem("not-a-number", "Biểu 01", f"G{r}", "n/a", "4.1", {"column": "Tử số"}) for r in range(24, 8, -1)]
    problems.append(Problem("sex-sum-mismatch", "Biểu 01", "G30", 8400, "4.2",
                            {"column": "Tử số", "total": "8.400", "men": "4.000", "women": "4.350", "sum": "8.350"}))
    text = text_of(build(report(problems, accepted=["4.3", "4.4"], blocked=["4.1", "4.2"]), config))
    assert text.index("KẾT QUẢ KIỂM TRA") < text.index("TÓM TẮT") < text.index("PHẢI SỬA") < text.index("CẦN KIỂM TRA")
    assert ("Số liệu của 2 chỉ tiêu đã được tiếp nhận; 2 chỉ tiêu chưa được đưa vào tổng hợp vì có lỗi: "
            "4.1. Tỷ số giới tính khi sinh; 4.2. Tỷ số tử vong bà mẹ liên quan đến thai sản.") in text
    assert ("Đề nghị sửa 17 lỗi ở mục \"Phải sửa\" và gửi lại cả tệp chậm nhất ngày 25/11/2025. "
            "Đồng thời xem lại 1 cảnh báo ở mục \"Cần kiểm tra\".") in text
    assert ("TÓM TẮT: 17 lỗi phải sửa, 1 cảnh báo cần kiểm tra\n"
            "  - Không phải là số: 16\n"
            "  - Nam + Nữ khác Tổng: 1\n"
            "  - Giá trị bất thường (cảnh báo): 1\n") in text
    assert ("PHẢI SỬA (17 lỗi)\n"
            "1. trang Biểu 01, dòng 9 đến 24 [Biểu 01!G9:G24] — 16 ô: Không phải là số\n"
            "   Ví dụ Biểu 01!G9: Ô Tử số có 'n/a', không đọc được thành số.\n"
            "   Chỉ tiêu: 4.1. Tỷ số giới tính khi sinh\n"
            "   Cách sửa: Chỉ nhập số, ví dụ 1.234 hoặc 45,5; không kèm chữ hay đơn vị.\n"
            "2. trang Biểu 01, dòng 30 [Biểu 01!G30]: Nam + Nữ khác Tổng\n"
            "   Tử số dòng Tổng (8.400) khác tổng Nam + Nữ (4.000 + 4.350 = 8.350).\n"
            "   Chỉ tiêu: 4.2. Tỷ số tử vong bà mẹ liên quan đến thai sản\n"
            "   Cách sửa: Sửa Tử số dòng Tổng hoặc các dòng Nam/Nữ cho khớp.\n"
            "\n"
            "CẦN KIỂM TRA (1 cảnh báo)\n"
            "1. trang Biểu 01, dòng 40 [Biểu 01!I40]: Giá trị bất thường\n") in text


def test_partial_report_counts_indicators_and_activity_kinds_each_as_what_it_is(config):
    problems = [Problem("not-a-number", "Biểu 01", "G10", "n/a", "4.2", {"column": "Tử số"}),
                Problem("not-a-number", "Biểu 02", "D12", "x", "KT", {"column": "Số lượng"})]
    text = text_of(build(report(problems, accepted=["4.1", "MH", "TH", "TT"], blocked=["4.2", "KT"]), config))
    assert ("Số liệu của 1 chỉ tiêu và 3 loại hoạt động đã được tiếp nhận; 1 chỉ tiêu và 1 loại hoạt động chưa "
            "được đưa vào tổng hợp vì có lỗi: 4.2. Tỷ số tử vong bà mẹ liên quan đến thai sản; "
            "KT. Thanh tra, kiểm tra.\n") in text


def test_a_rejected_file_already_replaced_by_an_accepted_one_says_so(config):
    newer = SubmissionInfo(7, PERIOD, "SYT", "syt-sua.xlsx", "c" * 64, datetime(2025, 11, 20, 9, 45, tzinfo=timezone.utc),
                           "accepted", 0, 0)
    rep = report([Problem("not-a-number", "Biểu 01", "G10", "n/a", "4.2", {"column": "Tử số"})], blocked=["4.2"])
    msg = parse(build(rep, config, newer=newer))
    assert msg["Subject"] == ("[Sơn La] Sở Y tế – Năm 2025: Bị từ chối (1 lỗi); "
                              "tệp gửi sau đã được chấp nhận")
    text = body(msg)
    assert text.startswith(
        "Kính gửi: Sở Y tế\n\nKẾT QUẢ KIỂM TRA BÁO CÁO NĂM 2025: BỊ TỪ CHỐI\n\n"
        "Tệp này chưa được tiếp nhận: chưa có số liệu nào của tệp này được đưa vào tổng hợp.\n\n"
        "Đơn vị đã gửi tệp mới hơn \u201csyt-sua.xlsx\u201d (nhận lúc 20/11/2025 16:45), tệp đó đã được chấp nhận "
        "và được dùng để tổng hợp. Đơn vị không cần làm gì thêm.\n\n")
    assert "Đề nghị sửa" not in text and "gửi lại" not in text
    # the old file's problems are listed for reference, never as something still to fix
    assert [line for line in text.splitlines() if line[:3].isupper()] == [       # the headings
        "KẾT QUẢ KIỂM TRA BÁO CÁO NĂM 2025: BỊ TỪ CHỐI",
        "TÓM TẮT CÁC VẤN ĐỀ CỦA TỆP NÀY (để tham khảo): 1 lỗi, 0 cảnh báo",
        "LỖI CỦA TỆP NÀY (1 lỗi)"]
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "phải sửa" not in html.lower() and "Lỗi của tệp này (1 lỗi)" in html


def test_grouping_folds_one_code_in_one_column_into_ranges():
    problems = [Problem("not-a-number", "Biểu 01", f"H{r}", "x", "4.1", {"column": "Mẫu số"}) for r in (12, 9, 10, 11, 20)]
    problems.append(Problem("not-a-number", "Biểu 02", "D9", "x", "TT", {"column": "Số lượng"}))
    problems.append(Problem("missing-indicator", "Biểu 01", "", None, "4.4",
                            {"indicator_label": "4.4", "unit_name": "Sở Y tế"}))
    fix = "Chỉ nhập số, ví dụ 1.234 hoặc 45,5; không kèm chữ hay đơn vị."
    assert group_lines(problems) == [
        Line("error", "Không phải là số", "Biểu 01!H9:H12, H20", "trang Biểu 01, dòng 9 đến 12 và 20", 5, "Ô Mẫu số có 'x', không đọc được thành số.",
             "Biểu 01!H9", "4.1. Tỷ số giới tính khi sinh", fix),
        Line("error", "Không phải là số", "Biểu 02!D9", "trang Biểu 02, dòng 9", 1, "Ô Số lượng có 'x', không đọc được thành số.",
             None, "TT. Truyền thông", fix),
        Line("warning", "Thiếu chỉ tiêu được giao", "Biểu 01", "trang Biểu 01", 1,
             "Chưa có số liệu chỉ tiêu 4.4, được giao cho Sở Y tế.", None,
             "4.4. Có ít nhất một cơ sở y tế cung cấp thí điểm dịch vụ chăm sóc sức khỏe cho người đồng tính, song tính và chuyển giới",
             "Bổ sung dòng số liệu của chỉ tiêu này trong Biểu 01 rồi gửi lại."),
    ]


def test_long_lists_are_capped_and_the_full_list_attached_as_csv(config):
    # 30 problems in 30 different columns: nothing folds
    problems = [Problem("negative-value", "Biểu 02", cell, -i, None, {"column": f"Cột {i}"})
                for i, cell in enumerate([f"{c}9" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"] + ["AA9", "AB9", "AC9", "AD9"])]
    problems.append(Problem("out-of-range", "Biểu 01", "I9", 450, "4.3", {"value": "450"}))
    shown = listing(problems)
    assert (len(shown.errors), len(shown.warnings), shown.hidden_lines, shown.hidden_problems) == (20, 0, 11, 11)
    msg = parse(build(report(problems, blocked=["TT"]), config))
    text = body(msg)
    assert "20. trang Biểu 02, dòng 9 [Biểu 02!T9]: Số âm" in text and "21. " not in text
    assert "+11 nữa: danh sách đầy đủ ở tệp đính kèm danh-sach-van-de.csv (mở bằng Excel)." in text
    [att] = list(msg.iter_attachments())
    data = att.get_payload(decode=True)
    assert (att.get_filename(), att.get_content_type(), att.get_content_charset()) == (CSV_NAME, "text/csv", "utf-8")
    assert data == problems_csv(problems) and data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == ["Mức độ", "Trang tính", "Ô", "Vị trí", "Mã vấn đề", "Vấn đề", "Chỉ tiêu", "Giá trị", "Nội dung", "Cách sửa"]
    assert len(table) == 32
    assert table[1] == ["Lỗi (phải sửa)", "Biểu 02", "A9", "trang Biểu 02, dòng 9", "negative-value", "Số âm", "", "0",
                        "Ô Cột 0 có giá trị âm (0).", "Số liệu này không thể âm: kiểm tra lại và nhập số không âm."]
    assert table[2][7:9] == ["'-1", "Ô Cột 1 có giá trị âm (-1)."]       # a leading minus would be a formula
    # a caller's own CSV is attached as given
    own = "\ufeffmine\r\n".encode()
    [att] = list(parse(build(report(problems, blocked=["TT"]), config, full_list_csv=own)).iter_attachments())
    assert att.get_payload(decode=True) == own


def test_csv_neutralises_formulas():
    problems = [Problem("unknown-indicator", "Biểu 01", "B9", v) for v in ("=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "4.1")]
    table = list(csv.reader(io.StringIO(problems_csv(problems).decode("utf-8-sig"))))
    assert [r[7] for r in table[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "4.1"]
    assert [r[8] for r in table[1:]][0] == "Mã chỉ tiêu '=HYPERLINK(\"http://x\")' không có trong danh mục chỉ tiêu Chiến lược."


def test_csv_uses_the_projects_one_formula_guard():
    # full-width signs (＝ ＋ － ＠) and a leading line break start a formula too: the guard of tonghop.intake.container
    typed = ["\uff1d1+1", "\uff0bA1", "\uff0d1", "\uff20SUM(A1)", "\n=1+1"]
    problems = [Problem("unknown-indicator", "Biểu 01", "B9", v) for v in typed]
    table = list(csv.reader(io.StringIO(problems_csv(problems).decode("utf-8-sig"))))
    assert [r[7] for r in table[1:]] == ["'\uff1d1+1", "'\uff0bA1", "'\uff0d1", "'\uff20SUM(A1)", "'\n=1+1"]


def test_header_injection_from_a_submission_is_neutralised(config, tmp_path):
    evil = "Sở Y tế\r\nBcc: x@evil.com"
    annotated = tmp_path / "bao cao\r\nBcc: y@evil.com.xlsx"
    annotated.write_bytes(b"PK\x03\x04")
    rep = report([Problem("missing-code", "Biểu 01", "B9")], unit="ZZZ", blocked=["4.1"], file=evil)
    rep.unit_name = evil
    raw = build(rep, config, annotated_copy=annotated).as_bytes()
    msg = email.message_from_bytes(raw, policy=default_policy)
    assert msg["Bcc"] is None and b"\r\nBcc:" not in raw and b"\nBcc:" not in raw
    assert msg["Subject"] == "[Sơn La] Sở Y tế Bcc: x@evil.com – Năm 2025: Bị từ chối (1 lỗi)"
    assert [a.addr_spec for a in msg["To"].addresses] == ["syt@sonla.gov.vn"]
    assert [p.get_filename() for p in msg.iter_attachments()] == ["bao cao Bcc_ y@evil.com.xlsx"]
    with pytest.raises(ValueError):
        build_report_message(rep, config=config, period=YEAR, recipients=["syt@sonla.gov.vn\r\nBcc: x@evil.com"],
                             deadline=DEADLINE, annotated_copy=None)


def test_notice_goes_to_the_officer_only_and_escapes_what_the_file_says(config):
    rep = report([Problem("unknown-unit", "Biểu 01", "C2", "ZZ<b>")], unit="ZZ<b>", file="lạ.xlsx")
    rep.unit_name = "<script>alert(1)</script>"
    msg = parse(build_unknown_sender_notice(rep, config=config, period=YEAR, typed_email="x@evil.com\r\nBcc: y@evil.com"))
    assert [a.addr_spec for a in msg["To"].addresses] == ["cchcsonla@gmail.com"] and msg["Bcc"] is None
    assert msg["Subject"] == "[Sơn La] Cần xử lý – Năm 2025: chưa gửi được kết quả kiểm tra tệp “lạ.xlsx”"
    text = body(msg)
    assert text.startswith('Mã đơn vị ghi trong tệp "lạ.xlsx" là "ZZ<b>", không có trong danh sách đơn vị của tỉnh, '
                           "nên hệ thống chưa gửi kết quả kiểm tra cho ai.\n")
    assert "  - Email: x@evil.com Bcc: y@evil.com\n" in text
    html = body(msg, "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


@pytest.mark.parametrize("problems, unit, expected", [
    ([Problem("file-unreadable", params={"detail": "tệp hỏng"})], None, 'Hệ thống không đọc được tệp "syt.xlsx"'),
    ([Problem("unit-missing", "Biểu 01", "C2")], None, 'Tệp "syt.xlsx" không ghi mã đơn vị'),
    ([], "SYT", "Sở Y tế chưa có địa chỉ email đăng ký trong tệp cấu hình"),
])
def test_notice_says_why(config, problems, unit, expected):
    text = text_of(build_unknown_sender_notice(report(problems, unit=unit), config=config, period=YEAR))
    assert text.startswith(expected)


def test_notice_for_an_unreadable_file_says_the_header_could_not_be_read(config):
    rep = report([Problem("file-unreadable", params={"detail": "tệp hỏng"})], unit=None)
    rep.unit_name = None
    msg = parse(build_unknown_sender_notice(rep, config=config, period=YEAR))
    assert ("THÔNG TIN GHI TRONG TỆP\n"
            "  - Tệp: syt.xlsx\n"
            "  - Mã đơn vị: (không đọc được)\n"
            "  - Tên đơn vị: (không đọc được)\n"
            "  - Email: (không đọc được)\n") in body(msg)
    assert "<tr><td>Mã đơn vị</td><td>(không đọc được)</td></tr>" in body(msg, "html")
    assert "để trống" not in body(msg) + body(msg, "html")


def test_reminder(config):
    msg = parse(build_reminder(config.units["SYT"], config=config, period=YEAR, deadline=DEADLINE, days_left=2))
    assert msg["Subject"] == "[Sơn La] Nhắc nộp báo cáo bình đẳng giới Năm 2025 – hạn 25/11/2025 (còn 2 ngày)"
    assert [a.addr_spec for a in msg["To"].addresses] == ["syt@sonla.gov.vn"]
    text = body(msg)
    assert text.startswith("Kính gửi: Sở Y tế\n\nĐến ngày 23/11/2025, Sở Nội vụ chưa nhận được báo cáo bình đẳng giới "
                           "Năm 2025 của đơn vị.\n\nHạn nộp: ngày 25/11/2025 (còn 2 ngày).\n")
    assert ("  - Biểu 01, kết quả các chỉ tiêu được giao:\n      4.1. Tỷ số giới tính khi sinh\n") in text
    rejected = text_of(build_reminder(config.units["STP"], config=config, period=YEAR, deadline=DEADLINE,
                                      days_left=0, last_status="rejected"))
    assert "tệp gần nhất đơn vị gửi bị từ chối do có lỗi" in rejected and "Biểu 01" not in rejected
    assert "(hạn cuối là hôm nay)" in rejected


def test_digest_counts_completeness_and_timeliness(config):
    utc = timezone.utc
    rows = [
        DigestRow("SYT", "Sở Y tế", "partially_accepted", datetime(2025, 11, 20, 2, 0, tzinfo=utc), "syt.xlsx", 3, 1),
        # 17:30 UTC on the 25th is 00:30 on the 26th in Sơn La: late (rows carry aware UTC: store.types.UtcDateTime)
        DigestRow("STC", "Sở Tài chính", "accepted", datetime(2025, 11, 25, 17, 30, tzinfo=utc), "stc.xlsx", 0, 0),
        DigestRow("CAT", "Công an tỉnh", "rejected", datetime(2025, 11, 21, 1, 0, tzinfo=utc), "cat.xlsx", 4, 0),
        DigestRow("BSL", "Báo Sơn La", None, emails=("bsl@sonla.gov.vn",)),
        DigestRow(None, "Sở Lạ", "rejected", datetime(2025, 11, 21, 1, 0, tzinfo=utc), "la.xlsx", 1, 0),
    ]
    msg = parse(build_digest(config=config, period=YEAR, rows=rows, today=date(2025, 11, 26)))
    assert [a.addr_spec for a in msg["To"].addresses] == ["cchcsonla@gmail.com"]
    assert msg["Subject"] == "[Sơn La] Tình hình nộp báo cáo Năm 2025 ngày 26/11/2025: 2/4 đơn vị đã nộp"
    text = body(msg)
    assert text.startswith(
        "TÌNH HÌNH NỘP BÁO CÁO BÌNH ĐẲNG GIỚI NĂM 2025, NGÀY 26/11/2025\n\n"
        "Hạn nộp: 25/11/2025 (đã quá hạn 1 ngày)\n"
        "Đã nộp (được tiếp nhận toàn bộ hoặc một phần): 2/4 đơn vị (50%)\n"
        "Nộp đúng hạn (tính theo bản được tiếp nhận): 1/4 đơn vị (25%)\n"
        "Chưa nộp: 2/4 đơn vị (chưa gửi tệp nào: 1; có tệp bị từ chối: 1)\n\n"
        "CHƯA GỬI TỆP NÀO (1)\n  - Báo Sơn La (BSL): bsl@sonla.gov.vn\n\n"
        "CÓ TỆP BỊ TỪ CHỐI, CHƯA CÓ BẢN ĐƯỢC TIẾP NHẬN (1)\n"
        "  - Công an tỉnh (CAT): tệp \"cat.xlsx\" nhận lúc 21/11/2025 08:00, 4 lỗi\n\n"
        "TỆP CHƯA XÁC ĐỊNH ĐƯỢC ĐƠN VỊ (1)\n"
        "  - \"la.xlsx\" nhận lúc 21/11/2025 08:00, ghi tên đơn vị \"Sở Lạ\"\n\n"
        "ĐÃ NỘP (2)\n"
        "  - Sở Y tế (SYT): Được chấp nhận một phần, nhận lúc 20/11/2025 09:00, 3 lỗi, 1 cảnh báo\n"
        "  - Sở Tài chính (STC): Được chấp nhận, nhận lúc 26/11/2025 00:30 (nộp muộn), 0 lỗi, 0 cảnh báo\n")


def test_headers_are_complete_and_mail_from_can_be_overridden(config, monkeypatch):
    msg = parse(build_reminder(config.units["STC"], config=config, period=YEAR, deadline=DEADLINE, days_left=7))
    assert str(msg["From"]) == "Sở Nội vụ tỉnh Sơn La <cchcsonla@gmail.com>" and msg["Reply-To"] is None
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Message-ID"].startswith("<")
    assert msg["Date"].datetime.utcoffset().total_seconds() == 7 * 3600
    monkeypatch.setenv("TONGHOP_MAIL_FROM", "Báo cáo BĐG <no-reply@sonla.gov.vn>")
    msg = parse(build_reminder(config.units["STC"], config=config, period=YEAR, deadline=DEADLINE, days_left=7))
    assert str(msg["From"]) == "Báo cáo BĐG <no-reply@sonla.gov.vn>"
    assert str(msg["Reply-To"]) == "Sở Nội vụ <cchcsonla@gmail.com>"


def test_smtp_settings_from_env(config):
    assert SmtpSettings.from_env(config, env={}) is None
    assert SmtpSettings.from_env(env={"TONGHOP_SMTP_HOST": "mail.sonla.gov.vn"}) == SmtpSettings(
        host="mail.sonla.gov.vn", port=587, security="starttls", user=None, password=None, mail_from=None)
    assert SmtpSettings.from_env(config, env={"TONGHOP_SMTP_HOST": "mail.sonla.gov.vn"}) == SmtpSettings(
        host="mail.sonla.gov.vn", port=587, security="starttls", user=None, password=None,
        mail_from="cchcsonla@gmail.com", timeout=30.0, cafile=None)
    full = SmtpSettings.from_env(config, env={
        "TONGHOP_SMTP_HOST": " mail.sonla.gov.vn ", "TONGHOP_SMTP_SECURITY": "SSL", "TONGHOP_SMTP_USER": "bdg",
        "TONGHOP_SMTP_PASSWORD": "p", "TONGHOP_MAIL_FROM": "BĐG <bdg@sonla.gov.vn>", "TONGHOP_SMTP_TIMEOUT": "10"})
    assert full == SmtpSettings(host="mail.sonla.gov.vn", port=465, security="ssl", user="bdg", password="p",
                                mail_from="bdg@sonla.gov.vn", timeout=10.0, cafile=None)
    plain = SmtpSettings.from_env(config, env={"TONGHOP_SMTP_HOST": "relay", "TONGHOP_SMTP_SECURITY": "none",
                                               "TONGHOP_SMTP_PORT": "2525"})
    assert (plain.port, plain.security) == (2525, "none")
    for bad, message in [({"TONGHOP_SMTP_SECURITY": "tls"}, "TONGHOP_SMTP_SECURITY"),
                         ({"TONGHOP_SMTP_PORT": "abc"}, "TONGHOP_SMTP_PORT phải là một số"),
                         ({"TONGHOP_SMTP_SECURITY": "none", "TONGHOP_SMTP_USER": "u"}, "không mã hóa"),
                         ({"TONGHOP_MAIL_FROM": "a@b.vn, c@d.vn"}, "đúng một địa chỉ")]:
        with pytest.raises(ConfigError, match=message):
            SmtpSettings.from_env(config, env={"TONGHOP_SMTP_HOST": "mail.sonla.gov.vn", **bad})
    assert sender(config, env={}).display_name == "Sở Nội vụ tỉnh Sơn La"


@pytest.mark.parametrize("name, value", [
    ("From", Address("Sở Nội vụ thành phố Hà Nội", addr_spec="snv@hanoi.gov.vn")),
    ("Reply-To", Address("Phòng Công tác thanh niên và Bình đẳng giới, Sở Nội vụ tỉnh Sơn La",
                         addr_spec="snv@sonla.gov.vn")),
    ("To", [Address(addr_spec="a@sonla.gov.vn"), Address("Văn thư", addr_spec="b@sonla.gov.vn")]),
    ("From", Address("Sở Nội vụ thành phố Hà Nội", addr_spec="phong.cong.tac.thanh.nien@sonoivu.hanoi.gov.vn")),
    ("To", [Address("Ủy ban nhân dân phường Chiềng Cơi", addr_spec="ubnd.chiengcoi@sonla.gov.vn"),
            Address("A very long plain name for the office of statistics", addr_spec="thongke@sonla.gov.vn")]),
    ("Subject", "[Sơn La] Ủy ban nhân dân phường Chiềng Cơi – Năm 2025: Chưa được chấp nhận (3 lỗi, 12 cảnh báo)"),
    ("Subject", "Short ASCII subject"),
    ("Subject", " ".join(["A long ASCII subject"] * 6)),
])
def test_a_header_reads_back_exactly_as_written(name, value):
    # The email package's own folding drops the space between two encoded words: "chấp nhận" -> "chấpnhận".
    from email.message import EmailMessage
    from email.policy import SMTP

    from tonghop.mail.message import put_header

    msg = EmailMessage(policy=SMTP)
    put_header(msg, name, value)
    msg.set_content("x")
    raw = msg.as_bytes()
    assert raw.isascii() and all(len(line) <= 78 for line in raw.split(b"\r\n"))
    assert raw == msg.as_bytes(policy=SMTP.clone(refold_source="none"))   # written as set, never refolded
    if isinstance(value, str):
        assert str(parse(msg)[name]) == value
    else:
        # RFC 2047 reading, as mail clients do (CPython's own address parser adds a space between two words)
        from email.header import decode_header, make_header
        from email.utils import getaddresses

        header = email.message_from_bytes(raw)[name]
        back = [(str(make_header(decode_header(n))), a) for n, a in getaddresses([header])]
        expected = [value] if isinstance(value, Address) else value
        assert back == [(a.display_name, a.addr_spec) for a in expected]


def test_a_header_set_once_still_refuses_a_line_break():
    from email.message import EmailMessage
    from email.policy import SMTP

    from tonghop.mail.message import put_header

    with pytest.raises(ValueError):
        put_header(EmailMessage(policy=SMTP), "Subject", "Báo cáo\r\nBcc: x@evil.com")
    with pytest.raises(ValueError):
        put_header(EmailMessage(policy=SMTP), "From", Address("Sở Y tế\nBcc: x@evil.com", addr_spec="a@b.vn"))


def test_an_attachment_name_cannot_pose_as_another_file_type():
    from tonghop.mail.message import safe_filename

    # U+202E turns "bao-cao-xslx.exe" into what a reader sees as "bao-cao-exe.xlsx"
    assert safe_filename("bao-cao-\u202exslx.exe") == "bao-cao-xslx.exe"
    assert safe_filename("C:\\Users\\a\\Báo cáo\u200b năm.xlsx") == "Báo cáo năm.xlsx"


def test_cells_are_named_in_words_with_the_rows_stt_beside_the_excel_reference(config, tmp_path):
    from tonghop_dev.builders import activity_grid, indicator_grid, write_xlsx
    from tonghop.intake.read import parse_file
    from tonghop.reports.submission import render_html
    from tonghop.check.validate import validate_files

    rows = [["4.1", "Tỷ số giới tính khi sinh", "14", "Tỉnh Sơn La", sex, "n/a", 9500, None, None]
            for sex in ("Nam", "Nữ")]
    path = write_xlsx(tmp_path / "syt.xlsx", {"Biểu 01": indicator_grid("SYT", "Năm 2025", rows),
                                               "Biểu 02": activity_grid("SYT", "Năm 2025", [])})
    [item] = validate_files([parse_file(path)], config, Period.parse(PERIOD))
    text = text_of(build(item.report, config))
    assert ("1. trang Biểu 01, dòng 9 và 10 (STT 1, 2) [Biểu 01!G9:G10] — 2 ô: Không phải là số\n"
            "   Ví dụ Biểu 01!G9: Ô Tử số có 'n/a', không đọc được thành số.\n") in text
    page = render_html(item.report, period_vi="Năm 2025", resend_by="chậm nhất ngày 25/11/2025", province="Sơn La")
    assert ('<td>trang Biểu 01, dòng 9 và 10 (STT 1, 2)<br><span class="place">Biểu 01!G9:G10</span>'
            '<br><span class="muted">2 ô</span></td>') in page
    table = list(csv.reader(io.StringIO(problems_csv(item.report.problems).decode("utf-8-sig"))))
    assert [r[1:4] for r in table[1:] if r[2]] == [["Biểu 01", "G9", "trang Biểu 01, dòng 9 (STT 1)"],
                                           ["Biểu 01", "G10", "trang Biểu 01, dòng 10 (STT 2)"]]
