"""sdgmap.frameworks.linkage: stated links as stored, derived links with their path, node look-up.

A small framework (imported from a YAML file, as a user would) and a crosswalk (from a CSV
file) make every expected link known; the built-in frameworks are checked where their
shape matters (indicators repeated under several targets, a plan's objectives). Runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from sdgmap.errors import UserError
from sdgmap.frameworks import read_framework_file, save_crosswalk, save_framework
from sdgmap.frameworks.linkage import LinkView, UnknownNode, derived_links, get_node, stated_links

MINI = """\
framework: {id: mini, name: Mini plan, version: "1"}
nodes:
  - {code: G, title: Goal, kind: goal}
  - {code: G.1, title: Outcome one, kind: outcome, parent: G}
  - {code: G.2, title: Outcome two, kind: outcome, parent: G}
  - {code: G.2.x, title: An output, kind: output, parent: G.2}
links:
  - {from: G.1, to: 'wsis:C2', source: Mini plan, locator: p. 3}
  - {from: G.1, to: 'sdg:9.c', source: Mini plan}
  - {from: G.2, to: 'sdg:4', kind: curated, rationale: teachers}
  - {from: G.2, to: 'sdg:5', kind: suggested}
  - {from: G.2, to: 'sdg:13', kind: suggested, review: accepted}
  - {from: G.2, to: 'sdg:14', source: Mini plan, review: rejected}
  - {from: G.2.x, to: 'wsis:C7.e-hea', source: Mini plan}
