"""Each unit gets its own form by e-mail at the start of the round, once, byte-identical, over real SMTP."""
from __future__ import annotations

from tonghop.config import Period
from tonghop.reports.form import write_templates
from tonghop.mail.queue import queue_templates
from tonghop.mail.send import deliver_pending
from tonghop.mail.settings import SmtpSettings
from tonghop.store import open_db


def test_templates_mailed_once_to_each_unit(db_url, config, server, tmp_path):
    collector, port = server
    period = Period.parse("2026-Y")
    paths = write_templates(config, period, tmp_path / "tpl")
    engine = open_db(db_url)
    templates = {p.name.rsplit("-2026-Y", 1)[0]: p for p in paths}
    settings = SmtpSettings(host="127.0.0.1", port=port, security="none", user=None, password=None, timeout=5)
    assert queue_templates(engine, config, period, templates) == len(config.units)
    assert deliver_pending(engine, settings, tmp_path / "eml").sent == len(config.units)
    by_rcpt = {a.rcpt_tos[0]: a.message for a in collector.arrived}
    assert sorted(by_rcpt) == sorted(u.emails[0] for u in config.units.values())
    syt = by_rcpt["syt@sonla.gov.vn"]
    assert syt["Subject"] == "[Sơn La] Biểu mẫu báo cáo bình đẳng giới Năm 2026 – Sở Y tế (hạn 25/11/2026)"
    assert "4.1. Tỷ số giới tính khi sinh" in syt.get_body(("plain",)).get_content()
    [attachment] = list(syt.iter_attachments())
    assert attachment.get_filename() == "SYT-2026-Y.xlsx"
    assert attachment.get_content() == templates["SYT"].read_bytes()
    # a second start-of-round command sends nothing new
    assert queue_templates(engine, config, period, templates) == 0
    assert deliver_pending(engine, settings, tmp_path / "eml").sent == 0
    assert len(collector.arrived) == len(config.units)
    engine.dispose()
