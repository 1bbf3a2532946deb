"""Read queries shared by the CLI, the web app and the reports (one query layer)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sdgmap.store.models import (
    Activity,
    ActivityLink,
    Document,
    Framework,
    Link,
    Node,
)


def table_counts(session: Session) -> dict[str, int]:
    out = {}
    for name, model in (("frameworks", Framework), ("nodes", Node), ("links", Link), ("documents", Document),
                        ("activities", Activity), ("activity_links", ActivityLink)):
        out[name] = session.scalar(select(func.count()).select_from(model)) or 0
    return out


def framework_summaries(session: Session) -> list[dict]:
    counts = dict(session.execute(select(Node.framework_id, func.count()).group_by(Node.framework_id)).all())
    link_counts = dict(session.execute(select(Link.origin, func.count()).group_by(Link.origin)).all())
    return [
        {"id": f.id, "name": f.name, "version": f.version, "nodes": counts.get(f.id, 0),
         "links": link_counts.get(f.id, 0), "builtin": f.builtin, "source": f.source, "licence": f.licence}
        for f in session.scalars(select(Framework).order_by(Framework.builtin.desc(), Framework.id))
    ]


def framework_nodes(session: Session, framework_id: str) -> list[dict]:
    parent = select(Node.id, Node.code).subquery()
    stmt = (
        select(Node, parent.c.code)
        .outerjoin(parent, Node.parent_id == parent.c.id)
        .where(Node.framework_id == framework_id)
        .order_by(Node.sort)
    )
    return [node_dict(n, p) for n, p in session.execute(stmt)]


def node_dict(node: Node, parent_code: str | None) -> dict:
    d = {"code": node.code, "kind": node.kind, "title": node.title, "parent": parent_code}
    if node.short_title:
        d["short_title"] = node.short_title
    if node.attrs:
        d["attrs"] = node.attrs
    return d


def search_nodes(session: Session, text: str, framework: str | None = None, limit: int = 50) -> list[dict]:
    """Case-insensitive search over codes and titles of all frameworks' nodes."""
    pattern = f"%{text.strip()}%"
    stmt = select(Node).where(or_(Node.title.ilike(pattern), Node.code.ilike(pattern), Node.short_title.ilike(pattern)))
    if framework:
        stmt = stmt.where(Node.framework_id == framework)
    stmt = stmt.order_by(Node.framework_id, Node.sort).limit(limit)
    return [{"ref": n.ref, "kind": n.kind, "title": n.title} for n in session.scalars(stmt)]
