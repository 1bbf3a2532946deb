"""The store's read layer over the register of ``storedata``, on SQLite and PostgreSQL:
result sets (``activity_queries``), their JSON shapes (``views``) and the framework and
table summaries (``queries``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from conftest import BACKENDS
from sdgmap.store.activity_queries import (
    PageOutOfRange,
    activity_facets,
    activity_page,
    count_activities,
    query_activities,
)
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import (
    Activity,
    ActivityLink,
    ActivitySource,
    Document,
    Framework,
    Link,
    Node,
)
from sdgmap.store.queries import framework_nodes, framework_summaries, search_nodes, table_counts
from sdgmap.store.review import review_links
from sdgmap.store.views import (
    SOURCE_CONTEXT,
    activity_detail,
    code_sort_key,
    link_dict,
    segments,
)
from storedata import TEXT, backend_store, build, node


@pytest.fixture(scope="module", params=BACKENDS)
def register(request, tmp_path_factory, sqlite_template, pg_template):
    """One store per backend for the module's read-only tests."""
    with backend_store(request.param, tmp_path_factory.mktemp("queries"), sqlite_template,
                       pg_template) as store:
        yield store, build(store)


def keys(register, rows: list[dict]) -> list[str]:
    by_id = {v: k for k, v in register[1].items() if k != "doc"}
    return [by_id[r["id"]] for r in rows]


def rows_of(register, f: ActivityFilter | None = None, **kw) -> list[dict]:
    store, _ = register
    with store.transaction() as s:
        return query_activities(s, f, **kw)


def one(register, key: str, kinds: tuple[str, ...] | None = None) -> dict:
    """The listing shape of one activity (``kinds``: the link kinds asked for)."""
    f = ActivityFilter(ids=[register[1][key]])
    if kinds is not None:
        f.link_kinds = kinds
    (row,) = rows_of(register, f)
    return row


# --- count_activities, query_activities ---------------------------------------------------

@pytest.mark.parametrize("fields, n", [({}, 5), ({"sdg": 9}, 3), ({"type": "event"}, 2), ({"text": "!!"}, 0)])
def test_count_activities(register, fields, n):
    store, _ = register
    with store.transaction() as s:
        assert count_activities(s, ActivityFilter(**fields)) == n


def test_listing_is_in_id_order_by_default(register):
    assert keys(register, rows_of(register)) == ["broadband", "cyber", "ehealth", "spectrum", "annual"]


@pytest.mark.parametrize("descending, expected", [
    (False, ["annual", "broadband", "cyber", "ehealth", "spectrum"]),
    (True, ["spectrum", "ehealth", "cyber", "broadband", "annual"]),
])
def test_sort_by_title(register, descending, expected):
    assert keys(register, rows_of(register, sort="title", descending=descending)) == expected


@pytest.mark.parametrize("descending, expected", [
    # equal years keep id order, whichever way the years go
    (False, ["broadband", "spectrum", "cyber", "ehealth"]),
    (True, ["cyber", "ehealth", "broadband", "spectrum"]),
])
def test_sort_by_year_breaks_ties_by_id(register, descending, expected):
    dated = ActivityFilter(ids=[register[1][k] for k in ("broadband", "cyber", "ehealth", "spectrum")])
    assert keys(register, rows_of(register, dated, sort="year", descending=descending)) == expected


def test_sort_by_type_and_an_unknown_sort_falls_back_to_id(register):
    assert keys(register, rows_of(register, sort="type")) == [
        "spectrum", "annual", "broadband", "ehealth", "cyber"]
    assert keys(register, rows_of(register, sort="nonsense")) == keys(register, rows_of(register))


def test_limit_and_offset(register):
    assert keys(register, rows_of(register, limit=2)) == ["broadband", "cyber"]
    assert keys(register, rows_of(register, limit=2, offset=3)) == ["spectrum", "annual"]
    assert rows_of(register, limit=2, offset=10) == []


# --- activity_page --------------------------------------------------------------------------

@pytest.mark.parametrize("page, expected", [
    (1, ["broadband", "cyber"]), (2, ["ehealth", "spectrum"]), (3, ["annual"])])
def test_pages(register, page, expected):
    store, _ = register
    with store.transaction() as s:
        p = activity_page(s, ActivityFilter(), page=page, per_page=2)
    assert keys(register, p.rows) == expected
    assert (p.total, p.page, p.per_page, p.pages) == (5, page, 2, 3)


