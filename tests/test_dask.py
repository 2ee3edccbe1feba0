"""Scale-out: the round's batch step (tonghop.round.ingest.process_batch) as Prefect tasks on a Dask LocalCluster of two
worker processes, storing a generated inbox; every submission stored exactly once. Also the runner selection."""
from __future__ import annotations

import functools
import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

pytestmark = pytest.mark.full   # starts a Dask cluster of worker processes

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from flows.runners import MIN_FILES, describe, task_runner  # noqa: E402
from tonghop.config import Period, load_config  # noqa: E402
from tonghop.errors import ConfigError  # noqa: E402
from tonghop.round.ingest import batches, discover_inbox, process_batch  # noqa: E402
from tonghop.store import open_db  # noqa: E402
from tonghop.store.models import Submission  # noqa: E402


@functools.cache
def _engine(db_url: str):
    """One engine per worker process (an Engine cannot cross processes; its URL can)."""
    return open_db(db_url)


@task(name="doc-va-kiem-tra-lo-dask", cache_policy=NO_CACHE)
def read_validate_store_batch(batch, db_url: str, config, period_code: str) -> list[tuple[str, str, int, int]]:
    from distributed import get_worker

    checked = process_batch(batch, _engine(db_url), config, Period.parse(period_code))
    n_workers = len(get_worker().client.scheduler_info()["workers"])
    return [(c.parsed.path.name, c.report.status, os.getpid(), n_workers) for c in checked]


@flow(name="tong-hop-dask-thu")
def dask_round(inbox: str, db_url: str, config_path: str, period: str, batch_size: int) -> list[tuple[str, str, int, int]]:
    config = load_config(config_path)
    open_db(db_url).dispose()          # migrate once here, not concurrently in every worker
    files = discover_inbox(inbox)
    futures = [read_validate_store_batch.submit(b, db_url, config, period) for b in batches(files, batch_size)]
    return [row for f in futures for row in f.result()]


def test_batches_run_on_two_dask_worker_processes_and_store_each_submission_once(prefect_harness, tmp_path, db_url):
    from tonghop_dev.generate_round import generate_round

    made = generate_round(tmp_path / "round", provinces=1, communes_per_province=9, mistakes=0.3, seed=11)[0]
    runner = task_runner("dask", workers=2)
    assert runner.cluster_kwargs == {"n_workers": 2, "threads_per_worker": 1, "processes": True}
    rows = dask_round.with_options(task_runner=runner)(str(made.inbox), db_url, str(made.config_path), "2025-Y", 4)

    expected = {f["file"]: f["status"] for f in made.files}
    assert sorted((name, status) for name, status, _pid, _n in rows) == sorted(expected.items())
    assert os.getpid() not in {pid for _name, _status, pid, _n in rows}     # read in the workers' processes
    assert {n for *_rest, n in rows} == {2}                                  # a cluster of two workers
    engine = open_db(db_url)
    with Session(engine) as s:
        stored = s.execute(select(Submission.file_name, func.count()).group_by(Submission.file_name)).all()
    engine.dispose()
    assert dict(stored) == {name: 1 for name in expected}


