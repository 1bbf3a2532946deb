"""The audit trail: who changed what, when, with the state before and after.

It reuses the core ``review_events`` table, so link reviews recorded by the web review
queue, platform changes (submissions, users, votes, activities created from submissions)
and whole operations (``record_operation``: ingested documents, framework imports,
suggestion runs, restored backups) are read back and exported through one function per
record.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from sdgmap.store.models import Activity, ActivityLink, Link, ReviewEvent

AUDITED_TABLES = ("activities", "links", "activity_links", "submissions", "users", "votes",
                  "prize_cycles", "nominations", "api_tokens",
                  # whole operations: an ingested document (its id), framework imports and
                  # restored backups (row 0: the subject has no integer id)
                  "documents", "frameworks", "database")


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


def default_actor() -> str:
    """Who runs a command-line operation: ``cli:`` and the operating-system user."""
    import getpass

    try:
        return "cli:" + getpass.getuser()
    except (OSError, KeyError):  # no user name in a bare container
        return "cli"


def record_operation(session: Session, actor: str | None, table: str, action: str, after: dict,
                     row_id: int = 0) -> ReviewEvent:
    """One event for a whole operation (an ingested document, a framework import, a
    suggestion run, a restored backup) with its counts; ``row_id`` 0 where the subject has
    no integer id. Written in the operation's own transaction, so it exists iff the change does."""
    return record(session, actor or default_actor(), table, row_id, action, {}, after)


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


# Row types whose every change a tracked session records, with the columns worth keeping.
TRACKED = {
    Activity: ("activities", ("type", "title", "description", "entity", "year", "date_start", "date_end",
                              "location", "partners", "website", "attrs")),
    Link: ("links", ("from_id", "to_id", "relation", "kind", "source", "review", "rationale")),
    ActivityLink: ("activity_links", ("activity_id", "node_id", "kind", "method", "confidence", "review",
                                      "reviewed_by", "primary")),
}


def track_changes(session: Session, actor: str) -> Session:
    """Record every insert, update and delete of activities, links and activity links made
    through ``session`` (one ``review_events`` row each, with the changed columns before and
    after). For editing paths (pages, scripts); bulk ingest is traced by its documents."""
    created: list = []

    def before_flush(sess: Session, _ctx, _instances) -> None:
        for obj in list(sess.dirty):
            spec = TRACKED.get(type(obj))
            if spec is None or not sess.is_modified(obj, include_collections=False):
                continue
            table, fields = spec
            state = inspect(obj)
            before, after = {}, {}
            for f in fields:
                hist = state.attrs[f].history
                if hist.has_changes():
                    before[f] = hist.deleted[0] if hist.deleted else None
                    after[f] = hist.added[0] if hist.added else None
            if after:
                record(sess, actor, table, obj.id, "update", before, after)
        for obj in list(sess.deleted):
            if (spec := TRACKED.get(type(obj))) is not None:
                record(sess, actor, spec[0], obj.id, "delete", snapshot(obj, spec[1]), {})
        created.extend(o for o in sess.new if type(o) in TRACKED)

    def after_flush_postexec(sess: Session, _ctx) -> None:
        while created:  # ids exist now; these rows go out with the next flush of the commit
            obj = created.pop()
            table, fields = TRACKED[type(obj)]
            record(sess, actor, table, obj.id, "create", {}, snapshot(obj, fields))

    event.listen(session, "before_flush", before_flush)
    event.listen(session, "after_flush_postexec", after_flush_postexec)
    return session
