"""Which activities a query means: ``ActivityFilter`` and the one SQL builder for it.

``filtered_select`` turns a filter into a SELECT of activities; every listing, count,
facet, export and report starts from it, so callers never build their own activity
queries. ``trusted_link`` says which links count as established (stated, curated or
accepted by a reviewer).

Full-text search uses SQLite FTS5 (table ``activities_fts``, kept in sync by triggers) or
PostgreSQL's ``to_tsvector`` with a GIN index (migration 0002); words are reduced to
letters and digits before they reach either engine, so user input is never query syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, func, literal_column, or_, select, text
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from sdgmap.store.models import (
    Activity,
    ActivityLink,
    Node,
)

SORTS = {
    "id": Activity.id,
    "title": Activity.title,
    "year": Activity.year,
    "type": Activity.type,
    "date": Activity.date_start,
}


@dataclass
class ActivityFilter:
    type: str | None = None
    year: int | None = None
    sdg: int | None = None  # goal number: an activity linked to the goal or any target/indicator of it
    target: str | None = None  # e.g. "9.c"
    action_line: str | None = None  # e.g. "C5"
    node: str | None = None  # any framework:code
    link_kinds: tuple[str, ...] = ("stated", "curated", "suggested")
    include_rejected: bool = False
    # "trusted": stated or curated links and suggestions a reviewer accepted or edited (what
    # reports and the overview count as established); "unreviewed": suggestions awaiting review.
    trust: str | None = None
    partner: str | None = None
    entity: str | None = None
    text: str | None = None
    ids: list[int] = field(default_factory=list)


TRUST_LEVELS = ("trusted", "unreviewed")


TRUSTED_REVIEWS = ("accepted", "edited")


def trusted_link() -> ColumnElement:
    """SQL: an activity link that counts as established (stated, curated, or a suggestion a
    reviewer accepted or edited); analytics, reports and the ``trust`` filter share it."""
    return or_(ActivityLink.kind.in_(("stated", "curated")),
               and_(ActivityLink.kind == "suggested", ActivityLink.review.in_(TRUSTED_REVIEWS)))


def _linked(node_cond, f: ActivityFilter, dialect: str | None = None):
    """Activities with a link of one of ``kinds`` to a node matching ``node_cond``.

    Written as ``id IN (links to those nodes)`` so both engines start from the few
    matching nodes and the (node_id, kind, review, activity_id) index, not from every
    activity.
    """
    nodes = select(Node.id).where(node_cond)
    links = select(ActivityLink.activity_id).where(ActivityLink.node_id.in_(nodes),
                                                   ActivityLink.kind.in_(f.link_kinds))
    if not f.include_rejected:
        links = links.where(ActivityLink.review != "rejected")
    if f.trust == "trusted":
        links = links.where(trusted_link())
    elif f.trust == "unreviewed":
        links = links.where(ActivityLink.kind == "suggested", ActivityLink.review == "unverified")
    elif f.trust is not None:
        raise ValueError(f"trust: one of {', '.join(TRUST_LEVELS)}")
    if dialect == "postgresql":
        # A literal OFFSET 0 keeps PostgreSQL from turning this into a per-row nested loop
        # when it underestimates a full-text match: the set is built once and joined by
        # hash. Written as a literal so that any plan, generic or not, sees the fence.
        links = links.offset(literal_column("0"))
    return Activity.id.in_(links)


PG_TSVECTOR = "to_tsvector('english', coalesce(activities.title, '') || ' ' || coalesce(activities.description, ''))"


MAX_WORDS = 12


def search_words(text_query: str) -> list[str]:
    """The words of a search box entry (letters and digits only, at most MAX_WORDS)."""
    return re.findall(r"\w+", text_query or "", flags=re.UNICODE)[:MAX_WORDS]


def _text_condition(words: list[str], dialect: str | None):
    """All words must match, each as a prefix ("broad" finds "broadband")."""
    if dialect == "sqlite":
        query = " ".join(f'"{w}"*' for w in words)
        return Activity.id.in_(
            select(literal_column("rowid")).select_from(text("activities_fts"))
            .where(text("activities_fts MATCH :fts_q").bindparams(fts_q=query)))
    if dialect == "postgresql":
        query = " & ".join(f"{w}:*" for w in words)
        return text(f"{PG_TSVECTOR} @@ to_tsquery('english', :ts_q)").bindparams(ts_q=query)
    return and_(*[or_(Activity.title.ilike(f"%{w}%"), Activity.description.ilike(f"%{w}%"))
                  for w in words])


def _node_or_descendant(fw: str, code: str):
    """A node given by framework and code, or any node below it (objective -> its outcomes)."""
    parent, grand = aliased(Node), aliased(Node)
    match = and_(Node.framework_id == fw, Node.code == code)
    below = Node.parent_id.in_(select(parent.id).where(parent.framework_id == fw, parent.code == code))
    below2 = Node.parent_id.in_(
        select(parent.id).join(grand, parent.parent_id == grand.id)
        .where(grand.framework_id == fw, grand.code == code))
    return or_(match, below, below2)


def filtered_select(f: ActivityFilter, dialect: str | None = None) -> Select:
    """The SELECT of activities matching ``f``; ``dialect`` picks the full-text engine."""
    stmt = select(Activity)
    if f.type:
        stmt = stmt.where(Activity.type == f.type)
    if f.year is not None:
        stmt = stmt.where(Activity.year == f.year)
    if f.entity:
        stmt = stmt.where(Activity.entity == f.entity)
    if f.ids:
        stmt = stmt.where(Activity.id.in_(f.ids))
    if f.sdg is not None:
        goal = str(f.sdg)
        cond = and_(Node.framework_id == "sdg",
                    or_(Node.code == goal, Node.code.like(f"{goal}.%")))
        stmt = stmt.where(_linked(cond, f, dialect))
    if f.target:
        cond = and_(Node.framework_id == "sdg", or_(Node.code == f.target, Node.code.like(f"{f.target}.%")))
        stmt = stmt.where(_linked(cond, f, dialect))
    if f.action_line:
        cond = and_(Node.framework_id == "wsis",
                    or_(Node.code == f.action_line, Node.code.like(f"{f.action_line}.%")))
        stmt = stmt.where(_linked(cond, f, dialect))
    if f.node:
        fw, _, code = f.node.partition(":")
        stmt = stmt.where(_linked(_node_or_descendant(fw, code), f, dialect))
    if f.partner:
        stmt = stmt.where(func.lower(func.cast(Activity.partners, type_=Activity.title.type)).like(
            f"%{f.partner.lower()}%"))
    if f.text:
        words = search_words(f.text)
        if words:
            stmt = stmt.where(_text_condition(words, dialect))
        else:  # punctuation only: nothing can match a word search
            stmt = stmt.where(Activity.id.is_(None))
    return stmt


def planned_dialect(session: Session) -> str:
    """The engine's name; on PostgreSQL also asks for plans made for this query's values.

    psycopg prepares a statement after a few runs, and PostgreSQL may then reuse a generic
    plan that cannot see the search words: it scans every activity computing its tsvector
    (hundreds of ms at 100,000 activities instead of tens). SET LOCAL lasts until the end
    of the current transaction.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    return name


def head_expr(session: Session, col) -> ColumnElement:
    """The code before the first dot: "9.c.1" -> "9", "C7.e-gov" -> "C7" (on both backends)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.split_part(col, ".", 1)
    return func.substr(col, 1, func.instr(col + ".", ".") - 1)
