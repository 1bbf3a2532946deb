"""Whole-database backups (``sdgmap.store.backup``) beyond tests/test_platform_core.py: a
hand-made register with reviewed links round-trips exactly on both backends; files from
a newer or an older schema; broken files are refused with a clear message and leave the
database as it was."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import BACKENDS
from sdgmap.errors import UserError
from sdgmap.store.activity_queries import query_activities
from sdgmap.store.backup import SECRET_TABLES, export_all, import_all
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import Activity, ActivityLink, Framework, Node, ReviewEvent
from sdgmap.store.review import review_links
from sdgmap.store.views import activity_detail
from storedata import backend_store, build


@pytest.fixture(params=BACKENDS)
def pair(request, tmp_path, sqlite_template, pg_template):
    """A store with the register of ``storedata`` and an empty one on the same backend."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with backend_store(request.param, tmp_path / "a", sqlite_template, pg_template) as source, \
            backend_store(request.param, tmp_path / "b", sqlite_template, pg_template) as target:
        yield source, build(source), target


def snapshot(store) -> dict:
    """What people see of the register: every activity as listed and in detail, and the
    review trail."""
    with store.transaction() as s:
        ids = s.scalars(select(Activity.id).order_by(Activity.id)).all()
        return {"list": query_activities(s, ActivityFilter(link_kinds=("stated", "derived", "suggested", "curated"))),
                "detail": [activity_detail(s, i) for i in ids],
                "events": [(e.table, e.row_id, e.action, e.actor, e.before, e.after)
                           for e in s.scalars(select(ReviewEvent).order_by(ReviewEvent.id))]}


def test_a_reviewed_register_round_trips(pair, tmp_path):
    source, ids, target = pair
    with source.transaction(write=True) as s:
        sugg = s.scalars(select(ActivityLink.id).where(ActivityLink.kind == "suggested",
                                                       ActivityLink.review == "unverified")
                         .order_by(ActivityLink.id)).all()
        review_links(s, sugg[:1], "accept", "alice")
        review_links(s, sugg[1:], "edit", "bob", node_ref="sdg:9.c")
    before = snapshot(source)
    assert len(before["events"]) == 2

    counts = export_all(source, tmp_path / "register.json.gz")
    assert (counts["activities"], counts["activity_links"], counts["documents"], counts["review_events"]) == (
        5, 13, 1, 2)
    assert SECRET_TABLES.isdisjoint(counts)
    restored = import_all(target, tmp_path / "register.json.gz", actor="admin")
    assert restored == counts

    after = snapshot(target)
    assert after["list"] == before["list"] and after["detail"] == before["detail"]
    assert after["events"][:-1] == before["events"]  # the trail, then one event for the restore
    assert after["events"][-1][:4] == ("database", 0, "import_backup", "admin")


def test_a_restore_replaces_content_only_when_asked(pair, tmp_path):
    source, ids, target = pair
    export_all(source, tmp_path / "register.json")  # not compressed
    with target.transaction(write=True) as s:
        s.add(Activity(type="event", title="Already here"))
    with pytest.raises(UserError, match="already has content"):
        import_all(target, tmp_path / "register.json")
    import_all(target, tmp_path / "register.json", replace=True)
    with target.transaction() as s:
        titles = s.scalars(select(Activity.title).order_by(Activity.id)).all()
    assert "Already here" not in titles and len(titles) == 5


# --- files that are refused -----------------------------------------------------------------

def backup_file(tmp_path: Path, tables: dict, **head) -> Path:
    path = tmp_path / "backup.json"
    path.write_text(json.dumps({"format": "sdgmap-backup", "version": 1, **head, "tables": tables}),
                    encoding="utf-8")
    return path


def state(store) -> tuple[int, int, int]:
    with store.transaction() as s:
        return (s.scalar(select(func.count()).select_from(Framework)),
                s.scalar(select(func.count()).select_from(Node)),
                s.scalar(select(func.count()).select_from(Activity)))


def test_a_backup_of_a_newer_schema_is_refused(store, tmp_path):
    before = state(store)
    path = backup_file(tmp_path, {"activities": {"columns": ["id"], "rows": []},
                                  "carbon_budgets": {"columns": ["id"], "rows": [[1]]}},
                       schema="9999_future")
    with pytest.raises(UserError, match=r"tables this version does not know: carbon_budgets "
                                        r"\(backup schema 9999_future, database \w+\)"):
        import_all(store, path)
    assert state(store) == before


