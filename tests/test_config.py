"""The province configuration: Sơn La's as shipped, and a clear ConfigError for each way a file can be wrong."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from tonghop.config import DEFAULT_CONFIG, Period, load_config
from tonghop.errors import ConfigError


def test_son_la_as_shipped():
    config = load_config(DEFAULT_CONFIG)
    assert (config.province_code, config.province_name, config.consolidator_code) == ("14", "Tỉnh Sơn La", "SNV")
    assert len(config.units) == 18 and set(config.periods) == {"2025-H1", "2025-Y", "2026-H1", "2026-Y"}
    assert config.deadline(Period.parse("2025-H1")) == date(2025, 5, 20)
    assert config.deadline(Period.parse("2025-Y")) == date(2025, 11, 25)
    assert [u.code for u in config.units_for_indicator("3.2a")] == ["SNV", "SVHTTDL"]


def _write(tmp_path, text: str):
    path = tmp_path / "tinh.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _edited(tmp_path, change):
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    change(data)
    return _write(tmp_path, yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize("make, words", [
    (lambda tmp: tmp / "khong-co.yaml", "Không đọc được tệp cấu hình"),
    (lambda tmp: _write(tmp, "units: [\n  - code: SNV\n"), "viết sai cú pháp YAML (dòng 2, cột 3)"),
    (lambda tmp: _write(tmp, "- chỉ là một danh sách\n"), "không có nội dung dạng mục"),
    (lambda tmp: _edited(tmp, lambda d: d.pop("consolidator")), "thiếu mục 'consolidator'"),
    (lambda tmp: _edited(tmp, lambda d: d["deadlines"].update(Y="31/11")), "không phải là một ngày có thật"),
    (lambda tmp: _edited(tmp, lambda d: d["deadlines"].update(Y="25-11")), "hạn nộp phải có dạng ngày/tháng"),
    (lambda tmp: _edited(tmp, lambda d: d["units"][0].update(indicators=["9.9"])), "không có trong danh mục: 9.9"),
    (lambda tmp: _edited(tmp, lambda d: d["units"].append(dict(d["units"][0]))), "bị khai báo hai lần"),
    (lambda tmp: _edited(tmp, lambda d: d.update(units={"SNV": "Sở Nội vụ"})), "viết sai dạng"),
])
def test_a_wrong_file_is_a_config_error_in_vietnamese(tmp_path, make, words):
    with pytest.raises(ConfigError) as caught:
        load_config(make(tmp_path))
    assert words in str(caught.value)


SOURCE = "danh mục đơn vị hành chính (gói vietnam-provinces 2025.10.1)"


def _sample_with(tmp_path, old: str, new: str):
    """The shipped configuration with one line changed; the path and the changed line's number."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = _write(tmp_path, text.replace(old, new))
    line = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if new in row)
    return path, line


