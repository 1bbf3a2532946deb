"""The lexical layer: every shipped query and keyword set compiled into one matcher.

Sources (files under ``sdgmap/data/queries``; provenance in docs/data-sources.md):

* ``aurora``   Aurora v5 query lines, one per SDG target (Scopus syntax, proximity).
* ``jrc``      JRC SDG Mapper keywords per target.
* ``elsevier`` Elsevier queries, one per goal, split into their top-level OR parts.
* ``siris``    SIRIS Academic controlled vocabulary queries, per goal.
* ``sdgo``     OSDG SDG ontology keywords, per goal.

Matching is token based with spans, so every hit can be shown to a reviewer. A rule is
only evaluated when one of its words occurs in the text (inverted index), which keeps
thousands of rules fast on short and long texts alike.
"""

from __future__ import annotations

import ast
import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib.resources import files

from sdgmap.classify.query import (
    Doc,
    Node,
    Or,
    QuerySyntaxError,
    compile_query,
    keyword_query,
)

SOURCES = ("aurora", "jrc", "elsevier", "siris", "sdgo")


@dataclass(frozen=True, slots=True)
class Rule:
    source: str
    goal: int
    target: str | None
    label: str
    node: Node


@dataclass(frozen=True, slots=True)
class Hit:
    rule: Rule
    spans: tuple[tuple[int, int], ...]  # token spans


def _queries_dir():
    return files("sdgmap") / "data" / "queries"


def _goal_of(code: str) -> int:
    return int(code.replace("SDG-", "").strip())


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def load_rules() -> list[Rule]:
    """Compile every shipped query set; malformed queries are skipped, never guessed."""
    d = _queries_dir()
    rules: list[Rule] = []

    def add(source, goal, target, label, node):
        if node is not None:
            rules.append(Rule(source, goal, target, label, node))

    with (d / "aurora_v5_query_lines.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                node = compile_query(row["query_line"])
            except QuerySyntaxError:
                continue
            label = f"aurora {row['target']} #{row['line_no']}"
            add("aurora", int(row["sdg"]), row["target"] or None, label, node)

    with (d / "jrc_keywords_2023.csv").open(encoding="utf-8") as fh:
        seen: set[tuple[str, str]] = set()
        for row in csv.DictReader(fh, delimiter=";"):
            target = row["TargetsNumber"].strip()
            try:
                keywords = ast.literal_eval(row["JRCKeywords"] or "[]")
            except (ValueError, SyntaxError):
                continue
            for kw in keywords:
                kw = kw.strip()
                if not kw or (target, kw.lower()) in seen:
                    continue
                seen.add((target, kw.lower()))
                add("jrc", int(row["SDGNumber"]), target, kw, keyword_query(kw))

    with (d / "elsevier_queries.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                node = compile_query(row["query"])
            except QuerySyntaxError:
                continue
            parts = node.parts if isinstance(node, Or) else [node]
            for part in parts:
                words = " ".join(t.text for t in part.terms())
                add("elsevier", _goal_of(row["sdg"]), None, _short(words), part)

    for name, source in (("siris_queries.csv", "siris"), ("sdgo_queries.csv", "sdgo")):
        with (d / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                try:
                    node = compile_query(row["query"])
                except QuerySyntaxError:
                    continue
                add(source, _goal_of(row["sdg"]), None, _short(row["keyword"]), node)
    return rules


class Lexicon:
    """All rules plus the inverted index that picks the candidates for a text."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self._exact: dict[str, set[int]] = defaultdict(set)
        self._prefix: dict[str, set[int]] = defaultdict(set)
        self._always: set[int] = set()
        # Index each rule under its rarest required words (fewest rules share them), so a
        # typical paragraph wakes up a few hundred rules, not thousands.
        freq: Counter[str] = Counter()
        for rule in rules:
            freq.update({t.text for t in rule.node.terms() if t.kind == "exact"})
        for i, rule in enumerate(rules):
            for term in rule.node.triggers(freq):
                if term.kind == "exact":
                    self._exact[term.text].add(i)
                elif term.kind == "prefix" and term.text:
                    self._prefix[term.text].add(i)
                else:
                    self._always.add(i)
        self._max_prefix = max((len(p) for p in self._prefix), default=0)

    @classmethod
    def load(cls) -> Lexicon:
        return cls(load_rules())

    def candidates(self, doc: Doc) -> set[int]:
        found = set(self._always)
        for word in doc.index:
            hit = self._exact.get(word)
            if hit:
                found |= hit
            for k in range(1, min(len(word), self._max_prefix) + 1):
                hit = self._prefix.get(word[:k])
                if hit:
                    found |= hit
        return found

    def match(self, doc: Doc) -> list[Hit]:
        hits = []
        for i in sorted(self.candidates(doc)):
            rule = self.rules[i]
            spans = rule.node.spans(doc)
            if spans:
                hits.append(Hit(rule, tuple(sorted(set(spans)))))
        return hits
