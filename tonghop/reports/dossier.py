"""The provincial report as a Word document laid out per Nghị định 30/2020/NĐ-CP, with its numbered appendices."""
from __future__ import annotations

from pathlib import Path

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.run import CT_R
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tonghop.consolidate.completeness import DEFINITION_VI
from tonghop.config import Document as DocumentConfig
from tonghop.consolidate.merge import FEMALE, MALE
from tonghop.numbers import format_vi
from tonghop.consolidate.outlook import METHOD_VI
from tonghop.reports.dossier_text import (COUNT_WORD, Block, body, cell_value, change_cell, date_vi, has_comparison,
                                          lower_first, note_text, previous_cell, target_cell,
                                          baseline_cell)
from tonghop.reports.baseline import baseline_header, history_note
from tonghop.reports.docx_xml import (FONT, append_rows, row_cells, rows_at_save, run_properties_element,
                                      span_down)
from tonghop.reports.round_data import MERGE_VI, RoundData
from tonghop.statuses import TARGET_STATUS_VI

BODY_PT = 14
# Nghị định 30, Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
A4_MM = (210, 297)
AUTHOR = "tonghop"


def defaults(data: RoundData) -> DocumentConfig:
    """The configured document parts, each empty one derived from the province (ProvinceConfig.document_info)."""
    return data.config.document_info()


# ------------------------------------------------------------------------------------------- low-level parts


def _fonts(run_or_style, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    """Times New Roman for every script slot (Word picks eastAsia/cs for some Vietnamese letters otherwise)."""
    if isinstance(run_or_style.element, CT_R) and run_or_style.element.rPr is None:
        # a new run: the same w:rPr as below, copied whole instead of built one property at a time
        run_or_style.element.insert(0, run_properties_element(size, bold, italic))
        return
    f = run_or_style.font
    f.name = FONT
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic


def _para(container, text: str = "", *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
          align=WD_ALIGN_PARAGRAPH.CENTER, before: float = 0, after: float = 0, indent: bool = False) -> Paragraph:
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.first_line_indent = Cm(1.27) if indent else None
    if text:
        _fonts(p.add_run(text), size, bold, italic)
    return p


def _text_width_cm(text: str, size: float, bold: bool) -> float:
    """Rough printed width of a line in Times New Roman: enough to size the short rules under the headings."""
    em = sum(0.25 if c == " " else 0.72 if c.isupper() else 0.33 if c in "-.,:" else 0.5 for c in text)
    return em * size * (1.06 if bold else 1.0) / 28.35


def _rule_under(container, line_cm: float, room_cm: float) -> Paragraph:
    """A solid line line_cm long centred in room_cm, under the last paragraph: the bottom border of an empty
    2 pt paragraph narrowed by equal indents (Word and LibreOffice both draw it; no floating shape to drift)."""
    side = max((room_cm - line_cm) / 2, 0)
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.left_indent, fmt.right_indent = Cm(side), Cm(side)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.insert(0, borders) if ppr.find(qn("w:pStyle")) is None else ppr.find(qn("w:pStyle")).addnext(borders)
    return p


def _no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tblpr.append(borders)


def _widths(table: Table, widths_cm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(Cm(w).twips)))


