"""platform: accounts, sessions, tokens, one-time links, rate limits, submissions, prizes, votes

Revision ID: 0100
Revises: 0002
Create Date: 2026-11-25 09:45:29.035209
"""

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("prize_cycles",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("vote_opens_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("vote_closes_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("champions_per_category", sa.Integer(), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_prize_cycles")),
    sa.UniqueConstraint("name", name=op.f("uq_prize_cycles_name"))
    )
    op.create_table("rate_events",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("key", sa.String(length=200), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_events"))
    )
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.create_index("ix_rate_events_key_at", ["key", "at"], unique=False)

    op.create_table("users",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("username", sa.String(length=64), nullable=False),
    sa.Column("email", sa.String(length=254), nullable=False),
    sa.Column("display_name", sa.String(length=200), nullable=False),
    sa.Column("password_hash", sa.String(length=200), nullable=True),
    sa.Column("role", sa.String(length=16), nullable=False),
    sa.Column("verified", sa.Boolean(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_ip", sa.String(length=64), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('viewer','contributor','reviewer','admin')", name=op.f("ck_users_role")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    sa.UniqueConstraint("username", name=op.f("uq_users_username"))
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_created_ip"), ["created_ip"], unique=False)

    op.create_table("api_tokens",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("prefix", sa.String(length=16), nullable=False),
    sa.Column("scopes", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash"))
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table("one_time_links",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("purpose", sa.String(length=16), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('invite','reset')", name=op.f("ck_one_time_links_purpose")),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_one_time_links_user_id_users"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_links")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_one_time_links_token_hash"))
    )
    with op.batch_alter_table("one_time_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_one_time_links_user_id"), ["user_id"], unique=False)

    op.create_table("prize_categories",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("cycle_id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=300), nullable=False),
    sa.Column("code", sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(["cycle_id"], ["prize_cycles.id"], name=op.f("fk_prize_categories_cycle_id_prize_cycles"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_prize_categories")),
    sa.UniqueConstraint("cycle_id", "name", name=op.f("uq_prize_categories_cycle_id_name"))
    )
    with op.batch_alter_table("prize_categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prize_categories_cycle_id"), ["cycle_id"], unique=False)

    op.create_table("submissions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("owner_id", sa.Integer(), nullable=True),
    sa.Column("status", sa.String(length=24), nullable=False),
    sa.Column("title", sa.String(length=300), nullable=False),
    sa.Column("organisation", sa.String(length=300), nullable=False),
    sa.Column("organisation_key", sa.String(length=300), nullable=False),
    sa.Column("country", sa.String(length=100), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("action_lines", sa.JSON(), nullable=False),
    sa.Column("sdgs", sa.JSON(), nullable=False),
    sa.Column("partners", sa.JSON(), nullable=False),
    sa.Column("website", sa.String(length=1000), nullable=False),
    sa.Column("project_status", sa.String(length=32), nullable=False),
    sa.Column("date_start", sa.String(length=10), nullable=True),
    sa.Column("date_end", sa.String(length=10), nullable=True),
    sa.Column("flags", sa.JSON(), nullable=False),
    sa.Column("review_comment", sa.Text(), nullable=False),
    sa.Column("activity_id", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft','submitted','approved','changes_requested','rejected')", name=op.f("ck_submissions_status")),
    sa.ForeignKeyConstraint(["activity_id"], ["activities.id"], name=op.f("fk_submissions_activity_id_activities"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_submissions_owner_id_users"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions"))
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index("ix_submissions_organisation_key", ["organisation_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_submissions_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_submissions_status", ["status"], unique=False)

    op.create_table("web_sessions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("csrf", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ip", sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash"))
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)

    op.create_table("nominations",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("category_id", sa.Integer(), nullable=False),
    sa.Column("submission_id", sa.Integer(), nullable=False),
    sa.Column("nominated_by", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["category_id"], ["prize_categories.id"], name=op.f("fk_nominations_category_id_prize_categories"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], name=op.f("fk_nominations_submission_id_submissions"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_nominations")),
    sa.UniqueConstraint("category_id", "submission_id", name=op.f("uq_nominations_category_id_submission_id"))
    )
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nominations_category_id"), ["category_id"], unique=False)

    op.create_table("votes",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("category_id", sa.Integer(), nullable=False),
    sa.Column("nomination_id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("ip", sa.String(length=64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["category_id"], ["prize_categories.id"], name=op.f("fk_votes_category_id_prize_categories"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["nomination_id"], ["nominations.id"], name=op.f("fk_votes_nomination_id_nominations"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_votes_user_id_users"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
    sa.UniqueConstraint("category_id", "user_id", name=op.f("uq_votes_category_id_user_id"))
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_nomination_id"), ["nomination_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_votes_user_id"), ["user_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_user_id"))
        batch_op.drop_index(batch_op.f("ix_votes_nomination_id"))
        batch_op.drop_index(batch_op.f("ix_votes_category_id"))

    op.drop_table("votes")
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominations_category_id"))

    op.drop_table("nominations")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))

    op.drop_table("web_sessions")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_status")
        batch_op.drop_index(batch_op.f("ix_submissions_owner_id"))
        batch_op.drop_index("ix_submissions_organisation_key")

    op.drop_table("submissions")
    with op.batch_alter_table("prize_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prize_categories_cycle_id"))

    op.drop_table("prize_categories")
    with op.batch_alter_table("one_time_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_time_links_user_id"))

    op.drop_table("one_time_links")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_created_ip"))

    op.drop_table("users")
    with op.batch_alter_table("rate_events", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_events_key_at")

    op.drop_table("rate_events")
    op.drop_table("prize_cycles")
