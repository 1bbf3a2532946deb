"""One database (``sdgmap.store.db``): URLs, schema upgrades on a fresh path, units of work
that commit or roll back whole, SQLite writers queueing; the retried unit of work
(``sdgmap.store.tx``); the audit trail (``sdgmap.store.audit``)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from sdgmap.store import Store, audit, resolve_url, tx
from sdgmap.store.db import WRITE_OPTION
from sdgmap.store.models import Activity, ActivityLink, Document, Framework, Link, ReviewEvent
from storedata import node

# --- resolve_url ----------------------------------------------------------------------------

@pytest.mark.parametrize("value, url", [
    ("postgres://u:p@db.example:5432/sdg", "postgresql+psycopg://u:p@db.example:5432/sdg"),
    ("postgresql://u@localhost/sdg", "postgresql+psycopg://u@localhost/sdg"),
    ("postgresql+psycopg://u@localhost/sdg", "postgresql+psycopg://u@localhost/sdg"),
    ("sqlite:////var/lib/sdgmap.db", "sqlite:////var/lib/sdgmap.db"),
    ("sqlite://", "sqlite://"),
    ("/srv/data/register.db", "sqlite:////srv/data/register.db"),
    ("data/register.db", "sqlite:///data/register.db"),
])
def test_resolve_url(value, url):
    assert resolve_url(value) == url


def test_resolve_url_expands_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_url("~/sdgmap/register.db") == f"sqlite:///{tmp_path}/sdgmap/register.db"


def test_resolve_url_takes_the_environment_then_the_default(monkeypatch):
    monkeypatch.delenv("SDGMAP_DB", raising=False)
    assert resolve_url() == "sqlite:///sdgmap.db"
    monkeypatch.setenv("SDGMAP_DB", "postgres://h/x")
    assert resolve_url() == "postgresql+psycopg://h/x"
    assert resolve_url("other.db") == "sqlite:///other.db"  # an explicit value wins


# --- Store on a fresh path ------------------------------------------------------------------

def test_a_new_database_is_migrated_and_filled_once(tmp_path):
    path = str(tmp_path / "new.db")
    calls = []

    def fill(session):
        assert session.in_transaction()
        calls.append(1)
        session.add(Framework(id="mine", name="My plan"))

    store = Store(path, on_create=fill)
    assert store.created and calls == [1]
    assert store.current_revision() == store.head_revision() is not None
    assert store.upgrade() is False and calls == [1]  # already at the newest revision
    with store.transaction() as s:
        assert s.scalars(select(Framework.id)).all() == ["mine"]  # committed
    store.dispose()

    again = Store(path, on_create=fill)
    assert not again.created and calls == [1]
    again.dispose()


def test_without_upgrade_nothing_is_created(tmp_path):
    store = Store(str(tmp_path / "bare.db"), upgrade=False, on_create=lambda s: pytest.fail("called"))
    assert store.current_revision() is None and not store.created
    assert store.dialect == "sqlite"
    store.dispose()


def test_a_failing_on_create_keeps_none_of_its_writes(tmp_path):
    def fill_then_fail(session):
        session.add(Framework(id="half", name="Half done"))
        session.flush()
        raise RuntimeError("loader broke")

    with pytest.raises(RuntimeError, match="loader broke"):
        Store(str(tmp_path / "new.db"), on_create=fill_then_fail)
    store = Store(str(tmp_path / "new.db"), upgrade=False)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Framework)) == 0
    store.dispose()


# --- units of work --------------------------------------------------------------------------

def activities(store: Store) -> list[str]:
    with store.transaction() as s:
        return s.scalars(select(Activity.title).order_by(Activity.id)).all()


def test_a_transaction_commits_on_success_and_keeps_nothing_on_error(store):
    with store.transaction(write=True) as s:
        s.add(Activity(type="event", title="kept"))
    with pytest.raises(RuntimeError), store.transaction(write=True) as s:
        s.add(Activity(type="event", title="lost"))
        s.flush()  # already sent to the database: still rolled back
        s.add(Document(sha256="c" * 64, filename="lost.txt"))
        raise RuntimeError("a later step fails")
    assert activities(store) == ["kept"]
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0


def test_a_failed_statement_rolls_back_the_whole_unit(store):
    with pytest.raises(IntegrityError), store.transaction(write=True) as s:
        s.add(Activity(type="event", title="first"))
        s.flush()
        s.add(ActivityLink(activity_id=10_000, node_id=10_000))  # no such activity or node
        s.flush()
    assert activities(store) == []


def test_write_transactions_are_marked_for_sqlite(sqlite_store):
    with sqlite_store.transaction(write=True) as s:
        assert s.connection().get_execution_options().get(WRITE_OPTION) is True
    with sqlite_store.transaction() as s:
        assert not s.connection().get_execution_options().get(WRITE_OPTION)


def impatient(store: Store, busy_ms: int) -> Store:
    """A second store on the same SQLite file that waits at most ``busy_ms`` for a lock."""
    other = Store(store.url, upgrade=False)
    event.listen(other.engine, "connect",  # after the store's own pragmas (busy_timeout=10000)
                 lambda conn, _r: conn.execute(f"PRAGMA busy_timeout={busy_ms}"))
    return other


class Writer(threading.Thread):
    """Holds SQLite's write lock (an uncommitted row) until ``release`` is set or 2 s pass."""

    def __init__(self, store: Store) -> None:
        super().__init__(daemon=True)
        self.store, self.holding, self.release = store, threading.Event(), threading.Event()

    def run(self) -> None:
        with self.store.transaction(write=True) as s:
            s.add(Activity(type="event", title="first writer"))
            s.flush()
            self.holding.set()
            self.release.wait(2)

    def __enter__(self) -> Writer:
        self.start()
        assert self.holding.wait(2)
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.join(3)


