"""Prefect deployments from the schedule plan: a round, a mailbox and a reminder deployment per period, served together."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from tonghop.config import DEFAULT_CONFIG, load_config
from tonghop.round.schedule import FETCH_FLOW, REMINDER_FLOW, ROUND_FLOW, PlannedDeployment, plan_deployments


def _default_flows() -> dict[str, Flow]:
    # Imported here so that planning and tests need neither flow module.
    from flows.mailbox import fetch_round_mail
    from flows.reminders import send_reminders
    from flows.round import consolidate_round

    return {ROUND_FLOW: consolidate_round, FETCH_FLOW: fetch_round_mail, REMINDER_FLOW: send_reminders}


def build_deployment(planned: PlannedDeployment, flow: Flow) -> RunnerDeployment:
    """The Prefect deployment of one planned entry (not registered yet)."""
    if flow.name != planned.flow_name:
        raise ValueError(f"flow {flow.name!r} cannot serve {planned.full_name!r}")
    schedules = [
        # No slug: when the plan changes (a moved deadline), re-applying replaces every schedule of the
        # deployment; with slugs Prefect would only patch matching ones and keep an old month's string.
        Cron(c, timezone=planned.timezone, active=planned.active, parameters=dict(planned.schedule_parameters))
        for c in planned.crons
    ]
    return flow.to_deployment(
        name=planned.name,
        schedules=schedules,
        parameters=dict(planned.parameters),
        description=planned.description,
        tags=list(planned.tags),
        # A module path ("flows.round.consolidate_round") loads the same whatever folder `serve` runs in.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def build_deployments(planned: list[PlannedDeployment], flows: dict[str, Flow] | None = None,
                      ) -> list[RunnerDeployment]:
    """Deployments for the whole plan; `flows` maps flow name to flow (default: the project's three flows)."""
    flows = flows if flows is not None else _default_flows()
    return [build_deployment(p, flows[p.flow_name]) for p in planned if p.flow_name in flows]


def plan_from_config(config_path: str | Path | None, inbox: str | Path, out: str | Path,
                     db_url: str | None = None, now: datetime | None = None) -> list[PlannedDeployment]:
    path = Path(config_path) if config_path else DEFAULT_CONFIG
    return plan_deployments(load_config(path), inbox, out, db_url=db_url, config_path=path, now=now)


def apply_all(config_path: str | Path | None, inbox: str | Path, out: str | Path, db_url: str | None = None,
              flows: dict[str, Flow] | None = None) -> list[str]:
    """Register (create or update) the deployments without serving them; returns their full names."""
    planned = plan_from_config(config_path, inbox, out, db_url)
    for deployment in build_deployments(planned, flows):
        deployment.apply()
    return [p.full_name for p in planned if flows is None or p.flow_name in flows]


def prefect_server_problem(timeout: float = 5) -> str | None:
    """Why `serve` cannot run here (Vietnamese, one line), or None. Without PREFECT_API_URL Prefect would start
    a temporary server of its own that forgets every schedule when the command stops."""
    import urllib.request

    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        return ("Chưa cấu hình máy chủ Prefect (PREFECT_API_URL), nên không có nơi giữ lịch chạy. Hãy chạy "
                "`prefect server start` ở một cửa sổ khác, rồi `prefect config set "
                "PREFECT_API_URL=http://127.0.0.1:4200/api`, rồi chạy lại `tonghop serve`.")
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout) as answer:
            if answer.status == 200:
                return None
    except (OSError, ValueError):
        pass
    return (f"Không kết nối được máy chủ Prefect {url} (PREFECT_API_URL): máy chủ chưa chạy hoặc sai địa chỉ. "
            "Hãy chạy `prefect server start` ở một cửa sổ khác (hoặc sửa PREFECT_API_URL), rồi chạy lại "
            "`tonghop serve`.")


def serve_all(config_path: str | Path | None, inbox: str | Path, out: str | Path, db_url: str | None = None,
              flows: dict[str, Flow] | None = None, limit: int | None = None) -> None:
    """Register every planned deployment and run them from this process until stopped (Ctrl+C).

    The plan (which schedules are active) is made now, so restart after editing the configuration.
    On stop, Prefect pauses the schedules; the next `serve_all` turns them back on.
    """
    deployments = build_deployments(plan_from_config(config_path, inbox, out, db_url), flows)
    serve(*deployments, limit=limit)
