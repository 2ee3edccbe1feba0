"""The national round as one flow run (flows/many.py): each province's summary and outputs are the ones the
province flow gives, and a rerun with nothing new reads nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.full   # generates provinces and runs whole rounds under a Prefect server

# times, ids and what depends on them (the fingerprint hashes submission ids)
VARYING = ("generated_at", "run_id", "database_id", "consolidated", "consolidation_fingerprint")


def comparable(summary: dict) -> dict:
    """A summary without what differs between two runs of the same files: times, ids and folder names."""
    out = {k: v for k, v in summary.items() if k not in VARYING}
    out["files"] = [{k: v for k, v in f.items() if k != "submission_id"} for f in summary["files"]]
    out["submissions"] = sorted(({k: v for k, v in s.items() if k != "id"} for s in summary["submissions"]),
                                key=lambda s: s["sha256"])
    return out


def outputs(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.suffix != ".db")


def test_many_provinces_in_one_flow_run_give_what_the_province_flow_gives(prefect_harness, tmp_path):
    from flows.many import consolidate_many
    from flows.round import consolidate_round
    from tonghop_dev.generate_round import generate_round

    made = generate_round(tmp_path / "gen", provinces=3, communes_per_province=2, limit=6)
    alone = {p.code: consolidate_round(period="2025-Y", inbox=str(p.inbox), out=str(tmp_path / "alone" / p.code),
                                       config_path=str(p.config_path), trigger="test") for p in made}
    rounds = [{"config_path": str(p.config_path), "inbox": str(p.inbox), "out": str(tmp_path / "many" / p.code),
               "db_url": f"sqlite:///{tmp_path / f'{p.code}.db'}"} for p in made]

    together = consolidate_many(period="2025-Y", rounds=rounds, trigger="test")

    assert [comparable(s) for s in together["provinces"]] == [comparable(alone[p.code]) for p in made]
    assert [s["files_read_this_run"] for s in together["provinces"]] == [6, 6, 6]
    assert len({s["province"] for s in together["provinces"]}) == 3
    for p in made:
        many_root, alone_root = tmp_path / "many" / p.code, tmp_path / "alone" / p.code
        assert outputs(many_root) == outputs(alone_root)
        on_disk = json.loads((many_root / "2025-Y" / "summary.json").read_text(encoding="utf-8"))
        assert comparable(on_disk) == comparable(alone[p.code])

    # the same in worker processes kept from one province to the next
    from flows.runners import WorkerProcesses

    in_workers = [{**r, "out": r["out"] + "-workers", "db_url": r["db_url"].replace(".db", "-workers.db")}
                  for r in rounds]
    spread = consolidate_many.with_options(task_runner=WorkerProcesses(max_workers=2, min_files=0))(
        period="2025-Y", rounds=in_workers, trigger="test")
    assert [comparable(s) for s in spread["provinces"]] == [comparable(alone[p.code]) for p in made]

    written = {f: Path(f).stat().st_mtime_ns for s in together["provinces"] for f in s["consolidated"].values()}
    again = consolidate_many(period="2025-Y", rounds=rounds, trigger="test")
    assert [(s["files_read_this_run"], s["mail"]["queued"]) for s in again["provinces"]] == [(0, 0)] * 3
    assert [s["submissions"] for s in again["provinces"]] == [s["submissions"] for s in together["provinces"]]
    # nothing new: the consolidated reports are kept, not written again, and the summary says the same
    assert {f: Path(f).stat().st_mtime_ns for f in written} == written
    assert [(s["indicators"], s["consolidated"]) for s in again["provinces"]] == [
        (s["indicators"], s["consolidated"]) for s in together["provinces"]]

    lost = Path(together["provinces"][1]["consolidated"]["html"])
    lost.unlink()
    third = consolidate_many(period="2025-Y", rounds=rounds, trigger="test")
    assert lost.exists() and third["provinces"][1]["consolidated"] == together["provinces"][1]["consolidated"]


def test_one_province_that_cannot_run_does_not_stop_the_others(prefect_harness, tmp_path):
    from flows.many import ProvincesFailed, consolidate_many
    from tonghop_dev.generate_round import generate_round

    made = generate_round(tmp_path / "gen", provinces=2, communes_per_province=1, limit=3)
    rounds = [{"config_path": str(p.config_path), "inbox": str(p.inbox), "out": str(tmp_path / p.code)} for p in made]
    rounds[0]["db_url"] = f"sqlite:///{tmp_path / 'khong-co' / 'x.db'}"      # a database folder that does not exist

    with pytest.raises(ProvincesFailed, match=r"^1/2 tỉnh chưa tổng hợp được \(các tỉnh khác đã xong\): "):
        consolidate_many(period="2025-Y", rounds=rounds, trigger="test")
    done = json.loads((tmp_path / made[1].code / "2025-Y" / "summary.json").read_text(encoding="utf-8"))
    assert (done["files_read_this_run"], done["province"]) == (3, made[1].name)
    assert not (tmp_path / made[0].code / "2025-Y" / "summary.json").exists()


def test_run_many_runs_each_province_folder_and_says_one_line_each(prefect_harness, tmp_path):
    from typer.testing import CliRunner

    import flows.cli as cli
    from tonghop_dev.generate_round import generate_round

    made = generate_round(tmp_path / "gen", provinces=2, communes_per_province=1, limit=3)
    folders = [p.config_path.parent for p in made]
    (folders[0] / "outputs").write_text("một tệp, không phải thư mục", encoding="utf-8")

    done = CliRunner().invoke(cli.app, ["run-many", "--period", "2025-Y", *map(str, folders)])

    first, second = (f.resolve() for f in folders)
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert lines == [
        f"✗ {first / 'outputs'}: Không ghi được vào thư mục kết quả {first / 'outputs' / '2025-Y'}: một phần của "
        "đường dẫn là tệp, không phải thư mục",
        f"✓ {made[1].name}: đọc mới 3/3 tệp · đơn vị đã nộp 3/16 · chưa nộp 13 → {second / 'outputs' / '2025-Y'}"]
    assert done.stderr.splitlines()[-1] == ("1/2 tỉnh chưa tổng hợp được; sửa rồi chạy lại cùng lệnh (các tỉnh đã "
                                            "xong không bị đọc lại).")


def test_a_national_round_guesses_its_new_files_and_runs_one_province_more_than_its_workers(tmp_path):
    from flows.many import AT_ONCE, in_flight, new_files_estimate
    from flows.runners import WorkerProcesses
    from prefect.task_runners import ThreadPoolTaskRunner
    from tonghop.config import Period

    rounds = []
    for name, files, counted in (("a", 5, None), ("b", 4, 3), ("c", 2, 7), ("d", 3, "hỏng")):
        inbox = tmp_path / name / "inbox"
        inbox.mkdir(parents=True)
        for i in range(files):
            (inbox / f"{i}.xlsx").write_bytes(b"x")
        (inbox / "~$0.xlsx").write_bytes(b"x")      # an editor's lock file is no file sent
        (inbox / "received.csv").write_text("tệp,giờ đến\n", encoding="utf-8")     # the manifest is no file sent
        if counted is not None:
            (tmp_path / name / "out" / "2025-Y").mkdir(parents=True)
            (tmp_path / name / "out" / "2025-Y" / "summary.json").write_text(
                '{"files_in_inbox": %s}' % (counted if isinstance(counted, int) else '"hỏng"'), encoding="utf-8")
        rounds.append({"inbox": str(inbox), "out": str(tmp_path / name / "out")})
    rounds.append({"inbox": str(tmp_path / "missing"), "out": str(tmp_path / "missing-out")})

    # a: no earlier run (5 new); b: one more than its summary counted; c: fewer (none new); d: unreadable summary
    assert new_files_estimate(rounds, Period.parse("2025-Y")) == 5 + 1 + 0 + 3
    assert (in_flight(WorkerProcesses(max_workers=2)), in_flight(WorkerProcesses(max_workers=4)),
            in_flight(ThreadPoolTaskRunner(max_workers=1))) == (3, 5, AT_ONCE)


def test_a_returned_summary_reads_like_its_dict_and_prefect_does_not_walk_into_it():
    import pickle

    from prefect.utilities.collections import visit_collection

    from flows.many import Summary

    data = {"province": "Sơn La", "files": [{"file": "a.xlsx", "unit": "SYT"}], "counts": {"accepted": 1}}
    summary = Summary(data)
    assert (dict(summary), summary == data, pickle.loads(pickle.dumps(summary)) == data) == (data, True, True)
    visited: list = []
    visit_collection({"provinces": [summary]}, visit_fn=lambda x: visited.append(x), return_data=False)
    assert visited == [{"provinces": [summary]}, "provinces", [summary], summary]
