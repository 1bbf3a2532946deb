"""Platform costs: argon2 login hashing, and votes per second under parallel load.

Votes go through the same code path as the web handler (``tx.run`` + ``prizes.cast_vote``,
one transaction each) from 8 threads, each voter voting once per category, plus one
duplicate attempt per voter that the unique constraint must refuse. Prints throughput
and latency percentiles for SQLite and, when SDGMAP_BENCH_PG_URL (or SDGMAP_TEST_PG_URL)
names a server whose user may create databases, for PostgreSQL.
Usage: ``python benchmarks/platform_votes.py [--voters 200]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from sdgmap.frameworks.builtin import open_store
from sdgmap.platform import accounts, prizes
from sdgmap.platform import submissions as subs
from sdgmap.store import Store, tx
from sdgmap.store.models import utcnow
from sdgmap.store.platform_models import User, Vote


def hashing() -> None:
    prod = accounts._make_hasher("")
    t = time.perf_counter()
    for _ in range(5):
        prod.hash("correct horse battery")
    per = (time.perf_counter() - t) / 5
    print(f"argon2id (m={prod.memory_cost} KiB, t={prod.time_cost}, p={prod.parallelism}): "
          f"{per * 1000:.0f} ms per hash or verify, i.e. about {1 / per:.1f} logins/s per worker process")


def setup(store: Store, voters: int) -> tuple[list[int], list[int]]:
    accounts.configure_hashing("test")
    with store.transaction() as s:
        admin = accounts.create_user(s, "admin", role="admin", verified=True)
        owner = accounts.create_user(s, "owner", role="contributor")  # nobody approves their own entry
        sub = subs.create_draft(s, owner, {"title": "E", "organisation": "O", "description": "d",
                                           "sdgs": {"4": "why"}})
        subs.submit(s, sub, owner, use_classifier=False)
        subs.decide(s, sub, admin, "approve")
        now = utcnow()
        cycle = prizes.create_cycle(s, admin, "Bench", now + timedelta(hours=1), now + timedelta(hours=2),
                                    categories=["A", "B"])
        noms = [prizes.nominate(s, admin, c.id, sub.id).id for c in cycle.categories]
        cycle.vote_opens_at = now - timedelta(minutes=1)
        ids = [accounts.create_user(s, f"v{i}", role="viewer", verified=True).id for i in range(voters)]
    return ids, noms


def votes(store: Store, label: str, voters: int) -> None:
    ids, noms = setup(store, voters)
    jobs = [(u, n) for u in ids for n in noms] + [(u, noms[0]) for u in ids]  # last: duplicates

    def one(job):
        u, n = job
        t = time.perf_counter()
        try:
            tx.run(store, lambda s: prizes.cast_vote(s, s.get(User, u), n, "192.0.2.1"))
            ok = True
        except prizes.AlreadyVoted:
            ok = False
        return ok, time.perf_counter() - t

    start = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, jobs))
    wall = time.perf_counter() - start
    lat = sorted(r[1] for r in results)
    with store.transaction() as s:
        stored = s.scalar(select(func.count()).select_from(Vote))
    assert stored == len(ids) * len(noms) == sum(r[0] for r in results), "double votes!"
    print(f"{label}: {len(jobs)} vote attempts from 8 threads in {wall:.2f} s = {len(jobs) / wall:.0f}/s; "
          f"latency p50 {statistics.median(lat) * 1000:.1f} ms, p95 {lat[int(len(lat) * 0.95)] * 1000:.1f} ms; "
          f"{stored} stored, {len(jobs) - stored} duplicates refused")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--voters", type=int, default=200)
    args = ap.parse_args()
    hashing()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(os.path.join(tmp, "bench.db"))
        votes(store, "SQLite", args.voters)
        store.dispose()
    pg = os.environ.get("SDGMAP_BENCH_PG_URL") or os.environ.get("SDGMAP_TEST_PG_URL")
    if pg:
        import psycopg

        name = f"sdgmap_bench_{uuid.uuid4().hex[:8]}"
        admin = pg.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            store = open_store(pg.rsplit("/", 1)[0] + "/" + name)
            votes(store, "PostgreSQL", args.voters)
            store.dispose()
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
