"""The document model: kinds, levels, markers and spans that every reader's text yields.

Synthetic texts, DOCX (written with python-docx) and HTML built here; the ITU seeds and the
reader fixtures; and the external development texts when ``../shared/data/external-dev``
is present (only invariants are asserted on them, and nothing of their text is kept).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from sdgmap.ingest.document import Block, DocumentModel, build_model, build_text_model
from sdgmap.ingest.questionnaire import find_sections
from sdgmap.ingest.readers import ReadResult, read_bytes

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "sdgmap" / "data" / "demo"
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
EXTERNAL = ROOT.parent / "shared" / "data" / "external-dev"


def check_invariants(model: DocumentModel) -> None:
    """Blocks in order, inside the text, never overlapping, covering every non-blank character."""
    text = model.text
    covered = 0
    last_end = 0
    for b in model.blocks:
        assert 0 <= b.start < b.end <= len(text), b
        assert b.start >= last_end, f"overlap at {b.start}: {b.kind}"
        assert not text[b.start].isspace() and not text[b.end - 1].isspace(), b
        assert not text[last_end:b.start].strip(), f"uncovered text before {b.start}"
        for s, e in b.lines:
            assert b.start <= s < e <= b.end
        for row in b.rows:
            for s, e in row:
                assert b.start <= s <= e <= b.end
        assert b.start <= b.body_start <= b.end
        assert b.text == text[b.start:b.end]
        assert model.block_at(b.start) is b and model.block_at(b.end - 1) is b
        covered += b.end - b.start
        last_end = b.end
    assert not text[last_end:].strip(), "uncovered text at the end"


def kinds(model: DocumentModel) -> list[tuple[str, int, str, str]]:
    return [(b.kind, b.level, b.marker, b.body.strip()[:30]) for b in model.blocks]


# --- text and Markdown --------------------------------------------------------------------

MARKDOWN = """# Annual report

Some introduction that explains the year.

## Events

We organised these meetings:
- Regional Forum on Digital Inclusion
  held in Nairobi
- Workshop on data
  * first session
  * second session
- Closing event

Programmes
==========

1. Connect Schools
   a) pilot in two countries
   b) scale-up
2. Smart Villages
   (i) phase one
   (ii) phase two
