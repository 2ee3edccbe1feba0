"""Task runner of a flow run: worker processes on one machine (the default), threads, or Dask — a local cluster or
a shared scheduler.

    TONGHOP_WORKERS=N                     worker processes of the default runner (default: one per CPU); 1 = none,
                                          every file is done in the flow's own process
    TONGHOP_TASK_RUNNER=process|thread|dask  which runner (dask is implied by TONGHOP_DASK_ADDRESS)
    TONGHOP_DASK_ADDRESS=tcp://host:8786  a running Dask scheduler whose workers run on other machines
    TONGHOP_DASK_WORKERS=N                size of the local cluster when no address is given (default: CPUs)
    TONGHOP_THREADS=N                     threads of the thread-pool runner (implies it; default: 1, see below)

A flow takes it with `consolidate_round.with_options(task_runner=task_runner())(...)`; only tasks that are
submitted (`.submit`, `.map`) use it, and with processes or Dask their arguments and results cross process
boundaries, so they must be picklable (a database URL, not an Engine).

Worker processes are started (forked from a fork server that imports tonghop and Prefect once, ~4 s) only once
the new files of a flow run reach MIN_FILES, unless TONGHOP_WORKERS asks for them explicitly: below that, one
process does the files sooner than workers can start. A national flow run (flows/many.py) guesses the new files of
all its provinces before the first starts (WorkerProcesses.expect: the workers start then, on a thread, while it
reads the first inboxes and does one province's steps itself), hands each worker a province's heavy steps (files,
messages, delivery, consolidated reports), and keeps its workers from one province to the next. A step's arguments
go Sealed, an object Prefect does not walk into.
"""
from __future__ import annotations

import functools
import os
import signal
import threading
import time
from typing import Any, Callable

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from tonghop.config import env_number
from tonghop.errors import ConfigError

ENV_RUNNER = "TONGHOP_TASK_RUNNER"
ENV_DASK_ADDRESS = "TONGHOP_DASK_ADDRESS"
ENV_DASK_WORKERS = "TONGHOP_DASK_WORKERS"
ENV_THREADS = "TONGHOP_THREADS"
ENV_WORKERS = "TONGHOP_WORKERS"
KINDS = ("process", "thread", "dask")
# new files of a run from which the default starts worker processes: their fork server takes ~4 s to import
# tonghop and Prefect (the benchmark's "worker start-up"), a file ~20 ms, so two workers pay for it at ~400 files
MIN_FILES = 400


# files per task of a national round whose provinces in flight outnumber the workers: each province's step is one
# task (or a few, balanced) since the other provinces keep the other workers busy; a task in a worker still costs
# some of Prefect's own work (its task run, its states sent to the server)
NATIONAL_BATCH = 400

PRELOAD = ["flows.preload"]   # what a worker needs: imported once, in the fork server, not in every worker


def _prepare_worker(parent: int, environ: dict[str, str] | None = None) -> None:
    """Each worker process, before any task: takes its flow process's environment, quits with it, and makes its TLS
    context and Prefect settings once."""
    if environ is not None:
        # forked from the fork server, a worker has the environment the server started with (an earlier flow
        # run's, in a long-lived process); Prefect only adds the flow's variables to it, never removes one
        os.environ.clear()
        os.environ.update(environ)
    _quit_with_parent(parent)
    _one_tls_context_per_process()
    _one_settings_per_process()


def _one_tls_context_per_process() -> None:
    """Prefect (3.8) makes two API clients for every task run in a worker, and each loads the CA bundle into a
    new TLS context: ~50 ms, a third of a task's own cost (py-spy of a national round). Every client of the
    process talks to the same API with the same settings, so the context for a given CA file is made once and
    shared (an SSLContext may serve many connections); the unverified branch (TLS_INSECURE_SKIP_VERIFY, which
    changes its context after making it) still gets a fresh one each time."""
    import ssl
    import types

    import prefect.client.orchestration as orchestration

    made: dict[tuple, ssl.SSLContext] = {}
    real = ssl.create_default_context

    def create_default_context(purpose=ssl.Purpose.SERVER_AUTH, *, cafile=None, capath=None, cadata=None):
        if cafile is None and capath is None and cadata is None:
            return real(purpose)
        key = (purpose, cafile, capath, cadata)
        if key not in made:
            made[key] = real(purpose, cafile=cafile, capath=capath, cadata=cadata)
        return made[key]

    shim = types.ModuleType("ssl")
    shim.__dict__.update(ssl.__dict__)
    shim.create_default_context = create_default_context
    orchestration.ssl = shim


