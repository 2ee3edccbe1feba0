"""Province configuration (units, areas, periods, deadlines, schedule) loaded from a YAML file."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import yaml

from schemas.catalogue import Catalogue, load_catalogue
from tonghop.errors import ConfigError, os_reason

PERIOD_RE = re.compile(r"^(\d{4})-(H1|Y)$")
PERIOD_NAMES = {"H1": "6 tháng đầu năm", "Y": "Năm"}
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "son-la.yaml"


@dataclass(frozen=True)
class Period:
    """A reporting period: `2025-H1` (six months) or `2025-Y` (year)."""

    year: int
    kind: str  # "H1" or "Y"

    @classmethod
    def parse(cls, text: str) -> "Period":
        m = PERIOD_RE.match(text.strip())
        if not m:
            raise ConfigError(f"Kỳ báo cáo không hợp lệ: {text!r} (dạng đúng: 2025-H1 hoặc 2025-Y)")
        return cls(int(m.group(1)), m.group(2))

    @property
    def code(self) -> str:
        return f"{self.year}-{self.kind}"

    @property
    def vi(self) -> str:
        return f"{PERIOD_NAMES[self.kind]} {self.year}"

    @property
    def year_earlier(self) -> "Period":
        """The same kind of period a year earlier (2026-Y → 2025-Y, 2026-H1 → 2025-H1): what a change compares
        with, since a half-year's counts are not comparable with a whole year's."""
        return Period(self.year - 1, self.kind)

    def __str__(self) -> str:
        return self.code


# `tonghop init` leaves addresses for the officer to fill in this domain: RFC 2606's .invalid never delivers,
# and nothing is ever queued to it (tonghop.mail.outbox.enqueue refuses).
PLACEHOLDER_DOMAIN = "chua-dien-dia-chi.invalid"


def is_placeholder(address: str) -> bool:
    """An e-mail address still to be filled in (left by `tonghop init`)."""
    return address.strip().lower().endswith(".invalid")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str                      # department | commune
    emails: tuple[str, ...]
    indicators: tuple[str, ...]
    area: str | None = None        # a commune's own area code
    note: str = ""


@dataclass(frozen=True)
class Area:
    code: str
    name: str


@dataclass(frozen=True)
class Schedule:
    run_days_before: int = 5
    run_time: str = "07:00"
    reminder_days_before: tuple[int, ...] = (7, 2)


@dataclass(frozen=True)
class Signer:
    """Who signs the province's reports (Nghị định 30/2020/NĐ-CP): "KT. GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC" / the name."""

    authority: str = ""            # "KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN"; empty when the head signs himself
    position: str = "GIÁM ĐỐC"
    name: str = ""                 # empty: the name is written by hand under the signature


@dataclass(frozen=True)
class DocumentInfo:
    """The administrative heading and signature of the reports that leave the office (key `document`)."""

    parent_body: str               # "UBND TỈNH SƠN LA"
    issuing_body: str              # "SỞ NỘI VỤ"
    symbol: str                    # "BC-SNV": "Số: …/BC-SNV", the number is the clerk's
    place: str                     # "Sơn La, ngày … tháng … năm …"
    recipients: tuple[str, ...]    # "Nơi nhận", without the final "Lưu: VT"
    signer: Signer


def _document_info(raw: dict | None, province_name: str, province_short: str, consolidator_code: str,
                   consolidator_name: str) -> DocumentInfo:
    """The `document:` block of the configuration; what it leaves out comes from the province and Sở Nội vụ."""
    raw = raw or {}
    signer = raw.get("signer") or {}
    province_lower = province_name[:1].lower() + province_name[1:]
    return DocumentInfo(
        parent_body=str(raw.get("parent_body") or f"UBND {province_name.upper()}"),
        issuing_body=str(raw.get("issuing_body") or consolidator_name.upper()),
        symbol=str(raw.get("symbol") or f"BC-{consolidator_code}"),
        place=str(raw.get("place") or province_short),
        recipients=tuple(str(r) for r in (raw.get("recipients") or ["Bộ Nội vụ", f"UBND {province_lower}"])),
        signer=Signer(authority=str(signer.get("authority") or ""),
                      position=str(signer.get("position") or "GIÁM ĐỐC"),
                      name=str(signer.get("name") or "")))


