"""Open a database by URL and bring its schema to the newest Alembic revision."""
from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from tonghop.errors import StorageError, os_reason

MIGRATIONS = Path(__file__).with_name("migrations")
# Alembic keeps the running migration's environment in module globals (alembic.context): one migration at a time
# in a process, or two threads opening their databases (a national run's provinces) break each other's
_MIGRATING = threading.Lock()


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


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@cache
def script_heads() -> frozenset[str]:
    """The newest revision(s) of the migration scripts, read once per process (the scripts do not change under a
    running process)."""
    return frozenset(ScriptDirectory.from_config(_alembic_config()).get_heads())


def at_head(engine: Engine) -> bool:
    """Whether the database already records the scripts' newest revision: one small query, where a migration
    run loads env.py and every script (a rerun of each province of a national run opened it for nothing)."""
    with engine.connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads()) == script_heads()


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied (idempotent); a database already at the newest revision is
    only looked at."""
    if at_head(engine):
        return
    cfg = _alembic_config()
    # another thread or process may have migrated meanwhile: upgrade reads the version again in its transaction
    with _MIGRATING, engine.begin() as conn:
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
    except (SQLAlchemyError, OSError, ImportError) as exc:   # ImportError: the URL's driver is not installed
        raise StorageError(f"Không mở được cơ sở dữ liệu {shown_url(url)}: {_reason(exc, url)}") from exc


def shown_url(url: str) -> str:
    """The URL as it may be printed or logged: never its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(URL không hợp lệ)"


USABLE = "tonghop dùng SQLite (sqlite:///đường/dẫn/tonghop.db) hoặc PostgreSQL (postgresql+psycopg://user@host/tên)"

# The driver's words (psycopg, sqlite3) -> what they mean for the officer; the first match wins.
_DRIVER_REASONS_VI = [
    (r"Connection refused", "máy chủ cơ sở dữ liệu không nhận kết nối: máy chủ chưa chạy, hoặc sai địa chỉ hay cổng"),
    (r'database "(?P<name>[^"]+)" does not exist',
     "máy chủ chưa có cơ sở dữ liệu {name}, hãy tạo nó trước bằng lệnh createdb {name}"),
    (r'role "(?P<name>[^"]+)" does not exist', "máy chủ không có tài khoản {name}"),
    (r"password authentication failed|no password supplied", "sai tên đăng nhập hoặc mật khẩu"),
    (r"failed to resolve host|could not translate host name|Name or service not known",
     "không tìm thấy máy chủ có tên trong URL"),
    (r"timeout expired|timed out", "máy chủ cơ sở dữ liệu không trả lời kịp"),
    (r"file is not a database", "tệp không phải cơ sở dữ liệu SQLite"),
    (r"unable to open database file", "không mở được tệp cơ sở dữ liệu"),
    (r"database is locked", "cơ sở dữ liệu đang bị một chương trình khác khóa"),
    (r"readonly database", "cơ sở dữ liệu chỉ cho đọc"),
    (r"disk I/O error", "lỗi đọc ghi ổ đĩa"),
]


def _reason(exc: BaseException, url: str) -> str:
    """Why the database cannot be opened, in Vietnamese; the driver's own first line follows in parentheses
    (SQLAlchemy's class name and link to its docs are dropped)."""
    if isinstance(exc, OSError) and not isinstance(exc, SQLAlchemyError):
        return os_reason(exc)
    if isinstance(exc, ArgumentError) and not isinstance(exc, NoSuchModuleError):
        return ("URL không đúng dạng; ví dụ đúng: sqlite:///đường/dẫn/tonghop.db "
                "hoặc postgresql+psycopg://user@host/tên")
    kind = url.partition(":")[0].partition("+")[0]
    if isinstance(exc, NoSuchModuleError):
        return f"không hỗ trợ loại cơ sở dữ liệu '{kind}'; {USABLE}"
    if isinstance(exc, ImportError):
        if kind == "postgresql":
            return (f"chưa cài trình điều khiển cho loại cơ sở dữ liệu 'postgresql'; với PostgreSQL hãy viết "
                    f"{shown_url('postgresql+psycopg' + url.partition(':')[1] + url.partition(':')[2])}")
        return f"chưa cài trình điều khiển cho loại cơ sở dữ liệu '{kind}'; {USABLE}"
    text = str(getattr(exc, "orig", None) or exc).strip()
    driver = text.splitlines()[0] if text else type(exc).__name__
    for pattern, meaning in _DRIVER_REASONS_VI:
        found = re.search(pattern, text)
        if found:
            return f"{meaning.format(**found.groupdict())} ({driver})"
    return f"lỗi của cơ sở dữ liệu ({driver})"
