"""Read numbers the way Vietnamese offices write them (1.234 / 45,5 / 12 500 / 45,5%) and print them back."""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_THOUSANDS_DOT = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3}){2,}$")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_COMMA_THREE = re.compile(r"^[1-9]\d{0,2},\d{3}$")


class NotANumber(ValueError):
    """The cell holds something that is not a number (text, a date, an error value)."""


def parse_number(raw: object) -> float | None:
    """A cell's content as a float; None when the cell is empty; NotANumber when it is not a number.

    Text rules, Vietnamese first: with both '.' and ',' the last one is the decimal mark; '.' followed by
    groups of three digits is a thousands separator (1.234 = 1234); a single ',' is the decimal comma
    (45,5); spaces inside digits are thousands separators (12 500); a trailing % is dropped (45,5% = 45.5).
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and (math.isnan(raw) or math.isinf(raw)):
            raise NotANumber(str(raw))
        return float(raw)
    if isinstance(raw, (datetime, date, time, timedelta)):
        raise NotANumber(str(raw))
    text = str(raw).strip()
    if text == "" or text in {"-", "–", "—"}:
        return None
    text = _SPACES.sub("", text)
    if text.endswith("%"):
        text = text[:-1]
    if "." in text and "," in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif _THOUSANDS_DOT.match(text):
        text = text.replace(".", "")
    elif _THOUSANDS_COMMA.match(text):
        text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    if not _PLAIN.match(text):
        raise NotANumber(str(raw))
    value = float(text)
    if math.isinf(value):
        raise NotANumber(str(raw))
    return value


def comma_readings(raw: object) -> tuple[float, float] | None:
    """Both readings of a text like '1,250' (one comma, exactly three digits after it): (1250, 1.25), the comma
    read as a thousands separator and as the decimal comma; None for anything else (numbers included: a cell
    Excel holds as a number has no such doubt)."""
    if not isinstance(raw, str):
        return None
    text = _SPACES.sub("", raw.strip())
    if not _COMMA_THREE.match(text):
        return None
    return float(text.replace(",", "")), float(text.replace(",", "."))


def format_vi(value: float | int | None, decimals: int = 2, *, signed: bool = False) -> str:
    """A number as Vietnamese readers write it: 8.400 / 45,5 / 1.234,56 (no trailing zeros); signed: a change,
    +2,11 / -1,4 / 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    rounded = round(float(value), decimals)
    sign = "+" if signed and rounded > 0 else ""
    if rounded == int(rounded):
        return sign + f"{int(rounded):,}".replace(",", ".")
    whole, frac = f"{rounded:,.{decimals}f}".split(".")
    return sign + whole.replace(",", ".") + "," + frac.rstrip("0")


def format_size(size: int) -> str:
    """A file size as a sender reads it: '26 MB' from one mebibyte up, '1.234 byte' below."""
    return f"{format_vi(size / 2**20, 0)} MB" if size >= 2**20 else f"{format_vi(size)} byte"