def test_a_bad_row_late_in_the_file_changes_nothing(store, tmp_path):
    """The restore first empties every table; an error further on undoes that too."""
    before = state(store)
    assert before[1] > 100  # the built-in frameworks
    path = backup_file(tmp_path, {
        "frameworks": {"columns": ["id", "name"], "rows": [["plan", "Plan"]]},
        "activities": {"columns": ["id", "type", "title", "created_at"],
                       "rows": [[1, "event", "Fine", "2024-01-01T00:00:00+00:00"],
                                [2, "event", "Broken", "yesterday"]]}})
    with pytest.raises(UserError, match="table activities, row 2"):
        import_all(store, path, replace=True)
    assert state(store) == before


@pytest.mark.parametrize("content, message", [
    ('{"tables": {}}', "not an sdgmap backup"),
    ('{"format": "something-else", "tables": {}}', "not an sdgmap backup"),
    ('{"format": "sdgmap-backup"}', "not an sdgmap backup"),
    ('[1, 2, 3]', "not an sdgmap backup"),
    ('{"format": "sdgmap-backup", "tables": {"nodes": {"columns": "id", "rows": []}}}',
     "table nodes: columns and rows must be lists"),
    ('{"format": "sdgmap-backup", "tables": {"nodes": {"columns": ["id"], "rows": [5]}}}',
     "table nodes, row 1: expected 1 values"),
    ('{"format": "sdgmap-backup", "tables"', "not a readable sdgmap backup"),
])
def test_malformed_files(sqlite_store, tmp_path, content, message):
    before = state(sqlite_store)
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        import_all(sqlite_store, path, replace=True)
    assert state(sqlite_store) == before


def test_a_missing_or_corrupt_compressed_file(sqlite_store, tmp_path):
    with pytest.raises(UserError, match="no such file"):
        import_all(sqlite_store, tmp_path / "nowhere.json.gz")
    (tmp_path / "broken.json.gz").write_bytes(gzip.compress(b'{"format": "sdgmap-backup"')[:-8])
    with pytest.raises(UserError, match="not a readable sdgmap backup"):
        import_all(sqlite_store, tmp_path / "broken.json.gz")


# --- files from other versions --------------------------------------------------------------

def test_an_older_backup_without_a_column_gets_its_default(sqlite_store, tmp_path):
    path = backup_file(tmp_path, {"activities": {
        "columns": ["id", "type", "title", "year"], "rows": [[7, "project", "Old export", 2019]]}})
    import_all(sqlite_store, path, replace=True)
    with sqlite_store.transaction() as s:
        a = s.get(Activity, 7)
        assert (a.title, a.year, a.description, a.partners, a.attrs, a.series_key) == (
            "Old export", 2019, "", [], {}, "")


def test_children_listed_before_their_parents_are_restored(sqlite_store, tmp_path):
    path = backup_file(tmp_path, {
        "frameworks": {"columns": ["id", "name"], "rows": [["plan", "Plan"]]},
        "nodes": {"columns": ["id", "framework_id", "code", "kind", "title", "parent_id"],
                  "rows": [[3, "plan", "O1.1.1", "kpi", "KPI", 2],
                           [2, "plan", "O1.1", "outcome", "Outcome", 1],
                           [1, "plan", "O1", "objective", "Objective", None]]}})
    import_all(sqlite_store, path, replace=True)
    with sqlite_store.transaction() as s:
        assert {n.code: n.parent.code if n.parent else None for n in s.scalars(select(Node))} == {
            "O1": None, "O1.1": "O1", "O1.1.1": "O1.1"}


@pytest.mark.parametrize("rows", [
    [[1, "plan", "A", "x", "A", 2], [2, "plan", "B", "x", "B", 1]],  # a cycle
    [[1, "plan", "A", "x", "A", 99]],  # a parent that is not there
])
def test_a_node_tree_that_cannot_be_ordered_is_refused(sqlite_store, tmp_path, rows):
    before = state(sqlite_store)
    path = backup_file(tmp_path, {
        "frameworks": {"columns": ["id", "name"], "rows": [["plan", "Plan"]]},
        "nodes": {"columns": ["id", "framework_id", "code", "kind", "title", "parent_id"], "rows": rows}})
    with pytest.raises(UserError, match="table nodes has a parent_id cycle or a missing parent"):
        import_all(sqlite_store, path, replace=True)
    assert state(sqlite_store) == before
