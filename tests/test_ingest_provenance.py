"""Entity and report year read from the document itself: each rule on texts of our own
wording, the negative cases (a partner named in the body is not the reporting entity), the
CLI override warnings, the seeds, and a measurement on the external development set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdgmap.ingest.parse import parse_document
from sdgmap.ingest.provenance import canonical_entity, detect_entity, detect_year, entity_candidates

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = ROOT.parent / "shared" / "data" / "external-dev"

# Forty lines of neutral body text: no entity, no date.
BODY = "\n".join(f"Section {i} sets out routine work on statistics, training and advice to member countries."
                 for i in range(40))


def _pages(header: str, n: int = 4, footer: str = "") -> str:
    """A text of ``n`` pages, each opening with the same header line (page furniture)."""
    return "\n".join(f"{header}\n{BODY[:1500]}\n{footer}{i + 1}" for i in range(n))


# --- the entity ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, entity, rule", [
    ("UNDP\n\nAnswers to the annual questionnaire\n\n" + BODY, "UNDP", "cover"),  # a bare acronym line
    ("Universal postal union- UPU\n\n" + BODY, "UPU", "cover"),  # odd case, dash before the acronym
    ("Contribution of the\nWorld Food Programme\nto the review\n\n" + BODY, "WFP", "cover"),  # name only
    ("Report of the\nUnited Nations Human\nSettlements  Programme\n\n" + BODY, "UN-Habitat", "cover"),  # wrapped
    ("Secretariat of the Convention on Biological Diversity\n\n" + BODY, "CBD", "cover"),
    ("United Nations ESCAP\n\n" + BODY, "ESCAP", "cover"),
    ("Contact details\nOrganization: UN Environment\nCountry: Kenya\n\n" + BODY, "UNEP", "field"),
    ("Name of entity\n\nInternational Labour Organisation\n\nQ2\n" + BODY, "ILO", "field"),  # British spelling
    ("Q3\nOrganisation\nthe Food and Agriculture Organization of the United Nations\n" + BODY, "FAO", "field"),
    ("UNHCR contribution to the 2030 Agenda review\n\n" + BODY, "UNHCR", "title"),
    (_pages("UNIDO | Progress on industrial development") + " UNDP helped." * 5, "UNIDO", "header"),
    (BODY + "\nThe WMO network grew. WMO trained staff. WMO published data. UNEP joined.", "WMO", "mentions"),
])
def test_each_rule_names_the_entity(text, entity, rule):
    found = detect_entity(text)
    assert found is not None and (found.entity, found.rule) == (entity, rule)
    ev = found.evidence[0]
    assert ev.rule == rule and (rule == "mentions" or ev.text in text)
    assert text[ev.start:ev.end].strip() == ev.text.strip() or rule == "mentions"


def test_partner_mentioned_in_the_body_is_not_the_reporting_entity():
    text = "Food and Agriculture Organization of the United Nations\nProgress report\n\n" + BODY
    text += "\nThe project was run together with UNDP and its country offices." * 15
    found = detect_entity(text)
    assert found.entity == "FAO" and found.rule == "cover"
    ranked = entity_candidates(text)
    assert [c.entity for c in ranked[:2]] == ["FAO", "UNDP"] and ranked[1].mentions == 15


def test_partners_on_the_cover_are_not_the_reporting_entity():
    text = "World Health Organization\nCountry progress note\nIn partnership with UNICEF\nUNFPA\nUNAIDS\n\n" + BODY
    text += "\nUNICEF and UNFPA staff joined the visits; UNICEF paid for travel." * 2
    found = detect_entity(text)
    assert found.entity == "WHO" and found.rule == "cover"
    assert {c.entity: c.rule for c in entity_candidates(text)}["UNICEF"] == "mentions"


def test_questionnaire_issuer_is_not_the_respondent():
    text = ("Department of Economic and Social Affairs questionnaire\nOrganization: WHO\n" + BODY
            + "\nDESA asked for this. DESA will compile it. DESA thanked us.")
    assert detect_entity(text).entity == "WHO"
    # Without the field, the issuer's title line earns nothing, and three mentions alone are a
    # lead only when clearly ahead of every other entity.
    assert detect_entity(text.replace("Organization: WHO\n", "")).rule == "mentions"


@pytest.mark.parametrize("text", [
    BODY,  # nothing named
    BODY + "\nUNDP and UNICEF supported the work; UNDP and UNICEF met twice.",  # a tie
    BODY + "\nA grant came from UNDP.",  # one passing mention
    "Organization of the workshop was shared with partners.\n" + BODY,  # "Organization" as prose
    "the world food programme\n" + BODY,  # lower-case prose is not a name
])
def test_no_entity_when_the_document_does_not_make_it_plain(text):
    assert detect_entity(text) is None


@pytest.mark.parametrize("name, canon", [
    ("UNDP", "UNDP"), ("the World Food Programme", "WFP"), ("UN Environment", "UNEP"),
    ("International Labour Organisation", "ILO"), ("United Nations Children’s Fund", "UNICEF"),
    ("Universal postal union- UPU", "UPU"), ("Full Name Of Something (ITU)", "ITU"), ("World Bank", "WORLD BANK GROUP"),
    ("UNESCAP", "ESCAP"), ("RCS", "DCO"),  # the list's entity_aliases column
    ("Office of the UN High Commissioner for Human Rights", "OHCHR"), ("UN Office on Drugs and Crime", "UNODC"),
    ("Office of the High Commissioner for Human Rights", "OHCHR"),  # "United Nations" left out
    ("Nothing We Know", None), ("", None),
])
def test_canonical_entity(name, canon):
    assert canonical_entity(name) == canon


# --- the year -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, year, source", [
    ("Year of submission: 2019\nVersion January 2018\n" + BODY, 2019, "document"),
    ("Annual Report 2016-2017\n" + BODY, 2017, "document"),
    ("Answers\n\nThe reporting period November 2024 to October 2025 saw growth.\n" + BODY, 2025, "period"),
    ("UNDP\nA short report covering 2017\n\n" + BODY, 2017, "period"),
    ("UNDP\nNote to the board for the period 2016-2017\n\n" + BODY, 2017, "period"),
    ("WMO progress review 2019\n\n" + BODY, 2019, "title"),
    (_pages("Questionnaire answers            Version January 2018"), 2018, "version date"),
    ("UNDP\nUpdated: 12 March 2018\n\n" + BODY, 2018, "version date"),
    ("Last Modified:\n \nMonday, 5 February 2018 10:00\n" + BODY, 2018, "version date"),
    ("UNDP\nDate: 3 April 2019\n\n" + BODY + "\nDate: 5 May 2021\n", 2019, "version date"),
    (_pages("Activities in 2016 - annex"), 2016, "header"),
    (_pages("Towards the 2030 Agenda") + "\nHeld on 4 June 2017.", 2017, "inferred"),  # not year 2030
    ("UNDP\n\n" + BODY * 2 + "\nOur plan for the period 2018-2021 was adopted on 3 May 2016.\n", 2016, "inferred"),
    ("UNDP\n\n" + BODY + "\nVersion 2 of the toolkit came out in May 2016.\n" + BODY, None, "none"),
    (BODY, None, "none"),
])
def test_each_rule_gives_the_year(text, year, source):
    found = detect_year(text)
    assert (found.year, found.source) == (year, source)
    if found.evidence:
        assert str(year) in found.evidence.text
        assert " ".join(text[found.evidence.start:found.evidence.end].split()) == found.evidence.text


# --- parse_document: flags override, conflicts are warnings --------------------------------------

def _doc(text: str, **kw):
    return parse_document("report.txt", text.encode(), **kw)


def test_document_entity_and_year_with_evidence():
    text = "Organization: World Meteorological Organization\nVersion March 2018\n\n" + BODY
    doc = _doc(text)
    assert (doc.entity, doc.year, doc.year_source) == ("WMO", 2018, "version date")
    prov = doc.provenance
    assert prov["entity"]["rule"] == "field" and prov["year"]["source"] == "version date"
    ev = prov["entity"]["evidence"][0]
    assert text[ev["start"]:ev["end"]] == "Organization: World Meteorological Organization"
    assert any("year 2018 taken from its version date ('Version March 2018')" in w for w in doc.warnings)
    assert not any("entity" in w for w in doc.warnings)


def test_entity_flag_overrides_and_a_conflict_is_a_warning():
    text = "Organization: UNICEF\n" + BODY
    doc = _doc(text, entity="UNDP", year=2018)
    assert doc.entity == "UNDP" and doc.year == 2018 and doc.year_source == "user"
    assert "document names United Nations Children's Fund (UNICEF); using --entity UNDP" in doc.warnings
    # The same entity written another way is no conflict.
    for same in ("UNICEF", "United Nations Children's Fund", "the United Nations Children’s Fund"):
        assert not any("--entity" in w for w in _doc(text, entity=same).warnings)


def test_year_flag_overrides_and_a_conflict_is_a_warning():
    doc = _doc("UNDP\nUpdated: 12 March 2018\n" + BODY, year=2017)
    assert doc.year == 2017 and doc.year_source == "user"
    assert "document says year 2018 ('Updated: 12 March 2018'); using --year 2017" in doc.warnings
    # An inferred year (latest date in the text) is too weak to contradict the flag.
    assert not any("document says" in w for w in _doc(BODY + "\nMet on 3 May 2016.", year=2017).warnings)


def test_missing_entity_and_year_are_warnings():
    doc = _doc(BODY)
    assert doc.entity == "" and doc.year is None
    assert "no reporting entity found in the document (set it with --entity)" in doc.warnings
    assert "no report year found (set it with --year)" in doc.warnings
    doc = _doc(BODY + "\nWMO said so. WMO did more. WMO again. WMO, once more.")
    assert doc.entity == "WMO" and any(w.startswith("reporting entity WMO inferred from 4 mentions") for w in doc.warnings)


def test_seeds_keep_their_entity(seed_paths):
    """The three DESA forms name ITU on their cover, as before; the TDAG document and the annual
    report now get ITU from their mentions, where they got no entity before."""
    got = {p.name[:3]: parse_document(p.name, p.read_bytes()) for p in seed_paths}
    assert {k: d.entity for k, d in got.items()} == dict.fromkeys(("000", "001", "002", "003", "004"), "ITU")
    assert {k: d.provenance["entity"]["rule"] for k, d in got.items()} == {
        "000": "cover", "001": "cover", "002": "mentions", "003": "cover", "004": "mentions"}
    assert {k: (d.year, d.year_source) for k, d in got.items()} == {
        "000": (2020, "document"), "001": (2024, "document"), "002": (2020, "inferred"),
        "003": (2023, "document"), "004": (2020, "document")}
    assert got["003"].title == "ITU submission to the UN DESA questionnaire (2023)"


# --- the external development set ------------------------------------------------------------------

@pytest.mark.skipif(not EXTERNAL.is_dir(), reason="external development set not present")
def test_external_dev_entity_and_year():
    """Detected entity and year against the gold of each document; prints a table (pytest -s)."""
    rows, right_entity, right_year = [], 0, 0
    for gold_path in sorted(EXTERNAL.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        path = EXTERNAL / gold["document"]
        doc = parse_document(path.name, path.read_bytes())
        want = canonical_entity(gold["entity"])
        ok_entity = bool(doc.entity) and doc.entity == want
        ok_year = doc.year == gold["report_year"]
        right_entity += ok_entity
        right_year += ok_year
        rule = (doc.provenance["entity"] or {}).get("rule", "-")
        rows.append(f"| {path.name} | {want} | {doc.entity or '-'} ({rule}) {'✓' if ok_entity else '✗'} "
                    f"| {doc.year} ({doc.year_source}) {'✓' if ok_year else '✗'} |")
    n = len(rows)
    print("\n| document | gold entity | detected entity (rule) | year (source) |\n|---|---|---|---|")
    print("\n".join(rows))
    print(f"| total | | {right_entity}/{n} | {right_year}/{n} |")
    assert n == 12
    assert right_entity >= 10 and right_year >= 11
