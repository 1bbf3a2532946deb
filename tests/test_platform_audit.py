"""Every change leaves an audit event in ``review_events``: ingest (one event per written
document, with counts), framework import, suggestion runs, uploads through the web app
under the signed-in account, and role changes by an admin. (Backup restores: see
``test_backup_round_trip``; link reviews: ``test_web.py``.)"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from sdgmap.cli import cli
from sdgmap.platform import accounts
from sdgmap.store.models import Document, ReviewEvent
from sdgmap.web import create_app
from test_platform_web import PW, csrf_of, login

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def _events(store, table: str, action: str) -> list[ReviewEvent]:
    with store.transaction() as s:
        return list(s.scalars(select(ReviewEvent).where(ReviewEvent.table == table, ReviewEvent.action == action)
                              .order_by(ReviewEvent.id)))


def _cli(store, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", store.url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_ingest_import_and_suggest_are_audited(sqlite_store, seed_paths):
    store = sqlite_store
    _cli(store, "ingest", str(seed_paths[0]), str(seed_paths[2]))
    events = _events(store, "documents", "ingest")
    with store.transaction() as s:
        docs = {d.id: d.filename for d in s.scalars(select(Document))}
    assert sorted(e.row_id for e in events) == sorted(docs)  # one per written document
    first = events[0]
    assert first.actor.startswith("cli") and first.after["file"] == docs[first.row_id]
    assert first.after["activities_total"] > 0 and first.after["links"] > 0 and "mentions" in first.after
    _cli(store, "ingest", str(seed_paths[0]))  # unchanged: nothing written, nothing audited
    assert len(_events(store, "documents", "ingest")) == 2

    _cli(store, "frameworks", "import", str(EXAMPLES / "national-digital-strategy.yaml"))
    (imported,) = _events(store, "frameworks", "import")
    assert imported.after["framework"] and imported.after["nodes"] > 0 and imported.actor.startswith("cli")

    _cli(store, "suggest", "--lexical")
    (run,) = _events(store, "activity_links", "suggest")
    assert run.after["created"] > 0 and run.after["method"].startswith("classifier:")
    assert run.after["filter"] == {"year": None, "type": None, "min_score": None}
    # ... and each suggested link it wrote has its own history
    created = _events(store, "activity_links", "create")
    assert len(created) == run.after["created"]
    assert created[0].after["kind"] == "suggested" and created[0].actor == run.actor


def test_operation_trails_are_viewable(sqlite_store, seed_paths):
    """Ingests (per document), framework imports (row 0) can be read back on the audit page and API."""
    store = sqlite_store
    with store.transaction() as s:
        accounts.create_user(s, "rev", password=PW, role="reviewer", verified=True)
    _cli(store, "ingest", str(seed_paths[0]))
    _cli(store, "frameworks", "import", str(EXAMPLES / "national-digital-strategy.yaml"))
    (doc,) = _events(store, "documents", "ingest")
    rev = login(create_app(store), "rev")
    trail = rev.get(f"/api/v1/audit/documents/{doc.row_id}").json()
    assert [e["action"] for e in trail] == ["ingest"] and trail[0]["after"]["activities_total"] > 0
    page = rev.get("/audit/frameworks/0")
    assert page.status_code == 200 and "import" in page.text
    assert rev.get("/audit/frameworks/-1").status_code == 422


def test_web_upload_and_role_change_name_the_account(sqlite_store):
    store = sqlite_store
    with store.transaction() as s:
        accounts.create_user(s, "rev", password=PW, role="reviewer", verified=True)
        accounts.create_user(s, "boss", password=PW, role="admin", verified=True)
        target = accounts.create_user(s, "someone", password=PW, role="viewer", verified=True).id
    app = create_app(store)
    rev = login(app, "rev")
    files = {"file": ("note.txt", b"Year of submission: 2024. SDG 9 broadband for schools.", "text/plain")}
    r = rev.post("/documents", data={"csrf_token": csrf_of(rev.get("/documents").text)}, files=files)
    assert r.status_code == 200, r.text[:300]
    (upload,) = _events(store, "documents", "ingest")
    assert upload.actor == "rev" and upload.after["file"] == "note.txt"

    boss = login(app, "boss")
    r = boss.post(f"/admin/users/{target}", data={"csrf_token": boss.csrf, "role": "reviewer", "active": "1"},
                  follow_redirects=False)
    assert r.status_code in (200, 303), r.text[:300]
    changes = [e for e in _events(store, "users", "update") if e.row_id == target]
    assert [(e.actor, e.before.get("role"), e.after.get("role")) for e in changes] == [("boss", "viewer", "reviewer")]
    history = boss.get(f"/api/v1/audit/users/{target}").json()
    assert [e["action"] for e in history] == ["create", "update"]


def test_single_user_upload_is_audited_as_anonymous(sqlite_store):
    client = TestClient(create_app(sqlite_store))
    client.get("/")
    files = {"file": ("memo.txt", b"Year of submission: 2023. WSIS C7 e-health for clinics.", "text/plain")}
    assert client.post("/api/v1/documents", data={"csrf_token": client.cookies.get("sdgmap_csrf")},
                       files=files).status_code == 200
    assert [e.actor for e in _events(sqlite_store, "documents", "ingest")] == ["anonymous"]
