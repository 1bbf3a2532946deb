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


def _pg_database() -> str:
    """Create a fresh database on the test server and return its URL."""
    import psycopg

    name = f"sdgmap_test_{uuid.uuid4().hex[:10]}"
    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path) -> Store:
    """A new, migrated store with the built-in frameworks, on each backend."""
    if request.param == "sqlite":
        s = Store(str(tmp_path / "test.db"))
        yield s
        s.dispose()
        return
    if not PG_OK:
        pytest.skip("PostgreSQL not configured (set SDGMAP_TEST_PG_URL)")
    url = _pg_database()
    s = Store(url)
    yield s
    s.dispose()
    _drop_pg_database(url)


@pytest.fixture
def sqlite_store(tmp_path) -> Store:
    """A new SQLite store (for tests that look at the file itself)."""
    s = Store(str(tmp_path / "test.db"))
    yield s
    s.dispose()


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("SDGMAP_REQUIRE_BROWSER") == "1":
            raise RuntimeError("SDGMAP_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    return CHROMIUM
