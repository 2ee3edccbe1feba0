"""SMTP settings from TONGHOP_* environment variables; none set means "write .eml files instead"."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address, HeaderRegistry

from tonghop.config import ProvinceConfig, env_number
from tonghop.errors import ConfigError

SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand messages to the province's mail server."""

    host: str
    port: int
    security: str                  # starttls | ssl | none
    user: str | None
    password: str | None
    mail_from: str | None = None   # envelope sender; None: each message's own From address
    timeout: float = DEFAULT_TIMEOUT
    cafile: str | None = None      # a private CA's certificate, when the server's is not public

    @classmethod
    def from_env(cls, config: ProvinceConfig | None = None,
                 env: Mapping[str, str] | None = None) -> "SmtpSettings | None":
        """Read TONGHOP_SMTP_*; None when TONGHOP_SMTP_HOST is unset (the caller writes .eml files)."""
        env = os.environ if env is None else env
        host = env.get("TONGHOP_SMTP_HOST", "").strip()
        if not host:
            return None
        security = env.get("TONGHOP_SMTP_SECURITY", "starttls").strip().lower() or "starttls"
        if security not in SECURITY_PORTS:
            raise ConfigError(f"TONGHOP_SMTP_SECURITY phải là starttls, ssl hoặc none (gặp {security!r})")
        port = env_number(env, "TONGHOP_SMTP_PORT", int, SECURITY_PORTS[security])
        timeout = env_number(env, "TONGHOP_SMTP_TIMEOUT", float, DEFAULT_TIMEOUT)
        user = env.get("TONGHOP_SMTP_USER", "").strip() or None
        password = env.get("TONGHOP_SMTP_PASSWORD") or None
        if user and security == "none" and not is_local_host(host):
            # smtplib would send the password in clear over the network; refuse rather than leak it.
            raise ConfigError("Không gửi mật khẩu SMTP qua kết nối không mã hóa: đặt TONGHOP_SMTP_SECURITY=starttls hoặc ssl")
        mail_from = sender(config, env).addr_spec if (config or env.get("TONGHOP_MAIL_FROM", "").strip()) else None
        return cls(host=host, port=port, security=security, user=user, password=password,
                   mail_from=mail_from, timeout=timeout,
                   cafile=env.get("TONGHOP_SMTP_CAFILE", "").strip() or None)


def sender(config: ProvinceConfig | None, env: Mapping[str, str] | None = None) -> Address:
    """The From address: TONGHOP_MAIL_FROM if set, else the consolidator (e.g. Sở Nội vụ tỉnh Sơn La)."""
    env = os.environ if env is None else env
    raw = env.get("TONGHOP_MAIL_FROM", "").strip()
    if raw:
        try:
            parsed = HeaderRegistry()("From", raw).addresses
        except Exception as exc:  # noqa: BLE001 - any parse failure is a configuration error
            raise ConfigError(f"TONGHOP_MAIL_FROM không phải địa chỉ email hợp lệ: {raw!r}") from exc
        if len(parsed) != 1 or not parsed[0].domain:
            raise ConfigError(f"TONGHOP_MAIL_FROM phải là đúng một địa chỉ email (gặp {raw!r})")
        return parsed[0]
    if config is None:
        raise ConfigError("Cần TONGHOP_MAIL_FROM hoặc tệp cấu hình tỉnh để biết địa chỉ gửi thư")
    return Address(consolidator_full(config), addr_spec=config.consolidator_email)


def consolidator_full(config: ProvinceConfig) -> str:
    """'Sở Nội vụ tỉnh Sơn La': the office's name as it signs a letter."""
    province = config.province_name
    if province[:1].isupper() and province.split(" ", 1)[0] in ("Tỉnh", "Thành"):
        province = province[0].lower() + province[1:]   # "Tỉnh Sơn La" is written "tỉnh" mid-sentence
    return f"{config.consolidator_name} {province}"


def is_local_host(host: str) -> bool:
    return host in {"localhost", "127.0.0.1", "::1"}
