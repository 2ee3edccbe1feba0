"""`tonghop init`: a province's configuration from the official list, its don-vi.xlsx, and what runs with it."""
from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest

from tonghop.config import Period, PeriodRule
from typer.testing import CliRunner
from vietnam_provinces import ProvinceCode, Ward

from flows import cli
from tonghop.config import load_config
from tonghop.errors import ConfigError
from tonghop.provinces import find_province
from tonghop.scaffold import DEPARTMENTS, init_province

DEPARTMENT_CODES = [code for code, *_ in DEPARTMENTS]


def official(code: str) -> list[tuple[str, str]]:
    return [(f"{w.code.value:05d}", w.name) for w in Ward.iter_by_province(ProvinceCode(int(code)))]


# Tuyên Quang: merged with Hà Giang on 1/7/2025, kept code 08
@pytest.mark.parametrize("name, code, n", [("Sơn La", "14", 75), ("ha noi", "01", 126), ("Tỉnh Lai Châu", "12", 38),
                                           ("Tuyên Quang", "08", 124)])
@pytest.mark.parametrize("units_xlsx", [False, True])
def test_init_writes_a_configuration_with_every_official_commune(tmp_path, name, code, n, units_xlsx):
    province = find_province(name)
    written = init_province(province, tmp_path / f"{province.slug}.yaml", units_xlsx=units_xlsx, today=date(2026, 3, 1))
    config = load_config(written.config)
    assert (written.n_departments, written.n_communes, len(official(code))) == (14, n, n)
    assert (config.province_code, config.province_name) == (code, province.name)
    communes = [u for u in config.units.values() if u.kind == "commune"]
    assert [(u.area, u.name) for u in communes] == [(c, "UBND " + nm[0].lower() + nm[1:]) for c, nm in official(code)]
    assert [u.code for u in communes] == [f"X{c}" for c, _ in official(code)]
    assert [(a.code, a.name) for a in config.areas.values()] == [(code, province.name), *official(code)]
    assert [u.code for u in config.units.values() if u.kind == "department"] == DEPARTMENT_CODES
    assert config.units["SYT"].indicators == ("4.1", "4.2", "4.3", "4.4")
    assert (config.periods, config.period_rule) == ((), PeriodRule(2026, ("H1", "Y")))         # periods by rule
    assert config.deadline(config_period("2026-H1")) == date(2026, 5, 20)
    assert config.deadline(config_period("2026-Y")) == date(2026, 11, 25)
    assert config.placeholder_units() == list(config.units.values())          # every address is to be filled
    assert config.consolidator_email == "snv@chua-dien-dia-chi.invalid"
    assert (written.units_xlsx, config.units_source) == ((tmp_path / "don-vi.xlsx",) * 2 if units_xlsx else (None, None))


def config_period(text):
    from tonghop.config import Period
    return Period.parse(text)


