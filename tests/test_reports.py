"""Reports written from the register: content, checks, every kind in every format, CLI.

The register here is filled with the ORM (no dependency on ingest); the round trip
through the real ingest of the seeds is in ``test_reports_roundtrip.py``.
"""

from __future__ import annotations

import io
import json
import shlex
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import select

from sdgmap.cli import cli
from sdgmap.errors import UserError
from sdgmap.reports import build_report, render
from sdgmap.reports.checks import word_count
from sdgmap.reports.common import sdg_text
from sdgmap.reports.model import ActivityBlock
from sdgmap.reports.render_pdf import find_soffice
from sdgmap.store.models import Activity, ActivityLink, Node

LONG = " ".join(["word"] * 160)


def fill(store) -> dict[str, int]:
    """A small ITU register: 2023 and 2024 entries of every questionnaire type."""
    ids = {}
    with store.transaction() as s:
        nodes = {n.ref: n for n in s.scalars(select(Node).where(Node.framework_id.in_(["sdg", "wsis"])))}

        def act(key, type_, title, year, refs, **kw):
            kw.setdefault("description", f"What {title} did.")
            a = Activity(type=type_, title=title, year=year, entity="ITU", **kw)
            for ref in refs:
                kind, primary = "stated", False
                if isinstance(ref, tuple):
                    ref, kind = ref
                if ref.startswith("*"):
                    ref, primary = ref[1:], True
                ref = ref if ":" in ref else f"sdg:{ref}"
                a.links.append(ActivityLink(node=nodes[ref], kind=kind, primary=primary))
            s.add(a)
            s.flush()
            ids[key] = a.id

        act("res", "decision", "RESOLUTION 140 (REV. BUCHAREST, 2022) ITU's role in implementing the "
            "outcomes of the World Summit on the Information Society", 2023, [])
        act("wrc", "event", "World Radiocommunication Conference 2023", 2023, ["9", "wsis:C2"],
            dates_text="20 November - 15 December 2023", location="Dubai, United Arab Emirates",
            website="https://www.itu.int/wrc-23/")
        act("wsis", "event", "WSIS Forum 2023", 2023, [str(g) for g in range(1, 18)] + ["wsis:C11"],
            dates_text="13-17 March 2023", location="Geneva, Switzerland",
            website="https://www.itu.int/net4/wsis/forum/2023/")
        act("sti", "event", "STI Forum side event on sustainable digital transformation", 2023,
            ["6", "11", "13", "wsis:C7.e-env"], description=LONG, dates_text="2 May 2023")
        act("u4ssc", "resource", "United for Smart Sustainable Cities (U4SSC) Deliverables", 2023,
            ["11", "sdg:11.3", "wsis:C7"], partners=["ITU", "UNECE", "UN-Habitat"],
            attrs={"target_audience": "City leaders", "languages": ["English"]},
            website="https://u4ssc.itu.int/publications/")
        act("p2c", "partnership", "Partner2Connect Digital Coalition", 2023,
            ["1", "17", ("5", "suggested"), "wsis:C2"], partners=["ITU", "UN-OHRLLS"],
            attrs={"member_states": "All"}, website="https://www.itu.int/partner2connect/")
        act("skills", "event", "ITU Digital Skills Forum", 2024, ["4", "wsis:C4"],
            dates_text="17-19 September 2024", location="Manama, Bahrain")
    return ids


@pytest.fixture
def filled(store):
    return store, fill(store)


@pytest.fixture
def sqlite_filled(sqlite_store):
    return sqlite_store, fill(sqlite_store)


def _build(store, kind, **kw):
    kw.setdefault("entity", "ITU")
    kw.setdefault("year", 2023)
    with store.transaction() as s:
        return build_report(s, kind, **kw)


def _blocks(report) -> list[ActivityBlock]:
    return [it for _, it in report.walk() if isinstance(it, ActivityBlock)]


# --- content --------------------------------------------------------------------------------

def test_action_lines_sort_by_number():
    from sdgmap.reports.common import action_line_key

    codes = ["C11", "C2", "C7.e-gov", "C7", "C10", "C7.e-env"]
    assert sorted(codes, key=action_line_key) == ["C2", "C7", "C7.e-env", "C7.e-gov", "C10", "C11"]


