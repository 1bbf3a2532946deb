"""Scoring ingestion against hand-written gold lists of activity blocks (external documents).

Used by ``benchmarks/ingest_external.py`` and its tests. A gold file is JSON::

    {"document": "x.txt", "entity": "...", "report_year": 2018,
     "blocks": [{"title": "...", "type": "event", "sdgs": [8], "context_sdgs": [], "section": "3.5"}]}

**Title matching.** Titles found by a reader and titles written by an annotator differ in
case, accents, hyphens, quotes, extraction spaces and small words, so they are compared as
sets of *content words*:

1. ``content_words``: NFKD-fold (diacritics dropped), lower-case, split into tokens of letters
   and digits (a dotted number such as ``8.7`` stays one token; hyphens, quotes and all other
   punctuation separate tokens), then drop English stop words (``STOP_WORDS``) and
   single-letter tokens. Before dropping, runs of two or three adjacent tokens are joined when
   the joined form is a token of the *other* title: this absorbs stray extraction spaces
   (``Sust ainable``) and hyphen variants (``e-commerce`` / ``ecommerce``).
2. ``title_score(a, b)`` = |shared content words| / |content words of the title with fewer|.
3. ``titles_match``: score >= ``MATCH_THRESHOLD`` (0.6), and two guards so that a fragment
   does not match everything that contains it: the longer title has at most
   ``MAX_LENGTH_RATIO`` (3) times the content words of the shorter; and if the shorter has a
   single content word the longer has at most two.
4. ``match_titles``: one-to-one, greedy: all matching (found, gold) pairs sorted by score,
   then Jaccard overlap, then document order; a pair is taken when neither side is taken yet.

**Scores** (``score_document``): recall = matched gold blocks / gold blocks; precision =
matched candidates / candidates; type accuracy = matched pairs whose candidate type equals the
gold type / matched pairs; stated SDG sets exact = matched gold blocks with non-empty ``sdgs``
whose candidate states exactly those goals / such matched blocks. A candidate's goals are its
``sdg:`` links, targets and indicators read as their goal (``sdg:8.7`` -> 8), as the gold
rules read them.

**Recogniser proxy** (``recogniser_check``): for each gold block with non-empty ``sdgs``, the
title is looked up in the text (case-insensitive, any punctuation or spacing between words,
an optional stray space inside words); the goals that ``references.extract`` finds in the
sentence around each occurrence (bounded by sentence ends and semicolons, line-final colons and bulleted lines,
at most ``SENTENCE_REACH`` characters either side) are united and compared with the gold set.
It is only a proxy: a title not written verbatim is not located; a gold goal stated in an
earlier clause, a heading or a label line is outside the window; a sentence that names several
items with their own goals gives every item all of them. So it under-states the recogniser.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sdgmap.ingest.candidates import Candidate
from sdgmap.text.references import Mention, extract

TYPES = ("event", "publication", "partnership", "project", "decision", "initiative", "other")
MATCH_THRESHOLD = 0.6
MAX_LENGTH_RATIO = 3
SENTENCE_REACH = 400
STOP_WORDS = frozenset(
    "a an and the of for on in to with by at from as or its their our into onto via per "
    "about between under over towards toward s".split())


@dataclass(frozen=True)
class GoldBlock:
    title: str
    type: str
    sdgs: frozenset[int]
    context_sdgs: frozenset[int]
    section: str = ""


@dataclass
class GoldDocument:
    document: str
    entity: str
    report_year: int | None
    blocks: list[GoldBlock]


def load_gold(path: str | Path) -> GoldDocument:
    """Read and check one gold file; a malformed file raises ``ValueError`` naming it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read gold file: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), list):
        raise ValueError(f"{path}: a gold file is an object with a 'blocks' list")
    blocks = []
    for i, b in enumerate(data["blocks"]):
        where = f"{path}: block {i}"
        if not isinstance(b, dict) or not isinstance(b.get("title"), str) or not b["title"].strip():
            raise ValueError(f"{where}: needs a non-empty 'title'")
        if b.get("type") not in TYPES:
            raise ValueError(f"{where}: type {b.get('type')!r} is not one of {', '.join(TYPES)}")
        goals = {}
        for key in ("sdgs", "context_sdgs"):
            v = b.get(key, [])
            if not isinstance(v, list) or not all(isinstance(g, int) and 1 <= g <= 17 for g in v):
                raise ValueError(f"{where}: '{key}' must be a list of goal numbers 1-17")
            goals[key] = frozenset(v)
        blocks.append(GoldBlock(b["title"], b["type"], goals["sdgs"], goals["context_sdgs"],
                                str(b.get("section", ""))))
    year = data.get("report_year")
    return GoldDocument(str(data.get("document", path.name)), str(data.get("entity", "")),
                        year if isinstance(year, int) else None, blocks)


