"""The 34 provinces and 3,321 communes since 1/7/2025, with official codes, from the `vietnam-provinces` package."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

import vietnam_provinces as vnp
from vietnam_provinces import ProvinceCode, VietNamDivisionType, Ward

from schemas.labels import normalize_label
from tonghop.errors import ConfigError

NATIONAL_CODE = "VN"
SOURCE = f"danh mục đơn vị hành chính (gói vietnam-provinces {vnp.__version__})"

# The words people put before a name ("tỉnh Sơn La", "TP. Huế", "UBND xã Mường Bú"), diacritic-free.
_PROVINCE_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp)\s+")
_COMMUNE_PREFIX = re.compile(r"^(?:ubnd\s+)?(?:xa|phuong|dac khu)\s+")
KINDS = {VietNamDivisionType.XA: "xã", VietNamDivisionType.PHUONG: "phường", VietNamDivisionType.DAC_KHU: "đặc khu"}


@dataclass(frozen=True)
class Province:
    code: str        # "14"
    name: str        # "Tỉnh Sơn La", "Thành phố Hà Nội"
    short: str       # "Sơn La", "Hà Nội"
    slug: str        # "son-la"


@dataclass(frozen=True)
class Commune:
    code: str        # "03646": five digits, as in the official list
    name: str        # "Phường Tô Hiệu"
    kind: str        # "xã" | "phường" | "đặc khu"

    @property
    def unit_name(self) -> str:
        """The commune's People's Committee, which reports: 'UBND phường Tô Hiệu'."""
        return f"UBND {self.kind} {self.name[len(self.kind):].strip()}"


def fold(text: object) -> str:
    """Diacritic-free, lower-case, punctuation-free form of a name, for loose matching."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", normalize_label(text)).split())


def bare_province(text: object) -> str:
    """'Tỉnh Sơn La', 'tinh son la', 'TP. Hà Nội' → 'son la', 'ha noi'."""
    return _PROVINCE_PREFIX.sub("", fold(text))


def bare_commune(text: object) -> str:
    """'UBND phường Tô Hiệu', 'Phường Tô Hiệu', 'Tô Hiệu' → 'to hieu'."""
    return _COMMUNE_PREFIX.sub("", fold(text))


@lru_cache(maxsize=1)
def all_provinces() -> dict[str, Province]:
    """Code → province, in the official order."""
    out = {}
    for p in vnp.Province.iter_all():
        full = p.name if p.division_type is VietNamDivisionType.THANH_PHO_TRUNG_UONG else f"Tỉnh {p.name}"
        short = p.name.removeprefix("Thành phố ")
        out[f"{p.code.value:02d}"] = Province(f"{p.code.value:02d}", full, short, p.codename.replace("_", "-"))
    return out


PROVINCES: dict[str, str] = {code: p.name for code, p in all_provinces().items()}


def short_name(name: str) -> str:
    """'Tỉnh Sơn La' → 'Sơn La', 'Thành phố Hà Nội' → 'Hà Nội'."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def find_province(text: str) -> Province:
    """A province by code ('14') or name, with or without diacritics and 'tỉnh'/'thành phố'; ConfigError if none."""
    provinces = all_provinces()
    wanted = str(text).strip()
    if wanted.isdigit():
        found = provinces.get(f"{int(wanted):02d}")
        if found:
            return found
    else:
        by_name = {bare_province(p.name): p for p in provinces.values()}
        key = bare_province(wanted)
        if key in by_name:
            return by_name[key]
        near = difflib.get_close_matches(key, list(by_name), n=1, cutoff=0.6)
        if near:
            p = by_name[near[0]]
            raise ConfigError(f"Không có tỉnh, thành phố nào tên {wanted!r}. Có phải {p.name} (mã {p.code})?")
    raise ConfigError(f"Không có tỉnh, thành phố nào tên hoặc mã {wanted!r} trong {len(provinces)} tỉnh, thành phố "
                      f"từ 1/7/2025 (ví dụ: --province \"Sơn La\" hoặc --province 14)")


@lru_cache(maxsize=64)
def communes(province_code: str) -> tuple[Commune, ...]:
    """The province's communes (xã, phường, đặc khu) in the official list's order."""
    code = ProvinceCode(int(province_code))
    return tuple(Commune(f"{w.code.value:05d}", w.name, KINDS[w.division_type]) for w in Ward.iter_by_province(code))


@lru_cache(maxsize=64)
def communes_by_code(province_code: str) -> dict[str, Commune]:
    """Official code → commune, for one province."""
    return {c.code: c for c in communes(province_code)}


def _code_hint(raw: object) -> str:
    # YAML reads an unquoted 03646 as a number: the leading zero is lost (or it is read as octal)
    return " (viết mã trong ngoặc kép, ví dụ \"03646\")" if isinstance(raw, int) else ""


def official_mismatches(data: dict) -> list[tuple[tuple, str]]:
    """Where a configuration's province, areas and commune units disagree with the official list, as
    (path in the YAML structure, Vietnamese message); [] when they agree."""
    found: list[tuple[tuple, str]] = []
    raw_code = data["province"]["code"]
    province = all_provinces().get(str(raw_code).strip())
    if province is None:
        return [(("province", "code"), f"mã tỉnh \u201c{raw_code}\u201d không phải mã của tỉnh, thành phố nào "
                                        f"trong {SOURCE}{_code_hint(raw_code)}")]
    name = data["province"].get("name")
    if bare_province(name) != bare_province(province.name):
        found.append((("province", "name"), f"mã tỉnh {province.code} là {province.name}, không phải \u201c{name}\u201d"))
    official = communes_by_code(province.code)

    def check(path: tuple, who: str, code: object, name: object) -> None:
        commune = official.get(str(code).strip())
        if commune is None:
            found.append((path, f"{who}mã địa bàn \u201c{code}\u201d không phải mã của xã, phường, đặc khu nào "
                                f"của {province.name}{_code_hint(code)}"))
        elif bare_commune(name) != bare_commune(commune.name):
            found.append((path[:-1] + ("name",), f"{who}mã địa bàn {commune.code} là {commune.name}, "
                                                 f"không phải \u201c{name}\u201d"))

    for i, area in enumerate(data.get("areas") or []):
        if str(area.get("code")).strip() != province.code:
            check(("areas", i, "code"), "", area.get("code"), area.get("name"))
    for i, unit in enumerate(data.get("units") or []):
        if unit.get("kind") != "commune":
            continue
        who = f"đơn vị {unit.get('code')} ({unit.get('name')}): "
        if unit.get("area") in (None, ""):
            found.append((("units", i), f"{who}là xã, phường nhưng thiếu mã địa bàn (area)"))
        else:
            check(("units", i, "area"), who, unit.get("area"), unit.get("name"))
    return found
