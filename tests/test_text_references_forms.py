"""references.extract on SDG reference forms as organisations write them (issue 12, item 5).

Every sentence here is written for the test: goal and target forms with their exact spans, and
the numbers that must not become goals (page numbers, years, list numbering, money, sections).
"""

from __future__ import annotations

import time

import pytest

from sdgmap.text.references import extract

SDG_KINDS = ("sdg_goal", "sdg_target", "sdg_indicator")


def refs(text: str) -> list[tuple[str, str, str]]:
    """(kind, value, exact text of the span) for every SDG mention, checking each span."""
    out = []
    for m in extract(text, SDG_KINDS):
        assert text[m.start:m.end] == m.text, m
        out.append((m.kind, m.value, m.text))
    return out


def goal_set(text: str) -> set[int]:
    """Goals stated, targets and indicators read as their goal (9.c -> 9)."""
    return {int(m.value.split(".")[0]) for m in extract(text, SDG_KINDS)}


@pytest.mark.parametrize("text, expected", [
    ("Our grants fund Goal 10c directly.", [("sdg_target", "10.c", "Goal 10c")]),
    ("reporting on SDG 10.c remittance costs", [("sdg_target", "10.c", "SDG 10.c")]),
    ("in line with Sustainable Development Goal 10c.", [("sdg_target", "10.c", "Sustainable Development Goal 10c")]),
    ("the fund serves SDG10 and SDG-16 alike", [("sdg_goal", "10", "SDG10"), ("sdg_goal", "16", "SDG-16")]),
    ("Goal 3: healthy lives", [("sdg_goal", "3", "Goal 3")]),
    ("progress on SDG 8.7 is slow", [("sdg_target", "8.7", "SDG 8.7")]),
    ("we computed SDG indicator 5.5.1b for 40 towns", [("sdg_indicator", "5.5.1", "SDG indicator 5.5.1b")]),
    ("under SDG 3 and 3c", [("sdg_goal", "3", "SDG 3"), ("sdg_target", "3.c", "3c")]),
    ("the clinic network (SDG 4.4, 8.6 and SDG 10)",
     [("sdg_target", "4.4", "SDG 4.4"), ("sdg_target", "8.6", "8.6"), ("sdg_goal", "10", "SDG 10")]),
    ("a wrapped keyword, SDG-\n5, still counts", [("sdg_goal", "5", "SDG-\n5")]),
])
def test_goal_and_target_forms_with_spans(text, expected):
    assert refs(text) == expected


@pytest.mark.parametrize("text, goals", [
    ("It advances SDGs 1,2,3 in rural areas.", {1, 2, 3}),
    ("Goals 1 to 5 frame the plan.", {1, 2, 3, 4, 5}),
    ("It addresses SDGs 1-5.", {1, 2, 3, 4, 5}),
    ("from SDG 11 to SDG 13", {11, 12, 13}),
    ("It supports (goal 6), (7) and (12).", {6, 7, 12}),
    ("SDGs 6, 9 or 11", {6, 9, 11}),
    # titles written between the numbers: every number is read
    ("The pilot serves SDGs 7- Provide clean power to villages, schools and clinics and 12 -Cut waste "
     "in local markets.", {7, 12}),
    ("Goals 2 (food security), 3 (health), and 15 (forests).", {2, 3, 15}),
    ("SDG 2 (food), 6 (water) 11 (towns), 12 (consumption)", {2, 6, 11, 12}),
    ("SDG 4 (schooling, including Target 4.a) and SDG 5 (equality)", {4, 5}),
    ("targets 1.4, 5.a and 9c", {1, 5, 9}),
    ("ODS 6 y 14", {6, 14}),
])
def test_lists_ranges_and_titled_lists(text, goals):
    assert goal_set(text) == goals


def test_titled_list_keeps_target_inside_a_title():
    assert ("sdg_target", "4.a", "Target 4.a") in refs("SDG 4 (schooling, including Target 4.a) and SDG 5 (equality)")


def test_list_spans_point_at_each_number():
    assert refs("SDGs 7- Give power to all and 12 -Cut waste") == [
        ("sdg_goal", "7", "SDGs 7"), ("sdg_goal", "12", "12")]
    ranged = refs("Goals 1 to 3 matter")
    assert ranged == [("sdg_goal", str(g), "Goals 1 to 3") for g in (1, 2, 3)]


@pytest.mark.parametrize("text, goal", [
    ("Hunger, the second SDG, is our focus.", 2),
    ("We work on the fifth SDG.", 5),
    ("the seventeenth Sustainable Development Goal on partnerships", 17),
    ("our project addresses the 14th SDG (oceans)", 14),
])
def test_ordinal_goals(text, goal):
    (m,) = [m for m in extract(text, SDG_KINDS)]
    assert (m.kind, m.value, m.method) == ("sdg_goal", str(goal), "ordinal")
    assert text[m.start:m.end] == m.text and m.text.endswith(("SDG", "Goal"))


@pytest.mark.parametrize("text, goal", [
    ("Partnerships (SDB 17) are essential.", 17),
    ("working with women's groups on SDDG 5", 5),
])
def test_typos_of_sdg_before_a_number(text, goal):
    (m,) = extract(text, SDG_KINDS)
    assert (m.value, m.method) == (str(goal), "typo")


@pytest.mark.parametrize("text", [
    "Our work supports the SDGs and poverty reduction.",  # topic words and "the SDGs"
    "The SDGs: 17 goals and 169 targets.",
    "the first SDG report of the region",  # ordinal of a report, not of a goal
    "the first SDGs were discussed",
    "see page 12 of 40; 242 / 382",
    "In 2016 and 2017 the team grew.",
    "1. Introduction\n2) Scope",
    "a budget of USD 5 million and EUR 3 million",
    "See section 2.1 and paragraph 3.4 of the report.",
    "Millennium Development Goal 5 was not met.",
    "Aichi Biodiversity Target 11 on protected areas",
    "Strategic Goal 2 of the plan",
    "an SDB loan of 15 years",  # the typo form needs a goal number right after it
    "indicators 3 and 4 of the results framework",
])
def test_numbers_that_are_not_references(text):
    assert refs(text) == []


@pytest.mark.parametrize("text, goals", [
    ("It serves SDG 5, 10 countries joined.", {5}),  # a quantity ends the list
    ("the following SDGs:\n1. Scope of work", set()),  # list numbering after a line break
    ("in line with the SDGs\n8. Regional trade", set()),
    ("especially SDG\n2.\nThe next item", {2}),  # a wrapped reference, then a sentence end
    ("(1) improve water access under SDG 6, and (2) build skills", {6}),  # enumerated clauses
    ("SDG 5;\n2) partners", {5}),
    ("SDG 5-3", {5}),  # not a range
])
def test_list_boundaries(text, goals):
    assert goal_set(text) == goals


def test_primary_cue_applies_to_new_forms():
    ms = extract("Relevant to all SDGs, in particular Goal 10c", SDG_KINDS)
    assert [(m.value, m.primary) for m in ms if m.kind == "sdg_target"] == [("10.c", True)]


def test_long_titled_lists_stay_linear():
    text = "SDG 6 (water) " * 20000 + "SDGs 7- " + "word, " * 20000 + " and 12 -x"
    t = time.perf_counter()
    assert goal_set(text) == {6, 7}
    assert time.perf_counter() - t < 5