def _one_settings_per_process() -> None:
    """Prefect (3.8) rebuilds its whole Settings object from the flow's serialized context for every task run in a
    worker (pydantic-settings validating some 300 fields and reading the environment): ~40 ms, 8 % of the
    workers' time in a national round (py-spy). Every task of a flow run carries the same settings, so the object
    is built once, the same way, per distinct settings and environment, and handed to Prefect ready made (a
    Settings instance is taken as it is)."""
    import json

    import prefect.context as context

    real = context.hydrated_context
    made: dict[str, Any] = {}

    def hydrated_context(serialized_context=None, client=None):
        wanted = (serialized_context or {}).get("settings_context")
        if isinstance(wanted, dict) and isinstance(wanted.get("settings"), dict):
            key = json.dumps([wanted, sorted((k, v) for k, v in os.environ.items() if k.startswith("PREFECT_"))],
                             sort_keys=True, default=str)
            if key not in made:
                made[key] = context.SettingsContext(**wanted).settings
            serialized_context = {**serialized_context, "settings_context": {**wanted, "settings": made[key]}}
        return real(serialized_context, client)

    context.hydrated_context = hydrated_context


def _quit_with_parent(parent: int) -> None:
    """In each worker process, before any task: Ctrl+C (the terminal signals the whole process group) ends the
    worker at once and quietly, as if killed: every file it stored is committed whole, and the rerun redoes
    the rest; a worker whose flow process is gone ends too, instead of finishing its batch for nobody."""
    signal.signal(signal.SIGINT, lambda *_: os._exit(130))

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:     # pragma: no cover - a pid reused by another user's process
                os._exit(1)

    threading.Thread(target=watch, name="tonghop-parent-watch", daemon=True).start()


