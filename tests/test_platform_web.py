"""The platform's pages and API through HTTP: the authorisation matrix (every route x every
role), CSRF, stored XSS, SQL injection strings, size limits, session fixation, cookies,
rate limits and API token scopes. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sdgmap.platform import accounts, prizes
from sdgmap.platform import submissions as subs
from sdgmap.store.models import utcnow
from sdgmap.store.platform_models import PrizeCycle, Submission, User, Vote
from sdgmap.web import create_app

PW = "correct horse battery"
# Cheap argon2 parameters keep these tests fast; production uses the recommended ones.
os.environ["SDGMAP_ARGON2_PROFILE"] = "test"
accounts.configure_hashing("test")
ROLES = ("anonymous", "viewer", "contributor", "reviewer", "admin")
RANK = {r: i for i, r in enumerate(ROLES)}
PROJECT = {"title": "Community networks", "organisation": "Owner Org", "country": "Peru",
           "description": "Village community networks run by cooperatives.", "action_lines": ["C2"],
           "sdgs": {"9": "Connectivity for villages."}}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(app, username: str, base_url: str = "http://testserver") -> TestClient:
    client = TestClient(app, base_url=base_url, raise_server_exceptions=False)
    page = client.get("/login")
    r = client.post("/login", data={"csrf_token": csrf_of(page.text), "username": username, "password": PW},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    client.csrf = csrf_of(client.get("/account").text)
    return client


def anonymous(app) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    client.csrf = csrf_of(client.get("/login").text)
    return client


def build_site(store) -> dict:
    """Users of every role, an approved and a submitted entry of another contributor, a cycle
    in its voting phase with one nomination, and a logged-in client per role."""
    with store.transaction() as s:
        ids = {r: accounts.create_user(s, r, password=PW, role=r, verified=True).id for r in ROLES[1:]}
        owner = accounts.create_user(s, "owner", password=PW, role="contributor", verified=True)
        target = accounts.create_user(s, "target", password=PW, role="viewer")
        admin, reviewer = s.get(User, ids["admin"]), s.get(User, ids["reviewer"])
        approved = subs.create_draft(s, owner, PROJECT)
        subs.submit(s, approved, owner, use_classifier=False)
        subs.decide(s, approved, reviewer, "approve")
        pending = subs.create_draft(s, owner, PROJECT | {"title": "Pending entry", "organisation": "Else"})
        subs.submit(s, pending, owner, use_classifier=False)
        now = utcnow()
        cycle = prizes.create_cycle(s, admin, "Prizes 2026", now + timedelta(hours=1), now + timedelta(hours=2),
                                    categories=["Open category", "Second category"])
        nom = prizes.nominate(s, reviewer, cycle.categories[0].id, approved.id)
        cycle.vote_opens_at = now - timedelta(minutes=5)
        invitee = accounts.create_user(s, "invitee", role="contributor")
        links = {"invite": accounts.issue_link(s, invitee, "invite", "admin"),
                 "reset": accounts.issue_link(s, target, "reset", "admin")}
        info = {"links": links, "approved": approved.id, "pending": pending.id, "cycle": cycle.id, "nomination": nom.id,
                "category": cycle.categories[0].id, "target": target.id, "owner": owner.id}
    app = create_app(store)
    app.state.classify_semantic = False  # the lexical classifier: real, and fast enough for tests
    clients = {"anonymous": anonymous(app)} | {r: login(app, r) for r in ROLES[1:]}
    return {"app": app, "store": store, "clients": clients, **info}


@pytest.fixture
def site(store) -> dict:
    """On SQLite and PostgreSQL: for what depends on the database (queries, counting, constraints)."""
    return build_site(store)


@pytest.fixture
def site1(sqlite_store) -> dict:
    """On SQLite only: for HTTP-level behaviour that does not depend on the backend."""
    return build_site(sqlite_store)


def routes(site) -> list[tuple[str, str, str, dict]]:
    """(method, path, least role that may use it, form data) for every platform route."""
    a, p, c, n = site["approved"], site["pending"], site["cycle"], site["nomination"]
    sub_form = {"title": "X", "organisation": "Y", "action": "draft"}
    return [
        ("GET", "/login", "anonymous", {}),
        ("POST", "/login", "anonymous", {"username": "nobody", "password": "x"}),
        ("GET", "/signup", "anonymous", {}),
        ("POST", "/signup", "anonymous", {"username": "x"}),
        ("GET", f"/invite/{site['links']['invite']}", "anonymous", {}),
        ("POST", "/invite/not-a-token", "anonymous", {"password": PW, "password2": PW}),
        ("GET", f"/reset/{site['links']['reset']}", "anonymous", {}),
        ("POST", "/reset/not-a-token", "anonymous", {"password": PW, "password2": PW}),
        ("GET", "/account", "viewer", {}),
        ("POST", "/account/tokens", "viewer", {"name": "t", "scopes": "read"}),
        ("POST", "/account/tokens/999999/revoke", "viewer", {}),
        ("GET", "/submissions", "anonymous", {}),
        ("GET", "/submissions/new", "contributor", {}),
        ("POST", "/submissions/new", "contributor", sub_form),
        ("GET", f"/submissions/{a}", "anonymous", {}),
        ("GET", f"/submissions/{p}", "reviewer", {}),
        ("GET", f"/submissions/{p}/edit", "admin", {}),
        ("POST", f"/submissions/{a}/edit", "admin", sub_form),
        ("POST", f"/submissions/{a}/submit", "admin", {}),
        ("POST", f"/submissions/{a}/decision", "reviewer", {"decision": "approve"}),
        ("GET", "/moderation", "reviewer", {}),
        ("GET", "/prizes", "anonymous", {}),
        ("POST", "/prizes", "admin", {"name": "", "opens": "x", "closes": "y"}),
        ("GET", f"/prizes/{c}", "anonymous", {}),
        ("POST", f"/prizes/{c}/nominate", "reviewer", {"category_id": "1", "submission_id": str(a)}),
        ("POST", f"/prizes/{c}/vote", "viewer", {"nomination_id": str(n)}),
        ("GET", f"/prizes/{c}/results", "admin", {}),
        ("GET", "/admin/users", "admin", {}),
        ("POST", "/admin/users", "admin", {"username": "", "role": "viewer"}),
        ("POST", f"/admin/users/{site['target']}", "admin", {"role": "viewer", "active": "1"}),
        ("POST", f"/admin/users/{site['target']}/reset-link", "admin", {}),
        ("GET", f"/admin/prizes/{c}/suspicious", "admin", {}),
        ("GET", f"/audit/submissions/{a}", "reviewer", {}),
        ("GET", f"/audit/users/{site['target']}", "admin", {}),
        ("GET", "/api/v1/me", "viewer", {}),
        ("GET", "/api/v1/submissions", "anonymous", {}),
        ("GET", f"/api/v1/submissions/{a}", "anonymous", {}),
        ("GET", f"/api/v1/submissions/{p}", "reviewer", {}),
        ("POST", "/api/v1/submissions", "contributor", {"json": {"title": "API", "organisation": "Org"}}),
        ("GET", "/api/v1/prizes", "anonymous", {}),
        ("GET", f"/api/v1/prizes/{c}/results", "admin", {}),
        ("GET", f"/api/v1/audit/submissions/{a}", "reviewer", {}),
        ("POST", "/logout", "anonymous", {}),  # last: it ends the client's session
    ]


def _request(client: TestClient, method: str, path: str, data: dict):
    if method == "GET":
        return client.get(path, follow_redirects=False)
    if "json" in data:
        return client.post(path, json=data["json"], headers={"X-CSRF-Token": client.csrf},
                           follow_redirects=False)
    return client.post(path, data={"csrf_token": client.csrf, **data}, follow_redirects=False)


def _denied(r) -> bool:
    return r.status_code in (401, 403, 404) or (
        r.status_code == 303 and r.headers["location"].startswith("/login"))


def platform_routes() -> list:
    from sdgmap.web.platform import admin_pages, api, auth, prize_pages, submission_pages

    return [r for m in (auth, submission_pages, prize_pages, admin_pages, api) for r in m.router.routes]


def test_matrix_covers_every_platform_route(site1):
    tried = [(m, path) for m, path, _, _ in routes(site1)]
    found = platform_routes()
    assert len(found) >= 40
    for route in found:
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(route.path)) + "$")
        for method in route.methods - {"HEAD"}:
            assert any(m == method and pattern.match(path) for m, path in tried), \
                f"authorisation matrix misses {method} {route.path}"


def test_authorisation_matrix(site):
    failures = []
    for method, path, least, data in routes(site):
        for role in ROLES:
            r = _request(site["clients"][role], method, path, data)
            assert r.status_code < 500, f"{method} {path} as {role}: {r.status_code} {r.text[:200]}"
            allowed = RANK[role] >= RANK[least]
            if allowed == _denied(r):
                failures.append(f"{method} {path} as {role}: {r.status_code} (least role {least})")
    assert not failures, "\n".join(failures)


def test_anonymous_sees_only_approved(site):
    anon = site["clients"]["anonymous"]
    assert "Pending entry" not in anon.get("/submissions").text
    assert [x["title"] for x in anon.get("/api/v1/submissions").json()] == ["Community networks"]
    assert anon.get(f"/submissions/{site['pending']}").status_code == 404
    assert anon.get("/api/v1/submissions?status=submitted").json() == []


def test_every_post_needs_a_csrf_token(site1):
    admin = site1["clients"]["admin"]
    anon_token = site1["clients"]["anonymous"].csrf
    for method, path, _, data in routes(site1):
        if method != "POST":
            continue
        if "json" in data:
            r = admin.post(path, json=data["json"], follow_redirects=False)
        else:
            r = admin.post(path, data=data, follow_redirects=False)
            assert r.status_code == 403, f"POST {path} without a token: {r.status_code}"
            # A token that is valid for some other visitor is not valid for this session.
            r = admin.post(path, data={**data, "csrf_token": anon_token}, follow_redirects=False)
        assert r.status_code == 403, f"POST {path} with a wrong token: {r.status_code}"
    with site1["store"].transaction() as s:  # nothing was written
        assert s.scalar(select(func.count()).select_from(Vote)) == 0
        assert s.scalar(select(func.count()).select_from(PrizeCycle)) == 1


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_stored_xss_is_rendered_escaped(site1):
    owner = login(site1["app"], "owner")
    form = {"csrf_token": owner.csrf, "title": "T" + XSS, "organisation": "O" + XSS, "country": "C" + XSS,
            "description": "D" + XSS, "partners": "P" + XSS, "sdg": ["4", "5"], "why_4": "W" + XSS,
            "why_5": "why", "action_lines": "C3", "website": "https://example.org/a?b=c", "action": "submit"}
    r = owner.post("/submissions/new", data=form | {"action": "draft"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    sub_id = int(r.headers["location"].rsplit("/", 1)[1])
    edit_form = owner.get(f"/submissions/{sub_id}/edit")  # a draft's form (a submitted one has none)
    r = owner.post(f"/submissions/{sub_id}/submit", data={"csrf_token": owner.csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    reviewer, admin = site1["clients"]["reviewer"], site1["clients"]["admin"]
    pages = [owner.get(f"/submissions/{sub_id}"), owner.get("/account"), reviewer.get("/moderation"),
             reviewer.get(f"/submissions/{sub_id}"), reviewer.get(f"/audit/submissions/{sub_id}"), edit_form]
    reviewer.post(f"/submissions/{sub_id}/decision", data={"csrf_token": reviewer.csrf, "decision": "approve",
                                                            "comment": "ok" + XSS})
    with site1["store"].transaction() as s:
        s.get(PrizeCycle, site1["cycle"]).vote_opens_at = utcnow() + timedelta(minutes=30)
    reviewer.post(f"/prizes/{site1['cycle']}/nominate",
                  data={"csrf_token": reviewer.csrf, "category_id": site1["category"], "submission_id": sub_id})
    pages += [site1["clients"]["anonymous"].get("/submissions"), owner.get(f"/submissions/{sub_id}"),
              site1["clients"]["anonymous"].get(f"/prizes/{site1['cycle']}"),
              admin.get(f"/prizes/{site1['cycle']}/results"), admin.get("/admin/users")]
    for page in pages:
        assert page.status_code == 200, page.url
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, page.url
    assert "&lt;script&gt;" in pages[0].text
    r = owner.post("/submissions/new", data=form | {"website": 'javascript:alert(1)'})
    assert r.status_code == 400 and "website: must be an http" in r.text


def test_stored_xss_through_account_token_and_prize_fields(site1):
    app, anon, admin = site1["app"], site1["clients"]["anonymous"], site1["clients"]["admin"]
    r = anon.post("/signup", data={"csrf_token": anon.csrf, "username": "newbie", "password": PW,
                                   "password2": PW, "display_name": "N" + XSS, "email": "e" + XSS})
    assert r.status_code in (200, 303), r.text[:300]
    newbie = login(app, "newbie")
    r = newbie.post("/account/tokens", data={"csrf_token": newbie.csrf, "name": "T" + XSS, "scopes": "read"})
    assert r.status_code == 200, r.text[:300]
    r = admin.post("/prizes", data={"csrf_token": admin.csrf, "name": "Cycle" + XSS,
                                    "opens": "2030-01-01T00:00", "closes": "2030-02-01T00:00",
                                    "categories": "Cat" + XSS + "\nPlain"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    cycle = r.headers["location"]
    pages = [newbie.get("/account"), admin.get("/admin/users"), anon.get("/prizes"), anon.get(cycle),
             admin.get(cycle), admin.get(cycle + "/results"), admin.get(cycle + "/nominations")]
    for page in pages:
        if page.status_code == 404:  # not every cycle page exists in every phase
            continue
        assert page.status_code == 200, page.url
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, page.url
    assert "&lt;script&gt;" in pages[1].text and "&lt;script&gt;" in pages[3].text


INJECTIONS = ["' OR '1'='1", "'; DROP TABLE users; --", "%' UNION SELECT password_hash FROM users --",
              "\\", "%", "_", '" OR ""="', "1; SELECT pg_sleep(5)", "\u0000"]


def test_sql_injection_strings_in_filters(site):
    anon, reviewer = site["clients"]["anonymous"], site["clients"]["reviewer"]
    for bad in INJECTIONS:
        for client in (anon, reviewer):
            for r in (client.get("/submissions", params={"q": bad}),
                      client.get("/api/v1/submissions", params={"q": bad}),
                      client.get("/submissions", params={"status": bad}),
                      client.get("/api/v1/submissions", params={"status": bad}),
                      client.get("/audit/" + quote(bad, safe="") + "/1"), client.get("/submissions", params={"page_no": bad})):
                assert r.status_code in (200, 400, 404, 422), (bad, r.url, r.status_code, r.text[:200])
        r = anon.get("/api/v1/submissions", params={"q": bad})
        assert r.status_code == 400 or all(x["status"] == "approved" for x in r.json())
    assert [x["title"] for x in anon.get("/api/v1/submissions", params={"q": "%"}).json()] == []
    assert len(reviewer.get("/api/v1/submissions", params={"q": "entry"}).json()) == 1
    with site["store"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 7


def test_sql_injection_strings_in_every_activity_filter(site):
    """Every filter of the register's list page and API, the sort and paging parameters and the
    admin report's numbers: a 4xx or an ordinary answer, never an error, nothing changed."""
    from sdgmap.web.params import FILTER_KEYS

    anon, admin = site["clients"]["anonymous"], site["clients"]["admin"]
    keys = (*FILTER_KEYS, "sort", "order", "page", "per_page", "facets")
    for bad in INJECTIONS:
        for key in keys:
            for path in ("/activities", "/api/v1/activities", "/activities/export.csv"):
                r = anon.get(path, params={key: bad})
                assert r.status_code in (200, 400, 404, 422), (key, bad, path, r.status_code, r.text[:200])
        for key in ("lead_hours", "min_accounts", "format"):
            r = admin.get(f"/admin/prizes/{site['cycle']}/suspicious", params={key: bad})
            assert r.status_code in (200, 400, 422), (key, bad, r.status_code, r.text[:200])
    with site["store"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 7


def test_size_limits(site1):
    owner = login(site1["app"], "owner")
    big = owner.post("/submissions/new", data={"csrf_token": owner.csrf, "title": "x", "organisation": "y",
                                               "description": "x" * 300_000})
    assert big.status_code == 413
    words = owner.post("/submissions/new", data={"csrf_token": owner.csrf, "title": "x", "organisation": "y",
                                                 "description": "word " * 501})
    assert words.status_code == 400 and "at most 500 words" in words.text
    long_title = owner.post("/submissions/new", data={"csrf_token": owner.csrf, "title": "x" * 301,
                                                      "organisation": "y"})
    assert long_title.status_code == 400 and "title: at most 300 characters" in long_title.text
    upload = owner.post("/submissions/new", data={"csrf_token": owner.csrf, "title": "x", "organisation": "y"},
                        files={"file": ("a.txt", b"hello")})
    assert upload.status_code == 400
    api = owner.post("/api/v1/submissions", json={"title": "x" * 301, "organisation": "y"},
                     headers={"X-CSRF-Token": owner.csrf})
    assert api.status_code == 422
    with site1["store"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 2


def test_session_fixation_and_cookie_flags(site1):
    app = site1["app"]
    client = TestClient(app, raise_server_exceptions=False)
    planted = "attacker-chosen-session-id-0123456789abcdef"
    client.cookies.set("sdgmap_session", planted)
    page = client.get("/login")
    r = client.post("/login", data={"csrf_token": csrf_of(page.text), "username": "viewer", "password": PW},
                    follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    new_id = r.cookies.get("sdgmap_session")
    assert new_id and new_id != planted
    attacker = TestClient(app, raise_server_exceptions=False)
    attacker.cookies.set("sdgmap_session", planted)
    assert attacker.get("/api/v1/me").status_code == 401
    # A second login gets yet another id, and the previous one stops working.
    client.cookies.set("sdgmap_session", new_id)
    r2 = client.post("/login", data={"csrf_token": csrf_of(client.get("/login").text), "username": "viewer",
                                     "password": PW}, follow_redirects=False)
    assert r2.cookies.get("sdgmap_session") not in (new_id, None)
    old = TestClient(app, raise_server_exceptions=False)
    old.cookies.set("sdgmap_session", new_id)
    assert old.get("/api/v1/me").status_code == 401
    secure = login(app, "viewer", base_url="https://testserver")
    assert secure.get("/api/v1/me").json()["username"] == "viewer"
    r3 = secure.post("/login", data={"csrf_token": csrf_of(secure.get("/login").text), "username": "viewer",
                                     "password": PW}, follow_redirects=False)
    assert "Secure" in r3.headers["set-cookie"]


def test_logout_ends_the_session(site1):
    viewer = login(site1["app"], "viewer")
    token = viewer.cookies.get("sdgmap_session")
    assert viewer.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert viewer.post("/logout", data={"csrf_token": viewer.csrf}, follow_redirects=False).status_code == 303
    again = TestClient(site1["app"])
    again.cookies.set("sdgmap_session", token)
    assert again.get("/api/v1/me").status_code == 401


def test_login_rate_limit(site):
    client = site["clients"]["anonymous"]
    codes = [client.post("/login", data={"csrf_token": client.csrf, "username": "target", "password": "wrong" * 3},
                         follow_redirects=False).status_code for _ in range(11)]
    assert codes[:10] == [400] * 10 and codes[10] == 429
    r = client.post("/login", data={"csrf_token": client.csrf, "username": "target", "password": PW})
    assert r.status_code == 429  # even the right password waits out the window


def test_voting_over_http(site):
    viewer = site["clients"]["viewer"]
    cycle = site["cycle"]
    vote = {"csrf_token": viewer.csrf, "nomination_id": site["nomination"]}
    assert viewer.post(f"/prizes/{cycle}/vote", data=vote, follow_redirects=False).status_code == 303
    assert viewer.post(f"/prizes/{cycle}/vote", data=vote, follow_redirects=False).status_code == 409
    assert "(your vote)" in viewer.get(f"/prizes/{cycle}").text
    target = login(site["app"], "target")  # not verified
    r = target.post(f"/prizes/{cycle}/vote", data={"csrf_token": target.csrf,
                                                   "nomination_id": site["nomination"]}, follow_redirects=False)
    assert r.status_code == 403
    with site["store"].transaction() as s:
        s.get(PrizeCycle, cycle).vote_closes_at = utcnow() - timedelta(seconds=1)
    contributor = site["clients"]["contributor"]
    r = contributor.post(f"/prizes/{cycle}/vote", data={"csrf_token": contributor.csrf,
                                                        "nomination_id": site["nomination"]})
    assert r.status_code == 403 and "voting is not open" in r.text
    results = site["clients"]["anonymous"].get(f"/api/v1/prizes/{cycle}/results").json()
    assert results[0]["entries"][0]["votes"] == 1 and results[0]["entries"][0]["award"] == "winner"
    with site["store"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(Vote)) == 1


def test_api_tokens_scopes(site):
    with site["store"].transaction() as s:
        admin = s.get(User, accounts.get_user(s, "admin").id)
        read_only, _ = accounts.issue_token(s, admin, "ro", ["read"], "admin")
        submitter, tok = accounts.issue_token(s, accounts.get_user(s, "contributor"), "sub", ["submit"], "admin")
    client = TestClient(site["app"], raise_server_exceptions=False)
    ro = {"Authorization": f"Bearer {read_only}"}
    assert client.get("/api/v1/me", headers=ro).json()["role"] == "admin"
    assert client.get(f"/api/v1/audit/submissions/{site['approved']}", headers=ro).status_code == 403
    assert client.post("/api/v1/submissions", json={"title": "t", "organisation": "o"}, headers=ro).status_code == 403
    sub = {"Authorization": f"Bearer {submitter}"}
    body = PROJECT | {"submit": True}
    r = client.post("/api/v1/submissions", json=body, headers=sub)  # no CSRF needed: no cookie involved
    assert r.status_code == 201 and r.json()["status"] == "submitted"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    with site["store"].transaction() as s:
        accounts.revoke_token(s, tok.id, accounts.get_user(s, "admin"))
    assert client.get("/api/v1/me", headers=sub).status_code == 401


def test_invitation_flow_and_reset(site1):
    admin = site1["clients"]["admin"]
    r = admin.post("/admin/users", data={"csrf_token": admin.csrf, "username": "newbie", "role": "contributor"})
    site = re.escape(site1["app"].state.base_url)  # the configured address, not the request's
    link = re.search(site + r"(/invite/[\w-]+)", r.text).group(1)
    guest = TestClient(site1["app"], raise_server_exceptions=False)
    page = guest.get(link)
    assert page.status_code == 200 and "newbie" in page.text
    r = guest.post(link, data={"csrf_token": csrf_of(page.text), "password": PW, "password2": PW},
                   follow_redirects=False)
    assert r.status_code == 303
    assert guest.get("/api/v1/me").json() == {"username": "newbie", "role": "contributor", "verified": True,
                                              "via": "session", "scopes": []}
    assert guest.get(link).status_code == 404  # used up
    r = admin.post(f"/admin/users/{site1['target']}/reset-link", data={"csrf_token": admin.csrf})
    reset = re.search(site + r"(/reset/[\w-]+)", r.text).group(1)
    other = TestClient(site1["app"], raise_server_exceptions=False)
    page = other.get(reset)
    r = other.post(reset, data={"csrf_token": csrf_of(page.text), "password": PW + "2", "password2": PW + "2"},
                   follow_redirects=False)
    assert r.status_code == 303 and other.get("/api/v1/me").json()["username"] == "target"
