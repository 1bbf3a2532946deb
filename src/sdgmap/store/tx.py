"""Run one unit of work with a retry when the database reports a transient write conflict.

A writing unit of work starts with ``Store.transaction(write=True)``: on SQLite that takes
the single writer's lock first and waits for it (busy_timeout), rather than failing when a
deferred transaction with a stale snapshot first writes. What is still transient (a wait
longer than busy_timeout; serialization or deadlock errors on PostgreSQL) is answered by
re-running the whole unit of work; the second run then sees what the other writer
committed (e.g. a vote already cast).
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


def run(store: Store, work: Callable[[Session], T], attempts: int = 8, write: bool = True) -> T:
    """``work`` in one transaction, re-run on a transient conflict; ``write=False`` for reads."""
    for attempt in range(attempts):
        try:
            with store.transaction(write=write) as session:
                return work(session)
        except OperationalError as exc:
            if attempt == attempts - 1 or not any(t in str(exc).lower() for t in TRANSIENT):
                raise
            time.sleep(0.02 * (2 ** attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")
