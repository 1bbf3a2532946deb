"""Migration 0002 (full-text search over activities) goes down and up cleanly on both backends,
and the search index is rebuilt from the rows already there."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from sdgmap.store.activity_queries import count_activities
from sdgmap.store.db import alembic_config
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import Activity


def _migrate(store, fn, target):
    with store.engine.begin() as conn:
        cfg = alembic_config(store.url)
        cfg.attributes["connection"] = conn
        fn(cfg, target)


def test_search_migration_down_and_up(store):
    with store.transaction() as s:
        s.add(Activity(type="event", title="Spectrum management workshop", description="radio"))
    _migrate(store, command.downgrade, "0001")
    indexes = {ix["name"] for ix in inspect(store.engine).get_indexes("activity_links")}
    assert "ix_activity_links_node_kind_review_activity" not in indexes
    if store.dialect == "sqlite":
        assert "activities_fts" not in inspect(store.engine).get_table_names()
    _migrate(store, command.upgrade, "head")
    with store.transaction() as s:
        assert count_activities(s, ActivityFilter(text="spectrum")) == 1
        assert count_activities(s, ActivityFilter(text="radio worksh")) == 1
