"""Export a stored framework in the same format ``frameworks import`` reads (a round trip)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from sdgmap.store.models import Framework, Link, Node
from sdgmap.store.queries import framework_nodes


def export_framework(session: Session, framework_id: str) -> dict:
    fw = session.get(Framework, framework_id)
    head = {"id": fw.id, "name": fw.name, "version": fw.version, "source": fw.source, "licence": fw.licence,
            "description": fw.description}
    nodes = []
    for n in framework_nodes(session, framework_id):
        item = {"code": n["code"], "kind": n["kind"], "title": n["title"]}
        if n["parent"]:
            item["parent"] = n["parent"]
        if n.get("short_title"):
            item["short_title"] = n["short_title"]
        if n.get("attrs"):
            item["attrs"] = n["attrs"]
        nodes.append(item)
    a, b = aliased(Node), aliased(Node)
    stmt = (select(Link, a, b).join(a, Link.from_id == a.id).join(b, Link.to_id == b.id)
            .where(Link.origin == framework_id).order_by(Link.id))
    links = []
    for link, f, t in session.execute(stmt):
        item = {"from": f.code if f.framework_id == framework_id else f.ref, "to": t.ref,
                "relation": link.relation, "kind": link.kind, "source": link.source}
        for key in ("locator", "version", "rationale", "asserted_by"):
            if getattr(link, key):
                item[key] = getattr(link, key)
        if link.review != "unverified":
            item["review"] = link.review
        links.append(item)
    return {"framework": head, "nodes": nodes, "links": links}
