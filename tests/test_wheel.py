"""The built wheels: tonghop's carries tonghop/, flows/ and schemas/ and nothing of development; tonghop-dev's the tools."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT

PRODUCTION = ["tonghop", "flows", "schemas"]
# what a source checkout holds beside the packages: copied too, so the wheel is shown to leave it out
COPIED = [*PRODUCTION, "tonghop_dev", "tests", "bench", "dev", "pyproject.toml", "README.md"]
LEFT_BEHIND = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")


def checkout(tmp_path: Path) -> Path:
    """A copy of the source tree without the build's leftovers (pip builds in place: never in the worktree)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in COPIED:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=LEFT_BEHIND)
        else:
            shutil.copy2(path, src / name)
    return src


def build_wheel(project: Path, out: Path) -> zipfile.ZipFile:
    """pip's wheel of one project, offline: the venv's own setuptools, no index, no dependencies."""
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "-q", "-w", str(out), str(project)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    [wheel] = sorted(out.glob("*.whl"))
    return zipfile.ZipFile(wheel)


def source_files(root: Path, packages: list[str]) -> set[str]:
    return {p.relative_to(root).as_posix() for name in packages for p in (root / name).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_the_wheel_holds_the_production_packages_whole_and_nothing_of_development(tmp_path):
    src = checkout(tmp_path)
    wheel = build_wheel(src, tmp_path / "wheel")
    names = set(wheel.namelist())
    info = {n for n in names if n.startswith("tonghop-0.1.0.dist-info/")}
    assert names - info == source_files(ROOT, PRODUCTION)       # every module, form template, migration, catalogue
    assert {n.split("/")[0] for n in names} == {*PRODUCTION, "tonghop-0.1.0.dist-info"}
    entry_points = wheel.read("tonghop-0.1.0.dist-info/entry_points.txt").decode()
    assert entry_points.split() == ["[console_scripts]", "tonghop", "=", "flows.cli:main"]


def test_the_development_tools_are_their_own_wheel(tmp_path):
    src = checkout(tmp_path)
    wheel = build_wheel(src / "dev", tmp_path / "wheel")
    names = set(wheel.namelist())
    info = {n for n in names if n.startswith("tonghop_dev-0.1.0.dist-info/")}
    assert names - info == source_files(ROOT, ["tonghop_dev"])
    metadata = wheel.read("tonghop_dev-0.1.0.dist-info/METADATA").decode()
    assert [line for line in metadata.splitlines() if line.startswith(("Name:", "Requires-Dist:"))] == [
        "Name: tonghop-dev", "Requires-Dist: tonghop", "Requires-Dist: xlwt>=1.3", "Requires-Dist: odfpy>=1.4",
        "Requires-Dist: msoffcrypto-tool>=5"]


def test_the_environment_has_the_tools_from_their_own_distribution():
    """`make env` installs tonghop-dev beside tonghop: each top-level package comes from one distribution."""
    from importlib.metadata import packages_distributions

    found = packages_distributions()      # a name twice when the checkout's own tonghop.egg-info is on the path
    assert {name: set(found.get(name, [])) for name in [*PRODUCTION, "tonghop_dev"]} == {
        "tonghop": {"tonghop"}, "flows": {"tonghop"}, "schemas": {"tonghop"}, "tonghop_dev": {"tonghop-dev"}}
