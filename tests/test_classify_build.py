"""``make model`` scores its held-out data the way ``predict()`` classifies it."""

from __future__ import annotations

import json

import pytest

from sdgmap.capabilities import has_ml

pytestmark = pytest.mark.skipif(not has_ml(), reason="needs the [ml] extra")


def test_build_scores_texts_as_predict_does():
    from sdgmap.classify.build import _goal_labels, _metrics, build
    from sdgmap.classify.classifier import MODEL_FILE, SDGClassifier
    from sdgmap.classify.training import all_examples

    committed = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    metrics = build(quiet=True, write=False)  # refits everything, writes nothing
    assert json.loads(MODEL_FILE.read_text(encoding="utf-8")) == committed
    assert metrics["full"]["threshold"] == committed["full"]["threshold"]
    assert metrics["full"]["goal_handwritten"]["n"] == 703  # every text scored out of fold

    clf = SDGClassifier(encoder="float32")  # the committed model, as a user loads it
    hand = [e for e in all_examples() if e.source == "handwritten"]
    probs = clf.goal_probabilities(clf.analyse([e.text for e in hand]))
    got = _metrics(probs >= clf.goal_model.threshold, _goal_labels(hand).astype(bool))
    want = metrics["full"]["in_sample_handwritten"]
    # The same features at build and prediction time (the supervised head's included).
    # A new scikit-learn release may move a coefficient in its last digits, not an F1 by
    # half a percentage point.
    assert abs(got["f1_micro"] - want["f1_micro"]) <= 0.005, (got, want)
