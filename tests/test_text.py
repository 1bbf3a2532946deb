"""``sdgmap.text``: cleaning typed text (``clean``), dates as reports write them (``dates``)
and the reference forms that tests/test_ingest_references.py does not already cover
(``references``): goal ranges, target lists, codes that do not exist, sub-lines, amounts,
and spans that are exact slices of the input."""

from __future__ import annotations

import pytest

from sdgmap.text.clean import one_line, visible
from sdgmap.text.dates import DateHit, SpanSet, date_range, find_dates
from sdgmap.text.references import KINDS, entity_names, extract, goals

RLO, LRI, PDI, ZWSP, BOM, LRM = "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff", "\u200e"
ZWJ, ZWNJ = "\u200d", "\u200c"

# --- clean ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, shown", [
    (f"invoice{RLO}fdp.exe", "invoicefdp.exe"),  # a right-to-left override
    (f"{LRI}admin{PDI}", "admin"),  # bidi isolates
    (f"ad{ZWSP}min", "admin"),  # zero-width space
    (f"{BOM}Title", "Title"),
    (f"a{LRM}b", "ab"),
    ("nul\x00bell\x07esc\x1b", "nulbellesc"),  # control characters
    ("line one\nline two\r\n\ttabbed", "line one\nline two\r\n\ttabbed"),  # line breaks stay
    (f"क्{ZWJ}ष and {ZWNJ}", f"क्{ZWJ}ष and {ZWNJ}"),  # joiners shape scripts: kept
    ("👩\u200d💻", "👩\u200d💻"),  # an emoji sequence
    ("Café – São Paulo", "Café – São Paulo"),
    ("", ""),
    (None, ""),
])
def test_visible(raw, shown):
    assert visible(raw) == shown


@pytest.mark.parametrize("raw, line", [
    ("  Broadband \n for\tschools  ", "Broadband for schools"),  # whitespace runs: one space
    ("a\u00a0\u00a0b\u2028c", "a b c"),  # no-break spaces and line separators are whitespace
    (f"{RLO}evil{PDI} name", "evil name"),
    (f"two{ZWSP}words", "twowords"),
    (f"ab{ZWJ}c  d{ZWNJ}", f"ab{ZWJ}c d{ZWNJ}"),
    ("tab\x00nul", "tabnul"),
    ("   ", ""),
    (None, ""),
])
def test_one_line(raw, line):
    assert one_line(raw) == line


def test_one_line_limit_counts_the_cleaned_text():
    assert one_line("  a   b   c  ", limit=3) == "a b"
    assert one_line(f"{RLO * 10}abcdef", limit=4) == "abcd"  # removed characters do not count
    assert one_line("short", limit=100) == "short"
    assert one_line("abc", limit=0) == ""


# --- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, form, first, last", [
    ("20 November - 15 December 2023", "dm-dm-y", "2023-11-20", "2023-12-15"),
    ("20 December - 5 January 2024", "dm-dm-y", "2023-12-20", "2024-01-05"),  # across new year
    ("between 26 September and 14 October 2022", "dm-and-dm-y", "2022-09-26", "2022-10-14"),
    ("13-17 March 2023", "d-dm-y", "2023-03-13", "2023-03-17"),
    ("1-4 July, 2024", "d-dm-y", "2024-07-01", "2024-07-04"),
    ("10 to 12 December 2003", "d-dm-y", "2003-12-10", "2003-12-12"),
    ("2 May 2023", "dmy", "2023-05-02", "2023-05-02"),
    ("2nd May 2023", "dmy", "2023-05-02", "2023-05-02"),
    ("May 19, 2020", "mdy", "2020-05-19", "2020-05-19"),
    ("April and May 2023", "m-m-y", "2023-04-01", "2023-05-31"),
    ("March-May 2020", "m-m-y", "2020-03-01", "2020-05-31"),
    ("September 2021", "my", "2021-09-01", "2021-09-30"),
    ("Sept. 2022", "my", "2022-09-01", "2022-09-30"),
    ("February 2024", "my", "2024-02-01", "2024-02-29"),  # a leap year
    ("2021-to present", "y-present", "2021-01-01", None),
    ("2019 to date", "y-present", "2019-01-01", None),
    ("2016 - 2019", "y-y", "2016-01-01", "2019-12-31"),
    ("2024-2027", "y-y", "2024-01-01", "2027-12-31"),
])
def test_date_forms(text, form, first, last):
    (hit,) = find_dates(f"Held {text}.")  # at the end of a sentence
    assert (hit.form, hit.first, hit.last, hit.text) == (form, first, last, text)