@pytest.mark.parametrize("page", [0, -1, 4])
def test_a_page_past_the_end_is_an_error(register, page):
    store, _ = register
    with store.transaction() as s, pytest.raises(PageOutOfRange, match="has 3 page"):
        activity_page(s, ActivityFilter(), page=page, per_page=2)


def test_an_empty_result_has_one_empty_page(register):
    store, _ = register
    with store.transaction() as s:
        p = activity_page(s, ActivityFilter(year=1900))
        assert (p.rows, p.total, p.pages) == ([], 0, 1)
        with pytest.raises(PageOutOfRange):
            activity_page(s, ActivityFilter(year=1900), page=2)


def test_a_page_is_sorted_before_it_is_cut(register):
    store, _ = register
    with store.transaction() as s:
        p = activity_page(s, ActivityFilter(), page=1, per_page=2, sort="title", descending=True)
    assert keys(register, p.rows) == ["spectrum", "ehealth"]


# --- activity_facets ------------------------------------------------------------------------

def facets(register, **fields) -> dict:
    store, _ = register
    with store.transaction() as s:
        return activity_facets(s, ActivityFilter(**fields))


def test_facets_of_the_whole_register(register):
    out = facets(register)
    assert out["type"] == [{"value": "event", "count": 2}, {"value": "project", "count": 2},
                           {"value": "publication", "count": 1}]
    assert out["year"] == [{"value": 2023, "count": 2}, {"value": 2022, "count": 2}]  # no year: left out
    # goal counts include targets and indicators (9: 9.c, 9 and 9.c.1); rejected (1) and
    # derived (10) links do not count; goals are in numeric order
    assert out["sdg"] == [{"value": "3", "count": 1}, {"value": "4", "count": 1},
                          {"value": "5", "count": 1}, {"value": "9", "count": 3},
                          {"value": "16", "count": 1}]
    assert out["action_line"] == [{"value": "C2", "count": 1}, {"value": "C5", "count": 1},
                                  {"value": "C7", "count": 1}]  # C7 through C7.e-hea
    # activities per kind of link, whatever the kinds asked for; rejected links do not count
    assert {d["value"]: d["count"] for d in out["kind"]} == {
        "stated": 3, "suggested": 3, "curated": 1, "derived": 1}
    assert [d["count"] for d in out["kind"]] == sorted((d["count"] for d in out["kind"]), reverse=True)


def test_facets_of_a_filtered_set(register):
    out = facets(register, type="project")
    assert out["type"] == [{"value": "project", "count": 2}]
    assert out["year"] == [{"value": 2023, "count": 1}, {"value": 2022, "count": 1}]
    assert [d["value"] for d in out["sdg"]] == ["3", "4", "5", "9"]
    assert out["action_line"] == [{"value": "C2", "count": 1}, {"value": "C7", "count": 1}]
    assert {d["value"]: d["count"] for d in out["kind"]} == {"stated": 2, "suggested": 1, "curated": 1}


def test_goal_facets_follow_the_link_kinds(register):
    stated = facets(register, link_kinds=("stated",))["sdg"]
    assert stated == [{"value": "4", "count": 1}, {"value": "9", "count": 1}, {"value": "16", "count": 1}]
    assert facets(register, link_kinds=("derived",))["sdg"] == [{"value": "10", "count": 1}]


def test_facets_of_an_empty_set(register):
    assert facets(register, year=1900) == {"type": [], "year": [], "sdg": [], "action_line": [], "kind": []}


# --- views: activity_dict, link_dict, segments ----------------------------------------------

