"""The activity query layer shared by the CLI, the web pages, the JSON API and the reports.

``ActivityFilter`` describes a result set; ``query_activities`` returns it as plain dicts
(the shape printed by ``sdgmap activities list --json``). Keep one implementation here:
callers never build their own activity queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Document, Node

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
    partner: str | None = None
    entity: str | None = None
    text: str | None = None
    ids: list[int] = field(default_factory=list)


def _linked(node_cond, kinds: tuple[str, ...], include_rejected: bool):
    cond = and_(ActivityLink.activity_id == Activity.id, ActivityLink.kind.in_(kinds), node_cond)
    if not include_rejected:
        cond = and_(cond, ActivityLink.review != "rejected")
    return exists(select(ActivityLink.id).join(Node, ActivityLink.node_id == Node.id).where(cond))


def filtered_select(f: ActivityFilter) -> Select:
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
        stmt = stmt.where(_linked(cond, f.link_kinds, f.include_rejected))
    if f.target:
        cond = and_(Node.framework_id == "sdg", or_(Node.code == f.target, Node.code.like(f"{f.target}.%")))
        stmt = stmt.where(_linked(cond, f.link_kinds, f.include_rejected))
    if f.action_line:
        cond = and_(Node.framework_id == "wsis",
                    or_(Node.code == f.action_line, Node.code.like(f"{f.action_line}.%")))
        stmt = stmt.where(_linked(cond, f.link_kinds, f.include_rejected))
    if f.node:
        fw, _, code = f.node.partition(":")
        stmt = stmt.where(_linked(and_(Node.framework_id == fw, Node.code == code), f.link_kinds,
                                  f.include_rejected))
    if f.partner:
        stmt = stmt.where(func.lower(func.cast(Activity.partners, type_=Activity.title.type)).like(
            f"%{f.partner.lower()}%"))
    if f.text:
        like = f"%{f.text}%"
        stmt = stmt.where(or_(Activity.title.ilike(like), Activity.description.ilike(like)))
    return stmt


def count_activities(session: Session, f: ActivityFilter) -> int:
    return session.scalar(select(func.count()).select_from(filtered_select(f).subquery())) or 0


def query_activities(session: Session, f: ActivityFilter | None = None, *, sort: str = "id",
                     descending: bool = False, limit: int | None = None, offset: int = 0) -> list[dict]:
    f = f or ActivityFilter()
    col = SORTS.get(sort, Activity.id)
    stmt = filtered_select(f).order_by(col.desc() if descending else col, Activity.id)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    stmt = stmt.options(
        selectinload(Activity.links).selectinload(ActivityLink.node),
        selectinload(Activity.sources).selectinload(ActivitySource.document),
    )
    return [activity_dict(a, f) for a in session.scalars(stmt)]


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


__all__ = ["ActivityFilter", "Document", "activity_dict", "count_activities", "query_activities"]
