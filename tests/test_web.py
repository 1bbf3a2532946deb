"""Pages and JSON API through FastAPI's TestClient on both backends: content, bad input, writes."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sdgmap.store.models import ActivityLink, Document, ReviewEvent
from sdgmap.web import create_app
from webdata import build


@pytest.fixture
def site(store):
    ids = build(store)
    app = create_app(store)
    app.state.classify_semantic = False  # lexical layer only: fast and offline
    with TestClient(app) as client:
        yield client, store, ids


def csrf(client) -> str:
    client.get("/review")
    return client.cookies.get("sdgmap_csrf")


PAGES = ["/", "/mapping", "/mapping?sdg_level=target&suggested=0", "/matrix", "/matrix?basis=framework",
         "/matrix?basis=framework&al=C2&goal=9", "/matrix?al=C2&goal=4", "/interlinkages", "/trends",
         "/frameworks", "/frameworks/wsis", "/node/sdg:9", "/node/sdg:9.c", "/node/wsis:C5",
         "/node/itu-sp-2020:D.2", "/activities", "/activities?q=broadband&sdg=4&sort=year&order=desc",
         "/review", "/classify", "/documents"]


def test_pages_render_with_their_content(site):
    client, _, ids = site
    for path in PAGES:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert r.headers["content-type"].startswith("text/html")
        assert "<main id=\"main\">" in r.text
    home = client.get("/").text
    assert "Industry, innovation and infrastructure" in home and "#FD6925" in home.upper()
    page = client.get(f"/activities/{ids['broadband']}").text
    assert "Broadband for schools" in page
    assert "<mark" in page and "women&#39;s participation in ICT careers</mark>" in page
    assert "sdg:5" in page and "Accept" in page
    found = client.get("/activities?q=guide").text
    assert "Cybersecurity guide" in found and "Broadband for schools" not in found
    # the guide's SDG 9 rests only on a suggestion: marked apart from its stated SDG 16
    assert 'title="suggested by the classifier, not yet reviewed">SDG 9?</a>' in found
    assert 'href="/node/sdg:16">SDG 16</a>' in found
    mapping = client.get("/mapping").text
    assert 'href="/activities?action_line=C2&amp;sdg=4"' in mapping


def test_api_matches_pages(site):
    client, _, ids = site
    r = client.get("/api/v1/activities", params={"sdg": 9, "facets": "true"})
    body = r.json()
    assert body["total"] == 2 and {a["title"] for a in body["items"]} == {"Broadband for schools", "Cybersecurity guide"}
    assert {f["value"] for f in body["facets"]["type"]} == {"project", "publication"}
    one = client.get(f"/api/v1/activities/{ids['ehealth']}").json()
    assert one["action_lines"] == ["C7.e-hea"] and one["sdgs"] == [3] and one["suggested_sdgs"] == []
    guide = client.get(f"/api/v1/activities/{ids['cyber']}").json()
    assert guide["sdgs"] == [9, 16] and guide["suggested_sdgs"] == [9]
    assert client.get("/api/v1/frameworks").json()
    assert client.get("/api/v1/nodes/wsis:C5").json()["title"].startswith("Building confidence")
    assert client.get("/api/v1/links", params={"node": "itu-sp-2020:D.2"}).json()["derived"]
    assert client.get("/api/v1/analytics/overview").json()["activities"] == 3
    assert client.get("/api/v1/analytics/sankey").json()["links"]
    assert client.get("/api/v1/analytics/matrix?basis=framework").json()["cells"]
    assert client.get("/api/v1/analytics/network").json()["edges"]
    assert client.get("/api/v1/analytics/trends").json()["years"] == [2020, 2021]
    assert client.get("/api/v1/documents").json()[0]["activities"] == 3
    assert "NO TEXT" not in client.get(f"/api/v1/documents/{ids['doc']}?text=true").json()["text"]
    assert client.get("/api/v1/suggestions").json()["total"] == 2
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/activities" in spec["paths"] and "/api/v1/suggestions/review" in spec["paths"]
    docs = client.get("/api/v1/docs").text  # Swagger UI from our own static files: works offline
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert "/static/vendor/swagger/swagger-ui-bundle.js" in assets
    assert all(a.startswith("/") for a in assets) and "/api/v1/openapi.json" in docs
    for asset in assets:
        assert client.get(asset).status_code == 200


def test_exports(site):
    client, store, ids = site
    with store.transaction() as s:  # a cell that a spreadsheet would run as a formula
        s.get(ActivityLink, ids["sugg_cyber"]).activity.title = "=HYPERLINK(\"x\")"
    r = client.get("/activities/export.csv?type=publication")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0]["title"].startswith("'=")
    # the guide's goal 9 rests only on an unreviewed suggestion: a separate column says so
    assert rows[0]["sdgs"] == "9; 16" and rows[0]["suggested_sdgs"] == "9"
    data = json.loads(client.get("/activities/export.json?sdg=9").text)
    assert len(data["items"]) == 2 and data["filters"] == {"sdg": "9"}
    assert len(json.loads(client.get("/api/v1/activities/export?format=json").text)["items"]) == 3


BAD_PAGES = [
    ("/activities/999999", 404), ("/activities/abc", 400), ("/activities?page=500", 404),
    ("/activities?page=99999999999", 400), ("/activities?year=abc", 400), ("/activities?sdg=18", 400),
    ("/activities?target=<b>", 400), ("/activities?sort=evil", 400), ("/activities?kind=x", 400),
    ("/node/sdg:99", 404), ("/node/nonsense", 404), ("/frameworks/nope", 404), ("/matrix?al=X1", 400),
    ("/matrix?basis=both", 400), ("/mapping?level=nope", 400), ("/review?min_confidence=abc", 400),
    ("/documents/77777", 404), ("/no/such/page", 404),
]


BAD_API = [
    ("/api/v1/activities/999999", 404), ("/api/v1/activities/abc", 422), ("/api/v1/activities?sdg=0", 400),
    ("/api/v1/activities?page=100", 404), ("/api/v1/nodes/sdg:99", 404), ("/api/v1/links?node=x", 404),
    ("/api/v1/suggestions?min_confidence=5", 422), ("/api/v1/nope", 404),
    ("/api/v1/analytics/sankey?strategy=nope", 400), ("/api/v1/analytics/sankey?level=x", 400),
]


def test_bad_input_gets_a_clear_4xx_never_a_traceback(site):
    client, _, _ = site
    for path, status in BAD_PAGES:
        r = client.get(path)
        assert r.status_code == status, path
        assert r.headers["content-type"].startswith("text/html")
        assert "Traceback" not in r.text and "<b>" not in r.text.split("<main", 1)[1]
    for path, status in BAD_API:
        r = client.get(path)
        assert r.status_code == status, path
        assert r.json()["error"]["message"]
    evil = "<script>alert(1)</script>"
    r = client.get("/activities", params={"q": evil, "partner": evil})
    assert r.status_code == 200
    assert evil not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert client.get("/api/v1/activities", params={"q": evil}).json()["total"] == 0


def test_nul_characters_are_refused_not_crashing(site):
    client, store, ids = site
    for path in ("/activities?type=a%00b", "/node/sdg:9%00", "/activities?partner=%00",
                 "/api/v1/activities?entity=x%00"):
        assert client.get(path).status_code == 400, path
    token = csrf(client)
    r = client.post("/review", data={"do": f"accept:{ids['sugg_cyber']}", "reviewer": "A\x00na",
                                     "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    with store.transaction() as s:
        assert s.get(ActivityLink, ids["sugg_cyber"]).reviewed_by == "Ana"


def test_script_in_stored_data_is_escaped(site):
    client, store, ids = site
    with store.transaction() as s:
        s.get(ActivityLink, ids["sugg_cyber"]).activity.title = "<img src=x onerror=alert(1)>"
    for path in (f"/activities/{ids['cyber']}", "/activities", "/review"):
        text = client.get(path).text
        assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_review_needs_csrf_and_records_who(site):
    client, store, ids = site
    link = ids["sugg_broadband"]
    r = client.post("/review", data={"do": f"accept:{link}", "reviewer": "Ana"})
    assert r.status_code == 403
    client.cookies.set("sdgmap_csrf", "other" * 8)
    r = client.post("/review", data={"do": f"accept:{link}", "reviewer": "Ana", "csrf_token": "forged" * 8})
    assert r.status_code == 403
    client.cookies.clear()
    with store.transaction() as s:
        assert s.get(ActivityLink, link).review == "unverified"
    token = csrf(client)
    r = client.post("/review", data={"do": f"accept:{link}", "reviewer": "Ana <b>", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303
    with store.transaction() as s:
        lk = s.get(ActivityLink, link)
        assert (lk.review, lk.reviewed_by) == ("accepted", "Ana <b>")
        ev = s.scalars(select(ReviewEvent)).one()
        assert (ev.actor, ev.action, ev.before["review"], ev.after["review"]) == ("Ana <b>", "accept", "unverified", "accepted")
    page = client.get(f"/activities/{ids['broadband']}").text
    assert "Ana &lt;b&gt;" in page and "Ana <b>" not in page
    # the name is remembered for the next decision, escaped like everything else
    assert 'name="reviewer" value="Ana &lt;b&gt;"' in client.get("/review").text


def test_bulk_review_and_edit_are_all_or_nothing(site):
    client, store, ids = site
    token = csrf(client)
    both = [str(ids["sugg_broadband"]), str(ids["sugg_cyber"])]
    r = client.post("/review", data={"action": "reject", "ids": both + ["424242"], "csrf_token": token})
    assert r.status_code == 400 and "424242" in r.text
    r = client.post("/review", data={"action": "edit", "ids": both, "node": "sdg:9.c", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303
    with store.transaction() as s:
        states = {lk.review for lk in s.scalars(select(ActivityLink).where(ActivityLink.kind == "suggested"))}
        assert states == {"edited"}
        assert s.scalar(select(func.count()).select_from(ReviewEvent)) == 2
    r = client.post("/review", data={"action": "bogus", "ids": both, "csrf_token": token})
    assert r.status_code == 400
    r = client.post("/review", data={"action": "accept", "ids": ["1 OR 1=1"], "csrf_token": token})
    assert r.status_code == 400


def test_api_review(site):
    client, store, ids = site
    body = {"ids": [ids["sugg_cyber"]], "action": "reject", "reviewer": "api-user"}
    assert client.post("/api/v1/suggestions/review", json=body).status_code == 403
    token = csrf(client)
    r = client.post("/api/v1/suggestions/review", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["changed"][0]["review"] == "rejected"
    r = client.post("/api/v1/suggestions/review", json={**body, "action": "explode"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 422
    assert client.get("/api/v1/suggestions").json()["total"] == 1


def test_upload(site):
    pytest.importorskip("sdgmap.ingest")
    client, store, _ = site
    token = csrf(client)
    files = {"file": ("bad.exe", b"MZ\x00\x00", "application/octet-stream")}
    assert client.post("/documents", files=files, data={"csrf_token": token}).status_code == 415
    files = {"file": ("note.txt", b"", "text/plain")}
    assert client.post("/documents", files=files, data={"csrf_token": token}).status_code == 400
    client.app.state.upload_limit = 1000
    files = {"file": ("big.txt", b"x" * 5000, "text/plain")}
    r = client.post("/documents", files=files, data={"csrf_token": token})
    assert r.status_code == 413 and "big.txt" in r.text
    client.app.state.upload_limit = 5_000_000
    files = {"file": ("<script>x</script>.txt", b"hello", "text/plain")}
    assert client.post("/documents", files=files).status_code == 403  # no token
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 1
    text = (b"ITU report 2022\n\nThe Regional Forum on <script>alert(1)</script> digital skills took place in "
            b"Nairobi in March 2022 and contributed to SDG 4 and WSIS Action Line C4.\n")
    r = client.post("/documents", files={"file": ("forum.txt", text, "text/plain")},
                    data={"csrf_token": token, "entity": "ITU"})
    assert r.status_code == 200, r.text[:500]
    assert "forum.txt was ingested" in r.text
    with store.transaction() as s:
        doc = s.scalars(select(Document).where(Document.filename == "forum.txt")).one()
    page = client.get(f"/documents/{doc.id}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_classify_api(site):
    pytest.importorskip("sdgmap.classify.classifier")
    client, _, _ = site
    r = client.post("/api/v1/classify", json={"text": "Affordable broadband internet access in least developed countries"})
    assert r.status_code == 200 and "sdgs" in r.json()
    assert client.post("/api/v1/classify", json={"text": ""}).status_code == 422


def test_signed_in_reviewer_is_recorded_by_account_name(site):
    accounts = pytest.importorskip("sdgmap.platform.accounts")
    import re

    client, store, ids = site
    accounts.configure_hashing("test")
    with store.transaction() as s:
        accounts.create_user(s, "rita", password="correct horse battery", role="reviewer", verified=True)
    login_page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    r = client.post("/login", data={"csrf_token": token, "username": "rita",
                                    "password": "correct horse battery"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/review").text
    assert "Reviewing as <b>rita</b>" in page
    # signed in, the form carries the session's token; the anonymous cookie token no longer counts
    r = client.post("/review", data={"do": f"reject:{ids['sugg_cyber']}", "reviewer": "someone else",
                                     "csrf_token": client.cookies.get("sdgmap_csrf")}, follow_redirects=False)
    assert r.status_code == 403
    session_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/review", data={"do": f"reject:{ids['sugg_cyber']}", "reviewer": "someone else",
                                     "csrf_token": session_token}, follow_redirects=False)
    assert r.status_code == 303
    with store.transaction() as s:
        assert s.get(ActivityLink, ids["sugg_cyber"]).reviewed_by == "rita"


def test_classify_page_explains_and_rejects_bad_input(site):
    client, store, _ = site
    token = csrf(client)
    before = store.engine.connect().execute(select(func.count()).select_from(ActivityLink)).scalar()
    text = "Mobile broadband for rural schools, paid by the universal service fund. See SDG 4."
    r = client.post("/classify", data={"text": text, "csrf_token": token})
    assert r.status_code == 200
    assert "SDG 4" in r.text and "names SDG 4" in r.text  # the reference layer's evidence
    assert re.search(r"<mark[^>]*>schools</mark>", r.text)  # a keyword span, marked
    assert "layers: reference, lexical" in r.text
    # nothing is saved
    after = store.engine.connect().execute(select(func.count()).select_from(ActivityLink)).scalar()
    assert after == before
    # no SDG is an answer, not an error
    r = client.post("/classify", data={"text": "The minutes of the last meeting were approved.",
                                       "csrf_token": token})
    assert r.status_code == 200 and "No SDG" in r.text
    # hostile and bad input: escaped, or a clear message with the form kept
    r = client.post("/classify", data={"text": "<script>alert(1)</script> clean water", "csrf_token": token})
    assert r.status_code == 200 and "<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text
    r = client.post("/classify", data={"text": "   ", "csrf_token": token})
    assert r.status_code == 400 and "Paste or type some text" in r.text
    r = client.post("/classify", data={"text": "water " * 10_000, "csrf_token": token})
    assert r.status_code == 400 and "60,000 characters; at most 50,000" in r.text
    r = client.post("/classify", data={"text": text, "csrf_token": "forged" * 8})
    assert r.status_code == 403
