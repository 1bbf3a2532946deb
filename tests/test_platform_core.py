"""The platform core on both backends: accounts, tokens, links, submissions, prizes, audit, backups."""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sdgmap.errors import UserError
from sdgmap.frameworks.builtin import open_store
from sdgmap.platform import accounts, prizes
from sdgmap.platform import submissions as subs
from sdgmap.store import Store, audit, tx
from sdgmap.store.backup import export_all, import_all
from sdgmap.store.models import Activity, ActivityLink, Link, Node, utcnow
from sdgmap.store.platform_models import PrizeCycle, Submission, Vote

PW = "correct horse battery"
# Cheap argon2 parameters keep these tests fast; production uses the recommended ones.
os.environ["SDGMAP_ARGON2_PROFILE"] = "test"
accounts.configure_hashing("test")

PROJECT = {
    "title": "Connecting rural schools",
    "organisation": "Acme Foundation",
    "country": "Kenya",
    "description": "We bring broadband connectivity and digital skills training to rural schools.",
    "action_lines": ["C2", "C4"],
    "sdgs": {"4": "Teachers and pupils gain digital skills.", "9": "New last-mile infrastructure."},
    "partners": ["Ministry of Education", "Local ISP"],
    "website": "https://example.org/schools",
    "project_status": "ongoing",
    "date_start": "2024-01-15",
}


def users(store: Store) -> dict[str, int]:
    with store.transaction() as s:
        out = {}
        for role in ("viewer", "contributor", "reviewer", "admin"):
            out[role] = accounts.create_user(s, role, password=PW, role=role, verified=True).id
        return out


def test_roles_rank_and_passwords(sqlite_store):
    store = sqlite_store  # backend-independent logic
    ids = users(store)
    assert accounts.has_role("admin", "reviewer") and not accounts.has_role("contributor", "reviewer")
    assert not accounts.has_role(None, "viewer")
    with store.transaction() as s:
        u = s.get(accounts.User, ids["contributor"])
        assert u.password_hash.startswith("$argon2id$") and PW not in u.password_hash
        assert accounts.authenticate(s, "CONTRIBUTOR", PW).id == u.id
        with pytest.raises(UserError, match="wrong username or password"):
            accounts.authenticate(s, "contributor", "wrong password!")
        with pytest.raises(UserError, match="wrong username or password"):
            accounts.authenticate(s, "nobody", PW)
        with pytest.raises(UserError, match="password"):
            accounts.create_user(s, "shorty", password="short")
        with pytest.raises(UserError, match="taken"):
            accounts.create_user(s, "Admin", password=PW)
        accounts.update_user(s, u, "admin", active=False)
        with pytest.raises(UserError):
            accounts.authenticate(s, "contributor", PW)


def test_production_hashing_profile():
    from argon2 import PasswordHasher

    assert accounts._make_hasher("").time_cost == PasswordHasher().time_cost
    assert accounts._make_hasher("").hash("x" * 10).startswith("$argon2id$v=19$m=65536,")


def test_session_rotates_and_ends(sqlite_store):
    store = sqlite_store  # backend-independent logic
    ids = users(store)
    with store.transaction() as s:
        u = s.get(accounts.User, ids["viewer"])
        first = accounts.start_session(s, u)
        second = accounts.start_session(s, u, replaces=first.token)
        assert first.token != second.token
        assert accounts.session_user(s, first.token) is None
        assert accounts.session_user(s, second.token)[0].id == u.id
        accounts.end_session(s, second.token)
        assert accounts.session_user(s, second.token) is None


def test_api_tokens_scoped_revocable_hashed(sqlite_store):
    store = sqlite_store  # backend-independent logic
    ids = users(store)
    with store.transaction() as s:
        u = s.get(accounts.User, ids["contributor"])
        secret, tok = accounts.issue_token(s, u, "ci", ["read", "submit"], "admin")
        assert secret not in json.dumps(accounts.token_dict(tok)) and tok.token_hash != secret
        assert accounts.token_user(s, secret) == (u, ["read", "submit"])
        with pytest.raises(UserError, match="scopes"):
            accounts.issue_token(s, u, "x", ["root"], "admin")
        accounts.revoke_token(s, tok.id, u)
        assert accounts.token_user(s, secret) is None


