"""Structures outside questionnaire blocks: resolutions, bullet-list initiatives, ITU-D
outcomes, partnership chapters of annual reports.

- Resolutions and decisions: ``Resolution 71 (Rev. Dubai, 2018)``, ``RESOLUTION 140 (REV.
  BUCHAREST, 2022)``, ``(Resolution 71, Revised Dubai 2018)``, ``revised Resolution 1332 on
  ...``. One decision per resolution and document, with a source for every place it is
  cited; a bullet line that starts with the resolution, or ``entitled``/``on`` after it,
  gives its subject as the description.
- Named initiatives in bullet lists introduced by a line such as ``Below are some key
  initiatives with ...:`` (also partnerships, programmes, coalitions; ``publications:`` lists
  give publications, ``events:`` lists events). The name is the bullet up to its first clause
  (``led by``, ``:``...); an event's title is its quoted title or what follows
  ``organized by ...:``.
- ITU-D outcome statements (TDAG report, Annex 1): ``D.1-1: Enhanced review ...`` followed by
  ``Contributes to achievement of SDG Goals ...`` and ``... WSIS AL ...`` lines.
- Partnership chapters (``Strategic Partnerships for SDGs``): each sub-heading with its
  paragraph, or a paragraph that opens by naming an initiative, is a partnership.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdgmap.ingest.candidates import Candidate, StatedLink, collapse, split_names
from sdgmap.ingest.questionnaire import Section, section_at
from sdgmap.text.dates import SpanSet
from sdgmap.text.references import extract

# --- resolutions -----------------------------------------------------------------------------

RESOLUTION_RE = re.compile(
    r"\bResolution\s+(?P<num>\d{1,4})\s*\(\s*(?P<rev>Rev\.?\s*)?(?:(?P<place>[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ .'-]*?)\s*,\s*)?"
    r"(?P<year>(?:19|20)\d\d)\s*\)", re.I)
# "(Resolution 71, Revised Dubai 2018)", "(Resolution 71, Rev. 2018, Dubai"
_RESOLUTION_COMMA_RE = re.compile(
    r"\bResolution\s+(?P<num>\d{1,4})\s*,\s*(?P<rev>Rev(?:ised|\.)?)?\s*(?P<place>[A-Z][a-zÀ-ÿ]+(?:\s[A-Z][a-zÀ-ÿ]+)?)?"
    r"\s*,?\s*(?P<year>(?:19|20)\d\d)(?:\s*,\s*(?P<place2>[A-Z][a-zÀ-ÿ]+(?:\s[A-Z][a-zÀ-ÿ]+)?))?")
# "the Council revised Resolution 1332 on ...", "adopted Resolution 200 entitled “...”"
_RESOLUTION_ACT_RE = re.compile(
    r"\b(?P<act>adopted|revised|approved|endorsed|amended|updated)\s+(?:its\s+|the\s+)?Resolution\s+(?P<num>\d{1,4})\b"
    r"(?!\s*[(,/])", re.I)
# A list item naming a resolution without its revision: "• Resolution 1332 ITU's role in ..."
_RESOLUTION_ITEM_RE = re.compile(r"(?m)^[ \t]*[•·▪◦●*-][ \t]+(?P<r>Resolution)\s+(?P<num>\d{1,4})\b(?!\s*[(,/])", re.I)
_BODY_RE = re.compile(
    r"^\s*of\s+(?:the\s+)?(?P<body>Plenipotentiary\s+Conference|World\s+Telecommunication\s+Development\s+"
    r"Conference|WTDC|ITU\s+Council|Council|World\s+Telecommunication\s+Standardization\s+Assembly|WTSA|"
    r"Radiocommunication\s+Assembly|ITU\s+Plenipotentiary\s+Conference)", re.I)
_BODY_BEFORE_RE = re.compile(r"(?i)(Plenipotentiary\s+Conference|Council|WTDC|WTSA|Radiocommunication\s+Assembly)\b[^.]{0,60}$")
_SUBJECT_RE = re.compile(r"^\s*(?:entitled|on|titled)\s+[“\"]?(?P<s>[^”\".;\n]{5,200})")
_BULLET = r"[•·▪◦●*-]"


@dataclass
class _Res:
    start: int
    end: int
    num: int
    rev: bool
    place: str
    year: int | None
    act: str = ""

    @property
    def title(self) -> str:
        if self.year is None:
            return f"Resolution {self.num}"
        inner = ("Rev. " if self.rev else "") + (f"{self.place}, " if self.place else "") + str(self.year)
        return f"Resolution {self.num} ({inner})"


def _place(text: str | None) -> str:
    return " ".join(w.capitalize() for w in (text or "").split())


def _resolutions(text: str) -> list[_Res]:
    out: list[_Res] = []
    taken = SpanSet()
    for m in RESOLUTION_RE.finditer(text):
        out.append(_Res(m.start(), m.end(), int(m.group("num")), bool(m.group("rev")), _place(m.group("place")),
                        int(m.group("year"))))
        taken.add(*m.span())
    for m in _RESOLUTION_COMMA_RE.finditer(text):
        if not taken.overlaps(*m.span()):
            out.append(_Res(m.start(), m.end(), int(m.group("num")), bool(m.group("rev")),
                            _place(m.group("place") or m.group("place2")), int(m.group("year"))))
            taken.add(*m.span())
    for m in _RESOLUTION_ITEM_RE.finditer(text):
        if not taken.overlaps(m.start("r"), m.end()):
            out.append(_Res(m.start("r"), m.end(), int(m.group("num")), False, "", None))
            taken.add(m.start("r"), m.end())
    for m in _RESOLUTION_ACT_RE.finditer(text):
        s = text.rfind("Resolution", m.start(), m.end("num"))
        if not taken.overlaps(s, m.end()):
            out.append(_Res(s, m.end(), int(m.group("num")), m.group("act").lower() == "revised", "", None,
                            m.group("act").lower()))
    return sorted(out, key=lambda r: r.start)


def extract_resolutions(text: str, sections: list[Section], taken: list[tuple[int, int]]) -> list[Candidate]:
    by_title: dict[str, Candidate] = {}
    for r in _resolutions(text):
        if any(s <= r.start < e for s, e in taken):
            continue  # inside a questionnaire block: part of that activity's text
        title = r.title
        line_start = text.rfind("\n", 0, r.start) + 1
        line_end = text.find("\n", r.end)
        line_end = len(text) if line_end < 0 else line_end
        before = text[line_start:r.start]
        is_item = re.fullmatch(rf"\s*(?:{_BULLET}\s*)?", before) is not None
        subject = collapse(text[r.end:line_end]).strip(" .;:-") if is_item else ""
        if re.match(r"(?i)of\b", subject):
            subject = ""  # "... of the Plenipotentiary Conference": who adopted it, not what it is about
        if not subject:
            m = _SUBJECT_RE.match(text[r.end:r.end + 300])
            subject = collapse(m.group("s")) if m else ""
        span = (line_start + len(before) - len(before.lstrip()), line_end) if is_item else (r.start, r.end)
        cand = by_title.get(title)
        section = section_at(sections, r.start)
        if cand is None:
            cand = Candidate(type="decision", title=title, start=span[0], end=span[1],
                             extractor="resolution", section=section)
            cand.attrs = {"resolution": r.num, "revised": r.rev}
            if r.year:
                cand.attrs["adopted_year"] = r.year
            if r.place:
                cand.attrs["place"] = r.place
            if r.act:
                cand.attrs["action"] = r.act
            by_title[title] = cand
        else:
            cand.more_spans.append((span[0], span[1], section))
        if subject and not cand.description:
            cand.description = subject
        body = _BODY_RE.match(text[r.end:r.end + 80]) or _BODY_BEFORE_RE.search(text[max(0, r.start - 100):r.start])
        if body and "body" not in cand.attrs:
            cand.attrs["body"] = collapse(body.group(1) if body.re is _BODY_BEFORE_RE else body.group("body"))
    # "revised Resolution 200" next to "Resolution 200 (Rev. Dubai, 2018)" in one document: one decision.
    for title, cand in list(by_title.items()):
        if "(" in title:
            continue
        full = [c for t, c in by_title.items() if t.startswith(title + " (")]
        if len(full) == 1:
            target = full[0]
            target.more_spans.append((cand.start, cand.end, cand.section))
            target.more_spans.extend(cand.more_spans)
            target.description = target.description or cand.description
            for k, v in cand.attrs.items():
                target.attrs.setdefault(k, v)
            del by_title[title]
    return list(by_title.values())


# --- bullet-list initiatives -----------------------------------------------------------------

_INTRO_RE = re.compile(
    r"(?im)^(?P<line>[^\n]*\b(?P<kw>initiatives|partnerships|programmes|programs|coalitions|"
    r"joint\s+projects|publications|events)\b[^\n]*:)[ \t]*$")
_ITEM_RE = re.compile(rf"^[ \t]*(?P<mark>{_BULLET}|D(?=[ \t]))[ \t]+(?P<body>\S.*)$")
_NAME_CUT = re.compile(
    r"\s*(?::|;|\s[–—-]\s(?=[a-z])|,\s|\s(?:led|implemented|organized|organised|coordinated|"
    r"supported|hosted|launched|by|to|in\s+partnership|in\s+collaboration|within|with\s+notable|"
    r"with\s+membership|with\s+the\s+support|particularly|is|are|which|that)\b)")


def initiative_name(body: str) -> str:
    """``Broadband Commission for Sustainable Development led by ITU and UNESCO`` -> the name."""
    body = collapse(body).strip(" ;.")
    # Keep "(FIGI)"-style acronyms; a longer parenthesis is commentary.
    body = re.sub(r"\s*\((?![A-Z0-9][\w-]{1,12}\))[^)]*\)?", "", body)
    m = _NAME_CUT.search(body, 3)
    name = body[:m.start()] if m else body
    words = name.split()
    return " ".join(words[:14]).strip(" ,;:-–")


_QUOTED = re.compile(r"[“\"](?P<q>[^”\"\n]{8,200})[”\"]")
_ORGANISED = re.compile(r"(?i)^(?:[^:]{0,40}\b(?:event|meeting|session|panel|workshop|forum|launch)\b)?[^:]*?"
                        r"\b(?:organi[sz]ed|hosted|moderated|convened)\b[^:]{0,200}:\s+")


def publication_title(body: str) -> str:
    """A listed publication keeps its subtitle (``Measuring digital development: Facts and
    figures 2019``); quotes and a trailing ``(September 2019)`` are dropped."""
    title = re.sub(r"\s*\((?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\)\s*$", "", collapse(body))
    return " ".join(title.strip(" ;.“”\"").split()[:25])


def event_title(body: str) -> str:
    """A side-event bullet's title: its quoted title, the text after "organized by ...:", or its name."""
    body = collapse(body)
    m = _QUOTED.search(body[:300])
    if m:
        return m.group("q").strip(" .,;:")
    m = _ORGANISED.match(body)
    if m:
        rest = body[m.end():]
        rest = re.split(r"(?<=[a-z0-9)])\.\s|;\s|\s\[", rest)[0]
        words = rest.split()
        return " ".join(words[:25]).strip(" .,;:")
    return re.split(r"”|\s\[", initiative_name(body))[0].strip(" -–")


