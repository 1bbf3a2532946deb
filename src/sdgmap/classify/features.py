"""Per-goal and per-target feature vectors from the three layers (references, lexical,
semantic). Kept separate from the model so ``build`` trains on exactly what ``predict`` sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sdgmap.classify.lexicon import SOURCES, Hit
from sdgmap.classify.query import Doc
from sdgmap.classify.semantic import Prototype
from sdgmap.classify.tokens import Tokens

GOALS = list(range(1, 18))
LEX_FEATURES = [f"lex_{s}" for s in SOURCES] + ["lex_share", "lex_top", "lex_targets"]
SEM_FEATURES = ["sem_max", "sem_top2", "sem_margin", "sem_top1", "sem_sup"]
REF_FEATURES = ["ref"]


@dataclass
class Analysis:
    """Everything the layers found in one text (before scoring)."""

    text: str
    tokens: Tokens
    doc: Doc
    hits: list[Hit]
    ref_goals: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    ref_targets: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    chunk_spans: list[tuple[int, int]] = field(default_factory=list)
    chunk_sims: np.ndarray | None = None  # (chunks, prototypes)
    doc_sims: np.ndarray | None = None  # (prototypes,)
    embedding: np.ndarray | None = None  # (384,) mean of the chunk embeddings
    vectors: np.ndarray | None = None  # (1 + chunks, 384): ``embedding``, then each chunk
    sup: np.ndarray | None = None  # (17,) supervised goal probabilities
    content_probs: np.ndarray | None = None  # (17,) goal scores before explicit references


def supervised_probs(vectors: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(17,) the supervised head's probabilities: the best of the whole text and its passages.

    Used at prediction time and, with out-of-fold weights, by ``make model``, so the
    combiner is trained on the same feature it sees later.
    """
    return (1 / (1 + np.exp(-(vectors @ w + b)))).max(0)


def lexical_matrix(a: Analysis) -> np.ndarray:
    """(17, len(LEX_FEATURES)): distinct rules matched per source, share and target spread."""
    counts = np.zeros((17, len(SOURCES)))
    targets: list[set[str]] = [set() for _ in GOALS]
    for h in a.hits:
        counts[h.rule.goal - 1, SOURCES.index(h.rule.source)] += 1
        if h.rule.target:
            targets[h.rule.goal - 1].add(h.rule.target)
    total = counts.sum(1)
    share = total / total.sum() if total.sum() else np.zeros(17)
    top = (total == total.max()) & (total > 0)
    return np.column_stack(
        [np.log1p(counts), share, top.astype(float), np.log1p([len(t) for t in targets])]
    )


def semantic_matrix(a: Analysis, proto_goal: np.ndarray) -> np.ndarray:
    """(17, len(SEM_FEATURES)) from the similarities of the text to the prototypes."""
    sims = a.doc_sims
    best = np.array([sims[proto_goal == g].max() for g in GOALS])
    top2 = np.array([np.sort(sims[proto_goal == g])[-2:].mean() for g in GOALS])
    order = np.sort(best)
    margin = best - np.where(best == order[-1], order[-2], order[-1])
    top1 = (best == order[-1]).astype(float)
    sup = a.sup if a.sup is not None else np.zeros(17)
    return np.column_stack([best, top2, margin, top1, sup])


def reference_matrix(a: Analysis) -> np.ndarray:
    ref = np.zeros((17, 1))
    for g in a.ref_goals:
        ref[g - 1, 0] = 1.0
    return ref


def goal_matrix(a: Analysis, proto_goal: np.ndarray | None, semantic: bool) -> np.ndarray:
    parts = [lexical_matrix(a), reference_matrix(a)]
    if semantic:
        parts.insert(1, semantic_matrix(a, proto_goal))
    return np.hstack(parts)


def feature_names(semantic: bool) -> list[str]:
    return LEX_FEATURES + (SEM_FEATURES if semantic else []) + REF_FEATURES


TARGET_FEATURES = ["t_sim_text", "t_sim_kw", "t_rank", "t_lex", "t_ref", "bias"]


def target_matrix(
    a: Analysis, goal: int, targets: list[str], protos: list[Prototype], semantic: bool
) -> np.ndarray:
    """(targets of the goal, len(TARGET_FEATURES)); similarity columns are 0 without ML."""
    lex = {t: 0 for t in targets}
    for h in a.hits:
        if h.rule.goal == goal and h.rule.target in lex:
            lex[h.rule.target] += 1
    rows = []
    sim_text = {}
    sim_kw = {}
    if semantic and a.doc_sims is not None:
        for i, p in enumerate(protos):
            if p.goal == goal and p.kind == "target":
                sim_text[p.code] = float(a.doc_sims[i])
            elif p.goal == goal and p.kind == "keywords":
                sim_kw[p.code] = float(a.doc_sims[i])
    ranked = sorted(targets, key=lambda t: -max(sim_text.get(t, 0), sim_kw.get(t, 0)))
    for t in targets:
        rows.append([
            sim_text.get(t, 0.0),
            sim_kw.get(t, 0.0),
            1.0 / (1 + ranked.index(t)) if sim_text else 0.0,
            np.log1p(lex[t]),
            1.0 if t in a.ref_targets else 0.0,
            1.0,
        ])
    return np.array(rows, dtype=float)
