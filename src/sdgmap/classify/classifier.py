"""``SDGClassifier``: load once, ``predict(texts)`` → goals, targets, scores and evidence.

Scoring: each layer yields per-goal features (``features.py``); a logistic model fitted by
``python -m sdgmap.classify.build`` on our own labelled examples turns them into a
calibrated probability. Goals at or above the threshold (chosen on held-out examples) are
returned; an explicit reference ("SDG 9", "target 9.c") always lifts its goal over it.
Targets within a returned goal get their own probability from a second small model.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path

import numpy as np

from sdgmap.capabilities import has_ml
from sdgmap.classify.features import (
    GOALS,
    Analysis,
    goal_matrix,
    supervised_probs,
    target_matrix,
)
from sdgmap.classify.lexicon import SOURCES, Lexicon
from sdgmap.classify.query import Doc
from sdgmap.classify.result import Evidence, GoalScore, Result, TargetScore
from sdgmap.classify.semantic import (
    ARTEFACTS,
    Embedder,
    chunks,
    load_prototype_matrix,
    load_prototypes,
)
from sdgmap.classify.tokens import tokenize
from sdgmap.text.references import extract

MODEL_FILE = ARTEFACTS / "model.json"
SUP_FILE = ARTEFACTS / "supervised.npz"
REFERENCE_FLOOR = 0.9  # a goal the text names outright scores at least this
MAX_TARGETS = 3
MAX_EVIDENCE = 6
_SOURCE_ORDER = {s: i for i, s in enumerate(("aurora", "jrc", "elsevier", "siris", "sdgo"))}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


class LogisticModel:
    """A fitted logistic regression stored as plain numbers (no scikit-learn at run time)."""

    def __init__(self, spec: dict) -> None:
        self.features: list[str] = spec["features"]
        self.mean = np.array(spec["mean"])
        self.scale = np.array(spec["scale"])
        self.coef = np.array(spec["coef"])
        self.intercept = float(spec["intercept"])
        self.threshold = float(spec.get("threshold", 0.5))

    def proba(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(((x - self.mean) / self.scale) @ self.coef + self.intercept)


def load_targets() -> tuple[dict[int, list[str]], dict[str, str]]:
    """The targets of each goal, and each target's title."""
    out: dict[int, list[str]] = {g: [] for g in GOALS}
    titles: dict[str, str] = {}
    path = files("sdgmap") / "data" / "sdg" / "sdg_targets.csv"
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[int(row["goal"])].append(row["target"])
            titles[row["target"]] = row["title"]
    return out, titles


