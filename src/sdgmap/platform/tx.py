"""Run one unit of work with a retry when the database reports a transient write conflict.

SQLite in WAL mode refuses (rather than waits for) a write from a transaction whose
snapshot is older than another writer's commit; PostgreSQL may report serialization or
deadlock errors. Re-running the whole unit of work is the correct answer to both, and the
second run then sees what the other writer committed (e.g. a vote already cast).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from sdgmap.store import Store

T = TypeVar("T")
TRANSIENT = ("database is locked", "database table is locked", "deadlock detected",
             "could not serialize", "busy")


def run(store: Store, work: Callable[[Session], T], attempts: int = 8) -> T:
    for attempt in range(attempts):
        try:
            with store.transaction() as session:
                return work(session)
        except OperationalError as exc:
            if attempt == attempts - 1 or not any(t in str(exc).lower() for t in TRANSIENT):
                raise
            time.sleep(0.02 * (2 ** attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")
