"""references.extract: every form of explicit reference the seed reports use, with exact spans."""

from __future__ import annotations

import pytest

from sdgmap.text.references import extract

ALL = [str(g) for g in range(1, 18)]


def values(text: str, kind: str) -> list[str]:
    return [m.value for m in extract(text) if m.kind == kind]


def goals(text: str) -> set[str]:
    return set(values(text, "sdg_goal"))


@pytest.mark.parametrize("text, expected", [
    ("SDG 9", {"9"}),
    ("SDG9", {"9"}),
    ("SDGs 1, 3 and 5", {"1", "3", "5"}),
    ("SDG 6, 11, 13", {"6", "11", "13"}),
    ("SDG 9, SDG 13, SDG 11,", {"9", "11", "13"}),
    ("SDG Goals 1 - 17", set(ALL)),
    ("Contributes to achievement of SDG Goals 1, 3, 5, 10, 16 and 17", {"1", "3", "5", "10", "16", "17"}),
    ("under Sustainable Development Goals 4, 5, 9, and 17.", {"4", "5", "9", "17"}),
    ("All 17 SDGs", set(ALL)),
    ("17 SDGs", set(ALL)),
    ("all SDGs", set(ALL)),
    ("Goal 5", {"5"}),
    ("the reviews of Goal 5, Goal 9 and Goal 17", {"5", "9", "17"}),
    ("Strategic Goal 1", set()),
    ("ODS 9 y 11", {"9", "11"}),
    ("ODD 5 et 10", {"5", "10"}),
    ("an odd 5 minutes", set()),
    ("in 2023 we held 9 events", set()),
])
def test_goal_forms(text, expected):
    assert goals(text) == expected


def test_primary_goals():
    ms = [m for m in extract("All 17 SDGs, in particular SDG11") if m.kind == "sdg_goal"]
    assert {m.value for m in ms} == set(ALL)
    assert [m.value for m in ms if m.primary] == ["11"]
    ms = [m for m in extract("Radiocommunications impact all SDGs, more directly SDG 9 on infrastructure")
          if m.kind == "sdg_goal"]
    assert {m.value for m in ms if m.primary} == {"9"}


@pytest.mark.parametrize("text, kind, value", [
    ("Target 9.c", "sdg_target", "9.c"),
    ("SDG 17.8, strongly emphasised", "sdg_target", "17.8"),
    ("the main SDG target is SDG 9c “Significantly", "sdg_target", "9.c"),
    ("indicator 9.c.1", "sdg_indicator", "9.c.1"),
    ("AL C2", "action_line", "C2"),
    ("Action Line C5", "action_line", "C5"),
    ("WSIS AL C7: E-health (ITU/WHO)", "action_line", "C7.e-hea"),
    ("D.2-1: Enhanced capacity", "itu_outcome", "D.2-1"),
    ("D.1.5: Facilitation of agreement", "itu_outcome", "D.1-5"),
    ("UNESCO, UN Women and UNDESA", "un_entity", "DESA"),
    ("13 to 17 November 2023", "date", "2023-11-13/2023-11-17"),
    ("20/Nov – 15/Dec 2023", "date", "2023-11-20/2023-12-15"),
    ("2021-to present", "date", "2021-01-01/.."),
    ("All year round", "date", "all-year"),
    ("Dubai, UAE", "location", "Dubai, United Arab Emirates"),
    ("Virtual", "location", "Virtual"),
    ("see https://www.itu.int/wrc-23/.", "url", "https://www.itu.int/wrc-23/"),
    ("worth USD 52.7 billion", "money", "USD 52700000000"),
    ("over USD 15’000’000 was raised", "money", "USD 15000000"),
    ("P2C has received 951 pledges", "count", "951 pledges"),
])
def test_other_kinds(text, kind, value):
    assert value in values(text, kind)


def test_action_line_lists_and_ranges():
    assert values("WSIS AL C1, C2, C3, C9, and C11", "action_line") == ["C1", "C2", "C3", "C9", "C11"]
    assert set(values("Contributes to facilitation of implementation of WSIS AL C1 - C11", "action_line")) == {
        f"C{n}" for n in range(1, 12)}
    # A bare "C5" means an Action Line only where the text talks about Action Lines.
    assert values("the C5 bus route", "action_line") == []
    assert values("sole Action Line facilitator; C2 (Information and communication infrastructure), "
                  "C5 (Building confidence) and C6 (Enabling environment).", "action_line") == ["C2", "C5", "C6"]


def test_targets_are_not_also_goals():
    ms = extract("highlighted in SDG 17.8, is strongly emphasised")
    assert [(m.kind, m.value) for m in ms if m.kind.startswith("sdg")] == [("sdg_target", "17.8")]


def test_spans_point_at_the_text(seed_paths):
    text = seed_paths[3].read_text(encoding="utf-8")
    ms = extract(text)
    assert len(ms) > 100
    for m in ms:
        assert text[m.start:m.end] == m.text, m
        assert m.start < m.end
    assert ms == sorted(ms, key=lambda x: (x.start, x.kind, x.value))


def test_locations_skip_lists_of_names():
    assert values("organized by ITU, Montenegro, DIAL and Cambodia, Rwanda", "location") == []
    assert values("Riyadh, Kingdom of Saudi Arabia; Shanghai, China; Arusha, Tanzania", "location") == [
        "Riyadh, Saudi Arabia", "Shanghai, China", "Arusha, United Republic of Tanzania"]