def test_activity_dict_shape(register):
    row = one(register, "broadband")
    assert row == {
        "id": register[1]["broadband"], "type": "project", "title": "Broadband for rural schools",
        "description": "Connecting rural schools to broadband internet.", "entity": "ITU", "year": 2022,
        "dates": {"start": None, "end": None, "text": ""}, "location": "", "partners": ["UNESCO", "Giga"],
        "website": "", "series": "",
        "sdgs": [4, 5, 9], "primary_sdgs": [4], "suggested_sdgs": [5], "targets": ["9.c"],
        "action_lines": ["C2"], "other_links": [],
        "links": [
            {"node": "sdg:4", "kind": "stated", "method": "explicit-reference", "confidence": 1.0,
             "review": "unverified", "primary": True, "span": [TEXT.index("quality education"),
                                                               TEXT.index("quality education") + 17]},
            {"node": "sdg:5", "kind": "suggested", "method": "classifier", "confidence": 0.8,
             "review": "unverified", "primary": False, "span": None},
            {"node": "sdg:9.c", "kind": "stated", "method": "explicit-reference", "confidence": 1.0,
             "review": "unverified", "primary": False, "span": None},
            {"node": "wsis:C2", "kind": "stated", "method": "explicit-reference", "confidence": 1.0,
             "review": "unverified", "primary": False, "span": None},
        ],
        "sources": [{"document_id": register[1]["doc"], "document": "report.txt",
                     "start": TEXT.index("Broadband"), "end": TEXT.index("\n", TEXT.index("Broadband")),
                     "section": "Highlights", "page": 2}],
    }


def test_a_goal_only_suggested_is_not_firm(register):
    cyber = one(register, "cyber")
    assert (cyber["sdgs"], cyber["suggested_sdgs"]) == ([9, 16], [9])
    # an accepted suggestion is firm; the rejected goal 1 and the derived goal 10 are not shown
    spectrum = one(register, "spectrum")
    assert (spectrum["sdgs"], spectrum["suggested_sdgs"]) == ([9], [])
    assert [lk["node"] for lk in spectrum["links"]] == ["sdg:9.c.1"]
    assert spectrum["targets"] == []  # 9.c.1 is an indicator, not a target
    assert spectrum["sources"] == []


def test_activity_dict_follows_the_filters_link_kinds(register):
    spectrum = one(register, "spectrum", ("derived",))
    assert spectrum["sdgs"] == [10] and [lk["node"] for lk in spectrum["links"]] == ["sdg:10"]


def test_targets_action_lines_and_other_frameworks(register):
    ehealth = one(register, "ehealth")
    assert ehealth["sdgs"] == [3] and ehealth["targets"] == ["3.8"] and ehealth["suggested_sdgs"] == []
    assert ehealth["action_lines"] == ["C7.e-hea"]
    assert ehealth["other_links"] == ["itu-sp-2020:D.2-1"]
    assert one(register, "annual")["links"] == [] and one(register, "annual")["year"] is None


@pytest.mark.parametrize("codes, expected", [
    (["10", "9.c", "9.10", "9", "9.2", "9.c.1", "17.18", "1"],
     ["1", "9", "9.2", "9.10", "9.c", "9.c.1", "10", "17.18"]),  # numbers as numbers, letters after
    (["C11", "C7.e-hea", "C2", "C7", "C10", "C7.e-gov"], ["C2", "C7", "C7.e-gov", "C7.e-hea", "C10", "C11"]),
    (["D.2-1", "D.1-5", "D.10-1", "D.1-10"], ["D.1-5", "D.1-10", "D.2-1", "D.10-1"]),
])
def test_code_sort_key_orders_a_frameworks_codes_as_people_number_them(codes, expected):
    assert sorted(codes, key=code_sort_key) == expected


def test_link_dict(register):
    store, ids = register
    with store.transaction() as s:
        links = {lk.node.ref: link_dict(lk) for lk in s.scalars(
            select(ActivityLink).where(ActivityLink.activity_id == ids["broadband"]))}
    assert links["sdg:4"]["node_title"] == "Quality education"  # the short title where there is one
    # ... the full title where the short title is only the code (C2) or missing (targets)
    assert links["wsis:C2"]["node_title"] == "Information and communication infrastructure"
    assert links["sdg:9.c"]["node_title"].startswith("Significantly increase access to information")
    assert links["sdg:5"] == {
        "id": links["sdg:5"]["id"], "activity_id": ids["broadband"], "node": "sdg:5",
        "node_title": "Gender equality", "framework": "sdg", "kind": "suggested", "method": "classifier",
        "confidence": 0.8, "primary": False, "document_id": ids["doc"], "span": None, "evidence": "",
        "review": "unverified", "reviewed_by": "", "reviewed_at": None}


