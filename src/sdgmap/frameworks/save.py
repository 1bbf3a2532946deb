"""Write validated framework and crosswalk specs into the store (inside the caller's transaction)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sdgmap.frameworks.spec import FrameworkError, FrameworkSpec, LinkSpec, split_ref
from sdgmap.store.models import Framework, Link, Node


def node_index(session: Session, framework_ids: set[str] | None = None) -> dict[tuple[str, str], int]:
    """``(framework, code) -> node id`` for the given frameworks (all when None)."""
    stmt = select(Node.framework_id, Node.code, Node.id)
    if framework_ids is not None:
        stmt = stmt.where(Node.framework_id.in_(framework_ids))
    return {(f, c): i for f, c, i in session.execute(stmt)}


def save_framework(session: Session, spec: FrameworkSpec, *, replace: bool = False) -> Framework:
    """Insert (or with ``replace`` update) a framework, its nodes and the links it declares.

    Nodes are matched by code, so activity links to unchanged nodes survive a re-import.
    Links declared by an earlier import of the same framework are replaced.
    """
    spec.check()
    existing = session.get(Framework, spec.id)
    if existing is not None and not replace:
        raise FrameworkError(
            f"framework {spec.id!r} already exists (use --replace to update it)", file=spec.file, field="id"
        )
    targets = _referenced_frameworks(spec)
    known = node_index(session, targets - {spec.id})
    own = {n.code for n in spec.nodes}
    for link in spec.links:
        for field, ref in (("from", link.source_ref), ("to", link.target_ref)):
            fw, code = split_ref(ref, spec.id)
            if fw == spec.id:
                if code not in own:
                    raise FrameworkError(f"unknown node {ref!r} in this framework", file=spec.file, line=link.line, field=field)
            elif (fw, code) not in known:
                raise FrameworkError(_unknown_ref_message(session, fw, code), file=spec.file, line=link.line, field=field)

    fw = existing or Framework(id=spec.id)
    fw.name, fw.version, fw.source = spec.name, spec.version, spec.source
    fw.licence, fw.description, fw.builtin = spec.licence, spec.description, spec.builtin
    session.add(fw)
    session.flush()

    by_code = {n.code: n for n in session.scalars(select(Node).where(Node.framework_id == spec.id))}
    for sort, ns in enumerate(spec.nodes):
        node = by_code.get(ns.code) or Node(framework_id=spec.id, code=ns.code)
        node.kind, node.title, node.short_title = ns.kind, ns.title, ns.short_title
        node.attrs, node.sort = dict(ns.attrs), sort
        by_code[ns.code] = node
        session.add(node)
    session.flush()
    for ns in spec.nodes:
        by_code[ns.code].parent_id = by_code[ns.parent].id if ns.parent else None
    stale = set(by_code) - own
    if stale:
        session.execute(delete(Node).where(Node.framework_id == spec.id, Node.code.in_(stale)))
    session.flush()

    session.execute(delete(Link).where(Link.origin == spec.id))
    ids = {(spec.id, c): n.id for c, n in by_code.items()} | known
    _insert_links(session, spec.links, ids, spec.id, origin=spec.id)
    return fw


def save_crosswalk(session: Session, spec: FrameworkSpec) -> int:
    """Load a file of links between existing frameworks; re-loading the same crosswalk replaces it."""
    origin = f"crosswalk:{spec.name}"
    ids = node_index(session)
    for link in spec.links:
        for field, ref in (("from", link.source_ref), ("to", link.target_ref)):
            try:
                fw, code = split_ref(ref)
            except ValueError as exc:
                raise FrameworkError(str(exc), file=spec.file, line=link.line, field=field) from None
            if (fw, code) not in ids:
                raise FrameworkError(_unknown_ref_message(session, fw, code), file=spec.file, line=link.line, field=field)
    session.execute(delete(Link).where(Link.origin == origin))
    return _insert_links(session, spec.links, ids, None, origin=origin)


def _insert_links(session: Session, links: list[LinkSpec], ids: dict, default_fw: str | None, *, origin: str) -> int:
    seen: set[tuple] = set()
    count = 0
    for link in links:
        a = ids[split_ref(link.source_ref, default_fw)]
        b = ids[split_ref(link.target_ref, default_fw)]
        key = (a, b, link.relation, link.kind, link.source)
        if key in seen:
            continue  # the same statement made twice in one file is one link
        seen.add(key)
        session.add(
            Link(
                from_id=a, to_id=b, relation=link.relation, kind=link.kind, source=link.source,
                locator=link.locator, version=link.version, rationale=link.rationale,
                asserted_by=link.asserted_by, review=link.review, origin=origin,
            )
        )
        count += 1
    session.flush()
    return count


def _referenced_frameworks(spec: FrameworkSpec) -> set[str]:
    out = set()
    for link in spec.links:
        for ref in (link.source_ref, link.target_ref):
            out.add(split_ref(ref, spec.id)[0])
    return out


def _unknown_ref_message(session: Session, fw: str, code: str) -> str:
    if session.get(Framework, fw) is None:
        return f"unknown framework {fw!r} in reference '{fw}:{code}'"
    return f"unknown node '{fw}:{code}' (no node with code {code!r} in framework {fw!r})"
