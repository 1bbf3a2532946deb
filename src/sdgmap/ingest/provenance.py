"""Who reports and for which year, read from the document itself.

``detect_entity`` finds the reporting entity among the UN system entities (the list shipped in
``sdgmap/data/un``, plus a few treaty secretariats that report alongside them). Names are
matched by acronym (case as written), full name (any case, tolerant of hyphens, dashes, extra
spaces, British/American spelling, an optional "United Nations"/"UN" in front and "of the
United Nations" behind) and alias. Each occurrence is weighed by where it stands:

* ``field``: the value of an organisation field (``Organization: UNDP``, ``Name of entity``
  on one line and the name on the next);
* ``cover``: a line of its own near the top that is only the name (``UNDP``,
  ``Universal Postal Union - UPU``, ``World Food Programme (WFP)``);
* ``title``: the name inside one of the first lines (``UNDP contribution to ...``);
* ``header``: a line repeated across pages (page header or footer) that names it;
* ``mentions``: how often the body names it, with diminishing weight, so that a partner
  mentioned twenty times does not outweigh the entity named on the cover.

Lines that name a questionnaire, survey or template are the issuer's, not the respondent's,
and give no position credit. A decision from mentions alone needs a clear lead.

``detect_year`` reads the report year, first rule that answers wins: ``document`` (``Year of
submission``, ``Annual Report 2019-2020`` on top), ``period`` (``reporting period November
2024 to October 2025``, ``covering 2017`` on the cover), ``title`` (a year in a report-like
title line), ``version date`` (``Version January 2018``, ``Updated: 12 March 2018``, ``Last
modified``, ``Date:`` on the cover), ``header`` (a year in a repeated page header), and
``inferred`` (the latest full date in the text). Each answer keeps its evidence span.
"""

from __future__ import annotations

import csv
import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from sdgmap.ingest.questionnaire import ANNUAL_RE, YEAR_RE
from sdgmap.text.dates import find_dates
from sdgmap.text.references import DATA, entity_names

# UN-administered treaty secretariats and programmes that answer UN system questionnaires but
# are missing from the UN entity list: acronym -> full name.
EXTRA_ENTITIES = {
    "CBD": "Convention on Biological Diversity",
    "UNFCCC": "United Nations Framework Convention on Climate Change",
    "UNCCD": "United Nations Convention to Combat Desertification",
    "CITES": "Convention on International Trade in Endangered Species of Wild Fauna and Flora",
    "UNAIDS": "Joint United Nations Programme on HIV/AIDS",
}
# Former names still found in reports: name or acronym -> acronym in the list.
FORMER_NAMES = {"UNISDR": "UNDRR", "United Nations International Strategy for Disaster Reduction": "UNDRR",
                "United Nations Environment Programme": "UNEP", "UN Environment": "UNEP",
                "United Nations Entity for Gender Equality and the Empowerment of Women": "UN-Women",
                "World Bank": "WORLD BANK GROUP"}

# Position weights: a named field outweighs everything; mentions are capped (see _mention_score).
WEIGHTS = {"field": 10.0, "cover": 7.0, "header": 5.0, "title": 4.0}
MENTION_CAP = 6.0
COVER_CHARS = 3000  # when the reader gives no pages, the "cover" is the start of the text
COVER_LINES = 30


@dataclass(frozen=True)
class Evidence:
    rule: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "start": self.start, "end": self.end, "text": self.text}


@dataclass
class EntityGuess:
    entity: str  # the acronym the register uses (as ``entity_names()`` maps it)
    name: str  # the full name, for messages
    score: float
    rule: str  # the strongest rule that named it, or "mentions"
    mentions: int
    evidence: list[Evidence] = field(default_factory=list)

    def describe(self) -> str:
        return self.entity if not self.name or self.name == self.entity else f"{self.name} ({self.entity})"


@dataclass
class YearGuess:
    year: int | None
    source: str  # document | period | title | version date | header | inferred | none
    evidence: Evidence | None = None


# --- the lexicon -----------------------------------------------------------------------------