@pytest.mark.parametrize("spans, expected", [
    ([], [("abcdefghij", [])]),
    ([(102, 106, "x")], [("ab", []), ("cdef", ["x"]), ("ghij", [])]),
    # overlapping spans: the overlap carries both marks
    ([(102, 106, "x"), (104, 108, "y")],
     [("ab", []), ("cd", ["x"]), ("ef", ["x", "y"]), ("gh", ["y"]), ("ij", [])]),
    # one span inside another
    ([(100, 110, "block"), (103, 105, "sdg:4")],
     [("abc", ["block"]), ("de", ["block", "sdg:4"]), ("fghij", ["block"])]),
    # spans reaching outside the text are cut at its ends
    ([(90, 103, "z"), (108, 200, "w")], [("abc", ["z"]), ("defgh", []), ("ij", ["w"])]),
    ([(300, 400, "far")], [("abcdefghij", [])]),
])
def test_segments(spans, expected):
    runs = segments("abcdefghij", 100, spans)
    assert [(r["text"], r["marks"]) for r in runs] == expected
    assert "".join(r["text"] for r in runs) == "abcdefghij"


# --- views: activity_detail -----------------------------------------------------------------

def test_activity_detail_of_a_missing_activity_is_none(register):
    store, _ = register
    with store.transaction() as s:
        assert activity_detail(s, 10_000) is None


def test_activity_detail_shows_every_link_stated_first(register):
    store, ids = register
    with store.transaction() as s:
        spectrum = activity_detail(s, ids["spectrum"])
        ehealth = activity_detail(s, ids["ehealth"])
    # rejected and derived links too, which the list shape leaves out
    assert [(lk["node"], lk["review"]) for lk in spectrum["all_links"]] == [
        ("sdg:1", "rejected"), ("sdg:9.c.1", "accepted"), ("sdg:10", "unverified")]
    assert [lk["node"] for lk in ehealth["all_links"]] == [
        "itu-sp-2020:D.2-1", "wsis:C7.e-hea", "sdg:3.8"]  # stated first, then by framework and code
    assert spectrum["source_texts"] == [] and spectrum["review_events"] == [] and spectrum["attrs"] == {}


def test_activity_detail_marks_the_block_and_the_evidence(register):
    store, ids = register
    with store.transaction() as s:
        (src,) = activity_detail(s, ids["broadband"])["source_texts"]
    # the whole document is shorter than the context shown around a block
    assert len(TEXT) < SOURCE_CONTEXT and not src["cut_before"] and not src["cut_after"]
    assert "".join(r["text"] for r in src["segments"]) == TEXT
    assert (src["document"], src["title"], src["section"], src["page"]) == (
        "report.txt", "Annual report", "Highlights", 2)
    marked = {r["text"]: r["marks"] for r in src["segments"] if r["marks"]}
    assert marked["quality education"] == ["block", "sdg:4"]
    block = TEXT[src["start"]:src["end"]]
    assert block.startswith("Broadband for rural schools") and block.endswith("quality education.")
    assert "".join(r["text"] for r in src["segments"] if "block" in r["marks"]) == block


def test_activity_detail_cuts_a_long_document_around_the_block(store):
    padding = "x" * (SOURCE_CONTEXT + 50)
    block = "The block itself."
    with store.transaction(write=True) as s:
        doc = Document(sha256="b" * 64, filename="long.txt", text=padding + block + padding)
        a = Activity(type="event", title="Long")
        s.add_all([doc, a])
        s.flush()
        s.add_all([ActivitySource(activity_id=a.id, document_id=doc.id, start=len(padding),
                                  end=len(padding) + len(block))])
        aid = a.id
    with store.transaction() as s:
        (src,) = activity_detail(s, aid)["source_texts"]
    assert src["cut_before"] and src["cut_after"]
    shown = "".join(r["text"] for r in src["segments"])
    assert shown == "x" * SOURCE_CONTEXT + block + "x" * SOURCE_CONTEXT


def test_activity_detail_lists_review_events_newest_first(store):
    ids = build(store)
    first = datetime(2024, 1, 2, 10, 0, tzinfo=UTC)
    then = datetime(2024, 1, 3, 10, 0, tzinfo=UTC)
    with store.transaction(write=True) as s:
        (sugg,) = s.scalars(select(ActivityLink.id).where(ActivityLink.activity_id == ids["cyber"],
                                                          ActivityLink.kind == "suggested")).all()
        review_links(s, [sugg], "accept", "alice", now=first)
        review_links(s, [sugg], "edit", "bob", node_ref="sdg:9.c", now=then)
    with store.transaction() as s:
        detail = activity_detail(s, ids["cyber"])
    events = [(e["action"], e["actor"], e["row_id"], e["before"]["node"], e["after"]["node"])
              for e in detail["review_events"]]
    assert events == [("edit", "bob", sugg, "sdg:9", "sdg:9.c"), ("accept", "alice", sugg, "sdg:9", "sdg:9")]
    assert detail["review_events"][0]["at"].startswith("2024-01-03T10:00:00")
    assert detail["targets"] == ["9.c"] and detail["suggested_sdgs"] == []  # an edited link is firm


