"""Who may review and upload: anyone in single-user mode (no accounts), reviewers only once
accounts exist. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sdgmap.platform import accounts
from sdgmap.web import create_app

# test_platform_web also sets the cheap argon2 profile for these tests
from test_platform_web import PW, csrf_of, login


def web_csrf(client: TestClient) -> str:
    """The token a page puts into its forms (the session's when signed in, else the
    double-submit cookie's)."""
    return csrf_of(client.get("/documents").text)


def _post_review(client: TestClient):
    return client.post("/review", data={"csrf_token": web_csrf(client), "action": "accept", "ids": ["999999"]},
                       follow_redirects=False)


def _upload(client: TestClient):
    files = {"file": ("note.txt", b"Year of submission: 2024. SDG 9 broadband for schools.", "text/plain")}
    return client.post("/documents", data={"csrf_token": web_csrf(client)}, files=files)


def test_single_user_mode_lets_anyone_review(store):
    client = TestClient(create_app(store), raise_server_exceptions=False)
    assert client.get("/review").status_code == 200
    assert _post_review(client).status_code in (303, 400, 404)  # reaches the review logic


def test_accounts_make_review_and_upload_need_a_reviewer(store):
    with store.transaction() as s:
        accounts.create_user(s, "rev", password=PW, role="reviewer", verified=True)
        accounts.create_user(s, "con", password=PW, role="contributor", verified=True)
    app = create_app(store)
    anon = TestClient(app, raise_server_exceptions=False)
    r = anon.get("/review?state=accepted", follow_redirects=False)  # a page: off to log in
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Freview%3Fstate%3Daccepted"
    assert anon.get("/api/v1/suggestions").status_code == 401
    assert _post_review(anon).status_code == 401
    assert _upload(anon).status_code == 401
    con = login(app, "con")
    assert con.get("/review").status_code == 403
    assert _post_review(con).status_code == 403
    assert _upload(con).status_code == 403
    rev = login(app, "rev")
    assert rev.get("/review").status_code == 200
    assert _post_review(rev).status_code in (303, 400, 404)
    assert _upload(rev).status_code == 200