def test_a_second_sqlite_writer_waits_and_then_sees_the_first_ones_row(sqlite_store):
    other = Store(sqlite_store.url, upgrade=False)  # the normal busy_timeout of 10 s
    with Writer(sqlite_store) as first:
        started = time.monotonic()
        with other.transaction() as s:  # a reader never waits for the writer (WAL)
            assert s.scalar(select(func.count()).select_from(Activity)) == 0
        assert time.monotonic() - started < 0.5
        threading.Timer(0.3, first.release.set).start()
        started = time.monotonic()
        with other.transaction(write=True) as s:
            # BEGIN IMMEDIATE waited for the first writer's commit, so this first read sees it
            seen = s.scalars(select(Activity.title)).all()
            s.add(Activity(type="event", title="second writer"))
        waited = time.monotonic() - started
    assert seen == ["first writer"] and 0.2 < waited < 2
    assert activities(sqlite_store) == ["first writer", "second writer"]
    other.dispose()


def test_a_sqlite_writer_gives_up_after_its_busy_timeout(sqlite_store):
    other = impatient(sqlite_store, busy_ms=100)
    with Writer(sqlite_store):
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            with other.transaction(write=True) as s:
                s.scalar(select(func.count()).select_from(Activity))  # BEGIN IMMEDIATE: fails here
        assert 0.05 < time.monotonic() - started < 1.5
    other.dispose()


# --- tx.run ---------------------------------------------------------------------------------

def locked() -> OperationalError:
    return OperationalError("INSERT INTO activities ...", {}, sqlite3.OperationalError("database is locked"))


def test_tx_retries_a_transient_conflict_and_keeps_only_the_last_attempt(store):
    calls = []

    def work(session):
        calls.append(1)
        session.add(Activity(type="event", title=f"attempt {len(calls)}"))
        session.flush()
        if len(calls) < 3:
            raise locked()
        return "done"

    assert tx.run(store, work) == "done"
    assert len(calls) == 3
    assert activities(store) == ["attempt 3"]  # the failed attempts were rolled back


def test_tx_gives_up_after_its_attempts(sqlite_store):
    calls = []

    def work(_session):
        calls.append(1)
        raise locked()

    with pytest.raises(OperationalError, match="database is locked"):
        tx.run(sqlite_store, work, attempts=3)
    assert len(calls) == 3


