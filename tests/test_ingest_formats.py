"""Documents made by hand in other layouts: a DOCX with a table of events, an HTML page,
Markdown; the readers' offsets are what every stored span refers to."""

from __future__ import annotations

from pathlib import Path

import pytest

from sdgmap.ingest import ingest_bytes
from sdgmap.ingest.parse import parse_document
from sdgmap.store.activity_queries import query_activities
from sdgmap.store.filters import ActivityFilter

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def _blocks(doc):
    return {c.title: c for c in doc.candidates if c.extractor == "desa-questionnaire"}


def _goals(c):
    return sorted(int(lk.ref[4:]) for lk in c.links if lk.ref.startswith("sdg:") and lk.ref[4:].isdigit())


def test_docx_table_of_events():
    doc = parse_document("events_table.docx", (FIXTURES / "events_table.docx").read_bytes())
    assert doc.year == 2025 and doc.entity == "ITU"
    assert doc.media_type.endswith("wordprocessingml.document")
    blocks = _blocks(doc)
    assert set(blocks) == {"Regional Broadband Forum 2025", "Girls in ICT Day 2025", "Smart Villages Workshop",
                           "Guide to Rural Connectivity", "Connect Every Clinic"}
    forum = blocks["Regional Broadband Forum 2025"]
    assert (forum.type, _goals(forum), forum.date_start, forum.date_end) == ("event", [9, 17], "2025-02-03", "2025-02-05")
    assert forum.location == "Nairobi, Kenya" and forum.website == "https://example.org/broadband-forum-2025"
    villages = blocks["Smart Villages Workshop"]
    assert _goals(villages) == list(range(1, 18))
    assert [lk.ref for lk in villages.links if lk.primary] == ["sdg:2"]
    assert "wsis:C7.e-agr" in {lk.ref for lk in villages.links}
    guide = blocks["Guide to Rural Connectivity"]
    assert guide.type == "publication" and "sdg:9.c" in {lk.ref for lk in guide.links}
    assert guide.attrs["publishing_entities"] == ["ITU", "FAO", "UNDP"]
    assert guide.attrs["languages"] == "English, French"
    clinic = blocks["Connect Every Clinic"]
    assert clinic.type == "partnership" and clinic.partners == ["ITU", "WHO", "UNICEF"] and _goals(clinic) == [3]
    for c in blocks.values():  # spans are offsets into the extracted text
        assert c.title in " ".join(doc.text[c.start:c.end].split())


def test_html_page():
    doc = parse_document("events_page.html", (FIXTURES / "events_page.html").read_bytes())
    assert doc.title == "Agency events 2025" and doc.year == 2025
    assert "console.log" not in doc.text and "padding" not in doc.text
    blocks = _blocks(doc)
    assert set(blocks) == {"Regional Broadband Forum 2025", "Girls in ICT Day 2025", "Connect Every Clinic"}
    assert _goals(blocks["Regional Broadband Forum 2025"]) == [9, 17]  # "SDG <b>9</b>, 17"
    assert _goals(blocks["Girls in ICT Day 2025"]) == [4, 5]
    assert blocks["Girls in ICT Day 2025"].location == "Virtual"
    clinic = blocks["Connect Every Clinic"]
    assert clinic.description == "Bringing broadband to rural health clinics & hospitals."
    assert clinic.website == "https://example.org/clinics"


def test_markdown_and_crlf_text():
    md = (b"# Report\r\n\r\n**Event Name:** Data Week\r\n**Event Dates:** 1-3 March 2022\r\n"
          b"**Relevant SDGs:** SDG 17.18 and SDG 9\r\n\r\nYear of submission: 2022\r\n")
    doc = parse_document("report.md", md)
    assert "\r" not in doc.text and doc.media_type == "text/markdown"
    (block,) = [c for c in doc.candidates if c.extractor == "desa-questionnaire"]
    assert block.title == "Data Week" and block.date_start == "2022-03-01"
    assert {"sdg:17.18", "sdg:9"} <= {lk.ref for lk in block.links}