"""


def test_markdown_headings_lists_and_levels():
    model = build_text_model(MARKDOWN, "text/markdown")
    check_invariants(model)
    got = kinds(model)
    assert got[0] == ("heading", 1, "", "Annual report")
    assert ("heading", 2, "", "Events") in got
    assert ("heading", 1, "", "Programmes\n==========") in got  # setext
    items = [(b.level, b.marker, model.unwrapped(b)) for b in model.of_kind("list_item")]
    assert items == [
        (0, "-", "Regional Forum on Digital Inclusion held in Nairobi"),
        (0, "-", "Workshop on data"),
        (1, "*", "first session"),
        (1, "*", "second session"),
        (0, "-", "Closing event"),
        (0, "1.", "Connect Schools"),
        (1, "a)", "pilot in two countries"),
        (1, "b)", "scale-up"),
        (0, "2.", "Smart Villages"),
        (1, "(i)", "phase one"),
        (1, "(ii)", "phase two"),
    ]
    intro = next(b for b in model.blocks if b.text.startswith("We organised"))
    assert intro.kind == "paragraph" and intro.role == "list_intro"


def test_outline_section_of_and_block_at():
    model = build_text_model(MARKDOWN, "text/markdown")
    outline = model.outline()
    assert [n.block.body for n in outline] == ["Annual report", "Programmes\n=========="]
    assert [n.block.body for n in outline[0].children] == ["Events"]
    workshop = next(b for b in model.of_kind("list_item") if "Workshop" in b.text)
    assert [h.body for h in model.section_of(workshop)] == ["Annual report", "Events"]
    phase = next(b for b in model.of_kind("list_item") if "phase one" in b.text)
    assert [h.body for h in model.section_of(phase)] == ["Programmes\n=========="]
    offset = MARKDOWN.index("Nairobi")
    assert model.block_at(offset).marker == "-"
    assert model.block_at(MARKDOWN.index("\n\n")) is None  # between blocks


def test_wrapped_list_items_and_numbered_questions():
    text = ("1. In the past year, has your organization organized any conferences\n"
            "or events that contributed to the SDGs?\n"
            "They include:\n"
            "• Digital Skills for Decent Jobs for Youth, a campaign run with\n"
            "partners in many countries\n"
            "• Global Symposium for Regulators\n"
            "2. Has your organization published any analytical work?\n")
    model = build_text_model(text)
    check_invariants(model)
    got = [(b.kind, b.level, b.marker, b.role) for b in model.blocks]
    assert got == [("list_item", 0, "1.", ""), ("paragraph", 0, "", "list_intro"),
                   ("list_item", 0, "•", ""), ("list_item", 0, "•", ""), ("list_item", 0, "2.", "")]
    assert model.unwrapped(model.blocks[2]) == (
        "Digital Skills for Decent Jobs for Youth, a campaign run with partners in many countries")


def test_unwrapping_dehyphenates_only_broken_words():
    text = ("The informa-\ntion system and the e-\nhealth strategy, with e-health pilots.\n\n"
            "An evidence-\nbased plan for 2024-\n2027 and the SDG 7 -\nEnsure access goal, based on evidence.\n")
    model = build_text_model(text)
    first, second = model.content()
    assert model.unwrapped(first) == "The information system and the e-health strategy, with e-health pilots."
    # "evidence" and "based" are words of their own: the hyphen is a real one
    assert model.unwrapped(second) == (
        "An evidence-based plan for 2024-2027 and the SDG 7 - Ensure access goal, based on evidence.")
    u = model.unwrap(first)
    i = u.text.index("information")
    s, e = u.span(i, i + len("information"))
    assert text[s:e] == "informa-\ntion"


def test_respacing_joins_only_fragments_that_are_no_words():
    text = ("The Sustainable Development Goals guide us.\n\n"
            "We support Sust ainable Development and the data base.\n")
    model = build_text_model(text)
    second = model.content()[1]
    # "Sust" and "ainable" occur nowhere else; "data" and "base" are words: left alone
    assert model.unwrapped(second) == "We support Sustainable Development and the data base."
    assert model.unwrapped(second, respace=False) == "We support Sust ainable Development and the data base."
    u = model.unwrap(second)
    i = u.text.index("Sustainable")
    assert text[slice(*u.span(i, i + 11))] == "Sust ainable"


def test_tab_and_pipe_tables_have_cell_spans():
    text = ("Results\tTarget\n40 schools\t9.c\n12 clinics\t3.8\n\n"
            "| Name | SDG |\n|---|---|\n| Forum | 9 |\n")
    model = build_text_model(text)
    check_invariants(model)
    tables = model.of_kind("table")
    assert len(tables) == 2
    assert [[text[s:e] for s, e in row] for row in tables[0].rows] == [
        ["Results", "Target"], ["40 schools", "9.c"], ["12 clinics", "3.8"]]
    assert [[text[s:e] for s, e in row] for row in tables[1].rows] == [["Name", "SDG"], ["Forum", "9"]]


# --- PDF-like text: wrapped lines and page furniture -----------------------------------------

TOPICS = ["statistics", "broadband", "education", "health", "agriculture", "energy", "water", "cities"]


def _pdf_like(pages: int = 6) -> ReadResult:
    pieces, spans, pos = [], [], 0
    for n in range(1, pages + 1):
        topic, other = TOPICS[n % len(TOPICS)], TOPICS[(n + 3) % len(TOPICS)]
        page = (f"Annual Report 2024 of the Example Agency\n"
                f"The programme supported national offices in collecting and using data on {topic}\n"
                f"for the Sustainable Development Goals, and trained staff in many countries across\n"
                f"the region during the year.\n"
                f"Partnerships in {other.title()}\n"
                f"A new alliance with regional banks was launched in March to finance {other} for\n"
                f"schools and clinics in rural areas, where connectivity remains poor and costly,\n"
                f"and it continues with the {topic} work\n{n} / 40\n")
        if pieces:
            pieces.append("\n\n")
            pos += 2
        pieces.append(page)
        spans.append([n, pos, pos + len(page)])
        pos += len(page)
    return ReadResult("".join(pieces), "application/pdf", pages=spans)


def test_pdf_furniture_and_wrapped_paragraphs():
    read = _pdf_like()
    model = read.model
    check_invariants(model)
    furniture = model.of_kind("furniture")
    assert sorted({(b.role, re.sub(r"\d+", "#", b.text)) for b in furniture}) == [
        ("page_number", "# / #"), ("running_header", "Annual Report # of the Example Agency")]
    assert len(furniture) == 12
    first_page = [b for b in model.content() if b.page == 1]
    assert [b.kind for b in first_page] == ["paragraph", "heading", "paragraph"]
    assert model.unwrapped(first_page[0]).endswith("in many countries across the region during the year.")
    assert first_page[1].text == "Partnerships in Agriculture" and first_page[1].source == "layout"
    second_page = [b for b in model.content() if b.page == 2]
    assert second_page[0].text.startswith("The programme")
    assert not second_page[0].continued
    assert all(b.page for b in model.blocks)


def test_page_numbers_without_pages_and_continued_blocks():
    """A .txt made from a PDF: "N / 382" lines mark the pages, the header beside them repeats."""
    parts = []
    for n in range(12, 17):
        topic = TOPICS[n % len(TOPICS)]
        parts.append(f"The office prepared guidance on {topic} and on the reporting of targets for all\n"
                     f"member states that requested support on {topic}, and held consultations with\n"
                     f"{n} / 382\nSurvey on implementation of the Agenda\n"
                     f"partners across the region about {topic} and the methods that they use.\n")
    text = "".join(parts)
    model = build_text_model(text)
    check_invariants(model)
    furniture = model.of_kind("furniture")
    assert {b.text for b in furniture if b.role == "page_number"} == {f"{n} / 382" for n in range(12, 17)}
    assert {b.text for b in furniture if b.role == "running"} == {"Survey on implementation of the Agenda"}
    after = [b for b in model.content() if b.text.startswith("partners across")]
    assert after and all(b.continued for b in after)


# --- DOCX ---------------------------------------------------------------------------------

def _docx_bytes() -> bytes:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("Report of the Example Agency", style="Title")
    d.add_heading("Events", level=1)
    d.add_paragraph("The agency organised:")
    d.add_paragraph("Regional Broadband Forum", style="List Number")
    d.add_paragraph("Girls in ICT Day", style="List Number")
    d.add_paragraph("Coding workshops", style="List Bullet 2")
    d.add_heading("Publications", level=2)
    bold = d.add_paragraph()
    bold.add_run("Flagship Reports").bold = True
    d.add_paragraph("• Guide to Rural Connectivity")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Output", "SDG"
    table.cell(1, 0).text, table.cell(1, 1).text = "Toolkit", "SDG 9"
    d.add_paragraph("Closing remarks.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_docx_styles_numbering_bold_and_tables():
    read = read_bytes("report.docx", _docx_bytes())
    model = read.model
    check_invariants(model)
    got = [(b.kind, b.level, b.marker, b.source, b.body) for b in model.blocks]
    assert got[:3] == [("heading", 0, "", "style", "Report of the Example Agency"),
                       ("heading", 1, "", "style", "Events"),
                       ("paragraph", 0, "", "style", "The agency organised:")]
    items = [(b.level, b.marker, b.body) for b in model.of_kind("list_item")]
    assert items[:2] == [(0, "1.", "Regional Broadband Forum"), (0, "2.", "Girls in ICT Day")]
    assert items[2][2] == "Coding workshops" and items[2][1] == "•"
    assert items[3] == (0, "•", "Guide to Rural Connectivity")  # a typed bullet
    assert ("heading", 2, "", "style", "Publications") in got
    assert ("heading", 2, "", "bold", "Flagship Reports") in got
    table = model.of_kind("table")[0]
    assert [[read.text[s:e] for s, e in row] for row in table.rows] == [["Output", "SDG"], ["Toolkit", "SDG 9"]]
    assert model.blocks[-1].text == "Closing remarks."
    assert model.blocks[2].role == "list_intro"


def test_docx_fixture_and_hints_keep_the_text():
    data = (FIXTURES / "events_table.docx").read_bytes()
    read = read_bytes("events_table.docx", data)
    before = read.text
    check_invariants(read.model)
    assert read.text == before
    assert len(read.model.of_kind("table")) == 2


# --- HTML ---------------------------------------------------------------------------------

HTML = """<html><head><title>Report</title></head><body>
<h1>Our work</h1><p>In 2024 we ran:</p>
<ul><li>Digital Skills Forum<ul><li>Bahrain edition</li><li>Online edition</ul></li>
<li>Global Symposium</li></ul>
<h3>Decisions</h3>
<ol start="4"><li>Resolution 71</li><li>Resolution 140</li></ol>
<table><tr><td>Project</td><td>Goal</td></tr><tr><td>Connect Schools</td><td>SDG 4</td></tr></table>
<p>Contact us.</p></body></html>"""


def test_html_tags_give_headings_nested_items_and_tables():
    read = read_bytes("page.html", HTML.encode())
    model = read.model
    check_invariants(model)
    got = [(b.kind, b.level, b.marker, b.body) for b in model.blocks]
    assert got == [
        ("heading", 1, "", "Our work"),
        ("paragraph", 0, "", "In 2024 we ran:"),  # role list_intro
        ("list_item", 0, "•", "Digital Skills Forum"),
        ("list_item", 1, "•", "Bahrain edition"),
        ("list_item", 1, "•", "Online edition"),
        ("list_item", 0, "•", "Global Symposium"),
        ("heading", 3, "", "Decisions"),
        ("list_item", 0, "4.", "Resolution 71"),
        ("list_item", 0, "5.", "Resolution 140"),
        ("table", 0, "", "Project\tGoal\nConnect Schools\tSDG 4"),
        ("paragraph", 0, "", "Contact us."),
    ]
    assert [[read.text[s:e] for s, e in row] for row in model.of_kind("table")[0].rows] == [
        ["Project", "Goal"], ["Connect Schools", "SDG 4"]]


def test_html_fixture_invariants():
    read = read_bytes("events_page.html", (FIXTURES / "events_page.html").read_bytes())
    check_invariants(read.model)
    assert read.model.of_kind("heading")


# --- the seeds and the development texts ---------------------------------------------------

SEEDS = sorted(DEMO.glob("*.txt")) + sorted(FIXTURES.glob("*.pdf"))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_models_cover_the_text_and_find_the_questions(path):
    read = read_bytes(path.name, path.read_bytes())
    model = read.model
    check_invariants(model)
    for section in find_sections(read.text):
        block = model.block_at(section.start)
        assert block is not None and block.start == section.start, section.label
        assert block.kind in ("heading", "list_item"), (section.label, block.kind)


def test_model_is_built_from_a_read_result_and_leaves_the_text_alone():
    text = (DEMO / "003_8e0a2054c91a51b2.txt").read_text(encoding="utf-8")
    read = ReadResult(text, "text/plain")
    model = build_model(read)
    assert read.text == text and model.text is text
    assert read.model.counts() == model.counts()
    assert isinstance(model.blocks[0], Block)


EXTERNAL_TEXTS = sorted(EXTERNAL.glob("*.txt")) if EXTERNAL.is_dir() else []


@pytest.mark.skipif(not EXTERNAL_TEXTS, reason="../shared/data/external-dev is not present")
@pytest.mark.parametrize("path", EXTERNAL_TEXTS, ids=lambda p: p.name)
def test_external_dev_invariants(path):
    text = path.read_text(encoding="utf-8")
    model = build_text_model(text)
    check_invariants(model)
    page_lines = {m.start() for m in re.finditer(r"(?m)^\d{1,3} / 382$", text)}
    furniture = {b.start for b in model.of_kind("furniture") if b.role == "page_number"}
    assert page_lines <= furniture
    assert model.counts()["list_item"] > 0
