"""Engine, sessions and schema upgrades for one database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DB = "sdgmap.db"
MIGRATIONS = Path(__file__).with_name("migrations")
WRITE_OPTION = "sdgmap_write"  # execution option: this transaction will write


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db`` / ``SDGMAP_DB`` (a path or a URL) into an SQLAlchemy URL."""
    value = db or os.environ.get("SDGMAP_DB") or DEFAULT_DB
    if "://" in value:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            # psycopg 3 is the driver we install; plain postgresql:// would ask for psycopg2.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _sqlite_begin(conn) -> None:
    # A deferred BEGIN that reads and later writes fails at once with "database is locked"
    # when another writer committed after its first read (its WAL snapshot is stale, and
    # busy_timeout does not apply to that upgrade). A unit of work that will write therefore
    # takes the write lock up front, and that wait does honour busy_timeout: writers queue.
    # Readers keep the deferred form so that they never wait for a writer.
    write = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so that a
        # failed operation rolls back everything it did (pysqlite's legacy mode
        # commits implicitly before some statements).
        event.listen(engine, "connect", lambda c, _r: setattr(c, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No server-side prepared statements: psycopg prepares a query after five runs and
    # PostgreSQL may then reuse a generic plan that ignores the values (a full scan for a
    # full-text filter that matches three rows).
    return create_engine(url, pool_pre_ping=True, connect_args={"prepare_threshold": None})


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Store:
    """One database: an engine, a session factory and the schema version."""

    def __init__(self, db: str | None = None, *, upgrade: bool = True,
                 on_create: Callable[[Session], None] | None = None) -> None:
        self.url = resolve_url(db)
        # Fills a brand-new database (the CLI passes the built-in frameworks' loader: see
        # ``sdgmap.frameworks.builtin.open_store``); the store itself knows no framework.
        self.on_create = on_create
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Same pool and events; only SQLite's BEGIN looks at the option (PostgreSQL's
        # row locks already make a writer wait).
        self._write_sessions = sessionmaker(self.engine.execution_options(**{WRITE_OPTION: True}),
                                            expire_on_commit=False)
        self.created = False
        if upgrade:
            self.upgrade()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()

    def upgrade(self) -> bool:
        """Bring the schema to the newest revision; True if anything changed.

        A brand-new database is then filled by ``on_create`` (if given), in one transaction.
        """
        current = self.current_revision()
        if current == self.head_revision():
            return False
        fresh = current is None and "frameworks" not in inspect(self.engine).get_table_names()
        with self.engine.begin() as conn:
            cfg = alembic_config(self.url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        if fresh:
            if self.on_create is not None:
                with self.transaction(write=True) as session:
                    self.on_create(session)
            self.created = True
        return True

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Session]:
        """One unit of work: commit on success, roll back everything on any error.

        ``write=True`` for work that writes: on SQLite it waits for the single writer's lock
        (up to busy_timeout) before its first read instead of failing when it first writes.
        """
        session = (self._write_sessions if write else self._sessions)()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
