"""The development package's place: production never names it, and nothing reaches it by editing the import path."""
from __future__ import annotations

import ast

from conftest import ROOT
from test_layers import imported, modules


DEVELOPMENT = ["tonghop_dev", "bench", "sample_inputs", "tests"]


def test_production_never_names_a_development_file():
    """No module of tonghop/, flows/ or schemas/ imports the development package, bench/, sample_inputs/ or the
    tests: a production install can run without them."""
    named = [f"{name} -> {target}" for top in ["tonghop", "flows", "schemas"] for name, path in modules(top)
             for target in imported(path) if target.split(".")[0] in DEVELOPMENT]
    assert named == []


def test_development_code_reaches_its_tools_by_import_not_by_sys_path():
    """Tests, scripts and the development package import tonghop_dev through the editable install: no file (nor a
    child script written in a string) edits the import path."""
    needle = ".".join(("sys", "path"))          # spelt apart so this file does not find itself
    found = []
    for folder in DEVELOPMENT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                in_code = (isinstance(node, ast.Attribute) and node.attr == "path"
                           and isinstance(node.value, ast.Name) and node.value.id == "sys")
                in_text = isinstance(node, ast.Constant) and isinstance(node.value, str) and needle in node.value
                if in_code or in_text:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
