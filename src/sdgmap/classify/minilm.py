"""A lean CPU encoder for all-MiniLM-L6-v2: the model's own weights, tokenizer and pooling.

Why not sentence-transformers at run time: importing it (with transformers, scikit-learn
and scipy) took about 3 of the 4 seconds of loading the classifier, and its generic BERT
spent a third of the forward pass in attention overhead. This module computes the same
function as ``SentenceTransformer(all-MiniLM-L6-v2).encode(..., normalize_embeddings=True)``
(BERT encoder, mean pooling over the real tokens, L2 normalisation, inputs truncated to
256 word pieces) with only ``torch``, ``tokenizers`` and ``safetensors``. A test compares
the two on the same texts.

Speed choices, all measured on a 2-core AVX512-BF16 CPU:

* texts are sorted by length and batched by a token budget, so almost no padding is computed;
* batches run on one thread per core (torch's own intra-op threads set to 1): on 2 cores
  this took half the CPU time of torch's fork-join threads, whose workers spin at every
  operation and lose most when another process holds a core;
* Q, K and V are one matrix product per layer;
* with ``bfloat16`` the matrix products and attention run in bfloat16, while embeddings,
  residual sums, layer norms and pooling stay in float32 (more accurate than casting the
  whole model, and as fast).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
BATCH_TOKENS = 1024  # padded tokens per forward pass (measured: 1k-4k within 10%, 1k best)
_EPS = 1e-12
_HEADS = 12


class BatchedEncoder:
    """Tokenising, length-sorted batching and the worker threads; subclasses run the model.

    ``_forward(seqs, width)`` gets token-id lists padded to ``width`` and returns their
    unit-length vectors.
    """

    hidden = 384
    batch_tokens = BATCH_TOKENS  # padded tokens per forward pass

    def __init__(self, model_dir: Path, workers: int | None = None) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.no_padding()  # tokenizer.json pads to 128; we batch by length instead
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.workers = max(1, workers or default_workers())
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [enc.ids for enc in self.tokenizer.encode_batch(texts, add_special_tokens=True)]

    def encode(self, texts: list[str], batch_tokens: int | None = None) -> np.ndarray:
        """(len(texts), 384) float32, unit length."""
        return self.submit(texts, batch_tokens)()

    def submit(self, texts: list[str], batch_tokens: int | None = None) -> Callable[[], np.ndarray]:
        """Start encoding on the worker threads; call the returned function for the vectors.

        The caller can do other work meanwhile (the classifier runs its lexical layer):
        both torch and ONNX Runtime release the GIL while they compute.
        """
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        ids = self.token_ids(texts) if texts else []
        order = sorted(range(len(ids)), key=lambda k: -len(ids[k]))
        # Small inputs still get one batch per worker.
        total = sum(len(s) for s in ids)
        batch_tokens = max(1, min(batch_tokens or self.batch_tokens, -(-total // self.workers)))
        batches: list[list[int]] = []
        start = 0
        while start < len(order):
            width = len(ids[order[start]])  # longest in the batch: sorted descending
            n = max(1, min(len(order) - start, batch_tokens // width))
            batches.append(order[start:start + n])
            start += n

        def run(batch: list[int]) -> np.ndarray:
            return self._forward([ids[k] for k in batch], len(ids[batch[0]]))

        if self.workers == 1:
            def collect() -> np.ndarray:
                for batch in batches:
                    out[batch] = run(batch)
                return out
            return collect
        # Longest batches first, taken by whichever worker is free: balances the workers.
        futures = [self._executor().submit(run, batch) for batch in batches]

        def gather() -> np.ndarray:
            for batch, fut in zip(batches, futures, strict=True):
                out[batch] = fut.result()
            return out
        return gather

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="minilm")
            return self._pool

    @staticmethod
    def _pad(seqs: list[list[int]], width: int) -> tuple[np.ndarray, np.ndarray]:
        """Token ids and attention mask, (n, width) int64 each."""
        ids = np.zeros((len(seqs), width), dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        for r, s in enumerate(seqs):
            ids[r, :len(s)] = s
            mask[r, :len(s)] = 1
        return ids, mask

    def _forward(self, seqs: list[list[int]], width: int) -> np.ndarray:
        raise NotImplementedError


class MiniLM(BatchedEncoder):
    """The model on torch, in float32 or (matrix products and attention) bfloat16."""

    def __init__(self, model_dir: Path, bfloat16: bool, workers: int | None = None) -> None:
        import torch
        from safetensors.torch import load_file

        super().__init__(model_dir, workers)
        self.torch = torch
        w = load_file(str(Path(model_dir) / "model.safetensors"))
        self.dtype = torch.bfloat16 if bfloat16 else torch.float32
        mat = self.dtype  # matrix weights; vectors (biases, norms) stay float32

        def p(name: str) -> torch.Tensor:
            return w[name].float()

        e = "embeddings."
        self.word = p(e + "word_embeddings.weight")
        self.pos = p(e + "position_embeddings.weight")
        self.type0 = p(e + "token_type_embeddings.weight")[0]
        self.emb_norm = (p(e + "LayerNorm.weight"), p(e + "LayerNorm.bias"))
        self.layers = []
        i = 0
        while f"encoder.layer.{i}.attention.self.query.weight" in w:
            pre = f"encoder.layer.{i}."
            s = pre + "attention.self."
            qkv_w = torch.cat([p(s + n + ".weight") for n in ("query", "key", "value")])
            qkv_b = torch.cat([p(s + n + ".bias") for n in ("query", "key", "value")])
            self.layers.append({
                "qkv": (qkv_w.to(mat), qkv_b.to(mat)),
                "out": (p(pre + "attention.output.dense.weight").to(mat),
                        p(pre + "attention.output.dense.bias").to(mat)),
                "norm1": (p(pre + "attention.output.LayerNorm.weight"),
                          p(pre + "attention.output.LayerNorm.bias")),
                "up": (p(pre + "intermediate.dense.weight").to(mat),
                       p(pre + "intermediate.dense.bias").to(mat)),
                "down": (p(pre + "output.dense.weight").to(mat), p(pre + "output.dense.bias").to(mat)),
                "norm2": (p(pre + "output.LayerNorm.weight"), p(pre + "output.LayerNorm.bias")),
            })
            i += 1
        self.hidden = self.word.shape[1]
        if self.workers > 1:
            # Parallel over batches, not inside each operation (see the module docstring).
            torch.set_num_threads(1)

    def _forward(self, seqs: list[list[int]], width: int) -> np.ndarray:
        ids, mask = self._pad(seqs, width)
        with self.torch.inference_mode():
            return self.forward_tensors(self.torch.from_numpy(ids), self.torch.from_numpy(mask)).numpy()

    def forward_tensors(self, ids, mask):
        """(n, width) token ids and 0/1 mask (int64 tensors) to (n, 384) unit vectors.

        Written with tensor shapes only, so that ``onnx_encoder`` can export it as it is.
        """
        torch = self.torch
        f = torch.nn.functional
        n, width = ids.shape
        x = self.word[ids] + self.pos[:width] + self.type0
        x = f.layer_norm(x, (self.hidden,), *self.emb_norm, _EPS)
        # Padded keys get -inf before the softmax: the same as BERT's extended attention mask.
        keep = mask.bool()
        bias = torch.zeros((n, 1, 1, width), dtype=self.dtype)
        bias = bias.masked_fill(~keep[:, None, None, :], float("-inf"))
        head = self.hidden // _HEADS
        scale = 1.0 / math.sqrt(head)
        for layer in self.layers:
            h = x.to(self.dtype)
            qkv = f.linear(h, *layer["qkv"]).view(n, width, 3, _HEADS, head).permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            att = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * scale + bias, dim=-1)
            ctx = torch.matmul(att, v).transpose(1, 2).reshape(n, width, self.hidden)
            x = f.layer_norm(f.linear(ctx, *layer["out"]).float() + x, (self.hidden,),
                             *layer["norm1"], _EPS)
            up = f.gelu(f.linear(x.to(self.dtype), *layer["up"]))
            x = f.layer_norm(f.linear(up, *layer["down"]).float() + x, (self.hidden,),
                             *layer["norm2"], _EPS)
        m = keep.unsqueeze(-1).float()
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return f.normalize(pooled, dim=-1)


def default_workers() -> int:
    """Threads for the encoder: ``SDGMAP_THREADS``, else the cores this process may use."""
    env = os.environ.get("SDGMAP_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