def test_sdg_text_follows_the_questionnaire():
    assert sdg_text([7, 9, 13]) == "SDG 7, SDG 9, SDG 13"
    assert sdg_text(list(range(1, 18))) == "All 17 SDGs"
    assert sdg_text(list(range(1, 18)), [11]) == "All 17 SDGs, in particular SDG 11"
    assert sdg_text([]) == ""


def test_desa_has_every_part_with_register_ids_and_stated_sdgs(filled):
    store, ids = filled
    report = _build(store, "desa")
    titles = [s.title for s in report.sections]
    assert titles[0].startswith("1. ") and titles[3].startswith("4. ")
    assert titles[-1] == "5. Review before submission"
    blocks = {b.activity_id: b for b in _blocks(report)}
    assert set(blocks) == {ids[k] for k in ("wrc", "wsis", "sti", "u4ssc", "p2c")}  # 2023 only
    wrc = {f.label: f.value for f in blocks[ids["wrc"]].fields}
    assert wrc == {
        "Event Name:": "World Radiocommunication Conference 2023",
        "Event Dates:": "20 November - 15 December 2023",
        "Event Location (City, Country):": "Dubai, United Arab Emirates",
        "Relevant SDGs:": "SDG 9",
        next(k for k in wrc if k.startswith("Description")): "What World Radiocommunication Conference 2023 did.",
        "Website (if applicable)": "https://www.itu.int/wrc-23/",
    }
    assert blocks[ids["wrc"]].heading == f"2.1 Event (register #{ids['wrc']})"
    p2c = {f.label: f.value for f in blocks[ids["p2c"]].fields}
    # An unreviewed suggestion (SDG 5) is not stated in a submission.
    assert p2c["Relevant SDGs (list all relevant goals)"] == "SDG 1, SDG 17"
    assert p2c["Partners (please list all partners)"] == "ITU, UN-OHRLLS"
    assert p2c["Member States benefiting from it"] == "All"
    u4 = {f.label: f.value for f in blocks[ids["u4ssc"]].fields}
    assert u4["Publishing entity/entities"] == "ITU, UNECE, UN-Habitat"
    assert u4["Language(s)"] == "English"
    assert {f.label: f.value for f in blocks[ids["wsis"]].fields}["Relevant SDGs:"] == "All 17 SDGs"
    assert ids["res"] in report.activity_ids
    assert report.closing == ["Year of submission: 2023"]


def test_desa_warns_on_long_description_and_empty_required_fields_without_cutting(filled):
    store, ids = filled
    report = _build(store, "desa")
    mine = [w for w in report.warnings if w.activity_id == ids["sti"]]
    assert {w.field for w in mine} == {"Description", "Event Location"}
    assert any("160 words" in w.message for w in mine)
    sti = next(b for b in _blocks(report) if b.activity_id == ids["sti"])
    desc = next(f.value for f in sti.fields if f.label.startswith("Description"))
    assert word_count(desc) == 160  # reported, never cut
    review = report.sections[-1]
    table = review.items[0]
    assert [f"#{ids['sti']}", "STI Forum side event on sustainable digital transformation",
            "Description", "160 words, over the 150-word limit (not cut)"] in table.rows


def test_desa_focus_puts_goals_under_review_first(filled):
    store, ids = filled
    plain = [b.activity_id for b in _blocks(_build(store, "desa"))]
    assert plain[:3] == [ids["wrc"], ids["wsis"], ids["sti"]]
    focused = _build(store, "desa", focus=[13, 9])
    events = [b.activity_id for b in _blocks(focused) if b.type == "event"]
    # SDG 13 first, then SDG 9; the all-17 event is not specific to the goals under review.
    assert events == [ids["sti"], ids["wrc"], ids["wsis"]]
    assert focused.sections[0].title == "Goals under in-depth review"
    assert "Goal 13 and Goal 9" in focused.sections[-2].title  # the partnership question names them
    with pytest.raises(UserError):
        _build(store, "desa", focus=[18])


