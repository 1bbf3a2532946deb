"""The audit trail: who changed what, when, with the state before and after.

It reuses the core ``review_events`` table, so link reviews recorded by the web review
queue and platform changes (submissions, users, votes, activities created from
submissions) are read back and exported through one function per record.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sdgmap.store.models import ReviewEvent

AUDITED_TABLES = ("activities", "links", "activity_links", "submissions", "users", "votes",
                  "prize_cycles", "nominations", "api_tokens")


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone columns; they are stored as UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def _plain(value):
    if isinstance(value, datetime):
        return aware(value).isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """A JSON-safe picture of some fields of a row, for ``before`` / ``after``."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def record(session: Session, actor: str, table: str, row_id: int, action: str,
           before: dict | None = None, after: dict | None = None) -> ReviewEvent:
    event = ReviewEvent(table=table, row_id=row_id, action=action, actor=actor or "",
                        before=_plain(before or {}), after=_plain(after or {}))
    session.add(event)
    return event


def event_dict(e: ReviewEvent) -> dict:
    return {"id": e.id, "table": e.table, "row_id": e.row_id, "action": e.action,
            "actor": e.actor, "at": aware(e.at).isoformat(), "before": e.before, "after": e.after}


def history(session: Session, table: str, row_id: int) -> list[dict]:
    rows = session.scalars(select(ReviewEvent).where(ReviewEvent.table == table,
                                                     ReviewEvent.row_id == row_id)
                           .order_by(ReviewEvent.at, ReviewEvent.id))
    return [event_dict(e) for e in rows]


def export(events: list[dict], fmt: str) -> str:
    """The events as JSON or CSV text (before/after as JSON cells in CSV)."""
    if fmt == "json":
        return json.dumps(events, ensure_ascii=False, indent=2)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "table", "row_id", "action", "actor", "at", "before", "after"])
    for e in events:
        w.writerow([e["id"], e["table"], e["row_id"], e["action"], _csv_safe(e["actor"]), e["at"],
                    json.dumps(e["before"], ensure_ascii=False),
                    json.dumps(e["after"], ensure_ascii=False)])
    return buf.getvalue()


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
