"""ORM models of the multi-user platform: accounts, sessions, tokens, submissions, prizes.

They share ``Base`` (one metadata) with the core schema in ``sdgmap.store.models``; the
audit trail reuses the core ``review_events`` table (see ``sdgmap.store.audit``).
Secrets are never stored in clear: passwords as argon2 hashes, session ids, API tokens
and one-time links as SHA-256 digests of high-entropy random values.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sdgmap.store.models import Base, utcnow

ROLES = ("viewer", "contributor", "reviewer", "admin")
SUBMISSION_STATES = ("draft", "submitted", "approved", "changes_requested", "rejected")


class User(Base):
    """An account. ``verified`` accounts (invited, or checked by an admin) may vote."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('viewer','contributor','reviewer','admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-case
    email: Mapped[str] = mapped_column(String(254), default="")
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None until set via invite
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_ip: Mapped[str] = mapped_column(String(64), default="", index=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A login session. Kept in the database so several app workers share it."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A scoped, revocable token for scripts (``Authorization: Bearer ...``)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), default="")  # shown in lists to tell tokens apart
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class OneTimeLink(Base):
    """An admin-issued invitation or password-reset link; usable once, until it expires."""

    __tablename__ = "one_time_links"
    __table_args__ = (CheckConstraint("purpose IN ('invite','reset')", name="purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class RateEvent(Base):
    """One attempt counted by a rate limit (login, sign-up, vote), shared by all workers."""

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Submission(Base):
    """A stocktaking entry sent by an outside stakeholder, moderated before it is public."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft','submitted','approved','changes_requested','rejected')",
            name="status",
        ),
        Index("ix_submissions_status", "status"),
        Index("ix_submissions_organisation_key", "organisation_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(24), default="draft")
    title: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str] = mapped_column(String(300))
    organisation_key: Mapped[str] = mapped_column(String(300), default="")  # normalised
    country: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    action_lines: Mapped[list] = mapped_column(JSON, default=list)  # ["C1", "C7.e-gov"]
    sdgs: Mapped[dict] = mapped_column(JSON, default=dict)  # {"4": "justification", ...}
    partners: Mapped[list] = mapped_column(JSON, default=list)
    website: Mapped[str] = mapped_column(String(1000), default="")
    project_status: Mapped[str] = mapped_column(String(32), default="")
    date_start: Mapped[str | None] = mapped_column(String(10))
    date_end: Mapped[str | None] = mapped_column(String(10))
    flags: Mapped[list] = mapped_column(JSON, default=list)  # computed on submit, for reviewers
    review_comment: Mapped[str] = mapped_column(Text, default="")
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    owner: Mapped[User | None] = relationship()


class PrizeCycle(Base):
    """One prize round (e.g. "WSIS Prizes 2026") with its public voting window."""

    __tablename__ = "prize_cycles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    vote_opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    vote_closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    champions_per_category: Mapped[int] = mapped_column(Integer, default=5)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    categories: Mapped[list[PrizeCategory]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="PrizeCategory.id"
    )


class PrizeCategory(Base):
    """A category of a cycle: one per Action Line (``code`` = "wsis:C5") or a custom one."""

    __tablename__ = "prize_categories"
    __table_args__ = (UniqueConstraint("cycle_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("prize_cycles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(String(64), default="")

    cycle: Mapped[PrizeCycle] = relationship(back_populates="categories")


class Nomination(Base):
    """An approved submission put forward in a category by a reviewer."""

    __tablename__ = "nominations"
    __table_args__ = (UniqueConstraint("category_id", "submission_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("prize_categories.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    nominated_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    category: Mapped[PrizeCategory] = relationship()
    submission: Mapped[Submission] = relationship()


class Vote(Base):
    """One vote. The unique constraint is what makes "one vote per account per category"
    hold under concurrent requests on every backend, whatever the application checks."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("category_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("prize_categories.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