def test_wsis_groups_by_action_line_and_c7_sub_lines(filled):
    store, ids = filled
    report = _build(store, "wsis")
    by_title = {s.title.split(".")[0]: s for s in report.sections}
    c2 = [b.activity_id for b in _blocks_in(by_title["C2"])]
    assert c2 == [ids["wrc"], ids["p2c"]]
    c7 = by_title["C7"]
    assert [b.activity_id for b in c7.items if isinstance(b, ActivityBlock)] == [ids["u4ssc"]]
    sub = next(s for s in c7.items if getattr(s, "kind", "") == "section")
    assert sub.title.startswith("C7.e-env") and _blocks_in(sub)[0].activity_id == ids["sti"]
    assert "No activity" in by_title["C1"].items[0].text
    unlinked = next(s for s in report.sections if s.title.startswith("Activities not linked"))
    assert unlinked.items[1].rows[0][0] == f"#{ids['res']}"
    wrc = next(b for b in _blocks(report) if b.activity_id == ids["wrc"])
    assert {f.label: f.value for f in wrc.fields}["Relevant SDGs"] == "SDG 9"


def _blocks_in(section):
    out = []
    for it in section.items:
        if isinstance(it, ActivityBlock):
            out.append(it)
        elif getattr(it, "kind", "") == "section":
            out += _blocks_in(it)
    return out


def test_portfolio_counts_gaps_charts_and_reproducing_queries(filled):
    store, ids = filled
    report = _build(store, "portfolio")
    cov = next(s for s in report.sections if s.title == "Coverage by goal")
    table = next(it for it in cov.items if getattr(it, "kind", "") == "table")
    rows = {r[0]: r for r in table.rows}
    assert rows["11"][2:] == ["3", "0", "3"]  # WSIS Forum, STI side event, U4SSC
    assert rows["5"][2:] == ["1", "1", "2"]  # WSIS Forum stated; P2C suggested only
    assert rows["4"][2:] == ["1", "0", "1"]  # the 2024 Digital Skills Forum is out of scope
    figures = {f.name for f in report.figures()}
    assert figures == {"coverage", "mapping", "heatmap", "trends"}
    assert all(f.png.startswith(b"\x89PNG") for f in report.figures())
    targets = next(s for s in report.sections if s.title == "Coverage by target").items[0]
    assert targets.rows[0][0] == "11.3" and targets.rows[0][2:] == ["1", "1"]
    gaps = next(s for s in report.sections if s.title == "Gaps")
    goal_gaps, target_gaps = [it for it in gaps.items if getattr(it, "kind", "") == "table"]
    assert goal_gaps.rows[0][0] == "-"  # the all-17 WSIS Forum covers every goal
    by_goal = {r[0]: r[1] for r in target_gaps.rows}
    assert "11.3" not in by_goal["11"] and "11.1" in by_goal["11"]
    appendix = report.sections[-2].items[-1]
    commands = {label: (value, cmd) for label, value, cmd in appendix.rows}
    assert commands["SDG 11: stated, curated or accepted"] == (
        "3", "sdgmap --db DB activities list --entity ITU --year 2023 --sdg 11 --trust trusted --json")
    assert commands["Target 11.3: any link"][1].endswith("--target 11.3 --json")


def test_portfolio_counts_an_accepted_suggestion_as_established(filled):
    """Like the DESA report and the overview: once a reviewer accepts a suggestion it is no
    longer 'awaiting review'; the appendix command still reproduces the count."""
    store, ids = filled
    with store.transaction() as s:
        link = s.scalar(select(ActivityLink).where(ActivityLink.activity_id == ids["p2c"],
                                                   ActivityLink.kind == "suggested"))
        link.review = "accepted"
    report = _build(store, "portfolio")
    cov = next(s for s in report.sections if s.title == "Coverage by goal")
    rows = {r[0]: r for r in next(it for it in cov.items if getattr(it, "kind", "") == "table").rows}
    assert rows["5"][2:] == ["2", "0", "2"]
    appendix = {r[0]: r for r in report.sections[-1].items[-1].rows}
    assert appendix[f"#{ids['p2c']}"][3:] == ["1, 5, 17", "-"]
    commands = {label: cmd for label, _, cmd in report.sections[-2].items[-1].rows}
    out = CliRunner().invoke(cli, ["--db", store.url, *shlex.split(commands["SDG 5: stated, curated or accepted"])[3:]])
    assert out.exit_code == 0, out.output
    assert sorted(a["id"] for a in json.loads(out.output)) == sorted([ids["wsis"], ids["p2c"]])