def _cell_text(cell: _Cell, text: str, *, size: float = 12, bold: bool = False, italic: bool = False,
               align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    """A table cell's text (lines split on \\n into paragraphs), replacing the empty first paragraph."""
    lines = text.split("\n") if text else [""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.paragraph_format.alignment = align
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(1)
        if line:
            _fonts(p.add_run(line), size, bold, italic)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    e = OxmlElement("w:tblHeader")
    e.set(qn("w:val"), "true")
    trpr.append(e)


def _keep_row(row) -> None:
    """A row never split across pages (an indicator's name and its value stay together)."""
    e = OxmlElement("w:cantSplit")
    e.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(e)


def _page_number_header(section) -> None:
    """Page numbers centred at the top from page 2 (Nghị định 30): the first page's header stays empty."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _fonts(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            e = OxmlElement("w:fldChar")
            e.set(qn("w:fldCharType"), kind)
        else:
            e = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
            e.set(qn("xml:space"), "preserve")
            e.text = text
        run._r.append(e)


def _page(section, landscape: bool) -> None:
    w, h = A4_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(h), Mm(w)) if landscape else (Mm(w), Mm(h))
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)


def _usable_cm(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 360000


# ------------------------------------------------------------------------------------------------ the parts


def heading_block(doc: Document, data: RoundData, parts: DocumentConfig) -> None:
    """Issuing body and number on the left, national motto and place/date on the right, with their rules."""
    left_w, right_w = 6.3, _usable_cm(doc.sections[0]) - 6.3
    t = doc.add_table(rows=2, cols=2)
    _no_borders(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(t, [left_w, right_w])
    left, right = t.cell(0, 0), t.cell(0, 1)
    _cell_text(left, parts.parent_body, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(left, parts.issuing_body, size=13, bold=True)
    width = max(_text_width_cm(parts.issuing_body, 13, True), _text_width_cm(parts.parent_body, 13, False))
    _rule_under(left, width * 0.45, left_w)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    motto = "Độc lập - Tự do - Hạnh phúc"
    _para(right, motto, size=13, bold=True)
    _rule_under(right, _text_width_cm(motto, 13, True), right_w)
    # "Số:" with room for the clerk's number (registered when signed), not a placeholder word
    _cell_text(t.cell(1, 0), f"Số:{' ' * 12}/{parts.symbol}", size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _cell_text(t.cell(1, 1), f"{parts.place}, {date_vi(data.generated_at.date())}", size=14, italic=True,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    for cell in (t.cell(1, 0), t.cell(1, 1)):
        cell.paragraphs[0].paragraph_format.space_before = Pt(8)


def title_block(doc: Document, data: RoundData, parts: DocumentConfig) -> None:
    _para(doc, "BÁO CÁO", size=14, bold=True, before=18)
    summary = f"Kết quả thực hiện công tác bình đẳng giới {lower_first(data.period.vi)}"
    _para(doc, summary, size=14, bold=True)
    _rule_under(doc, _text_width_cm(summary, 14, True) / 3, _usable_cm(doc.sections[0]))
    if len(parts.addressees) == 1:
        _para(doc, f"Kính gửi: {parts.addressees[0]}.", before=12, after=12)
    else:
        _para(doc, "Kính gửi:", before=12)
        for i, a in enumerate(parts.addressees):
            last = i == len(parts.addressees) - 1
            _para(doc, f"- {a}{'.' if last else ';'}", align=WD_ALIGN_PARAGRAPH.LEFT, after=12 if last else 0) \
                .paragraph_format.left_indent = Cm(5)


def body_blocks(doc: Document, blocks: list[Block]) -> None:
    for b in blocks:
        if b.kind == "heading":
            p = _para(doc, b.text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6, after=6, indent=True)
            p.paragraph_format.keep_with_next = True
        elif b.kind == "officer":
            # the officer's place: an empty paragraph with a Word comment beside it (comments do not print)
            p = _para(doc, "", align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, indent=True)
            run = p.add_run(" ")
            _fonts(run, BODY_PT)
            doc.add_comment(run, text=b.note, author=AUTHOR, initials="TH")
            _para(doc, "", align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, indent=True)
        else:
            p = _para(doc, b.text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, indent=True)
        p.paragraph_format.line_spacing = 1.15


def signature_block(doc: Document, parts: DocumentConfig) -> None:
    """Nơi nhận at the bottom left, the signer at the bottom right (name only when configured)."""
    usable = _usable_cm(doc.sections[0])
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    _widths(t, [usable * 0.5, usable * 0.5])
    left, right = t.cell(0, 0), t.cell(0, 1)
    _cell_text(left, "Nơi nhận:", size=12, bold=True, italic=True)
    items = [f"- {c};" for c in parts.copies] + [f"- Lưu: {parts.archive}."]
    for item in items:
        p = _para(left, item, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
        p.paragraph_format.space_after = Pt(0)
    sig = parts.signature
    lines = [sig.authority.strip(), sig.title.strip()]
    lines = [x for x in lines if x]
    _cell_text(right, lines[0] if lines else "", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in lines[1:]:
        _para(right, line, size=14, bold=True)
    for _ in range(4):            # room for the signature and the seal
        _para(right, "", size=14)
    if sig.name.strip():
        _para(right, sig.name.strip(), size=14, bold=True)
    for cell in t.rows[0].cells:
        cell.paragraphs[0].paragraph_format.space_before = Pt(12)
    _keep_row(t.rows[0])


def _appendix_section(doc: Document, number: int, title: str, data: RoundData, parts: DocumentConfig,
                      landscape: bool = True):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape)
    section.different_first_page_header_footer = False
    _para(doc, f"Phụ lục {number:02d}", size=14, bold=True)
    _para(doc, f"(Kèm theo Báo cáo số{' ' * 10}/{parts.symbol} {date_vi(data.generated_at.date())} "
               f"của {data.config.consolidator_name})", size=13, italic=True, after=6)
    for line in title.split("\n"):
        _para(doc, line, size=14, bold=True)
    _para(doc, "", size=6, after=4)
    return section


def _table(doc: Document, headers: list[str], widths: list[float]) -> Table:
    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, h in zip(t.rows[0].cells, headers):
        _cell_text(cell, h, size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(t.rows[0])
    _widths(t, widths)
    return t


def _row(t: Table, texts: list[str], widths: list[float], *, bold: bool = False, centre_from: int = 2,
         merge: bool = False, left: tuple[int, ...] = ()) -> None:
    centred = {i for i in range(len(widths)) if (i == 0 or i >= centre_from) and i not in left}
    append_rows(t._tbl, [row_cells(texts, widths, bold=bold, centred=centred, span=merge)])


def _unit_rows(t: Table, number: int, name: str, kinds: list[list[str]], widths: list[float]) -> None:
    """A unit's rows, one per activity kind, its number and name once, in cells spanning them."""
    rows = [row_cells(["", "", *texts], widths, centred={0, *range(3, len(widths))}) for texts in kinds]
    span_down(rows, 0, str(number), widths, "center")
    span_down(rows, 1, name, widths, "left")
    append_rows(t._tbl, rows)


def appendix_indicators(doc: Document, data: RoundData, parts: DocumentConfig) -> None:
    section = _appendix_section(doc, 1, "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA CHIẾN LƯỢC QUỐC GIA VỀ BÌNH ĐẲNG GIỚI\n"
                                        f"{data.period.vi.upper()}", data, parts)
    compare = has_comparison(data)
    this, before = data.period.vi, data.period.year_earlier.vi
    milestone = next((r.target[0] for r in data.results.values() if r.target), data.period.year)
    headers = ["Mã", "Chỉ tiêu", "Đơn vị tính", f"Chỉ tiêu cần đạt năm {milestone}"]
    base = data.shows_baseline
    headers += [baseline_header(data)] if base else []
    headers += [f"Năm trước\n{before}", f"Năm nay\n{this}", "Tăng/giảm"] if compare else [f"Kết quả\n{this}"]
    headers += ["Đánh giá", "Đơn vị cung cấp số liệu"]
    usable = _usable_cm(section)
    fixed = [1.2, 0, 2.2, 2.0] + ([2.2] if base else []) + ([2.2, 2.2, 1.7] if compare else [2.5]) \
        + [2.2, 4.2]   # "trên 100.000" on one line
    fixed[1] = usable - sum(fixed)
    t = _table(doc, headers, fixed)
    notes: list[str] = []
    for goal, items in data.by_goal().items():
        if not items:
            continue
        _row(t, [f"Mục tiêu {goal}: {data.catalogue.goals[goal].vi}"], fixed, merge=True)
        for r in items:
            ind = r.ind
            sources = [data.unit_name(u) for u in r.merged.units]
            sources += [f"{data.unit_name(u)} (chưa có số liệu)" for u in r.merged.units_missing]
            values = [previous_cell(r), cell_value(ind, r.value), change_cell(r)] if compare \
                else [cell_value(ind, r.value)]
            values = ([baseline_cell(r)] if base else []) + values
            unit = "có/không" if ind.is_boolean else ind.unit.vi
            _row(t, [ind.code, ind.vi, unit, target_cell(ind, data.period.year), *values,
                     TARGET_STATUS_VI[r.status], "\n".join(sources)], fixed, left=(len(fixed) - 1,))
            for sex in (MALE, FEMALE):
                cell = r.merged.cells.get(sex)
                if cell is None:
                    continue
                # earlier periods are kept as Tổng values only: the sex rows have no "Năm trước"
                values = ["", cell_value(ind, cell.value), ""] if compare else [cell_value(ind, cell.value)]
                values = ([""] if base else []) + values
                _row(t, ["", f"- {sex}", unit, "", *values, TARGET_STATUS_VI[r.sex_status.get(sex)] if cell.value is not None
                         else TARGET_STATUS_VI["no_data"], ""], fixed)
            notes += [f"Chỉ tiêu {ind.code}: {note_text(data, n)}." for n in r.notes]
    _para(doc, "Ghi chú:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=8)
    lines = notes + [
        f"Tăng/giảm: kết quả {lower_first(this)} trừ kết quả cùng kỳ năm trước ({lower_first(before)}); "
        f"với chỉ tiêu tính bằng % là điểm phần trăm." if compare else
        f"Chưa có số liệu cùng kỳ năm trước ({lower_first(before)}) để so sánh.",
        *history_note(data), "Cách tính: " + MERGE_VI, METHOD_VI]
    for line in lines:
        _para(doc, f"- {line}", size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=2)


def appendix_activities(doc: Document, data: RoundData, parts: DocumentConfig) -> None:
    section = _appendix_section(doc, 2, f"KẾT QUẢ CÁC HOẠT ĐỘNG BÌNH ĐẲNG GIỚI (BIỂU 02)\n"
                                        f"{data.period.vi.upper()}", data, parts)
    acts = data.activities
    usable = _usable_cm(section)
    headers = ["STT", "Loại hoạt động", "Số lượng", "Số lượt người tham gia", "Nam", "Nữ", "Kinh phí (triệu đồng)",
               "Số đơn vị thực hiện"]
    widths = [1.3, 0, 3.0, 3.2, 2.6, 2.6, 3.0, 2.6]
    widths[1] = usable - sum(widths)
    if not any(t.rows for t in acts.by_kind.values()):
        _para(doc, "Kỳ này chưa có đơn vị nào báo cáo hoạt động (Biểu 02) được chấp nhận.",
              align=WD_ALIGN_PARAGRAPH.LEFT)
        return
    _para(doc, "1. Theo loại hoạt động", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=4)
    t = _table(doc, headers, widths)
    n = 0
    for code, tot in acts.by_kind.items():
        if not tot.rows:
            continue
        n += 1
        name = data.catalogue.activities[code].vi if code in data.catalogue.activities else code
        count = f"{format_vi(tot.count)} {COUNT_WORD.get(code, '')}".strip() if tot.count is not None else ""
        _row(t, [str(n), name, count, format_vi(tot.participants), format_vi(tot.men), format_vi(tot.women),
                 format_vi(tot.budget, 1), format_vi(len(tot.units))], widths)
    tot = acts.total
    # counts of different kinds (meetings, classes, cases) do not add up: the total row leaves them out
    _row(t, ["", "Cộng", "", format_vi(tot.participants), format_vi(tot.men), format_vi(tot.women),
             format_vi(tot.budget, 1), format_vi(len(tot.units))], widths, bold=True)
    _para(doc, "2. Theo đơn vị", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=10, after=4)
    headers = ["STT", "Đơn vị", "Loại hoạt động", "Số lượng", "Số lượt người tham gia", "Nam", "Nữ",
               "Kinh phí (triệu đồng)"]
    widths = [1.3, 0, 5.0, 2.8, 3.0, 2.4, 2.4, 2.8]
    widths[1] = usable - sum(widths)
    t = _table(doc, headers, widths)
    for i, (unit, kinds) in enumerate(acts.by_unit.items(), start=1):
        rows = []
        for code, k in kinds.items():
            name = data.catalogue.activities[code].vi if code in data.catalogue.activities else code
            count = f"{format_vi(k.count)} {COUNT_WORD.get(code, '')}".strip() if k.count is not None else ""
            rows.append([name, count, format_vi(k.participants), format_vi(k.men), format_vi(k.women),
                         format_vi(k.budget, 1)])
        _unit_rows(t, i, data.unit_name(unit), rows, widths)


def appendix_reporting(doc: Document, data: RoundData, parts: DocumentConfig) -> None:
    comp = data.completeness
    section = _appendix_section(doc, 3, f"TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ\n{data.period.vi.upper()}", data, parts,
                                landscape=False)
    usable = _usable_cm(section)
    widths = [1.3, 0, 3.4, 4.0]
    widths[1] = usable - sum(widths)
    t = _table(doc, ["STT", "Đơn vị", "Ngày nhận", "Tình trạng"], widths)
    for i, u in enumerate(comp.units, start=1):
        received = u.received_local.strftime("%d/%m/%Y") if u.received_local else ""
        if not u.reported:
            state = "Chưa nộp" + (" (tệp nhận được bị từ chối)" if u.unit.code in comp.rejected else "")
        elif u.on_time:
            state = "Đúng hạn"
        else:
            state = f"Muộn {u.days_late} ngày"
        _row(t, [str(i), u.unit.name, received, state], widths)
    _para(doc, f"Hạn nộp: hết ngày {comp.deadline.strftime('%d/%m/%Y')}. Đã nộp {comp.actual}/{comp.expected} đơn vị, "
               f"đúng hạn {comp.on_time} đơn vị. {DEFINITION_VI}", size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
          before=8)


def build_dossier(data: RoundData) -> Document:
    parts = defaults(data)
    doc = new_document()
    _fonts(doc.styles["Normal"], BODY_PT)
    section = doc.sections[0]
    _page(section, landscape=False)
    _page_number_header(section)
    heading_block(doc, data, parts)
    title_block(doc, data, parts)
    body_blocks(doc, body(data))
    signature_block(doc, parts)
    appendix_indicators(doc, data, parts)
    appendix_activities(doc, data, parts)
    appendix_reporting(doc, data, parts)
    props = doc.core_properties
    props.title = f"Báo cáo kết quả thực hiện công tác bình đẳng giới {lower_first(data.period.vi)}"
    props.author = data.config.consolidator_name
    props.language = "vi-VN"
    return doc


def write_dossier(data: RoundData, path: Path) -> Path:
    """The Word report of the round (bao-cao-<tỉnh>-<kỳ>.docx): build_dossier's document, its tables' rows kept
    as text until it is saved (docx_xml.LaterRows)."""
    with rows_at_save() as rows:
        doc = build_dossier(data)
    rows.save(doc, path)
    return path

