"""Province configuration (units, areas, periods, deadlines, schedule) loaded from a YAML file; numbers of settings."""
from __future__ import annotations

import gc
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from schemas.catalogue import Catalogue, load_catalogue
from tonghop.errors import ConfigError, os_reason

if TYPE_CHECKING:
    from tonghop.history_sheet import HistorySheet

PERIOD_RE = re.compile(r"^(\d{4})-(H1|Y)$")
PERIOD_NAMES = {"H1": "6 tháng đầu năm", "Y": "Năm"}
PERIOD_KINDS = ("H1", "Y")        # in the order of a year
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

    @property
    def start(self) -> date:
        """The first day the period covers (both kinds start with their year)."""
        return date(self.year, 1, 1)

    def sort_key(self) -> tuple[int, int]:
        return self.year, PERIOD_KINDS.index(self.kind)

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
    fetch_every_minutes: int = 10     # the mailbox deployment's interval on the round's days; 0 = none


@dataclass(frozen=True)
class PeriodRule:
    """Periods declared by rule: every year from `first_year`, each of `kinds` (`periods.every_year`)."""

    first_year: int
    kinds: tuple[str, ...] = PERIOD_KINDS

    def covers(self, period: Period) -> bool:
        return period.year >= self.first_year and period.kind in self.kinds

    @property
    def vi(self) -> str:
        kinds = " và ".join(PERIOD_NAMES[k].lower() for k in self.kinds)
        return f"{kinds} của mỗi năm từ năm {self.first_year}"


@dataclass(frozen=True)
class Signature:
    """Who signs the Word report: "KT. GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC" / the name (empty: signed by hand)."""

    authority: str = ""            # TM. / KT. / TL. line, upper case; empty when the head signs in own name
    title: str = "GIÁM ĐỐC"
    name: str = ""


@dataclass(frozen=True)
class Document:
    """The administrative parts of the Word report (Nghị định 30/2020/NĐ-CP); empty: derived from the province."""

    parent_body: str = ""          # "UBND TỈNH SƠN LA"
    issuing_body: str = ""         # "SỞ NỘI VỤ"
    symbol: str = ""               # "BC-SNV", after "Số: …/"
    place: str = ""                # "Sơn La", before ", ngày …"
    basis: tuple[str, ...] = ()    # what the report is made under ("Nghị quyết số 28/NQ-CP …")
    addressees: tuple[str, ...] = ()   # Kính gửi
    copies: tuple[str, ...] = ()       # Nơi nhận, before "Lưu: VT."
    archive: str = "VT"                # Lưu: VT, …
    signature: Signature = field(default_factory=Signature)


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
    document: Document = field(default_factory=Document)
    multi_unit: dict[str, str] = field(default_factory=dict)   # indicator → "sum" or the unit whose figure counts
    baseline_year: int | None = None           # e.g. 2020: the appendix and workbook also show that year's value
    history: HistorySheet | None = None      # earlier years' figures from `history_file` (history_sheet.py)

    period_rule: PeriodRule | None = None       # periods.every_year; `periods` holds the explicit ones

    def is_configured(self, period: Period) -> bool:
        return period.code in self.periods or (self.period_rule is not None and self.period_rule.covers(period))

    def periods_around(self, today: date) -> tuple[str, ...]:
        """The periods to schedule on `today`: every explicit one, and the rule's periods of last year, this
        year and next year (next year's runs and reminders exist without editing the configuration)."""
        codes = {Period.parse(c) for c in self.periods}
        if self.period_rule:
            for year in range(max(self.period_rule.first_year, today.year - 1), today.year + 2):
                codes.update(Period(year, k) for k in self.period_rule.kinds)
        return tuple(p.code for p in sorted(codes, key=Period.sort_key))

    def declared_vi(self) -> str:
        """The configured periods in words, for a message that refuses another one."""
        parts = [self.period_rule.vi] if self.period_rule else []
        if self.periods:
            parts.append(", ".join(sorted(self.periods, key=lambda c: Period.parse(c).sort_key())))
        return "; ".join(parts) or "không có kỳ nào"

    def check_run_period(self, period: Period, today: date) -> None:
        """ConfigError for a period a round must not run for: not configured, or not begun on `today` (a
        typo such as 2027-Y for 2026-Y would answer every unit "Sai kỳ báo cáo")."""
        where = f"tệp cấu hình {self.source}" if self.source else "cấu hình"
        if not self.is_configured(period):
            raise ConfigError(
                f"Kỳ {period.code} ({period.vi}) không có trong {where} (các kỳ đã khai báo: {self.declared_vi()}). "
                f"Chưa đọc tệp nào, chưa gửi thư nào: kiểm tra lại --period, hoặc khai báo kỳ này ở mục periods.")
        if today < period.start:
            raise ConfigError(
                f"Kỳ {period.code} ({period.vi}) chưa bắt đầu: kỳ bắt đầu ngày {period.start:%d/%m/%Y}, "
                f"hôm nay là {today:%d/%m/%Y}. Chưa đọc tệp nào, chưa gửi thư nào: kiểm tra lại --period "
                f"(có gõ nhầm năm không?).")

    def document_info(self) -> Document:
        """The configured document parts (Nghị định 30), each empty one derived from the province and Sở Nội vụ:
        the one place both the Word report and the Ministry workbook take their heading and signer from."""
        doc, province = self.document, self.province_name[:1].lower() + self.province_name[1:]
        return Document(
            parent_body=doc.parent_body or f"UBND {self.province_name.upper()}",
            issuing_body=doc.issuing_body or self.consolidator_name.upper(),
            symbol=doc.symbol or f"BC-{self.consolidator_code}",
            place=doc.place or self.province_short,
            basis=doc.basis,
            addressees=doc.addressees or (f"Ủy ban nhân dân {province}",),
            copies=doc.copies or ("Như trên",),
            archive=doc.archive,
            signature=doc.signature)

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