_DASH = r"\-‐‑‒–—"  # for character classes
# Spelling variants of name words, either side of the Atlantic, folded to one form.
_SPELLING = {"labour": "labor", "organisation": "organization", "programme": "program", "centre": "center",
             "defence": "defense", "&": "and"}
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|&")
_GAP = re.compile(rf"[\s{_DASH},/]*")  # what may stand between the words of a name
_UN = ("united", "nations")
_OF_UN = ("of", "the", "united", "nations")


def _tok(word: str) -> str:
    w = word.lower().replace("’", "'")
    return _SPELLING.get(w, w)


def _name_keys(name: str) -> list[tuple[str, ...]]:
    """The word sequences a full name is matched by ("United Nations" may be written "UN")."""
    words = tuple(_tok(w) for w in _TOKEN.findall(name))
    if len(words) < 2:
        return []  # one-word names ("Ethics") would match prose
    keys = [words]
    for i in range(len(words) - 1):
        if words[i:i + 2] != _UN:
            continue
        if len(words) > 3:  # "UN Office on Drugs and Crime", "Office of the UN High Commissioner ..."
            keys.append(words[:i] + ("un",) + words[i + 2:])
        if len(words) - 2 >= 3:
            # "Office of the High Commissioner for Human Rights": the name without "United
            # Nations", when what is left is still a distinctive name of three words or more.
            keys.append(words[:i] + words[i + 2:])
    return keys


@dataclass(frozen=True)
class _Lexicon:
    acronyms: re.Pattern  # case-sensitive
    acronym_to: dict[str, str]
    names_by_first: dict[str, list[tuple[tuple[str, ...], str]]]  # first word -> (words, canonical)
    long_names: dict[str, str]
    lookup: dict[str, str]  # normalised acronym / name / alias -> canonical


