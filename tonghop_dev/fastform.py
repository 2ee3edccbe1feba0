"""Filled province forms at speed: tonghop.reports.form.write_form once per table shape, then only the cells change.

write_form builds every style, merge, validation and the guide sheet with openpyxl (~50-100 ms a file). A
round of 4,000 workbooks differs only in cell values between units of the same shape (same number of table
rows, same header layout, same footer), so the first workbook of each shape is written by write_form and kept
as a template; the next ones copy it and rewrite the cells of the header block, the two tables and the
footer in the sheet XML (~3 ms a file). tests/test_generator.py checks that tonghop reads a patched workbook
exactly as it reads the write_form original.
"""
from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from schemas.catalogue import load_catalogue
from schemas.labels import (ACTIVITY_COLUMNS, FIRST_DATA_ROW, HEADER_FIELDS, INDICATOR_COLUMNS, SHEET_ACTIVITIES,
                            SHEET_INDICATORS, TABLE_HEADER_ROW)
from tonghop.config import Period, ProvinceConfig, Unit
from tonghop.reports.form import write_form

Row = dict[str, Any] | None
SHEET_XML = {SHEET_INDICATORS: "xl/worksheets/sheet1.xml", SHEET_ACTIVITIES: "xl/worksheets/sheet2.xml"}
_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*?)(/>|>.*?</c>)', re.S)
_STYLE = re.compile(r'\ss="(\d+)"')
_TITLE = re.compile(r"<dc:title>.*?</dc:title>", re.S)


@dataclass(frozen=True)
class FormSpec:
    """Everything write_form is given for one filled form (the arguments this module supports)."""

    config: ProvinceConfig
    period: Period
    unit: Unit
    indicator_rows: Sequence[Row]
    activity_rows: Sequence[Row]
    reporter: str | None = None
    email: str | None = None
    period_text: str | None = None
    place_date: str | None = None
    signers: tuple[str, ...] | None = None
    merged_participants_header: bool = False

    @property
    def shape(self) -> tuple:
        """What must be equal for two forms to share a template: table lengths and header/footer layout."""
        return (self.config.province_code, self.period.code, len(self.indicator_rows), len(self.activity_rows),
                self.merged_participants_header, self.place_date is not None, bool(self.signers))

    def write_with_openpyxl(self, path: Path) -> Path:
        return write_form(path, config=self.config, period=self.period, unit=self.unit,
                          indicator_rows=list(self.indicator_rows), activity_rows=list(self.activity_rows),
                          reporter=self.reporter, email=self.email, period_text=self.period_text,
                          place_date=self.place_date, signers=self.signers,
                          merged_participants_header=self.merged_participants_header)


def _footer_cells(last: int, right_col: str, place_date: str | None,
                  signers: Sequence[str] | None) -> dict[str, Any]:
    """The footer cells whose text changes between units (mirrors tonghop.reports.form._footer's layout)."""
    row = last + 2
    cells: dict[str, Any] = {}
    if place_date is not None:
        cells[f"{right_col}{row}"] = place_date
        row += 1
    if signers:
        for name, col in zip(signers, ("C", right_col)):
            cells[f"{col}{row + 5}"] = name
    return cells


