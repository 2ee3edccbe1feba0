"""The Word report: its Nghị định 30 layout, its figures against summary.json, last year's comparison, and the PDF
LibreOffice makes of it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml import etree

from tonghop.config import Period, Signature, load_config
from tonghop.numbers import format_vi
from tonghop.reports import dossier
from tonghop.reports.dossier import build_dossier
from tonghop.reports.dossier_text import OFFICER_III, OFFICER_IV
from tonghop.reports.round_data import build_round
from tonghop.store import open_db
from tonghop.statuses import TARGET_STATUS_VI as STATUS_VI

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
# words that would show a template left unfilled or a program's value printed raw
PLACEHOLDERS = ["None", "nan", "{{", "}}", "TODO", "XXX", "Họ và tên", "chưa đối chiếu", "[", "…"]


@pytest.fixture(scope="module")
def rounds(sample_round):
    return sample_round[1]


@pytest.fixture(scope="module")
def next_year(next_year_round):
    return next_year_round


def docx_text(doc) -> str:
    """Every paragraph of the body and of its tables, one a line (cells in order)."""
    lines = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            seen = []
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.append(cell._tc)
                    lines.append(cell.text)
    return "\n".join(lines)


def indicator_rows(doc) -> dict[str, list[str]]:
    """Phụ lục 01's rows by indicator code: the cell texts."""
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Mã")
    return {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]
            if re.fullmatch(r"\d\.\d[ab]?", row.cells[0].text)}


def appendix_headers(doc) -> list[str]:
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Mã")
    return [c.text for c in table.rows[0].cells]


def test_the_report_is_written_beside_the_workbooks(rounds):
    for code in ("2025-H1", "2025-Y"):
        _, paths = rounds[code]
        assert paths["docx"].name == f"bao-cao-son-la-{code}.docx"
        assert paths["docx"].parent == paths["province_xlsx"].parent


