"""The province configuration: Sơn La's as shipped, and a clear ConfigError for each way a file can be wrong."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from tonghop.config import DEFAULT_CONFIG, Period, PeriodRule, load_config
from tonghop.errors import ConfigError


def test_son_la_as_shipped():
    config = load_config(DEFAULT_CONFIG)
    assert (config.province_code, config.province_name, config.consolidator_code) == ("14", "Tỉnh Sơn La", "SNV")
    # 14 departments and Sơn La's 75 communes
    assert len(config.units) == 14 + 75 and config.periods == ()
    assert config.period_rule == PeriodRule(2025, ("H1", "Y"))
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
     "đơn vị X03847 (UBND xã Mường Bú): mã địa bàn “03848” không phải mã của xã, phường, đặc khu nào "
     "của Tỉnh Sơn La"),
    ('name: "UBND xã Mường Bú", kind: commune', 'name: "UBND xã Mường Lạn", kind: commune',
     "đơn vị X03847 (UBND xã Mường Lạn): mã địa bàn 03847 là Xã Mường Bú, không phải “UBND xã Mường Lạn”"),
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


def test_periods_by_rule_reach_next_year_without_editing(tmp_path):
    """Every year's H1 and Y from the first year; an entry by code overrides that period's deadline."""
    path = _edited(tmp_path, lambda d: d.update(periods={"every_year": {"from": 2025}, "2026-Y": {"deadline": "30/11"}}))
    config = load_config(path)
    assert config.periods_around(date(2026, 12, 2)) == ("2025-H1", "2025-Y", "2026-H1", "2026-Y", "2027-H1", "2027-Y")
    assert config.periods_around(date(2025, 3, 1)) == ("2025-H1", "2025-Y", "2026-H1", "2026-Y")
    assert [config.deadline(Period.parse(c)) for c in ("2026-Y", "2027-Y", "2027-H1")] == [
        date(2026, 11, 30), date(2027, 11, 25), date(2027, 5, 20)]
    assert [config.is_configured(Period.parse(c)) for c in ("2024-Y", "2025-H1", "2031-Y")] == [False, True, True]


def test_an_explicit_list_of_periods_is_still_accepted(tmp_path):
    path = _edited(tmp_path, lambda d: d.update(periods={"2025-Y": {}, "2026-Y": {"deadline": "28/11"}}))
    config = load_config(path)
    assert (config.periods, config.period_rule) == (("2025-Y", "2026-Y"), None)
    assert config.periods_around(date(2026, 12, 2)) == ("2025-Y", "2026-Y")
    assert [config.is_configured(Period.parse(c)) for c in ("2025-Y", "2025-H1", "2027-Y")] == [True, False, False]
    assert config.deadline(Period.parse("2026-Y")) == date(2026, 11, 28)


def test_a_rule_only_for_years_kinds(tmp_path):
    path = _edited(tmp_path, lambda d: d.update(periods={"every_year": {"from": 2026, "kinds": ["Y"]}}))
    assert load_config(path).periods_around(date(2026, 12, 2)) == ("2026-Y", "2027-Y")


@pytest.mark.parametrize("rule, message", [
    ("2025", "periods.every_year phải có dạng {from: 2025, kinds: [H1, Y]} (gặp '2025')"),
    ({"from": "năm 2025"}, "periods.every_year.from phải là một năm, ví dụ 2025 (gặp 'năm 2025')"),
    ({"from": 2025, "kinds": ["Q1"]}, "periods.every_year.kinds chỉ gồm H1 (6 tháng đầu năm) và Y (năm) (gặp Q1)"),
])
def test_a_wrong_rule_is_said_in_vietnamese(tmp_path, rule, message):
    with pytest.raises(ConfigError) as caught:
        load_config(_edited(tmp_path, lambda d: d.update(periods={"every_year": rule})))
    assert str(caught.value) == message


def test_a_run_for_a_period_not_configured_or_not_begun_is_refused(tmp_path):
    config = load_config(DEFAULT_CONFIG)
    today = date(2026, 12, 2)
    config.check_run_period(Period.parse("2026-Y"), today)       # the period of the round: no error
    with pytest.raises(ConfigError) as future:
        config.check_run_period(Period.parse("2027-Y"), today)
    assert str(future.value) == (
        "Kỳ 2027-Y (Năm 2027) chưa bắt đầu: kỳ bắt đầu ngày 01/01/2027, hôm nay là 02/12/2026. "
        "Chưa đọc tệp nào, chưa gửi thư nào: kiểm tra lại --period (có gõ nhầm năm không?).")
    with pytest.raises(ConfigError) as before_rule:
        config.check_run_period(Period.parse("2024-Y"), today)
    assert str(before_rule.value) == (
        f"Kỳ 2024-Y (Năm 2024) không có trong tệp cấu hình {DEFAULT_CONFIG} (các kỳ đã khai báo: 6 tháng đầu năm "
        "và năm của mỗi năm từ năm 2025). Chưa đọc tệp nào, chưa gửi thư nào: kiểm tra lại --period, hoặc khai báo "
        "kỳ này ở mục periods.")
    listed = load_config(_edited(tmp_path, lambda d: d.update(periods={"2026-Y": {}, "2025-Y": {}})))
    with pytest.raises(ConfigError) as not_listed:
        listed.check_run_period(Period.parse("2026-H1"), today)
    assert str(not_listed.value) == (
        f"Kỳ 2026-H1 (6 tháng đầu năm 2026) không có trong tệp cấu hình {tmp_path / 'tinh.yaml'} (các kỳ đã khai "
        "báo: 2025-Y, 2026-Y). Chưa đọc tệp nào, chưa gửi thư nào: kiểm tra lại --period, hoặc khai báo kỳ này ở "
        "mục periods.")


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
    """One `document:` block for the Word report and the Ministry workbook; what it leaves out is derived."""
    import yaml
    from tonghop.config import DEFAULT_CONFIG, Document, Signature, parse_config

    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    doc = parse_config(data).document_info()
    assert (doc.parent_body, doc.issuing_body, doc.symbol, doc.place, doc.addressees, doc.copies, doc.archive,
            doc.signature) == ("UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "BC-SNV", "Sơn La", ("Ủy ban nhân dân tỉnh Sơn La",),
                               ("Như trên", "Bộ Nội vụ", "Giám đốc Sở"), "VT", Signature("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", ""))
    del data["document"]
    config = parse_config(data)
    assert config.document == Document()
    assert config.document_info() == Document(
        parent_body="UBND TỈNH SƠN LA", issuing_body="SỞ NỘI VỤ", symbol="BC-SNV", place="Sơn La",
        addressees=("Ủy ban nhân dân tỉnh Sơn La",), copies=("Như trên",), signature=Signature())


def test_the_c_loader_reads_the_same_data_as_the_python_one(tmp_path, monkeypatch):
    """libyaml (when PyYAML has it) on the shipped configuration and on generated ones (a hundred communes, as
    yaml.safe_dump writes them): the same data, the same configuration."""
    import tonghop.config as config_module
    from tonghop_dev.generate_round import province_config, province_specs

    assert config_module.SAFE_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    paths = sorted(DEFAULT_CONFIG.parent.glob("*.yaml"))
    for spec in province_specs(3):
        data = province_config(spec, communes=100, seed=2025)
        path = tmp_path / f"{spec.code}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        assert yaml.load(path.read_text(encoding="utf-8"), Loader=config_module.SAFE_LOADER) == data
        paths.append(path)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=config_module.SAFE_LOADER) == yaml.load(text, Loader=yaml.SafeLoader), path
        fast = load_config(path)
        monkeypatch.setattr(config_module, "SAFE_LOADER", yaml.SafeLoader)
        assert load_config(path) == fast, path
        monkeypatch.undo()


def test_loading_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    """The collector is paused while the YAML loads (its nodes would fill the oldest generation), then back on,
    after a syntax error too; left off when it was off."""
    import gc

    bad = _write(tmp_path, "province: [\n")
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            load_config(DEFAULT_CONFIG)
            with pytest.raises(ConfigError):
                load_config(bad)
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
