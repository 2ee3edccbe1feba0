"""The two test tiers (tests/conftest.py): what keeps a test out of the quick one that runs before every commit."""
from __future__ import annotations

from types import SimpleNamespace

from conftest import in_quick_tier


def collected(fixtures: tuple[str, ...] = (), markers: tuple[str, ...] = (), params: dict | None = None):
    """A collected test as in_quick_tier sees it: its fixtures, its markers, its parameters."""
    return SimpleNamespace(fixturenames=list(fixtures),
                           callspec=SimpleNamespace(params=params) if params is not None else None,
                           get_closest_marker=lambda name: name if name in markers else None)


def test_the_quick_tier_holds_what_needs_no_server_no_postgresql_and_no_outside_program():
    tests = {
        "pure function": collected(),
        "SQLite side of db_url": collected(("db_url", "tmp_path"), params={"db_url": "sqlite"}),
        "PostgreSQL side of db_url": collected(("db_url", "tmp_path"), params={"db_url": "postgresql"}),
        "a fresh PostgreSQL database": collected(("pg_url",)),
        "SMTP server on loopback": collected(("server", "tmp_path")),
        "Prefect server": collected(("prefect_harness", "tmp_path")),
        "Dovecot": collected(("dovecot", "config")),
        "sample generator": collected(("generated_samples",)),
        "LibreOffice or Chromium": collected(("tmp_path",), markers=("renders",)),
        "whole rounds in child processes": collected(markers=("full",)),
        "restarts PostgreSQL": collected(markers=("pg_restart",)),
        "starts its own Prefect server": collected(markers=("prefect_server",)),
    }
    assert [name for name, test in tests.items() if in_quick_tier(test)] == [
        "pure function", "SQLite side of db_url", "SMTP server on loopback"]