def test_one_time_links(store):
    with store.transaction() as s:
        u = accounts.create_user(s, "invitee", role="contributor")
        token = accounts.issue_link(s, u, "invite", "admin")
        assert not u.verified and u.password_hash is None
        accounts.use_link(s, token, "invite", PW)
        assert u.verified and accounts.authenticate(s, "invitee", PW)
        with pytest.raises(UserError, match="invalid, used or expired"):
            accounts.use_link(s, token, "invite", PW + "x")
        reset = accounts.issue_link(s, u, "reset", "admin")
        with pytest.raises(UserError):  # a reset link is not an invitation
            accounts.use_link(s, reset, "invite", PW)
        link = accounts.peek_link(s, reset, "reset")
        link.expires_at = utcnow() - timedelta(seconds=1)
        with pytest.raises(UserError, match="expired"):
            accounts.use_link(s, reset, "reset", PW)


def _submitted(store: Store, ids, data=PROJECT) -> int:
    with store.transaction() as s:
        owner = s.get(accounts.User, ids["contributor"])
        sub = subs.create_draft(s, owner, dict(data))
        subs.submit(s, sub, owner, use_classifier=False)
        return sub.id


def test_submission_validation_names_the_field(sqlite_store):
    store = sqlite_store  # backend-independent logic
    ids = users(store)
    with store.transaction() as s:
        owner = s.get(accounts.User, ids["contributor"])
        viewer = s.get(accounts.User, ids["viewer"])
        cases = [
            ({"description": "word " * 501}, "description: at most 500 words"),
            ({"title": ""}, "title: required"),
            ({"title": "x" * 301}, "title: at most 300"),
            ({"sdgs": {"18": "x"}}, "sdgs: '18' is not an SDG"),
            ({"action_lines": ["C99"]}, "action_lines: unknown Action Line C99"),
            ({"website": "javascript:alert(1)"}, "website: must be an http"),
            ({"date_start": "2024-13-01"}, "date_start"),
            ({"partners": ["p"] * 51}, "partners: at most 50"),
        ]
        for change, message in cases:
            with pytest.raises(UserError, match=message.replace("(", r"\(")):
                subs.create_draft(s, owner, PROJECT | change)
        with pytest.raises(PermissionError):
            subs.create_draft(s, viewer, PROJECT)
        draft = subs.create_draft(s, owner, PROJECT | {"sdgs": {"4": ""}})  # drafts may be incomplete
        with pytest.raises(UserError, match="SDG 4 needs a short justification"):
            subs.submit(s, draft, owner, use_classifier=False)


def test_moderation_lifecycle_history_and_publication(store):
    ids = users(store)
    sid = _submitted(store, ids)
    with store.transaction() as s:
        sub, rev = s.get(Submission, sid), s.get(accounts.User, ids["reviewer"])
        owner, viewer = s.get(accounts.User, ids["contributor"]), s.get(accounts.User, ids["viewer"])
        assert not subs.can_view(sub, None) and not subs.can_view(sub, viewer)
        assert subs.can_view(sub, owner) and subs.can_view(sub, rev)
        with pytest.raises(PermissionError):
            subs.decide(s, sub, owner, "approve")
        with pytest.raises(UserError, match="comment: required"):
            subs.decide(s, sub, rev, "request_changes")
        subs.decide(s, sub, rev, "request_changes", "Please add partners' roles.")
        subs.update_submission(s, sub, owner, PROJECT | {"title": "Connecting rural schools (phase 2)"})
        subs.submit(s, sub, owner, use_classifier=False)
        subs.decide(s, sub, rev, "approve")
        with pytest.raises(UserError):
            subs.update_submission(s, sub, owner, PROJECT)
        assert subs.can_view(sub, None)
        act = s.get(Activity, sub.activity_id)
        assert act.type == "project" and act.title.endswith("(phase 2)")
        assert sorted(lk.node.ref for lk in act.links) == ["sdg:4", "sdg:9", "wsis:C2", "wsis:C4"]
        actions = [e["action"] for e in audit.history(s, "submissions", sid)]
        assert actions == ["create", "submit", "request_changes", "edit", "submit", "approve"]
        assert audit.history(s, "activities", act.id)[0]["actor"] == "reviewer"
        public = subs.list_submissions(s, None)
        assert [x.id for x in public] == [sid]


