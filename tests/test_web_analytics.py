"""Analytics and the activity query layer on a known register, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from sdgmap import analytics
from sdgmap.store.activity_queries import (
    PageOutOfRange,
    activity_facets,
    activity_page,
    count_activities,
)
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import Activity, ActivityLink, ReviewEvent
from sdgmap.store.review import ReviewError, review_links
from sdgmap.store.views import activity_detail
from webdata import build


@pytest.fixture
def data(store):
    return store, build(store)


def by_code(rows):
    return {r["code"]: r for r in rows}


def test_goal_coverage_tells_stated_from_suggested(data):
    store, ids = data
    with store.transaction() as s:
        cov = by_code(analytics.goal_coverage(s))
        assert len(cov) == 17
        assert (cov["4"]["stated"], cov["4"]["suggested"]) == (1, 0)
        assert (cov["5"]["stated"], cov["5"]["suggested"]) == (0, 1)
        # sdg:9.c is stated for the broadband project; sdg:9 only suggested for the guide
        assert (cov["9"]["stated"], cov["9"]["suggested"], cov["9"]["total"]) == (1, 1, 2)
        assert cov["9"]["colour"].startswith("#")
        ml = analytics.most_least_covered(list(cov.values()), 2)
        assert [g["code"] for g in ml["most"]] == ["9", "3"]
        o = analytics.overview(s)
        assert o["activities"] == 3
        assert {r["type"]: r["count"] for r in o["by_type"]} == {"project": 2, "publication": 1}
        assert [(r["year"], r["count"]) for r in o["by_year"]] == [(2020, 1), (2021, 2)]


def test_rejected_suggestion_stops_counting_and_accepted_counts_as_stated(data):
    store, ids = data
    with store.transaction() as s:
        review_links(s, [ids["sugg_cyber"]], "reject", "tester")
        review_links(s, [ids["sugg_broadband"]], "accept", "tester")
    with store.transaction() as s:
        cov = by_code(analytics.goal_coverage(s))
        assert (cov["9"]["stated"], cov["9"]["suggested"]) == (1, 0)
        assert (cov["5"]["stated"], cov["5"]["suggested"]) == (1, 0)


def test_sankey_flows_kinds_and_filters(data):
    store, ids = data
    with store.transaction() as s:
        sk = analytics.sankey(s, level="objective")
    flows = {(lk["source"], lk["target"], lk["kind"]): lk for lk in sk["links"]}
    assert flows[("itu-sp-2020:D.2", "wsis:C2", "stated")]["value"] == 1
    assert flows[("wsis:C2", "sdg:4", "stated")]["value"] == 1
    assert flows[("wsis:C2", "sdg:5", "suggested")]["value"] == 1
    assert flows[("wsis:C7", "sdg:3", "stated")]["filter"] == {"action_line": "C7", "sdg": "3"}
    assert "wsis:none" not in {n["id"] for n in sk["nodes"]}
    # the guide names C5 but no strategy element: derived flows, split so they sum to one activity
    derived = [lk for lk in sk["links"] if lk["target"] == "wsis:C5" and lk["kind"] == "derived"]
    assert derived and abs(sum(lk["value"] for lk in derived) - 1) < 0.05
    assert all("node" not in lk["filter"] for lk in derived)
    columns = {n["id"]: n["column"] for n in sk["nodes"]}
    assert columns["itu-sp-2020:D.2"] == 0 and columns["wsis:C2"] == 1 and columns["sdg:4"] == 2
    with store.transaction() as s:
        targets = analytics.sankey(s, sdg_level="target", include_suggested=False)
    assert ("wsis:C2", "sdg:9.c", "stated") in {(lk["source"], lk["target"], lk["kind"]) for lk in targets["links"]}
    assert not [lk for lk in targets["links"] if lk["kind"] == "suggested"]


def test_matrix_network_trends(data):
    store, ids = data
    with store.transaction() as s:
        m = analytics.action_line_sdg_matrix(s)
        cells = {(c["action_line"], c["goal"]): c["count"] for c in m["cells"]}
        assert cells[("C2", "9")] == 1 and cells[("C7", "3")] == 1 and cells[("C5", "16")] == 1
        assert len(m["rows"]) == 11 and len(m["cols"]) == 17
        fw = analytics.action_line_sdg_matrix(s, basis="framework")
        assert fw["cells"] and all(c["count"] == c["direct"] + c["via"] for c in fw["cells"])
        ev = analytics.matrix_cell_evidence(s, "C2", "9")
        assert any(v["node"].startswith("itu-sp-2020:") for v in ev["via"])
        net = analytics.cooccurrence_network(s)
        edges = {(e["a"], e["b"]): e["count"] for e in net["edges"]}
        assert edges == {("4", "5"): 1, ("4", "9"): 1, ("5", "9"): 1, ("9", "16"): 1}
        narrow = analytics.cooccurrence_network(s, max_goals=2)  # the 3-goal project is left out
        assert {(e["a"], e["b"]) for e in narrow["edges"]} == {("9", "16")} and narrow["left_out"] == 1
        tr = analytics.trends_by_goal(s)
        assert tr["years"] == [2020, 2021]
        g3 = next(x for x in tr["series"] if x["code"] == "3")
        assert g3["total"] == [0, 1] and g3["stated"] == [0, 1]
        with pytest.raises(ValueError):
            analytics.action_line_sdg_matrix(s, basis="nonsense")
        s.get(Activity, ids["ehealth"]).year = 2023
        s.flush()
        tr = analytics.trends_by_goal(s)  # no gap in the years, so a chart's spacing is true to time
        assert tr["years"] == [2020, 2021, 2022, 2023]
        assert tr["reported"] == [2020, 2021, 2023]  # 2022 has no report: a gap, not a zero
        assert next(x for x in tr["series"] if x["code"] == "3")["total"] == [0, 0, None, 1]


def test_full_text_search_stays_in_sync(data):
    store, ids = data
    with store.transaction() as s:
        assert count_activities(s, ActivityFilter(text="broad")) == 1  # prefix match
        assert count_activities(s, ActivityFilter(text="guide regulators")) == 1
        assert count_activities(s, ActivityFilter(text='"); DROP TABLE activities; --')) == 0
        assert count_activities(s, ActivityFilter(text="<script>alert(1)</script>")) == 0
        assert count_activities(s, ActivityFilter(text="*")) == 0
    with store.transaction() as s:
        s.execute(update(Activity).where(Activity.id == ids["cyber"]).values(title="Satellite spectrum guide"))
        s.execute(delete(Activity).where(Activity.id == ids["broadband"]))
    with store.transaction() as s:
        assert count_activities(s, ActivityFilter(text="spectrum")) == 1
        assert count_activities(s, ActivityFilter(text="broadband")) == 0


def test_facets_paging_and_node_filter(data):
    store, ids = data
    with store.transaction() as s:
        facets = activity_facets(s, ActivityFilter())
        assert {f["value"]: f["count"] for f in facets["type"]} == {"project": 2, "publication": 1}
        assert {f["value"]: f["count"] for f in facets["sdg"]}["9"] == 2
        assert {f["value"]: f["count"] for f in facets["action_line"]}["C7"] == 1
        assert {f["value"]: f["count"] for f in facets["kind"]}["suggested"] == 2
        # an objective finds activities linked to its outcomes
        assert count_activities(s, ActivityFilter(node="itu-sp-2020:D.2")) == 1
        page = activity_page(s, ActivityFilter(), page=2, per_page=2, sort="title")
        assert page.pages == 2 and [r["title"] for r in page.rows] == ["E-health pilot"]
        with pytest.raises(PageOutOfRange):
            activity_page(s, ActivityFilter(), page=3, per_page=2)


def test_detail_marks_evidence_and_review_is_audited_and_atomic(data):
    store, ids = data
    with store.transaction() as s:
        d = activity_detail(s, ids["broadband"])
        marked = [seg for src in d["source_texts"] for seg in src["segments"] if "sdg:5" in seg["marks"]]
        assert [seg["text"] for seg in marked] == ["women's participation in ICT careers"]
        assert activity_detail(s, 10**6) is None
    with pytest.raises(ReviewError), store.transaction() as s:
        review_links(s, [ids["sugg_broadband"], 987654], "accept", "x")
    with store.transaction() as s:
        assert s.get(ActivityLink, ids["sugg_broadband"]).review == "unverified"
        assert s.query(ReviewEvent).count() == 0
        review_links(s, [ids["sugg_broadband"]], "edit", "  Ana  ", "sdg:5.b")
    with store.transaction() as s:
        link = s.get(ActivityLink, ids["sugg_broadband"])
        assert (link.review, link.reviewed_by) == ("edited", "Ana")
        ev = s.query(ReviewEvent).one()
        assert ev.before["node"] == "sdg:5" and ev.after["node"] == "sdg:5.b" and ev.actor == "Ana"
        with pytest.raises(ReviewError):
            review_links(s, [ids["sugg_cyber"]], "edit", "x", "sdg:99")
