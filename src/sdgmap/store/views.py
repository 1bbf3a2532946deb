"""Activities, links and review events as plain JSON-ready dicts (CLI JSON, API, pages,
reports): one shape everywhere, and the source text of an activity with its evidence spans."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sdgmap.store.filters import (
    ActivityFilter,
)
from sdgmap.store.models import (
    Activity,
    ActivityLink,
    ActivitySource,
    Node,
    ReviewEvent,
)


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
                     key=code_sort_key)
    als = sorted({lk.node.code for lk in links if lk.node.framework_id == "wsis"}, key=code_sort_key)
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
            for lk in sorted(links, key=lambda x: (x.node.framework_id, code_sort_key(x.node.code)))
        ],
        "sources": [
            {"document_id": s.document_id, "document": s.document.filename if s.document else None,
             "start": s.start, "end": s.end, "section": s.section, "page": s.page}
            for s in a.sources
        ],
    }


def code_sort_key(code: str) -> list:
    parts = code.replace("-", ".").replace("C", "").split(".")
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]


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
    all_links = sorted(a.links, key=lambda x: (x.kind != "stated", x.node.framework_id, code_sort_key(x.node.code)))
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
