"""Who may do what and who sees what, over every route of the app in multi-user mode.

The matrix enumerates ``app.routes``, so a new route without an entry here (or in the
platform's matrix, ``test_platform_web.routes``) fails. Visibility: anonymous visitors,
viewers and contributors see no unreviewed classifier suggestion in pages, API answers,
exports or charts; reviewers and admins see everything; single-user mode shows all.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from sdgmap.frameworks.linkage import get_node
from sdgmap.store.models import Activity, ActivityLink, Document, Link
from sdgmap.web import create_app
from test_platform_web import RANK, ROLES, _denied, build_site
from test_platform_web import routes as platform_routes

HIDDEN = "EVIDENCE-OF-AN-UNREVIEWED-SUGGESTION"


def add_activities(store) -> dict:
    """Activity 1: stated SDG 4 and Action Line C2, an accepted suggestion (SDG 9), an
    unreviewed one (SDG 13) and a rejected one (SDG 5). Activity 2: only an unreviewed
    suggestion (SDG 14). A framework link C9 -> SDG 14, suggested, unreviewed."""
    with store.transaction() as s:
        one = Activity(type="project", title="Schools broadband", year=2024)
        two = Activity(type="project", title="Coral reef sensors", year=2023)
        doc = Document(sha256="0" * 64, filename="report.txt", text="Schools broadband. Coral reef sensors.")
        s.add_all([one, two, doc])
        s.flush()
        links = {}
        for act, ref, kind, review in ((one, "sdg:4", "stated", "unverified"), (one, "wsis:C2", "stated", "unverified"),
                                       (one, "sdg:9", "suggested", "accepted"), (one, "sdg:13", "suggested", "unverified"),
                                       (one, "sdg:5", "suggested", "rejected"), (two, "sdg:14", "suggested", "unverified")):
            hidden = kind == "suggested" and review != "accepted"
            lk = ActivityLink(activity_id=act.id, node_id=get_node(s, ref).id, kind=kind, review=review,
                              method="classifier" if kind == "suggested" else "explicit-reference",
                              evidence=HIDDEN if hidden else "shown", reviewed_by="rev" if review != "unverified" else "")
            s.add(lk)
            s.flush()
            links[ref] = lk.id
        # a framework link suggested and not yet reviewed (e.g. from an imported crosswalk)
        s.add(Link(from_id=get_node(s, "wsis:C9").id, to_id=get_node(s, "sdg:14").id, kind="suggested"))
        return {"one": one.id, "two": two.id, "doc": doc.id, "alinks": links}


@pytest.fixture
def authz_site(sqlite_store) -> dict:
    site = build_site(sqlite_store)
    site.update(add_activities(sqlite_store))
    return site


def web_routes(site) -> list[tuple[str, str, str, dict]]:
    """(method, path, least role, data) for every route outside the platform's own matrix.
    The policy is in docs/security.md: reading public content is open, the review queue
    and uploads need a reviewer, the classifier an account."""
    one, sugg = site["one"], site["alinks"]["sdg:13"]
    upload = {"files": {"file": ("note.txt", b"Year of submission: 2024. SDG 9 broadband for schools.")}}
    reads = ["/", "/mapping", "/matrix", "/interlinkages", "/trends", "/frameworks", "/frameworks/sdg",
             "/node/sdg:9", "/activities", "/activities/facets", "/activities/export.csv",
             "/activities/export.json", f"/activities/{one}", "/documents", f"/documents/{site['doc']}",
             "/api/v1/frameworks", "/api/v1/frameworks/sdg", "/api/v1/nodes/sdg:9", "/api/v1/links?node=sdg:9",
             "/api/v1/activities", "/api/v1/activities/facets", "/api/v1/activities/export",
             f"/api/v1/activities/{one}", "/api/v1/documents", f"/api/v1/documents/{site['doc']}",
             "/api/v1/analytics/overview", "/api/v1/analytics/sankey", "/api/v1/analytics/matrix",
             "/api/v1/analytics/network", "/api/v1/analytics/trends",
             "/api/v1/openapi.json", "/api/v1/docs", "/classify"]
    return [("GET", path, "anonymous", {}) for path in reads] + [
        ("GET", "/review", "reviewer", {}),
        ("POST", "/review", "reviewer", {"form": {"do": f"reset:{sugg}"}}),
        ("POST", "/documents", "reviewer", upload),
        ("POST", "/api/v1/documents", "reviewer", upload),
        ("GET", "/api/v1/suggestions", "reviewer", {}),
        ("POST", "/api/v1/suggestions/review", "reviewer", {"json": {"ids": [sugg], "action": "reset"}}),
        ("POST", "/api/v1/classify", "viewer", {"json": {"text": "Broadband for rural schools."}}),
        ("POST", "/classify", "viewer", {"form": {"text": "Broadband for rural schools."}}),
    ]


def _send(client: TestClient, method: str, path: str, data: dict):
    if method == "GET":
        return client.get(path, follow_redirects=False)
    headers = {"X-CSRF-Token": client.csrf}
    if "json" in data:
        return client.post(path, json=data["json"], headers=headers, follow_redirects=False)
    return client.post(path, data={"csrf_token": client.csrf, **data.get("form", {})}, files=data.get("files"),
                       follow_redirects=False)


def _covered(route_path: str, method: str, tried: list[tuple[str, str]]) -> bool:
    pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/?]+", re.escape(route_path)) + r"(\?.*)?$")
    return any(m == method and pattern.match(p) for m, p in tried)


def all_routes(routes, prefix: str = "") -> list[tuple[str, str]]:
    """(method, path) of every endpoint, through included routers (FastAPI keeps them as
    nested routers since 0.16x; older versions flatten them into ``app.routes``)."""
    out = []
    for route in routes:
        if isinstance(route, Mount):  # /static: files, no data
            continue
        if hasattr(route, "original_router"):
            out += all_routes(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            out += [(m, prefix + route.path) for m in sorted(route.methods - {"HEAD"})]
    return out


def test_every_route_of_the_app_is_in_a_matrix(authz_site):
    tried = [(m, p) for m, p, _, _ in web_routes(authz_site) + platform_routes(authz_site)]
    found = all_routes(authz_site["app"].routes)
    missing = [f"{m} {p}" for m, p in found if not _covered(p, m, tried)]
    assert not missing, "no authorisation policy for: " + ", ".join(missing)
    assert len(found) >= 79  # route discovery works: every page and API route is seen


def test_web_authorisation_matrix(authz_site):
    """Allowed: 2xx or 3xx (not to the login page); denied: 401/403, or a redirect to the
    login page for an anonymous visitor's page view."""
    failures = []
    for method, path, least, data in web_routes(authz_site):
        for role in ROLES:
            r = _send(authz_site["clients"][role], method, path, data)
            allowed = RANK[role] >= RANK[least]
            ok = (r.status_code < 400 and not _denied(r)) if allowed else r.status_code in (401, 403) or _denied(r)
            if not ok:
                failures.append(f"{method} {path} as {role}: {r.status_code} {r.text[:120]!r} (least role {least})")
    assert not failures, "\n".join(failures)


