"""Scoring against gold lists (sdgmap.ingest.gold) on synthetic data, and the external-dev harness.

The external development documents carry no licence: they are read at test time from
``../shared/data/external-dev`` and the tests skip when the folder is absent. Only stable facts
are asserted on them (every gold file loads, the scores are numbers in range).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sdgmap.ingest.candidates import Candidate, StatedLink
from sdgmap.ingest.gold import (
    GoldBlock,
    GoldDocument,
    content_words,
    load_gold,
    match_titles,
    recogniser_check,
    score_document,
    sentence_around,
    stated_goals,
    title_pattern,
    title_score,
    titles_match,
)
from sdgmap.ingest.parse import parse_document

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = ROOT.parent / "shared" / "data" / "external-dev"


def cand(title: str, type_: str = "event", refs: tuple[str, ...] = ()) -> Candidate:
    c = Candidate(type=type_, title=title, start=0, end=len(title), extractor="test")
    c.links = [StatedLink(r, 0, 1, "") for r in refs]
    return c


def block(title: str, type_: str = "event", sdgs: tuple[int, ...] = ()) -> GoldBlock:
    return GoldBlock(title, type_, frozenset(sdgs), frozenset())


# --- title matching ----------------------------------------------------------------------------

def test_content_words_fold_case_accents_punctuation_and_stop_words():
    assert content_words("The Río Water-Energy Forum (2nd edition), 8.7") == {
        "rio", "water", "energy", "forum", "2nd", "edition", "8.7"}


@pytest.mark.parametrize("a, b", [
    ("Regional Forum on Clean Ports", "regional forum on clean ports"),
    ("“Regional Forum on Clean Ports”", "Regional  Forum\non Clean Ports"),
    ("Sust ainable Harbour Network", "Sustainable Harbour Network"),  # stray extraction space
    ("e-commerce readiness toolkit", "eCommerce Readiness Toolkit"),  # hyphen variant
    ("Forum on Clean Ports", "The Regional Forum on Clean Ports"),  # 3 of 3 shorter words
    ("Tidal Atlas", "Tidal Atlas"),
])
def test_titles_that_match(a, b):
    assert titles_match(a, b) and titles_match(b, a)


@pytest.mark.parametrize("a, b", [
    ("Regional Forum on Clean Ports", "Regional Forum on Dry Docks and Logistics"),  # 2 of 4
    ("Ports", "Regional Forum on Clean Ports"),  # one word does not match a long title
    ("Clean Ports Forum", "In 2017 we convened many meetings on clean ports, forums on shipping, "
                          "workshops on logistics and trainings on customs reform"),  # a whole sentence
    ("", "Anything"),
])
def test_titles_that_do_not_match(a, b):
    assert not titles_match(a, b)


def test_title_score_is_the_share_of_the_shorter_title():
    assert title_score("Clean Ports Forum", "Clean Ports Forum Asia") == 1.0
    assert title_score("Clean Ports Forum", "Clean Rivers Forum") == pytest.approx(2 / 3)


def test_matching_is_one_to_one_and_prefers_the_best_pair():
    found = ["Clean Ports Forum", "Clean Ports Forum 2018 Report"]
    gold = ["Clean Ports Forum 2018 Report", "Clean Ports Forum"]
    assert match_titles(found, gold) == [(1, 0, 1.0), (0, 1, 1.0)]
    # two found copies of one gold title: only one is matched
    assert len(match_titles(["Tidal Atlas", "Tidal Atlas"], ["Tidal Atlas"])) == 1


# --- scores ------------------------------------------------------------------------------------

def test_stated_goals_read_targets_as_their_goal():
    c = cand("x", refs=("sdg:8.7", "sdg:5.5.1", "sdg:3", "wsis:C5"))
    assert stated_goals(c) == {8, 5, 3}


def test_score_document_counts():
    gold = GoldDocument("d.txt", "Org", 2018, [
        block("Clean Ports Forum", "event", (14,)),
        block("Tidal Atlas", "publication", (14, 13)),
        block("Harbour Alliance", "partnership"),
        block("Reef Fund", "initiative", (14,)),
    ])
    found = [
        cand("Clean Ports Forum", "event", ("sdg:14.1",)),  # right type, SDG set exact via a target
        cand("The Tidal Atlas", "initiative", ("sdg:14",)),  # wrong type, SDG set incomplete
        cand("Harbour Alliance", "partnership", ("sdg:9",)),  # gold states no SDG: not checked
        cand("Unrelated Thing", "project"),
    ]
    s = score_document(gold, found)
    assert (s.gold, s.found, s.matched, s.type_right) == (4, 4, 3, 2)
    assert (s.sdg_gold, s.sdg_checked, s.sdg_exact) == (3, 2, 1)
    assert s.recall == 0.75 and s.precision == 0.75 and s.type_accuracy == pytest.approx(2 / 3)
    assert s.sdg_accuracy == 0.5
    assert [b.title for b in s.missed] == ["Reef Fund"] and [c.title for c in s.spurious] == ["Unrelated Thing"]


def test_empty_inputs_score_without_dividing_by_zero():
    s = score_document(GoldDocument("d", "", None, []), [])
    assert (s.recall, s.precision, s.type_accuracy, s.sdg_accuracy) == (1.0, 1.0, 0.0, 0.0)


# --- recogniser proxy ----------------------------------------------------------------------------

def test_title_pattern_tolerates_spacing_punctuation_and_stray_spaces():
    pat = title_pattern("Clean-Ports Forum")
    assert pat.search("the clean ports\n forum met")
    assert pat.search("the Cle an-Ports Forum met")
    assert not pat.search("the clean ports council")
    assert title_pattern("—") is None


def test_sentence_around_stops_at_sentence_ends_and_bullets():
    text = "First sentence here. The Clean Ports Forum (SDG 14) met; other work.\no Next bullet"
    s = text.index("Clean")
    ws, we = sentence_around(text, s, s + 17)
    assert text[ws:we].strip() == "The Clean Ports Forum (SDG 14) met;"


def test_recogniser_check_on_synthetic_text():
    text = ("Our projects:\no Clean Ports Forum (SDG 14);\no Tidal Atlas (SDG 13, 14.2);\n"
            "o Reef Fund, a fund for reefs.\n")
    gold = GoldDocument("d", "", None, [
        block("Clean Ports Forum", sdgs=(14,)), block("Tidal Atlas", sdgs=(13, 14)),
        block("Reef Fund", sdgs=(14,)), block("Missing Thing", sdgs=(1,)), block("No goals")])
    r = recogniser_check(text, gold)
    assert (r.blocks, r.located, r.exact) == (4, 3, 2)
    assert r.wrong == [("Reef Fund", {14}, set())]


# --- gold files ------------------------------------------------------------------------------------

def test_load_gold_rejects_bad_files_with_the_file_name(tmp_path):
    bad = tmp_path / "bad.gold.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.gold.json"):
        load_gold(bad)
    bad.write_text(json.dumps({"blocks": [{"title": "X", "type": "festival", "sdgs": []}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="type 'festival'"):
        load_gold(bad)
    bad.write_text(json.dumps({"blocks": [{"title": "X", "type": "event", "sdgs": [18]}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="goal numbers 1-17"):
        load_gold(bad)
    good = tmp_path / "ok.gold.json"
    good.write_text(json.dumps({"document": "ok.txt", "report_year": 2020, "blocks": [
        {"title": "Tidal Atlas", "type": "publication", "sdgs": [14], "context_sdgs": [13], "section": "2"}]}),
        encoding="utf-8")
    g = load_gold(good)
    assert g.document == "ok.txt" and g.blocks[0].sdgs == {14} and g.blocks[0].context_sdgs == {13}


# --- the real development set (skipped when absent) -------------------------------------------------

needs_external = pytest.mark.skipif(not EXTERNAL.is_dir(), reason="external development set not present")


@needs_external
def test_every_gold_file_loads_and_names_its_text():
    golds = sorted(EXTERNAL.glob("*.gold.json"))
    assert golds
    for path in golds:
        g = load_gold(path)
        assert (EXTERNAL / g.document).is_file(), g.document
        assert g.blocks and all(b.title.strip() for b in g.blocks)


@needs_external
def test_harness_runs_and_scores_are_in_range(capsys):
    spec = importlib.util.spec_from_file_location("ingest_external", ROOT / "benchmarks" / "ingest_external.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main() == 0
    out = capsys.readouterr().out
    assert out.count("\n") > 12 and "total" in out

    path = sorted(EXTERNAL.glob("*.gold.json"))[0]
    g = load_gold(path)
    doc = parse_document(g.document, (EXTERNAL / g.document).read_bytes())
    s = score_document(g, doc.candidates)
    for v in (s.recall, s.precision, s.type_accuracy, s.sdg_accuracy):
        assert 0.0 <= v <= 1.0
    assert s.matched <= min(s.gold, s.found) and s.sdg_exact <= s.sdg_checked <= s.sdg_gold
    r = recogniser_check(doc.text, g)
    assert r.exact <= r.located <= r.blocks
