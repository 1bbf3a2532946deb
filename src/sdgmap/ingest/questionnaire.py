"""The UN DESA questionnaire: numbered questions, and event / resource / partnership blocks.

Blocks are found by their field labels (``Event Name``, ``Relevant SDGs``, ``Website (if
applicable)``...), wherever the value sits: on the same line (2024 submission), on the next
lines (2023 submission), after a colon, or in a table cell (DOCX/HTML tables are rendered as
``Label: value`` lines by the readers). Labels only count at the start of a line, and short
generic labels (``Dates``, ``Location``, ``Website``) only when followed by a colon, a tab, two
spaces or the end of the line, so a description that wraps onto ``Website ...`` in a PDF
still reads as description. A block runs until the next block name, the next numbered
question, or the form's closing lines. Text that has lost its line breaks altogether (a
form pasted as one paragraph) is read in a second mode: full, capitalised labels and
numbered questions ending in ``?`` anywhere in the running text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from sdgmap.ingest.candidates import Candidate, StatedLink, collapse, split_names
from sdgmap.text.dates import date_range
from sdgmap.text.references import ALL_GOALS, extract

W = r"\s+"  # label words may wrap onto the next line in PDFs

# (field, block type started by this label or None, full label regex, short label regex)
LABELS: list[tuple[str, str | None, str, str | None]] = [
    ("name", "event", rf"Event{W}Name|Name{W}of{W}(?:the{W})?event", None),
    ("name", "publication", rf"Resource{W}Name|(?:Publication|Resource){W}Title|Title{W}of{W}(?:the{W})?(?:publication|resource)", None),
    ("name", "partnership", rf"Initiative\s*/\s*Partnership{W}Name|(?:Initiative|Partnership){W}Name|Name{W}of{W}(?:the{W})?(?:initiative|partnership)", None),
    ("dates", None, rf"Event{W}Dates?", r"Dates?"),
    ("location", None, rf"Event{W}Location(?:\s*\(\s*City\s*,\s*Country\s*\))?", r"Location|Venue|Place"),
    ("sdgs", None, rf"Relevant{W}SDGs?(?:\s*\(\s*list{W}all{W}relevant{W}goals\s*\))?", r"SDGs?|Goals|SDG\s+Goals"),
    ("description", None,
     rf"Description\s*\(\s*max\.?{W}\d+{W}words\s*\)(?:\s*:\s*please{W}include[\s\S]{{0,300}}?outcome\(s\))?",
     r"Description|Summary"),
    ("website", None, rf"Website\s*\(\s*if{W}applicable\s*\)", r"Website|Web\s*site|Link|URL"),
    ("publishers", None, rf"Publishing{W}entity\s*/\s*entities", r"Publishers?|Published\s+by|Publishing\s+entit(?:y|ies)"),
    ("audience", None, rf"Target{W}audiences?", None),
    ("languages", None, r"Language\s*\(\s*s\s*\)", r"Languages?"),
    ("partners", None, rf"Partners\s*\(\s*please{W}list{W}all{W}partners\s*\)", r"Partners"),
    ("beneficiaries", None, rf"Member{W}States{W}benefiting{W}from{W}it", r"Beneficiaries|Member\s+States\s+benefiting"),
]

# Bullets, quote marks and Markdown bold (``**Event Name:** ...``) may wrap a label.
_LINE_START = r"[ \t]*(?:[•·▪*>|-][ \t]+)?(?:\*\*|__)?"
_FULL_END = r"(?:\*\*|__)?[ \t]*:?(?:\*\*|__)?"
_SHORT_END = r"(?:\*\*|__)?[ \t]*(?::(?:\*\*|__)?|(?=\t)|(?=[ ]{2,})|(?=[ \t]*\n)|$)"


def _compile() -> tuple[re.Pattern, dict[str, tuple[str, str | None]]]:
    parts = []
    groups: dict[str, tuple[str, str | None]] = {}
    for i, (fname, btype, full, short) in enumerate(LABELS):
        parts.append(f"(?P<f{i}>(?:{full}){_FULL_END})")
        groups[f"f{i}"] = (fname, btype)
        if short:
            parts.append(f"(?P<s{i}>(?:{short}){_SHORT_END})")
            groups[f"s{i}"] = (fname, btype)
    # Anchored once at line starts, so other positions fail at the first character.
    return re.compile(f"(?m)^{_LINE_START}(?:" + "|".join(parts) + ")", re.I), groups


LABEL_RE, LABEL_GROUPS = _compile()
# A numbered question or sub-question ("3. In the past year, ...", "2.1 SDG-specific ...").
HEADING_RE = re.compile(r"(?m)^[ \t]*(?P<num>\d{1,2})(?:\.(?P<sub>\d{1,2})\.?|\.)[ \t]+(?P<text>[A-Za-z].*)$")
TRAILER_RE = re.compile(r"(?im)^[ \t]*(?:ECESA Plus Member|Year of submission\b)")
YEAR_RE = re.compile(r"(?i)Year\s+of\s+submission\s*:?\s*((?:19|20)\d\d)")


@dataclass
class Section:
    number: str
    title: str
    start: int
    end: int

    @property
    def label(self) -> str:
        t = collapse(self.title)
        return (f"{self.number}. {t}")[:200]


def find_sections(text: str) -> list[Section]:
    """Top-level numbered questions: long headings (a question), not ``4. Education``."""
    heads = []
    if is_flattened(text):
        for m in INLINE_HEADING_RE.finditer(text):
            heads.append((m.group("num"), m.group("text").strip(), m.start()))
    for m in HEADING_RE.finditer(text) if not heads else ():
        body = m.group("text")
        if m.group("sub") is None and (len(body) >= 60 or body.rstrip().endswith("?")):
            heads.append((m.group("num"), body.strip(), m.start()))
    out = []
    for i, (num, title, start) in enumerate(heads):
        end = heads[i + 1][2] if i + 1 < len(heads) else len(text)
        out.append(Section(num, title, start, end))
    return out


def section_at(sections: list[Section], pos: int) -> str:
    i = bisect_right([s.start for s in sections], pos) - 1
    return sections[i].label if i >= 0 else ""


@dataclass
class _Label:
    field: str
    btype: str | None
    start: int
    end: int
    text: str


def _labels(text: str) -> list[_Label]:
    out = []
    for m in LABEL_RE.finditer(text):
        fname, btype = LABEL_GROUPS[m.lastgroup]
        out.append(_Label(fname, btype, m.start(), m.end(), m.group().strip()))
    return out


def _compile_inline() -> tuple[re.Pattern, dict[str, tuple[str, str | None]]]:
    """Labels in running text, for text whose line breaks were lost (one long paragraph).

    Only the full, capitalised forms count there (``Relevant SDGs``, ``Website (if
    applicable)``), plus ``Website`` right before a URL; short labels would match prose.
    """
    parts = []
    groups: dict[str, tuple[str, str | None]] = {}
    for i, (fname, btype, full, _short) in enumerate(LABELS):
        parts.append(f"(?P<f{i}>(?:{full}){_FULL_END})")
        groups[f"f{i}"] = (fname, btype)
    parts.append(r"(?P<w>Website(?=\s+(?:https?://|www\.)))")
    groups["w"] = ("website", None)
    return re.compile(r"(?:(?<=\s)|^)(?:" + "|".join(parts) + ")"), groups


INLINE_LABEL_RE, INLINE_GROUPS = _compile_inline()
# A numbered question inside running text: "... 3. In the past year, has your organization ...?"
INLINE_HEADING_RE = re.compile(r"(?:(?<=\s)|^)(?P<num>\d{1,2})\.\s+(?P<text>[A-Z][^?\n]{40,600}\?)")


def is_flattened(text: str) -> bool:
    """No block name starts a line, yet names occur: the line structure was lost."""
    if any(lb.field == "name" for lb in _labels(text)):
        return False
    return any(INLINE_GROUPS[m.lastgroup][0] == "name" for m in INLINE_LABEL_RE.finditer(text))


def _inline_labels(text: str) -> list[_Label]:
    out = []
    for m in INLINE_LABEL_RE.finditer(text):
        fname, btype = INLINE_GROUPS[m.lastgroup]
        out.append(_Label(fname, btype, m.start(), m.end(), m.group().strip()))
    return out


def _stripped_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def extract_blocks(text: str, year: int | None, sections: list[Section],
                   warnings: list[str]) -> list[Candidate]:
    flattened = is_flattened(text)
    labels = _inline_labels(text) if flattened else _labels(text)
    heads = INLINE_HEADING_RE if flattened else HEADING_RE
    trailer = re.compile(r"ECESA Plus Member|Year of submission\b") if flattened else TRAILER_RE
    if flattened:
        warnings.append("the text has lost its line breaks; questionnaire labels were read from running text")
    stops = sorted([m.start() for m in heads.finditer(text)]
                   + [m.start() for m in trailer.finditer(text)] + [len(text)])
    names = [i for i, lb in enumerate(labels) if lb.field == "name"]
    blocks: list[Candidate] = []
    for n, li in enumerate(names):
        head = labels[li]
        next_name = labels[names[n + 1]].start if n + 1 < len(names) else len(text)
        stop = stops[min(bisect_right(stops, head.end), len(stops) - 1)]
        end = min(next_name, stop)
        fields: dict[str, tuple[int, int]] = {}
        members = []
        for lb in labels[li:]:
            if lb.start >= end:
                break
            members.append(lb)
        for k, lb in enumerate(members):
            vend = members[k + 1].start if k + 1 < len(members) else end
            if lb.field in fields and lb.field != "name":
                continue  # a repeated label inside a value is text, not a new field
            if k > 0 and lb.field == "name":
                break
            fields[lb.field] = _stripped_span(text, lb.end, vend)
        cand = _candidate(text, head, fields, year, warnings)
        if cand is None:
            continue
        cand.start, cand.end = _stripped_span(text, head.start, end)
        cand.section = section_at(sections, head.start)
        blocks.append(cand)
    return blocks


def _value(text: str, fields: dict[str, tuple[int, int]], name: str) -> str:
    span = fields.get(name)
    return text[span[0]:span[1]] if span else ""


def _candidate(text: str, head: _Label, fields: dict[str, tuple[int, int]], year: int | None,
               warnings: list[str]) -> Candidate | None:
    title = collapse(_value(text, fields, "name"))
    if not title:
        warnings.append(f"'{head.text}' at offset {head.start} has no name; block skipped")
        return None
    if len(title) > 300:
        title = title[:297] + "..."
    c = Candidate(type=head.btype or "event", title=title, start=head.start, end=head.end,
                  extractor="desa-questionnaire")
    dates = _value(text, fields, "dates")
    c.dates_text = collapse(dates)[:300]
    c.date_start, c.date_end = date_range(dates, year) if dates else (None, None)
    c.location = collapse(_value(text, fields, "location"))[:300]
    c.description = "\n".join(line.strip() for line in _value(text, fields, "description").split("\n")
                              if line.strip())
    if "sdgs" in fields:
        c.links.extend(sdg_field_links(text, *fields["sdgs"]))
        if not any(lk.ref.startswith("sdg:") for lk in c.links):
            warnings.append(f"'{title}': no SDG found in '{collapse(_value(text, fields, 'sdgs'))}'")
    else:
        warnings.append(f"'{title}': no Relevant SDGs field")
    # Action Lines and ITU-D outcomes named anywhere in the block are stated links too.
    bstart = head.start
    bend = max(s[1] for s in fields.values())
    for m in extract(text[bstart:bend], ("action_line", "itu_outcome")):
        if m.kind == "action_line":
            c.links.append(StatedLink(f"wsis:{m.value}", bstart + m.start, bstart + m.end, m.text))
        elif m.kind == "itu_outcome":
            c.links.append(StatedLink(f"itu-sp-2020:{m.value}", bstart + m.start, bstart + m.end, m.text))

    site = _value(text, fields, "website")
    urls = extract(site, ("url",))
    if urls:
        c.website = urls[0].value[:1000]
        if len(urls) > 1:
            c.attrs["urls"] = [u.value for u in urls]
    elif site.strip():
        c.attrs["website_text"] = collapse(site)

    def entities(span: tuple[int, int] | None) -> list[tuple[int, int, str]]:
        if not span:
            return []
        return [(m.start, m.end, m.text) for m in extract(text[span[0]:span[1]], ("un_entity",))]

    if "partners" in fields:
        c.partners = split_names(_value(text, fields, "partners"), entities(fields["partners"]))
        c.attrs["partners_text"] = collapse(_value(text, fields, "partners"))
    if "publishers" in fields:
        c.attrs["publishing_entities"] = split_names(_value(text, fields, "publishers"),
                                                     entities(fields["publishers"]))
    if "audience" in fields:
        c.attrs["target_audience"] = _value(text, fields, "audience").strip()
    if "languages" in fields:
        c.attrs["languages"] = collapse(_value(text, fields, "languages"))
    if "beneficiaries" in fields:
        c.attrs["beneficiaries"] = collapse(_value(text, fields, "beneficiaries"))
    c.attrs["fields"] = {k: [s, e] for k, (s, e) in fields.items()}
    return c


_ALL_WORDS = re.compile(r"(?i)^\s*(?:all|all\s+goals|all\s+of\s+them|all\s+17)\s*\.?\s*$")


def sdg_field_links(text: str, start: int, end: int) -> list[StatedLink]:
    """Links stated by a ``Relevant SDGs`` field: goals (with primary ones) and targets."""
    value = text[start:end]
    evidence = collapse(value)
    if _ALL_WORDS.match(value):
        return [StatedLink(f"sdg:{g}", start, end, evidence) for g in ALL_GOALS]
    out: dict[str, StatedLink] = {}
    for m in extract(value, ("sdg_goal", "sdg_target", "sdg_indicator")):
        ref = f"sdg:{m.value}"
        prev = out.get(ref)
        if prev is None or (m.primary and not prev.primary):
            out[ref] = StatedLink(ref, start + m.start, start + m.end, evidence, m.primary)
    return list(out.values())


ANNUAL_RE = re.compile(r"(?i)\bAnnual\s+Report\s+((?:19|20)\d\d)(?:\s*[-–/]\s*((?:19|20)\d\d))?")


def report_year(text: str) -> int | None:
    """The year a report states: ``Year of submission: 2023``, or ``Annual Report 2019-2020`` on top."""
    m = YEAR_RE.search(text)
    if m:
        return int(m.group(1))
    m = ANNUAL_RE.search(text[:1000])
    if m:
        return int(m.group(2) or m.group(1))
    return None
