"""A province's starting configuration (YAML, and optionally don-vi.xlsx for its units) from the official list."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from tonghop.config import PLACEHOLDER_DOMAIN
from tonghop.errors import ConfigError, os_reason
from tonghop.provinces import SOURCE, Province, communes, fold

UNITS_XLSX = "don-vi.xlsx"
# The departments of Sơn La's plan (Kế hoạch 123/KH-UBND ngày 06/5/2025, section IV) with their indicators:
# a starting list the officer edits. {cap} is "tỉnh" or "thành phố".
DEPARTMENTS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("SNV", "Sở Nội vụ", ("1.1", "2.1", "2.2", "3.2a", "3.2b", "3.4", "5.4", "6.1", "6.2"),
     "3.2: số liệu về bạo lực trên cơ sở giới"),
    ("STC", "Sở Tài chính", ("2.3",), ""),
    ("CCTK", "Chi cục Thống kê {cap}", ("3.1",), ""),
    ("SGDDT", "Sở Giáo dục và Đào tạo", ("5.1", "5.2a", "5.2b", "5.3", "5.4"), "5.4: phối hợp với Sở Nội vụ"),
    ("SYT", "Sở Y tế", ("4.1", "4.2", "4.3", "4.4"), ""),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", ("3.2a", "3.2b"), "3.2: số liệu về bạo lực gia đình"),
    ("CAT", "Công an {cap}", ("3.3",), ""),
    ("SKHCN", "Sở Khoa học và Công nghệ", (), ""),
    ("STP", "Sở Tư pháp", (), ""),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", (), ""),
    ("BDBP", "Bộ Chỉ huy Bộ đội Biên phòng {cap}", (), ""),
    ("DPTTH", "Đài Phát thanh - Truyền hình {cap}", (), ""),
    ("BAO", "Báo {short}", (), ""),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam {cap}", (), ""),
]
HEADERS = ("Mã đơn vị", "Tên đơn vị", "Loại", "Mã địa bàn", "Email", "Chỉ tiêu được giao", "Ghi chú")
KIND_DEPARTMENT = "sở, ngành"
_COMMUNE_KINDS = {"xa", "phuong", "dac khu", "xa phuong", "commune"}
_DEPARTMENT_KINDS = {"so nganh", "so", "nganh", "co quan", "department"}


def placeholder(code: str) -> str:
    """The address left for the officer to fill: never mailed (see tonghop.config.is_placeholder)."""
    return f"{code.lower()}@{PLACEHOLDER_DOMAIN}"


@dataclass(frozen=True)
class Written:
    config: Path
    units_xlsx: Path | None
    n_departments: int
    n_communes: int


def starting_units(province: Province) -> list[dict]:
    """Every department of the starting list, then every commune of the official list, as YAML units."""
    cap = "thành phố" if province.name.startswith("Thành phố") else "tỉnh"
    units = [{"code": code, "name": name.format(cap=cap, short=province.short), "kind": "department",
              "emails": [placeholder(code)], "indicators": list(indicators), **({"note": note} if note else {})}
             for code, name, indicators, note in DEPARTMENTS]
    for c in communes(province.code):
        units.append({"code": f"X{c.code}", "name": c.unit_name, "kind": "commune", "area": c.code,
                      "emails": [placeholder(f"X{c.code}")], "indicators": []})
    return units


def _q(value: object) -> str:
    # JSON strings and lists are YAML flow values: codes stay text ("03646"), diacritics stay readable
    return json.dumps(value, ensure_ascii=False)


def _unit_line(u: dict) -> str:
    parts = [f"code: {_q(u['code'])}", f"name: {_q(u['name'])}", f"kind: {u['kind']}"]
    if u.get("area"):
        parts.append(f"area: {_q(u['area'])}")
    parts += [f"emails: {_q(u['emails'])}", f"indicators: {_q(u['indicators'])}"]
    if u.get("note"):
        parts.append(f"note: {_q(u['note'])}")
    return "  - {" + ", ".join(parts) + "}"


def config_text(province: Province, units: list[dict] | None, first_year: int, units_file: str | None = None) -> str:
    """The YAML of a province's configuration; `units` written inline, or `units_file` named instead."""
    lines = [
        f"# Cấu hình {province.name} — đơn vị nào báo cáo chỉ tiêu nào, gửi cho ai, hạn nào.",
        f"# Lập bằng `tonghop init --province {_q(province.short)}` từ {SOURCE}.",
        "# Mã và tên tỉnh, xã, phường, đặc khu là mã chính thức (kiểm tra khi nạp tệp). Danh sách sở, ngành lấy theo",
        "# Kế hoạch 123/KH-UBND ngày 06/5/2025 của UBND tỉnh Sơn La: sửa, thêm, bớt cho đúng kế hoạch của tỉnh.",
        f"# ĐIỀN ĐỊA CHỈ EMAIL: mọi địa chỉ ...@{PLACEHOLDER_DOMAIN} là chỗ trống cần điền. Hệ thống không gửi",
        "# thư tới địa chỉ còn để trống và mỗi lần chạy nêu tên các đơn vị chưa có địa chỉ.",
        "",
        f"province: {{code: {_q(province.code)}, name: {_q(province.name)}, short: {_q(province.short)}}}",
        f"consolidator: {{code: SNV, name: \"Sở Nội vụ\", email: {_q(placeholder('SNV'))}}}",
        "timezone: Asia/Ho_Chi_Minh",
        "",
        "# Hạn nộp theo loại kỳ (ngày/tháng). Các kỳ theo quy tắc: 6 tháng đầu năm và năm, mỗi năm từ năm đầu,",
        "# nên lịch chạy và thư nhắc năm sau có sẵn; một kỳ có thể có hạn riêng: 2026-Y: {deadline: \"30/11\"}",
        'deadlines: {H1: "20/05", Y: "25/11"}',
        "periods:",
        f"  every_year: {{from: {first_year}, kinds: [H1, Y]}}",
        "",
        "schedule:",
        "  run_days_before: 5        # chạy kiểm tra hằng ngày trong N ngày cuối trước hạn",
        '  run_time: "07:00"         # giờ chạy theo lịch (giờ địa phương)',
        "  reminder_days_before: [7, 2]   # nhắc các đơn vị chưa nộp trước hạn N ngày",
        "  fetch_every_minutes: 10   # lấy thư từ hộp thư (TONGHOP_IMAP_*) N phút một lần trong những ngày đó; 0 = không",
        "",
    ]
    if units_file:
        lines += [f"# Danh sách đơn vị (mã, tên, loại, mã địa bàn, email, chỉ tiêu) nằm trong bảng tính {units_file}",
                  "# cạnh tệp này: sửa địa chỉ email trong Excel.", f"units_file: {_q(units_file)}"]
    else:
        lines.append("units:")
        departments = [u for u in units or [] if u["kind"] == "department"]
        lines.append("  # Sở, ngành (danh sách khởi đầu theo kế hoạch của Sơn La)")
        lines += [_unit_line(u) for u in departments]
        lines.append("  # UBND xã, phường, đặc khu: mã địa bàn chính thức")
        lines += [_unit_line(u) for u in units or [] if u["kind"] == "commune"]
    lines += ["", "# Địa bàn được báo cáo số liệu: cả tỉnh và từng xã, phường, đặc khu (mã chính thức).", "areas:",
              f"  - {{code: {_q(province.code)}, name: {_q(province.name)}}}"]
    lines += [f"  - {{code: {_q(c.code)}, name: {_q(c.name)}}}" for c in communes(province.code)]
    return "\n".join(lines) + "\n"