@pytest.mark.parametrize("error", [
    OperationalError("SELECT x", {}, sqlite3.OperationalError("no such table: x")),
    IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")),
    ValueError("a bug in the work function"),
])
def test_tx_does_not_retry_other_errors(sqlite_store, error):
    calls = []

    def work(_session):
        calls.append(1)
        raise error

    with pytest.raises(type(error)):
        tx.run(sqlite_store, work)
    assert len(calls) == 1


def test_tx_reads_without_the_write_lock(sqlite_store):
    def opts(session):
        return session.connection().get_execution_options().get(WRITE_OPTION, False)

    assert tx.run(sqlite_store, opts) is True
    assert tx.run(sqlite_store, opts, write=False) is False


def test_tx_outlasts_a_real_lock(sqlite_store):
    """A writer that holds the lock longer than the other's busy_timeout: the other's unit of
    work fails with "database is locked" and is re-run until the lock is free."""
    other = impatient(sqlite_store, busy_ms=30)
    with Writer(sqlite_store) as first:
        threading.Timer(0.2, first.release.set).start()
        titles = tx.run(other, lambda s: s.scalars(select(Activity.title)).all())
    assert titles == ["first writer"]
    other.dispose()


# --- audit ----------------------------------------------------------------------------------

def test_record_and_history(sqlite_store):
    when = datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)
    with sqlite_store.transaction(write=True) as s:
        audit.record(s, "alice", "activities", 7, "update", {"title": "A", "at": when}, {"title": "B"})
        audit.record(s, None, "activities", 7, "delete")
        audit.record(s, "bob", "activities", 8, "update")  # another row
        audit.record(s, "bob", "links", 7, "update")  # another table
    with sqlite_store.transaction() as s:
        events = audit.history(s, "activities", 7)
        assert audit.history(s, "activities", 9) == []
    assert [(e["action"], e["actor"]) for e in events] == [("update", "alice"), ("delete", "")]
    assert events[0]["before"] == {"title": "A", "at": "2024-03-04T05:06:07+00:00"}  # JSON-safe
    assert events[0]["after"] == {"title": "B"} and events[1]["before"] == events[1]["after"] == {}
    assert datetime.fromisoformat(events[0]["at"]).tzinfo is not None  # aware, even from SQLite
    assert set(events[0]) == {"id", "table", "row_id", "action", "actor", "at", "before", "after"}


def test_record_operation(sqlite_store):
    with sqlite_store.transaction(write=True) as s:
        audit.record_operation(s, "cli:ops", "frameworks", "import", {"framework": "plan", "nodes": 3})
        audit.record_operation(s, None, "documents", "ingest", {"file": "a.txt"}, row_id=12)
    with sqlite_store.transaction() as s:
        (imported,) = audit.history(s, "frameworks", 0)  # no integer id: row 0
        (ingested,) = audit.history(s, "documents", 12)
    assert (imported["actor"], imported["before"], imported["after"]) == (
        "cli:ops", {}, {"framework": "plan", "nodes": 3})
    assert ingested["actor"].startswith("cli") and ingested["actor"] == audit.default_actor()


def test_an_operation_event_exists_only_if_the_operation_commits(sqlite_store):
    with pytest.raises(RuntimeError), sqlite_store.transaction(write=True) as s:
        s.add(Activity(type="event", title="half an import"))
        audit.record_operation(s, "cli:ops", "frameworks", "import", {"nodes": 1})
        raise RuntimeError("import failed")
    with sqlite_store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ReviewEvent)) == 0


@pytest.mark.parametrize("value, expected", [
    (None, None),
    (datetime(2024, 1, 1, 12), datetime(2024, 1, 1, 12, tzinfo=UTC)),  # naive: stored as UTC
    (datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))),
     datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))),  # aware: unchanged
])
def test_aware(value, expected):
    result = audit.aware(value)
    assert result == expected and (result is None or result.utcoffset() == expected.utcoffset())


