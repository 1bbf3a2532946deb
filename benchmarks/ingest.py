"""Ingestion benchmark: quality against the hand-checked seed fixture, speed and memory.

Prints
- block precision/recall and exact-SDG-set accuracy for the DESA 2023 and 2024 submissions,
  as text, as the LibreOffice PDFs in tests/fixtures/ingest and as text without line breaks,
  and for the TDAG Annex 1 outcomes (goal and Action Line sets);
- seconds to ingest all five seed reports into a fresh SQLite database (parse + one
  transaction per file; the database is created and loaded with the built-in frameworks
  beforehand, outside the timing), best of 3, and the same on PostgreSQL when
  SDGMAP_BENCH_PG_URL is set (a database whose tables may be created);
- peak memory: the process's maximum resident set size (Python, SQLAlchemy and all) and the
  Python allocations made during one ingest (tracemalloc);
- parse time of long and deliberately awkward inputs (must grow linearly).

Targets (issue 3): every block found, every SDG set exact; < 2 s; < 300 MB.
Run: .venv/bin/python benchmarks/ingest.py
"""

from __future__ import annotations

import json
import os
import re
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from sdgmap.demo import demo_documents
from sdgmap.frameworks.builtin import open_store
from sdgmap.ingest import ingest_paths
from sdgmap.ingest.evaluation import candidate_goals, score_blocks
from sdgmap.ingest.parse import parse_document

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
DEMO = ROOT / "src" / "sdgmap" / "data" / "demo"


def quality() -> None:
    expected = json.loads((FIXTURES / "seed_blocks.json").read_text(encoding="utf-8"))
    cases = [
        ("003 DESA 2023 (.txt)", DEMO / "003_8e0a2054c91a51b2.txt", "003_8e0a2054c91a51b2.txt"),
        ("001 DESA 2024 (.txt)", DEMO / "001_73e8719edfd058c5.txt", "001_73e8719edfd058c5.txt"),
        ("003 DESA 2023 (LibreOffice PDF)", FIXTURES / "desa_2023_submission.pdf", "003_8e0a2054c91a51b2.txt"),
        ("001 DESA 2024 (LibreOffice PDF)", FIXTURES / "desa_2024_submission.pdf", "001_73e8719edfd058c5.txt"),
    ]
    print(f"{'document':34} {'blocks':>7} {'prec':>6} {'recall':>6} {'SDG sets exact':>15} {'goal P/R':>11}")
    cases += [(label.replace("(.txt)", "(no line breaks)"), path, key) for label, path, key in cases[:2]]
    for label, path, key in cases:
        data = path.read_bytes()
        if "no line breaks" in label:
            data = re.sub(rb"[ \t]*\n[ \t]*", b" ", data)
        doc = parse_document(path.name, data)
        found = [c for c in doc.candidates if c.extractor == "desa-questionnaire"]
        s = score_blocks(expected["documents"][key]["blocks"], found)
        print(f"{label:34} {s['expected_blocks']:>7} {s['block_precision']:>6.3f} {s['block_recall']:>6.3f} "
              f"{s['sdg_sets_exact']:>7}/{s['sdg_sets_checked']:<7} {s['goal_precision']:.3f}/{s['goal_recall']:.3f}")
        for name in s["missing"] + s["wrong_sdgs"] + s["unexpected"]:
            print(f"    problem: {name}")
    doc = parse_document("002.txt", (DEMO / "002_e2f296ca9ff8dd72.txt").read_bytes())
    outcomes = {c.attrs["outcome"]: c for c in doc.candidates if c.type == "outcome"}
    want = {k: v for k, v in expected["itu_d_outcomes"].items() if not k.startswith("_")}
    exact = 0
    for code, w in want.items():
        c = outcomes.get(code)
        if c is None:
            continue
        goals, _ = candidate_goals(c)
        als = {lk.ref[5:] for lk in c.links if lk.ref.startswith("wsis:")}
        if goals == (set(range(1, 18)) if w["sdgs"] == "all" else set(w["sdgs"])) and als == set(w["action_lines"]):
            exact += 1
    print(f"{'002 TDAG Annex 1 outcomes':34} {len(want):>7} {len(set(outcomes) & set(want)) / len(outcomes):>6.3f} "
          f"{len(set(outcomes) & set(want)) / len(want):>6.3f} {exact:>7}/{len(want):<7} (goal + Action Line sets)")


def timed_ingest(db: str) -> tuple[float, dict]:
    store = open_store(db)  # migrate + built-in frameworks: not part of ingestion
    try:
        t = time.perf_counter()
        report = ingest_paths(store, demo_documents(), entity="ITU")
        return time.perf_counter() - t, report.as_dict()
    finally:
        store.dispose()


def speed() -> None:
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(3):
            seconds, summary = timed_ingest(os.path.join(tmp, f"bench{i}.db"))
            runs.append(seconds)
        print(f"\ningest 5 seed reports (SQLite): best {min(runs):.3f} s, runs "
              + ", ".join(f"{r:.3f}" for r in runs) + " (target < 2 s)")
        print(f"  {summary['activities_total']} activities {summary['activities']}, {summary['links']} stated "
              f"links, {summary['mentions']} mentions")
        t = time.perf_counter()
        for p in demo_documents():
            parse_document(p.name, p.read_bytes())
        print(f"  of which parsing (no database): {time.perf_counter() - t:.3f} s")
        tracemalloc.start()
        timed_ingest(os.path.join(tmp, "mem.db"))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    pg = os.environ.get("SDGMAP_BENCH_PG_URL")
    if pg:
        from sqlalchemy import text

        store = open_store(pg)
        with store.engine.begin() as conn:  # start from an empty register
            conn.execute(text("DELETE FROM mentions; DELETE FROM activity_links; DELETE FROM activity_sources; "
                              "DELETE FROM activities; DELETE FROM documents"))
        store.dispose()
        seconds, _ = timed_ingest(pg)
        print(f"ingest 5 seed reports (PostgreSQL): {seconds:.3f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory: process max RSS {rss:.0f} MB (target < 300 MB); "
          f"Python allocations during one ingest {peak / 1048576:.1f} MB")


def long_inputs() -> None:
    """Parsing must stay linear: ten copies of the seeds, and text built to make regexes backtrack."""
    seeds = b"\n".join(p.read_bytes() for p in demo_documents())
    cases = [
        ("10 x the five seeds", seeds * 10),
        ("capitalised words, no commas", ("Aaaa Bbbb Cccc Dddd Eeee Ffff Gggg " * 2000 + ", ").encode() * 5),
        ("one 30,000-item SDG list", ("SDG 1, " * 30000 + "\n").encode()),
        ("2,000 empty blocks", ("Event Name: x\nRelevant SDGs: \n" * 2000).encode()),
    ]
    print()
    for label, data in cases:
        t = time.perf_counter()
        parse_document("long.txt", data)
        print(f"parse {label:32} {len(data) / 1048576:5.2f} MB  {time.perf_counter() - t:6.2f} s")


if __name__ == "__main__":
    quality()
    speed()
    long_inputs()
