"""A real IMAP server for tests: a private Dovecot on a loopback port (Maildir, passwd-file users), messages
placed in the Maildir with their arrival times (Dovecot takes INTERNALDATE from the file's mtime)."""
from __future__ import annotations

import itertools
import os
import pwd
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from smtp_server import free_port

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = tonghop-test-{port}
log_path = {root}/dovecot.log
ssl = {ssl}
{ssl_files}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd.d/%u
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
  }}
}}
"""


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or (str(Path("/usr/sbin/dovecot")) if Path("/usr/sbin/dovecot").exists() else None)


@dataclass
class Account:
    server: "Dovecot"
    user: str
    password: str

    @property
    def maildir(self) -> Path:
        return self.server.root / "mail" / self.user / "Maildir"

    def plant(self, raw: bytes, arrived: datetime) -> Path:
        """Deliver one message as the server's LDA would, arrived at `arrived` (its INTERNALDATE)."""
        n = next(self.server.counter)
        name = f"{int(arrived.timestamp())}.M{n}P{os.getpid()}.tonghop"
        tmp, new = self.maildir / "tmp" / name, self.maildir / "new" / name
        tmp.write_bytes(raw)
        stamp = arrived.timestamp()
        os.utime(tmp, (stamp, stamp))
        self.server.own(tmp)
        os.replace(tmp, new)
        return new

    def env(self, security: str = "none") -> dict[str, str]:
        port = self.server.ssl_port if security == "ssl" else self.server.port
        return {"TONGHOP_IMAP_HOST": "127.0.0.1", "TONGHOP_IMAP_PORT": str(port), "TONGHOP_IMAP_USER": self.user,
                "TONGHOP_IMAP_PASSWORD": self.password, "TONGHOP_IMAP_SECURITY": security}


class Dovecot:
    """One private Dovecot instance under `root`; stop() ends it (by its own pid file)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port, self.ssl_port = free_port(), free_port()
        self.counter = itertools.count(1)
        if os.geteuid() == 0:
            # Dovecot never runs mail processes as root; the package creates these users
            self.user, self.group, self.login = "dovecot", "dovecot", "dovenull"
        else:
            me = pwd.getpwuid(os.geteuid()).pw_name
            self.user, self.group, self.login = me, me, me

    def own(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, self.user, self.group)

    def start(self) -> "Dovecot":
        for d in ("run", "state", "mail"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        self.own(self.root / "mail")
        key, cert = self.root / "key.pem", self.root / "cert.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        (self.root / "passwd.d").mkdir()
        conf = self.root / "dovecot.conf"
        conf.write_text(CONFIG.format(root=self.root, port=self.port, ssl_port=self.ssl_port, ssl="yes",
                                      ssl_files=f"ssl_cert = <{cert}\nssl_key = <{key}",
                                      user=self.user, group=self.group, login=self.login))
        self.cert = cert
        subprocess.run([dovecot_binary(), "-c", str(conf)], check=True)
        deadline = time.monotonic() + 20
        import socket
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"Dovecot did not start: {(self.root / 'dovecot.log').read_text(errors='replace')}")

    def account(self) -> Account:
        user, password = f"u{uuid.uuid4().hex[:10]}@sonla.test", uuid.uuid4().hex
        # a file per account: Dovecot rereads a changed passwd-file only when its mtime moves on by a second
        passwd = self.root / "passwd.d" / user
        passwd.write_text(f"{user}:{{PLAIN}}{password}\n")
        passwd.chmod(0o644)
        home = self.root / "mail" / user
        for d in ("", "Maildir", "Maildir/new", "Maildir/cur", "Maildir/tmp"):
            (home / d).mkdir(exist_ok=True)
            self.own(home / d)
        return Account(self, user, password)

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
