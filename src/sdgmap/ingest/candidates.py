"""What the structure extractors find before anything is written: candidate activities.

A ``Candidate`` is one block of a document (an event, a publication, a partnership, a
resolution, an outcome statement) with its span, fields and the framework nodes it states
(``StatedLink``). ``series_key`` and ``same_activity_key`` are the rules that decide when two
blocks are the same activity or the same series (see ``docs/ingest.md``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass
class StatedLink:
    ref: str  # framework:code, e.g. "sdg:9", "wsis:C5", "itu-sp-2020:D.1-5"
    start: int
    end: int
    evidence: str
    primary: bool = False


@dataclass
class Candidate:
    type: str
    title: str
    start: int
    end: int
    extractor: str
    section: str = ""
    description: str = ""
    dates_text: str = ""
    date_start: str | None = None
    date_end: str | None = None
    location: str = ""
    partners: list[str] = field(default_factory=list)
    website: str = ""
    attrs: dict = field(default_factory=dict)
    links: list[StatedLink] = field(default_factory=list)
    # Further spans where the same activity is reported again in the same document.
    more_spans: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def series_key(self) -> str:
        return series_key(self.title, self.type)

    @property
    def same_key(self) -> tuple[str, str, str]:
        return same_activity_key(self.type, self.title, self.dates_text)


def collapse(text: str) -> str:
    """One line, single spaces: how titles and short fields are stored."""
    return " ".join(text.split())


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("–", "-").replace("—", "-")
    return text.lower()


# Words that vary between reports of the same initiative without changing what it is.
_SERIES_STOP = {
    "the", "a", "an", "of", "for", "on", "and", "in", "to", "initiative", "partnership",
    "programme", "program", "annual", "edition", "global", "itu", "un", "s",
}
# Initiatives named in a bullet list and partnerships in a form block are the same kind of thing.
_FAMILY = {"initiative": "partnership"}
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b|\b(?:first|second|third|fourth|fifth|sixth|"
                      r"seventh|eighth|ninth|tenth)\b")


def series_key(title: str, type_: str = "") -> str:
    """Normalised name shared by the yearly reports of one initiative, event or publication.

    Drops acronyms in parentheses, years, ordinals (``7th meeting``) and generic words, and
    sorts the remaining words; prefixes the kind of activity (initiatives and partnerships
    count as one kind). ``United for Smart Sustainable Cities (U4SSC) Initiative`` (2023
    partnership), ``United for Smart Sustainable Cities (U4SSC)`` (2020 bullet initiative)
    and the 2024 partnership share ``partnership:cities-smart-sustainable-united``; the 7th
    and 8th meetings share ``event:cities-meeting-smart-sustainable-united``.
    """
    t = fold(title)
    t = re.sub(r"\([^)]*\)", " ", t)
    t = re.sub(r"\b(?:19|20)\d\d\b|\b\w+-\d\d\b", " ", t)  # 2023, WSIS-23 style suffixes
    t = _ORDINAL.sub(" ", t)
    words = [w for w in re.findall(r"[a-z0-9+]+", t) if w not in _SERIES_STOP]
    prefix = f"{_FAMILY.get(type_, type_)}:" if type_ else ""
    return (prefix + "-".join(sorted(set(words))))[:300]


def same_activity_key(type_: str, title: str, dates_text: str) -> tuple[str, str, str]:
    """Two blocks are one activity when type, title and dates are the same (case, spacing aside)."""
    return type_, " ".join(fold(title).split()), " ".join(fold(dates_text).split())


_LEAD = re.compile(
    r"^(?:(?:the|and|including|includes|include|as well as|with|in partnership with|"
    r"(?:co-?)?(?:coordinated|supported|organized|organised|led|developed|implemented|hosted)"
    r"(?:\s+by)?|donors?(?:\s+include)?|in close collaboration with|partners? include|"
    r"a network of key partners,?\s*including|by)\s+)+", re.I)


def split_names(text: str, entity_mentions: list[tuple[int, int, str]] | None = None) -> list[str]:
    """``ITU, UNECE and UN-Habitat, and supported by CBD`` -> ``["ITU", "UNECE", "UN-Habitat", "CBD"]``.

    A chunk that is a whole sentence is replaced by the UN entity acronyms found in it.
    """
    out: list[str] = []
    text = collapse(text).rstrip(".")
    for chunk in re.split(r"\s*(?:[,;]|\band\b|&)\s*", text):
        chunk = _LEAD.sub("", chunk.strip()).strip(" .:-")
        if not chunk:
            continue
        if len(chunk.split()) > 8 or not (chunk[0].isupper() or chunk[0].isdigit()):
            continue  # a sentence or a description ("a network of key partners"), not a name
        out.append(chunk)
    if entity_mentions:
        for _s, _e, value in entity_mentions:
            if value not in out:
                out.append(value)
    seen: set[str] = set()
    result = []
    for name in out:
        if name.lower() not in seen:
            seen.add(name.lower())
            result.append(name)
    return result
