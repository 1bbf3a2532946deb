"""Word tokens with character offsets, shared by the query engine and the evidence spans.

Lower-cased alphanumeric runs; hyphens, apostrophes and punctuation separate tokens, so
"socio-economic" in a query and in a text both become ``socio economic``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of one text: ``words[i]`` spans ``text[starts[i]:ends[i]]``."""

    words: list[str]
    starts: list[int]
    ends: list[int]

    def positions(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            index.setdefault(w, []).append(i)
        return index


def tokenize(text: str) -> Tokens:
    words, starts, ends = [], [], []
    for m in _WORD.finditer(text):
        words.append(m.group().lower())
        starts.append(m.start())
        ends.append(m.end())
    return Tokens(words, starts, ends)


def words_of(text: str) -> list[str]:
    return [m.group().lower() for m in _WORD.finditer(text)]
