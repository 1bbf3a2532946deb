"""The register writer: one parsed document -> Document, Activities, sources, links, mentions.

Runs inside the caller's transaction and writes nothing for a document whose content hash
is already stored (re-ingesting changes nothing). An activity already in the register for
the same entity, type and year with the same title and dates (the same block in another
document of that year) gets a further source instead of a duplicate. Yearly reports of one
initiative stay separate activities that share ``series_key``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sdgmap.ingest.candidates import Candidate, same_activity_key
from sdgmap.ingest.parse import ParsedDocument
from sdgmap.ingest.readers import page_of
from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Document, Mention, Node

LINK_FRAMEWORKS = ("sdg", "wsis", "itu-sp-2020")
METHOD = "explicit-reference"


@dataclass
class FileResult:
    filename: str
    status: str  # "ingested" | "unchanged"
    document_id: int
    year: int | None = None
    entity: str = ""
    activities: Counter = field(default_factory=Counter)  # new activities by type
    merged: int = 0  # existing activities that got another source
    sources: int = 0
    links: int = 0
    mentions: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "file": self.filename, "status": self.status, "document_id": self.document_id,
            "year": self.year, "entity": self.entity, "activities": dict(self.activities),
            "activities_total": sum(self.activities.values()), "merged": self.merged,
            "sources": self.sources, "links": self.links, "mentions": self.mentions,
            "warnings": list(self.warnings),
        }


def node_ids(session: Session) -> dict[str, int]:
    rows = session.execute(select(Node.framework_id, Node.code, Node.id).where(
        Node.framework_id.in_(LINK_FRAMEWORKS)))
    return {f"{fw}:{code}": nid for fw, code, nid in rows}


def write_document(session: Session, doc: ParsedDocument) -> FileResult:
    existing = session.scalar(select(Document.id).where(Document.sha256 == doc.sha256))
    if existing is not None:
        return FileResult(doc.filename, "unchanged", existing, doc.year, doc.entity)

    result = FileResult(doc.filename, "ingested", 0, doc.year, doc.entity, warnings=list(doc.warnings))
    nodes = node_ids(session)
    document = Document(
        sha256=doc.sha256, filename=doc.filename[:500], media_type=doc.media_type, size=doc.size,
        title=doc.title, entity=doc.entity, year=doc.year, text=doc.text, pages=doc.pages,
        status="ingested",
    )
    session.add(document)
    session.flush()
    result.document_id = document.id

    spans: list[tuple[int, int, int]] = []  # (start, end, activity id) for mention attribution
    by_type: Counter = Counter()
    for cand in doc.candidates:
        activity, is_new = _activity_for(session, doc, cand)
        if is_new:
            result.activities[cand.type] += 1
        else:
            result.merged += 1
        by_type[cand.type] += 1
        all_spans = [(cand.start, cand.end, cand.section), *cand.more_spans]
        have_sources = {(s.document_id, s.start) for s in activity.sources}
        for start, end, section in all_spans:
            if (document.id, start) in have_sources:
                continue
            activity.sources.append(ActivitySource(
                document_id=document.id, start=start, end=end, section=section[:300],
                page=page_of(doc.pages, start) if doc.pages else None))
            have_sources.add((document.id, start))
            result.sources += 1
        have_links = {(lk.node_id, lk.kind, lk.method) for lk in activity.links}
        for link in cand.links:
            nid = nodes.get(link.ref)
            if nid is None:
                result.warnings.append(f"'{cand.title[:60]}': {link.ref} is not in the built-in frameworks")
                continue
            key = (nid, "stated", METHOD)
            if key in have_links:
                if link.primary:
                    for lk in activity.links:
                        if lk.node_id == nid and lk.kind == "stated" and lk.method == METHOD:
                            lk.primary = True
                continue
            have_links.add(key)
            activity.links.append(ActivityLink(
                node_id=nid, kind="stated", method=METHOD, confidence=1.0, primary=link.primary,
                document_id=document.id, span_start=link.start, span_end=link.end,
                evidence=link.evidence[:2000]))
            result.links += 1
        session.flush()
        spans.extend((s, e, activity.id) for s, e, _ in all_spans)

    result.mentions = _write_mentions(session, document.id, doc, spans)
    document.summary = {
        "activities_by_type": dict(by_type), "new_activities": dict(result.activities),
        "merged": result.merged, "sources": result.sources, "links": result.links,
        "mentions": result.mentions, "year_source": doc.year_source,
        "provenance": doc.provenance,  # how the entity and year were decided, with their spans
        "sections": doc.sections, "warnings": result.warnings,
        "extractors": dict(Counter(c.extractor for c in doc.candidates)),
    }
    return result


def _activity_for(session: Session, doc: ParsedDocument, cand: Candidate) -> tuple[Activity, bool]:
    """The register entry for this block: an existing one of the same year, or a new one."""
    key = cand.same_key
    rows = session.scalars(select(Activity).where(
        Activity.type == cand.type, Activity.year == doc.year, Activity.entity == doc.entity,
        Activity.series_key == cand.series_key)).all() if doc.year is not None else []
    for a in rows:
        if same_activity_key(a.type, a.title, a.dates_text) == key:
            return a, False
    activity = Activity(
        type=cand.type, title=cand.title, description=cand.description, entity=doc.entity,
        year=doc.year, date_start=cand.date_start, date_end=cand.date_end,
        dates_text=cand.dates_text[:300], location=cand.location[:300], partners=cand.partners,
        website=cand.website[:1000], series_key=cand.series_key, attrs={**cand.attrs, "extractor": cand.extractor},
    )
    session.add(activity)
    return activity, True


def _write_mentions(session: Session, document_id: int, doc: ParsedDocument,
                    spans: list[tuple[int, int, int]]) -> int:
    spans = sorted(spans)
    starts = [s[0] for s in spans]

    def owner(pos: int) -> int | None:
        # Blocks do not overlap, but a decision's span may sit inside a longer one: look back
        # a few spans for the innermost that contains the position.
        i = bisect_right(starts, pos) - 1
        for j in range(i, max(-1, i - 50), -1):
            s, e, aid = spans[j]
            if s <= pos < e:
                return aid
        return None

    rows = [{"document_id": document_id, "activity_id": owner(m.start), "kind": m.kind,
             "value": m.value, "start": m.start, "end": m.end, "method": m.method[:64]}
            for m in doc.mentions]
    if rows:
        session.execute(insert(Mention), rows)
    return len(rows)
