"""Who may receive a unit's mail: only the addresses registered for it in the province configuration."""
from __future__ import annotations

import re

from tonghop.config import ProvinceConfig, Unit, is_placeholder

# A plain ASCII mailbox: dot-atom local part, a domain of at least two labels. Deliberately stricter than
# RFC 5322 (no quoted local parts, no IP literals, no comments): every registered office address fits,
# and the stdlib parser, which raises odd errors on odd input, never sees what a file typed.
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")


def valid_address(text: str | None) -> str | None:
    """The bare address, lower-cased, or None when it is not one plain mailbox (no name, no list, no CR/LF)."""
    if not isinstance(text, str):
        return None
    text = text.strip().lower()
    if len(text) > 254 or not _ADDRESS.fullmatch(text):
        return None
    return text


def unit_addresses(unit: Unit) -> list[str]:
    """The unit's registered addresses that can be mailed: valid, once each, never a placeholder."""
    return list(dict.fromkeys(a for a in (valid_address(e) for e in unit.emails) if a and not is_placeholder(a)))


def recipients_for(unit_code: str | None, typed_email: str | None, config: ProvinceConfig) -> list[str]:
    """The unit's registered addresses, the typed one first when it is registered; [] for an unknown unit.

    An address typed in the file is never added: a file must not be able to make the system mail a
    stranger. The caller sends a notice to the data officer when this returns [].
    """
    unit = config.units.get((unit_code or "").strip())
    if unit is None:
        return []
    registered = unit_addresses(unit)
    typed = valid_address(typed_email)
    if typed in registered:
        registered.remove(typed)
        registered.insert(0, typed)
    return registered


MAX_NAMED = 10   # units named in the warning; the rest counted


def placeholder_warning(config: ProvinceConfig) -> str | None:
    """The officer's words naming who is not mailed because an address is still the placeholder; None if nobody."""
    units = config.placeholder_units()
    said = []
    if units:
        named = [f"{u.code} ({u.name})" for u in units[:MAX_NAMED]]
        if len(units) > MAX_NAMED:
            named.append(f"và {len(units) - MAX_NAMED} đơn vị khác")
        said.append(f"Không gửi thư tới địa chỉ email còn để mẫu (chưa điền) của {len(units)} đơn vị: "
                    f"{', '.join(named)}.")
    if is_placeholder(config.consolidator_email):
        said.append(f"Không gửi thư tổng hợp và thông báo cần xử lý cho {config.consolidator_name}: địa chỉ email "
                    f"của đơn vị tổng hợp (consolidator) còn để mẫu.")
    if not said:
        return None
    where = (config.units_source or config.source)
    return " ".join(said + [f"Điền địa chỉ thật trong {where.name if where else 'tệp cấu hình'} rồi chạy lại."])
