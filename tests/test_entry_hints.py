"""How each indicator is entered: one hint per kind of unit, with the slip it guards against."""
from __future__ import annotations

from schemas.catalogue import load_catalogue
from tonghop.entry_hints import entry_hint, range_fix

CAT = load_catalogue()


def test_every_kind_of_unit_has_its_own_hint():
    assert {code: entry_hint(CAT.indicators[code]) for code in ("1.1", "3.1", "4.2", "4.4", "5.1")} == {
        "1.1": "Tử số = Số cơ quan quản lý nhà nước, chính quyền địa phương có lãnh đạo chủ chốt là nữ; Mẫu số = "
               "Tổng số cơ quan quản lý nhà nước, chính quyền địa phương; Giá trị = Tử số / Mẫu số × 100, tính phần "
               "trăm (%), ví dụ 45,5 (không ghi 0,455).",
        "3.1": "Tử số = Số giờ trung bình làm việc nhà không được trả công của phụ nữ; Mẫu số = Số giờ trung bình "
               "làm việc nhà không được trả công của nam giới; Giá trị = Tử số / Mẫu số, tính số lần, ví dụ 1,8.",
        "4.2": "Tử số = Số bà mẹ tử vong liên quan đến thai sản; Mẫu số = Số trẻ đẻ ra sống; Giá trị = Tử số / "
               "Mẫu số × 100.000, tính trên 100.000, ví dụ 42 (không ghi 0,00042).",
        "4.4": "Nhập 1 vào cột Giá trị nếu đã có, 0 nếu chưa có; không nhập Tử số, Mẫu số.",
        "5.1": "Tử số = Số trẻ em dân tộc thiểu số hoàn thành giáo dục tiểu học; Mẫu số = Số trẻ em dân tộc thiểu "
               "số trong độ tuổi; Giá trị = Tử số / Mẫu số × 100, tính phần trăm (%), ví dụ 45,5 (không ghi 0,455); "
               "ghi 3 dòng Tổng, Nam, Nữ (Tổng = Nam + Nữ).",
    }


def test_a_ratio_has_no_factor_to_forget_and_a_yes_no_indicator_no_fraction():
    assert range_fix(CAT.indicators["3.1"]) == (
        "Kiểm tra lại Tử số, Mẫu số và Giá trị của chỉ tiêu 3.1: " + entry_hint(CAT.indicators["3.1"]))
    assert range_fix(CAT.indicators["4.4"]) == "Nhập 1 nếu đã có, 0 nếu chưa có."
