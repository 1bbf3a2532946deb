"""sdgmap.analytics on tiny registers built with the ORM, on SQLite and PostgreSQL.

Each test builds just the activities it needs, so every expected count is exact. The
rank rules: stated, curated and reviewed (accepted or edited) suggestions rank 0
("stated"), derived links 1, unreviewed suggestions 2; rejected links never count; an
activity counts once per node, in its best rank. tests/test_web_analytics.py checks the
same functions on one shared register; these tests pin one rule each.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from sdgmap import analytics
from sdgmap.analytics.common import al_sort_key, goal_sort_key, rank_name
from sdgmap.frameworks.linkage import get_node
from sdgmap.frameworks.save import save_crosswalk, save_framework
from sdgmap.frameworks.spec import FrameworkSpec, LinkSpec, NodeSpec
from sdgmap.store.models import Activity, ActivityLink

# (kind, review) of an activity link -> the bucket goal_coverage counts it in (None: not at all)
RANK_CASES = [
    ("stated", "unverified", "stated"),
    ("curated", "unverified", "stated"),
    ("suggested", "accepted", "stated"),
    ("suggested", "edited", "stated"),
    ("derived", "unverified", "derived"),
    ("suggested", "unverified", "suggested"),
    ("stated", "rejected", None),
    ("suggested", "rejected", None),
]


def add(s: Session, title: str, *links: tuple, year: int | None = 2022, type_: str = "project") -> int:
    """An activity with links given as (ref, kind) or (ref, kind, review)."""
    a = Activity(type=type_, title=title, year=year)
    s.add(a)
    s.flush()
    for ref, kind, *review in links:
        s.add(ActivityLink(activity_id=a.id, node_id=get_node(s, ref).id, kind=kind,
                           review=review[0] if review else "unverified", method=f"test-{kind}"))
    s.flush()
    return a.id


def coverage(s: Session) -> dict[str, tuple[int, int, int, int]]:
    """Goal code -> (stated, derived, suggested, total), for goals with any activity."""
    return {r["code"]: (r["stated"], r["derived"], r["suggested"], r["total"])
            for r in analytics.goal_coverage(s) if r["total"]}


def flows(sankey: dict) -> dict[tuple[str, str, str], float]:
    return {(lk["source"], lk["target"], lk["kind"]): lk["value"] for lk in sankey["links"]}


def add_plan(s: Session) -> None:
    """A small strategic plan: objective O1 (outcomes O1.a -> C5, O1.b -> C2) and O2 (O2.a -> C5)."""
    spec = FrameworkSpec(id="plan", name="Test plan", nodes=[
        NodeSpec("O1", "Objective one", kind="objective"),
        NodeSpec("O1.a", "Outcome one a", kind="outcome", parent="O1"),
        NodeSpec("O1.b", "Outcome one b", kind="outcome", parent="O1"),
        NodeSpec("O2", "Objective two", kind="objective"),
        NodeSpec("O2.a", "Outcome two a", kind="outcome", parent="O2"),
    ], links=[
        LinkSpec("O1.a", "wsis:C5", source="plan"),
        LinkSpec("O1.b", "wsis:C2", source="plan"),
        LinkSpec("O2.a", "wsis:C5", source="plan"),
    ])
    save_framework(s, spec)


# --- rank rules and goal coverage ---------------------------------------------------------

def test_each_link_kind_and_review_lands_in_its_bucket(store):
    """One activity per case, each on its own goal, so the buckets cannot mix."""
    with store.transaction() as s:
        for goal, (kind, review, _) in enumerate(RANK_CASES, start=1):
            add(s, f"{kind}/{review}", (f"sdg:{goal}", kind, review))
        got = coverage(s)
    for goal, (kind, review, bucket) in enumerate(RANK_CASES, start=1):
        want = None if bucket is None else tuple(int(b == bucket) for b in ("stated", "derived", "suggested")) + (1,)
        assert got.get(str(goal)) == want, (kind, review)


def test_an_activity_counts_once_per_goal_in_its_best_rank(store):
    with store.transaction() as s:
        add(s, "stated wins", ("sdg:9.c", "stated"), ("sdg:9", "suggested"), ("sdg:9.1", "derived"))
        add(s, "derived beats suggested", ("sdg:4", "suggested"), ("sdg:4.a", "derived"))
        add(s, "only suggested, twice", ("sdg:5", "suggested"), ("sdg:5.b", "suggested"))
        assert coverage(s) == {"9": (1, 0, 0, 1), "4": (0, 1, 0, 1), "5": (0, 0, 1, 1)}


def test_targets_and_indicators_roll_up_to_their_goal(store):
    with store.transaction() as s:
        add(s, "target", ("sdg:9.c", "stated"))
        add(s, "indicator", ("sdg:9.c.1", "stated"))
        add(s, "goal", ("sdg:9", "stated"))
        assert coverage(s) == {"9": (3, 0, 0, 3)}


def test_a_rejected_link_neither_counts_nor_hides_a_weaker_one(store):
    with store.transaction() as s:
        add(s, "rejected stated, open suggestion", ("sdg:13", "stated", "rejected"), ("sdg:13.1", "suggested"))
        assert coverage(s) == {"13": (0, 0, 1, 1)}


def test_links_to_other_frameworks_do_not_count_for_goals(store):
    with store.transaction() as s:
        add(s, "action line only", ("wsis:C2", "stated"), ("itu-sp-2020:D.2-1", "stated"))
        assert coverage(s) == {}
        assert len(analytics.goal_coverage(s)) == 17


def test_goal_meta_lists_the_17_goals_in_numeric_order(store):
    with store.transaction() as s:
        goals = analytics.goal_meta(s)
    assert [g["code"] for g in goals] == [str(n) for n in range(1, 18)]
    assert [g["goal"] for g in goals][:3] == [1, 2, 3]  # numbers, not strings
    assert all(g["colour"].startswith("#") and g["short_title"] and g["ref"] == f"sdg:{g['code']}" for g in goals)


def test_most_and_least_covered_break_ties_by_stated_then_goal_order():
    rows = [{"code": c, "total": t, "stated": st} for c, t, st in
            [("1", 2, 0), ("2", 2, 2), ("10", 5, 0), ("3", 0, 0), ("9", 0, 0), ("4", 1, 1)]]
    ml = analytics.most_least_covered(rows, n=3)
    assert [r["code"] for r in ml["most"]] == ["10", "2", "1"]
    assert [r["code"] for r in ml["least"]] == ["3", "9", "4"]


def test_overview_counts_every_activity_by_type_and_year(store):
    with store.transaction() as s:
        add(s, "a", ("sdg:1", "stated"), type_="event", year=2021)
        add(s, "b", type_="project", year=2021)
        add(s, "c", type_="project", year=None)
        add(s, "d", type_="award", year=2019)
        o = analytics.overview(s)
    assert o["activities"] == 4  # with or without links
    assert o["by_type"] == [{"type": "project", "count": 2}, {"type": "award", "count": 1},
                            {"type": "event", "count": 1}]  # largest first, then by name
    assert o["by_year"] == [{"year": 2019, "count": 1}, {"year": 2021, "count": 2},
                            {"year": None, "count": 1}]  # no year last
    assert len(o["coverage"]) == 17 and o["most_least"]["most"][0]["code"] == "1"


# --- trends ---------------------------------------------------------------------------------

def test_trends_of_an_empty_register_have_no_years(store):
    with store.transaction() as s:
        tr = analytics.trends_by_goal(s)
    assert tr["years"] == [] and tr["reported"] == []
    assert len(tr["series"]) == 17 and all(g["total"] == [] for g in tr["series"])


def test_trends_count_stated_and_total_per_year_and_leave_out_undated(store):
    with store.transaction() as s:
        add(s, "2020 stated", ("sdg:7", "stated"), year=2020)
        add(s, "2020 suggested", ("sdg:7.1", "suggested"), year=2020)
        add(s, "2021 derived", ("sdg:7", "derived"), year=2021)
        add(s, "undated", ("sdg:7", "stated"), year=None)
        add(s, "2021 rejected", ("sdg:7", "stated", "rejected"), year=2021)
        tr = analytics.trends_by_goal(s)
    assert tr["years"] == [2020, 2021]
    seven = next(g for g in tr["series"] if g["code"] == "7")
    assert seven["stated"] == [1, 0] and seven["total"] == [2, 1]
    assert next(g for g in tr["series"] if g["code"] == "8")["total"] == [0, 0]  # reported, nothing on it


# --- Sankey ---------------------------------------------------------------------------------

def test_sankey_rolls_outcomes_up_to_the_chosen_level(store):
    with store.transaction() as s:
        add(s, "school connectivity", ("itu-sp-2020:D.2-1", "stated"), ("wsis:C2", "stated"), ("sdg:4", "stated"))
        by_objective = flows(analytics.sankey(s, level="objective"))
        by_outcome = flows(analytics.sankey(s, level="outcome"))
    assert by_objective == {("itu-sp-2020:D.2", "wsis:C2", "stated"): 1, ("wsis:C2", "sdg:4", "stated"): 1}
    assert ("itu-sp-2020:D.2-1", "wsis:C2", "stated") in by_outcome


def test_a_flow_takes_the_weaker_kind_of_its_two_ends(store):
    with store.transaction() as s:
        add(s, "mixed", ("itu-sp-2020:D.2-1", "stated"), ("wsis:C2", "suggested"), ("sdg:4", "derived"))
        got = flows(analytics.sankey(s))
        without = flows(analytics.sankey(s, include_suggested=False))
    assert got == {("itu-sp-2020:D.2", "wsis:C2", "suggested"): 1, ("wsis:C2", "sdg:4", "suggested"): 1}
    assert without == {}  # with no suggested Action Line the activity has no middle node


def test_an_activity_without_strategy_link_is_split_over_the_plan_elements_that_lead_there(store):
    with store.transaction() as s:
        add_plan(s)
        add(s, "names C5 only", ("wsis:C5", "stated"), ("sdg:16", "stated"))
        add(s, "names C2 only", ("wsis:C2", "stated"))
        sk = analytics.sankey(s, strategy="plan", level="objective")
    assert flows(sk) == {("plan:O1", "wsis:C5", "derived"): 0.5, ("plan:O2", "wsis:C5", "derived"): 0.5,
                         ("plan:O1", "wsis:C2", "derived"): 1, ("wsis:C5", "sdg:16", "stated"): 1}
    derived = [lk for lk in sk["links"] if lk["kind"] == "derived"]
    assert all("node" not in lk["filter"] for lk in derived)  # no stated strategy link to filter on


def test_stated_strategy_links_are_not_split_across_action_lines(store):
    """Each (strategy element, Action Line) pair the activity names carries the whole activity."""
    with store.transaction() as s:
        add(s, "x", ("itu-sp-2020:D.2-1", "stated"), ("itu-sp-2020:D.3-1", "stated"),
            ("wsis:C2", "stated"), ("wsis:C6", "stated"))
        got = flows(analytics.sankey(s))
    assert got == {(f"itu-sp-2020:{o}", f"wsis:{al}", "stated"): 1 for o in ("D.2", "D.3") for al in ("C2", "C6")}


def test_sankey_nodes_columns_and_flow_filters(store):
    with store.transaction() as s:
        add(s, "x", ("itu-sp-2020:D.2-1", "stated"), ("wsis:C2", "stated"), ("wsis:C10", "stated"),
            ("sdg:9.c", "stated"))
        sk = analytics.sankey(s)
        targets = analytics.sankey(s, sdg_level="target")
    assert [(n["id"], n["column"]) for n in sk["nodes"]] == [
        ("itu-sp-2020:D.2", 0), ("wsis:C2", 1), ("wsis:C10", 1), ("sdg:9", 2)]  # C10 after C2
    by_edge = {(lk["source"], lk["target"]): lk["filter"] for lk in sk["links"]}
    assert by_edge[("itu-sp-2020:D.2", "wsis:C2")] == {"node": "itu-sp-2020:D.2", "action_line": "C2"}
    assert by_edge[("wsis:C10", "sdg:9")] == {"action_line": "C10", "sdg": "9"}
    target_edge = next(lk for lk in targets["links"] if lk["target"] == "sdg:9.c" and lk["source"] == "wsis:C2")
    assert target_edge["filter"] == {"action_line": "C2", "target": "9.c"}
    assert next(n for n in targets["nodes"] if n["id"] == "sdg:9.c")["name"] == "SDG 9.c"


def test_unmapped_activities_flow_through_no_action_line_only_when_asked(store):
    with store.transaction() as s:
        add(s, "goal only", ("sdg:3", "stated"))
        plain = analytics.sankey(s)
        unmapped = analytics.sankey(s, include_unmapped=True)
    assert plain["links"] == [] and plain["nodes"] == []
    assert flows(unmapped) == {("wsis:none", "sdg:3", "stated"): 1}
    none = next(n for n in unmapped["nodes"] if n["id"] == "wsis:none")
    assert none["name"] == "No Action Line" and none["column"] == 1
    assert unmapped["links"][0]["filter"] == {"sdg": "3"}


def test_strategy_levels_are_the_linked_kinds_in_hierarchy_order(store):
    with store.transaction() as s:
        add_plan(s)
        assert analytics.strategy_levels(s, "plan") == ["objective", "outcome"]
        assert analytics.strategy_levels(s, "itu-sp-2024") == []  # no links to Action Lines or SDGs


# --- Action Line x SDG matrix -----------------------------------------------------------------

def test_matrix_on_activities_counts_distinct_activities_per_cell(store):
    with store.transaction() as s:
        add(s, "e-health", ("wsis:C7.e-hea", "stated"), ("wsis:C7", "stated"), ("sdg:3.8", "stated"), ("sdg:3", "stated"))
        add(s, "telemedicine", ("wsis:C7.e-hea", "stated"), ("sdg:3", "suggested"))
        add(s, "rejected", ("wsis:C7", "stated"), ("sdg:3", "stated", "rejected"))
        m = analytics.action_line_sdg_matrix(s)
        trusted = analytics.action_line_sdg_matrix(s, include_suggested=False)
    assert [(c["action_line"], c["goal"], c["count"]) for c in m["cells"]] == [("C7", "3", 2)]
    assert [(c["action_line"], c["goal"], c["count"]) for c in trusted["cells"]] == [("C7", "3", 1)]


def test_matrix_rows_and_columns_are_every_action_line_and_goal_in_order(store):
    with store.transaction() as s:
        m = analytics.action_line_sdg_matrix(s)
    assert [r["code"] for r in m["rows"]] == [f"C{i}" for i in range(1, 12)]  # no sub-lines
    assert [c["code"] for c in m["cols"]] == [str(i) for i in range(1, 18)]
    assert m["cells"] == [] and m["basis"] == "activities"


def test_matrix_on_the_framework_counts_direct_links_and_shared_strategy_elements(store):
    with store.transaction() as s:
        before = {(c["action_line"], c["goal"]): c for c in analytics.action_line_sdg_matrix(s, basis="framework")["cells"]}
        cw = FrameworkSpec(id="__crosswalk__", name="t", links=[
            LinkSpec("wsis:C5", "sdg:16.10", source="matrix"),
            LinkSpec("wsis:C5", "sdg:16", kind="curated", review="rejected")])
        save_crosswalk(s, cw)
        after = {(c["action_line"], c["goal"]): c for c in analytics.action_line_sdg_matrix(s, basis="framework")["cells"]}
        evidence = analytics.matrix_cell_evidence(s, "C5", "16")
    assert before[("C5", "16")]["direct"] == 0 and before[("C5", "16")]["via"] > 0  # only through the plan
    assert after[("C5", "16")]["direct"] == 1  # the target rolls up; the rejected link does not count
    assert after[("C5", "16")]["via"] == before[("C5", "16")]["via"]
    assert all(c["count"] == c["direct"] + c["via"] for c in after.values())
    assert [(d["from"], d["to"], d["source"]) for d in evidence["direct"]] == [("wsis:C5", "sdg:16.10", "matrix")]
    assert {v["node"] for v in evidence["via"]} >= {"itu-sp-2020:D.2-2"}
    assert all("wsis:C5" in v["action_lines"] and any(g.split(".")[0] == "sdg:16" for g in v["sdgs"])
               for v in evidence["via"])


def test_matrix_cell_evidence_names_the_plan_elements_that_link_to_both(store):
    with store.transaction() as s:
        ev = analytics.matrix_cell_evidence(s, "C10", "14")  # only outcome D.3-2 names both
    assert ev["direct"] == []
    assert [(v["node"], v["action_lines"], v["sdgs"]) for v in ev["via"]] == [
        ("itu-sp-2020:D.3-2", ["wsis:C10"], ["sdg:14"])]
    assert ev["via"][0]["title"].startswith("Strengthened capacity of Member States")


def test_matrix_refuses_an_unknown_basis(store):
    with store.transaction() as s, pytest.raises(ValueError, match="unknown basis"):
        analytics.action_line_sdg_matrix(s, basis="documents")


# --- co-occurrence ----------------------------------------------------------------------------

def test_cooccurrence_links_every_pair_of_goals_an_activity_shares(store):
    with store.transaction() as s:
        add(s, "three goals", ("sdg:4", "stated"), ("sdg:9.c", "stated"), ("sdg:16", "suggested"))
        add(s, "two goals", ("sdg:4", "stated"), ("sdg:9", "stated"))
        add(s, "one goal", ("sdg:10", "stated"))
        net = analytics.cooccurrence_network(s)
        trusted = analytics.cooccurrence_network(s, include_suggested=False)
    assert [(e["a"], e["b"], e["count"]) for e in net["edges"]] == [("4", "9", 2), ("4", "16", 1), ("9", "16", 1)]
    counts = {n["code"]: n["count"] for n in net["nodes"]}
    assert (counts["4"], counts["9"], counts["16"], counts["10"], counts["1"]) == (2, 2, 1, 1, 0)
    assert [(e["a"], e["b"], e["count"]) for e in trusted["edges"]] == [("4", "9", 2)]


def test_cooccurrence_leaves_out_activities_linked_to_too_many_goals(store):
    with store.transaction() as s:
        add(s, "all goals", *[(f"sdg:{g}", "stated") for g in range(1, 18)])
        add(s, "two goals", ("sdg:6", "stated"), ("sdg:14", "stated"))
        net = analytics.cooccurrence_network(s, max_goals=5)
        full = analytics.cooccurrence_network(s)
    assert net["left_out"] == 1 and net["max_goals"] == 5
    assert net["edges"] == [{"a": "6", "b": "14", "count": 1}]
    assert len(full["edges"]) == 17 * 16 // 2 and full["left_out"] == 0


# --- sort keys and rank names -----------------------------------------------------------------

def test_goal_sort_key_orders_numbers_numerically_then_other_codes():
    assert sorted(["10", "9", "b", "1", "17", "a"], key=goal_sort_key) == ["1", "9", "10", "17", "a", "b"]


def test_al_sort_key_orders_action_lines_numerically_with_sub_lines_after_their_line():
    codes = ["C10", "C7.e-hea", "C2", "C7", "C11", "C7.e-gov", "none"]
    assert sorted(codes, key=al_sort_key) == ["C2", "C7", "C7.e-gov", "C7.e-hea", "C10", "C11", "none"]


@pytest.mark.parametrize(("rank", "name"), [(0, "stated"), (1, "derived"), (2, "suggested"), (-1, "stated"), (7, "suggested")])
def test_rank_name_clamps_to_the_three_kinds(rank, name):
    assert rank_name(rank) == name

