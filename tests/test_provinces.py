"""The official list of provinces and communes: finding a province, its communes, and the national side's list."""
from __future__ import annotations

import pytest
from vietnam_provinces import ProvinceCode, Ward

from tonghop.errors import ConfigError
from tonghop.provinces import PROVINCES, Commune, Province, communes, communes_by_code, find_province

SON_LA = Province("14", "Tỉnh Sơn La", "Sơn La", "son-la")


@pytest.mark.parametrize("text", ["Sơn La", "son la", "Tỉnh Sơn La", "tinh son la", "SON-LA", "14", "014", " 14 "])
def test_a_province_is_found_by_name_with_or_without_diacritics_and_prefix_or_by_code(text):
    assert find_province(text) == SON_LA


def test_cities_are_found_with_or_without_thanh_pho():
    hanoi = Province("01", "Thành phố Hà Nội", "Hà Nội", "ha-noi")
    assert [find_province(t) for t in ("Hà Nội", "Thành phố Hà Nội", "thanh pho ha noi", "TP. Hà Nội", "1")] == [hanoi] * 5
    assert find_province("Hue") == Province("46", "Thành phố Huế", "Huế", "hue")


def test_an_unknown_province_is_a_vietnamese_error_with_the_nearest_name():
    with pytest.raises(ConfigError) as exc:
        find_province("Son Lae")
    assert str(exc.value) == "Không có tỉnh, thành phố nào tên 'Son Lae'. Có phải Tỉnh Sơn La (mã 14)?"
    with pytest.raises(ConfigError) as exc:
        find_province("99")
    assert str(exc.value) == ("Không có tỉnh, thành phố nào tên hoặc mã '99' trong 34 tỉnh, thành phố từ 1/7/2025 "
                              "(ví dụ: --province \"Sơn La\" hoặc --province 14)")


def test_the_national_list_is_the_packages_34_provinces():
    assert len(PROVINCES) == 34
    assert PROVINCES["14"] == "Tỉnh Sơn La" and PROVINCES["79"] == "Thành phố Hồ Chí Minh"
    assert list(PROVINCES) == [f"{c.value:02d}" for c in ProvinceCode]


def test_communes_of_a_province_are_the_official_ones_with_code_name_and_kind():
    son_la = communes("14")
    assert len(son_la) == 75
    assert son_la[0] == Commune("03646", "Phường Tô Hiệu", "phường")
    assert son_la[0].unit_name == "UBND phường Tô Hiệu"
    assert [(c.code, c.name) for c in son_la] == [(f"{w.code.value:05d}", w.name)
                                                  for w in Ward.iter_by_province(ProvinceCode.P_14)]
    assert sum(len(communes(code)) for code in PROVINCES) == 3321
    assert communes_by_code("14")["03646"].name == "Phường Tô Hiệu"
    assert "00070" not in communes_by_code("14")       # Phường Hoàn Kiếm is Hà Nội's


def test_a_special_zone_is_a_commune_of_kind_dac_khu():
    zones = [c for c in communes("22") if c.kind == "đặc khu"]      # Quảng Ninh: Vân Đồn, Cô Tô
    assert [c.unit_name for c in zones] == ["UBND đặc khu Vân Đồn", "UBND đặc khu Cô Tô"]