def test_upload_bytes_into_the_register(store):
    data = (FIXTURES / "events_table.docx").read_bytes()
    report = ingest_bytes(store, "events_table.docx", data, entity="ITU")
    assert report.files[0].status == "ingested" and report.activities["event"] == 3
    assert ingest_bytes(store, "copy.docx", data).files[0].status == "unchanged"
    with store.transaction() as s:
        rows = query_activities(s, ActivityFilter(sdg=3))
        assert {r["title"] for r in rows} == {"Connect Every Clinic", "Smart Villages Workshop"}
        rows = query_activities(s, ActivityFilter(sdg=3, type="partnership"))
    assert rows[0]["sources"][0]["document"] == "events_table.docx"


@pytest.mark.parametrize("name", ["desa_2024_submission.pdf"])
def test_pdf_pages_cover_the_text(name):
    doc = parse_document(name, (FIXTURES / name).read_bytes())
    assert doc.pages[0][1] == 0 and doc.pages[-1][2] == len(doc.text)
    for (_, _, end), (_, start, _) in zip(doc.pages, doc.pages[1:], strict=False):
        assert start == end + 2


def test_same_report_as_pdf_adds_sources_with_pages(store, seed_paths):
    """The 2023 submission as text, then as PDF: same year and entity, so every block of the
    PDF is an existing activity that gains a source (with its page), not a duplicate."""
    from sdgmap.ingest import ingest_paths

    txt = next(p for p in seed_paths if p.name.startswith("003"))
    first = ingest_paths(store, [txt])
    second = ingest_paths(store, [FIXTURES / "desa_2023_submission.pdf"])
    assert second.files[0].status == "ingested"
    assert sum(second.files[0].activities.values()) == 0
    assert second.files[0].merged == sum(first.files[0].activities.values()) == 36
    with store.transaction() as s:
        rows = query_activities(s, ActivityFilter(type="event", year=2023))
    wsis = next(r for r in rows if r["title"] == "WSIS Forum 2023")
    pdf_sources = [src for src in wsis["sources"] if src["document"] == "desa_2023_submission.pdf"]
    assert len(pdf_sources) == 2 and all(isinstance(src["page"], int) and src["page"] >= 1 for src in pdf_sources)
    assert all(src["page"] is None for src in wsis["sources"] if src["document"] == txt.name)


def test_docx_automatic_numbering_and_bullets():
    """Word keeps list numbers and bullets out of the text; sections and lists still work."""
    import io

    import docx

    d = docx.Document()
    d.add_paragraph("In the past year, has your organization organized any events that contributed to the SDGs?",
                    style="List Number")
    for line in ["Event Name: Forum A", "Relevant SDGs: SDG 9", "Website: https://a.example"]:
        d.add_paragraph(line)
    d.add_paragraph("In the past year, has your organization published any analytical work or toolkits?",
                    style="List Number")
    d.add_paragraph("Below are some key initiatives with other agencies:")
    d.add_paragraph("Giga led by ITU and UNICEF", style="List Bullet")
    d.add_paragraph("EQUALS: the global partnership", style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    doc = parse_document("numbered.docx", buf.getvalue())
    assert "2. In the past year, has your organization published" in doc.text
    forum = next(c for c in doc.candidates if c.title == "Forum A")
    assert forum.section.startswith("1. In the past year") and forum.website == "https://a.example"
    assert "published" not in doc.text[forum.start:forum.end]  # the block ends at question 2
    assert {c.title for c in doc.candidates if c.type == "initiative"} == {"Giga", "EQUALS"}


def test_html_ordered_list_numbers_questions():
    html = (b"<html><body><ol><li>In the past year, has your organization organized any events that "
            b"contributed to the achievement of the SDGs?<p><b>Event Name:</b> Forum B</p>"
            b"<p><b>Relevant SDGs:</b> SDG 11</p></li>"
            b"<li>In the past year, has your organization published any analytical work or toolkits?</li></ol>"
            b"<ul><li>not numbered</li></ul></body></html>")
    doc = parse_document("q.html", html)
    assert "\n2. In the past year, has your organization published" in doc.text and "• not numbered" in doc.text
    (forum,) = [c for c in doc.candidates if c.extractor == "desa-questionnaire"]
    assert forum.title == "Forum B" and forum.section.startswith("1. In the past year")
