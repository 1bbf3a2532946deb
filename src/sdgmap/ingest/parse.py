"""Everything done to a file before the database is touched: read, find structures, dedupe.

``parse_document`` either returns a complete ``ParsedDocument`` or raises an
``IngestError``; the register writer then stores it in one transaction, so a file is
never half written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sdgmap.errors import UserError
from sdgmap.ingest.candidates import Candidate
from sdgmap.ingest.other_structures import (
    extract_bullet_initiatives,
    extract_outcomes,
    extract_partnership_chapters,
    extract_resolutions,
)
from sdgmap.ingest.provenance import (
    YEAR_SOURCE_WORDS,
    EntityGuess,
    YearGuess,
    canonical_entity,
    detect_entity,
    detect_year,
    infer_year,
)
from sdgmap.ingest.questionnaire import extract_blocks, find_sections
from sdgmap.ingest.readers import DEFAULT_MAX_BYTES, read_bytes
from sdgmap.text.references import Mention, extract


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
    # How the entity and year were decided: rule, score and evidence spans, for display.
    provenance: dict = field(default_factory=dict)


def guess_entity(text: str, pages: list[list[int]] | None = None, title: str = "") -> str:
    """The reporting entity the document names (see ``provenance.detect_entity``), or ""."""
    found = detect_entity(text, pages, title)
    return found.entity if found else ""


def _infer_year(text: str) -> int | None:
    """Latest full date the document mentions: a fallback when it states no report year."""
    return infer_year(text)


def _decide_year(stated: YearGuess, year: int | None, warnings: list[str]) -> tuple[int | None, str]:
    """The user's --year wins (a different stated year is a warning), else the document's."""
    where = YEAR_SOURCE_WORDS.get(stated.source, "")
    quoted = f" ('{stated.evidence.text[:60]}')" if stated.evidence and stated.source != "document" else ""
    if year is not None:
        if stated.year and stated.source != "inferred" and stated.year != year:
            warnings.append(f"document says year {stated.year}{quoted}; using --year {year}")
        return year, "user"
    if stated.source == "document":
        return stated.year, "document"
    if stated.year is None:
        warnings.append("no report year found (set it with --year)")
        return None, "inferred"
    if stated.source == "inferred":
        warnings.append(f"no 'Year of submission' in the document; year {stated.year} inferred "
                        "from its latest date (set it with --year)")
    else:
        warnings.append(f"no 'Year of submission' in the document; year {stated.year} taken from "
                        f"{where}{quoted} (set it with --year)")
    return stated.year, stated.source


def _decide_entity(found: EntityGuess | None, entity: str | None, warnings: list[str]) -> str:
    """The user's --entity wins (a different entity named in the document is a warning)."""
    if entity is not None:
        if found and found.entity != entity and canonical_entity(entity) != found.entity:
            said = (f"document names {found.describe()}" if found.rule != "mentions"
                    else f"document mostly mentions {found.describe()} ({found.mentions} times)")
            warnings.append(f"{said}; using --entity {entity}")
        return entity
    if found is None:
        warnings.append("no reporting entity found in the document (set it with --entity)")
        return ""
    if found.rule == "mentions":
        warnings.append(f"reporting entity {found.entity} inferred from {found.mentions} mentions; the document "
                        "names no entity on its cover or in an organisation field (set it with --entity)")
    return found.entity


def _provenance(found: EntityGuess | None, stated: YearGuess) -> dict:
    return {
        "entity": None if found is None else {
            "value": found.entity, "rule": found.rule, "score": round(found.score, 2),
            "mentions": found.mentions, "evidence": [e.as_dict() for e in found.evidence]},
        "year": {"value": stated.year, "source": stated.source,
                 "evidence": stated.evidence.as_dict() if stated.evidence else None},
    }


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

    stated = detect_year(text, read.pages)
    doc_year, year_source = _decide_year(stated, year, warnings)
    stated_year = stated.year if stated.source == "document" else None
    found = detect_entity(text, read.pages, read.title)
    doc_entity = _decide_entity(found, entity, warnings)

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

    title = read.title or _first_line(text)
    if stated_year and "Department of Economic and Social Affairs" in text[:400]:
        # The DESA form's own first line says nothing about whose submission it is.
        title = (f"{doc_entity or (found.entity if found else '') or 'Entity'} "
                 f"submission to the UN DESA questionnaire ({stated_year})")
    return ParsedDocument(
        filename=filename, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
        media_type=read.media_type, title=title, text=text, pages=read.pages,
        year=doc_year, year_source=year_source, entity=doc_entity,
        candidates=candidates, mentions=extract(text),
        sections=[{"number": s.number, "title": s.title[:300], "start": s.start, "end": s.end} for s in sections],
        warnings=warnings, provenance=_provenance(found, stated),
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