@pytest.mark.parametrize("old, new, said", [
    ('{code: "03667", name: "Phường Chiềng An"}', '{code: "03999", name: "Phường Chiềng An"}',
     "mã địa bàn “03999” không phải mã của xã, phường, đặc khu nào của Tỉnh Sơn La"),
    ('{code: "03667", name: "Phường Chiềng An"}', '{code: "00070", name: "Phường Hoàn Kiếm"}',
     "mã địa bàn “00070” không phải mã của xã, phường, đặc khu nào của Tỉnh Sơn La"),
    ('{code: "03667", name: "Phường Chiềng An"}', '{code: "03667", name: "Phường Chiềng Cơi"}',
     "mã địa bàn 03667 là Phường Chiềng An, không phải “Phường Chiềng Cơi”"),
    ('{code: "03667", name: "Phường Chiềng An"}', '{code: 3667, name: "Phường Chiềng An"}',
     "mã địa bàn “3667” không phải mã của xã, phường, đặc khu nào của Tỉnh Sơn La"
     " (viết mã trong ngoặc kép, ví dụ \"03646\")"),
    ('kind: commune, area: "03847"', 'kind: commune, area: "03848"',
     "đơn vị X14003 (UBND xã Mường Bú): mã địa bàn “03848” không phải mã của xã, phường, đặc khu nào "
     "của Tỉnh Sơn La"),
    ('name: "UBND xã Mường Bú", kind: commune', 'name: "UBND xã Mường Lạn", kind: commune',
     "đơn vị X14003 (UBND xã Mường Lạn): mã địa bàn 03847 là Xã Mường Bú, không phải “UBND xã Mường Lạn”"),
    ('province: {code: "14", name: "Tỉnh Sơn La"', 'province: {code: "14", name: "Tỉnh Lai Châu"',
     "mã tỉnh 14 là Tỉnh Sơn La, không phải “Tỉnh Lai Châu”"),
])
def test_a_code_or_name_not_in_the_official_list_is_an_error_naming_its_line(tmp_path, old, new, said):
    path, line = _sample_with(tmp_path, old, new)
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value) == f"Tệp cấu hình {path} không khớp {SOURCE}:\n  dòng {line}: {said}"


def test_names_match_without_diacritics_case_or_the_ubnd_prefix(tmp_path):
    path, _ = _sample_with(tmp_path, '{code: "03667", name: "Phường Chiềng An"}', '{code: "03667", name: "chieng an"}')
    assert load_config(path).areas["03667"].name == "chieng an"


def test_a_province_code_not_in_the_list_and_a_generated_round_that_opts_out(tmp_path):
    path, line = _sample_with(tmp_path, 'province: {code: "14",', 'province: {code: "99",')
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('{code: "14", name: "Tỉnh Sơn La"}', '{code: "99", name: "Tỉnh Sơn La"}'),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value) == (f"Tệp cấu hình {path} không khớp {SOURCE}:\n"
                              f"  dòng {line}: mã tỉnh “99” không phải mã của tỉnh, thành phố nào trong {SOURCE}")
    path.write_text(path.read_text(encoding="utf-8") + "check_official_list: false\n", encoding="utf-8")
    assert load_config(path).province_code == "99"


def test_the_rule_for_an_indicator_of_several_units_is_sum_or_one_of_its_units():
    import yaml
    from tonghop.config import DEFAULT_CONFIG, parse_config
    from tonghop.errors import ConfigError

    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    assert parse_config(data).multi_unit == {"3.2a": "sum", "3.2b": "sum", "5.4": "sum"}
    data["multi_unit"] = {"3.2a": "SNV"}
    assert parse_config(data).multi_unit == {"3.2a": "SNV"}
    for rule, message in [({"3.2a": "SYT"}, "multi_unit.3.2a: ghi “sum” (cộng phần của các đơn vị) hoặc mã một đơn "
                                            "vị được giao chỉ tiêu 3.2a (gặp 'SYT')"),
                          ({"9.9": "sum"}, "multi_unit: mã chỉ tiêu 9.9 không có trong danh mục")]:
        data["multi_unit"] = rule
        with pytest.raises(ConfigError) as err:
            parse_config(data)
        assert str(err.value) == message


def test_the_document_heading_and_signer_come_from_configuration_with_the_provinces_defaults():
    import yaml
    from tonghop.config import DEFAULT_CONFIG, Signer, parse_config

    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    doc = parse_config(data).document_info()
    assert (doc.parent_body, doc.issuing_body, doc.symbol, doc.place, doc.recipients, doc.signer) == (
        "UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "BC-SNV", "Sơn La", ("Bộ Nội vụ", "UBND tỉnh Sơn La"),
        Signer("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", ""))
    del data["document"]
    doc = parse_config(data).document_info()
    assert (doc.parent_body, doc.issuing_body, doc.symbol, doc.signer) == (
        "UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "BC-SNV", Signer("", "GIÁM ĐỐC", ""))
