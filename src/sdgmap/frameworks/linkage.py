"""Links between framework nodes: stated ones from the store, derived ones computed with their path.

A derived link is never stored. It is the end of a path of stated (or curated, or
accepted) links: outcome -> Action Line -> SDG through a crosswalk, a target's link rolled
up to its goal, or a child's link rolled up to its parent (outcome -> objective). Each
derived link carries the path that produced it, so it is never confused with a stated one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from sdgmap.errors import UserError
from sdgmap.frameworks.spec import split_ref
from sdgmap.store.models import Link, Node

TRUSTED = ("stated", "curated")  # suggested links count only once accepted


class UnknownNode(UserError):
    pass


@dataclass
class LinkView:
    source: str  # "from" ref
    target: str  # "to" ref
    relation: str
    kind: str
    origin_source: str = ""
    locator: str = ""
    review: str = ""
    path: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = {"from": self.source, "to": self.target, "relation": self.relation, "kind": self.kind,
             "source": self.origin_source}
        if self.locator:
            d["locator"] = self.locator
        if self.review:
            d["review"] = self.review
        if self.path:
            d["path"] = self.path
        return d


def get_node(session: Session, ref: str) -> Node:
    try:
        fw, code = split_ref(ref)
    except ValueError as exc:
        raise UnknownNode(str(exc)) from None
    node = session.scalar(select(Node).where(Node.framework_id == fw, Node.code == code))
    if node is None:
        raise UnknownNode(f"no node {ref!r} (write framework:code, e.g. sdg:9.c or wsis:C5)")
    return node


def _usable(link: Link) -> bool:
    return link.review != "rejected" and (link.kind in TRUSTED or link.review == "accepted")


def stated_links(session: Session, node: Node, direction: str = "both") -> list[LinkView]:
    """Stored links of a node: outgoing, incoming or both."""
    a, b = aliased(Node), aliased(Node)
    stmt = select(Link, a, b).join(a, Link.from_id == a.id).join(b, Link.to_id == b.id)
    conds = []
    if direction in ("out", "both"):
        conds.append(Link.from_id == node.id)
    if direction in ("in", "both"):
        conds.append(Link.to_id == node.id)
    stmt = stmt.where(or_(*conds)).order_by(b.framework_id, b.sort, a.sort)
    return [
        LinkView(f.ref, t.ref, link.relation, link.kind, link.source, link.locator, link.review)
        for link, f, t in session.execute(stmt)
    ]


def _out(session: Session, node_ids: list[int]) -> dict[int, list[tuple[Link, Node]]]:
    out: dict[int, list[tuple[Link, Node]]] = {}
    if not node_ids:
        return out
    stmt = select(Link, Node).join(Node, Link.to_id == Node.id).where(Link.from_id.in_(node_ids))
    for link, target in session.execute(stmt):
        if _usable(link):
            out.setdefault(link.from_id, []).append((link, target))
    return out


def _ancestors(session: Session, node: Node) -> list[Node]:
    chain, current = [], node
    while current.parent_id is not None:
        current = session.get(Node, current.parent_id)
        chain.append(current)
    return chain


def _descendants(session: Session, node: Node) -> list[Node]:
    found, frontier = [], [node.id]
    while frontier:
        children = list(session.scalars(select(Node).where(Node.parent_id.in_(frontier))))
        found.extend(children)
        frontier = [c.id for c in children]
    return found


def derived_links(session: Session, node: Node) -> list[LinkView]:
    """Links implied by paths of trusted links, each with its path (shortest first)."""
    results: dict[tuple[str, str], LinkView] = {}

    def add(target: Node, relation: str, path: list[str]) -> None:
        if target.id == node.id:
            return
        key = (target.ref, relation)
        if key not in results or len(path) < len(results[key].path):
            results[key] = LinkView(node.ref, target.ref, relation, "derived", "computed", path=path)

    direct = _out(session, [node.id]).get(node.id, [])
    # 1. chains: node -> middle -> target (e.g. outcome -> Action Line -> SDG via a crosswalk)
    second = _out(session, [t.id for _, t in direct])
    for link, middle in direct:
        for link2, target in second.get(middle.id, []):
            add(target, link2.relation, [node.ref, middle.ref, target.ref])
        # 2. roll-up inside hierarchical frameworks: a link to target 9.c is a link to goal 9
        for anc in _ancestors(session, middle):
            add(anc, link.relation, [node.ref, middle.ref, anc.ref])
    # 3. a parent inherits its children's links (objective D.2 <- outcomes D.2-1..3)
    children = _descendants(session, node)
    child_links = _out(session, [c.id for c in children])
    refs = {c.id: c.ref for c in children}
    for child_id, items in child_links.items():
        for link, target in items:
            add(target, link.relation, [node.ref, refs[child_id], target.ref])
    return sorted(results.values(), key=lambda v: (v.target.split(":")[0], _natural(v.target)))


def _natural(ref: str) -> list[tuple[int, int, str]]:
    # Numbers before letters at each position, so "9.1" and "9.c" compare (int vs str would not).
    code = ref.split(":", 1)[1]
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.replace("-", ".").split(".")]
