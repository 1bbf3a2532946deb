"""What a request may see and do follows its effective role: an API token acts with at most
its widest scope, so a reviewer's or an admin's *read* token sees no unpublished entry and
no open cycle's results, casts no vote and manages no token. Also: the edit form of an entry
that cannot be edited is refused like its POST, nobody decides on their own entry, a
reactivated account's old tokens stay dead, and a caller who may not write is told 401/403
before anything about the body. Through HTTP, on SQLite and (where it matters) PostgreSQL."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sdgmap.platform import accounts
from sdgmap.platform import submissions as subs
from sdgmap.store.models import ReviewEvent
from sdgmap.store.platform_models import ApiToken, Submission, User, Vote
from sdgmap.web import create_app
from test_platform_web import PROJECT, _denied, build_site, login, routes

HIDDEN = ("Pending entry", "Hidden draft", "Hidden sent back", "Hidden rejected")


def token(store, username: str, scopes: list[str]) -> dict:
    with store.transaction() as s:
        secret, _ = accounts.issue_token(s, accounts.get_user(s, username), "t", scopes, "admin")
    return {"Authorization": f"Bearer {secret}"}


def add_unpublished(site) -> dict:
    """A draft, an entry sent back for changes and a rejected one of the owner (besides the
    submitted 'Pending entry' of ``build_site``)."""
    with site["store"].transaction() as s:
        owner, rev = accounts.get_user(s, "owner"), accounts.get_user(s, "reviewer")
        draft = subs.create_draft(s, owner, PROJECT | {"title": "Hidden draft", "organisation": "D"})
        back = subs.create_draft(s, owner, PROJECT | {"title": "Hidden sent back", "organisation": "B"})
        rejected = subs.create_draft(s, owner, PROJECT | {"title": "Hidden rejected", "organisation": "R"})
        for sub, decision in ((back, "request_changes"), (rejected, "reject")):
            subs.submit(s, sub, owner, use_classifier=False)
            subs.decide(s, sub, rev, decision, "Please say more.")
        return {"draft": draft.id, "back": back.id, "rejected": rejected.id}


@pytest.fixture
def scope_site(store) -> dict:
    site = build_site(store)
    site.update(add_unpublished(site))
    return site


@pytest.fixture
def site1(sqlite_store) -> dict:
    """On SQLite only: HTTP-level behaviour that does not depend on the backend."""
    return build_site(sqlite_store)


def _unpublished(site) -> list[int]:
    return [site["pending"], site["draft"], site["back"], site["rejected"]]


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_a_read_token_sees_no_unpublished_entry_nor_open_results(scope_site, role):
    site, client = scope_site, TestClient(scope_site["app"], raise_server_exceptions=False)
    read = token(site["store"], role, ["read"])
    for sub_id in _unpublished(site):
        assert client.get(f"/api/v1/submissions/{sub_id}", headers=read).status_code == 404, sub_id
        assert client.get(f"/submissions/{sub_id}", headers=read).status_code == 404, sub_id
    listed = client.get("/api/v1/submissions", headers=read).json()
    assert [x["id"] for x in listed] == [site["approved"]]
    for state in ("draft", "submitted", "changes_requested", "rejected"):
        assert client.get("/api/v1/submissions", params={"status": state}, headers=read).json() == [], state
        html = client.get("/submissions", params={"status": state}, headers=read).text
        assert not any(title in html for title in HIDDEN), state
    html = client.get("/submissions", headers=read).text
    assert "Community networks" in html and not any(title in html for title in HIDDEN)
    assert client.get("/moderation", headers=read).status_code == 403
    assert client.get(f"/api/v1/audit/submissions/{site['pending']}", headers=read).status_code == 403
    # The vote is open: its results are for whoever acts as an admin, not for a read token.
    cycle = site["cycle"]
    for path in (f"/api/v1/prizes/{cycle}/results", f"/prizes/{cycle}/results"):
        r = client.get(path, headers=read)
        assert r.status_code == 403 and "published when the vote closes" in r.text, path


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_a_review_token_sees_what_its_reviewer_sees(scope_site, role):
    site, client = scope_site, TestClient(scope_site["app"], raise_server_exceptions=False)
    review = token(site["store"], role, ["read", "review"])
    for sub_id in _unpublished(site):
        r = client.get(f"/api/v1/submissions/{sub_id}", headers=review)
        assert r.status_code == 200 and r.json()["owner"] == "owner", sub_id  # the private fields too
        page = client.get(f"/submissions/{sub_id}", headers=review)
        assert page.status_code == 200 and "History" in page.text
    assert len(client.get("/api/v1/submissions", headers=review).json()) == 5
    assert "Pending entry" in client.get("/moderation", headers=review).text
    results = client.get(f"/api/v1/prizes/{site['cycle']}/results", headers=review)
    assert results.status_code == 403  # a review token acts as a reviewer, even an admin's
    if role == "admin":
        full = token(site["store"], "admin", ["admin"])
        assert client.get(f"/api/v1/prizes/{site['cycle']}/results", headers=full).status_code == 200
        assert client.get(f"/prizes/{site['cycle']}/results", headers=full).status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_a_read_token_may_do_no_more_than_read_what_a_viewer_reads(site1, role):
    """The platform's matrix with a reviewer's or an admin's read token: allowed only what is
    open to anyone, and what a viewer may read (GET); every other write and view is refused."""
    client = TestClient(site1["app"], raise_server_exceptions=False)
    read = token(site1["store"], role, ["read"])
    failures = []
    for method, path, least, data in routes(site1):
        if method == "GET":
            r = client.get(path, headers=read, follow_redirects=False)
        elif "json" in data:
            r = client.post(path, json=data["json"], headers=read, follow_redirects=False)
        else:
            r = client.post(path, data=data, headers=read, follow_redirects=False)
        allowed = least == "anonymous" or (least == "viewer" and method == "GET")
        if allowed == _denied(r):
            failures.append(f"{method} {path}: {r.status_code} (least role {least})")
    assert not failures, "\n".join(failures)


def test_the_owner_sees_their_own_entries_with_any_token(scope_site):
    client = TestClient(scope_site["app"], raise_server_exceptions=False)
    read = token(scope_site["store"], "owner", ["read"])
    for sub_id in _unpublished(scope_site):
        assert client.get(f"/api/v1/submissions/{sub_id}", headers=read).status_code == 200
    assert len(client.get("/api/v1/submissions", headers=read).json()) == 5
    other = token(scope_site["store"], "contributor", ["read", "submit"])
    assert [x["id"] for x in client.get("/api/v1/submissions", headers=other).json()] == [scope_site["approved"]]


def test_a_read_token_neither_votes_nor_manages_tokens(site1):
    site, client = site1, TestClient(site1["app"], raise_server_exceptions=False)
    cycle, vote = site["cycle"], {"nomination_id": str(site["nomination"])}
    r = client.post(f"/prizes/{cycle}/vote", data=vote, headers=token(site["store"], "viewer", ["read"]),
                    follow_redirects=False)
    assert r.status_code == 403 and "read-only API token cannot vote" in r.text
    admin_read = token(site["store"], "admin", ["read"])
    assert client.post(f"/prizes/{cycle}/vote", data=vote, headers=admin_read).status_code == 403
    with site["store"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(Vote)) == 0
    # A token beyond read may vote (the submit scope is the least that writes).
    r = client.post(f"/prizes/{cycle}/vote", data=vote, follow_redirects=False,
                    headers=token(site["store"], "contributor", ["read", "submit"]))
    assert r.status_code == 303
    # Tokens are made and revoked in a signed-in browser only, whatever the token's scopes.
    tokens = [token(site["store"], "admin", scopes) for scopes in (["read"], list(accounts.SCOPES))]
    with site["store"].transaction() as s:
        victim = s.scalar(select(ApiToken.id).where(ApiToken.user_id == accounts.get_user(s, "admin").id))
        before = s.scalar(select(func.count()).select_from(ApiToken))
    for scopes, headers in zip((["read"], list(accounts.SCOPES)), tokens, strict=True):
        r = client.post("/account/tokens", data={"name": "more", "scopes": "read"}, headers=headers)
        assert r.status_code == 403 and "signed-in browser" in r.text, scopes
        r = client.post(f"/account/tokens/{victim}/revoke", data={}, headers=headers)
        assert r.status_code == 403, scopes
    with site["store"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(ApiToken)) == before
        assert s.get(ApiToken, victim).revoked_at is None
    assert client.get("/api/v1/me", headers=admin_read).status_code == 200
    admin = site["clients"]["admin"]  # the browser session still may
    r = admin.post("/account/tokens", data={"csrf_token": admin.csrf, "name": "ok", "scopes": "read"})
    assert r.status_code == 200 and "sdgm_" in r.text
    r = admin.post(f"/account/tokens/{victim}/revoke", data={"csrf_token": admin.csrf}, follow_redirects=False)
    assert r.status_code == 303 and client.get("/api/v1/me", headers=admin_read).status_code == 401


def test_the_edit_form_of_an_entry_that_cannot_be_edited_is_refused_like_its_post(site1):
    site, owner, admin = site1, login(site1["app"], "owner"), site1["clients"]["admin"]
    site.update(add_unpublished(site))
    form = {"title": "Changed", "organisation": "Changed", "action": "draft"}
    for sub_id, state in ((site["pending"], "submitted"), (site["approved"], "approved"),
                          (site["rejected"], "rejected")):
        for client in (owner, admin):
            shown = client.get(f"/submissions/{sub_id}/edit")
            saved = client.post(f"/submissions/{sub_id}/edit", data={"csrf_token": client.csrf, **form})
            for r in (shown, saved):
                assert r.status_code == 409, (sub_id, r.status_code)
                assert f"a {state} submission cannot be edited" in r.text
                assert 'name="title"' not in r.text and f'href="/submissions/{sub_id}"' in r.text
    for sub_id in (site["draft"], site["back"]):  # editable: the form
        r = owner.get(f"/submissions/{sub_id}/edit")
        assert r.status_code == 200 and 'name="title"' in r.text
    reviewer = site["clients"]["reviewer"]  # not the owner: refused before the state matters
    assert reviewer.get(f"/submissions/{site['draft']}/edit").status_code == 403
    with site["store"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(Submission).where(Submission.title == "Changed")) == 0


def test_nobody_decides_on_their_own_entry(site1):
    site = site1
    for role in ("reviewer", "admin"):
        me = site["clients"][role]
        r = me.post("/api/v1/submissions", json=PROJECT | {"title": f"Own entry of the {role}", "submit": True},
                    headers={"X-CSRF-Token": me.csrf})
        assert r.status_code == 201, r.text
        own = r.json()["id"]
        page = me.get(f"/submissions/{own}").text
        assert 'value="approve"' not in page and "another reviewer decides" in page
        for decision in ("approve", "reject", "request_changes"):
            r = me.post(f"/submissions/{own}/decision", data={"csrf_token": me.csrf, "decision": decision,
                                                              "comment": "fine"}, follow_redirects=False)
            assert r.status_code == 403 and "your own submission" in r.text, (role, decision)
        with site["store"].transaction() as s:
            assert s.get(Submission, own).status == "submitted"
        other = site["clients"]["admin" if role == "reviewer" else "reviewer"]
        assert 'value="approve"' in other.get(f"/submissions/{own}").text
        r = other.post(f"/submissions/{own}/decision", data={"csrf_token": other.csrf, "decision": "approve"},
                       follow_redirects=False)
        assert r.status_code == 303
        with site["store"].transaction() as s:
            assert s.get(Submission, own).status == "approved"


def test_a_reactivated_account_does_not_get_its_old_tokens_back(site1):
    site, client, admin = site1, TestClient(site1["app"], raise_server_exceptions=False), site1["clients"]["admin"]
    old = token(site["store"], "contributor", ["read", "submit"])
    assert client.get("/api/v1/me", headers=old).status_code == 200
    with site["store"].transaction() as s:
        uid = accounts.get_user(s, "contributor").id
    form = {"csrf_token": admin.csrf, "role": "contributor", "verified": "1"}
    assert admin.post(f"/admin/users/{uid}", data=form, follow_redirects=False).status_code == 303  # off
    assert client.get("/api/v1/me", headers=old).status_code == 401
    assert admin.post(f"/admin/users/{uid}", data=form | {"active": "1"},
                      follow_redirects=False).status_code == 303  # on again
    assert client.get("/api/v1/me", headers=old).status_code == 401
    assert client.post("/api/v1/submissions", json=PROJECT, headers=old).status_code == 401
    with site["store"].transaction() as s:
        assert s.get(User, uid).active
        tok = s.scalar(select(ApiToken).where(ApiToken.user_id == uid))
        assert tok.revoked_at is not None
        event = s.scalar(select(ReviewEvent).where(ReviewEvent.table == "api_tokens", ReviewEvent.row_id == tok.id,
                                                   ReviewEvent.action == "revoke"))
        assert event.actor == "admin" and event.after == {"reason": "account deactivated"}
    new = token(site["store"], "contributor", ["read"])  # a new token works
    assert client.get("/api/v1/me", headers=new).json()["username"] == "contributor"


def test_reactivation_revokes_tokens_left_live_by_an_earlier_deactivation(sqlite_store):
    """An account disabled before deactivation revoked tokens: its live token dies on reactivation."""
    with sqlite_store.transaction() as s:
        user = accounts.create_user(s, "old", role="contributor")
        user.active = False  # as an older version left it: disabled, token still live
        secret, _ = accounts.issue_token(s, user, "t", ["read"], "admin")
    with sqlite_store.transaction() as s:
        accounts.update_user(s, accounts.get_user(s, "old"), "admin", active=True)
    with sqlite_store.transaction() as s:
        assert accounts.token_user(s, secret) is None


# (path, a malformed body, the field names a 422 would have told)
MALFORMED = [
    ("/api/v1/submissions", {"json": {"nope": 1}}, ("title", "organisation")),
    ("/api/v1/suggestions/review", {"json": {"nope": 1}}, ("ids", "action")),
    ("/api/v1/classify", {"json": {"nope": 1}}, ("text",)),
    ("/api/v1/documents", {"data": {"nope": "1"}, "files": {"other": ("a.txt", b"x")}}, ("file",)),
]


def test_authenticate_before_validating(site1):
    site = site1
    anon = TestClient(site["app"], raise_server_exceptions=False)
    for path, body, fields in MALFORMED:
        r = anon.post(path, **body)
        assert r.status_code == 401, (path, r.status_code, r.text[:200])
        assert not any(f in r.text for f in fields), (path, r.text)
    viewer = site["clients"]["viewer"]  # signed in, not allowed: 403, still not the fields
    for path, body, fields in MALFORMED:
        if path == "/api/v1/classify":  # an account's: the viewer may call it
            continue
        r = viewer.post(path, headers={"X-CSRF-Token": viewer.csrf}, **body)
        assert r.status_code == 403, (path, r.status_code, r.text[:200])
        assert not any(f in r.text for f in fields), (path, r.text)
    read = token(site["store"], "admin", ["read"])
    for path, body, _ in MALFORMED[:2]:
        assert TestClient(site["app"]).post(path, headers=read, **body).status_code == 403, path
    # A body that is not JSON at all: FastAPI parses it before any dependency; still 401/403.
    for path in ("/api/v1/suggestions/review", "/api/v1/classify", "/api/v1/submissions"):
        r = anon.post(path, content=b"{not json", headers={"Content-Type": "application/json"})
        assert r.status_code == 401, (path, r.status_code, r.text[:200])
        assert "JSON" not in r.text, (path, r.text)
    r = viewer.post("/api/v1/submissions", content=b"{not json",
                    headers={"Content-Type": "application/json", "X-CSRF-Token": viewer.csrf})
    assert r.status_code == 403, r.text[:200]
    # Allowed callers still get the 422 that names the field.
    r = viewer.post("/api/v1/classify", json={"nope": 1}, headers={"X-CSRF-Token": viewer.csrf})
    assert r.status_code == 422 and "text" in r.text


def test_single_user_mode_still_validates_open_writes(sqlite_store):
    client = TestClient(create_app(sqlite_store), raise_server_exceptions=False)
    for path, body, fields in MALFORMED[1:3]:
        r = client.post(path, **body)
        assert r.status_code == 422 and any(f in r.text for f in fields), (path, r.status_code, r.text[:200])
    # The upload reads its form only after the CSRF check; with the token, a form without a
    # file is named as such.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/documents").text).group(1)
    path, body, _ = MALFORMED[3]
    r = client.post(path, data={**body["data"], "csrf_token": csrf}, files=body["files"])
    assert r.status_code == 400 and "file" in r.text.lower(), (r.status_code, r.text[:200])