# --- formats --------------------------------------------------------------------------------

def _docx_text(path: Path) -> tuple[docx.document.Document, str]:
    d = docx.Document(str(path))
    text = "\n".join(p.text for p in d.paragraphs)
    text += "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    return d, text


@pytest.mark.parametrize("kind", ["desa", "wsis", "portfolio"])
def test_docx_uses_styles_headings_toc_and_register_ids(sqlite_filled, tmp_path, kind):
    store, ids = sqlite_filled
    report = _build(store, kind)
    path = render(report, "docx", tmp_path / f"{kind}.docx")
    d, text = _docx_text(path)
    styles = {p.style.name for p in d.paragraphs}
    assert {"Title", "Heading 1", "TOC Heading"} <= styles
    for aid in set(report.activity_ids):
        assert f"#{aid}" in text
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert 'TOC \\o "1-3"' in xml
    # No direct formatting of runs: fonts, sizes and colours live in the styles.
    assert "<w:sz " not in xml and "<w:color " not in xml and "<w:rFonts" not in xml
    if kind == "desa":
        assert {"Field Label", "Field Value", "Block Heading", "List Bullet"} <= styles
        assert "Year of submission: 2023" in text
        assert "Event Name:" in text and "Relevant SDGs (list all relevant goals)" in text
        assert any(p.style.name == "Field Label" and p.text == "Event Name:" for p in d.paragraphs)
    if kind == "portfolio":
        assert len(d.inline_shapes) == 4  # charts embedded as images
        assert sum(p.style.name == "Caption" for p in d.paragraphs) >= 4
        assert all(t.style.name == "Register Table" for t in d.tables)
    assert "Review before submission" in text or kind == "portfolio"


@pytest.mark.parametrize("kind", ["desa", "wsis", "portfolio"])
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_html_and_markdown_carry_the_same_content(sqlite_filled, tmp_path, kind, fmt):
    store, ids = sqlite_filled
    report = _build(store, kind)
    path = render(report, fmt, tmp_path / f"{kind}.{fmt}")
    text = path.read_text(encoding="utf-8")
    for aid in set(report.activity_ids):
        assert f"#{aid}" in text
    for sec in report.sections:
        assert sec.title in text
    if kind == "desa":
        assert "\nEvent Name:\n" in text.replace("<p class=\"label\">", "\n").replace("</p>", "\n")
    if kind == "portfolio":
        if fmt == "html":
            assert text.count("data:image/png;base64,") == 4
        else:
            pngs = sorted(p.name for p in (tmp_path / "portfolio_files").glob("*.png"))
            assert pngs == ["coverage.png", "heatmap.png", "mapping.png", "trends.png"]
            assert "](portfolio_files/coverage.png)" in text


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed (apt-get install "
                    "libreoffice-writer-nogui)")
def test_pdf_through_libreoffice(sqlite_filled, tmp_path):
    store, ids = sqlite_filled
    report = _build(store, "desa")
    path = render(report, "pdf", tmp_path / "desa.pdf")
    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "World Radiocommunication Conference 2023" in text
    assert f"register #{ids['wrc']}" in text


# --- templates ------------------------------------------------------------------------------

def test_template_folder_overrides_markdown_and_questions(sqlite_filled, tmp_path):
    store, _ = sqlite_filled
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "report.md.j2").write_text("CUSTOM {{ report.title }} {{ report.sections | length }}\n")
    (tpl / "desa_questions.yaml").write_text(
        "decisions: Q-decisions {year}\nevents: Q-events\nresources: Q-res\npartnerships: Q-part{focus}\n")
    report = _build(store, "desa", template_dir=tpl)
    assert report.sections[0].title == "1. Q-decisions 2023"
    out = render(report, "md", tmp_path / "x.md", tpl)
    assert out.read_text().startswith("CUSTOM Questionnaire")
    (tpl / "desa_questions.yaml").write_text("events: only one\n")
    with pytest.raises(UserError, match="missing question text"):
        _build(store, "desa", template_dir=tpl)