def test_flags_duplicates_and_crosswalk(store):
    ids = users(store)
    first = _submitted(store, ids)
    with store.transaction() as s:  # a crosswalk: C2 -> SDG 9 only
        c2 = s.scalar(select(Node).where(Node.framework_id == "wsis", Node.code == "C2"))
        g9 = s.scalar(select(Node).where(Node.framework_id == "sdg", Node.code == "9"))
        s.add(Link(from_id=c2.id, to_id=g9.id, kind="stated", source="test crosswalk"))
    second = _submitted(store, ids, PROJECT | {"organisation": "ACME foundation",
                                               "title": "Connecting rural school"})
    unrelated = _submitted(store, ids, PROJECT | {"organisation": "Other Org"})
    with store.transaction() as s:
        flags = s.get(Submission, second).flags
        kinds = {(f["kind"], f.get("ref")) for f in flags}
        assert ("duplicate", f"submission:{first}") in kinds
        assert ("sdg_outside_crosswalk", "sdg:4") in kinds and ("sdg_outside_crosswalk", "sdg:9") not in kinds
        assert ("action_line_outside_crosswalk", "wsis:C2") not in kinds
        assert not [f for f in s.get(Submission, unrelated).flags if f["kind"] == "duplicate"]
        assert any(f["kind"] == "crosswalk_missing" for f in s.get(Submission, first).flags)


def _cycle(store: Store, ids, opens, closes) -> tuple[int, list[int]]:
    """An approved entry nominated in two categories of a cycle."""
    sid = _submitted(store, ids)
    with store.transaction() as s:
        admin, rev = s.get(accounts.User, ids["admin"]), s.get(accounts.User, ids["reviewer"])
        subs.decide(s, s.get(Submission, sid), rev, "approve")
        now = utcnow()
        cycle = prizes.create_cycle(s, admin, "Prizes", now + timedelta(hours=1), now + timedelta(hours=2),
                                    action_line_categories=True, categories=["Special prize"])
        noms = [prizes.nominate(s, rev, c.id, sid).id for c in cycle.categories[:2]]
        cycle.vote_opens_at, cycle.vote_closes_at = opens, closes
        return cycle.id, noms


def test_vote_window_and_verification(store):
    ids = users(store)
    now = utcnow()
    cid, noms = _cycle(store, ids, now + timedelta(hours=1), now + timedelta(hours=2))
    with store.transaction() as s:
        voter = s.get(accounts.User, ids["viewer"])
        with pytest.raises(prizes.VotingClosed):
            prizes.cast_vote(s, voter, noms[0])
        with pytest.raises(prizes.VotingClosed):
            prizes.cast_vote(s, voter, noms[0], now=now + timedelta(hours=3))
        with pytest.raises(prizes.VotingClosed):
            prizes.results(s, s.get(PrizeCycle, cid), voter)
        voter.verified = False
        with pytest.raises(PermissionError):
            prizes.cast_vote(s, voter, noms[0], now=now + timedelta(hours=1, minutes=1))
        cycle = s.get(PrizeCycle, cid)
        cycle.vote_opens_at = now - timedelta(minutes=1)
        with pytest.raises(UserError, match="nominations are closed"):
            prizes.nominate(s, s.get(accounts.User, ids["reviewer"]), cycle.categories[3].id,
                            s.scalar(select(Submission.id)))


def test_double_votes_under_concurrency(store):
    """Many threads, each its own connection, vote for the same account: exactly one vote counts."""
    ids = users(store)
    now = utcnow()
    cid, noms = _cycle(store, ids, now - timedelta(minutes=1), now + timedelta(hours=1))
    with store.transaction() as s:
        voters = [accounts.create_user(s, f"voter{i}", role="viewer", verified=True).id for i in range(4)]
    outcomes: list[str] = []
    barrier = threading.Barrier(12)

    def vote(user_id: int, nom: int) -> None:
        barrier.wait()

        def work(s):
            return prizes.cast_vote(s, s.get(accounts.User, user_id), nom).id
        try:
            tx.run(store, work)
            outcomes.append(f"ok:{user_id}")
        except prizes.AlreadyVoted:
            outcomes.append(f"dup:{user_id}")

    threads = [threading.Thread(target=vote, args=(ids["viewer"], noms[i % 2])) for i in range(8)]
    threads += [threading.Thread(target=vote, args=(v, noms[0])) for v in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count(f"ok:{ids['viewer']}") == 2  # one per category
    assert outcomes.count(f"dup:{ids['viewer']}") == 6
    assert all(outcomes.count(f"ok:{v}") == 1 for v in voters)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Vote).where(Vote.user_id == ids["viewer"])) == 2
        assert len([e for e in audit.history(s, "votes", 1)]) == 1
        cycle = s.get(PrizeCycle, cid)
        cycle.vote_closes_at = utcnow() - timedelta(seconds=1)
        res = prizes.results(s, cycle)
        first = res[0]["entries"][0]
        assert first["votes"] == 5 and first["award"] == "winner"


