"""A public vote's load against two real server processes sharing one database, on SQLite
and PostgreSQL: 100 voters log in and vote in parallel (20 at a time, spread over both
servers) while one more account sends 10 votes at once. No request may fail with a server
error, every acknowledged vote is stored, and no account votes twice in a category.

``pytest -s`` prints the status counts and the elapsed time per backend.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from sdgmap.errors import UserError
from sdgmap.platform import accounts, prizes, ratelimit
from sdgmap.platform import submissions as subs
from sdgmap.store import Store, tx
from sdgmap.store.models import utcnow
from sdgmap.store.platform_models import RateEvent, User, Vote
from test_platform_server import PW, _serve

VOTERS = 100
PARALLEL = 20
EAGER_VOTES = 10
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _setup(store: Store) -> tuple[int, int, int]:
    """Voters (verified, cheap test hashes), one approved entry nominated in an open vote."""
    with store.transaction() as s:
        admin = accounts.create_user(s, "admin", password=PW, role="admin", verified=True)
        owner = accounts.create_user(s, "owner", password=PW, role="contributor", verified=True)
        for i in range(VOTERS):
            accounts.create_user(s, f"voter{i:03d}", password=PW, role="viewer", verified=True)
        accounts.create_user(s, "eager", password=PW, role="viewer", verified=True)
        sub = subs.create_draft(s, owner, {"title": "Entry", "organisation": "Org", "description": "d",
                                           "sdgs": {"4": "why"}})
        subs.submit(s, sub, owner, use_classifier=False)
        subs.decide(s, sub, admin, "approve")
        now = utcnow()
        cycle = prizes.create_cycle(s, admin, "Public vote", now + timedelta(hours=1),
                                    now + timedelta(hours=2), categories=["Only"])
        nom = prizes.nominate(s, admin, cycle.categories[0].id, sub.id)
        cycle.vote_opens_at = now - timedelta(minutes=1)
        return cycle.id, cycle.categories[0].id, nom.id


class Recorder:
    """Status codes per kind of request (0: no answer at all), and a sample of each 5xx."""

    def __init__(self) -> None:
        self.codes: Counter[tuple[str, int]] = Counter()
        self.errors: list[str] = []

    def send(self, kind: str, client: httpx.Client, method: str, url: str, **kw) -> httpx.Response | None:
        try:
            r = client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.codes[kind, 0] += 1
            self.errors.append(f"{kind}: {exc!r}")
            return None
        self.codes[kind, r.status_code] += 1
        if r.status_code >= 500:
            self.errors.append(f"{kind} {r.status_code}: {r.text[:200]}")
        return r


def _log_in(rec: Recorder, base: str, username: str) -> httpx.Client | None:
    client = httpx.Client(base_url=base, timeout=60)
    page = rec.send("login form", client, "GET", "/login")
    if page is None or page.status_code != 200:
        return None
    r = rec.send("login", client, "POST", "/login", data={
        "csrf_token": CSRF.search(page.text).group(1), "username": username, "password": PW})
    return client if r is not None and r.status_code == 303 else None


def _vote(rec: Recorder, client: httpx.Client, base: str, cycle_id: int, nom_id: int) -> int:
    """Vote through ``base`` with the session ``client`` got (maybe from the other server)."""
    with httpx.Client(base_url=base, timeout=60, cookies=client.cookies) as c:
        page = rec.send("prize page", c, "GET", f"/prizes/{cycle_id}")
        if page is None or page.status_code != 200:
            return -1
        r = rec.send("vote", c, "POST", f"/prizes/{cycle_id}/vote", data={
            "csrf_token": CSRF.search(page.text).group(1), "nomination_id": nom_id})
        return r.status_code if r is not None else 0


def test_public_vote_at_scale_over_two_servers(store: Store):
    cycle_id, category_id, nom_id = _setup(store)
    servers = [_serve(store.url), _serve(store.url)]
    bases = [base for _, base in servers]
    rec = Recorder()
    votes: dict[str, int] = {}
    eager_votes: list[int] = []
    try:
        eager = _log_in(rec, bases[0], "eager")
        assert eager is not None

        def voter(i: int) -> None:
            name = f"voter{i:03d}"
            client = _log_in(rec, bases[i % 2], name)  # log in on one server, vote on the other
            if client is not None:
                try:
                    votes[name] = _vote(rec, client, bases[(i + 1) % 2], cycle_id, nom_id)
                finally:
                    client.close()

        def eager_vote(k: int) -> None:
            eager_votes.append(_vote(rec, eager, bases[k % 2], cycle_id, nom_id))

        started = time.perf_counter()
        with ThreadPoolExecutor(PARALLEL) as pool:
            jobs = [pool.submit(voter, i) for i in range(VOTERS // 2)]
            jobs += [pool.submit(eager_vote, k) for k in range(EAGER_VOTES)]  # in the thick of it
            jobs += [pool.submit(voter, i) for i in range(VOTERS // 2, VOTERS)]
            for job in jobs:
                job.result()
        elapsed = time.perf_counter() - started
        eager.close()
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(10)

    histogram = dict(sorted(rec.codes.items()))
    print(f"\n[{store.dialect}] {VOTERS} voters logging in and voting + 1 account voting "
          f"{EAGER_VOTES} times, {PARALLEL} in parallel over 2 servers: {elapsed:.1f} s")
    print(f"[{store.dialect}] status counts (kind, status): {histogram}")
    with store.transaction() as s:
        stored = s.scalar(select(func.count()).select_from(Vote).where(Vote.category_id == category_id))
        per_user = dict(s.execute(select(User.username, func.count(Vote.id)).join(Vote, Vote.user_id == User.id)
                                  .group_by(User.username)).all())
    accepted = sum(1 for code in [*votes.values(), *eager_votes] if code == 303)
    print(f"[{store.dialect}] votes accepted {accepted}, stored {stored}; "
          f"the eager account's {EAGER_VOTES} votes answered {sorted(eager_votes)}")

    assert not rec.errors, f"{len(rec.errors)} failed requests, e.g. {rec.errors[:3]}"
    assert sum(n for (_, code), n in rec.codes.items() if code >= 500 or code == 0) == 0
    assert rec.codes["login", 303] == VOTERS + 1  # every login succeeded
    assert sorted(votes.values()) == [303] * VOTERS
    assert sorted(eager_votes) == [303] + [409] * (EAGER_VOTES - 1)
    assert stored == accepted == VOTERS + 1  # every acknowledged vote is stored, and no other
    assert set(per_user.values()) == {1} and len(per_user) == VOTERS + 1  # one per account


def test_a_writer_waits_for_the_other_writer_instead_of_failing(store: Store):
    """The mechanism behind the 500s, without retries: a unit of work that reads (the rate
    limiter's count) and then writes, started while another writer holds the lock. SQLite
    with a deferred BEGIN answered "database is locked" at the first write, at once; now
    the second writer waits for the lock and then sees the first one's row."""
    holding, done = threading.Event(), threading.Event()

    def first() -> None:
        with store.transaction() as s:  # holds the write lock from its first write on
            ratelimit.hit(s, "vote", "same-key")
            holding.set()
            time.sleep(0.5)  # a writer that takes a while (a slow request, a CLI import)
        done.set()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert holding.wait(10)
        tx.run(store, lambda s: ratelimit.hit(s, "vote", "same-key"), attempts=1)
        assert done.is_set()  # it really waited for the first writer's commit
    finally:
        thread.join(10)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(RateEvent)) == 2


@pytest.mark.parametrize("change", ["new password", "disabled"])
def test_a_login_checks_the_password_outside_the_transaction_and_then_the_account_again(store: Store, change):
    """The password check runs between two short transactions; an account whose password
    changed or that was disabled in between is refused, not logged in."""
    with store.transaction() as s:
        accounts.create_user(s, "ana", password=PW, role="viewer", verified=True)
    with store.transaction() as s:
        found = accounts.login_lookup(s, "ANA")
    new_hash = accounts.verify_login(found, PW)  # no transaction open here
    with store.transaction(write=True) as s:
        user = accounts.get_user(s, "ana")
        if change == "new password":
            accounts.set_password(s, user, PW + " two", "admin")
        else:
            accounts.update_user(s, user, "admin", active=False)
    with pytest.raises(UserError, match="wrong username or password"), store.transaction(write=True) as s:
        accounts.record_login(s, found, new_hash)
    with store.transaction() as s:
        assert accounts.get_user(s, "ana").last_login_at is None
    with pytest.raises(UserError, match="wrong username or password"):
        accounts.verify_login(accounts.LoginLookup(None, None, False), PW)  # no such user
