"""The quick count of plainly written sheets (tonghop.intake.fastscan) answers exactly what the expat scan answers."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tonghop.intake import container, xml_scan
from tonghop.intake.container import Refused, inspect_workbook
from tonghop_dev.hostile.corpus import CASES, GOOD, make_corpus, raw_zip, sheet_xml, sst_xml, xlsx_parts

ROOT = Path(__file__).resolve().parent.parent


def answer(data: bytes, monkeypatch: pytest.MonkeyPatch, fast: bool) -> object:
    """What inspect_workbook says of `data`, by one road: the Inspection, or the refusal's code and words."""
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(xml_scan, "FAST_PART_BYTES", -1)
        try:
            return inspect_workbook(data)
        except Refused as exc:
            return ("refused", exc.code, exc.detail)


def quick_parts(data: bytes, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many sheets of `data` the quick count took."""
    taken = []
    real = xml_scan.XmlScanner._plain_sheet

    def spy(self, name, part):
        taken.append(real(self, name, part))
        return taken[-1]
    with monkeypatch.context() as m:
        m.setattr(xml_scan.XmlScanner, "_plain_sheet", spy)
        answer(data, m, True)
    return sum(taken)


def sheet(body: str, sst: list[str] | None = None) -> bytes:
    return raw_zip(xlsx_parts(sheet_xml(body), sst_xml(sst) if sst is not None else None))


# Cells as Excel, LibreOffice and openpyxl write them, and a few written otherwise (each must give the same answer)
PLAIN = {
    "numbers and shared strings": ('<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"><v>12.5</v></c>'
                                   '<c r="C1" s="3"/></row><row r="4"><c r="B4" t="s"><v>1</v></c></row>', ["Mã", "Tên"]),
    "inline text with references": ('<row r="2"><c r="A2" t="inlineStr"><is><t>H&#7896;I &amp; x&#x1EA1;</t></is></c>'
                                    '<c r="B2" t="inlineStr"><is><t xml:space="preserve"> a\tb\nc </t></is></c></row>', None),
    "formulas with and without result": ('<row r="3"><c r="A3"><f>SUM(B1:B2)</f><v>3</v></c><c r="B3"><f>1/0</f></c>'
                                         '<c r="C3" t="str"><f>A1</f><v></v></c><c r="D3" t="e"><f>1/0</f>'
                                         '<v>#DIV/0!</v></c><c r="E3" t="s"><f t="shared" ref="E3:E4" si="0">A1</f>'
                                         '<v/></c><c r="F3"><f t="shared" si="0"/><v>1</v></c></row>', ["x"]),
    "error values": '<row r="5"><c r="A5" t="e"><v>#N/A</v></c><c r="B5" t="e"><v/></c><c r="C5" t="e"/></row>',
    "booleans, dates, empty values": ('<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="d"><v>2025-01-01</v></c>'
                                      '<c r="C1" t="str"><v/></c><c r="D1" t="s"><v></v></c><c r="Z1" s="1" /></row>'),
    "far column and row": '<row r="99999"><c r="AAA99999"><v>1</v></c></row>',
    "empty rows": '<row r="1"/><row r="2" ht="30" customHeight="1"></row>',
}
ODD = {
    "carriage return": '<row r="1"><c r="A1" t="inlineStr"><is><t>a\r\nb</t></is></c></row>',
    "rich text": '<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c></row>',
    "cells without address": '<row r="1"><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>',
    "rows without number": '<row><c r="A1"><v>1</v></c></row><row><c r="A2"><v>1</v></c></row>',
    "duplicate attribute": '<row r="1"><c r="A1" r="B1"><v>1</v></c></row>',
    "bad character reference": '<row r="1"><c r="A1" t="inlineStr"><is><t>&#0;</t></is></c></row>',
    "undefined entity": '<row r="1"><c r="A1" t="inlineStr"><is><t>&nbsp;</t></is></c></row>',
    "comment": '<row r="1"><!-- x --><c r="A1"><v>1</v></c></row>',
    "unclosed cell": '<row r="1"><c r="A1"><v>1</v></row>',
    "past the last row": '<row r="100001"><c r="A100001"><v>1</v></c></row>',
    "unknown type": '<row r="1"><c r="A1" t="x"><v>1</v></c></row>',
    "shared string index not a number": '<row r="1"><c r="A1" t="s"><v>1a</v></c></row>',
    "text in a shared-string cell": '<row r="1"><c r="A1" t="s"><is><t>a</t></is></c></row>',
    "spaces between cells": '<row r="1">\n  <c r="A1"><v>1</v></c>\n</row>',
}


@pytest.mark.parametrize("case", list(PLAIN))
def test_plain_sheet_is_counted_quickly_and_alike(case, monkeypatch):
    body, sst = PLAIN[case] if isinstance(PLAIN[case], tuple) else (PLAIN[case], None)
    data = sheet(body, sst)
    assert quick_parts(data, monkeypatch) == 1
    assert answer(data, monkeypatch, True) == answer(data, monkeypatch, False)


@pytest.mark.parametrize("case", list(ODD))
def test_odd_sheet_is_left_to_expat(case, monkeypatch):
    data = sheet(ODD[case])
    assert quick_parts(data, monkeypatch) == 0
    assert answer(data, monkeypatch, True) == answer(data, monkeypatch, False)


def test_counts_of_a_plain_sheet_are_the_expat_ones(monkeypatch):
    errors = '<row r="6"><c r="A6" t="e"><v>#N/A</v></c><c r="B6" t="e"><v/></c><c r="C6" t="e"/></row>'
    data = sheet(PLAIN["formulas with and without result"][0] + errors, ["x"])
    quick = answer(data, monkeypatch, True).sheets["Biểu 01"]
    # values: A3 C3 D3 E3 F3 (B3 has none) and A6 B6 (C6 has none)
    assert (quick.rows, quick.cols, quick.cells, quick.text, quick.longest) == (6, 6, 7, 0, 0)
    assert quick.errors == {(2, 3): "#DIV/0!", (5, 0): "#N/A", (5, 1): "#N/A"}
    assert quick.formulas == {(2, 1), (2, 2), (2, 4)}
    assert quick == answer(data, monkeypatch, False).sheets["Biểu 01"]


@pytest.mark.full     # the hostile corpus takes most of a minute to write
def test_every_hostile_file_gets_the_same_answer(tmp_path, monkeypatch):
    made = make_corpus(tmp_path)
    GOOD[1](tmp_path / GOOD[0])
    files = [*made.values(), tmp_path / GOOD[0]]
    assert len(files) == len(CASES) + 1
    for path in files:
        data = path.read_bytes()
        if container.container_kind(data) != "zip":
            continue
        assert answer(data, monkeypatch, True) == answer(data, monkeypatch, False), path.name


def test_forms_written_by_openpyxl_and_the_samples_are_counted_quickly_and_alike(tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Biểu 01"
    ws.append(["Mã chỉ tiêu", "Tử số", "Mẫu số", "Giá trị"])
    ws.append(["0101", 12, 40, "=B2/C2*100"])
    ws.append(["0102", "1.234", None, "Người lập & ký"])
    wb.create_sheet("Hướng dẫn").append(["04001", "Xã Mường Châu"])
    wb.save(tmp_path / "form.xlsx")
    samples = [p for p in sorted((ROOT / "sample_inputs").glob("*/*.xls[xm]")) if p.read_bytes()[:2] == b"PK"]
    assert len(samples) > 20
    for path in [tmp_path / "form.xlsx", *samples]:
        data = path.read_bytes()
        assert quick_parts(data, monkeypatch) >= 1, path.name
        assert answer(data, monkeypatch, True) == answer(data, monkeypatch, False), path.name


def test_one_split_reads_the_grammar_the_whole_body_pattern_reads():
    """scan_sheet_data's check (the text between cells must be rows holding only cells) accepts what _BODY accepts,
    on every case above and on their pieces, cut and spliced at every place."""
    import random

    from tonghop.intake import fastscan

    def by_split(body: bytes) -> bool:
        between = fastscan._CELLS.split(body)[::fastscan._STRIDE]
        return fastscan._ROWS.fullmatch(b"\x00".join(between)) is not None

    rnd = random.Random(17)
    bodies = [(v[0] if isinstance(v, tuple) else v).encode() for v in (*PLAIN.values(), *ODD.values())]
    tried = set(bodies)
    for body in bodies:
        for cut in range(len(body) + 1):
            tried.add(body[:cut])
            tried.add(body[:cut] + body[cut + rnd.randint(1, 12):])
            other = rnd.choice(bodies)
            tried.add(body[:cut] + other[rnd.randint(0, len(other)):])
    accepted = 0
    for body in tried:
        expected = fastscan._BODY.fullmatch(body) is not None
        accepted += expected
        assert by_split(body) == expected, body
    assert accepted > 50


@pytest.mark.parametrize("text", ["&#0;", "&#9;a&#31;", "&#55296;", "&#65534;", "&#1114111;", "&#1114112;", "&#x1F;",
                                  "&#xD800;", "&#x10FFFF;", "&#x110000;", "&nbsp;", "a & b", "&#;", "&#12", "&&#272;",
                                  "&#272;&amp;&lt;&#xABC;&#1234;"])
def test_references_good_and_bad_get_the_expat_answer(text, monkeypatch):
    data = sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c><c r="B1"><v>1</v></c></row>')
    assert answer(data, monkeypatch, True) == answer(data, monkeypatch, False)