def form_cells(spec: FormSpec) -> dict[str, dict[str, Any]]:
    """sheet name -> {cell: value} for every cell that write_form fills with unit-specific content."""
    catalogue = load_catalogue()
    email = spec.email if spec.email is not None else (spec.unit.emails[0] if spec.unit.emails else None)
    header = {"unit_name": spec.unit.name, "unit_code": spec.unit.code,
              "period": spec.period_text or spec.period.vi, "reporter": spec.reporter, "email": email}
    head = {f"C{r}": header[f] for r, f in enumerate(HEADER_FIELDS, start=1)}

    ind: dict[str, Any] = dict(head)
    r, stt = FIRST_DATA_ROW - 1, 0
    for row in spec.indicator_rows:
        r += 1
        if row is None:
            ind.update({f"{letter}{r}": None for letter in "ABCDEFGHIJ"})
            continue
        stt += 1
        code = row.get("indicator")
        known = catalogue.indicators.get(str(code)) if code is not None else None
        area = row.get("area")
        values = {"stt": stt, "indicator": code,
                  "indicator_name": row.get("indicator_name", known.vi if known else None),
                  "area": area,
                  "area_name": row.get("area_name", spec.config.areas[area].name if area in spec.config.areas else None),
                  "sex": row.get("sex"), "numerator": row.get("numerator"), "denominator": row.get("denominator"),
                  "value": row.get("value"), "note": row.get("note")}
        ind.update({f"{INDICATOR_COLUMNS[f][0]}{r}": v for f, v in values.items()})
    ind.update(_footer_cells(max(r, TABLE_HEADER_ROW), "G", spec.place_date, spec.signers))

    act: dict[str, Any] = dict(head)
    r, stt = TABLE_HEADER_ROW + (1 if spec.merged_participants_header else 0), 0
    for row in spec.activity_rows:
        r += 1
        if row is None:
            act.update({f"{letter}{r}": None for letter in "ABCDEFGHI"})
            continue
        stt += 1   # write_form numbers every non-blank row, but leaves STT empty on a row of empty values
        act[f"A{r}"] = stt if any(v is not None for v in row.values()) else None
        for f in ("activity", "description", "count", "participants", "men", "women", "budget", "note"):
            act[f"{ACTIVITY_COLUMNS[f][0]}{r}"] = row.get(f)
    act.update(_footer_cells(r, "F", spec.place_date, spec.signers))
    return {SHEET_INDICATORS: ind, SHEET_ACTIVITIES: act}


def _cell_xml(ref: str, style: str | None, value: Any) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s} t="n" />'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s} t="n"><v>{value!r}</v></c>'
    text = str(value)
    if text.startswith("="):
        return f'<c r="{ref}"{s}><f>{escape(text[1:])}</f><v></v></c>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def patch_sheet(xml: str, cells: dict[str, Any]) -> str:
    """Rewrite the listed cells (which the template must have, styled) keeping each cell's style."""
    missing = set(cells)

    def repl(m: re.Match) -> str:
        ref = m.group(1)
        if ref not in cells:
            return m.group(0)
        missing.discard(ref)
        style = _STYLE.search(m.group(2))
        return _cell_xml(ref, style.group(1) if style else None, cells[ref])

    out = _CELL.sub(repl, xml)
    if missing:
        raise ValueError(f"template lacks cells {sorted(missing)[:5]}: its shape differs")
    return out


class FormWriter:
    """Writes filled forms; the first form of each shape through write_form, the others from it."""

    def __init__(self) -> None:
        self._templates: dict[tuple, dict[str, bytes]] = {}
        self.templates_written = 0

    def write(self, path: Path, spec: FormSpec, sheet_names: dict[str, str] | None = None) -> Path:
        """Write `spec` as .xlsx at path; sheet_names renames Biểu 01/02 (e.g. to 'Bieu 01')."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        parts = self._templates.get(spec.shape)
        if parts is None:
            with tempfile.TemporaryDirectory() as tmp:
                with zipfile.ZipFile(spec.write_with_openpyxl(Path(tmp) / "template.xlsx")) as zf:
                    parts = {info.filename: zf.read(info) for info in zf.infolist()}
            self._templates[spec.shape] = parts
            self.templates_written += 1
        out = dict(parts)
        for sheet, cells in form_cells(spec).items():
            out[SHEET_XML[sheet]] = patch_sheet(parts[SHEET_XML[sheet]].decode("utf-8"), cells).encode("utf-8")
        title = f"<dc:title>{escape(f'Báo cáo bình đẳng giới — {spec.unit.name} — {spec.period.vi}')}</dc:title>"
        out["docProps/core.xml"] = _TITLE.sub(title, parts["docProps/core.xml"].decode("utf-8")).encode("utf-8")
        if sheet_names:
            wb = out["xl/workbook.xml"].decode("utf-8")
            for old, new in sheet_names.items():
                wb = wb.replace(f'name="{escape(old)}"', f'name="{escape(new)}"').replace(f"'{old}'!", f"'{new}'!")
            out["xl/workbook.xml"] = wb.encode("utf-8")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for name, data in out.items():
                zf.writestr(name, data)
        return path
