"""Ingestion benchmark on the external development set: other organisations' documents.

Reads every ``*.txt`` with its ``*.gold.json`` in ``../shared/data/external-dev`` (relative to
the repository root; ``SDGMAP_EXTERNAL_DEV`` overrides), runs ``parse_document`` on the bytes
and prints, per document and in total:

- activity recall and precision (titles matched one-to-one by content words, see
  ``sdgmap.ingest.gold``), type accuracy over matched activities, and stated SDG sets exact
  over matched gold blocks whose ``sdgs`` is non-empty (the total in brackets is all such gold
  blocks, matched or not);
- the recogniser alone: for gold blocks with non-empty ``sdgs`` whose title is found verbatim
  (words in order), whether the goals ``references.extract`` reads in the sentence around it
  equal the gold set (a proxy: see ``sdgmap.ingest.gold``).

Targets (issue 12): recall >= 80 %, precision >= 85 %, type >= 80 %, SDG sets >= 90 %.
Run: .venv/bin/python benchmarks/ingest_external.py [-v]   (-v lists misses and wrong sets)
The documents carry no licence: nothing of their text is printed except titles with -v.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from sdgmap.ingest.gold import (
    DocumentScore,
    RecogniserCheck,
    load_gold,
    recogniser_check,
    score_document,
)
from sdgmap.ingest.parse import parse_document

ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    return Path(os.environ.get("SDGMAP_EXTERNAL_DEV") or ROOT.parent / "shared" / "data" / "external-dev")


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}%" if d else "    - "


def main(verbose: bool = False) -> int:
    folder = data_dir()
    golds = sorted(folder.glob("*.gold.json")) if folder.is_dir() else []
    if not golds:
        print(f"external development set not found in {folder}: nothing to measure")
        return 0
    head = (f"{'document':32} {'gold':>5} {'found':>5} {'match':>5} {'recall':>7} {'prec':>7} "
            f"{'type':>7} {'SDG sets exact':>18} {'recogniser':>16} {'s':>5}")
    print(head)
    print("-" * len(head))
    total, rec_total = DocumentScore(), RecogniserCheck()
    for gpath in golds:
        gold = load_gold(gpath)
        tpath = folder / gold.document
        data = tpath.read_bytes()
        t = time.perf_counter()
        doc = parse_document(tpath.name, data)
        secs = time.perf_counter() - t
        s = score_document(gold, doc.candidates)
        r = recogniser_check(doc.text, gold)
        total.add(s)
        rec_total.add(r)
        sets = f"{s.sdg_exact}/{s.sdg_checked} ({s.sdg_gold})"
        rec = f"{r.exact}/{r.located} ({r.blocks})"
        print(f"{tpath.stem[:32]:32} {s.gold:>5} {s.found:>5} {s.matched:>5} {pct(s.matched, s.gold):>7} "
              f"{pct(s.matched, s.found):>7} {pct(s.type_right, s.matched):>7} {sets:>18} {rec:>16} {secs:5.2f}")
        if verbose:
            for c, b, score in s.pairs:
                flag = "" if c.type == b.type else f"  type {c.type} != {b.type}"
                print(f"    match {score:.2f}: {c.title[:70]!r} ~ {b.title[:70]!r}{flag}")
            for title, want, got in r.wrong:
                print(f"    recogniser: {title[:70]!r} gold {sorted(want)} read {sorted(got)}")
    print("-" * len(head))
    sets = f"{total.sdg_exact}/{total.sdg_checked} ({total.sdg_gold})"
    rec = f"{rec_total.exact}/{rec_total.located} ({rec_total.blocks})"
    print(f"{'total':32} {total.gold:>5} {total.found:>5} {total.matched:>5} {pct(total.matched, total.gold):>7} "
          f"{pct(total.matched, total.found):>7} {pct(total.type_right, total.matched):>7} {sets:>18} {rec:>16}")
    print("\nSDG sets exact: exact/matched gold blocks stating SDGs (all gold blocks stating SDGs).")
    print("recogniser: exact/located gold titles stating SDGs (all gold blocks stating SDGs); "
          "goals read in the sentence around the title.")
    return 0


if __name__ == "__main__":
    sys.exit(main("-v" in sys.argv[1:]))