def _norm(s: str) -> str:
    s = re.sub(r"^the\s+", "", " ".join(s.split()), flags=re.I)
    return " ".join(_tok(w) for w in _TOKEN.findall(s))


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    known = entity_names()  # acronyms and aliases -> acronym, as the register stores them
    acronym_to = dict(known)
    long_names: dict[str, str] = {}
    names: dict[str, set[str]] = defaultdict(set)  # canonical -> full names and aliases
    with open(DATA / "un" / "un_system_entities.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            acr = r["entity"].strip()
            if not acr:
                continue
            canon = known.get(acr, acr)
            long_names.setdefault(canon, r["entity_long"].strip())
            names[canon].add(r["entity_long"].strip())
            for alias in re.split(r"[;|,]", r.get("entity_aliases") or ""):
                alias = alias.strip()
                if re.fullmatch(r"[A-Z][A-Za-z-]{1,11}", alias):
                    acronym_to.setdefault(alias, canon)
                elif alias:
                    names[canon].add(alias)
    for acr, name in EXTRA_ENTITIES.items():
        acronym_to.setdefault(acr, acr)
        long_names.setdefault(acr, name)
        names[acr].add(name)
    for former, canon in FORMER_NAMES.items():
        if " " in former:
            names[canon].add(former)
        else:
            acronym_to.setdefault(former, canon)
    for alias, canon in known.items():
        if " " in alias:  # "UN Women", "World Bank": names as well as acronyms
            names[canon].add(alias)
    lookup = {_norm(k): v for k, v in acronym_to.items()}
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for canon, variants in sorted(names.items()):
        for v in variants:
            lookup.setdefault(_norm(v), canon)
            for key in _name_keys(v):
                by_first[key[0]].append((key, canon))
    for lst in by_first.values():
        lst.sort(key=lambda kc: -len(kc[0]))  # longest name first at a spot
    acr_alts = "|".join(re.escape(a) for a in sorted(acronym_to, key=len, reverse=True))
    return _Lexicon(
        acronyms=re.compile(rf"(?<![\w{_DASH}])(?:{acr_alts})(?![\w{_DASH}]|\.\w)"),
        acronym_to=acronym_to, names_by_first=dict(by_first), long_names=long_names, lookup=lookup,
    )


def canonical_entity(name: str) -> str | None:
    """The register's name for an entity written any known way (``UNDP``, ``the World Food
    Programme``, ``UN Environment``, ``Full Name (ACR)``), or None when it is not a known one."""
    lex = _lexicon()
    name = " ".join(name.split())
    if name in lex.acronym_to:
        return lex.acronym_to[name]
    key = _norm(name)
    if key in lex.lookup:
        return lex.lookup[key]
    m = re.fullmatch(r"(.+?)\s*[(\[]\s*([^()]+?)\s*[)\]]", name) or re.fullmatch(rf"(.+?)\s*[{_DASH},]\s*(\S+)", name)
    if m:  # "Full Name (ACR)", "Full Name - ACR"
        return canonical_entity(m.group(2)) or canonical_entity(m.group(1))
    found = entity_mentions(name)
    if len(found) == 1 and _norm(name[:found[0][0]] + name[found[0][1]:]) in ("", "un", "united nations"):
        return found[0][2]
    return None


def _name_mentions(text: str) -> list[tuple[int, int, str]]:
    """Full names, matched word by word (a regex alternation of every name is too slow)."""
    by_first = _lexicon().names_by_first
    toks = [(m.start(), m.end(), _tok(m.group())) for m in _TOKEN.finditer(text)]
    words = [t[2] for t in toks]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(toks):
        hit = None
        for key, canon in by_first.get(words[i], ()):
            k = len(key)
            if tuple(words[i:i + k]) == key and all(
                    _GAP.fullmatch(text, toks[j - 1][1], toks[j][0]) for j in range(i + 1, i + k)):
                hit = (k, canon)
                break
        if hit is None:
            i += 1
            continue
        k, canon = hit
        first, last = i, i + k - 1
        # "UN Economic ...", "Food and Agriculture Organization of the United Nations": part of the name.
        if words[max(0, i - 2):i] == list(_UN):
            first = i - 2
        elif i and words[i - 1] == "un" and text[toks[i - 1][0]:toks[i - 1][1]] == "UN":
            first = i - 1
        if tuple(words[last + 1:last + 5]) == _OF_UN:
            last += 4
        start, end = toks[first][0], toks[last][1]
        if text[start:end] != text[start:end].lower():  # prose in lower case is not a name
            out.append((start, end, canon))
        i = last + 1
    return out


def entity_mentions(text: str) -> list[tuple[int, int, str]]:
    """Every entity named in ``text``: (start, end, canonical), in order; a full name is one
    mention even when it contains an acronym (``UN Women``)."""
    lex = _lexicon()
    out = _name_mentions(text)
    name_starts = [s for s, _, _ in out]
    for m in lex.acronyms.finditer(text):
        i = bisect_right(name_starts, m.start()) - 1
        if i < 0 or m.start() >= out[i][1]:
            out.append((m.start(), m.end(), lex.acronym_to[m.group()]))
    return sorted(out)


# --- lines ------------------------------------------------------------------------------------

@dataclass
class _Line:
    start: int
    end: int
    text: str  # stripped


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        s = raw.strip()
        if s:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(s), s))
        pos += len(raw) + 1
    return out


def _cover_end(text: str, pages: list[list[int]] | None, lines: list[_Line]) -> int:
    """End of the cover: the first page when the reader knows pages, else the first lines."""
    if pages:
        return max(pages[0][2], min(len(text), 600))
    limit = lines[COVER_LINES - 1].end if len(lines) >= COVER_LINES else len(text)
    return min(COVER_CHARS, limit)


_BULLET = re.compile(r"^(?:[•·▪◦*>-]|\d{1,3}[.)]|[a-z][.)])\s")


def _repeated_lines(lines: list[_Line], pages: list[list[int]] | None) -> list[_Line]:
    """Page furniture: the same line (numbers aside) on three or more pages, far apart."""
    groups: dict[str, list[_Line]] = defaultdict(list)
    for ln in lines:
        if len(ln.text) <= 150 and not _BULLET.match(ln.text):
            groups[re.sub(r"\d+", "#", ln.text.lower())].append(ln)
    page_starts = [p[1] for p in pages] if pages else []
    out = []
    for key, occ in groups.items():
        if len(occ) < 3 or not re.search(r"[a-z]", key):
            continue
        if page_starts:
            spread = len({bisect_right(page_starts, ln.start) for ln in occ})
        else:  # without pages: count occurrences at least a short page apart
            spread, last = 0, -10**9
            for ln in occ:
                if ln.start - last >= 1200:
                    spread, last = spread + 1, ln.start
        if spread >= 3:
            out.extend(occ)
    return out


