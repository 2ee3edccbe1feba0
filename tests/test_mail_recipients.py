"""recipients_for: only a unit's registered addresses, whatever the file says."""
from __future__ import annotations

import dataclasses

from hypothesis import given, settings, strategies as st

from tonghop.mail.recipients import placeholder_warning, recipients_for, valid_address


def with_emails(config, code, emails):
    unit = dataclasses.replace(config.units[code], emails=tuple(emails))
    return dataclasses.replace(config, units={**config.units, code: unit})


def test_registered_addresses_only(config):
    assert recipients_for("SYT", None, config) == ["syt@sonla.gov.vn"]
    assert recipients_for("SYT", "SYT@SonLa.gov.vn", config) == ["syt@sonla.gov.vn"]
    assert recipients_for("SYT", "nguoi.la@gmail.com", config) == ["syt@sonla.gov.vn"]
    assert recipients_for(" SYT ", "", config) == ["syt@sonla.gov.vn"]


def test_typed_registered_address_comes_first(config):
    cfg = with_emails(config, "SYT", ["vanthu@sonla.gov.vn", "syt@sonla.gov.vn", "vanthu@sonla.gov.vn"])
    assert recipients_for("SYT", "Syt@sonla.gov.vn", cfg) == ["syt@sonla.gov.vn", "vanthu@sonla.gov.vn"]
    assert recipients_for("SYT", None, cfg) == ["vanthu@sonla.gov.vn", "syt@sonla.gov.vn"]


def test_unknown_or_missing_unit_gets_nobody(config):
    assert recipients_for("ZZZ", "syt@sonla.gov.vn", config) == []
    assert recipients_for(None, "syt@sonla.gov.vn", config) == []
    assert recipients_for("SYT", "syt@sonla.gov.vn", with_emails(config, "SYT", [])) == []


def test_injection_attempts_are_not_addresses(config):
    for bad in ["syt@sonla.gov.vn\r\nBcc: x@evil.com", "syt@sonla.gov.vn, x@evil.com", "Sở Y tế <syt@sonla.gov.vn>",
                "syt@sonla.gov.vn\nx", "no-at-sign", "a@b@c.vn", "a@localhost", ""]:
        assert valid_address(bad) is None, bad
    cfg = with_emails(config, "SYT", ["syt@sonla.gov.vn\r\nBcc: x@evil.com", "ok@sonla.gov.vn"])
    assert recipients_for("SYT", "syt@sonla.gov.vn\r\nBcc: x@evil.com", cfg) == ["ok@sonla.gov.vn"]


@settings(max_examples=200, deadline=None)
@given(unit=st.sampled_from(["SYT", "STC", "X03646", "ZZZ", ""]) , typed=st.one_of(st.none(), st.text(max_size=60),
       st.emails().map(str)))
def test_never_an_unregistered_address(config, unit, typed):
    registered = set(config.units[unit].emails) if unit in config.units else set()
    got = recipients_for(unit, typed, config)
    assert set(got) <= registered and len(got) == len(set(got))
    assert set(got) == registered


PLACEHOLDER = "syt@chua-dien-dia-chi.invalid"


def test_a_placeholder_address_is_never_a_recipient(config):
    assert recipients_for("SYT", PLACEHOLDER, with_emails(config, "SYT", [PLACEHOLDER])) == []
    cfg = with_emails(config, "SYT", [PLACEHOLDER, "syt@sonla.gov.vn"])
    assert recipients_for("SYT", PLACEHOLDER, cfg) == ["syt@sonla.gov.vn"]


def test_the_warning_names_every_unit_and_the_officer_whose_address_is_a_placeholder(config):
    assert placeholder_warning(config) is None
    cfg = with_emails(with_emails(config, "SYT", [PLACEHOLDER]), "X03646", ["x03646@chua-dien-dia-chi.invalid"])
    assert placeholder_warning(cfg) == (
        "Không gửi thư tới địa chỉ email còn để mẫu (chưa điền) của 2 đơn vị: SYT (Sở Y tế), "
        "X03646 (UBND phường Tô Hiệu). Điền địa chỉ thật trong son-la.yaml rồi chạy lại.")
    cfg = dataclasses.replace(cfg, consolidator_email="snv@chua-dien-dia-chi.invalid")
    assert placeholder_warning(cfg) == (
        "Không gửi thư tới địa chỉ email còn để mẫu (chưa điền) của 2 đơn vị: SYT (Sở Y tế), "
        "X03646 (UBND phường Tô Hiệu). Không gửi thư tổng hợp và thông báo cần xử lý cho Sở Nội vụ: địa chỉ "
        "email của đơn vị tổng hợp (consolidator) còn để mẫu. Điền địa chỉ thật trong son-la.yaml rồi chạy lại.")
