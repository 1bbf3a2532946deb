"""``sdgmap.store.filters``: which activities each field of an ``ActivityFilter`` selects,
on SQLite and PostgreSQL, over the register of ``storedata`` (its table says why each
expected set is what it is)."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from conftest import BACKENDS
from sdgmap.store.filters import (
    MAX_WORDS,
    ActivityFilter,
    filtered_select,
    planned_dialect,
    search_words,
    trusted_link,
)
from sdgmap.store.models import Activity, ActivityLink
from storedata import backend_store, build


@pytest.fixture(scope="module", params=BACKENDS)
def register(request, tmp_path_factory, sqlite_template, pg_template):
    """One store per backend for the whole module: these tests only read."""
    with backend_store(request.param, tmp_path_factory.mktemp("filters"), sqlite_template,
                       pg_template) as store:
        yield store, build(store)


def matching(register, **fields) -> set[str]:
    """The keys of the activities ``ActivityFilter(**fields)`` selects."""
    store, ids = register
    by_id = {v: k for k, v in ids.items() if k != "doc"}
    with store.transaction() as s:
        stmt = filtered_select(ActivityFilter(**fields), planned_dialect(s))
        return {by_id[a.id] for a in s.scalars(stmt)}


ALL = {"broadband", "cyber", "ehealth", "spectrum", "annual"}


def test_an_empty_filter_selects_every_activity(register):
    assert matching(register) == ALL


@pytest.mark.parametrize("fields, expected", [
    ({"type": "project"}, {"broadband", "ehealth"}),
    ({"type": "event"}, {"spectrum", "annual"}),
    ({"type": "pledge"}, set()),
    ({"year": 2022}, {"broadband", "spectrum"}),
    ({"year": 2023}, {"cyber", "ehealth"}),
    ({"year": 1999}, set()),
    ({"entity": "WHO"}, {"ehealth"}),
    ({"entity": "who"}, set()),  # entities are codes: matched exactly
    ({"type": "project", "year": 2023}, {"ehealth"}),
])
def test_type_year_and_entity(register, fields, expected):
    assert matching(register, **fields) == expected


def test_ids_restrict_the_set(register):
    _, ids = register
    assert matching(register, ids=[ids["cyber"], ids["annual"]]) == {"cyber", "annual"}
    assert matching(register, ids=[ids["cyber"]], type="event") == set()


@pytest.mark.parametrize("goal, expected", [
    (9, {"broadband", "cyber", "spectrum"}),  # 9.c, 9 (suggested) and 9.c.1 all count for goal 9
    (3, {"ehealth"}),  # through target 3.8
    (4, {"broadband"}),
    (1, set()),  # the only goal 1 link was rejected; 10 and 16 are not goal 1
    (10, set()),  # derived links are not in the default kinds
    (17, set()),
])
def test_goal_includes_its_targets_and_indicators(register, goal, expected):
    assert matching(register, sdg=goal) == expected


@pytest.mark.parametrize("target, expected", [
    ("9.c", {"broadband", "spectrum"}),  # the goal-only suggestion on cyber is not target 9.c
    ("9.c.1", {"spectrum"}),
    ("3.8", {"ehealth"}),
    ("9.1", set()),
])
def test_target_includes_its_indicators(register, target, expected):
    assert matching(register, target=target) == expected


@pytest.mark.parametrize("line, expected", [
    ("C2", {"broadband"}),
    ("C7", {"ehealth"}),  # through the sub-line C7.e-hea
    ("C7.e-hea", {"ehealth"}),
    ("C7.e-gov", set()),
    ("C1", set()),
])
def test_action_line_includes_its_sub_lines(register, line, expected):
    assert matching(register, action_line=line) == expected


@pytest.mark.parametrize("ref, expected", [
    ("itu-sp-2020:D.2-1", {"ehealth"}),
    ("itu-sp-2020:D.2", {"ehealth"}),  # an objective means its outcomes too
    ("itu-sp-2020:D.1", set()),
    ("sdg:9", {"broadband", "cyber", "spectrum"}),  # two levels down: 9 -> 9.c -> 9.c.1
    ("wsis:C7", {"ehealth"}),
    ("sdg:99", set()),
    ("nosuchframework:1", set()),
])
def test_node_of_any_framework_and_what_is_below_it(register, ref, expected):
    assert matching(register, node=ref) == expected


@pytest.mark.parametrize("kinds, goal, expected", [
    (("stated",), 9, {"broadband"}),
    (("suggested",), 9, {"cyber", "spectrum"}),
    (("curated",), 3, {"ehealth"}),
    (("stated",), 3, set()),
    (("derived",), 10, {"spectrum"}),
    (("stated", "derived"), 10, {"spectrum"}),
])
def test_link_kinds(register, kinds, goal, expected):
    assert matching(register, sdg=goal, link_kinds=kinds) == expected


def test_rejected_links_count_only_when_asked(register):
    assert matching(register, sdg=1) == set()
    assert matching(register, sdg=1, include_rejected=True) == {"spectrum"}


@pytest.mark.parametrize("trust, expected", [
    (None, {"broadband", "cyber", "spectrum"}),
    ("trusted", {"broadband", "spectrum"}),  # stated 9.c; the accepted suggestion 9.c.1
    ("unreviewed", {"cyber"}),  # the suggestion nobody has looked at
])
def test_trust_levels(register, trust, expected):
    assert matching(register, sdg=9, trust=trust) == expected


def test_an_unknown_trust_level_is_refused(register):
    with pytest.raises(ValueError, match="trusted, unreviewed"):
        matching(register, sdg=9, trust="everything")


@pytest.mark.parametrize("partner, expected", [
    ("UNESCO", {"broadband"}),
    ("giga", {"broadband"}),  # case does not matter
    ("unodc", {"cyber"}),
    ("UN", {"broadband", "cyber"}),  # part of a name is enough
    ("World Bank", set()),
])
def test_partner(register, partner, expected):
    assert matching(register, partner=partner) == expected


@pytest.mark.parametrize("words, expected", [
    ("broadband", {"broadband"}),
    ("BROADBAND", {"broadband"}),
    ("broad", {"broadband"}),  # each word is a prefix
    ("satellite", {"ehealth"}),  # descriptions are searched too
    ("guide regulators", {"cyber"}),  # every word must match
    ("guide schools", set()),
    ("spectrum, radio!", {"spectrum"}),  # punctuation between words is ignored
    ("zebra", set()),
])
def test_full_text_search(register, words, expected):
    assert matching(register, text=words) == expected


@pytest.mark.parametrize("words", ["!!!", "  ", "-- ;", "\"*\"", "()"])
def test_a_search_of_punctuation_only_matches_nothing(register, words):
    assert matching(register, text=words) == set()


@pytest.mark.parametrize("words, expected", [
    ('broadband" OR "spectrum', set()),  # FTS5 syntax: three words, all must match
    ("broadband | spectrum", set()),  # tsquery syntax: two words
    ("broadband OR spectrum", set()),
    ("broadband'; DROP TABLE activities; --", set()),
    ("NEAR(broadband rural)", set()),  # "near" is a word to find, not an operator
    ("broadband*", {"broadband"}),  # the star is punctuation, not a wildcard
    ("title:broadband", set()),  # no column filters
    ('"rural', {"broadband"}),  # an unbalanced quote is not an error
])
def test_search_input_is_never_query_syntax(register, words, expected):
    """Operators typed in the search box are words like any other: none fails, none means
    "broadband or spectrum", and none changes anything."""
    assert matching(register, text=words) == expected
    store, _ = register
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Activity)) == 5


def test_filters_combine_as_and(register):
    assert matching(register, sdg=9, year=2023) == {"cyber"}
    assert matching(register, sdg=9, action_line="C2", partner="giga", text="rural") == {"broadband"}
    assert matching(register, sdg=9, action_line="C5", trust="trusted") == set()


def test_trusted_link_is_stated_curated_or_an_accepted_suggestion(register):
    store, ids = register
    by_id = {v: k for k, v in ids.items()}
    with store.transaction() as s:
        rows = s.execute(select(ActivityLink.activity_id, ActivityLink.kind, ActivityLink.review)
                         .where(trusted_link())).all()
    assert {(k, r) for _, k, r in rows} == {
        ("stated", "unverified"), ("curated", "unverified"), ("suggested", "accepted")}
    # not the unverified suggestions (broadband sdg:5, cyber sdg:9), the rejected one or the derived one
    assert Counter(by_id[a] for a, _, _ in rows) == {"broadband": 3, "cyber": 2, "ehealth": 3,
                                                     "spectrum": 1}


@pytest.mark.parametrize("text, words", [
    ("broadband for schools", ["broadband", "for", "schools"]),
    ("e-health: Fiji's pilot", ["e", "health", "Fiji", "s", "pilot"]),
    ("Café São Paulo 2023", ["Café", "São", "Paulo", "2023"]),
    ("", []),
    (None, []),
    ("?!", []),
])
def test_search_words_are_letters_and_digits(text, words):
    assert search_words(text) == words


def test_search_words_are_capped():
    many = " ".join(f"w{i}" for i in range(MAX_WORDS + 5))
    assert search_words(many) == [f"w{i}" for i in range(MAX_WORDS)]
