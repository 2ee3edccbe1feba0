"""Task runner of a flow run: threads on one machine (the default), or Dask — a local cluster or a shared scheduler.

    TONGHOP_TASK_RUNNER=thread|dask       which runner (dask is implied by TONGHOP_DASK_ADDRESS)
    TONGHOP_DASK_ADDRESS=tcp://host:8786  a running Dask scheduler whose workers run on other machines
    TONGHOP_DASK_WORKERS=N                size of the local cluster when no address is given (default: CPUs)
    TONGHOP_THREADS=N                     threads of the thread-pool runner (default: 1, see below)

A flow takes it with `consolidate_round.with_options(task_runner=task_runner())(...)`; only tasks that are
submitted (`.submit`, `.map`) use it, and with Dask their arguments and results cross process boundaries, so
they must be picklable (a database URL, not an Engine).
"""
from __future__ import annotations

import os

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

ENV_RUNNER = "TONGHOP_TASK_RUNNER"
ENV_DASK_ADDRESS = "TONGHOP_DASK_ADDRESS"
ENV_DASK_WORKERS = "TONGHOP_DASK_WORKERS"
ENV_THREADS = "TONGHOP_THREADS"
KINDS = ("thread", "dask")


def _int_env(name: str) -> int | None:
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError as exc:
        raise ValueError(f"{name} phải là số nguyên dương (gặp {text!r})") from exc
    if value < 1:
        raise ValueError(f"{name} phải là số nguyên dương (gặp {text!r})")
    return value


def task_runner(kind: str | None = None, *, address: str | None = None, workers: int | None = None,
                threads: int | None = None) -> TaskRunner:
    """The runner asked for by the arguments, else by the environment; ThreadPoolTaskRunner by default."""
    address = address or os.environ.get(ENV_DASK_ADDRESS) or None
    kind = (kind or os.environ.get(ENV_RUNNER) or ("dask" if address else "thread")).strip().lower()
    if kind not in KINDS:
        raise ValueError(f"Bộ chạy tác vụ không hợp lệ: {kind!r} (chọn một trong: {', '.join(KINDS)})")
    if kind == "thread":
        # One thread by default: the batches are CPU-bound Python, so a second thread gains nothing under the GIL
        # and starves Prefect's own event loop (measured: a province of 115 files 35 ms/file with 1 thread,
        # 45-62 ms/file with 4). Parallelism comes from processes: the Dask runner.
        return ThreadPoolTaskRunner(max_workers=threads or _int_env(ENV_THREADS) or 1)
    from prefect_dask import DaskTaskRunner   # optional dependency: only imported when asked for

    if address:
        return DaskTaskRunner(address=address)
    n = workers or _int_env(ENV_DASK_WORKERS) or os.cpu_count() or 2
    return DaskTaskRunner(cluster_kwargs={"n_workers": n, "threads_per_worker": 1, "processes": True})


def describe(runner: TaskRunner) -> str:
    """One line for logs: which runner, where."""
    name = type(runner).__name__
    address = getattr(runner, "address", None) or getattr(runner, "_requested_address", None)
    if address:
        return f"{name} ({address})"
    kwargs = getattr(runner, "cluster_kwargs", None)
    if kwargs:
        return f"{name} (LocalCluster, {kwargs.get('n_workers')} workers)"
    workers = getattr(runner, "_max_workers", None)
    return f"{name} ({workers} thread{'' if workers == 1 else 's'})" if workers else name