def test_snapshot_is_json_safe():
    a = Activity(type="event", title="T", partners=["ITU"], attrs={"when": datetime(2024, 1, 1)},
                 created_at=datetime(2024, 2, 3, tzinfo=UTC))
    snap = audit.snapshot(a, ("title", "partners", "attrs", "created_at"))
    assert snap == {"title": "T", "partners": ["ITU"], "attrs": {"when": "2024-01-01T00:00:00+00:00"},
                    "created_at": "2024-02-03T00:00:00+00:00"}
    assert json.loads(json.dumps(snap)) == snap


@pytest.mark.parametrize("actor", ["=SUM(A1)", "+1", "-1", "@cmd"])
def test_csv_export_neutralises_formulas(actor):
    rows = [{"id": 1, "table": "users", "row_id": 2, "action": "update", "actor": actor,
             "at": "2024-01-01T00:00:00+00:00", "before": {"role": "viewer"}, "after": {"role": "admin"}}]
    (header, row) = list(csv.reader(io.StringIO(audit.export(rows, "csv"))))
    assert header == ["id", "table", "row_id", "action", "actor", "at", "before", "after"]
    assert row[4] == "'" + actor
    assert json.loads(row[6]) == {"role": "viewer"} and json.loads(row[7]) == {"role": "admin"}
    assert json.loads(audit.export(rows, "json")) == rows  # JSON keeps the value as it is


def tracked_events(store: Store) -> list[tuple]:
    with store.transaction() as s:
        return [(e.table, e.action, e.actor, e.before, e.after)
                for e in s.scalars(select(ReviewEvent).order_by(ReviewEvent.id))]


def test_track_changes_records_link_reviews_and_crosswalk_links(store):
    with store.transaction(write=True) as s:
        a = Activity(type="event", title="Workshop")
        s.add(a)
        s.flush()
        lk = ActivityLink(activity_id=a.id, node_id=node(s, "sdg:9").id, kind="suggested",
                          method="classifier", confidence=0.5)
        s.add(lk)
        s.flush()
        link_id = lk.id
    with store.transaction(write=True) as s:
        audit.track_changes(s, "reviewer")
        lk = s.get(ActivityLink, link_id)
        lk.review, lk.reviewed_by = "accepted", "reviewer"
        lk.confidence = 0.5  # the same value: not a change
        s.add(Link(from_id=node(s, "wsis:C2").id, to_id=node(s, "sdg:9").id, origin="test"))
    (update, create) = tracked_events(store)
    assert update == ("activity_links", "update", "reviewer",
                      {"review": "unverified", "reviewed_by": ""}, {"review": "accepted", "reviewed_by": "reviewer"})
    assert create[:3] == ("links", "create", "reviewer")
    assert create[4]["kind"] == "stated" and create[4]["relation"] == "contributes_to"


def test_track_changes_ignores_untracked_rows_and_columns(sqlite_store):
    with sqlite_store.transaction(write=True) as s:
        a = Activity(type="event", title="Workshop")
        s.add(a)
        s.flush()
        aid = a.id
    with sqlite_store.transaction(write=True) as s:
        audit.track_changes(s, "editor")
        s.add(Document(sha256="d" * 64, filename="notes.txt"))  # documents: traced by ingest
        act = s.get(Activity, aid)
        act.series_key = "workshops"  # not a column the trail keeps
        act.title = "Workshop"  # assigned its own value
    assert tracked_events(sqlite_store) == []


def test_tracked_changes_of_a_rolled_back_transaction_leave_no_trace(sqlite_store):
    with pytest.raises(RuntimeError), sqlite_store.transaction(write=True) as s:
        audit.track_changes(s, "editor")
        s.add(Activity(type="event", title="never"))
        s.flush()
        raise RuntimeError
    assert tracked_events(sqlite_store) == []


def test_only_the_tracked_session_is_tracked(sqlite_store):
    with sqlite_store.transaction(write=True) as s:
        audit.track_changes(s, "editor")
        s.add(Activity(type="event", title="tracked"))
    with sqlite_store.transaction(write=True) as s:
        s.add(Activity(type="event", title="not tracked"))
    assert [(t, a, who, after["title"]) for t, a, who, _, after in tracked_events(sqlite_store)] == [
        ("activities", "create", "editor", "tracked")]