def extract_bullet_initiatives(text: str, sections: list[Section],
                               taken: list[tuple[int, int]]) -> list[Candidate]:
    out: list[Candidate] = []
    for intro in _INTRO_RE.finditer(text):
        if len(intro.group("line")) > 160:
            continue  # a paragraph that happens to end with a colon, not a list heading
        kw = intro.group("kw").lower()
        ctype = {"publications": "publication", "events": "event"}.get(kw, "initiative")
        pos = intro.end() + 1
        items: list[tuple[int, int, str]] = []
        mark = None
        blanks = 0
        while pos < len(text):
            line_end = text.find("\n", pos)
            line_end = len(text) if line_end < 0 else line_end
            line = text[pos:line_end]
            if not line.strip():
                blanks += 1
                if blanks >= 2 and items:
                    break  # two empty lines end the list; what follows is another one
                pos = line_end + 1
                continue
            blanks = 0
            m = _ITEM_RE.match(line)
            if not m or (mark is not None and m.group("mark") != mark):
                break
            mark = m.group("mark")
            items.append((pos + m.start("body"), line_end, m.group("body")))
            pos = line_end + 1
        for start, end, body in items:
            if any(s <= start < e for s, e in taken):
                continue
            if ctype == "event":
                name = event_title(body)
            elif ctype == "publication":
                name = publication_title(body)
            else:
                name = initiative_name(body)
            if len(name) < 3:
                continue
            cand = Candidate(type=ctype, title=name, start=start, end=end, extractor="bullet-list",
                             section=section_at(sections, start), description=collapse(body))
            mentions = extract(body, _LINK_KINDS + ("un_entity", "url"))
            ents = [(m.start, m.end, m.text) for m in mentions if m.kind == "un_entity"]
            cand.partners = split_names("", ents)
            for m in mentions:
                ref = _ref_for(m.kind, m.value)
                if ref:
                    cand.links.append(StatedLink(ref, start + m.start, start + m.end, m.text, m.primary))
                elif m.kind == "url" and not cand.website:
                    cand.website = m.value
            cand.attrs["list_intro"] = collapse(intro.group("line"))
            out.append(cand)
    return out


