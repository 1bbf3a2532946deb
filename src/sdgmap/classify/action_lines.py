"""WSIS Action Line suggestions for a text, with the phrases and passage that caused them.

There is no labelled corpus of activities by Action Line to train on, so this is a rule,
not a fitted model: each line has a list of cue phrases and a one-sentence description
of our own (``data/action_lines.tsv``). A line is suggested when

* with the semantic layer: at least one of its phrases occurs and the line is among the
  three whose description is nearest to a passage of the text, or three of its phrases occur;
* lexical only: two of its phrases occur.

At most three lines per text, a C7 e-application in place of C7 itself. The score is a
rule score for ordering and review (more phrases and a near description score higher),
not a calibrated probability. Explicit mentions ("WSIS AL C5") are stated links already
(written by ingest); these suggestions only ever await review.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np

from sdgmap.classify.result import Evidence
from sdgmap.classify.semantic import chunks

DATA = files("sdgmap.classify") / "data" / "action_lines.tsv"
MAX_LINES = 3
NEAR_RANK = 3


@dataclass(frozen=True)
class ActionLineScore:
    code: str  # "C5", "C7.e-hea"
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class _Line:
    code: str
    description: str
    phrases: tuple[tuple[str, re.Pattern], ...]


def _pattern(phrase: str) -> re.Pattern:
    stem = phrase.rstrip("*")
    words = [re.escape(w) for w in re.split(r"[\s]+", stem.strip())]
    body = r"[\s\-]+".join(words)
    tail = r"\w*" if phrase.endswith("*") else ""
    return re.compile(rf"(?<![\w-]){body}{tail}(?![\w-])", re.IGNORECASE)


@cache
def load_lines() -> tuple[_Line, ...]:
    lines = []
    with DATA.open(encoding="utf-8") as f:
        for row in csv.reader((r for r in f if r.strip() and not r.startswith("#")), delimiter="\t"):
            code, description, phrases = row
            cues = tuple((p, _pattern(p)) for p in (x.strip() for x in phrases.split(";")) if p)
            lines.append(_Line(code, description, cues))
    return tuple(lines)


class ActionLineSuggester:
    """``predict(texts)`` -> per text, the suggested Action Lines, best first.

    ``embedder`` (an ``Embedder`` or ``None``) is the classifier's; ``titles`` maps each
    code to its official title, which joins our description in the semantic prototype.
    """

    def __init__(self, embedder=None, titles: dict[str, str] | None = None) -> None:
        self.lines = load_lines()
        self.embedder = embedder
        self.protos = None
        if embedder is not None:
            titles = titles or {}
            self.protos = embedder.encode(
                [f"{titles.get(li.code, '')}. {li.description}".strip(". ") for li in self.lines])

    @property
    def layers(self) -> tuple[str, ...]:
        return ("lexical", "semantic") if self.protos is not None else ("lexical",)

    def predict(self, texts: list[str]) -> list[list[ActionLineScore]]:
        near = self._nearest(texts) if self.protos is not None else [None] * len(texts)
        return [self._decide(t, n) for t, n in zip(texts, near, strict=True)]

    def _nearest(self, texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        """Per text: each line's best similarity to a passage, and that passage's span."""
        spans = [chunks(t) or [(0, len(t))] for t in texts]
        flat = [t[s:e] for t, sp in zip(texts, spans, strict=True) for s, e in sp]
        vecs = self.embedder.encode(flat) if flat else np.zeros((0, self.protos.shape[1]))
        out, k = [], 0
        for sp in spans:
            sims = vecs[k:k + len(sp)] @ self.protos.T  # (passages, lines)
            k += len(sp)
            best = sims.argmax(0)
            out.append((sims.max(0), [sp[i] for i in best]))
        return out

    def _decide(self, text: str, near) -> list[ActionLineScore]:
        ranks = None
        if near is not None:
            order = np.argsort(-near[0])
            ranks = np.empty(len(order), dtype=int)
            ranks[order] = np.arange(1, len(order) + 1)
        found = []
        for i, line in enumerate(self.lines):
            hits = []
            for phrase, rx in line.phrases:
                # one stretch of text is one cue: "partnership" must not count for both
                # "partnership*" and "partner*" (a later "partners" may)
                m = next((m for m in rx.finditer(text)
                          if not any(h.start < m.end() and m.start() < h.end for h in hits)), None)
                if m:
                    hits.append(Evidence(m.start(), m.end(), f"wsis cue: {phrase}", "lexical", m.group()))
            n = len(hits)
            if ranks is None:
                ok, score = n >= 2, 0.3 + 0.12 * n
            else:
                close = ranks[i] <= NEAR_RANK
                ok = (n >= 1 and close) or n >= 3
                score = 0.3 + 0.12 * n + (0.25 if close else 0.0)
            if not ok:
                continue
            evidence = hits[:4]
            if near is not None:
                s, e = near[1][i]
                evidence.append(Evidence(s, e, f"nearest Action Line {line.code} ({near[0][i]:.2f})",
                                         "semantic", text[s:e]))
            found.append(ActionLineScore(line.code, round(min(score, 0.9), 3), tuple(evidence)))
        found.sort(key=lambda x: -x.score)
        if any(f.code.startswith("C7.") for f in found):
            found = [f for f in found if f.code != "C7"]  # the e-application says more
        return found[:MAX_LINES]
