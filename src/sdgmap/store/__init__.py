"""The store: SQLAlchemy models, Alembic migrations, engine and session handling.

SQLite is the embedded default (WAL, foreign keys on); any ``postgresql+psycopg://`` URL
works too. Every write operation runs in one transaction (``Store.transaction``).
"""

from sdgmap.store.db import Store, resolve_url

__all__ = ["Store", "resolve_url"]
