"""WSIS Action Line suggestions measured against the only Action Lines our data states.

The ITU-D outcomes of Annex 1 of the TDAG document (``002_*.txt``) each state their WSIS
Action Lines. This script ingests the five demo reports into a temporary database,
classifies every activity's source text with ``ActionLineSuggester`` and prints, for the
16 outcomes, precision and recall of the suggested lines against the stated ones (a C7
e-application counts as C7), then how many activities of each report year get a
suggestion, and the time taken. The rules were written before this was run; nothing here
is fitted. Usage: ``python benchmarks/action_lines.py [--lexical]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexical", action="store_true", help="without the semantic layer")
    args = parser.parse_args()

    from sdgmap.classify.action_lines import ActionLineSuggester
    from sdgmap.classify.suggest import _activity_text
    from sdgmap.frameworks.builtin import open_store
    from sdgmap.ingest import ingest_paths
    from sdgmap.store.models import Activity, Node

    embedder = None
    if not args.lexical:
        from sdgmap.classify.semantic import Embedder

        embedder = Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "al.db"))
        demo = files("sdgmap") / "data" / "demo"
        ingest_paths(store, sorted(Path(str(demo)).glob("*.txt")))
        with store.transaction() as s:
            titles = {n.code: n.title for n in s.scalars(select(Node).where(Node.framework_id == "wsis"))}
            acts = list(s.scalars(select(Activity).order_by(Activity.id)))
            texts = [_activity_text(a)[0] for a in acts]
            t0 = time.perf_counter()
            al = ActionLineSuggester(embedder, titles)
            results = al.predict(texts)
            took = time.perf_counter() - t0
            tp = fp = fn = 0
            rows = []
            per_year: Counter = Counter()
            years: Counter = Counter()
            for a, res in zip(acts, results, strict=True):
                got = {x.code.split(".")[0] for x in res}
                years[a.year] += 1
                per_year[a.year] += bool(res)
                if a.type != "outcome":
                    continue
                stated = {lk.node.code.split(".")[0] for lk in a.links
                          if lk.node.framework_id == "wsis" and lk.kind == "stated"}
                tp, fp, fn = tp + len(got & stated), fp + len(got - stated), fn + len(stated - got)
                rows.append((a.title.split(":")[0], sorted(stated), sorted(got)))
        store.dispose()
    print(f"layers: {', '.join(al.layers)}; {len(texts)} activities in {took:.1f} s")
    print("| outcome | stated Action Lines | suggested |")
    print("|---|---|---|")
    for code, stated, got in rows:
        print(f"| {code} | {', '.join(stated)} | {', '.join(got) or '-'} |")
    p = tp / max(tp + fp, 1)
    r = tp / max(tp + fn, 1)
    print(f"\nAnnex 1 outcomes (n={len(rows)}): precision {p:.2f} ({tp}/{tp + fp}), "
          f"recall {r:.2f} ({tp}/{tp + fn})")
    print("Activities with at least one suggested Action Line, by report year: "
          + ", ".join(f"{y}: {per_year[y]}/{years[y]}" for y in sorted(years, key=lambda y: y or 0)))


if __name__ == "__main__":
    main()
