"""Shared fixtures: a database per test on SQLite and PostgreSQL, the Sơn La configuration, Prefect's home."""
from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_inputs"

# Prefect reads its settings at import: point it at a private home before any test imports it.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tonghop-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

PG_ADMIN_URL = os.environ.get("TONGHOP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# In CI PostgreSQL must be there: a missing server is a failure, not a skip.
PG_REQUIRED = os.environ.get("CI") == "true" or os.environ.get("TONGHOP_REQUIRE_PG") == "1"


def _pg_admin_engine():
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        engine.dispose()
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL required (CI) but not reachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    return engine


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import text

    admin = _pg_admin_engine()
    name = f"tonghop_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each storage test runs on both back-ends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tonghop.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def config():
    from tonghop.config import load_config

    return load_config()


@pytest.fixture(scope="session")
def catalogue():
    from schemas.catalogue import load_catalogue

    return load_catalogue()


# The sample rounds' consolidated reports, built once for the session (each build costs seconds) and only read by
# the tests of the report writers: (folder, period → (per-indicator dict, paths written)).
@pytest.fixture(scope="session")
def sample_round(tmp_path_factory):
    from consolidated_fixture import sample_reports

    folder = tmp_path_factory.mktemp("sample-round")
    return folder, sample_reports(folder)


@pytest.fixture(scope="session")
def next_year_round(tmp_path_factory):
    """The 2026-Y reports after the samples (consolidated_fixture.next_year_reports): (summary, paths)."""
    from consolidated_fixture import next_year_reports

    return next_year_reports(tmp_path_factory.mktemp("next-year-round"))


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (each start costs several seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def server():
    """A running SMTP server on loopback; yields (collector, port)."""
    from aiosmtpd.controller import Controller

    from smtp_server import Collector, free_port

    collector, port = Collector(), free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    yield collector, port
    controller.stop()


# The quick tier (`pytest -m quick`, `make quick`): every test that needs no Prefect server, no PostgreSQL, no
# Dovecot, no LibreOffice or Chromium and no whole round in child processes. A test is in it unless it uses one of
# these fixtures (`generated_samples` runs the sample generator), runs on the PostgreSQL side of `db_url`, or
# carries one of these markers (`full` marks whole modules of slow end-to-end tests, `renders` a test that runs
# LibreOffice or Chromium).
FULL_ONLY_FIXTURES = {"prefect_harness", "pg_url", "dovecot", "generated_samples"}
FULL_ONLY_MARKERS = ("prefect_server", "pg_restart", "full", "renders")


def in_quick_tier(item) -> bool:
    callspec = getattr(item, "callspec", None)
    on_postgres = callspec is not None and callspec.params.get("db_url") == "postgresql"
    return not (set(getattr(item, "fixturenames", ())) & FULL_ONLY_FIXTURES or on_postgres
                or any(item.get_closest_marker(m) for m in FULL_ONLY_MARKERS))


def pytest_collection_modifyitems(config, items):
    """Marks the quick tier; tests that restart the local PostgreSQL run last (a stable sort keeps the others'
    order)."""
    for item in items:
        if in_quick_tier(item):
            item.add_marker(pytest.mark.quick)
    items.sort(key=lambda item: item.get_closest_marker("pg_restart") is not None)


@pytest.fixture(scope="session")
def dovecot():
    """One private Dovecot (IMAP on loopback, Maildir, passwd-file users) for the session; each test takes
    its own account with `dovecot.account()`. Outside CI a machine without Dovecot skips these tests."""
    from imap_server import Dovecot, dovecot_binary

    if dovecot_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot required (CI) but not installed: scripts/services.sh installs dovecot-imapd")
        pytest.skip("Dovecot (dovecot-imapd) chưa cài: bỏ qua các kiểm thử hộp thư IMAP")
    import shutil

    # not under pytest's temporary folder: it is private to root (0700) and Dovecot's own users must enter it
    root = Path(tempfile.mkdtemp(prefix="tonghop-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)
