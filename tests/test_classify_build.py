"""``make model`` scores its held-out data the way ``predict()`` classifies it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sdgmap.capabilities import has_ml

pytestmark = pytest.mark.skipif(not has_ml(), reason="needs the [ml] extra")


def test_build_metrics_are_what_predict_gives():
    from sdgmap.classify.build import _goal_labels, _metrics, build
    from sdgmap.classify.classifier import MODEL_FILE, SDGClassifier
    from sdgmap.classify.training import all_examples

    committed = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    metrics = build(quiet=True, write=False)  # refits everything, writes nothing
    assert json.loads(MODEL_FILE.read_text(encoding="utf-8")) == committed
    assert metrics["full"]["threshold"] == committed["full"]["threshold"]

    clf = SDGClassifier(encoder="float32")  # the committed model, as a user loads it
    held = [e for e in all_examples() if e.split == "holdout" and e.source == "handwritten"]
    probs = clf.goal_probabilities(clf.analyse([e.text for e in held]))
    gold = _goal_labels(held).astype(bool)
    for batch in ("first", "more"):
        rows = np.array([e.batch == batch for e in held])
        got = _metrics(probs[rows] >= clf.goal_model.threshold, gold[rows])
        want = metrics["full"][f"goal_holdout_handwritten_{batch}"]
        assert got["n"] == want["n"]
        # Same features at build and prediction time; a new scikit-learn release may
        # move a coefficient in its last digits, not an F1 by a percentage point.
        assert abs(got["f1_micro"] - want["f1_micro"]) <= 0.01, (batch, got, want)