# --- queries: table_counts, framework_summaries, framework_nodes, search_nodes -------------

def test_table_counts_count_the_register(register):
    store, _ = register
    with store.transaction() as s:
        counts = table_counts(s)
        nodes = s.scalar(select(func.count()).select_from(Node))
        links = s.scalar(select(func.count()).select_from(Link))
    assert counts == {"frameworks": 5, "nodes": nodes, "links": links, "documents": 1,
                      "activities": 5, "activity_links": 13}
    assert nodes > 600 and links > 300  # the built-in frameworks and their crosswalks


def test_framework_summaries_of_the_built_ins(register):
    store, _ = register
    with store.transaction() as s:
        summaries = {f["id"]: f for f in framework_summaries(s)}
    assert list(summaries) == ["itu-sp-2020", "itu-sp-2024", "sdg", "u4ssc", "wsis"]
    assert all(f["builtin"] for f in summaries.values())
    wsis = summaries["wsis"]
    assert (wsis["name"], wsis["nodes"], wsis["links"]) == ("WSIS Action Lines", 19, 0)
    assert summaries["sdg"]["nodes"] > 400 and summaries["u4ssc"]["links"] > 0
    assert set(wsis) == {"id", "name", "version", "nodes", "links", "builtin", "source", "licence"}


@pytest.fixture
def plan(store):
    """A user framework: one objective with two outcomes (listed out of code order) and a
    link from one outcome to SDG 9 declared by the framework."""
    with store.transaction(write=True) as s:
        s.add(Framework(id="plan", name="Digital plan", version="2025", source="plan.yaml"))
        s.flush()
        obj = Node(framework_id="plan", code="O1", kind="objective", title="Connect everyone",
                   short_title="Zeta", sort=1)
        s.add(obj)
        s.flush()
        b = Node(framework_id="plan", code="O1.2", kind="outcome", title="Affordable access",
                 parent_id=obj.id, sort=2, attrs={"kpi": "price"})
        a = Node(framework_id="plan", code="O1.1", kind="outcome", title="Rural coverage",
                 parent_id=obj.id, sort=3)
        s.add_all([a, b])
        s.flush()
        s.add(Link(from_id=a.id, to_id=node(s, "sdg:9").id, origin="plan", source="plan.yaml"))
    return store


def test_a_user_framework_comes_after_the_built_ins(plan):
    with plan.transaction() as s:
        summaries = framework_summaries(s)
    assert [f["id"] for f in summaries][-1] == "plan"
    assert {k: summaries[-1][k] for k in ("name", "version", "nodes", "links", "builtin", "source")} == {
        "name": "Digital plan", "version": "2025", "nodes": 3, "links": 1, "builtin": False,
        "source": "plan.yaml"}


def test_framework_nodes_in_their_order_with_parents(plan):
    with plan.transaction() as s:
        assert framework_nodes(s, "plan") == [
            {"code": "O1", "kind": "objective", "title": "Connect everyone", "parent": None,
             "short_title": "Zeta"},
            {"code": "O1.2", "kind": "outcome", "title": "Affordable access", "parent": "O1",
             "attrs": {"kpi": "price"}},
            {"code": "O1.1", "kind": "outcome", "title": "Rural coverage", "parent": "O1"},
        ]
        assert framework_nodes(s, "nonexistent") == []


def test_search_nodes(plan):
    with plan.transaction() as s:
        assert search_nodes(s, "rural", framework="plan") == [
            {"ref": "plan:O1.1", "kind": "outcome", "title": "Rural coverage"}]
        assert [n["ref"] for n in search_nodes(s, "  ZETA ")] == ["plan:O1"]  # short titles too
        assert [n["ref"] for n in search_nodes(s, "O1.", framework="plan")] == ["plan:O1.2", "plan:O1.1"]
        assert {n["ref"] for n in search_nodes(s, "e-hea")} == {"wsis:C7.e-hea"}
        assert len(search_nodes(s, "a", limit=7)) == 7