def test_page_font_and_margins_follow_decree_30(rounds):
    doc = Document(rounds["2025-Y"][1]["docx"])
    first = doc.sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    assert [round(m / 36000) for m in (first.top_margin, first.bottom_margin, first.left_margin,
                                       first.right_margin)] == [20, 20, 30, 15]
    assert first.different_first_page_header_footer                   # no number on page 1
    assert "PAGE" in first.header._element.xml
    # every appendix page is A4, either way round
    assert [sorted((round(s.page_width.mm), round(s.page_height.mm))) for s in doc.sections] == [[210, 297]] * 4
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size.pt == 14
    declared = {el.get(qn(slot)) for el in doc.element.body.iter(qn("w:rFonts"))
                for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")}
    assert declared == {"Times New Roman"}
    sizes = {r.font.size.pt for p in doc.paragraphs for r in p.runs if r.font.size}
    assert min(sizes) >= 11 and max(sizes) <= 14


def test_the_blocks_of_an_administrative_document(rounds):
    doc = Document(rounds["2025-Y"][1]["docx"])
    text = docx_text(doc)
    for block in ["UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO", "Kết quả thực hiện công tác bình đẳng giới năm 2025",
                  "Kính gửi: Ủy ban nhân dân tỉnh Sơn La.", "I. KẾT QUẢ CÁC HOẠT ĐỘNG BÌNH ĐẲNG GIỚI",
                  "II. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU", "III. ĐÁNH GIÁ CHUNG", "IV. ĐỀ XUẤT, KIẾN NGHỊ",
                  "Nơi nhận:", "- Như trên;", "- Bộ Nội vụ;", "- Lưu: VT.", "GIÁM ĐỐC",
                  "Phụ lục 01", "Phụ lục 02", "Phụ lục 03"]:
        assert block in text, block
    assert re.search(r"^Số: +/BC-SNV$", text, re.M)
    dates = re.findall(r"^Sơn La, (ngày \d\d tháng (?:0[12]|[3-9]|1[0-2]) năm \d{4})$", text, re.M)
    assert len(dates) == 1
    kem_theo = re.findall(r"^\(Kèm theo Báo cáo số +/BC-SNV (.+) của Sở Nội vụ\)$", text, re.M)
    assert kem_theo == dates * 3
    # the officer's two places are marked by Word comments, which do not print
    assert [c.text for c in doc.comments] == [OFFICER_III, OFFICER_IV]
    for word in PLACEHOLDERS:
        assert word not in text, word


def test_every_indicator_as_in_summary_json(rounds):
    for code in ("2025-H1", "2025-Y"):
        summary, paths = rounds[code]
        doc = Document(paths["docx"])
        rows = indicator_rows(doc)
        body = "\n".join(p.text for p in doc.paragraphs)
        assert list(rows) == list(summary)
        config = load_config()
        for ind_code, s in summary.items():
            value = s["value"]
            shown = "" if value is None else ("Có" if value >= 0.5 else "Không") if ind_code in ("4.4", "5.3") \
                else format_vi(value)
            row = rows[ind_code]
            assert row[4] == shown, ind_code                       # no "Năm trước" column in the first year
            assert row[5] == STATUS_VI[s["status"]]
            names = [config.units[u].name for u in s["units"]] + \
                [f"{config.units[u].name} (chưa có số liệu)" for u in s["units_missing"]]
            assert row[6] == "\n".join(names)
            paragraph = next(p for p in body.split("\n") if f"Chỉ tiêu {ind_code}. " in p)
            if value is None:
                assert "chưa có số liệu" in paragraph
            elif shown in ("Có", "Không"):
                assert f"kết quả {shown.lower()}" in paragraph
            else:
                assert f"kết quả {shown}" in paragraph
            for unit in s["units"]:
                assert config.units[unit].name in paragraph


def test_overall_assessment_counts_and_reporting(rounds):
    summary, paths = rounds["2025-Y"]
    doc = Document(paths["docx"])
    body = "\n".join(p.text for p in doc.paragraphs)
    by_status: dict[str, list[str]] = {}
    for code, s in summary.items():
        by_status.setdefault(s["status"], []).append(code)
    assert f"Trong {len(summary)} chỉ tiêu, so với chỉ tiêu cần đạt năm 2025: " \
           f"{len(by_status['achieved'])} chỉ tiêu đạt ({', '.join(by_status['achieved'])}); " \
           f"{len(by_status['not_achieved'])} chỉ tiêu chưa đạt ({', '.join(by_status['not_achieved'])}); " in body
    # the round's one definition of "đã nộp": SNV's file partly accepted counts, STC's rejected one does not
    data = build_round(open_db(f"sqlite:///{paths['docx'].parent.parent / 'tonghop.db'}"), load_config(),
                       Period.parse("2025-Y"))
    comp = data.completeness
    assert f"Có {comp.actual}/{comp.expected} đơn vị đã nộp báo cáo ({format_vi(comp.rate(comp.actual))}%)" in body
    # STC's file rejected row by row, Phù Yên's (X03910) rejected as a whole: both sent a file, neither reported
    assert comp.rejected == ["STC", "X03910"]
    names = {u.unit.code: u.unit.name for u in comp.units}
    assert " Chưa nộp: " + "; ".join(names[c] + (" (tệp đã gửi chưa được chấp nhận)" if c in comp.rejected else "")
                                     for c in comp.missing) + "." in body
    late = [u for u in comp.units if u.on_time is False]
    assert late and all(f"{u.unit.name} (nhận ngày {u.received_local:%d/%m/%Y}, muộn {u.days_late} ngày)" in body
                        for u in late)
    reporting = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] ==
                     ["STT", "Đơn vị", "Ngày nhận", "Tình trạng"])
    states = {row.cells[1].text: row.cells[3].text for row in reporting.rows[1:]}
    assert [states[names[c]] for c in ("STC", "X03910")] == ["Chưa nộp (tệp nhận được bị từ chối)"] * 2
    assert sum(1 for s in states.values() if s == "Đúng hạn") == comp.on_time
    assert len(states) == comp.expected


def test_activities_add_up_only_what_adds_up(rounds):
    doc = Document(rounds["2025-Y"][1]["docx"])
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["STT", "Loại hoạt động"])
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    kinds, total = rows[:-1], rows[-1]
    number = lambda s: float(s.replace(".", "").replace(",", ".")) if s else 0.0   # noqa: E731
    assert total[1] == "Cộng" and total[2] == ""           # meetings, classes and cases are not added together
    for col in (3, 4, 5, 6):
        assert number(total[col]) == pytest.approx(sum(number(r[col]) for r in kinds))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert f"{total[3]} lượt người tham gia (nam {total[4]}, nữ {total[5]}), tổng kinh phí {total[6]} triệu đồng" \
        in body
    for r in kinds:
        assert f"{r[1]}: {r[2]}" in body


