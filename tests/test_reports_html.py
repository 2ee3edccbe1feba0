"""The round's HTML page: its tables and charts as parsed HTML, and as Chromium actually draws it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

import sample_answer
from tonghop.config import load_config

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def out(sample_round):
    return sample_round[1]


class Page(HTMLParser):
    """Cells of the key table by (code, sex), rows of the completeness table, and the page's tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[dict] = []
        self.key_rows: dict[tuple[str, str], list[str]] = {}
        self.unit_rows: dict[str, list[str]] = {}
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.attrs.append(a)
        if tag == "tr" and "data-code" in a:
            self._row = self.key_rows.setdefault((a["data-code"], a["data-sex"]), [])
        elif tag == "tr" and "data-unit" in a:
            self._row = self.unit_rows.setdefault(a["data-unit"], [])
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_key_table_shows_values_targets_status_and_units(out):
    page = parse(out["2025-Y"][1]["html"])
    # columns: code, name, value, unit, numerator, denominator, target, status, verdict, units, missing
    picked = {k: [v[2], v[4], v[5], v[6], v[7], v[8], v[9], v[10]] for k, v in page.key_rows.items()
              if k[0] in ("1.1", "2.1", "2.2", "3.2b", "4.4", "5.1", "5.4")}
    assert picked == {
        ("1.1", "Tổng"): ["50,53", "48", "95", "≥ 60", "Chưa đạt", "Chưa đủ số liệu", "SNV", ""],
        ("2.1", "Tổng"): ["", "", "", "≥ 50", "Chưa có số liệu", "Chưa đủ số liệu", "", "SNV"],
        ("2.2", "Tổng"): ["70,6", "248.500", "352.000", "< 30", "Chưa đạt", "Chưa đủ số liệu", "SNV", ""],
        ("3.2b", "Tổng"): ["58,64", "112", "191", "≥ 50", "Đạt", "Chưa đủ số liệu", "SNV, SVHTTDL", ""],
        ("4.4", "Tổng"): ["Có", "", "", "Có", "Đạt", "Đúng hướng", "SYT", ""],
        ("5.1", "Tổng"): ["", "", "", "≥ 90", "Chưa có số liệu", "Chưa đủ số liệu", "", "SGDDT"],
        ("5.1", "Nam"): ["", "", "", "≥ 90", "Chưa có số liệu", "", "", ""],
        ("5.1", "Nữ"): ["", "", "", "≥ 90", "Chưa có số liệu", "", "", ""],
        ("5.4", "Tổng"): ["41,62", "6.160", "14.800", "", "", "", "SNV, SGDDT", ""],
    }
    assert len(page.key_rows) == 22
    assert "Giá trị 1,12 ngoài khoảng thường gặp" in page.key_rows[("4.1", "Tổng")][1]



def test_next_year_page_compares_with_last_year_and_never_builds_on_a_value_to_check(next_year_round):
    page = parse(next_year_round[1]["html"])
    # verdict cell: verdict, projection, change since the same period a year earlier (lines run together here)
    assert page.key_rows[("1.1", "Tổng")][8] == "Có nguy cơdự báo 61,05so với Năm 2025: +2,11"
    assert page.key_rows[("4.1", "Tổng")][8] == "Chưa đủ số liệu"
    assert page.key_rows[("4.1", "Tổng")][1] == (
        "Tỷ số giới tính khi sinhGiá trị Năm 2025 (1,12) cần kiểm tra số liệu: không dùng để tính thay đổi và dự báo")


def test_status_cards_count_every_indicator(out):
    html = out["2025-Y"][1]["html"].read_text(encoding="utf-8")
    cards = {k: int(v) for k, v in re.findall(r'<div class="card (\w+)"><b>(\d+)</b>chỉ tiêu', html)}
    # 5.4 has no target in the catalogue: its own card, so the cards add up to the 20 indicators
    assert cards == {"achieved": 7, "not_achieved": 7, "no_data": 4, "to_check": 1, "no_target": 1}

