"""Storage: SQLAlchemy models, opening a database (SQLite file or PostgreSQL URL) and migrating it."""
from tonghop.store.db import open_db, default_db_url  # noqa: F401
