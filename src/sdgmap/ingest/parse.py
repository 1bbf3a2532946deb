"""Everything done to a file before the database is touched: read, find structures, dedupe.

``parse_document`` either returns a complete ``ParsedDocument`` or raises an
``IngestError``; the register writer then stores it in one transaction, so a file is
never half written.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from sdgmap.errors import UserError
from sdgmap.ingest.candidates import Candidate
from sdgmap.ingest.other_structures import (
    extract_bullet_initiatives,
    extract_outcomes,
    extract_partnership_chapters,
    extract_resolutions,
)
from sdgmap.ingest.questionnaire import extract_blocks, find_sections, report_year
from sdgmap.ingest.readers import DEFAULT_MAX_BYTES, read_bytes
from sdgmap.text.dates import find_dates
from sdgmap.text.references import Mention, entity_names, extract


@dataclass
class ParsedDocument:
    filename: str
    sha256: str
    size: int
    media_type: str
    title: str
    text: str
    pages: list[list[int]]
    year: int | None
    year_source: str
    entity: str
    candidates: list[Candidate]
    mentions: list[Mention]
    sections: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_ENTITY_LINE = re.compile(r"(?m)^[ \t]*[A-Z][\w ,.'’&-]{5,120}\((?P<acr>[A-Z][A-Za-z-]{1,11})\)[ \t]*$")


def guess_entity(text: str) -> str:
    """The reporting entity named on a line of its own near the top (``... Union (ITU)``)."""
    names = entity_names()
    for m in _ENTITY_LINE.finditer(text[:2000]):
        if m.group("acr") in names:
            return names[m.group("acr")]
    return ""


def _infer_year(text: str) -> int | None:
    """Latest full date the document mentions: a fallback when it states no report year."""
    years = [int(h.last[:4]) for h in find_dates(text) if h.last and h.form in ("dmy", "d-dm-y", "dm-dm-y", "mdy")]
    return max(years) if years else None


def parse_document(filename: str, data: bytes, *, year: int | None = None, entity: str | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    if year is not None and not (1900 <= year <= 2100):
        raise UserError(f"year {year} is not a report year (1900-2100)")
    if entity is not None:
        entity = " ".join(entity.split())
        if len(entity) > 100:
            raise UserError(f"entity '{entity[:40]}...' is too long (at most 100 characters)")
    read = read_bytes(filename, data, max_bytes=max_bytes)
    text = read.text
    warnings: list[str] = []

    stated_year = report_year(text)
    if year is not None:
        doc_year, year_source = year, "user"
        if stated_year and stated_year != year:
            warnings.append(f"document says year {stated_year}; using --year {year}")
    elif stated_year:
        doc_year, year_source = stated_year, "document"
    else:
        doc_year, year_source = _infer_year(text), "inferred"
        if doc_year:
            warnings.append(f"no 'Year of submission' in the document; year {doc_year} inferred "
                            "from its latest date (set it with --year)")
        else:
            warnings.append("no report year found (set it with --year)")

    sections = find_sections(text)
    blocks = extract_blocks(text, doc_year, sections, warnings)
    taken = [(b.start, b.end) for b in blocks]
    candidates = blocks
    candidates += extract_resolutions(text, sections, taken)
    candidates += extract_outcomes(text, sections)
    taken += [(c.start, c.end) for c in candidates if c.extractor == "itu-d-outcome"]
    candidates += extract_bullet_initiatives(text, sections, taken)
    taken += [(c.start, c.end) for c in candidates if c.extractor == "bullet-list"]
    candidates += extract_partnership_chapters(text, sections, taken)
    candidates = dedupe(candidates)

    doc_entity = entity if entity is not None else guess_entity(text)
    title = read.title or _first_line(text)
    if stated_year and "Department of Economic and Social Affairs" in text[:400]:
        # The DESA form's own first line says nothing about whose submission it is.
        title = f"{doc_entity or guess_entity(text) or 'Entity'} submission to the UN DESA questionnaire ({stated_year})"
    return ParsedDocument(
        filename=filename, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
        media_type=read.media_type, title=title, text=text, pages=read.pages,
        year=doc_year, year_source=year_source, entity=doc_entity,
        candidates=candidates, mentions=extract(text),
        sections=[{"number": s.number, "title": s.title[:300], "start": s.start, "end": s.end} for s in sections],
        warnings=warnings,
    )


def dedupe(candidates: list[Candidate]) -> list[Candidate]:
    """The same block reported twice in one document becomes one candidate with two spans."""
    out: list[Candidate] = []
    seen: dict[tuple[str, str, str], Candidate] = {}
    for c in sorted(candidates, key=lambda c: c.start):
        first = seen.get(c.same_key)
        if first is None:
            seen[c.same_key] = c
            out.append(c)
            continue
        first.more_spans.append((c.start, c.end, c.section))
        first.more_spans.extend(c.more_spans)
        have = {(lk.ref) for lk in first.links}
        first.links.extend(lk for lk in c.links if lk.ref not in have)
    return out


def _first_line(text: str) -> str:
    for line in text.split("\n"):
        line = " ".join(line.split())
        # Skip labels ("Summary:") and browser noise ("enable JavaScript").
        if len(line.split()) >= 2 and not line.endswith(":") and "javascript" not in line.lower():
            return line[:200]
    return ""
