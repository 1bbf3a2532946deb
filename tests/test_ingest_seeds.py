"""The five seed reports: every hand-checked block found with its exact SDG set, and the
register built from them (sources, stated links with evidence, mentions, dedupe, series)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sdgmap.ingest import ingest_paths
from sdgmap.ingest.evaluation import candidate_goals, score_blocks
from sdgmap.ingest.parse import parse_document
from sdgmap.store.activity_queries import query_activities
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Document, Mention

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
EXPECTED = json.loads((FIXTURES / "seed_blocks.json").read_text(encoding="utf-8"))


def _parse(path: Path):
    return parse_document(path.name, path.read_bytes())


@pytest.mark.parametrize("name", sorted(EXPECTED["documents"]))
def test_every_block_found_with_exact_sdgs(seed_paths, name):
    path = next(p for p in seed_paths if p.name == name)
    doc = _parse(path)
    found = [c for c in doc.candidates if c.extractor == "desa-questionnaire"]
    score = score_blocks(EXPECTED["documents"][name]["blocks"], found)
    assert score["missing"] == [] and score["unexpected"] == [] and score["wrong_sdgs"] == []
    assert score["block_recall"] == 1.0 and score["block_precision"] == 1.0
    assert score["sdg_set_accuracy"] == 1.0
    assert doc.year == EXPECTED["documents"][name]["year"]


@pytest.mark.parametrize("pdf, name", [("desa_2023_submission.pdf", "003_8e0a2054c91a51b2.txt"),
                                       ("desa_2024_submission.pdf", "001_73e8719edfd058c5.txt")])
def test_libreoffice_pdf_of_a_seed_gives_the_same_blocks(pdf, name):
    """Line breaks differ in the PDF (wrapped lines, page breaks); the blocks must not."""
    doc = _parse(FIXTURES / pdf)
    assert doc.pages and doc.pages[0][0] == 1 and len(doc.pages) > 5
    found = [c for c in doc.candidates if c.extractor == "desa-questionnaire"]
    score = score_blocks(EXPECTED["documents"][name]["blocks"], found)
    assert (score["block_recall"], score["block_precision"], score["sdg_set_accuracy"]) == (1.0, 1.0, 1.0), score


@pytest.mark.parametrize("name", sorted(EXPECTED["documents"]))
def test_seed_without_line_breaks_gives_the_same_blocks(seed_paths, name):
    """All line breaks removed (text pasted as one paragraph): labels are read in running text."""
    import re

    text = next(p for p in seed_paths if p.name == name).read_text(encoding="utf-8")
    flat = re.sub(r"[ \t]*\n[ \t]*", " ", text)
    doc = parse_document(name, flat.encode("utf-8"))
    found = [c for c in doc.candidates if c.extractor == "desa-questionnaire"]
    score = score_blocks(EXPECTED["documents"][name]["blocks"], found)
    assert (score["block_recall"], score["block_precision"], score["sdg_set_accuracy"]) == (1.0, 1.0, 1.0), score
    assert all(c.section for c in found) and doc.year == EXPECTED["documents"][name]["year"]


def test_tdag_annex_outcomes(seed_paths):
    doc = _parse(next(p for p in seed_paths if p.name.startswith("002")))
    outcomes = {c.attrs["outcome"]: c for c in doc.candidates if c.type == "outcome"}
    expected = {k: v for k, v in EXPECTED["itu_d_outcomes"].items() if not k.startswith("_")}
    assert set(outcomes) == set(expected)
    for code, want in expected.items():
        c = outcomes[code]
        goals, _ = candidate_goals(c)
        assert goals == (set(range(1, 18)) if want["sdgs"] == "all" else set(want["sdgs"])), code
        assert {lk.ref[5:] for lk in c.links if lk.ref.startswith("wsis:")} == set(want["action_lines"]), code
        assert f"itu-sp-2020:{code}" in {lk.ref for lk in c.links}


def test_resolutions_and_bullet_initiatives(seed_paths):
    by_name = {p.name[:3]: _parse(p) for p in seed_paths}
    decisions = {c.title: c for c in by_name["003"].candidates if c.type == "decision"}
    assert "Resolution 140 (Rev. Bucharest, 2022)" in decisions
    assert decisions["Resolution 140 (Rev. Bucharest, 2022)"].description.startswith("ITU's role in implementing")
    assert "Resolution 214 (Bucharest, 2022)" in decisions
    tdag = {c.title: c for c in by_name["002"].candidates if c.type == "decision"}
    assert {"Resolution 30 (Rev. Buenos Aires, 2017)", "Resolution 140 (Rev. Dubai, 2018)"} <= set(tdag)
    # Cited three times: one decision, three sources.
    assert len(tdag["Resolution 140 (Rev. Dubai, 2018)"].more_spans) == 2
    decisions_2024 = {c.title: c for c in by_name["001"].candidates if c.type == "decision"}
    assert decisions_2024["Resolution 1332"].attrs["body"] == "Council"  # "Council ... revised Resolution 1332 on"
    assert decisions_2024["Resolution 1332"].description.startswith("the ITU's role in the implementation")
    listed = parse_document("d.md", b"- Resolution 1332 the ITU's role in WSIS\n- Resolution 71 (Rev. Dubai, 2018)\n")
    assert {c.title: c.description for c in listed.candidates} == {
        "Resolution 1332": "the ITU's role in WSIS", "Resolution 71 (Rev. Dubai, 2018)": ""}
    decisions_2020 = {c.title for c in by_name["000"].candidates if c.type == "decision"}
    assert decisions_2020 == {"Resolution 71 (Rev. Dubai, 2018)", "Resolution 200 (Rev. Dubai, 2018)"}
    chapter = {c.title: c for c in by_name["004"].candidates if c.extractor == "partnership-chapter"}
    assert {"Broadband Commission", "EQUALS", "GIGA", "High-Level Panel on Digital Cooperation"} <= set(chapter)
    assert chapter["EQUALS"].attrs["full_name"] == "Global Partnership for Gender Equality in the Digital Age"
    assert chapter["GIGA"].partners == ["UNICEF", "ITU"] and by_name["004"].year == 2020
    listed = {c.type: set() for c in by_name["000"].candidates}
    for c in by_name["000"].candidates:
        listed[c.type].add(c.title)
    assert {"ICT enabling the transformation towards sustainable and resilient societies",
            "Harnessing Frontier Technologies for Accelerating Climate Actions and the SDGs",
            "Technical Meeting UNGIS"} <= listed["event"]
    assert not any(t.startswith(("Statement", "ITU SG")) for t in listed["event"])  # a list of statements
    assert {"Measuring digital development: Facts and figures 2019",
            "Turning Digital Technology Innovation into Climate Action"} <= listed["publication"]
    initiatives = {c.title for c in by_name["000"].candidates if c.type == "initiative"}
    assert {"United for Smart Sustainable Cities (U4SSC)", "Broadband Commission for Sustainable Development",
            "Financial Inclusion Global Initiative (FIGI)", "Decent Jobs for Youth Campaign"} <= initiatives


def test_register_from_the_seeds(store, seed_paths):
    report = ingest_paths(store, seed_paths, entity="ITU")
    assert [f.status for f in report.files] == ["ingested"] * 5
    with store.transaction() as s:
        docs = {d.filename: d for d in s.scalars(select(Document))}
        assert {d.year for d in docs.values()} == {2020, 2023, 2024}
        assert docs["003_8e0a2054c91a51b2.txt"].summary["year_source"] == "document"

        # The WSIS Forum 2023 block appears twice in the 2023 submission: one activity, two sources.
        wsis = s.scalars(select(Activity).where(Activity.title == "WSIS Forum 2023",
                                                Activity.type == "event")).all()
        assert len(wsis) == 1 and len(wsis[0].sources) == 2
        text = docs["003_8e0a2054c91a51b2.txt"].text
        for src in wsis[0].sources:
            assert text[src.start:src.end].startswith("Event Name")
            assert "WSIS Forum 2023" in text[src.start:src.end]
            assert src.section.startswith("2. In the past year")

        # Every stated link points at its evidence in the document text.
        links = s.scalars(select(ActivityLink)).all()
        assert links and all(lk.kind == "stated" and lk.method == "explicit-reference" for lk in links)
        doc_text = {d.id: d.text for d in docs.values()}
        for lk in links:
            assert lk.span_start is not None and lk.span_end > lk.span_start
            assert doc_text[lk.document_id][lk.span_start:lk.span_end].strip()
            assert lk.confidence == 1.0

        # Mentions: every extracted fact, attributed to its block where it lies inside one.
        kinds = Counter(s.scalars(select(Mention.kind)))
        assert {"sdg_goal", "un_entity", "date", "url", "location", "itu_outcome", "action_line", "money",
                "count"} <= set(kinds)
        attributed = s.scalar(select(func.count()).select_from(Mention).where(Mention.activity_id.is_not(None)))
        assert attributed > 200

        rows = query_activities(s, ActivityFilter(year=2024, type="partnership"))
    u4ssc = next(a for a in rows if a["title"].startswith("United for Smart Sustainable Cities"))
    assert u4ssc["sdgs"] == list(range(1, 18)) and u4ssc["primary_sdgs"] == [11]
    assert u4ssc["sources"][0]["document"] == "001_73e8719edfd058c5.txt"
    assert "UNECE" in u4ssc["partners"] and "UN-Habitat" in u4ssc["partners"]


def test_series_and_reingest(store, seed_paths):
    ingest_paths(store, seed_paths, entity="ITU")

    def counts():
        with store.transaction() as s:
            return tuple(s.scalar(select(func.count()).select_from(m))
                         for m in (Document, Activity, ActivitySource, ActivityLink, Mention))

    before = counts()
    again = ingest_paths(store, seed_paths, entity="ITU")
    assert [f.status for f in again.files] == ["unchanged"] * 5
    assert counts() == before

    with store.transaction() as s:
        u4ssc = s.scalars(select(Activity).where(Activity.title.like("United for Smart Sustainable Cities (U4SSC)%"),
                                                 Activity.type.in_(["partnership", "initiative"]))).all()
        assert sorted(a.year for a in u4ssc) == [2020, 2023, 2024]
        assert len({a.series_key for a in u4ssc}) == 1 and u4ssc[0].series_key
        meetings = s.scalars(select(Activity).where(Activity.title.like("%meeting of the United for Smart%"))).all()
        assert sorted(a.year for a in meetings) == [2023, 2024]
        assert meetings[0].series_key == meetings[1].series_key != u4ssc[0].series_key
        wrc = s.scalars(select(Activity).where(Activity.title.like("%World Radiocommunication Conference%"))).all()
        assert len(wrc) == 3 and len({a.series_key for a in wrc}) == 1  # two 2023 blocks (different dates), 2024
        event = s.scalars(select(Activity).where(Activity.title == "ITU’s webinar series on Digital transformation")).one()
        assert (event.date_start, event.date_end, event.dates_text) == ("2021-01-01", None, "2021-to present")
        assert event.location == "Virtual" and event.website == "https://www.itu.int/cities/standards4dt/"