@pytest.mark.parametrize("text", ["All year round", "all-year-long", "year-round", "throughout the year"])
def test_all_year_takes_the_report_year(text):
    (hit,) = find_dates(text, year=2023)
    assert (hit.form, hit.first, hit.last) == ("all-year", "2023-01-01", "2023-12-31")
    (open_,) = find_dates(text)  # no report year: still found, with open ends
    assert (open_.first, open_.last, open_.value) == (None, None, "all-year")


@pytest.mark.parametrize("text, value", [("22 April", "2023-04-22"), ("on 17 May", "2023-05-17")])
def test_a_day_without_a_year_takes_the_report_year(text, value):
    (hit,) = find_dates(text, year=2023)
    assert hit.value == value and hit.form == "dm"
    assert find_dates(text) == []  # nothing is guessed without one


@pytest.mark.parametrize("text", [
    "2019-2016",  # a range that ends before it starts
    "version 10.2016-2019",  # part of a longer number
    "release 2016-2019.5",
    "in 1850",
    "the 45 March",
])
def test_not_dates(text):
    assert find_dates(text) == []


def test_a_longer_form_wins_and_hits_are_in_text_order():
    text = "Workshops on 13-17 March 2023, then 2 May 2023 and finally September 2021."
    hits = find_dates(text)
    assert [(h.text, h.form) for h in hits] == [
        ("13-17 March 2023", "d-dm-y"), ("2 May 2023", "dmy"), ("September 2021", "my")]
    assert all(text[h.start:h.end] == h.text for h in hits)


@pytest.mark.parametrize("first, last, form, value", [
    ("2023-05-02", "2023-05-02", "dmy", "2023-05-02"),
    ("2023-04-01", "2023-05-31", "m-m-y", "2023-04-01/2023-05-31"),
    ("2021-01-01", None, "y-present", "2021-01-01/.."),
    (None, "2021-01-01", "dm", "../2021-01-01"),
    (None, None, "all-year", "all-year"),
])
def test_date_hit_value(first, last, form, value):
    assert DateHit(0, 1, "x", first, last, form).value == value


@pytest.mark.parametrize("text, year, expected", [
    ("30-31 May 2024 & all year long", None, ("2024-01-01", "2024-12-31")),  # covers both
    ("2021-to present", None, ("2021-01-01", None)),
    ("5 March 2020 and 2 May 2023", None, ("2020-03-05", "2023-05-02")),
    ("22 April (2019)", 2024, ("2019-04-22", "2019-04-22")),  # a year in the field wins
    ("22 April", 2024, ("2024-04-22", "2024-04-22")),
    ("22 April", None, (None, None)),
    ("to be confirmed", 2024, (None, None)),
    ("", None, (None, None)),
])
def test_date_range(text, year, expected):
    assert date_range(text, year) == expected


def test_span_set():
    taken = SpanSet()
    assert not taken.overlaps(0, 100)
    taken.add(10, 20)
    taken.add(40, 50)
    taken.add(0, 5)  # added out of order
    # half-open spans: touching ends do not overlap
    assert [taken.overlaps(s, e) for s, e in [(5, 10), (20, 40), (50, 60), (5, 6)]] == [False] * 4
    assert [taken.overlaps(s, e) for s, e in [(19, 21), (9, 11), (12, 13), (0, 100), (45, 46), (4, 5)]] == [
        True] * 6


# --- references -----------------------------------------------------------------------------

def found(text: str, kind: str | None = None) -> list[tuple[str, str]]:
    return [(m.kind, m.value) for m in extract(text) if kind is None or m.kind == kind]


@pytest.mark.parametrize("text, expected", [
    ("SDGs 3-5", ["3", "4", "5"]),
    ("Goals 8 to 10", ["8", "9", "10"]),
    ("SDG 16–17", ["16", "17"]),
    ("SDG 5-3", ["5"]),  # not a range: only the goal written first
])
def test_goal_ranges(text, expected):
    assert sorted((v for _, v in found(text, "sdg_goal")), key=int) == expected


