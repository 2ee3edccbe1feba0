"""IMAP settings from TONGHOP_IMAP_* environment variables; none set means "no mailbox: the inbox folder only"."""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from tonghop.config import env_number
from tonghop.errors import ConfigError
from tonghop.mail.settings import is_local_host

SECURITY_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
DEFAULT_TIMEOUT = 30.0
DEFAULT_KEYWORD = "TonghopDaNhan"
_ATOM = re.compile(r"[A-Za-z0-9_$.+-]{1,64}")       # an IMAP flag keyword: an atom without specials


@dataclass(frozen=True)
class ImapSettings:
    """Where the consolidator's mailbox is and how a taken message is marked there."""

    host: str
    port: int
    security: str                  # ssl | starttls | none (loopback only)
    user: str
    password: str
    folder: str = "INBOX"
    keyword: str = DEFAULT_KEYWORD   # set on a message once its files are saved and recorded
    taken_folder: str | None = None  # or: moved there (never deleted)
    timeout: float = DEFAULT_TIMEOUT
    cafile: str | None = None

    @property
    def mailbox(self) -> str:
        """The mailbox's identity in the database: a message is known by this, UIDVALIDITY and UID."""
        return f"{self.user}@{self.host}/{self.folder}"[:300]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "ImapSettings | None":
        """Read TONGHOP_IMAP_*; None when TONGHOP_IMAP_HOST is unset."""
        env = os.environ if env is None else env
        host = env.get("TONGHOP_IMAP_HOST", "").strip()
        if not host:
            return None
        security = env.get("TONGHOP_IMAP_SECURITY", "ssl").strip().lower() or "ssl"
        if security not in SECURITY_PORTS:
            raise ConfigError(f"TONGHOP_IMAP_SECURITY phải là ssl, starttls hoặc none (gặp {security!r})")
        if security == "none" and not is_local_host(host):
            # the password and every submission would cross the network in clear
            raise ConfigError("TONGHOP_IMAP_SECURITY=none chỉ dùng được với máy chủ trên chính máy này "
                              "(localhost); với máy chủ khác hãy đặt ssl hoặc starttls")
        user = env.get("TONGHOP_IMAP_USER", "").strip()
        password = env.get("TONGHOP_IMAP_PASSWORD", "")
        if not user or not password:
            raise ConfigError("Cần đặt TONGHOP_IMAP_USER và TONGHOP_IMAP_PASSWORD để đọc hộp thư "
                              f"{host} (với Gmail: địa chỉ Gmail và mật khẩu ứng dụng)")
        keyword = env.get("TONGHOP_IMAP_KEYWORD", "").strip() or DEFAULT_KEYWORD
        if not _ATOM.fullmatch(keyword):
            raise ConfigError(f"TONGHOP_IMAP_KEYWORD chỉ gồm chữ không dấu, số và _ $ . + - (gặp {keyword!r})")
        return cls(host=host, port=env_number(env, "TONGHOP_IMAP_PORT", int, SECURITY_PORTS[security]),
                   security=security, user=user, password=password,
                   folder=env.get("TONGHOP_IMAP_FOLDER", "").strip() or "INBOX", keyword=keyword,
                   taken_folder=env.get("TONGHOP_IMAP_TAKEN_FOLDER", "").strip() or None,
                   timeout=env_number(env, "TONGHOP_IMAP_TIMEOUT", float, DEFAULT_TIMEOUT),
                   cafile=env.get("TONGHOP_IMAP_CAFILE", "").strip() or None)
