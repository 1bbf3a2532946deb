"""Checks a report runs on what it writes: word limits and empty required fields.

Problems become ``ReportWarning``s shown in the CLI output and in the report's review
section. Nothing is ever cut or filled in: the person who submits the report decides.
"""

from __future__ import annotations

import re

from sdgmap.reports.model import ActivityBlock, ReportWarning

DESCRIPTION_WORD_LIMIT = 150
_WORD = re.compile(r"\S+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def check_block(block: ActivityBlock, required: list[str], word_limited: list[str],
                limit: int = DESCRIPTION_WORD_LIMIT) -> list[ReportWarning]:
    """Warnings for one block: each required label with an empty value, each long text."""
    out = []
    for fv in block.fields:
        if fv.label in required and not fv.value.strip():
            out.append(ReportWarning(block.activity_id, block.title, _short(fv.label),
                                     "required field is empty"))
        if fv.label in word_limited and (n := word_count(fv.value)) > limit:
            out.append(ReportWarning(block.activity_id, block.title, _short(fv.label),
                                     f"{n} words, over the {limit}-word limit (not cut)"))
    return out


def _short(label: str) -> str:
    """'Description (max 150 words): please ...' -> 'Description'."""
    return re.split(r"\s+\(|:", label, maxsplit=1)[0].strip() or label
