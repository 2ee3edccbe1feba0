"""The national round as one flow run: each province's round (its configuration, database, output folder, lock)
in the same flow run, so Prefect's fixed cost of a run and the workers' start are paid once."""
from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.context import FlowRunContext

from flows.round import province_round
from flows.runners import WorkerProcesses, worker_processes
from tonghop.config import Period
from tonghop.errors import TonghopError
from tonghop.round.ingest import inbox_paths


# Provinces in flight at once, beyond one per worker process: each province's thread hands its files and then its
# consolidated reports to the workers and waits; one more than the workers keeps them fed while this process does
# a province's own share (hashing its inbox, its messages and summary). More would only queue behind the same
# workers and hold more provinces in memory.
AT_ONCE = 2


def in_flight(runner: Any) -> int:
    """How many provinces run at once under the flow run's task runner."""
    return runner.workers + 1 if isinstance(runner, WorkerProcesses) else AT_ONCE


def new_files_estimate(rounds: list[dict[str, str | None]], period: Period) -> int:
    """Files in the provinces' inboxes beyond those their last summary counted: told to the worker processes
    before any province starts, so that a national round with many new files starts them for its first province
    instead of doing its first MIN_FILES files here (a guess for that choice only; each province still reads
    exactly the files it finds new)."""
    total = 0
    for r in rounds:
        inbox = Path(str(r["inbox"]))
        try:
            count = len(inbox_paths(inbox))
        except OSError:
            continue                      # said by the province's own round
        summary = Path(r.get("out") or "outputs") / period.code / "summary.json"
        try:
            count -= int(json.loads(summary.read_text(encoding="utf-8")).get("files_in_inbox", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            pass                          # no earlier run here: every file is new
        total += max(count, 0)
    return total


class Summary(Mapping):
    """One province's summary as the national flow returns it, read like the dict it holds. Prefect walks every
    list and dict a flow returns, looking for futures to resolve (resolve_futures_to_states): a national round's
    summaries list every file and submission, ~180,000 items for 4,000 files, half a second of a rerun. It does
    not walk into other objects."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Summary({self._data!r})"

    def __reduce__(self):   # pickled as its dict (Prefect may persist a flow's result)
        return type(self), (self._data,)


class ProvincesFailed(TonghopError):
    """Some provinces' rounds could not be done; the others were (their summaries ride along, for the caller)."""

    def __init__(self, message: str, summaries: list[dict[str, Any]]):
        super().__init__(message)
        self.summaries = summaries

    def __reduce__(self):   # pickled with its summaries (Prefect may keep a flow's exception in its state)
        return type(self), (str(self), self.summaries)


@flow(name="tong-hop-nhieu-tinh", flow_run_name="{period}-nhieu-tinh-{trigger}", validate_parameters=True,
      task_runner=worker_processes())
def consolidate_many(period: str, rounds: list[dict[str, str | None]], trigger: str = "manual") -> dict[str, Any]:
    """Tổng hợp nhiều tỉnh trong một lần chạy: mỗi mục của `rounds` là một tỉnh, với config_path, inbox, out và
    db_url riêng. Tỉnh không có tệp mới chỉ đọc lại danh sách tệp. Một tỉnh lỗi không dừng các tỉnh khác."""
    logger = get_run_logger()
    p = Period.parse(period)       # a mistyped period is said once, not once per province

    def one(r: dict[str, str | None]) -> dict[str, Any]:
        where = r.get("out") or r.get("inbox") or "?"
        try:
            return province_round(p, str(r["inbox"]), r.get("out") or "outputs", r.get("db_url"),
                                  r.get("config_path"), trigger)
        except TonghopError as exc:     # one province's problem (its folder, database, lock) is said and skipped
            logger.error("Tỉnh có kết quả tại %s chưa tổng hợp được: %s", where, exc)
            return {"period": p.code, "out": where, "error": str(exc)}

    runner = FlowRunContext.get().task_runner
    if isinstance(runner, WorkerProcesses):
        runner.expect(new_files_estimate(rounds, p))
        runner.streams = min(in_flight(runner), len(rounds))
    # each thread runs in a copy of this flow run's context: its logger, its task runner, its tasks' parent
    with ThreadPoolExecutor(max_workers=in_flight(runner), thread_name_prefix="tinh") as pool:
        futures = [pool.submit(contextvars.copy_context().run, one, r) for r in rounds]
        summaries = [f.result() for f in futures]
    failed = [f"{s['out']}: {s['error']}" for s in summaries if "error" in s]
    if failed:
        raise ProvincesFailed(f"{len(failed)}/{len(rounds)} tỉnh chưa tổng hợp được (các tỉnh khác đã xong): "
                              + "; ".join(failed), summaries)
    return {"period": p.code, "provinces": [Summary(s) for s in summaries]}