"""

CROSSWALK = """\
from,to,relation,kind,source,review
wsis:C2,sdg:17,supports,stated,Test matrix,unverified
wsis:C2,sdg:1,contributes_to,suggested,,unverified
wsis:C2,sdg:8,contributes_to,stated,Test matrix,rejected
wsis:C2,sdg:10,contributes_to,curated,,unverified
"""


@pytest.fixture
def mini(store, tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI, encoding="utf-8")
    (tmp_path / "matrix.csv").write_text(CROSSWALK, encoding="utf-8")
    with store.transaction() as s:
        save_framework(s, read_framework_file(tmp_path / "mini.yaml"))
        save_crosswalk(s, read_framework_file(tmp_path / "matrix.csv"))
    with store.transaction() as s:
        yield s


def out(s, ref: str) -> list[tuple[str, str, str]]:
    return [(v.target, v.kind, v.review) for v in stated_links(s, get_node(s, ref), "out")]


def derived(s, ref: str) -> dict[str, LinkView]:
    return {v.target: v for v in derived_links(s, get_node(s, ref))}


# --- get_node ---------------------------------------------------------------------------------

VALID_REFS = [  # (as written, framework, code)
    ("sdg:9.c", "sdg", "9.c"),
    ("  sdg:9.c  ", "sdg", "9.c"),
    ("sdg: 9.c", "sdg", "9.c"),
    ("wsis:C7.e-hea", "wsis", "C7.e-hea"),
    ("itu-sp-2020:D.2-2", "itu-sp-2020", "D.2-2"),
    ("sdg:1.5.1", "sdg", "1.5.1"),
]
INVALID_REFS = [  # (as written, what the message says)
    ("9.c", "must be written framework:code"),
    ("", "must be written framework:code"),
    ("SDG:9", "must be written framework:code"),  # framework ids are lower case
    ("sdg:18", "no node 'sdg:18'"),
    ("sdg:9.C", "no node"),  # codes are case-sensitive, on both backends
    ("nope:1", "no node 'nope:1'"),
]


def test_get_node_reads_framework_and_code(store):
    with store.transaction() as s:
        for ref, framework, code in VALID_REFS:
            node = get_node(s, ref)
            assert (node.framework_id, node.code, node.ref) == (framework, code, f"{framework}:{code}"), ref


def test_get_node_refuses_what_it_cannot_find_with_a_user_error(store):
    with store.transaction() as s:
        for ref, message in INVALID_REFS:
            with pytest.raises(UnknownNode, match=message) as info:
                get_node(s, ref)
            assert isinstance(info.value, UserError), ref  # the CLI and the API show it as a plain message


# --- stated links -----------------------------------------------------------------------------

def test_stated_links_out_are_the_stored_links_with_their_provenance(mini):
    views = stated_links(mini, get_node(mini, "mini:G.1"), "out")
    assert [(v.source, v.target, v.kind, v.relation) for v in views] == [
        ("mini:G.1", "sdg:9.c", "stated", "contributes_to"), ("mini:G.1", "wsis:C2", "stated", "contributes_to")]
    c2 = views[1]
    assert (c2.origin_source, c2.locator, c2.review, c2.path) == ("Mini plan", "p. 3", "unverified", [])


def test_stated_links_show_every_review_state_even_rejected_and_unreviewed(mini):
    assert out(mini, "mini:G.2") == [("sdg:4", "curated", "unverified"), ("sdg:5", "suggested", "unverified"),
                                     ("sdg:13", "suggested", "accepted"), ("sdg:14", "stated", "rejected")]


def test_stated_links_of_a_parent_leave_out_its_children_links(mini):
    assert out(mini, "mini:G") == []


def test_stated_links_in_and_both_directions(mini):
    c2 = get_node(mini, "wsis:C2")
    incoming = {v.source for v in stated_links(mini, c2, "in")}
    outgoing = {v.target for v in stated_links(mini, c2, "out")}
    assert "mini:G.1" in incoming and "itu-sp-2020:D.2-1" in incoming
    assert all(v.target == "wsis:C2" for v in stated_links(mini, c2, "in"))
    assert outgoing == {"sdg:17", "sdg:1", "sdg:8", "sdg:10"}
    both = stated_links(mini, c2)
    assert len(both) == len(incoming) + len(outgoing)


def test_stated_links_into_a_target(mini):
    into = [(v.source, v.relation) for v in stated_links(mini, get_node(mini, "sdg:9.c"), "in")]
    assert ("mini:G.1", "contributes_to") in into
    assert ("itu-sp-2020:SP", "prioritises") in into  # the built-in plan's own statement


def test_link_view_as_dict_leaves_out_empty_fields():
    stated = LinkView("a:1", "b:2", "contributes_to", "stated", "doc")
    assert stated.as_dict() == {"from": "a:1", "to": "b:2", "relation": "contributes_to", "kind": "stated",
                                "source": "doc"}
    full = LinkView("a:1", "b:2", "same_as", "derived", "computed", "p. 3", "accepted", ["a:1", "x:1", "b:2"])
    assert full.as_dict() == {**stated.as_dict(), "relation": "same_as", "kind": "derived", "source": "computed",
                                   "locator": "p. 3", "review": "accepted", "path": ["a:1", "x:1", "b:2"]}


# --- derived links ----------------------------------------------------------------------------

def test_a_link_to_a_target_is_derived_for_its_goal(mini):
    goal = derived(mini, "mini:G.1")["sdg:9"]
    assert (goal.kind, goal.relation, goal.origin_source) == ("derived", "contributes_to", "computed")
    assert goal.path == ["mini:G.1", "sdg:9.c", "sdg:9"]


def test_a_link_to_a_sub_line_is_derived_for_its_action_line(mini):
    assert derived(mini, "mini:G.2.x")["wsis:C7"].path == ["mini:G.2.x", "wsis:C7.e-hea", "wsis:C7"]


def test_a_chain_through_a_crosswalk_gives_an_outcome_an_sdg(mini):
    seventeen = derived(mini, "mini:G.1")["sdg:17"]
    assert seventeen.path == ["mini:G.1", "wsis:C2", "sdg:17"]
    assert seventeen.relation == "supports"  # the relation of the last step


def test_a_curated_crosswalk_link_chains_without_review(mini):
    assert derived(mini, "mini:G.1")["sdg:10"].path == ["mini:G.1", "wsis:C2", "sdg:10"]


def test_a_link_to_an_indicator_is_derived_for_its_target_and_goal(store, tmp_path):
    cw = tmp_path / "indicator.csv"
    cw.write_text("from,to,kind,source\nwsis:C4,sdg:4.4.1,stated,x\n", encoding="utf-8")
    with store.transaction() as s:
        save_crosswalk(s, read_framework_file(cw))
        got = derived(s, "wsis:C4")
    assert got["sdg:4.4"].path == ["wsis:C4", "sdg:4.4.1", "sdg:4.4"]
    assert got["sdg:4"].path == ["wsis:C4", "sdg:4.4.1", "sdg:4"]


def test_unreviewed_and_rejected_crosswalk_links_derive_nothing(mini):
    targets = derived(mini, "mini:G.1")
    assert "sdg:1" not in targets and "sdg:8" not in targets


def test_a_parent_inherits_its_descendants_usable_links(mini):
    got = derived(mini, "mini:G")
    assert got["sdg:9.c"].path == ["mini:G", "mini:G.1", "sdg:9.c"]
    assert got["wsis:C7.e-hea"].path == ["mini:G", "mini:G.2.x", "wsis:C7.e-hea"]  # a grandchild's link
    assert got["sdg:4"].path == ["mini:G", "mini:G.2", "sdg:4"]  # curated counts
    assert got["sdg:13"].path == ["mini:G", "mini:G.2", "sdg:13"]  # an accepted suggestion counts
    assert "sdg:5" not in got and "sdg:14" not in got  # unreviewed and rejected do not


def test_derived_links_are_sorted_by_framework_then_natural_code(mini):
    assert [v.target for v in derived_links(mini, get_node(mini, "mini:G"))] == [
        "sdg:4", "sdg:9.c", "sdg:13", "wsis:C2", "wsis:C7.e-hea"]
    assert [v.target for v in derived_links(mini, get_node(mini, "mini:G.1"))] == ["sdg:9", "sdg:10", "sdg:17"]


def test_derived_targets_with_number_and_letter_codes_sort_together(store):
    """sdg:1.5 and sdg:1.b side by side: the sort compared 5 with "b" and raised TypeError
    (a traceback from `sdgmap links --derived`, a failed node page)."""
    with store.transaction() as s:
        for ref in ("sdg:1", "sdg:1.5", "u4ssc:EC", "u4ssc:SC:SH"):
            targets = [v.target for v in derived_links(s, get_node(s, ref))]
            second = {t.split(":")[1].split(".")[1] for t in targets if t.startswith("sdg:") and "." in t}
            assert any(c.isdigit() for c in second) and any(c.isalpha() for c in second), ref


def test_derived_links_are_computed_not_stored(mini):
    for ref in ("mini:G", "mini:G.1", "mini:G.2", "wsis:C2", "sdg:9"):
        assert all(v.kind != "derived" for v in stated_links(mini, get_node(mini, ref)))


def test_a_node_with_no_usable_links_derives_nothing(mini):
    assert derived_links(mini, get_node(mini, "sdg:9")) == []
    assert derived_links(mini, get_node(mini, "wsis:C11")) == []


def test_a_node_never_derives_a_link_to_itself(store, tmp_path):
    cycle = tmp_path / "cycle.csv"
    cycle.write_text("from,to,kind,source\nwsis:C3,sdg:4,stated,x\nsdg:4,wsis:C3,stated,x\n", encoding="utf-8")
    with store.transaction() as s:
        save_crosswalk(s, read_framework_file(cycle))
        assert "wsis:C3" not in derived(s, "wsis:C3")


def test_reimporting_a_framework_without_a_link_removes_what_it_derived(mini, tmp_path):
    (tmp_path / "mini.yaml").write_text(MINI.replace("  - {from: G.1, to: 'sdg:9.c', source: Mini plan}\n", ""),
                                        encoding="utf-8")
    save_framework(mini, read_framework_file(tmp_path / "mini.yaml"), replace=True)
    assert "sdg:9" not in derived(mini, "mini:G.1") and "sdg:9.c" not in derived(mini, "mini:G")


# --- built-in frameworks ----------------------------------------------------------------------

def test_an_objective_derives_the_union_of_its_outcomes_links(store):
    with store.transaction() as s:
        outcomes = ("itu-sp-2020:D.2-1", "itu-sp-2020:D.2-2", "itu-sp-2020:D.2-3")
        stated = {v.target for ref in outcomes for v in stated_links(s, get_node(s, ref), "out")}
        got = derived(s, "itu-sp-2020:D.2")
        assert stated_links(s, get_node(s, "itu-sp-2020:D.2"), "out") == []
        assert set(got) == stated
        assert got["wsis:C5"].path == ["itu-sp-2020:D.2", "itu-sp-2020:D.2-2", "wsis:C5"]


def test_an_indicator_repeated_under_another_target_derives_that_target(store):
    """SDG indicator 1.5.1 is the same as 11.5.1 and 13.1.1: the same_as links chain on."""
    with store.transaction() as s:
        got = derived(s, "sdg:1.5.1")
        assert got["sdg:11.5"].path == ["sdg:1.5.1", "sdg:11.5.1", "sdg:11.5"]
        assert got["sdg:13"].path == ["sdg:1.5.1", "sdg:13.1.1", "sdg:13"]
        assert got["sdg:11.5"].relation == "same_as"


def test_an_outcome_reaches_sdgs_through_an_imported_crosswalk(store, tmp_path):
    before = None
    with store.transaction() as s:
        before = derived(s, "itu-sp-2020:D.2-2")
    cw = tmp_path / "wsis-sdg.yaml"
    cw.write_text("crosswalk: {name: wsis-sdg, source: Test matrix}\n"
                  "links:\n  - {from: 'wsis:C5', to: 'sdg:16.10', locator: row C5}\n", encoding="utf-8")
    with store.transaction() as s:
        save_crosswalk(s, read_framework_file(cw))
        after = derived(s, "itu-sp-2020:D.2-2")
    assert "sdg:16.10" not in before
    assert set(after) - set(before) == {"sdg:16.10"}
    assert after["sdg:16.10"].path == ["itu-sp-2020:D.2-2", "wsis:C5", "sdg:16.10"]