@dataclass(frozen=True)
class ProvinceConfig:
    province_code: str
    province_name: str
    province_short: str
    consolidator_code: str
    consolidator_name: str
    consolidator_email: str
    timezone: str
    deadlines: dict[str, tuple[int, int]]        # kind -> (day, month)
    period_deadlines: dict[str, date]           # period code -> own date
    periods: tuple[str, ...]
    units: dict[str, Unit]
    areas: dict[str, Area]
    schedule: Schedule = field(default_factory=Schedule)
    source: Path | None = None
    units_source: Path | None = None           # don-vi.xlsx when the units are kept in a workbook
    document: DocumentInfo | None = None        # heading and signature of the reports; see _document_info
    multi_unit: dict[str, str] = field(default_factory=dict)   # indicator → "sum" or the unit whose figure counts

    def document_info(self) -> DocumentInfo:
        return self.document or _document_info(None, self.province_name, self.province_short,
                                               self.consolidator_code, self.consolidator_name)

    def deadline(self, period: Period) -> date:
        """The deadline of a period: its own date if configured, else the kind's day/month."""
        if period.code in self.period_deadlines:
            return self.period_deadlines[period.code]
        day, month = self.deadlines[period.kind]
        return date(period.year, month, day)

    def units_for_indicator(self, code: str) -> list[Unit]:
        return [u for u in self.units.values() if code in u.indicators]

    def placeholder_units(self) -> list[Unit]:
        """Units with an address still to be filled in: they are never mailed at it."""
        return [u for u in self.units.values() if any(is_placeholder(e) for e in u.emails)]


def _parse_day_month(text: str, where: str) -> tuple[int, int]:
    m = re.match(r"^\s*(\d{1,2})/(\d{1,2})\s*$", str(text))
    if not m:
        raise ConfigError(f"{where}: hạn nộp phải có dạng ngày/tháng, ví dụ 25/11 (gặp {text!r})")
    day, month = int(m.group(1)), int(m.group(2))
    try:
        date(2024, month, day)            # a leap year: 29/02 is a date, 31/02 is not
    except ValueError:
        raise ConfigError(f"{where}: {text!r} không phải là một ngày có thật") from None
    return day, month


def parse_config(data: dict, catalogue: Catalogue | None = None, source: Path | None = None) -> ProvinceConfig:
    """Build and check a ProvinceConfig from its YAML structure."""
    catalogue = catalogue or load_catalogue()
    try:
        units: dict[str, Unit] = {}
        for raw in data["units"]:
            code = str(raw["code"]).strip()
            unknown = [c for c in raw.get("indicators", []) if str(c) not in catalogue.indicators]
            if unknown:
                raise ConfigError(f"Đơn vị {code}: mã chỉ tiêu không có trong danh mục: {', '.join(unknown)}")
            if code in units:
                raise ConfigError(f"Mã đơn vị {code} bị khai báo hai lần")
            units[code] = Unit(
                code=code,
                name=raw["name"],
                kind=raw.get("kind", "department"),
                emails=tuple(e.strip().lower() for e in raw.get("emails", [])),
                indicators=tuple(str(c) for c in raw.get("indicators", [])),
                area=str(raw["area"]) if raw.get("area") else None,
                note=raw.get("note", ""),
            )
        areas = {str(a["code"]): Area(str(a["code"]), a["name"]) for a in data["areas"]}
        province = data["province"]
        if str(province["code"]) not in areas:
            raise ConfigError("Danh sách địa bàn phải có mã của cả tỉnh")
        deadlines = {k: _parse_day_month(v, f"deadlines.{k}") for k, v in data["deadlines"].items()}
        period_deadlines = {}
        for code, spec in (data.get("periods") or {}).items():
            Period.parse(code)
            if spec and spec.get("deadline"):
                d, m = _parse_day_month(spec["deadline"], f"periods.{code}.deadline")
                period_deadlines[code] = date(Period.parse(code).year, m, d)
        sched = data.get("schedule") or {}
        consolidator = data["consolidator"]
        multi_unit = {str(code): str(rule) for code, rule in (data.get("multi_unit") or {}).items()}
        for code, rule in multi_unit.items():
            if code not in catalogue.indicators:
                raise ConfigError(f"multi_unit: mã chỉ tiêu {code} không có trong danh mục")
            if rule != "sum" and (rule not in units or code not in units[rule].indicators):
                raise ConfigError(f"multi_unit.{code}: ghi “sum” (cộng phần của các đơn vị) hoặc mã một đơn vị được "
                                  f"giao chỉ tiêu {code} (gặp {rule!r})")
        return ProvinceConfig(
            province_code=str(province["code"]),
            province_name=province["name"],
            province_short=province.get("short", province["name"]),
            consolidator_code=consolidator["code"],
            consolidator_name=consolidator["name"],
            consolidator_email=consolidator["email"].lower(),
            timezone=data.get("timezone", "Asia/Ho_Chi_Minh"),
            deadlines=deadlines,
            period_deadlines=period_deadlines,
            periods=tuple(str(p) for p in (data.get("periods") or {})),
            units=units,
            areas=areas,
            schedule=Schedule(
                run_days_before=int(sched.get("run_days_before", 5)),
                run_time=str(sched.get("run_time", "07:00")),
                reminder_days_before=tuple(int(d) for d in sched.get("reminder_days_before", (7, 2))),
            ),
            source=source,
            document=_document_info(data.get("document"), province["name"], province.get("short", province["name"]),
                                    consolidator["code"], consolidator["name"]),
            multi_unit=multi_unit,
        )
    except KeyError as exc:
        raise ConfigError(f"Tệp cấu hình thiếu mục {exc.args[0]!r}") from exc
    except (TypeError, AttributeError) as exc:   # a list where a mapping belongs, a number for a name…
        raise ConfigError(f"Tệp cấu hình có mục viết sai dạng: {exc}") from exc


