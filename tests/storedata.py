"""A small register built with the ORM models, for the store's read-layer tests.

Five activities, each link chosen to test one rule (every expected result is visible here):

====================  ===========  ====  ======  ================  =========================================
key (title)           type         year  entity  partners          links (node, kind, review, confidence)
====================  ===========  ====  ======  ================  =========================================
broadband             project      2022  ITU     UNESCO, Giga      sdg:4 stated (primary), sdg:9.c stated,
("Broadband for                                                    wsis:C2 stated,
rural schools")                                                    sdg:5 suggested unverified 0.8
cyber                 publication  2023  ITU     UNODC             sdg:16 stated, wsis:C5 stated,
("Cybersecurity                                                    sdg:9 suggested unverified 0.4
guide")
ehealth               project      2023  WHO     -                 sdg:3.8 curated, wsis:C7.e-hea stated,
("E-health pilot")                                                 itu-sp-2020:D.2-1 stated
spectrum              event        2022  ITU     -                 sdg:9.c.1 suggested accepted 0.9,
("Spectrum                                                         sdg:1 suggested rejected 0.7,
workshop")                                                         sdg:10 derived
annual                event        -     ITU     -                 (none)
("Annual meeting")
====================  ===========  ====  ======  ================  =========================================

Ids are returned by key, so tests never depend on the order in which a backend numbers rows.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import PG_OK, _admin, _drop_quietly, _pg_url
from sdgmap.frameworks.builtin import open_store
from sdgmap.store import Store
from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Document, Node

TEXT = (
    "Annual report 2023.\n"
    "Broadband for rural schools connects 300 schools to the internet and supports quality education.\n"
    "A cybersecurity guide for regulators was published with UNODC.\n"
    "The e-health pilot links clinics in Fiji by satellite.\n"
)

# key: (title, type, year, entity, partners, description, [(ref, kind, review, confidence, primary, evidence)])
ACTIVITIES = {
    "broadband": ("Broadband for rural schools", "project", 2022, "ITU", ["UNESCO", "Giga"],
                  "Connecting rural schools to broadband internet.",
                  [("sdg:4", "stated", "unverified", 1.0, True, "quality education"),
                   ("sdg:9.c", "stated", "unverified", 1.0, False, None),
                   ("wsis:C2", "stated", "unverified", 1.0, False, None),
                   ("sdg:5", "suggested", "unverified", 0.8, False, None)]),
    "cyber": ("Cybersecurity guide", "publication", 2023, "ITU", ["UNODC"],
              "A guide for regulators on national cybersecurity strategies.",
              [("sdg:16", "stated", "unverified", 1.0, False, None),
               ("wsis:C5", "stated", "unverified", 1.0, False, None),
               ("sdg:9", "suggested", "unverified", 0.4, False, "cybersecurity guide")]),
    "ehealth": ("E-health pilot", "project", 2023, "WHO", [],
                "Clinics in Fiji linked by satellite.",
                [("sdg:3.8", "curated", "unverified", 1.0, False, None),
                 ("wsis:C7.e-hea", "stated", "unverified", 1.0, False, "e-health pilot"),
                 ("itu-sp-2020:D.2-1", "stated", "unverified", 1.0, False, None)]),
    "spectrum": ("Spectrum workshop", "event", 2022, "ITU", [],
                 "Radio spectrum management training.",
                 [("sdg:9.c.1", "suggested", "accepted", 0.9, False, None),
                  ("sdg:1", "suggested", "rejected", 0.7, False, None),
                  ("sdg:10", "derived", "unverified", 1.0, False, None)]),
    "annual": ("Annual meeting", "event", None, "ITU", [], "", []),
}
# Which line of TEXT reports each activity (the workshop and the meeting have no source).
BLOCKS = {"broadband": "Broadband for rural schools", "cyber": "A cybersecurity guide",
          "ehealth": "The e-health pilot"}


def node(session: Session, ref: str) -> Node:
    fw, code = ref.split(":", 1)
    found = session.scalar(select(Node).where(Node.framework_id == fw, Node.code == code))
    assert found is not None, ref
    return found


def _line_span(phrase: str) -> tuple[int, int]:
    """The whole line of TEXT that starts with ``phrase``."""
    start = TEXT.index(phrase)
    return start, TEXT.index("\n", start)


def build(store: Store) -> dict[str, int]:
    """Write the register; returns activity ids by key and ``"doc"``."""
    ids: dict[str, int] = {}
    with store.transaction(write=True) as s:
        doc = Document(sha256="a" * 64, filename="report.txt", text=TEXT, size=len(TEXT),
                       entity="ITU", year=2023, title="Annual report")
        s.add(doc)
        s.flush()
        ids["doc"] = doc.id
        for key, (title, type_, year, entity, partners, description, links) in ACTIVITIES.items():
            a = Activity(type=type_, title=title, year=year, entity=entity, partners=partners,
                         description=description)
            s.add(a)
            s.flush()
            ids[key] = a.id
            if key in BLOCKS:
                start, end = _line_span(BLOCKS[key])
                s.add(ActivitySource(activity_id=a.id, document_id=doc.id, start=start, end=end,
                                     section="Highlights", page=2))
            for ref, kind, review, confidence, primary, evidence in links:
                if evidence:
                    es = TEXT.lower().index(evidence)
                    span = {"span_start": es, "span_end": es + len(evidence), "evidence": evidence}
                else:
                    span = {}
                s.add(ActivityLink(activity_id=a.id, node_id=node(s, ref).id, kind=kind, review=review,
                                   confidence=confidence, primary=primary, document_id=doc.id,
                                   method="classifier" if kind == "suggested" else "explicit-reference",
                                   **span))
    return ids


@contextmanager
def backend_store(backend: str, directory: Path, sqlite_template: Path,
                  pg_template: str | None) -> Iterator[Store]:
    """A new store with the built-in frameworks on ``backend``, for fixtures wider than one test."""
    if backend == "sqlite":
        shutil.copyfile(sqlite_template, directory / "register.db")
        s = open_store(str(directory / "register.db"))
        try:
            yield s
        finally:
            s.dispose()
        return
    if not PG_OK:
        pytest.skip("PostgreSQL not configured (set SDGMAP_TEST_PG_URL)")
    name = f"sdgmap_test_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    s = open_store(_pg_url(name))
    try:
        yield s
    finally:
        s.dispose()
        _drop_quietly(name)
