"""A small, hand-made register for web and analytics tests: every expected number is known."""

from __future__ import annotations

from sqlalchemy import select

from sdgmap.store import Store
from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Document, Node

TEXT = (
    "Annual report.\n"
    "Broadband for schools in Kenya connects 300 schools; it supports quality education and "
    "women's participation in ICT careers.\n"
    "Cybersecurity guide for regulators was published with UNODC.\n"
    "E-health pilot in Fiji links clinics by satellite.\n"
)


def node_id(session, ref: str) -> int:
    fw, code = ref.split(":", 1)
    return session.scalar(select(Node.id).where(Node.framework_id == fw, Node.code == code))


def build(store: Store) -> dict[str, int]:
    """Three activities with stated, suggested and sub-line links; returns their ids."""
    with store.transaction() as s:
        doc = Document(sha256="0" * 64, filename="report.txt", text=TEXT, size=len(TEXT), entity="TEST",
                       year=2021, title="Test report")
        s.add(doc)
        s.flush()

        def span(phrase: str) -> tuple[int, int]:
            i = TEXT.index(phrase)
            return i, i + len(phrase)

        def activity(title, type_, year, block, links, partners=()):
            a = Activity(type=type_, title=title, description=block, entity="TEST", year=year,
                         partners=list(partners))
            s.add(a)
            s.flush()
            start, end = span(block)
            s.add(ActivitySource(activity_id=a.id, document_id=doc.id, start=start, end=end))
            for ref, kind, conf, evidence in links:
                es, ee = span(evidence) if evidence else (None, None)
                s.add(ActivityLink(activity_id=a.id, node_id=node_id(s, ref), kind=kind,
                                   method="test" if kind != "suggested" else "classifier", confidence=conf,
                                   document_id=doc.id, span_start=es, span_end=ee, evidence=evidence or ""))
            return a.id

        ids = {
            "broadband": activity(
                "Broadband for schools", "project", 2020,
                "Broadband for schools in Kenya connects 300 schools; it supports quality education and "
                "women's participation in ICT careers.",
                [("sdg:4", "stated", 1.0, "quality education"), ("sdg:9.c", "stated", 1.0, None),
                 ("wsis:C2", "stated", 1.0, None), ("itu-sp-2020:D.2-1", "stated", 1.0, None),
                 ("sdg:5", "suggested", 0.8, "women's participation in ICT careers")],
                partners=("UNESCO",)),
            "cyber": activity(
                "Cybersecurity guide", "publication", 2021,
                "Cybersecurity guide for regulators was published with UNODC.",
                [("sdg:16", "stated", 1.0, None), ("wsis:C5", "stated", 1.0, None),
                 ("sdg:9", "suggested", 0.4, "Cybersecurity guide")]),
            "ehealth": activity(
                "E-health pilot", "project", 2021,
                "E-health pilot in Fiji links clinics by satellite.",
                [("sdg:3", "stated", 1.0, "E-health pilot"), ("wsis:C7.e-hea", "stated", 1.0, None)]),
        }
        ids["doc"] = doc.id
        links = s.execute(select(ActivityLink.id, ActivityLink.activity_id, ActivityLink.kind)).all()
        ids["sugg_broadband"] = next(i for i, a, k in links if a == ids["broadband"] and k == "suggested")
        ids["sugg_cyber"] = next(i for i, a, k in links if a == ids["cyber"] and k == "suggested")
    return ids
