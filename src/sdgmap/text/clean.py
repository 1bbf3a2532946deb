"""Cleaning text that people type (titles, names, organisations): one function for every layer.

Invisible format characters can disguise text: a right-to-left override (U+202E) makes
``txt.exe`` read as ``exe.txt``, bidi isolates and marks reorder a title around it, and
zero-width spaces make two names look equal. ``visible`` removes them and control
characters; ``one_line`` also collapses whitespace, for names and titles.
"""

from __future__ import annotations

import unicodedata

# The joiners shape Arabic, Persian and Indic words and emoji: they change how a word is
# drawn, not the order in which text is read, so they stay.
JOINERS = frozenset("\u200c\u200d")
_LINE_BREAKS = frozenset("\n\r\t")


def _shown(ch: str) -> bool:
    cat = unicodedata.category(ch)
    if cat == "Cf":  # bidi embeddings, overrides, isolates and marks, zero-width space, BOM...
        return ch in JOINERS
    return cat != "Cc" or ch in _LINE_BREAKS  # control characters (NUL included) go


def visible(value: str | None) -> str:
    """``value`` without control and invisible format characters; line breaks stay."""
    return "".join(ch for ch in (value or "") if _shown(ch))


def one_line(value: str | None, limit: int | None = None) -> str:
    """A name or title: printable characters only (so no bidi controls), whitespace runs as
    one space, trimmed, then cut to ``limit`` characters."""
    kept = "".join(ch for ch in (value or "") if ch.isprintable() or ch.isspace() or ch in JOINERS)
    value = " ".join(kept.split())
    return value if limit is None else value[:limit]