class WorkerProcesses(ProcessPoolTaskRunner):
    """Prefect's process-pool runner with two changes: workers are forked from a fork server that imported
    tonghop and Prefect once (Prefect's runner spawns them: each worker importing both cost ~5 s of CPU, more
    than 200 files' work on 2 cores), and they end with their flow process (see _quit_with_parent). The fork
    server stays for the life of the flow's process, so a second flow run in it starts its workers in under a second
    (the benchmark's "worker start-up"). The round hands it steps once its flow run has offered `min_files` files (see batch_size)."""

    def __init__(self, max_workers: int | None = None, min_files: int = MIN_FILES, **kwargs: Any):
        super().__init__(max_workers=max_workers, **kwargs)
        self.min_files = min_files
        self.offered = 0
        self.streams = 1           # steps handed out at once (a national round: its provinces in flight)

    def duplicate(self) -> "WorkerProcesses":
        twin = WorkerProcesses(max_workers=self._max_workers, min_files=self.min_files)
        twin.subprocess_message_processor_factories = self.subprocess_message_processor_factories
        return twin

    @property
    def workers(self) -> int:
        return self._max_workers

    @property
    def running(self) -> bool:
        return self._executor is not None

    def __enter__(self) -> "WorkerProcesses":
        """Entered with no pool: it is made by the first task handed to it (see _start_pool), so a round done in
        the flow's own process touches no multiprocessing at all."""
        TaskRunner.__enter__(self)
        self._pool_lock = threading.Lock()
        self._here = threading.Lock()      # one step at a time done here while the workers import (claim_here)
        self._warming: threading.Event | None = None     # set once `expect`'s workers answer
        self.offered = 0           # files of the flow run's steps so far (see batch_size)
        self.streams = 1
        return self

    def expect(self, files: int) -> None:
        """Files the flow run will offer (a national round's guess before its provinces start): counted as offered;
        when the round is worth workers, they start now, importing (~2.5 s in the fork server) while this process
        reads the first provinces' inboxes and does their first steps (claim_here), instead of when the first
        step is handed out."""
        with self._pool_lock:
            self.offered += files
            if self.offered < self.min_files or self._executor is not None:
                return
            self._start_pool()
            self._warming = threading.Event()
            # a process is forked on a submit, and the first fork waits for the fork server's imports: on a thread
            threading.Thread(target=self._warm, args=(self._executor, self._warming), name="tonghop-warm-up",
                             daemon=True).start()

    def _warm(self, executor: Any, ready: threading.Event) -> None:
        calls = [executor.submit(os.getpid) for _ in range(self._max_workers)]     # one trivial call each
        calls[0].add_done_callback(lambda _: ready.set())

    def claim_here(self) -> bool:
        """Whether the caller may do its step in this process, because the workers `expect` started are still
        importing (this process has everything imported): one step at a time, until `release_here`, so that the
        first worker to answer finds the other provinces' steps waiting for it."""
        if self._warming is None or self._warming.is_set():
            return False
        return self._here.acquire(blocking=False)

    def release_here(self) -> None:
        self._here.release()

    def submit(self, task: Any, parameters: dict[str, Any], wait_for: Any = None, dependencies: Any = None) -> Any:
        with self._pool_lock:
            if self._executor is None:
                self._start_pool()
        return super().submit(task, parameters, wait_for=wait_for, dependencies=dependencies)

    def _start_pool(self) -> None:
        """ProcessPoolTaskRunner.__enter__ (Prefect 3.8) with the fork-server context instead of spawn (where there is
        one: not on Windows)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

        from prefect.task_runners import _initialize_process_pool_worker

        if "forkserver" in multiprocessing.get_all_start_methods():
            _quiet_resource_tracker()
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
        else:                           # Windows: no fork server; each worker spawned imports what it needs
            context = multiprocessing.get_context("spawn")
        self._subprocess_message_queue = context.Queue()
        self._message_forwarding_thread = threading.Thread(
            target=self._forward_subprocess_messages, name="ProcessPoolTaskRunnerMessageForwarder", daemon=True)
        self._message_forwarding_thread.start()
        try:
            self._executor = ProcessPoolExecutor(
                max_workers=self._max_workers, mp_context=context, initializer=_initialize_process_pool_worker,
                initargs=(self._subprocess_message_queue, _prepare_worker,
                          (os.getpid(), {**os.environ, **_ephemeral_api()})))
            self._resolver_executor = ThreadPoolExecutor(max_workers=self._max_workers)
        except Exception:
            if self._executor is not None:
                self._executor.shutdown(cancel_futures=True, wait=True)
                self._executor = None
            self._stop_message_forwarding()
            raise


class Sealed:
    """A step's argument as it is handed to Prefect: an object Prefect does not walk into. Prefect visits every
    parameter of a task where the task is handed out, then twice where it runs (resolving futures, recording
    inputs). quote() spares only the first: the process pool unwraps it before pickling, so the worker walked
    the values anyway. A province's configuration and a batch's reports are thousands of objects: for a province
    of 4,000 units, a fifth of the workers' time (py-spy). The task gets the value itself (`opened`)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __reduce__(self):
        return Sealed, (self.value,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.value == self.value

    def __repr__(self) -> str:
        return f"Sealed({type(self.value).__name__})"


def sealed(args: tuple) -> tuple:
    """The arguments of a step, each Sealed (under every runner: Dask pickles it as any object)."""
    return tuple(Sealed(a) for a in args)


def opened(step: Callable) -> Callable:
    """The task function with its Sealed arguments opened: called by Prefect or directly, it gets the values."""
    @functools.wraps(step)
    def run(*args: Any, **kwargs: Any) -> Any:
        return step(*(a.value if isinstance(a, Sealed) else a for a in args),
                    **{k: v.value if isinstance(v, Sealed) else v for k, v in kwargs.items()})
    return run


def _ephemeral_api() -> dict[str, str]:
    """PREFECT_API_URL of the temporary Prefect server this process started (no server configured): a worker told
    nothing started its own, and, ended by its pool without running its exit handlers, left it running (two
    servers of ~220 MB left behind by every such run with workers)."""
    if os.environ.get("PREFECT_API_URL"):
        return {}
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()        # the process's one temporary server (made, not started, if none)
    return {"PREFECT_API_URL": server.api_url} if server.running else {}


def _quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with its standard error on /dev/null. Ctrl+C ends the command at
    once (os._exit, flows/cli.py), before the pool's semaphores are released; the tracker then removes them, as
    it should, but also warns about them in English under the officer's one Vietnamese line."""
    from multiprocessing import resource_tracker

    saved = os.dup(2)
    try:
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)
        os.close(quiet)
        resource_tracker.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def batch_size(runner: TaskRunner | None, files: int, largest: int, *, start: bool = True) -> int | None:
    """Files per task when a step of `files` files is handed to the runner, None when the flow's own process does
    it. Threads and Dask take every step in batches of `largest` (as before). Worker processes take a step once
    the files offered to them in this flow run reach their `min_files` (in a national flow run, from the province
    that brings the total there on) — a step that is not worth starting them for (`start` False: queueing
    messages, ~2 ms a file) only when they run already — split so that every worker gets a share."""
    if isinstance(runner, WorkerProcesses):
        if start:
            with runner._pool_lock:     # a national flow run offers several provinces' files at once
                runner.offered += files
        if files < 2 or not (runner.running or (start and runner.offered >= runner.min_files)):
            return None
        if runner.streams > 1 and runner.streams >= runner.workers:
            # the other provinces in flight keep the other workers busy: few, large tasks, balanced
            return -(-files // -(-files // max(largest, NATIONAL_BATCH)))
        return max(1, min(largest, -(-files // runner.workers)))
    return None if runner is None else largest


def worker_processes(workers: int | None = None) -> TaskRunner:
    """The default runner: TONGHOP_WORKERS (or `workers`) processes, one per CPU when unset; one = no worker
    process at all (a thread of the flow's own process)."""
    asked = workers or _int_env(ENV_WORKERS)
    n = asked or os.cpu_count() or 1
    if n == 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return WorkerProcesses(max_workers=n, min_files=0 if asked else MIN_FILES)


def _int_env(name: str) -> int | None:
    """A positive whole number from the environment, None when unset; a one-line ConfigError otherwise."""
    return env_number(os.environ, name, int, None)


def task_runner(kind: str | None = None, *, address: str | None = None, workers: int | None = None,
                threads: int | None = None) -> TaskRunner:
    """The runner asked for by the arguments, else by the environment; worker processes by default."""
    address = address or os.environ.get(ENV_DASK_ADDRESS) or None
    implied = "dask" if address else "thread" if os.environ.get(ENV_THREADS, "").strip() else "process"
    kind = (kind or os.environ.get(ENV_RUNNER) or implied).strip().lower()
    if kind not in KINDS:
        raise ConfigError(f"Bộ chạy tác vụ không hợp lệ: {kind!r} (chọn một trong: {', '.join(KINDS)})")
    if kind == "process":
        return worker_processes(workers)
    if kind == "thread":
        # One thread by default: the batches are CPU-bound Python, so a second thread gains nothing under the GIL
        # and starves Prefect's own event loop (measured: a province of 115 files 35 ms/file with 1 thread,
        # 45-62 ms/file with 4). Parallelism comes from processes: the default runner, or Dask.
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
    if isinstance(runner, WorkerProcesses):
        return f"{name} ({runner.workers} processes from {runner.min_files} new files)"
    workers = getattr(runner, "_max_workers", None)
    return f"{name} ({workers} thread{'' if workers == 1 else 's'})" if workers else name
