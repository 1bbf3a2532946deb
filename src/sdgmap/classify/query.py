"""Boolean search queries (Scopus / text2sdg / Elsevier syntax) compiled to run on free text.

Supported: quoted phrases ``"poverty line*"``, Elsevier phrases ``<food security>``, bare
words, ``*`` (any suffix) and ``?`` (one character) wildcards, ``AND``, ``OR``, ``NOT`` /
``AND NOT`` and proximity ``W/n`` / ``PRE/n`` (within n words; PRE also in order).
Field prefixes such as ``TITLE-ABS-KEY(`` are dropped: a text has only one field.

A compiled query evaluates against a token position index and returns the token spans
that satisfied it, so every match can be shown as evidence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sdgmap.classify.tokens import words_of

Span = tuple[int, int]  # token start (inclusive), token end (exclusive)


class QuerySyntaxError(ValueError):
    pass


class Doc:
    """A text prepared for query evaluation: tokens and a word -> positions index."""

    __slots__ = ("words", "index", "_prefix_cache", "_sorted")

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.index: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            self.index.setdefault(w, []).append(i)
        self._prefix_cache: dict[str, list[int]] = {}
        self._sorted: list[str] | None = None

    def term_positions(self, term: Term) -> list[int]:
        if term.kind == "exact":
            return self.index.get(term.text, [])
        key = term.kind + ":" + term.text
        hit = self._prefix_cache.get(key)
        if hit is None:
            if term.kind == "prefix":
                if self._sorted is None:
                    self._sorted = sorted(self.index)
                hit = []
                i = bisect_left(self._sorted, term.text)
                while i < len(self._sorted) and self._sorted[i].startswith(term.text):
                    hit.extend(self.index[self._sorted[i]])
                    i += 1
                hit.sort()
            else:
                rx = term.regex
                hit = sorted(p for w, ps in self.index.items() if rx.fullmatch(w) for p in ps)
            self._prefix_cache[key] = hit
        return hit


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    kind: str  # exact | prefix | pattern
    regex: re.Pattern | None = None

    def matches(self, word: str) -> bool:
        if self.kind == "exact":
            return word == self.text
        if self.kind == "prefix":
            return word.startswith(self.text)
        return bool(self.regex.fullmatch(word))


def _term(raw: str) -> Term:
    if "?" in raw or "*" in raw[:-1]:
        rx = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in raw))
        return Term(raw, "pattern", rx)
    if raw.endswith("*"):
        return Term(raw[:-1], "prefix")
    return Term(raw, "exact")


# Words too common to say anything about whether a phrase can match.
_COMMON = frozenset("""a an and are as at be by for from in into is it its of on or that the their
this to with without""".split())


def _cost(terms: list[Term], freq: Mapping[str, int] | None) -> int:
    """How many rules a set of triggers would wake up (without ``freq``: how many terms)."""
    if not freq:
        return len(terms)
    return sum(freq.get(t.text, 0) + 1 for t in terms)


class Node:
    def spans(self, doc: Doc) -> list[Span]:  # pragma: no cover - abstract
        raise NotImplementedError

    def triggers(self, freq: Mapping[str, int] | None = None) -> list[Term]:
        """Terms of which at least one must occur in a text for this node to match.

        ``freq`` (word -> number of rules using it) steers the choice to rare words, so
        a text with "sustainable" does not wake up every "sustainable ..." rule.
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def terms(self) -> Iterable[Term]:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(slots=True)
class Phrase(Node):
    words: tuple[Term, ...]

    def spans(self, doc: Doc) -> list[Span]:
        first, rest = self.words[0], self.words[1:]
        out = []
        n = len(doc.words)
        for p in doc.term_positions(first):
            if p + len(rest) >= n and rest:
                continue
            if all(t.matches(doc.words[p + 1 + k]) for k, t in enumerate(rest)):
                out.append((p, p + 1 + len(rest)))
        return out

    def terms(self) -> Iterable[Term]:
        return self.words

    def triggers(self, freq: Mapping[str, int] | None = None) -> list[Term]:
        # Every word of a phrase must occur: index it under its most telling one.
        freq = freq or {}

        def rank(t: Term):
            return (t.kind != "exact", t.text in _COMMON, freq.get(t.text, 0), -len(t.text))
        return [min(self.words, key=rank)]


@dataclass(slots=True)
class Or(Node):
    parts: list[Node]

    def spans(self, doc: Doc) -> list[Span]:
        out: list[Span] = []
        for part in self.parts:
            out.extend(part.spans(doc))
        return out

    def terms(self) -> Iterable[Term]:
        for part in self.parts:
            yield from part.terms()

    def triggers(self, freq: Mapping[str, int] | None = None) -> list[Term]:
        return [t for part in self.parts for t in part.triggers(freq)]


@dataclass(slots=True)
class And(Node):
    parts: list[Node]

    def spans(self, doc: Doc) -> list[Span]:
        out: list[Span] = []
        for part in self.parts:
            s = part.spans(doc)
            if not s:
                return []
            out.extend(s)
        return out

    def terms(self) -> Iterable[Term]:
        for part in self.parts:
            yield from part.terms()

    def triggers(self, freq: Mapping[str, int] | None = None) -> list[Term]:
        # All parts must match, so the triggers of any one part suffice: take the rarest.
        return min((part.triggers(freq) for part in self.parts), key=lambda ts: _cost(ts, freq))