# libyaml's loader when PyYAML was built with it: a national configuration (hundreds of communes) loads
# in milliseconds instead of a quarter of a second, twice per run
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: Path | str = DEFAULT_CONFIG) -> ProvinceConfig:
    """Read a province configuration file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp cấu hình {path}: {os_reason(exc)}") from exc
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        raise ConfigError(f"Tệp cấu hình {path} viết sai cú pháp YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"Tệp cấu hình {path} không có nội dung dạng mục: giá trị (YAML)")
    units_path, unit_rows = None, None
    if data.get("units_file") and "units" not in data:
        from tonghop.scaffold import read_units_xlsx    # openpyxl only for a province that keeps its units in Excel

        units_path = path.parent / str(data["units_file"])
        data["units"], unit_rows = read_units_xlsx(units_path)
    config = replace(parse_config(data, source=path), units_source=units_path)
    check_official(data, text, path, units_path, unit_rows)
    return config


MAX_LISTED = 20   # mismatches listed one a line; a file typed from another province's list has hundreds


def check_official(data: dict, text: str, path: Path, units_path: Path | None = None,
                   unit_rows: list[int] | None = None) -> None:
    """ConfigError naming each line (of the YAML, or of the units' workbook) whose province, area or commune
    disagrees with the official list.

    `check_official_list: false` turns it off, for generated test rounds whose communes are made up.
    """
    from tonghop.provinces import SOURCE, official_mismatches   # the package's list loads only when needed

    if data.get("check_official_list", True) is False:
        return
    found = official_mismatches(data)
    if not found:
        return
    root = yaml.compose(text, Loader=SAFE_LOADER)

    def locate(where: tuple) -> tuple[str, int]:
        if units_path is not None and unit_rows is not None and where[0] == "units":
            return f"{units_path.name}, ", unit_rows[where[1]]
        return "", _yaml_line(root, where)

    located = sorted((*locate(where), message) for where, message in found)
    lines = [f"  {file}dòng {line}: {message}" for file, line, message in located[:MAX_LISTED]]
    more = [f"  … và {len(found) - MAX_LISTED} chỗ khác"] if len(found) > MAX_LISTED else []
    raise ConfigError("\n".join([f"Tệp cấu hình {path} không khớp {SOURCE}:", *lines, *more]))


def _yaml_line(node: yaml.Node, where: tuple) -> int:
    """The line (from 1) of the value at `where` (keys and list indexes), or of the nearest enclosing one."""
    for step in where:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            child = node.value[step]
        else:
            child = None
        if child is None:
            break
        node = child
    return node.start_mark.line + 1
