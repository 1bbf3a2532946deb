"""Result sets of activities: count, list, page and facet counts of an ``ActivityFilter``.

``query_activities`` returns the shape printed by ``sdgmap activities list --json``;
``activity_facets`` counts a result set by type, year, goal, Action Line and link kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from sdgmap.store.filters import (
    SORTS,
    ActivityFilter,
    filtered_select,
    head_expr,
    planned_dialect,
)
from sdgmap.store.models import (
    Activity,
    ActivityLink,
    ActivitySource,
    Document,
    Node,
)
from sdgmap.store.views import (
    activity_dict,
    code_sort_key,
)


def count_activities(session: Session, f: ActivityFilter) -> int:
    inner = filtered_select(f, planned_dialect(session)).with_only_columns(Activity.id).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def query_activities(session: Session, f: ActivityFilter | None = None, *, sort: str = "id",
                     descending: bool = False, limit: int | None = None, offset: int = 0) -> list[dict]:
    f = f or ActivityFilter()
    col = SORTS.get(sort, Activity.id)
    stmt = filtered_select(f, planned_dialect(session)).order_by(col.desc() if descending else col, Activity.id)
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
    unfiltered = f == ActivityFilter(link_kinds=f.link_kinds, include_rejected=f.include_rejected)
    ids = filtered_select(f, planned_dialect(session)).with_only_columns(Activity.id).subquery()

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
                           key=lambda d: code_sort_key(d["value"]))
    stmt = (select(ActivityLink.kind, func.count(func.distinct(ActivityLink.activity_id)))
            .where(ActivityLink.review != "rejected"))
    rows = session.execute(within(stmt, ActivityLink.activity_id).group_by(ActivityLink.kind)).all()
    out["kind"] = [{"value": k, "count": n} for k, n in sorted(rows, key=lambda r: -r[1])]
    return out
