"""Prefect deployments from the plan: built locally, registered on a real Prefect server, served and rerun by hand."""
from __future__ import annotations

import asyncio
import dataclasses
import importlib
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from prefect_server import STAND_INS, prefect_server, serving
from tonghop.config import DEFAULT_CONFIG
from tonghop.round.schedule import next_runs, plan_deployments

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OCT_2025 = datetime(2025, 10, 1, tzinfo=VN)


def test_build_deployments(config, tmp_path):
    from flows.deployments import build_deployments

    planned = plan_deployments(config, tmp_path / "inbox", tmp_path / "out", now=OCT_2025)
    built = {d.name: d for d in build_deployments(planned, flows=STAND_INS)}
    y = built["son-la-2025-Y-truoc-han"]
    assert y.flow_name == "tong-hop" and y.entrypoint == "prefect_server.stand_in_round"
    assert [(s.schedule.cron, s.schedule.timezone, s.active, s.parameters) for s in y.schedules] == [
        ("0 7 20-25 11 *", "Asia/Ho_Chi_Minh", True, {"trigger": "schedule"})]
    assert y.parameters["period"] == "2025-Y" and y.parameters["trigger"] == "deployment"
    assert "tong-hop" in y.tags and "2025-Y" in y.tags and "25/11/2025" in y.description
    f = built["son-la-2025-Y-lay-thu"]
    assert f.flow_name == "lay-thu" and f.entrypoint == "prefect_server.stand_in_fetch"
    assert [(s.schedule.cron, s.schedule.timezone, s.active, s.parameters) for s in f.schedules] == [
        ("*/10 * 20-25 11 *", "Asia/Ho_Chi_Minh", True, {"trigger": "schedule"})]
    assert f.parameters == y.parameters and "lay-thu" in f.tags
    r = built["son-la-2025-Y-nhac-nop"]
    assert [s.schedule.cron for s in r.schedules] == ["0 7 18,23 11 *"] and r.parameters["today"] is None
    assert not any(s.active for s in built["son-la-2025-H1-truoc-han"].schedules)


def test_our_next_runs_match_prefect_cron(config, tmp_path):
    """Our small cron iterator and Prefect's own schedule agree on the strings we emit, timezone included."""
    from prefect.server.schemas.schedules import CronSchedule

    crossing = dataclasses.replace(config, deadlines={"H1": (3, 6), "Y": (2, 12)})
    for cfg in (config, crossing):
        for p in plan_deployments(cfg, tmp_path, tmp_path, now=OCT_2025):
            year = p.period.year               # cron has no year: compare within the period's own year
            start = datetime(year, 1, 1, tzinfo=VN)
            ours = next_runs(p, start, count=20)
            theirs = sorted(
                d for c in p.crons
                for d in asyncio.run(CronSchedule(cron=c, timezone=p.timezone).get_dates(
                    n=20, start=start, end=datetime(year, 12, 31, tzinfo=VN)))
            )[:20]        # each string's first 20 hold the first 20 of all (a fetch fires more than 20 times a month)
            assert [t.timestamp() for t in ours] == [t.timestamp() for t in theirs], p.name


def test_real_flows_accept_the_parameters(config, tmp_path):
    """The real flows (flows/round.py, flows/mailbox.py, flows/reminders.py) take every parameter set the plan
    passes, unchanged, adding only their own defaults; a broken import of the flows fails here, it is not a skip."""
    from prefect.exceptions import SignatureMismatchError

    from flows.deployments import _default_flows
    from flows.mailbox import fetch_round_mail
    from flows.reminders import send_reminders
    from flows.round import consolidate_round

    flows = _default_flows()
    assert flows.keys() == {"tong-hop", "lay-thu", "nhac-nop-bao-cao"}
    assert flows["tong-hop"] is consolidate_round and flows["nhac-nop-bao-cao"] is send_reminders
    assert flows["lay-thu"] is fetch_round_mail
    planned = plan_deployments(config, tmp_path, tmp_path, now=OCT_2025)
    assert {p.flow_name for p in planned} == set(flows)
    for p in planned:
        given = {**p.parameters, **p.schedule_parameters}
        validated = flows[p.flow_name].validate_parameters(given)
        assert {k: validated[k] for k in given} == given, p.name
        defaults = {k: v for k, v in validated.items() if k not in given}
        assert defaults == ({"lock_wait_seconds": 0, "start_over": False} if p.flow_name == "tong-hop" else {}), p.name
        with pytest.raises(SignatureMismatchError):
            flows[p.flow_name].validate_parameters({**given, "not_a_parameter": 1})