def write_units_xlsx(units: list[dict], path: Path) -> None:
    """The unit list as a workbook the officer edits: one unit a row, every cell text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Đơn vị"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    placeholder_fill = PatternFill("solid", fgColor="FFF2CC")
    for u in units:
        kind = KIND_DEPARTMENT if u["kind"] == "department" else u["name"].split()[1]
        if u["name"].startswith("UBND đặc khu"):
            kind = "đặc khu"
        ws.append([u["code"], u["name"], kind, u.get("area") or "", ", ".join(u["emails"]),
                   ", ".join(u["indicators"]), u.get("note", "")])
        ws.cell(ws.max_row, 5).fill = placeholder_fill        # the cell to fill
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"                          # codes like 03646 and 4.1 stay text
    for letter, width in zip("ABCDEFG", (10, 42, 10, 11, 44, 30, 36)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    wb.save(path)


def _split(text: object) -> list[str]:
    return [part for part in re.split(r"[,;\s]+", str(text or "").strip()) if part]


def read_units_xlsx(path: Path) -> tuple[list[dict], list[int]]:
    """The units of a don-vi.xlsx as YAML units, with the row each came from; ConfigError naming a bad row."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise ConfigError(f"Không đọc được bảng đơn vị {path}: {os_reason(exc)}") from exc
    except Exception as exc:  # noqa: BLE001 - not a workbook at all: say so, not the library's words
        raise ConfigError(f"Bảng đơn vị {path} không phải là tệp Excel .xlsx đọc được") from exc
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    header = [fold(v) for v in (rows[0] if rows else ())]
    wanted = [fold(h) for h in HEADERS[:6]]
    if header[:6] != wanted:
        raise ConfigError(f"Bảng đơn vị {path}: dòng 1 phải là tiêu đề {', '.join(HEADERS)}")
    units, where = [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = [("" if v is None else str(v).strip()) for v in (list(row) + [None] * 7)[:7]]
        if not any(cells):
            continue
        code, name, kind, area, emails, indicators, note = cells
        folded = fold(kind)
        if folded in _COMMUNE_KINDS:
            kind = "commune"
        elif folded in _DEPARTMENT_KINDS:
            kind = "department"
        else:
            raise ConfigError(f"Bảng đơn vị {path}, dòng {number}: loại {kind!r} không rõ "
                              f"(ghi \"{KIND_DEPARTMENT}\", \"xã\", \"phường\" hoặc \"đặc khu\")")
        if not code or not name:
            raise ConfigError(f"Bảng đơn vị {path}, dòng {number}: thiếu mã hoặc tên đơn vị")
        unit = {"code": code, "name": name, "kind": kind, "emails": _split(emails), "indicators": _split(indicators)}
        if area:
            unit["area"] = area.zfill(5) if kind == "commune" and area.isdigit() else area   # Excel drops zeros
        if note:
            unit["note"] = note
        units.append(unit)
        where.append(number)
    return units, where


def init_province(province: Province, out: Path, *, units_xlsx: bool = False, today: date | None = None) -> Written:
    """Write the province's configuration (and don-vi.xlsx beside it when asked); refuses to overwrite."""
    out = Path(out)
    xlsx = out.with_name(UNITS_XLSX) if units_xlsx else None
    for target in (out, xlsx):
        if target is not None and target.exists():
            raise ConfigError(f"Đã có tệp {target}: không ghi đè (đổi tên hoặc xóa tệp cũ, hoặc chọn --out khác)")
    units = starting_units(province)
    first_year = (today or date.today()).year
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if xlsx is not None:
            write_units_xlsx(units, xlsx)
        out.write_text(config_text(province, None if xlsx else units, first_year,
                                   units_file=xlsx.name if xlsx else None), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Không ghi được cấu hình vào {out}: {os_reason(exc)}") from exc
    n_communes = sum(1 for u in units if u["kind"] == "commune")
    return Written(out, xlsx, len(units) - n_communes, n_communes)