def test_runner_selection(monkeypatch):
    for name in ("TONGHOP_TASK_RUNNER", "TONGHOP_DASK_ADDRESS", "TONGHOP_DASK_WORKERS", "TONGHOP_THREADS",
                 "TONGHOP_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert describe(task_runner()) == f"WorkerProcesses (2 processes from {MIN_FILES} new files)"
    monkeypatch.setenv("TONGHOP_WORKERS", "3")        # asked for: workers whatever the number of files
    assert describe(task_runner()) == "WorkerProcesses (3 processes from 0 new files)"
    monkeypatch.setenv("TONGHOP_WORKERS", "1")        # no worker process: the flow's own thread
    assert describe(task_runner()) == "ThreadPoolTaskRunner (1 thread)"
    monkeypatch.setenv("TONGHOP_WORKERS", "0")
    with pytest.raises(ConfigError, match=r"^TONGHOP_WORKERS phải lớn hơn 0 \(gặp '0'\)$"):
        task_runner()
    monkeypatch.delenv("TONGHOP_WORKERS")
    monkeypatch.setenv("TONGHOP_THREADS", "3")
    assert describe(task_runner()) == "ThreadPoolTaskRunner (3 threads)"
    monkeypatch.setenv("TONGHOP_DASK_ADDRESS", "tcp://10.0.0.5:8786")
    runner = task_runner()
    assert type(runner).__name__ == "DaskTaskRunner" and runner.address == "tcp://10.0.0.5:8786"
    monkeypatch.delenv("TONGHOP_DASK_ADDRESS")
    monkeypatch.setenv("TONGHOP_TASK_RUNNER", "dask")
    monkeypatch.setenv("TONGHOP_DASK_WORKERS", "4")
    assert describe(task_runner()) == "DaskTaskRunner (LocalCluster, 4 workers)"
    assert describe(task_runner("thread", threads=2)) == "ThreadPoolTaskRunner (2 threads)"
    with pytest.raises(ConfigError, match=r"^Bộ chạy tác vụ không hợp lệ: 'ray' \(chọn một trong: process, thread, dask\)$"):
        task_runner("ray")
    monkeypatch.setenv("TONGHOP_DASK_WORKERS", "0")
    with pytest.raises(ConfigError, match=r"^TONGHOP_DASK_WORKERS phải lớn hơn 0 \(gặp '0'\)$"):
        task_runner()
    monkeypatch.setenv("TONGHOP_DASK_WORKERS", "hai")
    with pytest.raises(ConfigError, match=r"^TONGHOP_DASK_WORKERS phải là một số \(gặp 'hai'\)$"):
        task_runner()


def test_worker_processes_take_the_steps_of_a_flow_run_once_its_files_reach_min_files():
    from flows.runners import WorkerProcesses, batch_size

    runner = WorkerProcesses(max_workers=2, min_files=400)
    with runner:
        # provinces of 115 and 230 new files: done in the flow's process; queueing never starts the workers
        assert [batch_size(runner, 115, 100), batch_size(runner, 115, 100, start=False), batch_size(runner, 230, 100)
                ] == [None, None, None]
        runner.expect(0)       # a national round's guess below min_files starts nothing either
        assert (runner.offered, runner.running) == (345, False)
        # the next province brings the run to 460 files: handed out, a share for each worker
        assert (batch_size(runner, 115, 100), runner.offered, runner.running) == (58, 460, False)
        assert batch_size(runner, 4000, 100) == 100
        # a national round with more provinces in flight than workers: each province's step in few tasks, balanced
        runner.streams = 3
        assert [batch_size(runner, n, 100) for n in (115, 400, 401, 1000)] == [115, 400, 201, 334]
    assert batch_size(None, 4000, 100) is None
    assert batch_size(ThreadPoolTaskRunner(max_workers=1), 3, 100) == 100


def test_while_the_workers_import_one_step_at_a_time_is_done_in_the_flow_process():
    import threading

    from flows.runners import WorkerProcesses

    runner = WorkerProcesses(max_workers=2)
    with runner:
        before = runner.claim_here()                     # no workers expected: every step goes to them
        runner._warming = threading.Event()              # as `expect` leaves it while the fork server imports
        first, second = runner.claim_here(), runner.claim_here()
        runner.release_here()
        again = runner.claim_here()
        runner.release_here()
        runner._warming.set()                            # a worker answered
        after = runner.claim_here()
    assert (before, first, second, again, after) == (False, True, False, True, False)


def test_a_worker_takes_its_flow_processs_environment_not_the_fork_servers():
    import os
    import subprocess
    import sys

    code = ("import os\n"
            "os.environ['TONGHOP_SMTP_PORT'] = '1'\n"       # as left by the flow run that started the fork server
            "from flows.runners import _prepare_worker\n"
            "flow_env = {k: v for k, v in os.environ.items() if k != 'TONGHOP_SMTP_PORT'} | {'TONGHOP_X': 'y'}\n"
            "_prepare_worker(os.getpid(), flow_env)\n"
            "print('TONGHOP_SMTP_PORT' in os.environ, os.environ['TONGHOP_X'], dict(os.environ) == flow_env)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api"}).stdout
    assert out.split() == ["False", "y", "True"]


def test_a_worker_makes_the_tls_context_of_a_ca_file_once_and_an_unverified_one_each_time():
    import subprocess
    import sys

    code = ("import certifi, ssl, prefect.client.orchestration as o\n"
            "from flows.runners import _one_tls_context_per_process\n"
            "_one_tls_context_per_process()\n"
            "a, b = o.ssl.create_default_context(cafile=certifi.where()), o.ssl.create_default_context(cafile=certifi.where())\n"
            "c, d = o.ssl.create_default_context(), o.ssl.create_default_context()\n"
            "print(a is b, c is d, isinstance(a, o.ssl.SSLContext), a.verify_mode == ssl.CERT_REQUIRED, ssl.create_default_context is not o.ssl.create_default_context)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False", "True", "True", "True"]


def test_a_worker_builds_prefects_settings_once_per_flow_context_and_environment():
    import subprocess
    import sys

    code = ("import os\n"
            "os.environ['PREFECT_API_URL'] = 'http://127.0.0.1:9/api'\n"
            "import prefect.context as c\n"
            "from flows.runners import _one_settings_per_process\n"
            "ctx = c.serialize_context()\n"
            "with c.hydrated_context(ctx): real = c.SettingsContext.get().settings\n"
            "_one_settings_per_process()\n"
            "def hydrated():\n"
            "    with c.hydrated_context(ctx): return c.SettingsContext.get().settings\n"
            "a, b = hydrated(), hydrated()\n"
            "os.environ['PREFECT_LOGGING_LEVEL'] = 'ERROR'\n"
            "d = hydrated()\n"
            "print(a is b, a is not d, a.model_dump() == real.model_dump(), str(a.api.url))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True", "http://127.0.0.1:9/api"]


def test_a_steps_arguments_are_sealed_from_prefects_walks_and_the_task_gets_the_values():
    import pickle

    from prefect.utilities.collections import visit_collection

    from flows.runners import Sealed, opened, sealed

    args = ([1, 2], "sqlite:///x.db", {"units": {"A": 1}})
    packed = sealed(args)
    visited: list = []
    visit_collection(packed, visit_fn=visited.append, return_data=False)
    assert (visited, pickle.loads(pickle.dumps(packed))) == ([packed, *packed], packed)
    assert [type(a) for a in packed] == [Sealed, Sealed, Sealed]
    step = opened(lambda batch, url, config=None: (batch, url, config))
    assert step(*packed[:2], config=packed[2]) == args       # as Prefect calls it
    assert step(*args) == args                                # and as a caller does, unsealed