# --- title matching ------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def tokens(title: str) -> list[str]:
    return _TOKEN.findall(_fold(title))


def _join_fragments(toks: list[str], other: set[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(toks):
        for n in (3, 2):
            if i + n <= len(toks) and toks[i] not in other and "".join(toks[i:i + n]) in other:
                out.append("".join(toks[i:i + n]))
                i += n
                break
        else:
            out.append(toks[i])
            i += 1
    return out


def _content(toks: list[str]) -> set[str]:
    return {t for t in toks if t not in STOP_WORDS and not (len(t) == 1 and t.isalpha())}


def content_words(title: str, other: str | None = None) -> set[str]:
    """The title's content words; with ``other``, fragments are first joined against its tokens."""
    toks = tokens(title)
    if other is not None:
        toks = _join_fragments(toks, set(tokens(other)))
    return _content(toks)


def _pair_words(a_toks: list[str], b_toks: list[str]) -> tuple[set[str], set[str]]:
    return (_content(_join_fragments(a_toks, set(b_toks))),
            _content(_join_fragments(b_toks, set(a_toks))))


def _score_words(wa: set[str], wb: set[str]) -> tuple[float, float]:
    """(score, jaccard), score 0 when the guards reject the pair."""
    if not wa or not wb:
        return 0.0, 0.0
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if len(long_) > MAX_LENGTH_RATIO * len(short) or (len(short) == 1 and len(long_) > 2):
        return 0.0, 0.0
    shared = len(wa & wb)
    return shared / len(short), shared / len(wa | wb)


def title_score(a: str, b: str) -> float:
    """Share of the shorter title's content words found in the other (0 when a guard fails)."""
    return _score_words(*_pair_words(tokens(a), tokens(b)))[0]


def titles_match(a: str, b: str) -> bool:
    return title_score(a, b) >= MATCH_THRESHOLD


def match_titles(found: list[str], gold: list[str]) -> list[tuple[int, int, float]]:
    """One-to-one greedy matching: ``(found index, gold index, score)`` for each matched pair."""
    ftoks = [tokens(t) for t in found]
    gtoks = [tokens(t) for t in gold]
    fsets = [set(t) for t in ftoks]
    pairs = []
    for gi, gt in enumerate(gtoks):
        gset = set(gt)
        for fi, ft in enumerate(ftoks):
            # Cheap filter: no shared token (after joining fragments) means no match.
            if not (fsets[fi] & gset) and not any("".join(ft[i:i + 2]) in gset for i in range(len(ft) - 1)) \
                    and not any("".join(gt[i:i + 2]) in fsets[fi] for i in range(len(gt) - 1)):
                continue
            score, jac = _score_words(*_pair_words(ft, gt))
            if score >= MATCH_THRESHOLD:
                pairs.append((-score, -jac, fi, gi))
    pairs.sort()
    used_f: set[int] = set()
    used_g: set[int] = set()
    out = []
    for neg, _jac, fi, gi in pairs:
        if fi in used_f or gi in used_g:
            continue
        used_f.add(fi)
        used_g.add(gi)
        out.append((fi, gi, -neg))
    return sorted(out, key=lambda p: p[1])


# --- goals ------------------------------------------------------------------------------------

def goal_of(code: str) -> int | None:
    """``"8"``, ``"8.7"``, ``"5.5.1"`` -> the goal number; anything else -> None."""
    head = code.split(".", 1)[0]
    return int(head) if head.isdigit() and 1 <= int(head) <= 17 else None


def stated_goals(c: Candidate) -> set[int]:
    """Goals a candidate states: its goal links and the goals of its target/indicator links."""
    out = set()
    for lk in c.links:
        if lk.ref.startswith("sdg:"):
            g = goal_of(lk.ref[4:])
            if g is not None:
                out.add(g)
    return out


def mention_goals(mentions: list[Mention]) -> set[int]:
    out = set()
    for m in mentions:
        if m.kind in ("sdg_goal", "sdg_target", "sdg_indicator"):
            g = goal_of(m.value)
            if g is not None:
                out.add(g)
    return out


# --- scoring ------------------------------------------------------------------------------------

@dataclass
class DocumentScore:
    gold: int = 0
    found: int = 0
    matched: int = 0
    type_right: int = 0
    sdg_gold: int = 0  # gold blocks with non-empty sdgs
    sdg_checked: int = 0  # ... of which matched
    sdg_exact: int = 0
    pairs: list[tuple[Candidate, GoldBlock, float]] = field(default_factory=list)
    missed: list[GoldBlock] = field(default_factory=list)
    spurious: list[Candidate] = field(default_factory=list)

    def add(self, other: DocumentScore) -> None:
        for name in ("gold", "found", "matched", "type_right", "sdg_gold", "sdg_checked", "sdg_exact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def type_accuracy(self) -> float:
        return self.type_right / self.matched if self.matched else 0.0

    @property
    def sdg_accuracy(self) -> float:
        return self.sdg_exact / self.sdg_checked if self.sdg_checked else 0.0


def score_document(gold: GoldDocument, candidates: list[Candidate]) -> DocumentScore:
    s = DocumentScore(gold=len(gold.blocks), found=len(candidates),
                      sdg_gold=sum(1 for b in gold.blocks if b.sdgs))
    pairs = match_titles([c.title for c in candidates], [b.title for b in gold.blocks])
    got_f = {fi for fi, _, _ in pairs}
    got_g = {gi for _, gi, _ in pairs}
    for fi, gi, score in pairs:
        c, b = candidates[fi], gold.blocks[gi]
        s.pairs.append((c, b, score))
        s.matched += 1
        s.type_right += c.type == b.type
        if b.sdgs:
            s.sdg_checked += 1
            s.sdg_exact += stated_goals(c) == set(b.sdgs)
    s.missed = [b for i, b in enumerate(gold.blocks) if i not in got_g]
    s.spurious = [c for i, c in enumerate(candidates) if i not in got_f]
    return s


# --- recogniser proxy ---------------------------------------------------------------------------

def title_pattern(title: str) -> re.Pattern | None:
    """Regex for a title as written in a text: any punctuation/spacing between words, an
    optional stray space inside a word, case and diacritics as in the text aside."""
    words = re.findall(r"\w+", title)
    if not words:
        return None
    parts = ["[ ]?".join(re.escape(ch) for ch in w) for w in words]
    return re.compile(r"(?<!\w)" + r"[\W_]{0,6}".join(parts) + r"(?!\w)", re.I)


# Sentence ends, a colon ending a line, and the start of a bulleted line. Blank lines are not
# boundaries: PDF extraction puts a blank line between the wrapped lines of one sentence.
_SENT_END = re.compile(r"[.!?;](?=\s)|:[ \t]*\n|\n(?=[ \t]*(?:[o•▪◦*\-–]|\d{1,2}[.)])[ \t])")


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding ``text[start:end]``: from the last boundary before to the next after."""
    lo = max(0, start - SENTENCE_REACH)
    s = lo
    for m in _SENT_END.finditer(text, lo, start):
        s = m.end()
    m = _SENT_END.search(text, end, min(len(text), end + SENTENCE_REACH))
    e = m.end() if m else min(len(text), end + SENTENCE_REACH)
    return s, e


@dataclass
class RecogniserCheck:
    blocks: int = 0  # gold blocks with non-empty sdgs
    located: int = 0
    exact: int = 0
    wrong: list[tuple[str, set[int], set[int]]] = field(default_factory=list)

    def add(self, other: RecogniserCheck) -> None:
        self.blocks += other.blocks
        self.located += other.located
        self.exact += other.exact


def recogniser_check(text: str, gold: GoldDocument) -> RecogniserCheck:
    r = RecogniserCheck()
    for b in gold.blocks:
        if not b.sdgs:
            continue
        r.blocks += 1
        pat = title_pattern(b.title)
        spans = [m.span() for m in pat.finditer(text)] if pat else []
        if not spans:
            continue
        r.located += 1
        found: set[int] = set()
        for s, e in spans:
            ws, we = sentence_around(text, s, e)
            found |= mention_goals(extract(text[ws:we], ("sdg_goal", "sdg_target", "sdg_indicator")))
        if found == set(b.sdgs):
            r.exact += 1
        else:
            r.wrong.append((b.title, set(b.sdgs), found))
    return r