def test_goal_list_spans_point_at_each_number():
    text = "This supports SDGs 1, 3 and 5."
    ms = [m for m in extract(text) if m.kind == "sdg_goal"]
    assert [(m.value, m.text, m.method) for m in ms] == [
        ("1", "SDGs 1", "regex"), ("3", "3", "goal-list"), ("5", "5", "goal-list")]
    assert all(text[m.start:m.end] == m.text for m in ms)


@pytest.mark.parametrize("text, expected", [
    ("targets 9.c and 17.8", [("sdg_target", "9.c"), ("sdg_target", "17.8")]),
    ("SDG indicator 17.6.1", [("sdg_indicator", "17.6.1")]),
    ("target 9.z, SDG 18, indicator 9.c.9", []),  # codes that do not exist
    ("version 3.2 of the guide", []),  # a numbered target needs a keyword; 9.c alone does not
])
def test_targets_and_indicators(text, expected):
    assert [f for f in found(text) if f[0].startswith("sdg")] == expected


@pytest.mark.parametrize("text, code", [
    ("Action Line C7 (e-agriculture)", "C7.e-agr"),
    ("Action Line C7 - e-health", "C7.e-hea"),
    ("Action Line C7: e-governments", "C7.e-gov"),
    ("Action Line C7: E-business", "C7.e-bus"),
    ("Action Line C7: e-bus", "C7.e-bus"),
    ("Action Line C7: e-nonsense", "C7"),  # an unknown sub-line: the Action Line itself
])
def test_c7_sub_lines(text, code):
    assert found(text, "action_line") == [("action_line", code)]


def test_action_line_ranges_only_run_upwards():
    assert [v for _, v in found("Action Lines C3 to C5", "action_line")] == ["C3", "C4", "C5"]
    assert found("Action Lines C5-C3", "action_line") == []


@pytest.mark.parametrize("text, value", [
    ("$2.5 million", "USD 2500000"),
    ("€300", "EUR 300"),
    ("CHF 1,200", "CHF 1200"),
    ("US$ 40 bn", "USD 40000000000"),
])
def test_money(text, value):
    assert found(f"a budget of {text} was agreed", "money") == [("money", value)]


@pytest.mark.parametrize("text, expected", [
    ("1,950 participants", [("count", "1950 participants")]),
    ("500 new Member States", [("count", "500 member states")]),
    ("in 2023 events were held", []),  # a year, not a count
])
def test_counts(text, expected):
    assert found(text, "count") == expected


def test_entities_by_alias_and_words_that_are_not_entities():
    assert found("UNWTO with UN Women and ICC", "un_entity") == [
        ("un_entity", "UN Tourism"), ("un_entity", "UN-Women")]
    names = entity_names()
    assert names["UNDESA"] == "DESA" and names["ITU"] == "ITU" and "ICC" not in names


def test_kinds_limit_what_is_looked_for():
    text = "ITU and UNESCO on SDG 4, 2 May 2023, https://itu.int, USD 5 million."
    assert {m.kind for m in extract(text)} == {"un_entity", "sdg_goal", "date", "url", "money"}
    assert {m.kind for m in extract(text, kinds={"url", "date"})} == {"url", "date"}
    assert extract(text, kinds=()) == []
    assert set(KINDS) >= {m.kind for m in extract(text)}


def test_goals_helper():
    stated, primary = goals(extract("Contributes to SDG 4 and 17, in particular SDG 9."))
    assert stated == {"4", "17", "9"} and primary == {"9"}
    assert goals([]) == (set(), set())


def test_every_span_is_an_exact_slice_of_the_input():
    text = ("Report 2023\n\nThe Connect Schools project (Nairobi, Kenya; 13-17 March 2023) served "
            "1,200 schools with UNICEF, worth USD 3 million, under SDGs 4 and 9, target 9.c and "
            "Action Lines C2, C7: e-learning. See https://www.itu.int/giga.\nOnline & in person")
    ms = extract(text)
    assert {m.kind for m in ms} >= {"sdg_goal", "sdg_target", "action_line", "un_entity", "date",
                                    "location", "url", "money", "count"}
    for m in ms:
        assert m.text and text[m.start:m.end] == m.text, m
