"""The SDG classifier: query engine, lexical-only and full modes, evidence, CLI, suggestions."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from sdgmap.capabilities import has_ml
from sdgmap.classify import load_classifier
from sdgmap.classify.query import compile_query, doc_for
from sdgmap.classify.suggest import suggest_links
from sdgmap.cli import cli
from sdgmap.frameworks.builtin import open_store
from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Document, Node

BROADBAND = ("The universal service fund subsidises mobile broadband in rural areas so that "
             "remote villages get affordable access to the Internet.")
CATS = "My cat sleeps most of the afternoon on the windowsill and wakes up when she hears her bowl."

needs_ml = pytest.mark.skipif(not has_ml(), reason="needs the [ml] extra")


@pytest.fixture(scope="session")
def lexical():
    return load_classifier(semantic=False)


@pytest.fixture(scope="session")
def full():
    if not has_ml():
        pytest.skip("needs the [ml] extra")
    return load_classifier()


def _spans(text: str, query: str) -> list[str]:
    d = doc_for(text)
    return [" ".join(d.words[s:e]) for s, e in compile_query(query).spans(d)]


def test_query_phrases_wildcards_and_boolean():
    assert _spans("Poverty lines are drawn", '"poverty line*"') == ["poverty lines"]
    assert _spans("We eradicate poverty", '("poverty") W/3 ("eradicat*" OR "end")') == ["eradicate poverty"]
    assert _spans("poverty is far far far away from eradication", '"poverty" W/3 "eradicat*"') == []
    assert _spans("solar power", '"solar" AND NOT "wind"') == ["solar"]
    assert _spans("solar and wind power", '"solar" AND NOT "wind"') == []
    assert _spans("food security matters", "<food security> OR famine") == ["food security"]
    assert _spans("the organization", "organi?ation") == ["organization"]
    # Scopus field wrappers and socio-economic hyphenation.
    assert _spans("socio-economic gaps", 'TITLE-ABS-KEY("socio-economic*")') == ["socio economic"]


def _goal(result, goal):
    return next((g for g in result.goals if g.goal == goal), None)


def test_lexical_mode_finds_broadband_with_evidence(lexical):
    assert lexical.layers == ("reference", "lexical")
    res = lexical.predict([BROADBAND])[0]
    g9 = _goal(res, 9)
    assert g9 is not None, res
    words = {BROADBAND[e.start:e.end].lower() for e in g9.evidence}
    assert "broadband" in words
    assert all(e.text == BROADBAND[e.start:e.end] for e in g9.evidence)


def test_no_sdg_for_cats(lexical):
    assert lexical.predict([CATS])[0].goals == ()


def test_explicit_reference_lifts_goal_and_target(lexical):
    text = "The project supports Target 9.c and SDG 5 in small island states."
    res = lexical.predict([text])[0]
    g5 = _goal(res, 5)
    assert g5 is not None and g5.score >= 0.9
    assert any(e.layer == "reference" and e.text == "SDG 5" for e in g5.evidence)
    g9 = _goal(res, 9)
    assert g9 is not None and g9.targets[0].code == "9.c"


@needs_ml
def test_full_mode_goal_target_and_spans(full):
    assert full.layers == ("reference", "lexical", "semantic")
    res = full.predict([BROADBAND, CATS, ""])
    g9 = _goal(res[0], 9)
    assert g9 is not None and g9.score > 0.5
    assert g9.targets and g9.targets[0].code == "9.c"
    semantic = [e for e in g9.evidence if e.layer == "semantic"]
    assert semantic and "9.c" in semantic[0].feature
    assert res[1].goals == () and res[2].goals == ()


@needs_ml
def test_long_text_evidence_points_at_the_right_passage(full):
    filler = "The committee met in Geneva and adopted its agenda. " * 12
    text = filler + "Solar mini-grids brought electricity to villages that never had power. " + filler
    res = full.predict([text])[0]
    g7 = _goal(res, 7)
    assert g7 is not None
    sem = next(e for e in g7.evidence if e.layer == "semantic")
    assert "Solar mini-grids" in text[sem.start:sem.end]


def test_cli_jsonl_round_trip():
    lines = [json.dumps({"id": "a", "text": BROADBAND}), json.dumps({"id": 7, "text": CATS})]
    result = CliRunner().invoke(cli, ["classify", "--jsonl", "--lexical"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == ["a", 7]
    assert 9 in [s["goal"] for s in out[0]["sdgs"]]
    ev = out[0]["sdgs"][0]["evidence"][0]
    assert BROADBAND[ev["start"]:ev["end"]] == ev["text"]
    assert out[1]["sdgs"] == []
    assert out[0]["layers"] == ["reference", "lexical"]


def test_cli_jsonl_bad_line_names_the_line():
    result = CliRunner().invoke(cli, ["classify", "--jsonl", "--lexical"], input='{"text": "ok"}\nnot json\n')
    assert result.exit_code == 2
    assert "line 2" in result.output + str(result.exception)


def _node(s, code):
    return s.scalar(select(Node).where(Node.framework_id == "sdg", Node.code == code))


def test_suggest_writes_suggestions_and_keeps_stated_links(store, lexical):
    with store.transaction() as s:
        doc = Document(sha256="x" * 64, filename="r.txt", text="Intro. " + BROADBAND + " End.")
        s.add(doc)
        s.flush()
        a1 = Activity(type="project", title="Rural broadband", description=BROADBAND, year=2024)
        a1.sources.append(ActivitySource(document_id=doc.id, start=7, end=7 + len(BROADBAND)))
        a1.links.append(ActivityLink(node=_node(s, "9"), kind="stated", method="explicit-reference"))
        a2 = Activity(type="project", title="Gender", year=2024,
                      description="Women entrepreneurs learn to use mobile phones and the internet.")
        a3 = Activity(type="event", title="Cats", description=CATS, year=2024)
        s.add_all([a1, a2, a3])
    with store.transaction() as s:
        first = suggest_links(s, lexical, year=2024)
    with store.transaction() as s:
        rows = s.scalars(select(ActivityLink).join(Node)).all()
        stated = [r for r in rows if r.kind == "stated"]
        suggested = [r for r in rows if r.kind == "suggested"]
        assert len(stated) == 1 and stated[0].method == "explicit-reference"
        by_act = {}
        for r in suggested:
            by_act.setdefault(r.activity.title, set()).add(r.node.code)
            assert r.review == "unverified" and r.method.startswith("classifier:")
            assert 0 < r.confidence <= 1 and r.evidence
        assert "9" not in by_act.get("Rural broadband", set())  # already stated
        assert "C2" in by_act["Rural broadband"]  # an Action Line suggestion too
        assert "Cats" not in by_act
        assert "5" in by_act["Gender"]
        with_span = [r for r in suggested if r.activity.title == "Rural broadband" and r.span_start]
        assert with_span
        for r in with_span:  # spans are offsets in the source document
            assert r.document_id is not None
            assert s.get(Document, r.document_id).text[r.span_start:r.span_end].strip()
        n = len(suggested)
        # A person rejects one suggestion; a re-run must not bring it back or duplicate any.
        rejected = next(r for r in suggested if r.activity.title == "Gender")
        rejected.review = "rejected"
    with store.transaction() as s:
        again = suggest_links(s, lexical, year=2024)
    with store.transaction() as s:
        rows = s.scalars(select(ActivityLink).where(ActivityLink.kind == "suggested")).all()
        assert len(rows) == n
        assert sum(r.review == "rejected" for r in rows) == 1
    assert first.created == n and again.created == 0


def test_suggest_cli(tmp_path):
    db = str(tmp_path / "s.db")

    st = open_store(db)
    with st.transaction() as s:
        s.add(Activity(type="event", title="Clean energy", year=2023,
                       description="Solar power and wind farms replace diesel generators; energy efficiency."))
    st.dispose()
    runner = CliRunner()
    res = runner.invoke(cli, ["--db", db, "suggest", "--year", "2023", "--lexical", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["activities"] == 1 and data["created"] >= 1 and data["by_goal"].get("7") == 1
    res2 = runner.invoke(cli, ["--db", db, "suggest", "--year", "2023", "--lexical", "--json"])
    assert json.loads(res2.output)["created"] == 0


def test_without_ml_extra_the_classifier_falls_back_to_lexical(monkeypatch):
    import sdgmap.classify.classifier as mod

    monkeypatch.setattr(mod, "has_ml", lambda: False)
    clf = mod.SDGClassifier()
    assert clf.layers == ("reference", "lexical") and clf.embedder is None
    res = clf.predict([BROADBAND])[0]
    assert res.layers == ("reference", "lexical") and 9 in res.sdgs


def test_a_goal_only_named_gets_only_named_targets(lexical):
    res = lexical.predict(["The committee meeting on SDG 14 and target 3.4 was held in Geneva."])[0]
    g14, g3 = _goal(res, 14), _goal(res, 3)
    assert g14 is not None and g14.targets == ()
    assert g3 is not None and [t.code for t in g3.targets] == ["3.4"]


CYBER = ("The national computer incident response team (CIRT) was set up with ITU support; "
         "child online protection guidelines and cybersecurity drills followed.")


def test_action_line_suggestions_lexical_with_evidence():
    from sdgmap.classify.action_lines import ActionLineSuggester

    [lines, none] = ActionLineSuggester().predict([CYBER, CATS])
    assert none == []
    assert lines[0].code == "C5"
    cues = {e.text.lower() for e in lines[0].evidence}
    assert {"cybersecurity", "child online protection"} <= cues
    for e in lines[0].evidence:  # spans point at the words that fired
        assert CYBER[e.start:e.end] == e.text


@needs_ml
def test_action_line_suggestions_full_prefer_the_e_application(full):
    from sdgmap.classify.action_lines import ActionLineSuggester

    text = ("Rural clinics use telemedicine to reach specialists; patients' health records move "
            "to a secure national digital health platform.")
    [lines] = ActionLineSuggester(full.embedder).predict([text])
    codes = [x.code for x in lines]
    assert codes[0] == "C7.e-hea" and "C7" not in codes
    assert any(e.layer == "semantic" for e in lines[0].evidence)


def test_suggest_adds_action_lines_but_never_repeats_a_stated_one(store, lexical):
    with store.transaction() as s:
        wsis = {n.code: n for n in s.scalars(select(Node).where(Node.framework_id == "wsis"))}
        a = Activity(type="project", title="CIRT", description=CYBER, year=2022)
        b = Activity(type="project", title="Stated CIRT", description=CYBER, year=2022)
        b.links.append(ActivityLink(node=wsis["C5"], kind="stated", method="explicit-reference"))
        s.add_all([a, b])
    with store.transaction() as s:
        report = suggest_links(s, lexical, year=2022)
        assert report.by_action_line.get("C5") == 1
    with store.transaction() as s:
        rows = s.scalars(select(ActivityLink).join(Node).where(Node.framework_id == "wsis")).all()
        got = {(r.activity.title, r.node.code, r.kind) for r in rows}
        assert ("CIRT", "C5", "suggested") in got and ("Stated CIRT", "C5", "suggested") not in got
        assert all(r.review == "unverified" and r.evidence for r in rows if r.kind == "suggested")
    with store.transaction() as s:  # a re-run changes nothing
        again = suggest_links(s, lexical, year=2022)
    assert again.created == 0 and again.removed == 0


def test_one_stretch_of_text_is_one_action_line_cue():
    from sdgmap.classify.action_lines import ActionLineSuggester

    text = "A partnership of regulators. Partners meet at a forum on cooperation."
    [lines] = ActionLineSuggester().predict([text])
    c11 = next(x for x in lines if x.code == "C11")
    spans = sorted((e.start, e.end) for e in c11.evidence)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # no span counted twice
    assert {e.text.lower() for e in c11.evidence} == {"partnership", "partners", "forum", "cooperation"}
