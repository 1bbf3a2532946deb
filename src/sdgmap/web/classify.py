"""Adapter from the API to ``sdgmap.classify``: suggestions for a text, with evidence spans."""

from __future__ import annotations

from fastapi import HTTPException


def classify_text(text: str, semantic: bool | None = None) -> dict:
    """The classifier's goals (scores, targets, evidence) for ``text``; 503 if not installed."""
    try:
        from sdgmap.classify.classifier import load_classifier
    except ImportError:
        raise HTTPException(503, "The SDG classifier is not available in this installation.") from None
    result = load_classifier(semantic=semantic).predict([text])[0]
    return {"text_length": len(text), **result.to_dict()}