def test_init_never_overwrites_a_configuration(tmp_path):
    path = tmp_path / "son-la.yaml"
    path.write_text("đã sửa\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        init_province(find_province("14"), path)
    assert str(exc.value) == f"Đã có tệp {path}: không ghi đè (đổi tên hoặc xóa tệp cũ, hoặc chọn --out khác)"
    assert path.read_text(encoding="utf-8") == "đã sửa\n"


def test_addresses_edited_in_don_vi_xlsx_are_read_back_and_a_wrong_code_names_its_row(tmp_path):
    written = init_province(find_province("Lai Châu"), tmp_path / "lai-chau.yaml", units_xlsx=True)
    wb = openpyxl.load_workbook(written.units_xlsx)
    ws = wb.active
    assert [c.value for c in ws[1]] == ["Mã đơn vị", "Tên đơn vị", "Loại", "Mã địa bàn", "Email",
                                        "Chỉ tiêu được giao", "Ghi chú"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    commune = official("12")[0][0]
    assert [c.value for c in ws[rows["SYT"]]] == ["SYT", "Sở Y tế", "sở, ngành", None, "syt@chua-dien-dia-chi.invalid",
                                                 "4.1, 4.2, 4.3, 4.4", None]
    ws.cell(rows["SYT"], 5).value = "syt@laichau.gov.vn; vanthu.syt@laichau.gov.vn"
    ws.cell(rows[f"X{commune}"], 4).value = int(commune)          # Excel drops the leading zero: read back padded
    wb.save(written.units_xlsx)
    config = load_config(written.config)
    assert config.units["SYT"].emails == ("syt@laichau.gov.vn", "vanthu.syt@laichau.gov.vn")
    assert config.units[f"X{commune}"].area == commune
    assert "SYT" not in [u.code for u in config.placeholder_units()]

    name = ws.cell(rows[f"X{commune}"], 2).value
    ws.cell(rows[f"X{commune}"], 4).value = "03646"              # Sơn La's Tô Hiệu
    wb.save(written.units_xlsx)
    with pytest.raises(ConfigError) as exc:
        load_config(written.config)
    assert str(exc.value) == (
        f"Tệp cấu hình {written.config} không khớp danh mục đơn vị hành chính (gói vietnam-provinces 2025.10.1):\n"
        f"  don-vi.xlsx, dòng {rows[f'X{commune}']}: đơn vị X{commune} ({name}): mã địa bàn “03646” không phải mã "
        f"của xã, phường, đặc khu nào của Tỉnh Lai Châu")


def invoke(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def test_init_then_schedule_and_template_work_with_the_written_configuration(tmp_path):
    out = tmp_path / "config" / "lai-chau.yaml"
    done = invoke("init", "--province", "lai chau", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[:2] == ["Đã lập cấu hình Tỉnh Lai Châu (mã 12): 14 sở, ngành và 38 xã, phường, "
                                            "đặc khu.", f"  {out}"]
    done = invoke("schedule", "--config", str(out), "--inbox", str(tmp_path / "hop-thu" / "{period}"))
    assert done.exit_code == 0, done.output
    assert "lai-chau-" in done.output and "0 7 20-25 11 *" in done.output
    forms = tmp_path / "bieu-mau"
    done = invoke("template", "--config", str(out), "--period", f"{date.today().year}-Y", "--out", str(forms))
    assert done.exit_code == 0, done.output
    assert len(list(forms.glob("*.xlsx"))) == 14 + 38


def test_init_refuses_an_unknown_province_in_one_line(tmp_path):
    done = invoke("init", "--province", "Sơn Lâm", "--out", str(tmp_path / "x.yaml"))
    assert done.exit_code == 2
    assert "Lỗi: Không có tỉnh, thành phố nào tên 'Sơn Lâm'. Có phải Tỉnh Sơn La (mã 14)?" in done.output
    assert not (tmp_path / "x.yaml").exists()


def test_a_round_with_the_written_configuration_mails_no_placeholder(prefect_harness, tmp_path):
    """The generated round of a new province: its own forms sent back, run; nothing is queued to the
    placeholders (the officer's included), and the run names the units not mailed."""
    from flows.round import consolidate_round
    from tonghop.reports.form import write_templates
    from tonghop.store import open_db
    from tonghop.mail.outbox import counts

    written = init_province(find_province("Lai Châu"), tmp_path / "lai-chau.yaml", today=date(2026, 3, 1))
    config = load_config(written.config)
    inbox = tmp_path / "inbox"
    write_templates(config, Period.parse("2026-Y"), inbox, ["SYT", f"X{official('12')[0][0]}"])
    out, db_url = tmp_path / "out", f"sqlite:///{tmp_path / 'round.db'}"
    summary = consolidate_round(period="2026-Y", inbox=str(inbox), out=str(out), db_url=db_url,
                                config_path=str(written.config), trigger="test")
    assert sorted(f["unit"] for f in summary["files"]) == sorted(["SYT", f"X{official('12')[0][0]}"])
    assert summary["mail"]["queued"] == 0 and not list((out / "2026-Y" / "mail").glob("*.eml"))
    engine = open_db(db_url)
    assert counts(engine) == {}
    engine.dispose()
    assert summary["mail"]["placeholders"].startswith(
        "Không gửi thư tới địa chỉ email còn để mẫu (chưa điền) của 52 đơn vị: SNV (Sở Nội vụ), STC (Sở Tài chính)")
    assert summary["mail"]["placeholders"].endswith(
        "và 42 đơn vị khác. Không gửi thư tổng hợp và thông báo cần xử lý cho Sở Nội vụ: địa chỉ email của đơn vị "
        "tổng hợp (consolidator) còn để mẫu. Điền địa chỉ thật trong lai-chau.yaml rồi chạy lại.")
    on_disk = json.loads((out / "2026-Y" / "summary.json").read_text(encoding="utf-8"))
    assert on_disk["mail"]["placeholders"] == summary["mail"]["placeholders"]
