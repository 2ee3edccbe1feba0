"""The house's shape: the domain package imports without Prefect, and its rooms import only downwards."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

# Rooms of tonghop/ from the bottom up: a module may import its own room, the shared modules at tonghop/'s root
# (config, errors, numbers, cells, problems, safe_text…) and the rooms below its own, never one above.
ROOMS = ["intake", "check", "store", "consolidate", "reports", "mail", "national", "round", "mailbox"]
DOMAIN = ["tonghop", "schemas"]
TOP_ONLY = {"prefect", "prefect_dask", "flows", "typer", "bench", "sample_inputs", "tests", "tonghop_dev"}


def modules(package: str) -> list[tuple[str, Path]]:
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:        # Alembic loads those by path, with its own context
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        out.append((name, path))
    return out


def imported(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return names


def room(module: str) -> str | None:
    """The room of a tonghop module, or None for the shared modules at the package's root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ROOMS) else None


def test_the_domain_package_imports_with_prefect_unimportable():
    """Every module of tonghop/ and schemas/ imports in a process where Prefect, the flows, the command line's
    Typer and the development packages cannot be imported: the layout table's "no Prefect" is true."""
    script = f"""
import importlib, json, pkgutil, sys
BLOCKED = {sorted(TOP_ONLY)!r}
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError("blocked for this test: " + name)
sys.meta_path.insert(0, Blocked())
done, failed = [], {{}}
for top in {DOMAIN!r}:
    pkg = importlib.import_module(top)
    for info in pkgutil.walk_packages(pkg.__path__, top + "."):
        if ".migrations" in info.name:
            continue
        try:
            importlib.import_module(info.name)
            done.append(info.name)
        except Exception as exc:
            failed[info.name] = repr(exc)
print(json.dumps({{"done": done, "failed": failed,
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)}}))
"""
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout.strip().splitlines()[-1])
    assert result["failed"] == {}
    assert result["loaded"] == []
    assert sorted(result["done"]) == sorted(n for top in DOMAIN for n, _ in modules(top) if n not in DOMAIN)


def test_rooms_import_only_downwards():
    """No module of tonghop/ names a room above its own, and none names Prefect, flows/ or a development
    package; shared root modules name no room at all."""
    upward = []
    for name, path in modules("tonghop"):
        mine = room(name)
        for target in imported(path):
            top = target.split(".")[0]
            if top in TOP_ONLY:
                upward.append(f"{name} -> {target}")
            if top != "tonghop" or target == "tonghop":
                continue
            theirs = room(target)
            if theirs is None or theirs not in ROOMS:
                continue
            if mine is None or ROOMS.index(theirs) > ROOMS.index(mine):
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_every_room_is_a_folder_with_a_one_line_docstring():
    for name in ROOMS:
        init = ROOT / "tonghop" / name / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "\n" not in doc, name


def test_every_module_of_the_house_imports():
    """A broken import in a module no quick test reaches (the mailbox reply, a flow) fails here, not in CI's
    subprocesses: every module of tonghop, flows and schemas imports."""
    import importlib
    import pkgutil

    import flows
    import schemas
    import tonghop

    failed = {}
    for package in (tonghop, flows, schemas):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in module.name:
                continue                      # Alembic's scripts run only inside Alembic
            try:
                importlib.import_module(module.name)
            except Exception as exc:          # noqa: BLE001 - any failure is the finding
                failed[module.name] = repr(exc)
    assert failed == {}