def test_a_second_year_shows_last_years_values_and_the_change(rounds, next_year):
    before = rounds["2025-Y"][0]
    summary, paths = next_year
    doc = Document(paths["docx"])
    assert appendix_headers(doc)[4:7] == ["Năm trước\nNăm 2025", "Năm nay\nNăm 2026", "Tăng/giảm"]
    rows = indicator_rows(doc)
    old, new = before["1.1"]["value"], summary["1.1"]["value"]
    assert rows["1.1"][4:7] == [format_vi(old), format_vi(new), format_vi(new - old, signed=True)]
    # 2025's sex ratio of 1,12 is to be checked: shown as such and not used for a change
    assert rows["4.1"][4:7] == [f"{format_vi(before['4.1']['value'])} (cần kiểm tra)",
                                format_vi(summary["4.1"]["value"]), ""]
    # an indicator with no figure this year still shows last year's
    assert rows["2.2"][4:7] == [format_vi(before["2.2"]["value"]), "", ""]
    body = "\n".join(p.text for p in doc.paragraphs)
    assert (f"So với cùng kỳ năm trước (năm 2025: {format_vi(old)}%): tăng {format_vi(new - old)} điểm phần trăm."
            in body)
    assert "chỉ tiêu cần đạt năm 2030: từ 75% trở lên – chưa đạt" in body
    assert f"Cùng kỳ năm trước (năm 2025: {format_vi(before['4.1']['value'])} trên 100) là giá trị cần kiểm tra " \
           f"lại số liệu, không dùng để so sánh." in body


def test_signature_from_configuration(rounds):
    db = rounds["2025-Y"][1]["docx"].parent.parent / "tonghop.db"
    config = load_config()
    data = build_round(open_db(f"sqlite:///{db}"), config, Period.parse("2025-Y"))
    signed = replace(config, document=replace(config.document, signature=Signature(
        authority="KT. GIÁM ĐỐC", title="PHÓ GIÁM ĐỐC", name="Lò Văn Mạnh")))
    cell = build_dossier(replace(data, config=signed)).tables[1].cell(0, 1)
    lines = [p.text for p in cell.paragraphs]
    assert lines == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "", "", "", "", "Lò Văn Mạnh"]
    # no name configured: the title and room for a handwritten name, no placeholder line
    unsigned = replace(config, document=replace(config.document, signature=Signature()))
    unnamed = build_dossier(replace(data, config=unsigned)).tables[1].cell(0, 1)
    assert [p.text for p in unnamed.paragraphs] == ["GIÁM ĐỐC", "", "", "", ""]
    # a province without a `document` section gets parts derived from its own names
    bare = replace(config, document=type(config.document)())
    text = docx_text(build_dossier(replace(data, config=bare)))
    assert "UBND TỈNH SƠN LA" in text and "SỞ NỘI VỤ" in text and "Kính gửi: Ủy ban nhân dân tỉnh Sơn La." in text
    assert re.search(r"^Số: +/BC-SNV$", text, re.M)


# ------------------------------------------------------------------------------------ the PDF LibreOffice makes