# --- the entity ---------------------------------------------------------------------------------

_ISSUER = re.compile(r"(?i)\b(?:questionnaire|survey|template|form)\b")
# Lines that name partners or funders ("In partnership with UNDP", "Supported by UNICEF").
_PARTNER = re.compile(r"(?i)\b(?:with|partners?|partnership|supported|funded|sponsored|financed|"
                      r"collaboration|cooperation|courtesy)\b")
# Words that may stand beside the name on a cover line without making it a sentence.
_COVER_FILLER = {"the", "of", "secretariat", "by", "from", "and", "submitted", "submission", "contribution",
                 "input", "inputs", "response", "responses", "reply", "answer", "report", "to",
                 "un", "united", "nations"}
_FIELD = re.compile(
    r"(?im)^[ \t]*(?:Q\d{1,2}[ \t.:]*)?(?P<label>(?:(?:name[ \t]+of[ \t]+(?:the[ \t]+|your[ \t]+)?)"
    r"(?:organi[sz]ation|entity|agency|institution|office)|(?:reporting|responding|submitting|your)[ \t]+"
    r"(?:organi[sz]ation|entity|agency)|organi[sz]ation(?:[ \t]+name)?|entity(?:[ \t]+name)?|agency|"
    r"submitted[ \t]+by|prepared[ \t]+by|respondent))[ \t]*(?P<colon>[:：])?[ \t]*(?P<value>[^\n]*)$")


def _only_names(line: str, spans: list[tuple[int, int, str]], offset: int) -> bool:
    """The line says nothing but the name(s) of one entity, with filler words and punctuation."""
    rest, pos = [], offset
    for s, e, _ in spans:
        rest.append(line[pos - offset:s - offset])
        pos = e
    rest.append(line[pos - offset:])
    words = re.findall(r"[A-Za-z]+", " ".join(rest))
    return all(w.lower() in _COVER_FILLER for w in words) and len({c for _, _, c in spans}) == 1


def _mention_score(n: int) -> float:
    return min(MENTION_CAP, 2 * math.log2(1 + n))


def entity_candidates(text: str, pages: list[list[int]] | None = None, title: str = "") -> list[EntityGuess]:
    """Every entity the document names, best first, each with its score and evidence."""
    mentions = entity_mentions(text)
    if not mentions:
        return []
    lines = _lines(text)
    starts = [ln.start for ln in lines]
    by_line: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for m in mentions:
        by_line[bisect_right(starts, m[0]) - 1].append(m)
    counts = Counter(c for _, _, c in mentions)
    positions: dict[str, dict[str, Evidence]] = defaultdict(dict)  # canonical -> rule -> first evidence

    def credit(rule: str, ln: _Line, spans: list[tuple[int, int, str]]) -> None:
        for _, _, canon in spans:
            positions[canon].setdefault(rule, Evidence(rule, ln.start, ln.end, ln.text[:200]))

    for m in _FIELD.finditer(text):
        li = bisect_right(starts, m.start("label")) - 1
        if m.group("value").strip():
            if m.group("colon") is None:
                continue  # "Organization of the workshop ..." is prose, not a field
            rows = [li]
        else:  # the label alone on its line: the value is on one of the next two lines
            rows = list(range(li + 1, min(li + 3, len(lines))))
        for j in rows:
            spans = [s for s in by_line.get(j, []) if j != li or s[0] >= m.start("value")]
            if spans and len(lines[j].text) <= 160:
                canon = Counter(c for _, _, c in spans).most_common(1)[0][0]
                credit("field", lines[j], [s for s in spans if s[2] == canon])
                break

    cover_end = _cover_end(text, pages, lines)
    cover_named = False
    for i, ln in enumerate(lines):
        if ln.start >= cover_end:
            break
        spans = by_line.get(i, [])
        if not spans or _ISSUER.search(ln.text) or _PARTNER.search(ln.text) or len(ln.text) > 200:
            continue
        if _only_names(ln.text, spans, ln.start):
            # Only the first: more names alone on cover lines are a list of partners' logos.
            if not cover_named:
                credit("cover", ln, spans)
            cover_named = True
        elif i < 3:
            credit("title", ln, spans)
    if title:  # the file's own title (DOCX/HTML/PDF metadata): evidence outside the text, span 0-0
        tspans = entity_mentions(title)
        if tspans and not _ISSUER.search(title) and not _PARTNER.search(title):
            for _, _, canon in tspans:
                positions[canon].setdefault("title", Evidence("title", 0, 0, title[:200]))

    for ln in _repeated_lines(lines, pages):
        i = bisect_right(starts, ln.start) - 1
        spans = by_line.get(i, [])
        if spans and not _ISSUER.search(ln.text):
            credit("header", ln, spans)

    out = []
    lex = _lexicon()
    first_at = {}
    for s, _, c in mentions:
        first_at.setdefault(c, s)
    for canon, n in counts.items():
        rules = positions.get(canon, {})
        score = sum(WEIGHTS[r] for r in rules) + _mention_score(n)
        best = max(rules, key=lambda r: WEIGHTS[r]) if rules else "mentions"
        ev = sorted(rules.values(), key=lambda e: -WEIGHTS[e.rule])
        ev += [Evidence("mentions", s, e, text[s:e]) for s, e, c in mentions if c == canon][:3]
        out.append(EntityGuess(canon, lex.long_names.get(canon, ""), score, best, n, ev))
    out.sort(key=lambda g: (-g.score, -g.mentions, first_at[g.entity]))
    return out