# ---- against a real Prefect server ---------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with prefect_server(tmp_path_factory.mktemp("prefect-server")) as srv:
        yield srv


@pytest.fixture
def prefect_api(server):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: server.url}):
        yield server


# Periods listed by code, so these tests plan 2025's deployments whatever the year they run in (the shipped
# rule plans last, this and next year's periods: see test_schedule).
LISTED = {p: {} for p in ("2025-H1", "2025-Y", "2026-H1", "2026-Y")}


def write_config(path: Path, *, deadlines: dict[str, str] | None = None, periods: dict | None = None) -> Path:
    """The Sơn La configuration with other deadlines or periods."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    if deadlines is not None:
        data["deadlines"] = deadlines
    if periods is not None:
        data["periods"] = periods
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def server_schedules(full_name: str) -> list[tuple[str, str, bool, dict]]:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        d = await client.read_deployment_by_name(full_name)
        return sorted((s.schedule.cron, s.schedule.timezone, s.active, s.parameters) for s in d.schedules)


@pytest.mark.prefect_server
def test_deployments_on_server(prefect_api, tmp_path):
    from flows.deployments import apply_all
    from prefect.client.orchestration import get_client

    config = write_config(tmp_path / "listed.yaml", periods=LISTED)
    names = apply_all(config, tmp_path / "inbox", tmp_path / "out", flows=STAND_INS)
    assert sorted(names) == sorted(f"{flow}/son-la-{p}-{kind}" for p in ("2025-H1", "2025-Y", "2026-H1", "2026-Y")
                                   for flow, kind in (("tong-hop", "truoc-han"), ("lay-thu", "lay-thu"),
                                                      ("nhac-nop-bao-cao", "nhac-nop")))

    async def read(name):
        async with get_client() as client:
            return await client.read_deployment_by_name(name)

    y = asyncio.run(read("tong-hop/son-la-2025-Y-truoc-han"))
    assert y.parameters["period"] == "2025-Y" and y.parameters["inbox"] == str((tmp_path / "inbox").resolve())
    assert y.entrypoint == "prefect_server.stand_in_round" and "tong-hop" in y.tags
    # 2025 is past (these tests run from 2026 on): kept for reruns, schedules inactive.
    active = datetime.now(VN) < datetime(2025, 11, 25, 7, tzinfo=VN)
    assert asyncio.run(server_schedules("tong-hop/son-la-2025-Y-truoc-han")) == [
        ("0 7 20-25 11 *", "Asia/Ho_Chi_Minh", active, {"trigger": "schedule"})]
    assert [s[0] for s in asyncio.run(server_schedules("nhac-nop-bao-cao/son-la-2025-Y-nhac-nop"))] == [
        "0 7 18,23 11 *"]
    assert asyncio.run(server_schedules("lay-thu/son-la-2025-Y-lay-thu")) == [
        ("*/10 * 20-25 11 *", "Asia/Ho_Chi_Minh", active, {"trigger": "schedule"})]

    # A deadline moved in the config, applied again: the schedules are replaced, not added to.
    moved = write_config(tmp_path / "moved.yaml", deadlines={"H1": "20/05", "Y": "02/12"}, periods=LISTED)
    apply_all(moved, tmp_path / "inbox", tmp_path / "out", flows=STAND_INS)
    assert [s[0] for s in asyncio.run(server_schedules("tong-hop/son-la-2025-Y-truoc-han"))] == [
        "0 7 1-2 12 *", "0 7 27-30 11 *"]
    apply_all(config, tmp_path / "inbox", tmp_path / "out", flows=STAND_INS)
    assert [s[0] for s in asyncio.run(server_schedules("tong-hop/son-la-2025-Y-truoc-han"))] == ["0 7 20-25 11 *"]


@pytest.mark.prefect_server
def test_server_schedules_the_coming_period(prefect_api, tmp_path):
    # Fails with SQLAlchemy 2.1: Prefect 3.8's scheduler cannot insert runs ("Can't evaluate bulk DML
    # statement" on FlowRun.state), so no scheduled run would ever happen; SQLAlchemy must stay < 2.1.
    """A period whose deadline is 3 days away: the server creates its runs at our times, as 'schedule' runs."""
    from flows.deployments import apply_all, plan_from_config
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    deadline = datetime.now(VN).date() + timedelta(days=3)
    code = f"{deadline.year}-Y"
    cfg = write_config(tmp_path / "soon.yaml", periods={code: {"deadline": f"{deadline:%d/%m}"}})
    planned = next(p for p in plan_from_config(cfg, tmp_path, tmp_path) if p.kind == "round")
    assert planned.active
    apply_all(cfg, tmp_path, tmp_path, flows=STAND_INS)
    expected = next_runs(planned, datetime.now(VN), count=3)

    async def scheduled():
        async with get_client() as client:
            d = await client.read_deployment_by_name(planned.full_name)
            runs = await client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[d.id])))
            return sorted(runs, key=lambda r: r.expected_start_time)

    deadline_wait = time.monotonic() + 60
    runs = []
    while time.monotonic() < deadline_wait:
        runs = asyncio.run(scheduled())
        if len(runs) >= len(expected):
            break
        time.sleep(1)
    assert runs, f"the Prefect server created no scheduled runs; its errors:\n{prefect_api.errors()}"
    assert [r.expected_start_time.timestamp() for r in runs[:3]] == [t.timestamp() for t in expected]
    assert all(r.parameters["trigger"] == "schedule" and r.parameters["period"] == code for r in runs)


def wait_served(name: str, db_url: str, log: Path, timeout: float = 90) -> None:
    """Until `serve` has registered `name` with this test's database (a previous test's may be there)."""
    from prefect.client.orchestration import get_client

    async def served() -> bool:
        async with get_client() as client:
            try:
                d = await client.read_deployment_by_name(name)
            except Exception:  # noqa: BLE001 - not registered yet
                return False
            return d.parameters.get("db_url") == db_url

    wait_until = time.monotonic() + timeout
    while not asyncio.run(served()):
        assert time.monotonic() < wait_until, log.read_text()[-3000:]
        time.sleep(1)


@pytest.mark.prefect_server
def test_manual_rerun_of_served_deployment(prefect_api, tmp_path):
    """`prefect deployment run 'tong-hop/son-la-2025-Y-truoc-han' -p period=2025-Y`, through the Python API."""
    from prefect.deployments import run_deployment

    from tonghop.config import Period
    from tonghop.round.runs import acquire_lock, list_runs, lock_scope, release_lock, start_run
    from tonghop.store.db import open_db

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "syt.xlsx").write_bytes(b"")
    db_url = f"sqlite:///{tmp_path / 'tonghop.db'}"
    name = "tong-hop/son-la-2025-Y-truoc-han"
    with serving(prefect_api.url, ["stand-ins", str(write_config(tmp_path / "listed.yaml", periods=LISTED)), str(inbox),
                                   str(out), db_url],
                 tmp_path / "serve.log"):
        wait_served(name, db_url, tmp_path / "serve.log")
        run = run_deployment(name=name, parameters={"period": "2025-Y"}, timeout=180)
        log = (tmp_path / "serve.log").read_text()
        assert run.state is not None and run.state.is_completed(), (run.state, log[-3000:])
        assert run.name == "2025-Y-deployment"
        engine = open_db(db_url)
        try:
            last = list_runs(engine)[0]
            assert (last.period, last.trigger, last.outcome, last.files_seen) == ("2025-Y", "deployment",
                                                                                  "completed", 1)
            # While another run holds the period, a rerun is refused and recorded as such.
            y2025 = Period.parse("2025-Y")
            holder = start_run(engine, period=y2025, trigger="manual", parameters={})
            acquire_lock(engine, lock_scope("14", y2025), holder)
            try:
                refused = run_deployment(name=name, parameters={"period": "2025-Y", "trigger": "manual"},
                                         timeout=180)
            finally:
                release_lock(engine, lock_scope("14", y2025), holder)
            assert refused.state is not None and refused.state.is_failed()
            assert refused.name == "2025-Y-manual"
            last = list_runs(engine)[0]
            assert last.outcome == "refused" and f"lần chạy số {holder}" in last.message
        finally:
            engine.dispose()


@pytest.mark.prefect_server
def test_real_round_flow_served(prefect_api, tmp_path):
    """The real flows.round.consolidate_round, served by serve_all and rerun by hand on an empty inbox."""
    from prefect.deployments import run_deployment

    for name in ("flows.reminders", "flows.round"):      # a broken import of the real flows fails this test
        importlib.import_module(name)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    db_url = f"sqlite:///{tmp_path / 'tonghop.db'}"
    name = "tong-hop/son-la-2025-Y-truoc-han"
    with serving(prefect_api.url, ["real", str(write_config(tmp_path / "listed.yaml", periods=LISTED)), str(inbox),
                                   str(out), db_url],
                 tmp_path / "serve.log"):
        wait_served(name, db_url, tmp_path / "serve.log")
        run = run_deployment(name=name, parameters={"period": "2025-Y"}, timeout=240)
        log = (tmp_path / "serve.log").read_text()
        assert run.state is not None and run.state.is_completed(), (run.state, log[-3000:])
        assert run.name == "2025-Y-deployment"