RULE_KEY = "every_year"


def _parse_rule(spec) -> PeriodRule | None:
    """`periods.every_year: {from: 2025, kinds: [H1, Y]}` (kinds default to both)."""
    if spec is None:
        return None
    where = f"periods.{RULE_KEY}"
    if not isinstance(spec, dict) or "from" not in spec:
        raise ConfigError(f"{where} phải có dạng {{from: 2025, kinds: [H1, Y]}} (gặp {spec!r})")
    first = spec["from"]
    if not isinstance(first, int) or not 2000 <= first <= 2100:
        raise ConfigError(f"{where}.from phải là một năm, ví dụ 2025 (gặp {first!r})")
    kinds = tuple(str(k) for k in spec.get("kinds", PERIOD_KINDS))
    wrong = [k for k in kinds if k not in PERIOD_KINDS]
    if wrong or not kinds:
        raise ConfigError(f"{where}.kinds chỉ gồm H1 (6 tháng đầu năm) và Y (năm) (gặp {', '.join(wrong) or 'danh sách rỗng'})")
    return PeriodRule(first, tuple(k for k in PERIOD_KINDS if k in kinds))


def _parse_baseline(raw) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not re.fullmatch(r"\d{4}", str(raw).strip()):
        raise ConfigError(f"baseline_year phải là một năm, ví dụ 2020 (gặp {raw!r})")
    return int(str(raw).strip())


def parse_config(data: dict, catalogue: Catalogue | None = None, source: Path | None = None) -> ProvinceConfig:
    """Build and check a ProvinceConfig from its YAML structure."""
    catalogue = catalogue or load_catalogue()
    try:
        # each step in the order the sections were always checked: the first fault found is the one reported
        units = _parse_units(data["units"], catalogue)
        areas = {str(a["code"]): Area(str(a["code"]), a["name"]) for a in data["areas"]}
        province = data["province"]
        if str(province["code"]) not in areas:
            raise ConfigError("Danh sách địa bàn phải có mã của cả tỉnh")
        deadlines = {k: _parse_day_month(v, f"deadlines.{k}") for k, v in data["deadlines"].items()}
        declared = dict(data.get("periods") or {})
        rule = _parse_rule(declared.pop(RULE_KEY, None))
        period_deadlines = _parse_period_deadlines(declared)
        sched = data.get("schedule") or {}
        consolidator = data["consolidator"]
        doc = data.get("document") or {}
        sig = doc.get("signature") or {}
        multi_unit = _parse_multi_unit(data.get("multi_unit") or {}, catalogue, units)
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
            periods=tuple(str(p) for p in declared),
            units=units,
            areas=areas,
            schedule=_parse_schedule(sched),
            source=source,
            period_rule=rule,
            document=_parse_document(doc, sig),
            multi_unit=multi_unit,
            baseline_year=_parse_baseline(data.get("baseline_year")),
        )
    except KeyError as exc:
        raise ConfigError(f"Tệp cấu hình thiếu mục {exc.args[0]!r}") from exc
    except (TypeError, AttributeError) as exc:   # a list where a mapping belongs, a number for a name…
        raise ConfigError(f"Tệp cấu hình có mục viết sai dạng: {exc}") from exc


