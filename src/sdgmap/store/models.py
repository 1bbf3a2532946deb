"""ORM models of the register; with ``platform_models`` (accounts, submissions, prizes),
which shares this ``Base``, the whole schema of sdgmap.

Frameworks own nodes; links join any two nodes (framework-to-framework crosswalks);
activities join nodes through activity links. Every link says where it came from
(source document and locator), how it was made (kind, method) and whether a person
has checked it (review). Derived links are never stored: ``sdgmap.frameworks.linkage``
computes them with their path, so they cannot be confused with stated ones.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LINK_KINDS = ("stated", "derived", "suggested", "curated")
REVIEW_STATES = ("unverified", "accepted", "rejected", "edited")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Framework(Base):
    """A framework: the SDGs, the WSIS Action Lines, a strategic plan, a KPI set."""

    __tablename__ = "frameworks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    nodes: Mapped[list[Node]] = relationship(
        back_populates="framework", cascade="all, delete-orphan", order_by="Node.sort"
    )


class Node(Base):
    """One element of a framework: a goal, target, indicator, Action Line, outcome, KPI."""

    __tablename__ = "nodes"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    framework_id: Mapped[str] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    short_title: Mapped[str] = mapped_column(String(300), default="")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), index=True
    )
    sort: Mapped[int] = mapped_column(Integer, default=0)
    attrs: Mapped[dict] = mapped_column(JSON, default=dict)

    framework: Mapped[Framework] = relationship(back_populates="nodes")
    parent: Mapped[Node | None] = relationship(remote_side=[id])

    @property
    def ref(self) -> str:
        """The global reference used everywhere: ``framework:code`` (``sdg:9.c``)."""
        return f"{self.framework_id}:{self.code}"


class Document(Base):
    """A file that was ingested (or a framework's source), identified by content hash."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(100), default="text/plain")
    size: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text, default="")
    entity: Mapped[str] = mapped_column(String(100), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    pages: Mapped[list] = mapped_column(JSON, default=list)  # [[page_no, start, end], ...]
    status: Mapped[str] = mapped_column(String(32), default="ingested")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Link(Base):
    """A link between two framework nodes (a crosswalk edge), with its provenance."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id", "relation", "kind", "source"),
        CheckConstraint("kind IN ('stated','derived','suggested','curated')", name="kind"),
        CheckConstraint(
            "review IN ('unverified','accepted','rejected','edited')", name="review"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(64), default="contributes_to")
    kind: Mapped[str] = mapped_column(String(16), default="stated")
    source: Mapped[str] = mapped_column(String(500), default="")
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    locator: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[str] = mapped_column(String(64), default="")
    # Which framework or crosswalk file declared the link; re-importing it replaces them.
    origin: Mapped[str] = mapped_column(String(100), default="", index=True)
    rationale: Mapped[str] = mapped_column(Text, default="")
    asserted_by: Mapped[str] = mapped_column(String(200), default="")
    review: Mapped[str] = mapped_column(String(16), default="unverified")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    from_node: Mapped[Node] = relationship(foreign_keys=[from_id])
    to_node: Mapped[Node] = relationship(foreign_keys=[to_id])


class Activity(Base):
    """An entry of the register: a decision, event, publication, partnership, project, pledge."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_type_year", "type", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    entity: Mapped[str] = mapped_column(String(100), default="", index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    date_start: Mapped[str | None] = mapped_column(String(10))  # ISO dates, open ends allowed
    date_end: Mapped[str | None] = mapped_column(String(10))
    dates_text: Mapped[str] = mapped_column(String(300), default="")
    location: Mapped[str] = mapped_column(String(300), default="")
    partners: Mapped[list] = mapped_column(JSON, default=list)
    website: Mapped[str] = mapped_column(String(1000), default="")
    series_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    attrs: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    sources: Mapped[list[ActivitySource]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )
    links: Mapped[list[ActivityLink]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )


class ActivitySource(Base):
    """Where an activity is reported: a document and the character span of its block."""

    __tablename__ = "activity_sources"
    __table_args__ = (UniqueConstraint("activity_id", "document_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(300), default="")
    page: Mapped[int | None] = mapped_column(Integer)

    activity: Mapped[Activity] = relationship(back_populates="sources")
    document: Mapped[Document] = relationship()


class ActivityLink(Base):
    """An activity's link to a framework node, with method, confidence, evidence and review."""

    __tablename__ = "activity_links"
    __table_args__ = (
        UniqueConstraint("activity_id", "node_id", "kind", "method"),
        CheckConstraint("kind IN ('stated','derived','suggested','curated')", name="kind"),
        CheckConstraint(
            "review IN ('unverified','accepted','rejected','edited')", name="review"
        ),
        Index("ix_activity_links_node_kind", "node_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[int] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="stated")
    method: Mapped[str] = mapped_column(String(64), default="explicit-reference")
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    primary: Mapped[bool] = mapped_column(Boolean, default=False)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")
    review: Mapped[str] = mapped_column(String(16), default="unverified")
    reviewed_by: Mapped[str] = mapped_column(String(200), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="links")
    node: Mapped[Node] = relationship()


class Mention(Base):
    """An explicit reference found in a document (SDG, target, Action Line, entity, date...)."""

    __tablename__ = "mentions"
    __table_args__ = (Index("ix_mentions_document_kind", "document_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(64), default="regex")


class ReviewEvent(Base):
    """Every review decision on a link: who, when, before and after (the audit trail)."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
