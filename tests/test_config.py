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
