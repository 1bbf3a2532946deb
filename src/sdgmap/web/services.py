"""What the pages and the JSON API both serve: one function per resource, returning plain data.

Pages render these dicts with templates; the API returns them as JSON. Nothing here knows
about HTML or HTTP except the ``NotFound`` error it raises for unknown ids.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sdgmap import analytics
from sdgmap.frameworks.linkage import UnknownNode, derived_links, get_node, stated_links
from sdgmap.store.activity_queries import activity_facets, activity_page, query_activities
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import ActivitySource, Document, Framework, Node
from sdgmap.store.queries import framework_nodes, framework_summaries
from sdgmap.store.views import activity_detail
from sdgmap.web.params import BadRequest, ListQuery, parse_list_query
from sdgmap.web.visibility import is_public

EXPORT_BATCH = 2000
EXPORT_LIMIT = 200_000  # rows per export: bigger sets should be filtered first


class NotFound(LookupError):
    """An unknown id or reference; the message says which."""


def facets(session: Session, q: ListQuery, cache=None) -> dict:
    """Facet counts of a result set (cached per filter and data version when a cache is given)."""
    if cache is None:
        return activity_facets(session, q.filter)
    key = ("facets", tuple(sorted((q.params or {}).items())))
    return cache.keyed(session, key, lambda: activity_facets(session, q.filter))


def list_activities(session: Session, q: ListQuery, with_facets: bool = False, cache=None) -> dict:
    page = activity_page(session, q.filter, page=q.page, per_page=q.per_page, sort=q.sort,
                         descending=q.descending)
    out = {"total": page.total, "page": page.page, "pages": page.pages, "per_page": page.per_page,
           "sort": q.sort, "order": "desc" if q.descending else "asc", "filters": q.params or {},
           "items": page.rows}
    if with_facets:
        out["facets"] = facets(session, q, cache)
    return out


def get_activity(session: Session, activity_id: int) -> dict:
    detail = activity_detail(session, activity_id)
    if detail is None:
        raise NotFound(f"no activity with id {activity_id}")
    if is_public(session):
        # who reviewed what is the reviewers' business; the public sees the outcome
        detail["review_events"] = []
        for link in detail["all_links"]:
            link["reviewed_by"] = ""
    return detail


# suggested_sdgs: the goals in sdgs that rest only on suggestions awaiting review
EXPORT_COLUMNS = ("id", "type", "title", "entity", "year", "dates", "location", "partners",
                  "sdgs", "suggested_sdgs", "targets", "action_lines", "other_links", "website", "description")


def _flat(row: dict) -> dict:
    out = {}
    for col in EXPORT_COLUMNS:
        v = row.get(col)
        if col == "dates":
            v = (v or {}).get("text") or (v or {}).get("start") or ""
        elif isinstance(v, list):
            v = "; ".join(str(x) for x in v)
        out[col] = "" if v is None else v
    return out


def _export_rows(session: Session, f: ActivityFilter, sort: str, descending: bool) -> Iterator[dict]:
    for offset in range(0, EXPORT_LIMIT, EXPORT_BATCH):
        rows = query_activities(session, f, sort=sort, descending=descending, limit=EXPORT_BATCH,
                                offset=offset)
        yield from rows
        if len(rows) < EXPORT_BATCH:
            return


def export_csv(session: Session, q: ListQuery) -> Iterator[str]:
    """CSV of the whole result set (one row per activity; lists joined with "; ")."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS)
    w.writeheader()
    yield "\ufeff" + buf.getvalue()  # BOM: Excel opens UTF-8 correctly
    for row in _export_rows(session, q.filter, q.sort, q.descending):
        buf.seek(0)
        buf.truncate()
        flat = _flat(row)
        # a cell starting with = + - @ would run as a formula in a spreadsheet (an empty
        # cell stays empty)
        flat = {k: ("'" + v if isinstance(v, str) and v.startswith(("=", "+", "-", "@")) else v)
                for k, v in flat.items()}
        w.writerow(flat)
        yield buf.getvalue()


def export_json(session: Session, q: ListQuery) -> Iterator[str]:
    yield '{"filters": ' + json.dumps(q.params or {}) + ', "items": ['
    first = True
    for row in _export_rows(session, q.filter, q.sort, q.descending):
        yield ("" if first else ",\n") + json.dumps(row, ensure_ascii=False, default=str)
        first = False
    yield "]}\n"


def frameworks(session: Session) -> list[dict]:
    return framework_summaries(session)


def framework(session: Session, framework_id: str) -> dict:
    fw = session.get(Framework, framework_id)
    if fw is None:
        raise NotFound(f"no framework {framework_id!r}")
    return {"id": fw.id, "name": fw.name, "version": fw.version, "source": fw.source,
            "licence": fw.licence, "description": fw.description,
            "nodes": framework_nodes(session, framework_id)}


