"""A real Prefect server in a subprocess (`prefect server start`, its own PREFECT_HOME, a free loopback port),
for the benchmark and for the tests that need a server as production has one."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

PREFECT = Path(sys.executable).with_name("prefect")


@dataclass(frozen=True)
class Server:
    url: str        # the API URL, for PREFECT_API_URL
    log: Path       # the server's output, for failure messages

    def errors(self, limit: int = 3000) -> str:
        """The end of the server's output from its first traceback on, or '' if it logged none."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        at = text.find("Traceback")
        return text[at:at + limit] if at >= 0 else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as resp:
            return resp.status == 200 and json.loads(resp.read() or b"null") is True
    except (OSError, ValueError):
        return False


def stop(proc: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM to the process group (started with start_new_session: the server and the workers it started),
    SIGKILL after `grace` seconds."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)


@contextmanager
def prefect_server(home: Path, timeout: float = 180, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start a server on a free loopback port; yields it; always stops it. `env` adds server settings."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    full_env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING", **(env or {})}
    full_env.pop("PREFECT_API_URL", None)
    log_path = home / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=home, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while not healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Prefect server did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
            yield Server(url, log_path)
        finally:
            stop(proc)
