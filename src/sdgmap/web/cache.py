"""A small cache for analytics results, invalidated whenever the data changes.

The key includes a cheap *data version* (row counts and highest ids of the tables that
analytics read, and the latest review event), so a new ingest or a review decision is
seen on the next request; no timer, no stale charts.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sdgmap.store.models import Activity, ActivityLink, Document, Link, ReviewEvent
from sdgmap.web.visibility import is_public


def data_version(session: Session) -> tuple:
    """Highest ids of the big tables (index lookups, not scans) and row counts of the small
    ones: new rows, review decisions (each writes a review event) and deleted documents
    all change it."""
    parts: list = []
    for model in (Activity, ActivityLink, ReviewEvent):
        parts.append(session.scalar(select(func.max(model.id))))
    for model in (Document, Link):
        parts.extend(session.execute(select(func.max(model.id), func.count(model.id))).one())
    return tuple(parts)


class AnalyticsCache:
    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, session: Session, name: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """``fn(session, **kwargs)``, computed once per data version."""
        return self.keyed(session, (name, tuple(sorted(kwargs.items()))), lambda: fn(session, **kwargs))

    def keyed(self, session: Session, key: tuple, thunk: Callable[[], Any]) -> Any:
        """``thunk()``, computed once per ``key``, data version and visibility (public or all)."""
        key = (key, is_public(session), data_version(session))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = thunk()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value