def activity_filter_for(node: Node) -> dict[str, str]:
    """The activity-list parameters that list a node's activities."""
    if node.framework_id == "sdg" and node.kind == "goal":
        return {"sdg": node.code}
    if node.framework_id == "sdg" and node.kind == "target":
        return {"target": node.code}
    if node.framework_id == "wsis":
        return {"action_line": node.code}
    return {"node": node.ref}


def node_page(session: Session, ref: str, per_page: int = 10) -> dict:
    """A node with its official text, parent, children, links in and out, and activities."""
    try:
        node = get_node(session, ref)
    except UnknownNode as exc:
        raise NotFound(str(exc)) from None
    parent = session.get(Node, node.parent_id) if node.parent_id else None
    children = session.scalars(select(Node).where(Node.parent_id == node.id).order_by(Node.sort)).all()
    out_links = [v.as_dict() for v in stated_links(session, node, "out")]
    in_links = [v.as_dict() for v in stated_links(session, node, "in")]
    derived = [v.as_dict() for v in derived_links(session, node)]
    titles = _titles(session, {d["to"] for d in out_links + derived} | {d["from"] for d in in_links})
    params = activity_filter_for(node)
    acts = list_activities(session, parse_list_query({**params, "per_page": str(per_page)}), with_facets=False)
    return {"ref": node.ref, "framework": node.framework_id, "code": node.code, "kind": node.kind,
            "title": node.title, "short_title": node.short_title, "attrs": node.attrs or {},
            "parent": {"ref": parent.ref, "title": parent.short_title or parent.title} if parent else None,
            "children": [{"ref": c.ref, "code": c.code, "kind": c.kind, "title": c.short_title or c.title}
                         for c in children],
            "links_out": out_links, "links_in": in_links, "derived": derived, "titles": titles,
            "activity_filter": params, "activities": acts}


def node_choices(session: Session) -> list[dict]:
    """SDG goals and targets and WSIS Action Lines: what a reviewer may link to instead."""
    rows = session.execute(select(Node.framework_id, Node.code, Node.short_title, Node.title)
                           .where(Node.framework_id.in_(("sdg", "wsis")), Node.kind != "indicator")
                           .order_by(Node.framework_id, Node.sort)).all()
    return [{"ref": f"{fw}:{code}", "title": (short if short and short != code else title)[:90]}
            for fw, code, short, title in rows]


def _titles(session: Session, refs: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    by_fw: dict[str, list[str]] = {}
    for r in refs:
        fw, _, code = r.partition(":")
        by_fw.setdefault(fw, []).append(code)
    for fw, codes in by_fw.items():
        for code, short, title in session.execute(select(Node.code, Node.short_title, Node.title).where(
                Node.framework_id == fw, Node.code.in_(codes))):
            out[f"{fw}:{code}"] = short or title
    return out


def document_dict(d: Document, activities: int | None = None) -> dict:
    out = {"id": d.id, "filename": d.filename, "title": d.title, "media_type": d.media_type,
           "size": d.size, "entity": d.entity, "year": d.year, "status": d.status,
           "summary": d.summary or {}, "sha256": d.sha256,
           "ingested_at": d.ingested_at.isoformat() if d.ingested_at else None}
    if activities is not None:
        out["activities"] = activities
    return out


def documents(session: Session) -> list[dict]:
    counts = dict(session.execute(select(ActivitySource.document_id,
                                         func.count(func.distinct(ActivitySource.activity_id)))
                                  .group_by(ActivitySource.document_id)).all())
    docs = session.scalars(select(Document).order_by(Document.ingested_at.desc(), Document.id.desc())
                           .limit(1000))
    return [document_dict(d, counts.get(d.id, 0)) for d in docs]


def document(session: Session, document_id: int, with_text: bool = False) -> dict:
    d = session.get(Document, document_id)
    if d is None:
        raise NotFound(f"no document with id {document_id}")
    out = document_dict(d)
    if with_text:
        out["text"] = d.text
    return out


def overview(session: Session, cache) -> dict:
    return cache.get(session, "overview", analytics.overview)


def mapping_choice(session: Session, strategy: str | None, level: str | None) -> dict:
    """The strategic framework and level of the mapping view, checked against the database
    (page and API alike): an unknown one is a 400, not an empty diagram in the cache."""
    strategies = [f for f in frameworks(session) if f["id"] not in ("sdg", "wsis")]
    ids = [f["id"] for f in strategies] or ["itu-sp-2020"]
    strategy = (strategy or "").strip() or ("itu-sp-2020" if "itu-sp-2020" in ids else ids[0])
    if strategy not in ids:
        raise BadRequest("strategy", f"one of {', '.join(ids)}")
    levels = analytics.strategy_levels(session, strategy)
    allowed = list(levels) or ["objective"]
    level = (level or "").strip() or ("objective" if "objective" in allowed else allowed[0])
    if level not in allowed:
        raise BadRequest("level", f"one of {', '.join(allowed)}")
    return {"strategies": strategies, "strategy": strategy, "levels": levels, "level": level}
