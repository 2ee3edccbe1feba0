"""Word table rows written as XML in one go: the same w:tr python-docx's setters make, without their cost."""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from copy import deepcopy
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from docx.oxml import parse_xml
from lxml import etree
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt

FONT = "Times New Roman"
CELL_PT = 12
RESTART, CONTINUE = "restart", "continue"     # w:vMerge of a span's first cell and of the cells under it
# python-docx's add_run turns a tab into w:tab and a carriage return into w:br; everything else goes in w:t
_RUN_BREAKS = re.compile(r"(\t|\r)")


@lru_cache(maxsize=None)
def run_properties(size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> str:
    """The w:rPr python-docx writes for Times New Roman in every script slot (then size, bold, italic set one by
    one): its children in schema order, w:b / w:i with w:val="0" when switched off."""
    fonts = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
    b = "" if bold is None else "<w:b/>" if bold else '<w:b w:val="0"/>'
    i = "" if italic is None else "<w:i/>" if italic else '<w:i w:val="0"/>'
    # python-docx truncates half-points (ST_HpsMeasure), it does not round
    sz = "" if size is None else f'<w:sz w:val="{int(Pt(size).pt * 2)}"/>'
    return f"<w:rPr>{fonts}{b}{i}{sz}</w:rPr>"


@lru_cache(maxsize=None)
def _parsed_run_properties(size: float | None, bold: bool | None, italic: bool | None):
    return parse_xml(run_properties(size, bold, italic).replace("<w:rPr>", f"<w:rPr {nsdecls('w')}>", 1))


def run_properties_element(size: float | None = None, bold: bool | None = None, italic: bool | None = None):
    """A fresh w:rPr element (a copy of one parsed per size, bold, italic) for a run that has none yet."""
    return deepcopy(_parsed_run_properties(size, bold, italic))


def _run_content(text: str) -> str:
    parts = []
    for piece in _RUN_BREAKS.split(text):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece == "\r":
            parts.append("<w:br/>")
        elif piece:
            # as CT_R.add_t: leading or trailing blanks are kept by xml:space
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            parts.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(parts)


def cell_xml(text: str, width_twips: int, *, size: float = CELL_PT, bold: bool = False, italic: bool = False,
             align: str = "left", span: int = 1, merge: str | None = None) -> str:
    """One w:tc: its width (and horizontal span, vertical merge), a paragraph per line of `text` spaced 1 pt
    before and after and aligned `align` (a w:jc value), one run per non-empty line."""
    props = f'<w:tcW w:type="dxa" w:w="{width_twips}"/>'
    props += f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    props += '<w:vMerge w:val="restart"/>' if merge == RESTART else "<w:vMerge/>" if merge == CONTINUE else ""
    ppr = f'<w:pPr><w:spacing w:before="20" w:after="20"/><w:jc w:val="{align}"/></w:pPr>'
    rpr = run_properties(size, bold, italic)
    paras = "".join(f"<w:p>{ppr}<w:r>{rpr}{_run_content(line)}</w:r></w:p>" if line else f"<w:p>{ppr}</w:p>"
                    for line in (text.split("\n") if text else [""]))
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{paras}</w:tc>"


def blank_cell_xml(width_twips: int) -> str:
    """A cell python-docx's add_row leaves untouched: its width and one bare paragraph."""
    return f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width_twips}"/></w:tcPr><w:p/></w:tc>'


def twips(widths_cm: list[float]) -> list[int]:
    """Column widths as Word stores them (python-docx's Cm(..).twips)."""
    return [Cm(w).twips for w in widths_cm]


def row_cells(texts: list[str], widths_cm: list[float], *, bold: bool = False, centred=(),
              span: bool = False) -> list[str]:
    """A body row's cells: texts[i] in column i, centred when i is in `centred`, else left; span: texts[0]
    alone, bold, in one cell across every column (as python-docx's merge, whose width is the columns' sum).
    Columns past the texts get the blank cell add_row made."""
    width = twips(widths_cm)
    if span:
        return [cell_xml(texts[0], sum(width), bold=True, span=len(width))]
    cells = [cell_xml(text, w, bold=bold, align="center" if i in centred else "left")
             for i, (text, w) in enumerate(zip(texts, width))]
    return cells + [blank_cell_xml(w) for w in width[len(cells):]]


def span_down(rows: list[list[str]], col: int, text: str, widths_cm: list[float], align: str) -> None:
    """Column `col` of consecutive rows made one cell holding `text` (w:vMerge restart, then continue): what
    python-docx's merge leaves of cells whose paragraphs were empty. A single row is left unmerged."""
    width = Cm(widths_cm[col]).twips
    for j, cells in enumerate(rows):
        merge = None if len(rows) == 1 else RESTART if j == 0 else CONTINUE
        cells[col] = cell_xml("" if j else text, width, align=align, merge=merge)


def _row_xml(cells: list[str]) -> str:
    return f'<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>{"".join(cells)}</w:tr>'   # kept whole on a page


def append_rows(tbl, rows: list[list[str]]) -> None:
    """Append the rows (their cells' XML) to the w:tbl: parsed at once, or, inside `rows_at_save`, kept as text
    until the document is saved."""
    later = _LATER.get()
    if later is not None:
        later.add(tbl, rows)
        return
    # one parse for many rows: a wrapper element whose children are moved into the table
    wrapper = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(map(_row_xml, rows))}</w:tbl>")
    for tr in list(wrapper):
        tbl.append(tr)


_MARK = "tonghop-rows-"
_MARKER = re.compile(rb"<!--tonghop-rows-([0-9]+)-->")
_DOCUMENT = "word/document.xml"


class LaterRows:
    """Table rows kept as XML text while the document is built, written into word/document.xml as it is saved.
    A province of 4,000 units has ~23,000 rows in its appendices: as lxml elements they took ~600 MB (a dozen
    elements per cell) and most of the document's time; as text, the size of the XML itself. Each place in a
    table where rows go is a comment in the tree, replaced by its rows in the saved part."""

    def __init__(self) -> None:
        self.groups: list[list[list[str]]] = []

    def add(self, tbl, rows: list[list[str]]) -> None:
        last = tbl[-1] if len(tbl) else None
        if last is not None and last.tag is etree.Comment and (last.text or "").startswith(_MARK):
            self.groups[int(last.text[len(_MARK):])].extend(rows)    # still the end of the same table
            return
        tbl.append(etree.Comment(f"{_MARK}{len(self.groups)}"))
        self.groups.append(list(rows))

    def save(self, doc, path: Path) -> None:
        """Save `doc` to `path` with every kept row in its place (the part written in pieces, never whole)."""
        built = BytesIO()
        doc.save(built)
        with zipfile.ZipFile(built) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for info in source.infolist():
                if info.filename != _DOCUMENT:
                    out.writestr(info, source.read(info))
                    continue
                xml = source.read(info)
                info.compress_type = zipfile.ZIP_DEFLATED
                with out.open(info, "w") as part:
                    at = 0
                    for found in _MARKER.finditer(xml):
                        part.write(xml[at:found.start()])
                        for row in self.groups[int(found.group(1))]:
                            part.write(_row_xml(row).encode("utf-8"))
                        at = found.end()
                    part.write(xml[at:])


_LATER: ContextVar[LaterRows | None] = ContextVar("tonghop_later_rows", default=None)


@contextmanager
def rows_at_save() -> Iterator[LaterRows]:
    """Within this block, append_rows keeps its rows for LaterRows.save instead of parsing them."""
    later = LaterRows()
    token = _LATER.set(later)
    try:
        yield later
    finally:
        _LATER.reset(token)