def detect_entity(text: str, pages: list[list[int]] | None = None, title: str = "") -> EntityGuess | None:
    """The reporting entity, or None when the document does not make it plain.

    Named in a position (field, cover, title, header): the best score wins. From mentions
    alone: at least three, and half as many again as the next entity.
    """
    cands = entity_candidates(text, pages, title)
    if not cands:
        return None
    best = cands[0]
    if best.rule != "mentions":
        return best
    runner = cands[1].mentions if len(cands) > 1 else 0
    if best.mentions >= 3 and best.mentions >= 1.5 * runner:
        return best
    return None


# --- the year -------------------------------------------------------------------------------------

_YEAR = r"(?:19|20)\d\d"
_YEAR_RE = re.compile(rf"(?<![\d./])({_YEAR})(?![\d]|\s+Agenda|\.\d)")
_PERIOD_ANYWHERE = re.compile(
    r"(?i)\b(?:reporting\s+period|period\s+under\s+(?:review|consideration)|period\s+covered|"
    r"covering\s+the\s+period|review\s+period)\b")
_PERIOD_COVER = re.compile(
    r"(?i)\b(?:covering|covers|for\s+the\s+(?:period|year|biennium|years)|during\s+the\s+(?:period|year))"
    r"(?=\s+(?:from\s+)?(?:the\s+)?(?:(?:period|year)\s+)?(?:\w+\s+)?(?:19|20)\d\d)")
_TITLE_WORDS = re.compile(r"(?i)\b(?:report|review|update|submission|contribution|input|response|summary|"
                          r"progress|results|overview)\b")
_VERSION = re.compile(
    r"(?im)(?:^|[|•·\t]|\s{2,})[ \t]*(?P<label>version|last[ \t]+(?:updated|modified|revised)|updated(?:[ \t]+on)?|"
    r"revised(?:[ \t]+on)?|issued(?:[ \t]+on)?|published(?:[ \t]+on)?|release[ \t]+date|dated?)"
    r"\b[ \t]*(?:[:.\-–][ \t]*)?(?P<value>[^\n]*)$")
_STRONG_VERSION = ("version", "last")  # labels trusted anywhere in the text, not only on the cover


def _years_in(s: str) -> list[int]:
    return [int(y) for y in _YEAR_RE.findall(s)]


def _period_end(window: str) -> tuple[int, int] | None:
    """The last year of the period stated at the start of ``window`` (one sentence at most),
    and where it ends in ``window``."""
    window = re.split(r"(?<=[.;])\s|\n\s*\n", window, maxsplit=1)[0][:90]
    hits = list(_YEAR_RE.finditer(window))
    if not hits:
        return None
    last = max(hits, key=lambda h: int(h.group(1)))
    return int(last.group(1)), max(h.end() for h in hits)


