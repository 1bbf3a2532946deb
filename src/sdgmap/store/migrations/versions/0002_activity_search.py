"""full-text search over activities (SQLite FTS5, PostgreSQL GIN index)

Revision ID: 0002
Revises: 0001

SQLite: an external-content FTS5 table kept in sync with ``activities`` by triggers.
PostgreSQL: a GIN index over the same ``to_tsvector`` expression that
``sdgmap.store.filters`` queries, so nothing needs to be kept in sync.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PG_EXPR = "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(description, ''))"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE activities_fts USING fts5("
            "title, description, content='activities', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER activities_fts_ai AFTER INSERT ON activities BEGIN "
            "INSERT INTO activities_fts(rowid, title, description) "
            "VALUES (new.id, new.title, new.description); END"
        )
        op.execute(
            "CREATE TRIGGER activities_fts_ad AFTER DELETE ON activities BEGIN "
            "INSERT INTO activities_fts(activities_fts, rowid, title, description) "
            "VALUES ('delete', old.id, old.title, old.description); END"
        )
        op.execute(
            "CREATE TRIGGER activities_fts_au AFTER UPDATE OF title, description ON activities BEGIN "
            "INSERT INTO activities_fts(activities_fts, rowid, title, description) "
            "VALUES ('delete', old.id, old.title, old.description); "
            "INSERT INTO activities_fts(rowid, title, description) "
            "VALUES (new.id, new.title, new.description); END"
        )
        op.execute("INSERT INTO activities_fts(activities_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_activities_fts ON activities USING gin ({PG_EXPR})")
    # Link filters read only this index (no table lookups): "activities linked to goal 9".
    op.create_index("ix_activity_links_node_kind_review_activity", "activity_links",
                    ["node_id", "kind", "review", "activity_id"])
    # The review queue: unreviewed suggestions, most confident first.
    op.create_index("ix_activity_links_kind_review_confidence", "activity_links",
                    ["kind", "review", "confidence"])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_activity_links_kind_review_confidence", "activity_links")
    op.drop_index("ix_activity_links_node_kind_review_activity", "activity_links")
    if dialect == "sqlite":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS activities_fts_{name}")
        op.execute("DROP TABLE IF EXISTS activities_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_activities_fts")
