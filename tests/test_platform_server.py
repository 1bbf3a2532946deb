"""Against real processes: double votes sent in parallel to two server processes sharing one
database, and a process killed in the middle of an ingest (the database stays intact and
consistent, and the ingest can simply be run again). On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from sdgmap.frameworks.builtin import open_store
from sdgmap.platform import accounts, prizes
from sdgmap.platform import submissions as subs
from sdgmap.store import Store
from sdgmap.store.models import Activity, ActivitySource, Document, Mention, utcnow
from sdgmap.store.platform_models import Vote
from webserver import serve_process

PW = "correct horse battery"
os.environ["SDGMAP_ARGON2_PROFILE"] = "test"  # inherited by the server processes
accounts.configure_hashing("test")
ENV = os.environ | {"SDGMAP_ARGON2_PROFILE": "test"}


def _serve(url: str) -> tuple[subprocess.Popen, str]:
    return serve_process(url, env=ENV)


def _login(base: str, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"csrf_token": token, "username": username, "password": PW})
    assert r.status_code == 303, r.text[:300]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text).group(1)
    return client, csrf


def test_parallel_double_votes_across_two_servers(store: Store):
    with store.transaction() as s:
        admin = accounts.create_user(s, "admin", password=PW, role="admin", verified=True)
        owner = accounts.create_user(s, "owner", password=PW, role="contributor", verified=True)
        for i in range(3):
            accounts.create_user(s, f"voter{i}", password=PW, role="viewer", verified=True)
        sub = subs.create_draft(s, owner, {"title": "Entry", "organisation": "Org", "description": "d",
                                           "sdgs": {"4": "why"}})
        subs.submit(s, sub, owner, use_classifier=False)
        subs.decide(s, sub, admin, "approve")
        now = utcnow()
        cycle = prizes.create_cycle(s, admin, "Cycle", now + timedelta(hours=1), now + timedelta(hours=2),
                                    categories=["Only"])
        nom = prizes.nominate(s, admin, cycle.categories[0].id, sub.id)
        cycle.vote_opens_at = now - timedelta(minutes=1)
        cycle_id, nom_id = cycle.id, nom.id
    servers = [_serve(store.url), _serve(store.url)]
    try:
        clients = []
        for i in range(3):  # each voter's one session is used against both servers
            client, csrf = _login(servers[0][1], f"voter{i}")
            clients.append((f"voter{i}", client.cookies.get("sdgmap_session"), csrf))
        codes: dict[str, list[int]] = {name: [] for name, _, _ in clients}
        barrier = threading.Barrier(len(clients) * 8)

        def vote(name: str, cookie: str, csrf: str, base: str) -> None:
            with httpx.Client(base_url=base, timeout=60, cookies={"sdgmap_session": cookie}) as c:
                barrier.wait()
                r = c.post(f"/prizes/{cycle_id}/vote", data={"csrf_token": csrf, "nomination_id": nom_id})
                codes[name].append(r.status_code)

        threads = [threading.Thread(target=vote, args=(name, cookie, csrf, servers[k % 2][1]))
                   for name, cookie, csrf in clients for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(10)
    for name, got in codes.items():
        assert sorted(got) == [303] + [409] * 7, (name, got)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Vote)) == 3
        per_user = s.execute(select(Vote.user_id, func.count()).group_by(Vote.user_id)).all()
        assert all(n == 1 for _, n in per_user)


WORKER = """
import sys
from sdgmap.frameworks.builtin import open_store
from sdgmap.ingest import ingest_paths
ingest_paths(open_store(sys.argv[1]), sys.argv[2:], progress=lambda name: print(name, flush=True))
"""


def _files(tmp: Path, seed_paths: list[Path]) -> list[Path]:
    """The five demo reports and four variants (trailing blank lines change the content hash)."""
    out = []
    for copy in range(2):
        for p in seed_paths:
            if copy and p.name.startswith("002"):
                continue
            target = tmp / f"{copy}_{p.name}"
            target.write_bytes(p.read_bytes() + b"\n" * (copy + 1))
            out.append(target)
    return out


def _per_document(store: Store) -> dict[str, tuple[int, int]]:
    with store.transaction() as s:
        docs = s.execute(select(Document.id, Document.sha256)).all()
        return {sha: (s.scalar(select(func.count()).select_from(ActivitySource).where(ActivitySource.document_id == i)),
                      s.scalar(select(func.count()).select_from(Mention).where(Mention.document_id == i)))
                for i, sha in docs}


def _totals(store: Store) -> dict[str, int]:
    with store.transaction() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Document, Activity, ActivitySource, Mention)}


def test_kill_during_ingest_leaves_a_consistent_database(store: Store, tmp_path: Path, seed_paths):
    pytest.importorskip("sdgmap.ingest")
    files = _files(tmp_path, seed_paths)
    reference = open_store(str(tmp_path / "reference.db"))
    from sdgmap.ingest import ingest_paths

    ingest_paths(reference, files)
    expected_docs, expected_totals = _per_document(reference), _totals(reference)
    reference.dispose()
    assert len(expected_docs) == len(files)

    proc = subprocess.Popen([sys.executable, "-c", WORKER, store.url, *map(str, files)], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    written = [proc.stdout.readline() for _ in range(3)]
    proc.send_signal(signal.SIGKILL)  # no clean-up handlers, as in a power cut or OOM kill
    proc.wait(10)
    assert all(written) and proc.returncode == -signal.SIGKILL, proc.stderr.read()[-2000:]

    if store.dialect == "sqlite":  # the file itself: no corruption, no dangling references
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    with store.transaction() as s:  # every activity has its source; no half-written document
        assert s.scalar(select(func.count()).select_from(Activity).where(
            ~Activity.sources.any())) == 0
    found = _per_document(store)
    assert 3 <= len(found) < len(files), "the kill should land in the middle of the batch"
    for sha, counts in found.items():
        assert counts == expected_docs[sha], "a document was committed only in part"

    ingest_paths(store, files)  # the interrupted ingest is simply run again
    assert _totals(store) == expected_totals


def test_server_killed_during_an_upload_leaves_a_consistent_database(store: Store, tmp_path: Path, seed_paths):
    """The server process itself is killed while it ingests an uploaded report: the database
    holds the whole document or none of it, and a restarted server takes the upload again."""
    pytest.importorskip("sdgmap.ingest")
    # A long report (the five seeds, several times over) so that the ingest takes a while.
    body = b"\n\n".join(p.read_bytes() for p in seed_paths * 4)
    before = _totals(store)
    proc, base = _serve(store.url)
    outcome: list[object] = []
    try:
        client = httpx.Client(base_url=base, timeout=60)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/documents").text).group(1)

        def upload() -> None:
            try:
                r = client.post("/documents", data={"csrf_token": token},
                                files={"file": ("long-report.txt", body, "text/plain")})
                outcome.append(r.status_code)
            except httpx.HTTPError as exc:
                outcome.append(exc)

        sender = threading.Thread(target=upload)
        sender.start()
        time.sleep(1.0)  # the body is sent; the ingest is under way
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        sender.join(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert outcome and isinstance(outcome[0], httpx.HTTPError), f"the upload finished first: {outcome}"

    if store.dialect == "sqlite":
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    assert _totals(store) == before  # nothing of the interrupted upload was kept

    proc, base = _serve(store.url)
    try:
        client = httpx.Client(base_url=base, timeout=120)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/documents").text).group(1)
        r = client.post("/documents", data={"csrf_token": token},
                        files={"file": ("long-report.txt", body, "text/plain")})
        assert r.status_code == 200, r.text[:500]
    finally:
        proc.kill()
        proc.wait(10)
    after = _totals(store)
    assert after["documents"] == before["documents"] + 1 and after["activities"] > before["activities"]
