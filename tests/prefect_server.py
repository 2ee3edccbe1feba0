"""Test helpers: a real Prefect server in a subprocess, stand-in flows with the real names, and a serve entry point."""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from prefect import flow

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
from tonghop_dev.prefect_server import Server, prefect_server as start_server, stop


@flow(name="tong-hop", flow_run_name="{period}-{trigger}")
def stand_in_round(period: str, inbox: str, out: str, db_url: str | None = None, config_path: str | None = None,
                   trigger: str = "manual") -> dict:
    """The signature of flows.round.consolidate_round; records itself as a locked run, as the real one should."""
    from tonghop.config import Period, load_config
    from tonghop.round.runs import lock_scope, tracked_run
    from tonghop.store.db import default_db_url, open_db

    config = load_config(config_path) if config_path else load_config()
    engine = open_db(db_url or default_db_url(Path(out)))
    params = {"period": period, "inbox": inbox, "out": out, "trigger": trigger}
    p = Period.parse(period)
    with tracked_run(engine, scope=lock_scope(config.province_code, p), period=p, trigger=trigger,
                     parameters=params, started_by="prefect") as run:
        run.files_seen = len(list(Path(inbox).glob("*.xlsx"))) if Path(inbox).is_dir() else 0
        run.message = "stand-in"
    engine.dispose()
    return {"period": period, "trigger": trigger, "run_id": run.run_id}


@flow(name="nhac-nop-bao-cao", flow_run_name="nhac-{period}")
def stand_in_reminders(period: str, db_url: str, out: str, config_path: str | None = None,
                       today: str | None = None) -> str:
    """The signature of flows.reminders.send_reminders."""
    return period


@flow(name="lay-thu", flow_run_name="{period}-{trigger}")
def stand_in_fetch(period: str, inbox: str, out: str = "outputs", db_url: str | None = None,
                   config_path: str | None = None, trigger: str = "manual") -> dict:
    """The signature of flows.mailbox.fetch_round_mail."""
    return {"period": period, "trigger": trigger}


STAND_INS = {"tong-hop": stand_in_round, "lay-thu": stand_in_fetch, "nhac-nop-bao-cao": stand_in_reminders}


@contextmanager
def prefect_server(home: Path, timeout: float = 120) -> Iterator[Server]:
    """The benchmark's server, scheduling runs within seconds of a deployment's creation, not after a minute."""
    with start_server(home, timeout, env={"PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2"}) as srv:
        yield srv


@contextmanager
def serving(api_url: str, args: list[str], log_path: Path) -> Iterator[subprocess.Popen]:
    """Run `python tests/prefect_server.py serve ARGS` (serve_all) until the block ends."""
    env = {**os.environ, "PREFECT_API_URL": api_url, "PREFECT_RUNNER_POLL_FREQUENCY": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)])}
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, str(Path(__file__)), "serve", *args], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        stop(proc)
        log.close()


def main(argv: list[str]) -> None:
    """serve stand-ins|real CONFIG INBOX OUT DB_URL"""
    if argv[:1] != ["serve"] or argv[1] not in ("stand-ins", "real"):
        raise SystemExit("usage: prefect_server.py serve stand-ins|real CONFIG INBOX OUT DB_URL")
    import prefect_server  # the module, not __main__: served flows must load by module path

    from flows.deployments import serve_all

    config_path, inbox, out, db_url = argv[2:6]
    flows = prefect_server.STAND_INS if argv[1] == "stand-ins" else None
    serve_all(config_path, inbox, out, db_url or None, flows=flows)


if __name__ == "__main__":
    main(sys.argv[1:])