def test_reference_docx_from_template_folder_must_be_valid(sqlite_filled, tmp_path):
    store, _ = sqlite_filled
    report = _build(store, "wsis")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "reference.docx").write_bytes(b"not a zip")
    with pytest.raises(UserError, match="reference.docx: not a readable DOCX"):
        render(report, "docx", tmp_path / "w.docx", tpl)
    plain = docx.Document()
    buf = io.BytesIO()
    plain.save(buf)
    (tpl / "reference.docx").write_bytes(buf.getvalue())
    with pytest.raises(UserError, match="lacks the style"):
        render(report, "docx", tmp_path / "w.docx", tpl)
    assert not (tmp_path / "w.docx").exists()


# --- CLI ------------------------------------------------------------------------------------

def test_cli_writes_report_and_prints_warnings(sqlite_filled, tmp_path):
    from sdgmap.cli import cli

    store, ids = sqlite_filled
    out = tmp_path / "desa.docx"
    runner = CliRunner()
    res = runner.invoke(cli, ["--db", store.url, "report", "desa", "--entity", "ITU", "--year", "2023",
                              "-o", str(out), "--focus", "1,2,13,16,17"])
    assert res.exit_code == 0, res.output
    assert out.exists()
    assert "6 register entries" in res.output  # 5 blocks and 1 decision
    assert f"warning: #{ids['sti']} STI Forum side event on sustainable digital transformation: " \
           "Description: 160 words, over the 150-word limit (not cut)" in res.output
    res = runner.invoke(cli, ["--db", store.url, "report", "desa", "-o", str(tmp_path / "x.odt")])
    assert res.exit_code == 2 and "cannot tell the format" in res.output
    res = runner.invoke(cli, ["--db", store.url, "report", "desa", "--focus", "0,3", "-o", str(out)])
    assert res.exit_code == 2 and "numbered 1 to 17" in res.output


# --- odd registers and hostile text ---------------------------------------------------------

@pytest.mark.parametrize("kind", ["desa", "wsis", "portfolio"])
def test_empty_register_gives_a_report_that_says_so(sqlite_store, tmp_path, kind):
    report = _build(sqlite_store, kind)
    assert report.activity_ids == []
    assert any(w.field == "scope" and "entity ITU, year 2023" in w.message for w in report.warnings)
    for fmt in ("docx", "html", "md"):
        assert render(report, fmt, tmp_path / f"{kind}.{fmt}").stat().st_size > 500
    if kind == "desa":
        assert "No events are recorded" in (tmp_path / "desa.md").read_text()


def test_markup_and_control_characters_in_register_text_are_written_safely(sqlite_store, tmp_path):
    with sqlite_store.transaction() as s:
        node = s.scalar(select(Node).where(Node.framework_id == "sdg", Node.code == "9"))
        a = Activity(type="event", title="<script>alert(1)</script> {{ 7*7 }} | pipe\x0c", year=2023,
                     entity="ITU", description="Line one\x00\nLine two & <b>bold</b>",
                     location="Geneva", dates_text="1 May 2023")
        a.links.append(ActivityLink(node=node, kind="stated"))
        s.add(a)
    report = _build(sqlite_store, "desa")
    html = render(report, "html", tmp_path / "d.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html  # data is text, never a template
    d, text = _docx_text(render(report, "docx", tmp_path / "d.docx"))
    assert "<script>alert(1)</script> {{ 7*7 }} | pipe" in text and "\x0c" not in text
    md = render(report, "md", tmp_path / "d.md").read_text()
    assert "Line two & <b>bold</b>" in md


def test_pdf_without_libreoffice_says_what_to_install(sqlite_filled, tmp_path, monkeypatch):
    store, _ = sqlite_filled
    monkeypatch.setenv("SDGMAP_SOFFICE", str(tmp_path / "no-such-soffice"))
    report = _build(store, "wsis")
    with pytest.raises(UserError, match="libreoffice-writer-nogui"):
        render(report, "pdf", tmp_path / "w.pdf")
    assert not (tmp_path / "w.pdf").exists()