def _version_value(text: str, m: re.Match) -> tuple[int | None, int, int]:
    """The year of the date after a version label: on its line, or on the next lines when the
    label stands alone (forms print ``Last Modified:`` above its value)."""
    value = m.group("value")
    if value.strip():
        start = m.start("value")
        window = value[:60]
    else:
        start = m.end()
        window = text[start:start + 200]
    # On the label's line the date must come first ("Version 2 of the tool ... May 2016" is prose).
    dates = [h for h in find_dates(window) if h.last and h.start <= (15 if value.strip() else 120)]
    if dates:
        return int(dates[0].last[:4]), start + dates[0].start, start + dates[0].end
    ym = _YEAR_RE.search(window[:20] if value.strip() else window[:80])
    if ym and (value.strip() or not re.search(r"[A-Za-z]{4,}", window[:ym.start()])):
        return int(ym.group(1)), start + ym.start(), start + ym.end()
    return None, 0, 0


def infer_year(text: str) -> int | None:
    """Latest full date the document mentions: the last resort."""
    years = [int(h.last[:4]) for h in find_dates(text) if h.last and h.form in ("dmy", "d-dm-y", "dm-dm-y", "mdy")]
    return max(years) if years else None


def detect_year(text: str, pages: list[list[int]] | None = None) -> YearGuess:
    """The report year and the rule that decided it (see the module docstring for the order)."""
    m = YEAR_RE.search(text)
    if m:
        return YearGuess(int(m.group(1)), "document", Evidence("document", m.start(), m.end(), m.group()))
    m = ANNUAL_RE.search(text[:1000])
    if m:
        return YearGuess(int(m.group(2) or m.group(1)), "document", Evidence("document", m.start(), m.end(), m.group()))

    lines = _lines(text)
    cover_end = _cover_end(text, pages, lines)
    periods = [*_PERIOD_ANYWHERE.finditer(text), *_PERIOD_COVER.finditer(text, 0, cover_end)]
    for m in periods:
        found = _period_end(text[m.end():m.end() + 200])
        if found:
            y, end = found
            return YearGuess(y, "period", Evidence("period", m.start(), m.end() + end,
                                                   " ".join(text[m.start():m.end() + end].split())))

    for ln in lines[:3]:
        if ln.start >= cover_end:
            break
        years = _years_in(ln.text)
        if years and _TITLE_WORDS.search(ln.text) and not _ISSUER.search(ln.text) and len(ln.text) <= 200:
            return YearGuess(max(years), "title", Evidence("title", ln.start, ln.end, ln.text))

    repeated = _repeated_lines(lines, pages)
    repeated_starts = {ln.start for ln in repeated}
    starts = [ln.start for ln in lines]
    best: tuple[int, Evidence] | None = None
    for m in _VERSION.finditer(text):
        label = m.group("label").lower()
        row = lines[bisect_right(starts, m.start("label")) - 1]
        on_cover = m.start("label") < cover_end
        if not (on_cover or row.start in repeated_starts or label.startswith(_STRONG_VERSION)):
            continue
        y, s, e = _version_value(text, m)
        if y and (best is None or y > best[0]):
            best = (y, Evidence("version date", m.start("label"), e,
                                " ".join(text[m.start("label"):e].split())[:120]))
    if best:
        return YearGuess(best[0], "version date", best[1])

    header_years: Counter[int] = Counter()
    header_ev: dict[int, Evidence] = {}
    for ln in repeated:
        for y in set(_years_in(ln.text)):
            header_years[y] += 1
            header_ev.setdefault(y, Evidence("header", ln.start, ln.end, ln.text[:120]))
    if header_years:
        y = max(header_years, key=lambda k: (header_years[k], k))
        return YearGuess(y, "header", header_ev[y])

    y = infer_year(text)
    return YearGuess(y, "inferred" if y else "none", None)


YEAR_SOURCE_WORDS = {"period": "its reporting period", "title": "its title", "version date": "its version date",
                     "header": "its page headers", "inferred": "its latest date"}
