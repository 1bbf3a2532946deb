"""Shared SQL building blocks for the analytics: how a link is bucketed and rolled up.

A link's *rank* orders how strongly it is established: 0 stated (stated or curated, or a
suggestion a reviewer accepted or edited), 1 derived, 2 suggested (unreviewed). An
activity counts once per node, in its best (lowest) rank. Rejected links never count.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from sdgmap.store.filters import head_expr, trusted_link
from sdgmap.store.models import ActivityLink, Node

RANK_NAMES = ("stated", "derived", "suggested")


def rank_expr() -> ColumnElement:
    return case((trusted_link(), 0), (ActivityLink.kind == "derived", 1), else_=2)


def usable() -> ColumnElement:
    """Links that count at all: not rejected, of a known kind."""
    return and_(ActivityLink.review != "rejected",
                ActivityLink.kind.in_(("stated", "curated", "suggested", "derived")))


def best_rank_by_head(session: Session, framework: str, max_rank: int = 2):
    """Subquery (activity_id, head, r): each activity's best rank per top-level code of a framework."""
    head = head_expr(session, Node.code)
    r = func.min(rank_expr())
    return (
        select(ActivityLink.activity_id.label("activity_id"), head.label("head"), r.label("r"))
        .join(Node, ActivityLink.node_id == Node.id)
        .where(Node.framework_id == framework, usable())
        .group_by(ActivityLink.activity_id, head)
        .having(r <= max_rank)
        .subquery()
    )


def rank_name(rank: int) -> str:
    return RANK_NAMES[min(max(int(rank), 0), 2)]


def goal_sort_key(code: str) -> tuple:
    return (0, int(code), "") if str(code).isdigit() else (1, 0, str(code))


def al_sort_key(code: str) -> tuple:
    head, _, rest = code.partition(".")
    num = head[1:]
    return (int(num) if num.isdigit() else 99, rest)