_LINK_KINDS = ("sdg_goal", "sdg_target", "sdg_indicator", "action_line", "itu_outcome")


def _ref_for(kind: str, value: str) -> str | None:
    if kind in ("sdg_goal", "sdg_target", "sdg_indicator"):
        return f"sdg:{value}"
    if kind == "action_line":
        return f"wsis:{value}"
    if kind == "itu_outcome":
        return f"itu-sp-2020:{value}"
    return None


# --- ITU-D outcomes (TDAG Annex 1) -----------------------------------------------------------

_OUTCOME_LINE = re.compile(r"(?m)^[ \t]*(?P<code>D\.(?P<o>[1-4])\s*[-.]\s*(?P<n>[1-9]))\s*:\s*(?P<rest>\S.*)$")
_CONTRIB = re.compile(r"(?i)^\s*Contributes\s+to\b")


def extract_outcomes(text: str, sections: list[Section]) -> list[Candidate]:
    out: list[Candidate] = []
    matches = list(_OUTCOME_LINE.finditer(text))
    for i, m in enumerate(matches):
        limit = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        # The statement may wrap; the block ends after its "Contributes to ..." lines.
        pos = m.end() + 1
        end = m.end()
        statement = [m.group("rest")]
        seen_contrib = False
        while pos < limit:
            line_end = text.find("\n", pos)
            line_end = limit if line_end < 0 or line_end > limit else line_end
            line = text[pos:line_end]
            if not line.strip() or re.match(r"(?i)\s*ANNEX\b", line):
                break
            if _CONTRIB.match(line):
                seen_contrib = True
            elif seen_contrib:
                break
            else:
                statement.append(line)
            end = line_end
            pos = line_end + 1
        if not seen_contrib:
            continue  # an outcome code in running text, not a statement with its links
        code = f"D.{m.group('o')}-{m.group('n')}"
        title = collapse(" ".join(statement)).rstrip(". ")
        cand = Candidate(type="outcome", title=f"{code}: {title}"[:300], start=m.start("code"), end=end,
                         extractor="itu-d-outcome", section=section_at(sections, m.start()),
                         description=collapse(" ".join(statement)))
        cand.attrs = {"outcome": code, "plan": "itu-sp-2020"}
        cand.links.append(StatedLink(f"itu-sp-2020:{code}", m.start("code"), m.end("code"), m.group("code")))
        body = text[m.end():end]
        for mm in extract(body, _LINK_KINDS):
            ref = _ref_for(mm.kind, mm.value)
            if ref and mm.kind != "itu_outcome":
                line_s = body.rfind("\n", 0, mm.start) + 1
                line_e = body.find("\n", mm.end)
                evidence = collapse(body[line_s:line_e if line_e >= 0 else len(body)])
                cand.links.append(StatedLink(ref, m.end() + mm.start, m.end() + mm.end, evidence, mm.primary))
        out.append(cand)
    return out