def test_pages_redirect_to_login_and_the_api_answers_401(authz_site):
    anon = authz_site["clients"]["anonymous"]
    r = anon.get("/review?sdg=13", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Freview%3Fsdg%3D13"
    login_page = anon.get(r.headers["location"])
    assert 'name="next" value="/review?sdg=13"' in login_page.text
    r = anon.get("/api/v1/suggestions")
    assert r.status_code == 401 and r.json()["error"]["status"] == 401
    r = anon.get("/review", headers={"Accept": "application/json"}, follow_redirects=False)
    assert r.status_code == 401
    viewer = authz_site["clients"]["viewer"]
    assert viewer.get("/review", follow_redirects=False).status_code == 403  # signed in, not allowed
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):  # no open redirect
        assert 'name="next" value="/account"' in anon.get("/login", params={"next": evil}).text, evil


def _sdgs_in_csv(text: str) -> dict[str, str]:
    return {row["title"]: row["sdgs"] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}


@pytest.fixture
def vis_site(store) -> dict:
    site = build_site(store)
    site.update(add_activities(store))
    return site


def test_public_sees_only_reviewed_links(vis_site):
    one, two = vis_site["one"], vis_site["two"]
    for role in ROLES:
        c = vis_site["clients"][role]
        everything = role in ("reviewer", "admin")
        detail = c.get(f"/api/v1/activities/{one}").json()
        want = {"sdg:4", "sdg:9", "wsis:C2"} | ({"sdg:13", "sdg:5"} if everything else set())
        assert {lk["node"] for lk in detail["all_links"]} == want, role
        assert detail["sdgs"] == ([4, 9, 13] if everything else [4, 9]), role
        page = c.get(f"/activities/{one}").text
        assert (HIDDEN in page) == everything, role
        assert ('value="accept:' in page) == everything, role  # no review buttons for the public
        assert c.get(f"/api/v1/activities/{two}").json()["all_links"] == [] or everything
        assert c.get("/api/v1/activities?sdg=13").json()["total"] == (1 if everything else 0), role
        assert c.get("/api/v1/activities?sdg=14&kind=suggested").json()["total"] == (1 if everything else 0)
        titles = {a["title"] for a in c.get("/api/v1/activities?sdg=9").json()["items"]}
        assert "Schools broadband" in titles  # an accepted suggestion is public
        assert ("Coral reef sensors" in c.get("/activities?sdg=14").text) == everything, role
        facet_goals = {f["value"] for f in c.get("/api/v1/activities/facets").json()["sdg"]}
        assert facet_goals == ({"4", "9", "13", "14"} if everything else {"4", "9"}), role
        assert c.get("/api/v1/nodes/sdg:13").json()["activities"]["total"] == (1 if everything else 0)
        c9 = c.get("/api/v1/links?node=wsis:C9").json()
        assert ("sdg:14" in {lk["to"] for lk in c9["stated"]}) == everything, role
        # exports
        assert _sdgs_in_csv(c.get("/activities/export.csv").text)["Schools broadband"] == (
            "4; 9; 13" if everything else "4; 9"), role
        assert _sdgs_in_csv(c.get("/api/v1/activities/export?format=csv").text)["Coral reef sensors"] == (
            "14" if everything else ""), role
        items = {a["title"]: a for a in c.get("/activities/export.json").json()["items"]}
        assert items["Schools broadband"]["sdgs"] == ([4, 9, 13] if everything else [4, 9]), role
        # charts and counts
        coverage = {g["goal"]: g for g in c.get("/api/v1/analytics/overview").json()["coverage"]}
        assert coverage[13]["suggested"] == (1 if everything else 0) and coverage[13]["total"] == coverage[13]["suggested"]
        assert coverage[4]["stated"] == 1
        network = {n["code"]: n["count"] for n in c.get("/api/v1/analytics/network").json()["nodes"]}
        assert network["13"] == (1 if everything else 0) and network["4"] == 1, role
        sankey = {n["id"] for n in c.get("/api/v1/analytics/sankey").json()["nodes"]}
        assert ("sdg:13" in sankey) == everything, role
        trends = c.get("/api/v1/analytics/trends").json()
        goal14 = dict(zip(trends["years"], next(g for g in trends["series"] if g["goal"] == 14)["total"], strict=True))
        assert goal14[2023] == (1 if everything else 0), role
        assert (HIDDEN in c.get("/interlinkages").text + c.get("/").text) is False  # evidence is never in charts


def test_public_detail_hides_who_reviewed(vis_site):
    anon, rev = vis_site["clients"]["anonymous"], vis_site["clients"]["reviewer"]
    rev.post("/api/v1/suggestions/review", json={"ids": [vis_site["alinks"]["sdg:13"]], "action": "accept"},
             headers={"X-CSRF-Token": rev.csrf}).raise_for_status()
    public = anon.get(f"/api/v1/activities/{vis_site['one']}").json()
    assert "sdg:13" in {lk["node"] for lk in public["all_links"]}  # accepted: public now
    assert public["review_events"] == [] and {lk["reviewed_by"] for lk in public["all_links"]} == {""}
    full = rev.get(f"/api/v1/activities/{vis_site['one']}").json()
    assert [e["actor"] for e in full["review_events"]] == ["reviewer"]


def test_single_user_mode_shows_everything(sqlite_store):
    ids = add_activities(sqlite_store)
    client = TestClient(create_app(sqlite_store))
    assert client.get("/api/v1/activities?sdg=13").json()["total"] == 1
    assert HIDDEN in client.get(f"/activities/{ids['one']}").text
    assert client.get("/review").status_code == 200