def to_pdf(docx: Path, out: Path) -> tuple[str, list[str], list[str]]:
    """(text, page sizes, fonts) of the PDF LibreOffice headless makes of a .docx."""
    if not (SOFFICE and PDFTOTEXT):
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (libreoffice-writer) and pdftotext (poppler-utils) are required in CI: "
                        "scripts/services.sh installs them")
        pytest.skip("LibreOffice or poppler-utils not installed (scripts/services.sh installs them when CI=true)")
    profile = out / "lo-profile"          # a private profile: another LibreOffice running does not block this one
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(docx)], check=True, capture_output=True, timeout=180)
    pdf = out / (docx.stem + ".pdf")
    text = subprocess.run([PDFTOTEXT, str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    sizes = re.findall(r"^Page +\d+ size: +([\d.]+ x [\d.]+) pts", info, re.M)
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    names = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()]
    return text, sizes, names


@pytest.mark.renders
@pytest.mark.parametrize("period", ["2025-Y", "2026-Y"])
def test_pdf_from_libreoffice(rounds, next_year, period, tmp_path):
    summary, paths = rounds[period] if period in rounds else next_year
    text, sizes, fonts = to_pdf(paths["docx"], tmp_path)
    portrait, landscape = "595.304 x 841.89", "841.89 x 595.304"
    assert sizes[0] == portrait and set(sizes) <= {portrait, landscape}
    # Times New Roman itself, or its metric-compatible Liberation Serif where it is not installed; never a
    # fallback face for letters a font lacks (ơ, ư, ạ…), which would show as another typeface
    assert fonts and all(re.fullmatch(r"(TimesNewRoman|LiberationSerif)(PS)?(MT)?(-(Bold|Italic|BoldItalic))?", f)
                         for f in fonts), fonts
    flat = re.sub(r"\s+", " ", text)
    year = Period.parse(period).year
    for block in ["UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "Số: /BC-SNV", "BÁO CÁO", f"Kết quả thực hiện công tác bình đẳng giới năm {year}",
                  "Kính gửi: Ủy ban nhân dân tỉnh Sơn La.", "Nơi nhận:", "- Lưu: VT.", "GIÁM ĐỐC", "Phụ lục 01",
                  "Phụ lục 02", "Phụ lục 03", "(Kèm theo Báo cáo số /BC-SNV ngày"]:
        assert block in flat, block
    for code, s in summary.items():
        if s["value"] is not None and code not in ("4.4", "5.3"):
            assert f"Chỉ tiêu {code}." in flat and f"kết quả {format_vi(s['value'])}" in flat, code
    for word in PLACEHOLDERS + [OFFICER_III, OFFICER_IV]:
        assert word not in flat, word
    if period == "2026-Y":
        assert "Năm trước Năm 2025" in flat and "Năm nay Năm 2026" in flat and "Tăng/giảm" in flat


def test_a_round_with_nothing_received_says_so_instead_of_empty_tables(tmp_path, config):
    engine = open_db(f"sqlite:///{tmp_path / 'empty.db'}")
    data = build_round(engine, config, Period.parse("2026-H1"))
    engine.dispose()
    doc = build_dossier(data)
    text = docx_text(doc)
    # once in section I, once in Phụ lục 02
    assert text.count("Kỳ này chưa có đơn vị nào báo cáo hoạt động (Biểu 02) được chấp nhận.") == 2
    assert not any(t.rows[0].cells[1].text == "Loại hoạt động" for t in doc.tables)
    assert f"Có 0/{len(config.units)} đơn vị đã nộp báo cáo (0%), trong đó không đơn vị nào nộp đúng hạn" in text
    assert all(row[4] == "" and row[5] == "Chưa có số liệu" for code, row in indicator_rows(doc).items()
               if code != "5.4")


# ------------------------------------------------------- the rows written as XML against python-docx's own


def docx_fonts(run_or_style, size=None, bold=None, italic=None):
    """dossier._fonts as it was: python-docx's setters one property at a time (the reference for the fast XML)."""
    f = run_or_style.font
    f.name = "Times New Roman"
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), "Times New Roman")
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic


def docx_cell_text(cell, text, *, size=12, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.LEFT):
    lines = text.split("\n") if text else [""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.paragraph_format.alignment = align
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(1)
        if line:
            docx_fonts(p.add_run(line), size, bold, italic)


def docx_row(t, texts, widths, *, bold=False, centre_from=2, merge=False, left=()):
    """dossier._row as it was: add_row, cell by cell."""
    row = t.add_row()
    e = OxmlElement("w:cantSplit")
    e.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(e)
    if merge:
        cell = row.cells[0].merge(row.cells[-1])
        docx_cell_text(cell, texts[0], size=12, bold=True)
        return
    for i, (cell, text) in enumerate(zip(row.cells, texts)):
        cell.width = Cm(widths[i])
        centred = (i == 0 or i >= centre_from) and i not in left
        align = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
        docx_cell_text(cell, text, size=12, bold=bold, align=align)
    return row


def docx_unit_rows(t, number, name, kinds, widths):
    """Phụ lục 02's rows of a unit as they were: its kinds' rows, then python-docx's merge down columns 0 and 1."""
    rows = [docx_row(t, ["", "", *texts], widths, centre_from=3) for texts in kinds]
    for col, text, align in ((0, str(number), WD_ALIGN_PARAGRAPH.CENTER), (1, name, WD_ALIGN_PARAGRAPH.LEFT)):
        cell = rows[0].cells[col].merge(rows[-1].cells[col]) if len(rows) > 1 else rows[0].cells[col]
        for extra in cell.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        docx_cell_text(cell, text, size=12, align=align)


def body_rows(table) -> list[bytes]:
    return [etree.tostring(tr) for tr in table._tbl.tr_lst[1:]]


def test_fast_rows_are_the_xml_python_docx_writes():
    widths = [1.3, 6.0, 3.0, 2.6]
    rows = [(["1", "Sở Nội vụ", "12", "3,5"], {}),                                     # plain
            (["", "Cộng", "1.234", ""], {"bold": True}),                               # bold, empty cells
            (["1.1", "một\nhai\n\nbốn", "x", "Sở Y tế\nSở Nội vụ"], {"left": (3,)}),     # lines, left
            (["2", " lề trái ", "A & B <c>", "cột\tthẻ\rdòng"], {"centre_from": 1}),    # centred, blanks, escapes
            (["Mục tiêu 1: Lĩnh vực chính trị"], {"merge": True}),                      # one cell across
            (["3", "ít ô"], {})]                                                        # fewer texts than columns
    kinds = [["Truyền thông", "11 hoạt động", "759", "367", "392", "45,3"], ["Tập huấn", "1 lớp", "", "", "", ""],
             ["Thanh tra, kiểm tra", "1 cuộc", "", "", "", "4,5"]]
    unit_widths = [1.3, 4.0, 3.0, 2.0, 2.0, 1.5, 1.5, 2.0]
    tables = []
    for row, unit_rows in ((docx_row, docx_unit_rows), (dossier._row, dossier._unit_rows)):
        doc = Document()
        t = dossier._table(doc, ["STT", "Tên", "Số", "Ghi chú"], widths)
        for texts, options in rows:
            row(t, texts, widths, **options)
        u = dossier._table(doc, [str(i) for i in range(8)], unit_widths)
        unit_rows(u, 1, "Sở Nội vụ", kinds, unit_widths)                      # merged down three rows
        unit_rows(u, 2, "Xã Chiềng Sinh", kinds[:1], unit_widths)             # one row: nothing merged
        unit_rows(u, 3, "Xã Mường Bú\n(sáp nhập)", kinds[1:], unit_widths)    # two lines in a merged cell
        tables.append((body_rows(t), body_rows(u)))
    (old, old_units), (new, new_units) = tables
    assert len(new) == len(rows) and len(new_units) == 6
    for before, after in zip(old + old_units, new + new_units):
        assert after == before
    assert b'w:vMerge w:val="restart"' in new_units[0] and b"<w:vMerge/>" in new_units[2]


@pytest.mark.parametrize("period", ["2025-Y", "2026-Y"])
def test_the_dossier_is_the_one_python_docx_built(rounds, next_year, period, monkeypatch):
    """The whole document, its tables' rows as XML in one go, equals what python-docx's setters made of it."""
    docx = (rounds[period] if period in rounds else next_year)[1]["docx"]
    engine = open_db(f"sqlite:///{docx.parent.parent / 'tonghop.db'}")
    data = build_round(engine, load_config(), Period.parse(period))
    engine.dispose()
    fast = build_dossier(data)
    for name, reference in (("_fonts", docx_fonts), ("_row", docx_row), ("_unit_rows", docx_unit_rows)):
        monkeypatch.setattr(dossier, name, reference)
    slow = build_dossier(data)
    assert etree.tostring(fast.element.body) == etree.tostring(slow.element.body)
    assert etree.tostring(fast.sections[0].header._element) == etree.tostring(slow.sections[0].header._element)
    if period == "2025-Y":                     # a unit with several kinds of activity: cells merged down
        assert b"w:vMerge" in etree.tostring(fast.element.body)


def test_the_saved_dossier_is_the_built_one_with_its_rows_written_at_save(rounds, tmp_path):
    """write_dossier keeps the tables' rows as text until it saves (docx_xml.LaterRows): every part of the file is
    the one python-docx saves of the document built whole."""
    import zipfile

    from tonghop.reports.dossier import write_dossier

    docx = rounds["2025-Y"][1]["docx"]
    engine = open_db(f"sqlite:///{docx.parent.parent / 'tonghop.db'}")
    data = build_round(engine, load_config(), Period.parse("2025-Y"))
    engine.dispose()
    write_dossier(data, tmp_path / "later.docx")
    build_dossier(data).save(str(tmp_path / "whole.docx"))
    later, whole = zipfile.ZipFile(tmp_path / "later.docx"), zipfile.ZipFile(tmp_path / "whole.docx")
    assert later.namelist() == whole.namelist()
    # each build stamps its margin comments with the time it was made (w:date): two builds may straddle a second
    def part(archive, name):
        return re.sub(rb' w:date="[^"]*"', b"", archive.read(name))

    assert [name for name in whole.namelist() if part(later, name) != part(whole, name)] == []
    assert b"tonghop-rows" not in later.read("word/document.xml")
    assert later.read("word/document.xml").count(b"<w:tr>") > 30
