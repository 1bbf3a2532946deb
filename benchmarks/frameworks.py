"""Frameworks and store benchmark: creating a database, loading built-ins, link queries.

Prints seconds for each step on SQLite, and on PostgreSQL too when SDGMAP_BENCH_PG_URL
(a database the user may create tables in) is set, with the ratio between the two.
Run: .venv/bin/python benchmarks/frameworks.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from sdgmap.frameworks.builtin import open_store
from sdgmap.frameworks.export import export_framework
from sdgmap.frameworks.linkage import derived_links, stated_links
from sdgmap.store.models import Node


def measure(db: str) -> dict[str, float]:
    out = {}
    t = time.perf_counter()
    store = open_store(db)
    out["create + migrate + load built-ins"] = time.perf_counter() - t
    with store.transaction() as s:
        nodes = s.scalars(select(Node).where(Node.framework_id == "itu-sp-2020")).all()
        t = time.perf_counter()
        for _ in range(20):
            for n in nodes:
                stated_links(s, n, "out")
        out["stated links of 26 nodes (per pass)"] = (time.perf_counter() - t) / 20
        t = time.perf_counter()
        for _ in range(5):
            for n in nodes:
                derived_links(s, n)
        out["derived links of 26 nodes (per pass)"] = (time.perf_counter() - t) / 5
        t = time.perf_counter()
        export_framework(s, "sdg")
        out["export sdg framework"] = time.perf_counter() - t
    store.dispose()
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = measure(str(Path(tmp) / "bench.db"))
    pg_url = os.environ.get("SDGMAP_BENCH_PG_URL")
    pg = measure(pg_url) if pg_url else None
    print(f"{'step':<42} {'SQLite s':>10}" + (f" {'PostgreSQL s':>13} {'PG/SQLite':>10}" if pg else ""))
    for key, value in sqlite.items():
        line = f"{key:<42} {value:>10.4f}"
        if pg:
            line += f" {pg[key]:>13.4f} {pg[key] / value:>10.2f}"
        print(line)


if __name__ == "__main__":
    main()
