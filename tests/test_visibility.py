"""sdgmap.web.visibility: a public session hides unreviewed suggestions and rejected links
from every ORM query; reviewers (and single-user mode) see everything.

The rule is checked where it is enforced, on the session, for each shape of query the app
uses (plain selects, joins, aliases, subqueries, EXISTS, relationship loads, look-up by
id), then over HTTP for what decides who gets a public session: an API token acts with the
lower of its owner's role and its scope. tests/test_web_authz.py checks every page and API
answer per role; docs/security.md, "Unreviewed content shown to the public", states the rule.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from sdgmap import analytics
from sdgmap.frameworks.linkage import get_node, stated_links
from sdgmap.platform import accounts
from sdgmap.store.models import Activity, ActivityLink, Link, Node
from sdgmap.web import create_app
from sdgmap.web.cache import AnalyticsCache
from sdgmap.web.visibility import RequestStore, is_public

os.environ["SDGMAP_ARGON2_PROFILE"] = "test"  # cheap hashing: these tests make accounts
accounts.configure_hashing("test")

# goal -> (kind, review) of one activity link each; goals 1-5 are public, 6-8 are not
ACTIVITY_LINKS = {
    1: ("stated", "unverified"),
    2: ("curated", "unverified"),
    3: ("derived", "unverified"),
    4: ("suggested", "accepted"),
    5: ("suggested", "edited"),
    6: ("suggested", "unverified"),
    7: ("suggested", "rejected"),
    8: ("stated", "rejected"),
}
PUBLIC_GOALS = {"1", "2", "3", "4", "5"}
ALL_GOALS = {str(g) for g in ACTIVITY_LINKS}
# framework links from wsis:C9: goal -> (kind, review); 13 and 14 are public
FRAMEWORK_LINKS = {14: ("stated", "unverified"), 13: ("suggested", "accepted"),
                   15: ("suggested", "unverified"), 12: ("curated", "rejected")}


def build(store) -> dict:
    """One activity with a link of every kind and review state, one with only an unreviewed
    suggestion, and framework links from wsis:C9 in four states."""
    with store.transaction() as s:
        one = Activity(type="project", title="Every state", year=2024)
        two = Activity(type="event", title="Only a suggestion", year=2024)
        s.add_all([one, two])
        s.flush()
        ids = {"one": one.id, "two": two.id}
        for goal, (kind, review) in ACTIVITY_LINKS.items():
            link = ActivityLink(activity_id=one.id, node_id=get_node(s, f"sdg:{goal}").id, kind=kind, review=review,
                                method="test", reviewed_by="" if review == "unverified" else "rev")
            s.add(link)
            s.flush()
            ids[goal] = link.id
        s.add(ActivityLink(activity_id=two.id, node_id=get_node(s, "sdg:6").id, kind="suggested", method="test"))
        c9 = get_node(s, "wsis:C9").id
        for goal, (kind, review) in FRAMEWORK_LINKS.items():
            s.add(Link(from_id=c9, to_id=get_node(s, f"sdg:{goal}").id, kind=kind, review=review, source="test"))
    return ids


# Each shape returns the goal codes of activity one's links that the session lets through.
def _plain(s: Session, aid: int) -> set[str]:
    return set(s.scalars(select(Node.code).where(Node.id.in_(
        select(ActivityLink.node_id).where(ActivityLink.activity_id == aid)))))


def _join(s: Session, aid: int) -> set[str]:
    return set(s.scalars(select(Node.code).join(ActivityLink, ActivityLink.node_id == Node.id)
                         .where(ActivityLink.activity_id == aid)))


def _alias(s: Session, aid: int) -> set[str]:
    al = aliased(ActivityLink)
    return set(s.scalars(select(Node.code).join(al, al.node_id == Node.id).where(al.activity_id == aid)))


def _subquery(s: Session, aid: int) -> set[str]:
    sub = select(ActivityLink.node_id.label("nid")).where(ActivityLink.activity_id == aid).subquery()
    return set(s.scalars(select(Node.code).join(sub, sub.c.nid == Node.id)))


def _exists(s: Session, aid: int) -> set[str]:
    goals = s.scalars(select(Node).where(Node.framework_id == "sdg", Node.kind == "goal"))
    return {g.code for g in goals
            if s.scalar(select(Activity.links.any(ActivityLink.node_id == g.id)).where(Activity.id == aid))}


def _lazy_load(s: Session, aid: int) -> set[str]:
    return {lk.node.code for lk in s.get(Activity, aid).links}


def _selectin(s: Session, aid: int) -> set[str]:
    act = s.scalars(select(Activity).where(Activity.id == aid).options(selectinload(Activity.links))).one()
    return {lk.node.code for lk in act.links}


SHAPES: dict[str, Callable[[Session, int], set[str]]] = {
    "plain": _plain, "join": _join, "alias": _alias, "subquery": _subquery, "exists": _exists,
    "lazy_load": _lazy_load, "selectinload": _selectin,
}


def test_every_query_shape_sees_only_public_activity_links(store):
    ids = build(store)
    for shape, query in SHAPES.items():
        with RequestStore(store, public=True).transaction() as s:
            assert query(s, ids["one"]) == PUBLIC_GOALS, shape
        with RequestStore(store, public=False).transaction() as s:
            assert query(s, ids["one"]) == ALL_GOALS, shape


def test_counts_and_look_ups_by_id_respect_the_public_view(store):
    ids = build(store)
    with RequestStore(store, public=True).transaction() as s:
        assert s.scalar(select(func.count()).select_from(ActivityLink)) == len(PUBLIC_GOALS)
        assert s.get(ActivityLink, ids[6]) is None  # a hidden link cannot be fetched by id
        assert s.get(ActivityLink, ids[4]) is not None
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ActivityLink)) == len(ACTIVITY_LINKS) + 1


def test_activities_stay_visible_when_all_their_links_are_hidden(store):
    ids = build(store)
    with RequestStore(store, public=True).transaction() as s:
        two = s.get(Activity, ids["two"])
        assert two is not None and two.title == "Only a suggestion"
        assert two.links == []


def test_framework_links_follow_the_same_rule(store):
    build(store)
    for public, want in ((True, {"sdg:13", "sdg:14"}), (False, {"sdg:12", "sdg:13", "sdg:14", "sdg:15"})):
        with RequestStore(store, public=public).transaction() as s:
            assert {v.target for v in stated_links(s, get_node(s, "wsis:C9"), "out")} == want, public
            into_15 = {v.source for v in stated_links(s, get_node(s, "sdg:15"), "in")}
            assert ("wsis:C9" in into_15) is not public  # from either end


def test_analytics_through_a_public_session_count_public_links_only(store):
    build(store)
    for public in (True, False):
        with RequestStore(store, public=public).transaction() as s:
            cov = {r["code"]: (r["stated"], r["derived"], r["suggested"]) for r in analytics.goal_coverage(s) if r["total"]}
        hidden = {} if public else {"6": (0, 0, 2)}  # both activities' open suggestions
        assert cov == {"1": (1, 0, 0), "2": (1, 0, 0), "3": (0, 1, 0), "4": (1, 0, 0), "5": (1, 0, 0)} | hidden


def test_the_analytics_cache_keeps_public_and_full_answers_apart(store):
    build(store)
    cache = AnalyticsCache()

    def suggested_six(public: bool) -> int:
        with RequestStore(store, public=public).transaction() as s:
            rows = cache.get(s, "coverage", analytics.goal_coverage)
        return next(r for r in rows if r["code"] == "6")["suggested"]

    assert suggested_six(public=True) == 0  # the public answer is cached first ...
    assert suggested_six(public=False) == 2  # ... and not served to a reviewer
    assert suggested_six(public=True) == 0


def test_a_public_transaction_marks_only_its_own_session(store):
    with RequestStore(store, public=True).transaction() as s:
        assert is_public(s)
    with store.transaction() as s:
        assert not is_public(s)
    with RequestStore(store, public=False).transaction() as s:
        assert not is_public(s)


# --- who gets a public session, over HTTP -----------------------------------------------------

@pytest.fixture
def site(store) -> dict:
    ids = build(store)
    with store.transaction() as s:
        rev = accounts.create_user(s, "rev", password="correct horse battery", role="reviewer", verified=True)
        ids["tokens"] = {name: accounts.issue_token(s, rev, name, scopes, "rev")[0]
                         for name, scopes in (("read", ["read"]), ("submit", ["submit"]), ("review", ["review"]))}
    return {"client": TestClient(create_app(store), raise_server_exceptions=False), **ids}


def _goals(site: dict, token: str | None) -> set[str]:
    headers = {"Authorization": f"Bearer {site['tokens'][token]}"} if token else {}
    r = site["client"].get(f"/api/v1/activities/{site['one']}", headers=headers)
    assert r.status_code == 200, r.text
    return {lk["node"].split(":")[1] for lk in r.json()["all_links"]}


def test_a_reviewers_token_sees_everything_only_with_the_review_scope(site):
    assert _goals(site, None) == PUBLIC_GOALS
    for token in ("read", "submit"):  # the token acts as a viewer or a contributor
        assert _goals(site, token) == PUBLIC_GOALS, token
    assert _goals(site, "review") == ALL_GOALS


def test_reviewers_names_are_left_out_for_a_public_token_and_shown_for_a_review_token(site):
    def reviewers(token: str) -> set[str]:
        body = site["client"].get(f"/api/v1/activities/{site['one']}",
                                  headers={"Authorization": f"Bearer {site['tokens'][token]}"}).json()
        return {lk["reviewed_by"] for lk in body["all_links"]}

    assert reviewers("read") == {""}
    assert reviewers("review") == {"", "rev"}


def test_single_user_mode_shows_every_link_to_anyone(store):
    ids = build(store)
    client = TestClient(create_app(store))
    links = client.get(f"/api/v1/activities/{ids['one']}").json()["all_links"]
    assert {lk["node"].split(":")[1] for lk in links} == ALL_GOALS
    assert "rev" in {lk["reviewed_by"] for lk in links}
