"""Storage: SQLAlchemy models, opening a database (SQLite file or PostgreSQL URL) and migrating it."""
from tonghop.store.db import default_db_url, open_db

__all__ = ["default_db_url", "open_db"]   # the room's entry points, as `from tonghop.store import open_db`
