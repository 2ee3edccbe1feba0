"""How each indicator is entered (its unit, Tử số, Mẫu số, an example and the usual slip), for forms and warnings."""
from __future__ import annotations

from schemas.catalogue import Indicator
from tonghop.numbers import format_vi

# A typical value per kind of unit, when the catalogue has no example of its own: the slip it guards against is
# the value typed as a plain fraction (0,455 for 45,5 %; 1,12 for 112 boys per 100 girls).
DEFAULT_EXAMPLE = {"percent": 45.5, "ratio": 1.8, "per_100": 112, "per_1000": 18, "per_100k": 42}
PER = {"percent": "phần trăm (%)", "ratio": "số lần", "per_100": "trên 100", "per_1000": "trên 1.000",
       "per_100k": "trên 100.000"}


def example(ind: Indicator) -> float:
    return ind.example if ind.example is not None else DEFAULT_EXAMPLE.get(ind.unit.code, 1.0)


def _slip(ind: Indicator) -> str | None:
    """The value typed without its factor: 0,455 for 45,5 %, 1,12 for 112."""
    factor = ind.unit.factor or 1
    if factor == 1:
        return None
    return format_vi(example(ind) / factor, 6).rstrip("0").rstrip(",")


def entry_hint(ind: Indicator) -> str:
    """'Tử số = Số bé trai sinh ra sống; Mẫu số = Số bé gái sinh ra sống; Giá trị = Tử số / Mẫu số × 100, tính
    trên 100, khoảng 112 (không ghi 1,12).'"""
    if ind.is_boolean:
        return "Nhập 1 vào cột Giá trị nếu đã có, 0 nếu chưa có; không nhập Tử số, Mẫu số."
    parts = []
    if ind.numerator:
        parts.append(f"Tử số = {ind.numerator}")
    if ind.denominator:
        parts.append(f"Mẫu số = {ind.denominator}")
    factor = ind.unit.factor or 1
    formula = "Giá trị = Tử số / Mẫu số" + (f" × {format_vi(factor)}" if factor != 1 else "")
    slip = _slip(ind)
    about = "khoảng" if ind.example is not None else "ví dụ"     # the catalogue's own typical value, or an example
    value = f"{formula}, tính {PER.get(ind.unit.code, ind.unit.vi)}, {about} {format_vi(example(ind))}"
    value += f" (không ghi {slip})" if slip else ""
    if ind.by_sex:
        value += "; ghi 3 dòng Tổng, Nam, Nữ (Tổng = Nam + Nữ)"
    return "; ".join(parts + [value]) + "."


def range_fix(ind: Indicator) -> str:
    """The fix of an 'out-of-range' warning for this very indicator."""
    if ind.is_boolean:
        return "Nhập 1 nếu đã có, 0 nếu chưa có."
    slip = _slip(ind)
    text = f"Kiểm tra lại Tử số, Mẫu số và Giá trị của chỉ tiêu {ind.code}: {entry_hint(ind)}"
    if slip:
        text += (f" Nếu đã ghi giá trị dạng {slip} thì nhân với {format_vi(ind.unit.factor)}, hoặc để trống Giá trị "
                 f"để hệ thống tự tính từ Tử số và Mẫu số.")
    return text
