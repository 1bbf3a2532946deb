"""Web latency with 100,000 synthetic activities: p50/p95/p99 of list, detail and API requests.

Builds a fresh SQLite database (or uses SDGMAP_BENCH_DB, e.g. a PostgreSQL URL or an
existing file), fills it with ``sdgmap generate``'s synthetic activities, serves the app
with uvicorn on 127.0.0.1 and times real HTTP requests. Target: p95 < 100 ms for list
and detail pages. Usage: python benchmarks/web.py [--activities N] [--requests N]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import func, select

from sdgmap.cli.devdata import generate
from sdgmap.frameworks.builtin import open_store
from sdgmap.store.models import Activity
from sdgmap.web import create_app

WORDS = ("broadband", "spectrum", "cyber", "skills", "satellite", "health", "regulation", "youth",
         "climate", "rural connectivity", "digital inclusion", "smart")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--activities", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=200, help="requests per kind")
    ap.add_argument("--public", action="store_true",
                    help="multi-user mode (one account is created): requests are anonymous and see only "
                         "public content (the review queue is left out: it redirects to the login)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = os.environ.get("SDGMAP_BENCH_DB") or str(Path(tmp.name) / "bench.db")
    store = open_store(db)
    with store.transaction() as s:
        have = s.scalar(select(func.count()).select_from(Activity)) or 0
    if have < args.activities:
        t0 = time.perf_counter()
        generate(store, args.activities - have, seed=7)
        print(f"generated {args.activities - have} activities in {time.perf_counter() - t0:.1f} s")
    with store.transaction() as s:
        ids = list(s.scalars(select(Activity.id)))
    if args.public:
        from sdgmap.platform import accounts
        from sdgmap.store.platform_models import User

        with store.transaction() as s:
            if not s.scalar(select(func.count()).select_from(User)):
                accounts.create_user(s, "bench-admin", role="admin")
    with store.engine.begin() as conn:  # fresh statistics, as after autovacuum on a live server
        conn.exec_driver_sql("ANALYZE")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)

    rng = random.Random(1)
    kinds = {
        "list page (filters, search)": lambda: "/activities?" + rng.choice([
            "", f"sdg={rng.randint(1, 17)}", f"q={rng.choice(WORDS)}",
            f"type=event&year={rng.randint(2019, 2024)}&sort=title",
            f"action_line=C{rng.randint(1, 11)}&page={rng.randint(1, 20)}",
            f"q={rng.choice(WORDS)}&sdg={rng.randint(1, 17)}&order=desc",
        ]),
        "detail page": lambda: f"/activities/{rng.choice(ids)}",
        "API list": lambda: f"/api/v1/activities?sdg={rng.randint(1, 17)}&page={rng.randint(1, 50)}",
        "API detail": lambda: f"/api/v1/activities/{rng.choice(ids)}",
        "review queue page": lambda: f"/review?page={rng.randint(1, 20)}",
    }
    if args.public:
        del kinds["review queue page"]
    # fetched by the list page after it has loaded; cached per filter and data version
    facets = lambda: "/activities/facets?fragment=1&" + rng.choice([  # noqa: E731
        "", f"sdg={rng.randint(1, 17)}", f"q={rng.choice(WORDS)}", f"type=event&year={rng.randint(2019, 2024)}"])
    mode = "public view (multi-user, anonymous)" if args.public else "single-user (everything visible)"
    print(f"{len(ids)} activities on {store.dialect}, {mode}; {args.requests} requests per kind")
    print(f"{'request':32} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    worst = 0.0
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for name, make in [*kinds.items(), ("facet panel (after the list)", facets)]:
            for _ in range(5):  # warm up connections and caches of this kind
                client.get(make())
            times, slowest = [], (0.0, "")
            for _ in range(args.requests):
                url = make()
                t0 = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                slowest = max(slowest, (times[-1], url))
                if r.status_code != 200:
                    print(f"  {url} -> {r.status_code}", file=sys.stderr)
            p95 = pct(times, 95)
            if name != "facet panel (after the list)":
                worst = max(worst, p95)
            print(f"{name:32} {statistics.median(times):8.1f} {p95:8.1f} {pct(times, 99):8.1f} {max(times):8.1f}"
                  f"  slowest: {slowest[1]}")
        for path in ("/", "/mapping", "/matrix", "/interlinkages", "/trends"):
            t0 = time.perf_counter()
            client.get(path)
            first = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            client.get(path)
            print(f"{'analytics ' + path:32} first {first:8.1f} ms, cached {(time.perf_counter() - t0) * 1000:6.1f} ms")
    server.should_exit = True
    print(f"worst p95 of list/detail/API: {worst:.1f} ms (target < 100 ms)")
    store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
