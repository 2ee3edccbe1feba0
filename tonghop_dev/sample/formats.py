"""Re-save a form workbook the ways units really send it: legacy .xls, .ods, one-sheet CSV, macro-enabled .xlsm."""
from __future__ import annotations

import csv
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
from odf.text import P
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _merges(ws: Worksheet) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Top-left (row, col) -> (rows, cols) spanned, and the covered cells, 1-based."""
    tops: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        tops[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    return tops, covered


def _sheets(src: Path, names: dict[str, str] | None) -> list[tuple[str, Worksheet]]:
    wb = load_workbook(src)
    return [((names or {}).get(ws.title, ws.title), ws) for ws in wb.worksheets]


def to_xls(src: Path, dest: Path, sheet_names: dict[str, str] | None = None) -> Path:
    """Write the workbook's cell values and merges as a BIFF8 .xls (what an old Excel install saves)."""
    book = xlwt.Workbook(encoding="utf-8")
    bold = xlwt.easyxf("font: bold on; align: wrap on, vert centre")
    plain = xlwt.easyxf("align: wrap on, vert centre")
    for name, ws in _sheets(src, sheet_names):
        sheet = book.add_sheet(name)
        sheet.portrait = False        # the form's landscape page survives a save as .xls
        sheet.paper_size_code = 9     # A4
        tops, covered = _merges(ws)
        for letter, dim in ws.column_dimensions.items():
            if dim.width:
                sheet.col(ws[f"{letter}1"].column - 1).width = int(dim.width * 256)
        for row in ws.iter_rows():
            for cell in row:
                if (cell.row, cell.column) in covered:
                    continue
                value: Any = cell.value
                if isinstance(value, str) and value.startswith("="):
                    value = xlwt.Formula(value[1:])
                style = bold if cell.font is not None and cell.font.b else plain
                r, c = cell.row - 1, cell.column - 1
                if (cell.row, cell.column) in tops:
                    nr, nc = tops[(cell.row, cell.column)]
                    sheet.write_merge(r, r + nr - 1, c, c + nc - 1, value, style)
                elif value is not None:
                    sheet.write(r, c, value, style)
    book.save(str(dest))
    return dest


def _ods_cell(value: Any, span: tuple[int, int] | None) -> TableCell:
    attrs: dict[str, Any] = {}
    if span is not None:
        attrs.update(numberrowsspanned=span[0], numbercolumnsspanned=span[1])
    if isinstance(value, bool) or value is None:
        return TableCell(**attrs)
    if isinstance(value, (int, float)):
        cell = TableCell(valuetype="float", value=value, **attrs)
        cell.addElement(P(text=f"{value:g}" if isinstance(value, float) else str(value)))
        return cell
    text = str(value)
    if text.startswith("="):
        raise ValueError("formulas are not converted to .ods; give the sample plain values")
    cell = TableCell(valuetype="string", **attrs)
    cell.addElement(P(text=text))
    return cell


def to_ods(src: Path, dest: Path) -> Path:
    """Write the workbook's cell values and merges as OpenDocument (what LibreOffice saves)."""
    doc = OpenDocumentSpreadsheet()
    for name, ws in _sheets(src, None):
        table = Table(name=name)
        tops, covered = _merges(ws)
        table.addElement(TableColumn(numbercolumnsrepeated=ws.max_column))
        for r in range(1, ws.max_row + 1):
            tr = TableRow()
            for c in range(1, ws.max_column + 1):
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                else:
                    tr.addElement(_ods_cell(ws.cell(row=r, column=c).value, tops.get((r, c))))
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(dest))
    return dest


def _csv_text(value: Any) -> str:
    """A cell as Excel's 'CSV UTF-8' shows it on a Vietnamese machine: decimal comma, no thousands mark."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def to_csv(src: Path, dest: Path, sheet: str) -> Path:
    """Save one sheet as CSV, UTF-8 with BOM, rows and columns exactly as on the sheet."""
    ws = load_workbook(src)[sheet]
    with open(dest, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True):
            writer.writerow([_csv_text(v) for v in row])
    return dest


def to_xlsm(src: Path, dest: Path) -> Path:
    """Copy an .xlsx as a macro-enabled .xlsm: same parts, workbook content type switched (no VBA part)."""
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / dest.name
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    text = data.decode("utf-8")
                    if XLSX_MAIN not in text:
                        raise ValueError("workbook content type not found in [Content_Types].xml")
                    data = text.replace(XLSX_MAIN, XLSM_MAIN).encode("utf-8")
                zout.writestr(item, data)
        shutil.copyfile(staged, dest)
    return dest