# --- partnership chapters of annual reports --------------------------------------------------

_CHAPTER_RE = re.compile(r"(?im)^[ \t]*(?:strategic\s+|key\s+|global\s+)?partnerships?\b[^\n.:]{0,60}$")
_NAMED_INITIATIVE = re.compile(
    r"(?:^|(?<=\n))(?:[^\n]{0,40}?,\s*)?(?P<name>[A-Z][\w+-]*(?:\s+(?:[A-Z][\w+-]*|for|of|on|the|and|in))*)"
    r"(?:,\s*the\s+(?P<alias>[^,\n]{5,90}),|\s+is\s+an?\s+[^.\n]{0,60}?\b(?:initiative|partnership|coalition|alliance)\b)")


def _is_heading(line: str) -> bool:
    line = line.strip()
    return (3 <= len(line) <= 70 and line[-1] not in ".:;," and line[0].isupper()
            and not re.match(r"(?:\d|[•·▪*-])", line))


def extract_partnership_chapters(text: str, sections: list[Section],
                                 taken: list[tuple[int, int]]) -> list[Candidate]:
    """Annual-report chapters on partnerships: each sub-heading (or a paragraph that opens by
    naming an initiative, ``EQUALS, the Global Partnership for ...``) is a partnership."""
    out: list[Candidate] = []
    for chapter in _CHAPTER_RE.finditer(text):
        if any(s <= chapter.start() < e for s, e in taken):
            continue
        paras: list[tuple[int, int]] = []
        for m in re.finditer(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]+)*", text[chapter.end():]):
            s, e = chapter.end() + m.start(), chapter.end() + m.end()
            if text[s:e].strip():
                paras.append((s, e))
        heading: tuple[int, int] | None = None
        for s, e in paras:
            para = text[s:e]
            if _is_heading(para) and "\n" not in para.strip():
                heading = (s, e)
                continue
            if any(ts <= s < te for ts, te in taken):
                break  # another structure (a questionnaire block) begins: the chapter is over
            alias = None
            if heading is not None:
                title = collapse(text[heading[0]:heading[1]])
                start = heading[0]
            else:
                m = _NAMED_INITIATIVE.match(para)
                if not m:
                    continue
                title = collapse(m.group("name"))
                start = s
                alias = m.group("alias")
            heading = None
            cand = Candidate(type="partnership", title=title[:300], start=start, end=e,
                             extractor="partnership-chapter", section=section_at(sections, start),
                             description=collapse(para))
            mentions = extract(para, _LINK_KINDS + ("un_entity", "url"))
            cand.partners = split_names("", [(m.start, m.end, m.text) for m in mentions if m.kind == "un_entity"])
            for m in mentions:
                ref = _ref_for(m.kind, m.value)
                if ref:
                    cand.links.append(StatedLink(ref, s + m.start, s + m.end, m.text, m.primary))
                elif m.kind == "url" and not cand.website:
                    cand.website = m.value
            cand.attrs["chapter"] = collapse(chapter.group())
            if alias:
                cand.attrs["full_name"] = collapse(alias)
            out.append(cand)
        break  # one partnerships chapter per document is what reports have
    return out