class SDGClassifier:
    """Offline SDG classifier with evidence. ``semantic=None`` uses embeddings when installed."""

    def __init__(self, semantic: bool | None = None, spec: dict | None = None,
                 encoder: str | None = None) -> None:
        self.semantic = has_ml() if semantic is None else bool(semantic and has_ml())
        self.lexicon = Lexicon.load()
        self.targets, self.target_titles = load_targets()
        self.protos = load_prototypes()
        self.proto_goal = np.array([p.goal for p in self.protos])
        self.embedder: Embedder | None = None
        self.proto_matrix: np.ndarray | None = None
        self.sup_w: np.ndarray | None = None
        self.sup_b: np.ndarray | None = None
        if self.semantic:
            self.embedder = Embedder(encoder)
            self.proto_matrix = load_prototype_matrix(self.protos, self.embedder)
        spec = spec or self._load_spec(MODEL_FILE)
        self.version: str = spec["version"]
        self.goal_model = LogisticModel(spec["full" if self.semantic else "lexical"])
        self.target_model = LogisticModel(spec["target_full" if self.semantic else "target_lexical"])
        self.target_threshold = float(spec.get("target_threshold", 0.3))
        if self.semantic and SUP_FILE.exists():
            sup = np.load(SUP_FILE)
            self.sup_w, self.sup_b = sup["w"].astype(np.float32), sup["b"].astype(np.float32)

    @staticmethod
    def _load_spec(path: Path) -> dict:
        if not path.exists():
            # Artefacts are committed and packaged; the classifier never trains itself.
            raise FileNotFoundError(f"{path}: the classifier's model file is missing; rebuild it "
                                    "with `make model` (python -m sdgmap.classify.build)")
        return json.loads(path.read_text(encoding="utf-8"))

    @property
    def encoder(self) -> str | None:
        """How the semantic layer runs the model (``semantic.ENCODERS``), or None."""
        return self.embedder.encoder if self.embedder else None

    @property
    def layers(self) -> tuple[str, ...]:
        return ("reference", "lexical", "semantic") if self.semantic else ("reference", "lexical")

    # -- analysis ----------------------------------------------------------------------

    def analyse(self, texts: Sequence[str]) -> list[Analysis]:
        texts = [text or "" for text in texts]
        if self.semantic:
            # The encoder works on its own threads while this one runs the lexical layer.
            spans = [chunks(text) for text in texts]
            pending = self.embedder.submit([t[s:e] for t, sp in zip(texts, spans, strict=True)
                                            for s, e in sp])
        out = []
        for text in texts:
            toks = tokenize(text)
            doc = Doc(toks.words)
            a = Analysis(text=text, tokens=toks, doc=doc, hits=self.lexicon.match(doc))
            self._references(a)
            out.append(a)
        if self.semantic:
            self._embed(out, spans, pending())
        return out

    def _references(self, a: Analysis) -> None:
        if not re.search(r"(?i)sdg|goal|target|indicator|objetivo|objectif|ODS|ODD", a.text):
            return
        for m in extract(a.text):
            if m.kind == "sdg_goal":
                a.ref_goals.setdefault(int(m.value), []).append((m.start, m.end, m.text))
            elif m.kind in ("sdg_target", "sdg_indicator"):
                target = ".".join(m.value.split(".")[:2])
                a.ref_targets.setdefault(target, []).append((m.start, m.end, m.text))
                a.ref_goals.setdefault(int(target.split(".")[0]), []).append(
                    (m.start, m.end, m.text))

    def _embed(self, analyses: list[Analysis], spans: list[list[tuple[int, int]]],
               vecs: np.ndarray) -> None:
        """Per-text similarities from the passage vectors (``vecs`` in the order of ``spans``)."""
        at = 0
        for a, sp in zip(analyses, spans, strict=True):
            a.chunk_spans = sp
            v = vecs[at:at + len(sp)]
            at += len(sp)
            if len(v) == 0:
                v = np.zeros((1, 384), np.float32)
                a.chunk_spans = [(0, 0)]
            a.chunk_sims = v @ self.proto_matrix.T
            mean = v.mean(0)
            mean /= np.linalg.norm(mean) or 1.0
            a.embedding = mean
            # The whole text or its best passage: one focused paragraph in a long
            # report should count as much as a short text about the same thing.
            a.doc_sims = np.maximum(mean @ self.proto_matrix.T, a.chunk_sims.max(0))
            a.vectors = np.vstack([mean[None, :], v])
            if self.sup_w is not None:
                a.sup = supervised_probs(a.vectors, self.sup_w, self.sup_b)

    # -- scoring -----------------------------------------------------------------------

    def goal_probabilities(self, analyses: Iterable[Analysis]) -> np.ndarray:
        rows = []
        for a in analyses:
            p = self.goal_model.proba(goal_matrix(a, self.proto_goal, self.semantic))
            a.content_probs = p.copy()
            for g in a.ref_goals:
                p[g - 1] = 1 - (1 - p[g - 1]) * (1 - REFERENCE_FLOOR)
            rows.append(p)
        return np.array(rows).reshape(-1, 17)

    def predict(self, texts: Sequence[str] | str, threshold: float | None = None) -> list[Result]:
        """Classify texts; each result lists the goals at or above ``threshold``."""
        if isinstance(texts, str):
            texts = [texts]
        thr = self.goal_model.threshold if threshold is None else threshold
        analyses = self.analyse(texts)
        probs = self.goal_probabilities(analyses)
        return [self._result(a, p, thr) for a, p in zip(analyses, probs, strict=True)]

    def predict_sdgs(self, texts: Sequence[str]) -> list[list[int]]:
        return [r.sdgs for r in self.predict(texts)]

    def explain(self, text: str) -> str:
        """A plain-text account of one prediction, for people."""
        r = self.predict([text])[0]
        lines = [f"layers: {', '.join(r.layers)}; model {r.version}"
                 + (f"; {r.encoder} encoder" if r.encoder else "")]
        if not r.goals:
            lines.append("no SDG above the threshold")
        for g in r.goals:
            lines.append(f"SDG {g.goal}: {g.score:.2f}")
            for t in g.targets:
                lines.append(f"  target {t.code}: {t.score:.2f}  {self.target_titles[t.code][:70]}")
            for e in g.evidence:
                lines.append(f"  [{e.layer}] {e.feature} @ {e.start}-{e.end}: {e.text[:70]!r}")
        return "\n".join(lines)

    def _result(self, a: Analysis, probs: np.ndarray, thr: float) -> Result:
        order = np.argsort(-probs)
        chosen, others = [], []
        for idx in order:
            goal = int(idx) + 1
            if probs[idx] >= thr:
                # A goal that is only named, not described, gets only the targets named.
                named_only = a.content_probs is not None and a.content_probs[idx] < thr
                chosen.append(self._goal_score(a, goal, float(probs[idx]), named_only))
            elif len(others) < 3:
                others.append(GoalScore(goal, float(probs[idx])))
        return Result(tuple(chosen), self.layers, self.version, tuple(others), self.encoder)

    def _goal_score(self, a: Analysis, goal: int, score: float, named_only: bool = False) -> GoalScore:
        codes = self.targets[goal]
        tp = self.target_model.proba(target_matrix(a, goal, codes, self.protos, self.semantic))
        for i, code in enumerate(codes):  # a target the text names outright
            if code in a.ref_targets:
                tp[i] = 1 - (1 - tp[i]) * (1 - REFERENCE_FLOOR)
        ranked = sorted(zip(codes, tp, strict=True), key=lambda x: -x[1])
        targets = []
        if named_only:
            ranked = [(c, p) for c, p in ranked if c in a.ref_targets]
        for code, p in ranked[:MAX_TARGETS]:
            if p < self.target_threshold and targets:
                break
            if p < self.target_threshold / 2:
                break
            targets.append(TargetScore(code, round(score * float(p), 4),
                                       tuple(self._target_evidence(a, goal, code))))
        return GoalScore(goal, score, tuple(targets), tuple(self._goal_evidence(a, goal)))

    # -- evidence ----------------------------------------------------------------------

    def _char_span(self, a: Analysis, span: tuple[int, int]) -> tuple[int, int]:
        return a.tokens.starts[span[0]], a.tokens.ends[span[1] - 1]

    def _lexical_evidence(self, a: Analysis, goal: int, target: str | None) -> list[Evidence]:
        hits = [h for h in a.hits if h.rule.goal == goal and (target is None or h.rule.target == target)]
        hits.sort(key=lambda h: (_SOURCE_ORDER[h.rule.source], h.spans[0]))
        out, seen = [], set()
        for h in hits:
            for span in h.spans[:2]:
                s, e = self._char_span(a, span)
                if (s, e) in seen:
                    continue
                seen.add((s, e))
                feature = h.rule.label
                out.append(Evidence(s, e, f"{h.rule.source}: {feature}", "lexical", a.text[s:e]))
        return out

    def _semantic_evidence(self, a: Analysis, goal: int, target: str | None) -> list[Evidence]:
        if a.chunk_sims is None:
            return []
        idx = [i for i, p in enumerate(self.protos)
               if p.goal == goal and p.kind == "target" and (target is None or p.code == target)]
        if not idx:
            return []
        sims = a.chunk_sims[:, idx]
        c, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        code = self.protos[idx[j]].code
        s, e = a.chunk_spans[c]
        title = self.target_titles.get(code, "")
        feature = f"nearest target {code} ({sims[c, j]:.2f}): {title[:60]}"
        return [Evidence(s, e, feature, "semantic", a.text[s:e])]

    def _goal_evidence(self, a: Analysis, goal: int) -> list[Evidence]:
        out = [Evidence(s, e, f"names SDG {goal}", "reference", t) for s, e, t in a.ref_goals.get(goal, [])]
        out += self._lexical_evidence(a, goal, None)
        out = out[:MAX_EVIDENCE - 1]
        out += self._semantic_evidence(a, goal, None)
        return out

    def _target_evidence(self, a: Analysis, goal: int, code: str) -> list[Evidence]:
        out = [Evidence(s, e, f"names target {code}", "reference", t)
               for s, e, t in a.ref_targets.get(code, [])]
        out += self._lexical_evidence(a, goal, code)[:3]
        out += self._semantic_evidence(a, goal, code)
        return out


_CACHE: dict[tuple[bool, str | None], SDGClassifier] = {}


def load_classifier(semantic: bool | None = None, encoder: str | None = None) -> SDGClassifier:
    """The shared classifier of this process (loaded once per mode and encoder)."""
    sem = has_ml() if semantic is None else bool(semantic and has_ml())
    key = (sem, encoder if sem else None)
    if key not in _CACHE:
        _CACHE[key] = SDGClassifier(semantic=sem, encoder=key[1])
    return _CACHE[key]


__all__ = ["SDGClassifier", "load_classifier", "SOURCES"]
