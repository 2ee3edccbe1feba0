"""Open a database by URL and bring its schema to the newest Alembic revision."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from tonghop.errors import StorageError, os_reason

MIGRATIONS = Path(__file__).with_name("migrations")


def default_db_url(out_dir: Path) -> str:
    """The zero-set-up default: a SQLite file in the output folder."""
    return f"sqlite:///{(Path(out_dir) / 'tonghop.db').resolve()}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")   # readers (a report, `tonghop runs`) never block a run
    # with WAL, NORMAL keeps the database consistent on a crash (a power cut may lose the last commits,
    # which a rerun redoes since the files stay in the inbox) and saves an fsync per commit
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied (idempotent)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_db(url: str, *, migrated: bool = False) -> Engine:
    """Create an engine for `url` and migrate it (unless the caller knows it already is); raises
    StorageError with a plain reason."""
    try:
        if url.startswith("sqlite:///"):
            folder = Path(url.removeprefix("sqlite:///")).parent
            # a mistyped folder is refused, never created: a fresh database there would send every message again
            if not folder.is_dir():
                raise StorageError(f"Không mở được cơ sở dữ liệu {shown_url(url)}: thư mục {folder} không tồn tại "
                                   "(kiểm tra lại --db hoặc TONGHOP_DB; thư mục không được tự tạo)")
        engine = create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        if not migrated:
            migrate(engine)
        return engine
    except (SQLAlchemyError, OSError) as exc:
        raise StorageError(f"Không mở được cơ sở dữ liệu {shown_url(url)}: {_reason(exc)}") from exc


def shown_url(url: str) -> str:
    """The URL as it may be printed or logged: never its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(URL không hợp lệ)"


def _reason(exc: BaseException) -> str:
    """The driver's own first line (SQLAlchemy adds its class name and a link to its docs)."""
    if isinstance(exc, OSError) and not isinstance(exc, SQLAlchemyError):
        return os_reason(exc)
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