def test_completeness_table_and_charts(out):
    page = parse(out["2025-Y"][1]["html"])
    answers = sample_answer.units(load_config(), "2025-Y")
    verdict = {"accepted": "Được chấp nhận", "partially_accepted": "Được chấp nhận một phần",
               "rejected": "Bị từ chối", None: ""}            # a unit that sent nothing: no verdict
    assert {u: (r[3], r[4]) for u, r in page.unit_rows.items() if r[3] != "Đúng hạn"} == {
        a.code: (f"Trễ {a.days_late} ngày" if a.days_late else "Chưa nộp", verdict[a.status])
        for a in answers if not a.on_time}
    assert {u: (r[3], r[4]) for u, r in page.unit_rows.items()}["MTTQ"] == ("Trễ 1 ngày", "Được chấp nhận một phần")
    assert len(page.unit_rows) == len(answers) == 89
    # the completeness bar's legend names every segment with its count, on its own line
    html = out["2025-Y"][1]["html"].read_text(encoding="utf-8")
    bar = html.split("<h2>Tình hình nộp báo cáo</h2>")[1].split("</svg>")[0]
    on_time, done = sum(bool(a.on_time) for a in answers), sum(a.reported for a in answers)
    assert re.findall(r'class="note">([^<]+)<', bar) == [
        f"đúng hạn: {on_time}", f"trễ hạn: {done - on_time}", f"chưa nộp: {len(answers) - done}"]
    svgs = [a for t, a in zip(page.tags, page.attrs) if t == "svg"]
    assert len(svgs) == 7                                  # one per goal, one for completeness
    # each goal chart has one row per indicator: goal 3 has five, with four bars (3.3 has no data)
    html = out["2025-Y"][1]["html"].read_text(encoding="utf-8")
    goal3 = html.split("Mục tiêu 3. ")[2].split("</svg>")[0]
    assert re.findall(r'class="code">([^<]+)<', goal3) == ["3.1", "3.2a", "3.2b", "3.3", "3.4"]
    assert len(re.findall(r'fill="#(?:2E7D32|C62828)"', goal3)) == 4


def test_page_is_self_contained(out):
    html = out["2025-Y"][1]["html"].read_text(encoding="utf-8")
    assert "<script" not in html
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []
    assert html.startswith("<!doctype html>") and 'lang="vi"' in html and 'charset="utf-8"' in html


@pytest.mark.renders
def test_screenshot_in_headless_chromium(out, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI for the screenshot test")
        pytest.skip("chromium not installed")
    from PIL import Image

    shot = tmp_path / "trang.png"
    page = out["2025-Y"][1]["html"]
    run = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                          "--window-size=1280,2000", page.resolve().as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert shot.exists(), run.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2000)
    colours = image.getcolors(maxcolors=1 << 24)
    assert len(colours) > 200                             # text, fills and bars, not a blank page
    counts = {c: n for n, c in colours}
    white = counts.get((255, 255, 255), 0)
    assert white < 0.9 * 1280 * 2000
    # the status colours are drawn: "Đạt" green, "Chưa đạt" red, "Chưa có số liệu" grey
    assert all(counts.get(c, 0) > 1000 for c in [(0xC6, 0xEF, 0xCE), (0xFF, 0xC7, 0xCE), (0xE7, 0xE6, 0xE6)])


def test_goal_charts_start_at_zero_show_which_side_of_the_target_meets_it_and_leave_out_values_to_check(out):
    html = out["2025-Y"][1]["html"].read_text(encoding="utf-8")
    charts = {g: html.split(f"<h3>Mục tiêu {g}. ")[1].split("</svg>")[0] for g in "1234"}

    def row(goal, code):
        svg = charts[goal]
        return svg.split(f'class="code">{code}<')[1].split('class="code">')[0]

    def meets(goal, code):
        x, w = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="18" fill="#A5D6A7"',
                         row(goal, code)).groups()
        return float(x), float(x) + float(w)

    left, right = 64.0, 64.0 + 380
    assert meets("1", "1.1") == (pytest.approx(left + 0.60 * 380), pytest.approx(right))     # ≥ 60: 60 → 100
    assert meets("2", "2.2") == (pytest.approx(left), pytest.approx(left + 0.30 * 380))      # < 30: 0 → 30
    assert re.findall(r'class="axis">([^<]+)<', row("2", "2.2")) == ["0", "100 %"]
    # 4.1 = 1,12 (112 typed as a fraction): named, not drawn; 4.2 on its own axis in its own unit
    assert not re.search(r'height="8" fill=', row("4", "4.1"))
    assert "1,12 cần kiểm tra, không vẽ · cần đạt ≤ 111" in row("4", "4.1")
    assert re.findall(r'class="axis">([^<]+)<', row("4", "4.2")) == ["0", "100 trên 100.000"]
    assert "44,8 trên 100.000 · cần đạt ≤ 42" in row("4", "4.2")


def test_the_officers_check_list_names_each_wording_not_yet_compared_with_the_resolution(out):
    from schemas.catalogue import load_catalogue

    html = out["2025-Y"][1]["html"].read_text(encoding="utf-8")
    section = html.split('id="can-doi-chieu"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-check="([^"]+)"><td class="code">[^<]+</td><td>([^<]+)</td><td>([^<]+)</td>', section)
    unconfirmed = [i for i in load_catalogue().indicators.values() if not i.confirmed]
    assert rows == [(i.code, i.vi, i.check) for i in unconfirmed]
    assert [c for c, _, _ in rows] == ["5.1", "5.2a", "5.2b", "5.3", "5.4", "6.2"]
    # the key table links to it instead of marking names "(chưa đối chiếu)"
    assert "(chưa đối chiếu)" not in html and html.count('href="#can-doi-chieu"') == 6
