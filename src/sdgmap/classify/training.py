"""Our own labelled data: hand-written examples and texts built from the official SDG texts.

* ``data/examples.tsv``: short report-style passages we wrote, one per line:
  ``goals<TAB>targets<TAB>text`` (``-`` = no SDG). Written for this project; see
  docs/classifier.md.
* ``data/examples_more.tsv``: a second, larger set in the same format (abstract, report,
  news and policy styles, many about two goals, and near misses with no SDG), written
  later; its items carry ``batch="more"`` so each set's held-out half can be scored apart.
* Indicator texts (``sdg_indicators.csv``), each labelled with its goal and target. They are
  not prototypes of the semantic layer, so they test it fairly at target level.

Each item has a fixed fold (0-4) from a hash of its text. ``make model`` scores each fold
with models fitted on the other four (to choose thresholds and to report quality), then
fits the shipped models on all five.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent / "data" / "examples.tsv"
MORE_EXAMPLES = EXAMPLES.with_name("examples_more.tsv")


@dataclass(frozen=True)
class Example:
    text: str
    goals: frozenset[int]
    targets: frozenset[str]
    source: str  # handwritten | indicator
    batch: str = "first"  # which file of hand-written examples: first | more

    @property
    def fold(self) -> int:
        """0-4, fixed by the text, so ``make model`` is reproducible."""
        return int(hashlib.sha1(self.text.encode()).hexdigest(), 16) % 5


def handwritten() -> list[Example]:
    out = []
    for path, batch in ((EXAMPLES, "first"), (MORE_EXAMPLES, "more")):
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            goals, targets, text = line.split("\t")
            g = frozenset() if goals == "-" else frozenset(int(x) for x in goals.split(","))
            t = frozenset() if targets == "-" else frozenset(targets.split(","))
            out.append(Example(text, g, t, "handwritten", batch))
    return out


def indicators() -> list[Example]:
    # Repeated indicators (1.5.1 = 11.5.1 = 13.1.1) keep all their goals and targets.
    labels: dict[str, tuple[set[int], set[str]]] = {}
    path = files("sdgmap") / "data" / "sdg" / "sdg_indicators.csv"
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            goals, targets = labels.setdefault(row["title"].strip(), (set(), set()))
            goals.add(int(row["goal"]))
            targets.add(row["target"])
    return [Example(text, frozenset(g), frozenset(t), "indicator")
            for text, (g, t) in labels.items()]


def all_examples() -> list[Example]:
    return handwritten() + indicators()
