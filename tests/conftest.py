"""Shared fixtures: a fresh store on SQLite (always) and on PostgreSQL (when a server is configured).

``store`` is parametrised over the available backends, so a test that takes it runs on
both. Set SDGMAP_TEST_PG_URL to a PostgreSQL URL whose user may create databases;
SDGMAP_REQUIRE_PG=1 (set in CI) turns a missing server into a failure, not a skip.
Likewise SDGMAP_REQUIRE_BROWSER=1 makes missing /usr/bin/chromium fail browser tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from sdgmap.frameworks.builtin import open_store
from sdgmap.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "src" / "sdgmap" / "data" / "demo"
PG_URL = os.environ.get("SDGMAP_TEST_PG_URL", "")
CHROMIUM = "/usr/bin/chromium"


def _pg_available() -> bool:
    if not PG_URL:
        return False
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:
        return False


PG_OK = _pg_available()
if os.environ.get("SDGMAP_REQUIRE_PG") == "1" and not PG_OK:
    raise RuntimeError(f"SDGMAP_REQUIRE_PG=1 but PostgreSQL at {PG_URL!r} is not reachable")


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    return sorted(DEMO_DIR.glob("*.txt"))


def _admin(sql: str, retries: int = 5) -> None:
    """Run one statement on the test server's admin database, retrying brief conflicts
    (another session copying the template, a background process still connected)."""
    import time

    import psycopg

    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    for attempt in range(retries):
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql)
            return
        except (psycopg.errors.ObjectInUse, psycopg.errors.InsufficientPrivilege):
            if attempt == retries - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


def _pg_url(name: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_template():
    """A migrated database with the built-in frameworks, copied for each test (fast)."""
    if not PG_OK:
        yield None
        return
    name = f"sdgmap_tpl_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    open_store(_pg_url(name)).dispose()
    yield name
    _drop_quietly(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    s = open_store(str(path))
    with s.engine.connect() as conn:  # fold the WAL into the file so one copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    s.dispose()
    return path


def _drop_quietly(name: str) -> None:
    try:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:  # a leftover test database must not fail the test that used it
        print(f"warning: could not drop test database {name}: {exc}")


def _pg_database() -> str:
    """Create an empty database on the test server and return its URL."""
    name = f"sdgmap_test_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    return _pg_url(name)


def _drop_pg_database(url: str) -> None:
    _drop_quietly(url.rsplit("/", 1)[1])


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, sqlite_template, pg_template) -> Store:
    """A new, migrated store with the built-in frameworks, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(sqlite_template, path)
        s = open_store(str(path))
        yield s
        s.dispose()
        return
    if not PG_OK:
        pytest.skip("PostgreSQL not configured (set SDGMAP_TEST_PG_URL)")
    name = f"sdgmap_test_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    s = open_store(_pg_url(name))
    yield s
    s.dispose()
    _drop_quietly(name)


@pytest.fixture
def sqlite_store(tmp_path, sqlite_template) -> Store:
    """A new SQLite store (for tests that look at the file itself)."""
    shutil.copyfile(sqlite_template, tmp_path / "test.db")
    s = open_store(str(tmp_path / "test.db"))
    yield s
    s.dispose()


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("SDGMAP_REQUIRE_BROWSER") == "1":
            raise RuntimeError("SDGMAP_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    return CHROMIUM
