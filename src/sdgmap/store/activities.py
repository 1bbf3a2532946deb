"""The activity query layer shared by the CLI, the web pages, the JSON API and the reports.

``ActivityFilter`` describes a result set; ``query_activities`` returns it as plain dicts
(the shape printed by ``sdgmap activities list --json``), ``activity_facets`` counts it
by type, year, goal, Action Line and link kind, and ``activity_page`` pages through it.
Keep one implementation here: callers never build their own activity queries.

Full-text search uses SQLite FTS5 (table ``activities_fts``, kept in sync by triggers) or
PostgreSQL's ``to_tsvector`` with a GIN index (migration 0002); words are reduced to
letters and digits before they reach either engine, so user input is never query syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, func, literal_column, or_, select, text
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.sql.elements import ColumnElement

from sdgmap.store.models import (
    Activity,
    ActivityLink,
    ActivitySource,
    Document,
    Node,
    ReviewEvent,
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


def _dialect(session: Session) -> str:
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


def count_activities(session: Session, f: ActivityFilter) -> int:
    inner = filtered_select(f, _dialect(session)).with_only_columns(Activity.id).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def query_activities(session: Session, f: ActivityFilter | None = None, *, sort: str = "id",
                     descending: bool = False, limit: int | None = None, offset: int = 0) -> list[dict]:
    f = f or ActivityFilter()
    col = SORTS.get(sort, Activity.id)
    stmt = filtered_select(f, _dialect(session)).order_by(col.desc() if descending else col, Activity.id)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    stmt = stmt.options(
        selectinload(Activity.links).selectinload(ActivityLink.node),
        # only the filename: a document's text can be megabytes
        selectinload(Activity.sources).selectinload(ActivitySource.document)
        .load_only(Document.id, Document.filename),
    )
    return [activity_dict(a, f) for a in session.scalars(stmt)]


@dataclass
class ActivityPage:
    """One page of a result set: rows plus what a pager needs."""

    rows: list[dict]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class PageOutOfRange(ValueError):
    """A page number past the last page of a result set."""


def activity_page(session: Session, f: ActivityFilter, *, page: int = 1, per_page: int = 25,
                  sort: str = "id", descending: bool = False) -> ActivityPage:
    """Page ``page`` (1-based) of the result set; PageOutOfRange past the last page."""
    total = count_activities(session, f)
    pages = max(1, -(-total // per_page))
    if page < 1 or page > pages:
        raise PageOutOfRange(f"page {page} does not exist: this result set has {pages} page(s)")
    rows = query_activities(session, f, sort=sort, descending=descending, limit=per_page,
                            offset=(page - 1) * per_page)
    return ActivityPage(rows, total, page, per_page)


def activity_facets(session: Session, f: ActivityFilter, top: int = 20) -> dict[str, list[dict]]:
    """Counts of the result set by type, year, SDG goal, Action Line and link kind.

    Each facet is a list of ``{"value", "count"}``, largest first (years and goals in
    order). Goal and Action Line counts include sub-nodes (targets, sub-lines).
    """
    from sdgmap.analytics.common import head_expr  # shared SQL helper; no import cycle

    unfiltered = f == ActivityFilter(link_kinds=f.link_kinds, include_rejected=f.include_rejected)
    ids = filtered_select(f, _dialect(session)).with_only_columns(Activity.id).subquery()

    def within(stmt, col):  # the unfiltered set needs no IN (...) over every activity
        return stmt if unfiltered else stmt.where(col.in_(select(ids.c.id)))

    out: dict[str, list[dict]] = {}
    for name, col in (("type", Activity.type), ("year", Activity.year)):
        rows = session.execute(within(select(col, func.count()), Activity.id).group_by(col)).all()
        out[name] = [{"value": v, "count": n} for v, n in rows if v is not None]
    out["type"].sort(key=lambda d: (-d["count"], str(d["value"])))
    out["year"].sort(key=lambda d: d["value"], reverse=True)
    live = and_(ActivityLink.kind.in_(f.link_kinds), ActivityLink.review != "rejected")
    head = head_expr(session, Node.code)
    for name, fw in (("sdg", "sdg"), ("action_line", "wsis")):
        n_act = func.count(func.distinct(ActivityLink.activity_id))
        stmt = (select(head, n_act).join(Node, ActivityLink.node_id == Node.id)
                .where(Node.framework_id == fw, live))
        rows = session.execute(within(stmt, ActivityLink.activity_id).group_by(head)).all()
        out[name] = sorted(({"value": str(v), "count": n} for v, n in rows),
                           key=lambda d: _code_key(d["value"]))
    stmt = (select(ActivityLink.kind, func.count(func.distinct(ActivityLink.activity_id)))
            .where(ActivityLink.review != "rejected"))
    rows = session.execute(within(stmt, ActivityLink.activity_id).group_by(ActivityLink.kind)).all()
    out["kind"] = [{"value": k, "count": n} for k, n in sorted(rows, key=lambda r: -r[1])]
    return out


def _goal_of(node: Node) -> int | None:
    if node.framework_id != "sdg":
        return None
    head = node.code.split(".")[0]
    return int(head) if head.isdigit() else None


def activity_dict(a: Activity, f: ActivityFilter | None = None) -> dict:
    """The public shape of an activity (CLI JSON, API, reports)."""
    kinds = (f or ActivityFilter()).link_kinds
    links = [lk for lk in a.links if lk.kind in kinds and lk.review != "rejected"]
    sdgs = sorted({g for lk in links if (g := _goal_of(lk.node)) is not None})
    primary = sorted({g for lk in links if lk.primary and (g := _goal_of(lk.node)) is not None})
    # goals that rest only on unreviewed classifier suggestions (shown apart in lists)
    firm = {g for lk in links if not (lk.kind == "suggested" and lk.review == "unverified")
            and (g := _goal_of(lk.node)) is not None}
    targets = sorted({lk.node.code for lk in links if lk.node.framework_id == "sdg" and lk.node.kind == "target"},
                     key=_code_key)
    als = sorted({lk.node.code for lk in links if lk.node.framework_id == "wsis"}, key=_code_key)
    other = sorted({lk.node.ref for lk in links if lk.node.framework_id not in ("sdg", "wsis")})
    return {
        "id": a.id,
        "type": a.type,
        "title": a.title,
        "description": a.description,
        "entity": a.entity,
        "year": a.year,
        "dates": {"start": a.date_start, "end": a.date_end, "text": a.dates_text},
        "location": a.location,
        "partners": a.partners or [],
        "website": a.website,
        "series": a.series_key,
        "sdgs": sdgs,
        "primary_sdgs": primary,
        "suggested_sdgs": [g for g in sdgs if g not in firm],
        "targets": targets,
        "action_lines": als,
        "other_links": other,
        "links": [
            {"node": lk.node.ref, "kind": lk.kind, "method": lk.method, "confidence": lk.confidence,
             "review": lk.review, "primary": lk.primary, "span": [lk.span_start, lk.span_end]
             if lk.span_start is not None else None}
            for lk in sorted(links, key=lambda x: (x.node.framework_id, _code_key(x.node.code)))
        ],
        "sources": [
            {"document_id": s.document_id, "document": s.document.filename if s.document else None,
             "start": s.start, "end": s.end, "section": s.section, "page": s.page}
            for s in a.sources
        ],
    }


def _code_key(code: str) -> list:
    parts = code.replace("-", ".").replace("C", "").split(".")
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]





# --- Activity detail with evidence, and the review queue -----------------------------------

SOURCE_CONTEXT = 300  # characters of document text shown around a source block
MAX_BLOCK = 20_000  # a source block longer than this is cut (the rest is one click away)


def segments(text_: str, base: int, spans: list[tuple[int, int, str]]) -> list[dict]:
    """Split ``text_`` (starting at document offset ``base``) into plain and highlighted runs."""
    cuts = sorted({0, len(text_)} | {min(max(p - base, 0), len(text_)) for s, e, _ in spans for p in (s, e)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a == b:
            continue
        labels = sorted({lab for s, e, lab in spans if s - base <= a and b <= e - base})
        out.append({"text": text_[a:b], "marks": labels})
    return out


def link_dict(lk: ActivityLink) -> dict:
    """One activity link with everything a reviewer needs."""
    return {"id": lk.id, "activity_id": lk.activity_id, "node": lk.node.ref,
            "node_title": (lk.node.short_title if lk.node.short_title not in ("", lk.node.code)
                           else lk.node.title),
            "framework": lk.node.framework_id,
            "kind": lk.kind, "method": lk.method, "confidence": lk.confidence, "primary": lk.primary,
            "document_id": lk.document_id,
            "span": [lk.span_start, lk.span_end] if lk.span_start is not None else None,
            "evidence": lk.evidence, "review": lk.review, "reviewed_by": lk.reviewed_by,
            "reviewed_at": lk.reviewed_at.isoformat() if lk.reviewed_at else None}


def activity_detail(session: Session, activity_id: int) -> dict | None:
    """An activity with all its links (rejected too), source text with evidence spans marked,
    and the review history of its links; None if there is no such activity."""
    a = session.scalar(select(Activity).where(Activity.id == activity_id).options(
        selectinload(Activity.links).selectinload(ActivityLink.node),
        selectinload(Activity.sources).selectinload(ActivitySource.document)))
    if a is None:
        return None
    out = activity_dict(a)
    all_links = sorted(a.links, key=lambda x: (x.kind != "stated", x.node.framework_id, _code_key(x.node.code)))
    out["all_links"] = [link_dict(lk) for lk in all_links]
    out["attrs"] = a.attrs or {}
    sources = []
    for src in a.sources:
        doc = src.document
        if doc is None:
            continue
        start = max(0, src.start - SOURCE_CONTEXT)
        end = min(len(doc.text), src.end + SOURCE_CONTEXT, src.start + MAX_BLOCK)
        spans = [(src.start, src.end, "block")]
        for lk in a.links:
            if lk.span_start is not None and lk.span_end is not None and lk.document_id in (None, doc.id):
                spans.append((lk.span_start, lk.span_end, lk.node.ref))
        sources.append({"document_id": doc.id, "document": doc.filename, "title": doc.title,
                        "section": src.section, "page": src.page, "start": src.start, "end": src.end,
                        "segments": segments(doc.text[start:end], start, spans),
                        "cut_before": start > 0, "cut_after": end < len(doc.text)})
    out["source_texts"] = sources
    ids = [lk.id for lk in a.links]
    events = session.scalars(select(ReviewEvent).where(ReviewEvent.table == "activity_links",
                                                       ReviewEvent.row_id.in_(ids))
                             .order_by(ReviewEvent.at.desc(), ReviewEvent.id.desc())).all() if ids else []
    out["review_events"] = [review_event_dict(e) for e in events]
    return out


def review_event_dict(e: ReviewEvent) -> dict:
    return {"id": e.id, "table": e.table, "row_id": e.row_id, "action": e.action, "actor": e.actor,
            "before": e.before, "after": e.after, "at": e.at.isoformat() if e.at else None}


@dataclass
class SuggestionFilter:
    sdg: int | None = None
    framework: str | None = None
    min_confidence: float = 0.0
    review: str = "unverified"
    activity_id: int | None = None


def _suggestions_select(f: SuggestionFilter) -> Select:
    stmt = select(ActivityLink).where(ActivityLink.kind == "suggested", ActivityLink.review == f.review)
    if f.sdg is not None:
        goal = str(f.sdg)
        stmt = stmt.where(ActivityLink.node_id.in_(select(Node.id).where(
            Node.framework_id == "sdg", or_(Node.code == goal, Node.code.like(f"{goal}.%")))))
    if f.framework:
        stmt = stmt.where(ActivityLink.node_id.in_(select(Node.id).where(Node.framework_id == f.framework)))
    if f.min_confidence:
        stmt = stmt.where(ActivityLink.confidence >= f.min_confidence)
    if f.activity_id is not None:
        stmt = stmt.where(ActivityLink.activity_id == f.activity_id)
    return stmt


def suggestion_page(session: Session, f: SuggestionFilter, *, page: int = 1, per_page: int = 50) -> dict:
    """A page of suggested links (most confident first) with their activities' titles."""
    total = session.scalar(select(func.count()).select_from(
        _suggestions_select(f).with_only_columns(ActivityLink.id).subquery())) or 0
    pages = max(1, -(-total // per_page))
    if page < 1 or page > pages:
        raise PageOutOfRange(f"page {page} does not exist: the queue has {pages} page(s)")
    stmt = (_suggestions_select(f).order_by(ActivityLink.confidence.desc(), ActivityLink.id)
            .limit(per_page).offset((page - 1) * per_page)
            .options(selectinload(ActivityLink.node), selectinload(ActivityLink.activity)))
    rows = []
    for lk in session.scalars(stmt):
        d = link_dict(lk)
        d["activity_title"] = lk.activity.title
        d["activity_type"] = lk.activity.type
        d["activity_year"] = lk.activity.year
        rows.append(d)
    return {"rows": rows, "total": total, "page": page, "pages": pages, "per_page": per_page}


REVIEW_ACTIONS = {"accept": "accepted", "reject": "rejected", "edit": "edited", "reset": "unverified"}


class ReviewError(ValueError):
    """A review request that cannot be applied (unknown link or node, clash); nothing changed."""


def review_links(session: Session, link_ids: list[int], action: str, actor: str,
                 node_ref: str | None = None, now=None) -> list[dict]:
    """Accept, reject, edit (move to another node) or reset activity links, recording each
    change as a ReviewEvent (who, when, before, after). All or nothing: the caller's
    transaction rolls everything back when this raises."""
    from sdgmap.store.models import utcnow

    if action not in REVIEW_ACTIONS:
        raise ReviewError(f"unknown action {action!r} (accept, reject, edit or reset)")
    if not link_ids:
        raise ReviewError("no links selected")
    ids = sorted(set(link_ids))
    links = {lk.id: lk for lk in session.scalars(
        select(ActivityLink).where(ActivityLink.id.in_(ids)).options(selectinload(ActivityLink.node)))}
    missing = [i for i in ids if i not in links]
    if missing:
        raise ReviewError(f"no activity link with id {', '.join(map(str, missing[:5]))}")
    new_node = None
    if action == "edit":
        if not node_ref:
            raise ReviewError("edit needs the node to link to instead (e.g. sdg:9.c)")
        fw, _, code = node_ref.strip().partition(":")
        new_node = session.scalar(select(Node).where(Node.framework_id == fw, Node.code == code))
        if new_node is None:
            raise ReviewError(f"no node {node_ref!r} (write framework:code, e.g. sdg:9.c)")
    at = now or utcnow()
    actor = (actor or "").strip()[:200] or "anonymous"
    out = []
    for i in ids:
        lk = links[i]
        before = {"node": lk.node.ref, "review": lk.review, "kind": lk.kind}
        if new_node is not None and new_node.id != lk.node_id:
            clash = session.scalar(select(ActivityLink.id).where(
                ActivityLink.activity_id == lk.activity_id, ActivityLink.node_id == new_node.id,
                ActivityLink.kind == lk.kind, ActivityLink.method == lk.method))
            if clash:
                raise ReviewError(f"activity {lk.activity_id} already has a {lk.kind} link to {new_node.ref}")
            lk.node_id = new_node.id
            lk.node = new_node
        lk.review = REVIEW_ACTIONS[action]
        lk.reviewed_by = actor
        lk.reviewed_at = at
        after = {"node": lk.node.ref, "review": lk.review, "kind": lk.kind}
        session.add(ReviewEvent(table="activity_links", row_id=lk.id, action=action, actor=actor,
                                before=before, after=after, at=at))
        out.append(link_dict(lk))
    session.flush()
    return out


__all__ = ["ActivityFilter", "ActivityPage", "Document", "PageOutOfRange", "ReviewError",
           "SuggestionFilter", "activity_detail", "activity_dict", "activity_facets", "activity_page",
           "count_activities", "filtered_select", "link_dict", "query_activities", "review_links",
           "search_words", "suggestion_page"]