def test_rate_limit_holds_under_concurrency(store):
    """Parallel attempts from one address: no more than the limit get through, on either backend."""
    from sdgmap.platform import ratelimit

    limit = ratelimit.LIMITS["login"][0]
    outcomes: list[str] = []
    barrier = threading.Barrier(3 * limit)

    def attempt() -> None:
        barrier.wait()
        try:
            tx.run(store, lambda s: ratelimit.hit(s, "login", "198.51.100.9"), attempts=20)
            outcomes.append("ok")
        except ratelimit.RateLimited:
            outcomes.append("limited")

    threads = [threading.Thread(target=attempt) for _ in range(3 * limit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("ok") == limit
    assert outcomes.count("limited") == 2 * limit


def test_suspicious_report_finds_bursts(store):
    ids = users(store)
    now = utcnow()
    cid, noms = _cycle(store, ids, now - timedelta(minutes=1), now + timedelta(hours=1))
    with store.transaction() as s:
        for i in range(4):
            u = accounts.create_user(s, f"sock{i}", role="viewer", verified=True, ip="203.0.113.7")
            prizes.cast_vote(s, u, noms[0], ip="203.0.113.7")
        report = prizes.suspicious_report(s, s.get(PrizeCycle, cid))
    assert report["account_bursts"][0]["ip"] == "203.0.113.7"
    assert report["account_bursts"][0]["accounts"] == 4 and report["account_bursts"][0]["voted"] == 4
    assert report["shared_vote_addresses"][0]["voters"] == 4
    assert len(report["fast_voters"]) == 4


def test_suspicious_report_shows_a_burst_before_anyone_votes(store):
    ids = users(store)
    now = utcnow()
    cid, _ = _cycle(store, ids, now + timedelta(hours=2), now + timedelta(days=1))
    with store.transaction() as s:
        for i in range(5):
            accounts.create_user(s, f"early{i}", role="viewer", verified=True, ip="192.0.2.44")
        accounts.create_user(s, "loner", role="viewer", verified=True, ip="192.0.2.45")
        report = prizes.suspicious_report(s, s.get(PrizeCycle, cid))
    (burst,) = report["account_bursts"]
    assert burst == {"ip": "192.0.2.44", "accounts": 5, "voted": 0,
                     "usernames": [f"early{i}" for i in range(5)]}


def test_audit_export_formats(sqlite_store):
    store = sqlite_store  # backend-independent logic
    ids = users(store)
    with store.transaction() as s:
        u = s.get(accounts.User, ids["viewer"])
        accounts.update_user(s, u, "=cmd|calc", role="contributor")
        events = audit.history(s, "users", u.id)
    assert [e["action"] for e in events] == ["create", "update"]
    assert events[1]["before"]["role"] == "viewer" and events[1]["after"]["role"] == "contributor"
    text = audit.export(events, "csv")
    assert "'=cmd|calc" in text  # no formula injection into spreadsheets
    assert json.loads(audit.export(events, "json"))[1]["actor"] == "=cmd|calc"


def _dump(path) -> dict:
    import gzip

    data = json.loads(gzip.open(path, "rt").read())
    return data["tables"]


@pytest.fixture
def fresh_target(store, tmp_path):
    """An empty database on the same backend as ``store``, to restore into."""
    if store.dialect == "sqlite":
        target = open_store(str(tmp_path / "restored.db"))
        yield target
        target.dispose()
        return
    from conftest import _drop_pg_database, _pg_database

    url = _pg_database()
    target = open_store(url)
    yield target
    target.dispose()
    _drop_pg_database(url)


def test_backup_round_trip(store, fresh_target, tmp_path, seed_paths):
    from sdgmap.ingest import ingest_paths
    from sdgmap.store.activity_queries import count_activities
    from sdgmap.store.filters import ActivityFilter

    ingest_paths(store, seed_paths)
    ids = users(store)
    now = utcnow()
    cid, noms = _cycle(store, ids, now - timedelta(minutes=1), now + timedelta(hours=1))
    with store.transaction() as s:
        prizes.cast_vote(s, s.get(accounts.User, ids["viewer"]), noms[0], ip="198.51.100.1")
        accounts.issue_token(s, s.get(accounts.User, ids["admin"]), "t", ["read"], "admin")
        searches = {q: count_activities(s, ActivityFilter(text=q)) for q in ("broadband", "cybersecurity")}
    assert all(searches.values())
    first = tmp_path / "a.json.gz"
    counts = export_all(store, first)
    assert counts["votes"] == 1 and counts["users"] == 4 and counts["submissions"] == 1
    assert counts["activities"] > 100 and counts["documents"] == len(seed_paths)
    assert counts["review_events"] > 10 and "api_tokens" not in counts and "web_sessions" not in counts
    tables = _dump(first)
    assert set(r[tables["users"]["columns"].index("password_hash")] for r in tables["users"]["rows"]) == {None}

    with pytest.raises(UserError, match="already has content"):
        import_all(store, first)
    import_all(fresh_target, first)
    second = tmp_path / "b.json.gz"
    export_all(fresh_target, second)
    again = _dump(second)
    events = again.pop("review_events")
    assert again == {k: v for k, v in tables.items() if k != "review_events"}
    # the restore itself is audited: one more event after the restored ones
    assert events["rows"][:-1] == tables["review_events"]["rows"]
    last = dict(zip(events["columns"], events["rows"][-1], strict=True))
    assert (last["table"], last["action"]) == ("database", "import_backup")
    assert last["after"]["file"] == "a.json.gz" and last["after"]["rows"]["votes"] == 1
    with fresh_target.transaction() as s:  # search indexes follow; new rows get fresh ids
        assert {q: count_activities(s, ActivityFilter(text=q)) for q in searches} == searches
        u = accounts.create_user(s, "newcomer", password=PW)
        assert u.id == 5
        assert accounts.session_user(s, "x") is None
        sub = subs.create_draft(s, s.get(accounts.User, ids["contributor"]), PROJECT)
        assert sub.id == 2


def test_backup_is_one_snapshot_while_others_write(store, tmp_path, monkeypatch):
    """A vote cast while the export runs is either wholly in the file or not at all."""
    from sdgmap.store import backup

    ids = users(store)
    now = utcnow()
    _, noms = _cycle(store, ids, now - timedelta(minutes=1), now + timedelta(hours=1))
    real_rows = backup._rows
    written = []

    def rows_then_write(session, table):
        if table.name == "users" and not written:  # users are exported before votes
            with store.transaction() as other:
                u = accounts.create_user(other, "latecomer", role="viewer", verified=True)
                prizes.cast_vote(other, u, noms[0])
            written.append(True)
        yield from real_rows(session, table)

    monkeypatch.setattr(backup, "_rows", rows_then_write)
    counts = export_all(store, tmp_path / "live.json")
    assert written
    assert counts["users"] == 4 and counts["votes"] == 0
    assert "latecomer" not in (tmp_path / "live.json").read_text(encoding="utf-8")


def test_backup_refuses_bad_files(tmp_path, sqlite_store):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "sdgmap-backup", "tables": {"users": {"columns": ["id", "nope"], "rows": []}}}')
    with pytest.raises(UserError, match="unknown columns nope"):
        import_all(sqlite_store, bad)
    bad.write_text("not json")
    with pytest.raises(UserError, match="not a readable sdgmap backup"):
        import_all(sqlite_store, bad)
    bad.write_text('{"format": "sdgmap-backup", "tables": {"users": {"columns": ["id", "username"], '
                   '"rows": [[1, "a"], [2]]}}}')
    with pytest.raises(UserError, match="table users, row 2"):
        import_all(sqlite_store, bad)
    with sqlite_store.transaction() as s:  # nothing changed: the built-ins are still there
        assert s.scalar(select(func.count()).select_from(Node)) > 100


def test_tracked_session_records_activity_and_link_changes(store):
    with store.transaction() as s:
        audit.track_changes(s, "editor")
        act = Activity(type="project", title="Before", description="d", entity="ITU")
        s.add(act)
        s.flush()
        g4 = s.scalar(select(Node).where(Node.framework_id == "sdg", Node.code == "4"))
        s.add(ActivityLink(activity_id=act.id, node_id=g4.id, kind="curated", method="manual"))
        act_id = act.id
    with store.transaction() as s:
        audit.track_changes(s, "editor2")
        act = s.get(Activity, act_id)
        act.title = "After"
        link = act.links[0]
        s.delete(link)
        link_id = link.id
    with store.transaction() as s:
        events = audit.history(s, "activities", act_id)
        assert [(e["action"], e["actor"]) for e in events] == [("create", "editor"), ("update", "editor2")]
        assert events[1]["before"] == {"title": "Before"} and events[1]["after"] == {"title": "After"}
        assert [e["action"] for e in audit.history(s, "activity_links", link_id)] == ["create", "delete"]