def _parse_units(raw_units: list, catalogue: Catalogue) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for raw in raw_units:
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
    return units


def _parse_period_deadlines(declared: dict) -> dict[str, date]:
    """The deadline of each period declared with one (`periods:` without its rule)."""
    period_deadlines = {}
    for code, spec in declared.items():
        Period.parse(str(code))
        if spec and spec.get("deadline"):
            d, m = _parse_day_month(spec["deadline"], f"periods.{code}.deadline")
            period_deadlines[str(code)] = date(Period.parse(str(code)).year, m, d)
    return period_deadlines


def _parse_multi_unit(raw: dict, catalogue: Catalogue, units: dict[str, Unit]) -> dict[str, str]:
    """Indicator -> "sum" or the one unit whose figure stands, for indicators several units report."""
    multi_unit = {str(code): str(how) for code, how in raw.items()}
    for code, how in multi_unit.items():
        if code not in catalogue.indicators:
            raise ConfigError(f"multi_unit: mã chỉ tiêu {code} không có trong danh mục")
        if how != "sum" and (how not in units or code not in units[how].indicators):
            raise ConfigError(f"multi_unit.{code}: ghi “sum” (cộng phần của các đơn vị) hoặc mã một đơn vị được "
                              f"giao chỉ tiêu {code} (gặp {how!r})")
    return multi_unit


def _parse_schedule(sched: dict) -> Schedule:
    return Schedule(
        run_days_before=int(sched.get("run_days_before", 5)),
        run_time=str(sched.get("run_time", "07:00")),
        reminder_days_before=tuple(int(d) for d in sched.get("reminder_days_before", (7, 2))),
        fetch_every_minutes=int(sched.get("fetch_every_minutes", 10)),
    )


def _parse_document(doc: dict, sig: dict) -> Document:
    return Document(
        parent_body=str(doc.get("parent_body") or ""), issuing_body=str(doc.get("issuing_body") or ""),
        symbol=str(doc.get("symbol") or ""), place=str(doc.get("place") or ""),
        basis=tuple(str(b) for b in doc.get("basis") or ()),
        addressees=tuple(str(a) for a in doc.get("addressees") or ()),
        copies=tuple(str(c) for c in doc.get("copies") or ()), archive=str(doc.get("archive") or "VT"),
        signature=Signature(authority=str(sig.get("authority") or ""),
                            title=str(sig.get("title") or "GIÁM ĐỐC"), name=str(sig.get("name") or "")),
    )


# libyaml's loader when PyYAML was built with it: a national configuration (hundreds of communes) loads
# in milliseconds instead of a quarter of a second, twice per run
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_data(text: str):
    """The YAML's data, loaded with the cyclic garbage collector paused. Every node of a configuration (tens of
    thousands for a hundred communes) lives until the document is built, so the collector, run by their
    number, moved them all to its oldest generation; in a national run's flow process (a quarter of a million
    long-lived objects: Prefect, SQLAlchemy) that set off a full collection (~150 ms) every two or three
    provinces, which profiles showed as yaml.load itself. The nodes hold no cycles: freed when the load ends."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    finally:
        if collecting:   # left as found: another thread may have paused it for the same reason
            gc.enable()


def load_config(path: Path | str = DEFAULT_CONFIG) -> ProvinceConfig:
    """Read a province configuration file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp cấu hình {path}: {os_reason(exc)}") from exc
    try:
        data = _yaml_data(text)
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
    if data.get("history_file"):
        from tonghop.history_sheet import read_history_sheet   # only for a province that keeps one

        config = replace(config, history=read_history_sheet(path.parent / str(data["history_file"]),
                                                            load_catalogue()))
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


def env_number(env: Mapping[str, str], name: str, kind: type, default):
    """A positive number from an environment variable (TONGHOP_SMTP_PORT, TONGHOP_WORKERS…), `default` when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} phải là một số (gặp {raw!r})") from exc
    if value <= 0:
        raise ConfigError(f"{name} phải lớn hơn 0 (gặp {raw!r})")
    return value