@dataclass(slots=True)
class Not(Node):
    keep: Node
    drop: Node

    def spans(self, doc: Doc) -> list[Span]:
        s = self.keep.spans(doc)
        if s and self.drop.spans(doc):
            return []
        return s

    def terms(self) -> Iterable[Term]:
        return self.keep.terms()  # only positive terms can make a query match

    def triggers(self, freq: Mapping[str, int] | None = None) -> list[Term]:
        return self.keep.triggers(freq)


@dataclass(slots=True)
class Near(Node):
    left: Node
    right: Node
    distance: int
    ordered: bool

    def spans(self, doc: Doc) -> list[Span]:
        left = self.left.spans(doc)
        if not left:
            return []
        right = self.right.spans(doc)
        out: list[Span] = []
        for a in left:
            for b in right:
                # Words between the two spans (0 when adjacent or overlapping).
                if b[0] >= a[1]:
                    gap = b[0] - a[1]
                elif a[0] >= b[1]:
                    if self.ordered:
                        continue
                    gap = a[0] - b[1]
                else:
                    gap = 0
                if gap < self.distance:
                    out.append((min(a[0], b[0]), max(a[1], b[1])))
        return out

    def terms(self) -> Iterable[Term]:
        yield from self.left.terms()
        yield from self.right.terms()

    def triggers(self, freq: Mapping[str, int] | None = None) -> list[Term]:
        return min((self.left.triggers(freq), self.right.triggers(freq)), key=lambda ts: _cost(ts, freq))


_TOKEN = re.compile(
    r'\s*(?:(?P<quote>"[^"]*")|(?P<angle><[^<>]*>)|(?P<open>\()|(?P<close>\))'
    r"|(?P<near>(?:W|PRE)/\d+)\b|(?P<word>[^\s()\"<>]+))"
)
_FIELD = re.compile(r"\b(?:TITLE-ABS-KEY|TITLE-ABS|TITLE|ABS|AUTHKEY|KEY)\s*(?=\()", re.I)


def _lex(query: str) -> list[tuple[str, str]]:
    query = _FIELD.sub("", query).replace('\\"', '"')
    out, pos = [], 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise QuerySyntaxError(f"cannot read query at {query[pos:pos + 30]!r}")
        pos = m.end()
        kind = m.lastgroup
        val = m.group(kind)
        if kind == "word" and val.upper() in ("AND", "OR", "NOT"):
            out.append((val.upper(), val))
        else:
            out.append((kind, val))
    return out


def _phrase(raw: str) -> Node | None:
    # Wildcards survive tokenisation: split on non-word characters except * and ?.
    parts = [p.lower() for p in re.findall(r"[\w*?]+", raw) if p.strip("*?")]
    expanded: list[str] = []
    for p in parts:
        # Split on underscore like the text tokenizer does.
        expanded.extend(x for x in p.split("_") if x)
    if not expanded:
        return None
    return Phrase(tuple(_term(p) for p in expanded))


class _Parser:
    """Precedence, loosest first: OR, AND / NOT, proximity, atoms."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.t = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.t[self.i][0] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        tok = self.t[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise QuerySyntaxError(f"unexpected {self.t[self.i][1]!r}")
        return node

    def or_(self) -> Node:
        parts = [self.and_()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.and_())
        parts = [p for p in parts if p is not None]
        return parts[0] if len(parts) == 1 else Or(parts)

    def and_(self) -> Node:
        node = self.near()
        while self.peek() in ("AND", "NOT") or self.peek() in ("quote", "angle", "word", "open"):
            kind = self.peek()
            if kind == "AND":
                self.take()
                if self.peek() == "NOT":
                    self.take()
                    node = Not(node, self.near())
                    continue
                node = And([node, self.near()])
            elif kind == "NOT":
                self.take()
                node = Not(node, self.near())
            else:  # juxtaposition means AND (corpustools, Scopus)
                node = And([node, self.near()])
        return node

    def near(self) -> Node:
        node = self.atom()
        while self.peek() == "near":
            op = self.take()[1].upper()
            distance = int(op.split("/")[1])
            node = Near(node, self.atom(), distance, op.startswith("PRE"))
        return node

    def atom(self) -> Node:
        if self.peek() is None:
            raise QuerySyntaxError("query ends too early")
        kind, val = self.take()
        if kind == "open":
            node = self.or_()
            if self.peek() != "close":
                raise QuerySyntaxError("missing ')'")
            self.take()
            return node
        if kind in ("quote", "angle", "word"):
            node = _phrase(val[1:-1] if kind != "word" else val)
            if node is None:
                raise QuerySyntaxError(f"empty phrase {val!r}")
            return node
        raise QuerySyntaxError(f"unexpected {val!r}")


def compile_query(query: str) -> Node:
    """Parse one query string into an evaluable tree (raises QuerySyntaxError)."""
    tokens = _lex(query)
    # Balance stray parentheses, common in hand-written query sets.
    depth = 0
    cleaned = []
    for tok in tokens:
        if tok[0] == "open":
            depth += 1
        elif tok[0] == "close":
            if depth == 0:
                continue
            depth -= 1
        cleaned.append(tok)
    cleaned.extend([("close", ")")] * depth)
    return _Parser(cleaned).parse()


def keyword_query(keyword: str) -> Node | None:
    """A plain keyword (JRC list) as a phrase query."""
    return _phrase(keyword)


def doc_for(text: str) -> Doc:
    return Doc(words_of(text))
