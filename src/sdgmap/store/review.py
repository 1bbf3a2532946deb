"""The review queue: suggested links waiting for a person, and the accept / reject / edit /
reset writes that record who decided what (one ``ReviewEvent`` per change)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from sdgmap.store.activity_queries import (
    PageOutOfRange,
)
from sdgmap.store.models import (
    ActivityLink,
    Node,
    ReviewEvent,
    utcnow,
)
from sdgmap.store.views import (
    link_dict,
)


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
