"""``sdgmap.store.review``: the queue of suggested links and the accept / reject / edit /
reset writes, each recorded as a ReviewEvent; a request that cannot be applied changes
nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select

from conftest import BACKENDS
from sdgmap.store.activity_queries import PageOutOfRange, count_activities
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import Activity, ActivityLink, ReviewEvent
from sdgmap.store.review import ReviewError, SuggestionFilter, review_links, suggestion_page
from storedata import backend_store, node

# key: (activity, node, kind, review, confidence); activities: schools (project, 2022), clinics (event, 2023)
LINKS = {
    "s4": ("schools", "sdg:4", "suggested", "unverified", 0.9),
    "s9c": ("schools", "sdg:9.c", "suggested", "unverified", 0.6),
    "sC4": ("schools", "wsis:C4", "suggested", "unverified", 0.5),
    "s17": ("schools", "sdg:17", "stated", "unverified", 1.0),  # stated links are never in the queue
    "c3": ("clinics", "sdg:3", "suggested", "unverified", 0.7),
    "c9": ("clinics", "sdg:9", "suggested", "unverified", 0.3),
    "c38": ("clinics", "sdg:3.8", "suggested", "accepted", 0.95),
    "c1": ("clinics", "sdg:1", "suggested", "rejected", 0.8),
}
QUEUE = ["s4", "c3", "s9c", "sC4", "c9"]  # unverified suggestions, most confident first
WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


@pytest.fixture(scope="module", params=BACKENDS)
def built(request, tmp_path_factory, sqlite_template, pg_template):
    """The links above in one store per backend (and the ids of the two activities)."""
    with backend_store(request.param, tmp_path_factory.mktemp("review"), sqlite_template,
                       pg_template) as store:
        ids: dict[str, int] = {}
        with store.transaction(write=True) as s:
            acts = {"schools": Activity(type="project", title="Schools online", year=2022),
                    "clinics": Activity(type="event", title="Clinics by satellite", year=2023)}
            s.add_all(acts.values())
            s.flush()
            ids |= {k: a.id for k, a in acts.items()}
            for key, (act, ref, kind, review_, conf) in LINKS.items():
                lk = ActivityLink(activity_id=acts[act].id, node_id=node(s, ref).id, kind=kind,
                                  review=review_, confidence=conf,
                                  method="classifier" if kind == "suggested" else "explicit")
                s.add(lk)
                s.flush()
                ids[key] = lk.id
        yield store, ids


@pytest.fixture
def queue(built):
    """The queue as built; whatever a test reviewed is put back afterwards (a new database
    per test would take most of this module's time on PostgreSQL)."""
    yield built
    store, ids = built
    with store.transaction(write=True) as s:
        s.execute(delete(ReviewEvent))
        for key, (_, ref, _, review_, conf) in LINKS.items():
            lk = s.get(ActivityLink, ids[key])
            lk.node_id, lk.review, lk.confidence = node(s, ref).id, review_, conf
            lk.reviewed_by, lk.reviewed_at = "", None


def page(queue, per_page: int = 50, page_no: int = 1, **fields) -> dict:
    store, _ = queue
    with store.transaction() as s:
        return suggestion_page(s, SuggestionFilter(**fields), page=page_no, per_page=per_page)


def keys(queue, rows: list[dict]) -> list[str]:
    by_id = {v: k for k, v in queue[1].items() if k in LINKS}
    return [by_id[r["id"]] for r in rows]


def events(store) -> list[ReviewEvent]:
    with store.transaction() as s:
        return list(s.scalars(select(ReviewEvent).order_by(ReviewEvent.id)))


def link(store, link_id: int) -> tuple[str, str, str]:
    """(node, review, reviewed_by) of one link as stored."""
    with store.transaction() as s:
        lk = s.get(ActivityLink, link_id)
        return lk.node.ref, lk.review, lk.reviewed_by


# --- the queue ------------------------------------------------------------------------------

def test_the_queue_is_unverified_suggestions_most_confident_first(queue):
    out = page(queue)
    assert keys(queue, out["rows"]) == QUEUE
    assert (out["total"], out["page"], out["pages"], out["per_page"]) == (5, 1, 1, 50)
    first = out["rows"][0]
    assert (first["node"], first["kind"], first["review"], first["confidence"]) == (
        "sdg:4", "suggested", "unverified", 0.9)
    assert (first["activity_title"], first["activity_type"], first["activity_year"]) == (
        "Schools online", "project", 2022)


@pytest.mark.parametrize("fields, expected", [
    ({"sdg": 9}, ["s9c", "c9"]),  # a goal includes its targets
    ({"sdg": 3}, ["c3"]),  # 3.8 was already accepted
    ({"sdg": 1}, []),  # its only suggestion was rejected
    ({"framework": "wsis"}, ["sC4"]),
    ({"framework": "sdg", "sdg": 4}, ["s4"]),
    ({"min_confidence": 0.6}, ["s4", "c3", "s9c"]),  # at least, not above
    ({"review": "accepted"}, ["c38"]),
    ({"review": "rejected"}, ["c1"]),
    ({"review": "edited"}, []),
])
def test_queue_filters(queue, fields, expected):
    assert keys(queue, page(queue, **fields)["rows"]) == expected


def test_queue_of_one_activity(queue):
    assert keys(queue, page(queue, activity_id=queue[1]["clinics"])["rows"]) == ["c3", "c9"]


@pytest.mark.parametrize("page_no, expected", [(1, ["s4", "c3"]), (2, ["s9c", "sC4"]), (3, ["c9"])])
def test_queue_pages(queue, page_no, expected):
    out = page(queue, per_page=2, page_no=page_no)
    assert keys(queue, out["rows"]) == expected
    assert (out["total"], out["pages"], out["page"]) == (5, 3, page_no)


@pytest.mark.parametrize("page_no", [0, 4])
def test_a_queue_page_past_the_end_is_an_error(queue, page_no):
    with pytest.raises(PageOutOfRange, match="the queue has 3 page"):
        page(queue, per_page=2, page_no=page_no)


def test_an_empty_queue_has_one_empty_page(queue):
    out = page(queue, review="edited")
    assert (out["rows"], out["total"], out["pages"]) == ([], 0, 1)


def test_equal_confidence_keeps_id_order(queue):
    store, ids = queue
    with store.transaction(write=True) as s:
        for key in ("c9", "sC4", "s9c"):
            s.get(ActivityLink, ids[key]).confidence = 0.5
    assert keys(queue, page(queue)["rows"]) == ["s4", "c3", "s9c", "sC4", "c9"]


# --- review_links ---------------------------------------------------------------------------

def review(queue, keys_: list[str], action: str, actor: str = "alice", **kw) -> list[dict]:
    store, ids = queue
    with store.transaction(write=True) as s:
        return review_links(s, [ids[k] for k in keys_], action, actor, now=WHEN, **kw)


def test_accept_records_who_when_before_and_after(queue):
    store, ids = queue
    (out,) = review(queue, ["s4"], "accept")
    assert (out["id"], out["node"], out["review"], out["reviewed_by"]) == (ids["s4"], "sdg:4", "accepted", "alice")
    assert out["reviewed_at"].startswith("2024-05-06T07:08:09")
    assert link(store, ids["s4"]) == ("sdg:4", "accepted", "alice")
    (e,) = events(store)
    assert (e.table, e.row_id, e.action, e.actor) == ("activity_links", ids["s4"], "accept", "alice")
    assert e.before == {"node": "sdg:4", "review": "unverified", "kind": "suggested"}
    assert e.after == {"node": "sdg:4", "review": "accepted", "kind": "suggested"}
    assert keys(queue, page(queue)["rows"]) == ["c3", "s9c", "sC4", "c9"]  # it left the queue
    assert keys(queue, page(queue, review="accepted")["rows"]) == ["c38", "s4"]


def test_reject_takes_the_goal_off_the_activity(queue):
    store, ids = queue
    with store.transaction() as s:
        assert count_activities(s, ActivityFilter(sdg=9, ids=[ids["clinics"]])) == 1
    review(queue, ["c9"], "reject")
    assert link(store, ids["c9"]) == ("sdg:9", "rejected", "alice")
    with store.transaction() as s:
        assert count_activities(s, ActivityFilter(sdg=9, ids=[ids["clinics"]])) == 0
    assert [(e.action, e.after["review"]) for e in events(store)] == [("reject", "rejected")]


def test_edit_moves_the_link_to_another_node(queue):
    store, ids = queue
    (out,) = review(queue, ["c9"], "edit", node_ref=" sdg:9.c ")
    assert (out["node"], out["review"]) == ("sdg:9.c", "edited")
    assert link(store, ids["c9"]) == ("sdg:9.c", "edited", "alice")
    (e,) = events(store)
    assert (e.before["node"], e.after["node"], e.after["review"]) == ("sdg:9", "sdg:9.c", "edited")


def test_edit_onto_the_same_node_only_marks_it_edited(queue):
    store, ids = queue
    review(queue, ["s4"], "edit", node_ref="sdg:4")
    assert link(store, ids["s4"]) == ("sdg:4", "edited", "alice")


def test_a_link_of_another_kind_to_the_node_is_no_clash(queue):
    store, ids = queue
    review(queue, ["s4"], "edit", node_ref="sdg:17")  # schools has a *stated* link to 17
    assert link(store, ids["s4"]) == ("sdg:17", "edited", "alice")


def test_reset_puts_a_decision_back_in_the_queue(queue):
    store, ids = queue
    review(queue, ["c38"], "reset", actor="bob")
    assert link(store, ids["c38"]) == ("sdg:3.8", "unverified", "bob")
    assert keys(queue, page(queue)["rows"])[0] == "c38"
    (e,) = events(store)
    assert (e.action, e.before["review"], e.after["review"]) == ("reset", "accepted", "unverified")


def test_a_batch_records_one_event_per_link(queue):
    store, ids = queue
    out = review(queue, ["c3", "s4", "c3"], "accept")  # repeated ids count once
    assert [r["id"] for r in out] == sorted([ids["c3"], ids["s4"]])
    assert sorted(e.row_id for e in events(store)) == sorted([ids["c3"], ids["s4"]])


@pytest.mark.parametrize("actor, recorded", [
    ("  bob  ", "bob"), ("", "anonymous"), ("   ", "anonymous"), ("x" * 300, "x" * 200)])
def test_actor_is_trimmed_and_never_empty(queue, actor, recorded):
    store, ids = queue
    review(queue, ["s4"], "accept", actor=actor)
    assert link(store, ids["s4"])[2] == recorded
    assert events(store)[0].actor == recorded


# --- requests that cannot be applied change nothing -----------------------------------------

def unchanged(queue) -> None:
    """No link was changed and no event recorded."""
    store, ids = queue
    for key, (_, ref, _, review_, _) in LINKS.items():
        assert link(store, ids[key]) == (ref, review_, ""), key
    assert events(store) == []


@pytest.mark.parametrize("keys_, action, kw, message", [
    (["s4"], "approve", {}, "unknown action 'approve'"),
    ([], "accept", {}, "no links selected"),
    (["s4"], "edit", {}, "edit needs the node"),
    (["s4"], "edit", {"node_ref": "sdg:99"}, "no node 'sdg:99'"),
    (["s4"], "edit", {"node_ref": "9.c"}, "no node '9.c'"),  # framework:code, not a bare code
    (["s4"], "edit", {"node_ref": "sdg:9.c"}, "already has a suggested link to sdg:9.c"),
])
def test_requests_that_cannot_be_applied(queue, keys_, action, kw, message):
    with pytest.raises(ReviewError, match=message):
        review(queue, keys_, action, **kw)
    unchanged(queue)


def test_an_unknown_link_id_fails_the_whole_batch(queue):
    store, ids = queue
    with pytest.raises(ReviewError, match="no activity link with id 999999"):
        with store.transaction(write=True) as s:
            review_links(s, [ids["s4"], 999999, ids["c3"]], "accept", "alice")
    unchanged(queue)


def test_a_clash_late_in_a_batch_undoes_the_links_already_moved(queue):
    """schools' sdg:4 moves onto sdg:3 first; clinics' sdg:9 cannot (clinics has a suggested
    sdg:3 already), so the whole batch is rolled back."""
    store, ids = queue
    assert ids["s4"] < ids["c9"]  # the order the batch is applied in
    with pytest.raises(ReviewError, match=f"activity {ids['clinics']} already has a suggested link to sdg:3"):
        review(queue, ["s4", "c9"], "edit", node_ref="sdg:3")
    unchanged(queue)


def test_two_links_of_one_activity_cannot_both_move_onto_one_node(queue):
    with pytest.raises(ReviewError, match="already has a suggested link to sdg:16"):
        review(queue, ["s4", "s9c"], "edit", node_ref="sdg:16")
    unchanged(queue)


def test_nothing_is_written_when_the_caller_rolls_back(queue):
    store, ids = queue
    with pytest.raises(RuntimeError), store.transaction(write=True) as s:
        review_links(s, [ids["s4"]], "accept", "alice")
        raise RuntimeError("the caller's own step fails after the review")
    unchanged(queue)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ReviewEvent)) == 0
