"""Explicit references in any text: SDGs, targets, indicators, Action Lines, ITU-D outcomes,
UN entities, dates, locations, URLs, money amounts and counts.

``extract(text)`` is the one entry point (also used by the classifier to find what a text
states outright). It is pure: no database, only the reference lists shipped in
``sdgmap/data`` (SDG target and indicator codes, UN entity acronyms, M49 country names),
read once. Every ``Mention`` keeps its character span in ``text`` so that links can point
at their evidence.

Values are normalised: goals ``"9"``, targets ``"9.c"``, indicators ``"9.c.1"``, Action
Lines ``"C5"`` or a named C7 sub-line ``"C7.e-hea"``, ITU-D outcomes ``"D.1-5"``, entities
their acronym in the UN list, dates an ISO date or ``start/end`` range.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sdgmap.text.dates import SpanSet, find_dates

DATA = Path(__file__).resolve().parent.parent / "data"
ALL_GOALS = [str(g) for g in range(1, 18)]
KINDS = ("sdg_goal", "sdg_target", "sdg_indicator", "action_line", "itu_outcome", "un_entity",
         "date", "location", "url", "money", "count")


@dataclass(frozen=True)
class Mention:
    kind: str
    value: str
    start: int
    end: int
    method: str
    primary: bool = False
    text: str = ""


# --- reference lists -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _sdg_codes() -> tuple[frozenset[str], frozenset[str]]:
    def col(name: str, key: str) -> frozenset[str]:
        with open(DATA / "sdg" / name, encoding="utf-8", newline="") as fh:
            return frozenset(r[key] for r in csv.DictReader(fh))
    return col("sdg_targets.csv", "target"), col("sdg_indicators.csv", "indicator")


# Names used in reports for entities whose acronym in the UN list differs.
ENTITY_ALIASES = {
    "UNDESA": "DESA", "UN DESA": "DESA", "UN-DESA": "DESA", "UNECE": "ECE", "UNECA": "ECA",
    "UNESCAP": "ESCAP", "UNESCWA": "ESCWA", "UN-ESCWA": "ESCWA", "UN Women": "UN-Women",
    "UN Environment": "UNEP", "World Bank": "WORLD BANK GROUP", "UN Habitat": "UN-Habitat",
    "UNU-EGOV": "UNU", "UNU-CS": "UNU", "UNU-EHS": "UNU", "UN-OHRLLS": "UN-OHRLLS",
    "OHRLLS": "UN-OHRLLS", "UNOOSA": "OOSA", "UNGIS": "UNGIS", "UN Tourism": "UN Tourism",
    "UNWTO": "UN Tourism", "UNITAR": "UNITAR", "UNICC": "UNICC", "UNDPPA": "DPPA",
}
# Acronyms in the UN list that are ordinary words or other things in reports.
_ENTITY_SKIP = {"ICC", "ODA", "OCT", "CPC", "ISA", "DOS", "CDP", "HRC", "OAJ", "ILC", "MSC", "ITC"}


@lru_cache(maxsize=1)
def _entity_pattern() -> tuple[re.Pattern, dict[str, str]]:
    names: dict[str, str] = {}
    with open(DATA / "un" / "un_system_entities.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            acr = r["entity"].strip()
            # Multi-word "acronyms" (Fifth Committee, Board of Auditors) are names, not what
            # reports abbreviate; keep the compact ones.
            if not acr or acr in _ENTITY_SKIP or " " in acr and acr not in ("UN Tourism", "UN Youth"):
                continue
            names[acr] = acr
    names["ITC"] = "ITC"  # International Trade Centre: common in partner lists
    for alias, canon in ENTITY_ALIASES.items():
        names[alias] = canon
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])"), names


def entity_names() -> dict[str, str]:
    """Every UN entity name or variant recognised, mapped to its acronym in the UN list."""
    return _entity_pattern()[1]


COUNTRY_ALIASES = {
    "UAE": "United Arab Emirates", "United Emirates": "United Arab Emirates",
    "USA": "United States of America", "United States": "United States of America",
    "US": "United States of America", "UK": "United Kingdom", "Tanzania": "United Republic of Tanzania",
    "Kingdom of Saudi Arabia": "Saudi Arabia", "Kyrgyz Republic": "Kyrgyzstan",
    "Vietnam": "Viet Nam", "Russia": "Russian Federation", "Turkey": "Türkiye",
    "Korea": "Republic of Korea", "South Korea": "Republic of Korea", "Bolivia": "Bolivia",
    "Iran": "Iran", "Syria": "Syrian Arab Republic", "Laos": "Lao People's Democratic Republic",
    "Moldova": "Republic of Moldova", "Czech Republic": "Czechia", "Ivory Coast": "Côte d’Ivoire",
}


@lru_cache(maxsize=1)
def _location_pattern() -> tuple[re.Pattern, dict[str, str]]:
    countries: dict[str, str] = {}
    with open(DATA / "un" / "m49_countries.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            name = r["name"].strip()
            countries[name] = name
            short = re.sub(r"\s*\(.*\)$", "", name)  # Bolivia (Plurinational State of)
            countries.setdefault(short, name)
    for alias, canon in COUNTRY_ALIASES.items():
        countries[alias] = countries.get(canon, canon)
    alts = "|".join(re.escape(c) for c in sorted(countries, key=len, reverse=True))
    city_word = r"[A-ZÀ-Ý][\w’'À-ÿ.-]*"
    pat = re.compile(
        # At most four words of city name: bounded, so long runs of capitalised words stay linear.
        rf"(?P<city>{city_word}(?:[ \t]+(?:{city_word}|de|da|del|la|el)){{0,3}}?),[ \t]*(?P<country>{alts})(?![\w-])"
    )
    return pat, countries


# --- SDG patterns ----------------------------------------------------------------------------
#
# An SDG reference is an *anchor* (a keyword and a code: "SDG 9", "Goal 10c", "SDG-16",
# "Sustainable Development Goal 10.c", "targets 9.c", "indicator 5.5.1b") followed by any number
# of *continuations*: list items ("SDGs 1,2,3", "SDG 4.4, 8.6 and SDG 10", "(goal 6), (7)"),
# ranges ("Goals 1 to 5", "SDGs 1-5") and items with a goal title between the numbers
# ("SDGs 7- Ensure ... and 12 -Ensure ...", "SDG 6 (water), 7 (energy)"). A number counts only
# after a keyword or inside such a list: page numbers, years, list numbering, money and section
# numbers ("2.1") elsewhere are not references. Ordinals ("the second SDG") are read too.

_NUM = r"(?:1[0-7]|[1-9])"
# ODS / ODD: the Spanish and French for SDG (upper case only: "odd" is an English word).
_SDG_WORD = r"(?:SDGs?|Sustainable\s+Development\s+Goals?|(?-i:ODS|ODD))"
# Misspellings of "SDG" seen in real reports that mean nothing else before a goal number.
_SDG_TYPO = r"(?-i:SDDGs?|SDB)"
_LIST_SEP = r"\s*(?:,\s*(?:and\s+|or\s+|&\s*)?|\band\b|\bor\b|(?-i:\by\b|\bet\b)|&|;)\s*"
_PRIMARY_CUES = re.compile(
    r"(?:in\s+particular|particularly|more\s+directly|most\s+directly|directly|especially|notably|primarily|mainly|main(?:ly)?\s+SDG|focus(?:ing)?\s+on)"
    r"(?:\s+(?:on|in|the|to))?\s*$", re.I)

# A goal "9", a target "9.c", "9.1" or "9c", an indicator "5.5.1" or a part of one "5.5.1b".
_CODE = rf"{_NUM}(?:\.(?:\d{{1,2}}|[a-d])(?:\.\d{{1,2}}[a-z]?)?|[a-d])?(?!\w|\.\w)"
_CODE_PARTS = re.compile(rf"(?P<g>{_NUM})(?:\.(?P<t>\d{{1,2}}|[a-d])(?:\.(?P<i>\d{{1,2}})[a-z]?)?|(?P<l>[a-d]))?",
                         re.I)
# A number followed by these is a quantity, not a goal ("SDG 5, 10 countries").
_QUANTITY = r"(?!\s*%|\s*(?:per\s*cent|percent|million|billion|thousand|countries|people|persons|years?|months?|" \
            r"weeks?|days?|hours?|times|other|more|new|participants|members|partners|projects|goals|SDGs)\b)"
_ANCHOR = re.compile(
    rf"(?<![\w-])(?P<kwp>(?:(?P<typo>{_SDG_TYPO})|{_SDG_WORD}|Goals?|(?:SDG\s+)?targets?|(?:SDG\s+)?indicators?)"
    rf"(?:\s+(?:Goals?|targets?|indicators?))?)(?P<gap>(?:\s*(?:nos?\.|numbers?|n[°º]))?\s*[-–:#]?\s*)"
    rf"(?P<code>{_CODE}){_QUANTITY}", re.I)
_ITEM_KW = rf"(?P<ikw>(?:{_SDG_WORD}|{_SDG_TYPO}|Goals?|targets?)\s*[-–]?\s*)"
_CONT_ITEM = re.compile(
    rf"(?P<close>\))?(?P<sep>{_LIST_SEP})(?P<open>\()?{_ITEM_KW}?(?P<code>{_CODE}){_QUANTITY}", re.I)
_CONT_RANGE = re.compile(rf"\s*(?:-|–|to|through)\s*{_ITEM_KW}?(?P<code>{_NUM})(?!\w|\.\w){_QUANTITY}", re.I)
# "7- Ensure ... and 12 -Ensure ...", "6 (water), 7 (energy)": the next number must carry a title too.
_CONT_TITLED = re.compile(
    rf"(?:\s*[-–:]\s*[^\W\d_][^.;!?]{{0,250}}?(?P<sep>{_LIST_SEP})|\s*\([^()]{{2,250}}\)(?:{_LIST_SEP}|\s+))"
    rf"{_ITEM_KW}?(?P<code>{_NUM})(?=\s*(?:[-–:]\s*[^\W\d_]|\())", re.I)
_AFTER_PAREN_ITEM = re.compile(r"\)(?=\s*(?:[,.;:)]|and\b|or\b|$))", re.I)
# After a line break, "8. Next" or "2) next" starts a numbered line: the number is not a goal.
_NUMBERING_AFTER = re.compile(r"[.)][ \t]+[A-Z]|\)[ \t]")

_ALL_GOALS = re.compile(
    rf"\b(?:all\s+(?:of\s+)?(?:the\s+)?(?:17\s+|seventeen\s+)?|(?:17|seventeen)\s+){_SDG_WORD}"
    rf"|\b{_SDG_WORD}\s+(?:Goals\s+)?1\s*(?:-|–|to)\s*17\b", re.I)
# Codes that are references without a keyword: a lettered target "9.c", an indicator "9.c.1".
_BARE_INDICATOR = re.compile(rf"(?<![\w.])(?P<c>{_NUM}\.[a-c]\.\d)(?![\w.])", re.I)
_BARE_TARGET = re.compile(rf"(?<![\w.])(?P<c>{_NUM}\.[a-d])(?![\w.])", re.I)
_NOT_SDG_GOAL = re.compile(
    r"(?:strategic|institutional|corporate|organi[sz]ational|ITU|Aichi(?:\s+Biodiversity)?|Millennium\s+Development)"
    r"\s+$", re.I)

_ORDINALS = {w: i for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth".split(), start=1)}
# "the second SDG", "the 5th Sustainable Development Goal": only where the goal itself is meant,
# i.e. not "the first SDG report" (a noun follows) or "the first SDGs".
_ORDINAL_GOAL = re.compile(
    rf"\b(?P<o>{'|'.join(_ORDINALS)}|(?:1[0-7]|[1-9])(?:st|nd|rd|th))\s+(?:SDG|Sustainable\s+Development\s+Goal)"
    r"(?![\w-])(?=\s*(?:[,.;:()]|[-–—]\s|(?:on|of|which|that|is|was|calls|aims|seeks)\b|$))", re.I)


# --- WSIS Action Lines -----------------------------------------------------------------------

_SUBLINES = {
    "government": "e-gov", "gov": "e-gov", "business": "e-bus", "bus": "e-bus",
    "learning": "e-lea", "health": "e-hea", "employment": "e-emp", "environment": "e-env",
    "agriculture": "e-agr", "science": "e-sci",
}
_AL_CONTEXT = re.compile(r"\bAction\s+Lines?\b|\bWSIS\s+ALs?\b|\bALs?\b", re.I)
_AL_CODE = re.compile(r"(?<![\w.-])C(?P<n>1[01]|[1-9])(?![\w.])(?P<sub>\s*(?:[:(]|-|–)\s*[eE]-?(?P<s>[a-zA-Z]+))?")
_AL_RANGE = re.compile(r"(?<![\w.-])C(?P<a>1[01]|[1-9])\s*(?:-|–|to)\s*C(?P<b>1[01]|[1-9])(?![\w.])")

# --- ITU-D outcomes --------------------------------------------------------------------------

_OUTCOME = re.compile(r"(?<![\w.])D\.(?P<o>[1-4])\s*[-.–]\s*(?P<n>[1-9])(?![\d])")

# --- other facts -----------------------------------------------------------------------------

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'“”()]+", re.I)
_MONEY = re.compile(
    r"(?P<cur>USD|US\$|CHF|EUR|€|\$)\s?(?P<num>\d[\d’',.]*\d|\d)(?:\s?(?P<scale>billion|million|thousand|bn|m)\b)?",
    re.I)
_COUNT = re.compile(
    r"(?<![\w.$’',])(?P<num>\d{1,3}(?:[,’']\d{3})+|\d+)\+?\s+(?:(?:new|active|virtual|high-level|UN|other|more)\s+)?"
    r"(?P<what>pledges|entities|participants|attendees|submissions|countries|cities|projects|teams|"
    r"Member\s+States|sessions|schools|girls|students|partners|agencies|organizations|organisations|"
    r"contributors|users|people|experts|speakers|delegates|ministers|members|initiatives|events|"
    r"workshops|publications|indicators|webinars)\b", re.I)
_VIRTUAL = re.compile(r"(?m)^[ \t]*(?P<v>Virtual|Online|Hybrid)\b(?=[ \t]*(?:$|&|and\b|/|,))")
_SCALE = {"billion": 1e9, "bn": 1e9, "million": 1e6, "m": 1e6, "thousand": 1e3}


def _primary_before(text: str, start: int) -> bool:
    return bool(_PRIMARY_CUES.search(text[max(0, start - 40):start]))


def _classify(code: str, family: str) -> tuple[str, str] | None:
    """``("sdg_goal", "9")``, ``("sdg_target", "9.c")`` or ``("sdg_indicator", "5.5.1")`` for a code
    after a keyword of ``family`` (goal, target or indicator); None for a code that is no SDG code."""
    targets, indicators = _sdg_codes()
    m = _CODE_PARTS.fullmatch(code)
    if m is None:
        return None
    g, t, i = m.group("g"), (m.group("t") or m.group("l") or "").lower(), m.group("i")
    if i:
        value = f"{g}.{t}.{i}"
        return ("sdg_indicator", value) if value in indicators else None
    if t:
        value = f"{g}.{t}"
        return ("sdg_target", value) if family != "indicator" and value in targets else None
    return ("sdg_goal", str(int(g))) if family == "goal" else None


def _family(keyword: str) -> str:
    k = keyword.lower()
    if "indicator" in k:
        return "sdg-indicator" if "sdg" in k else "indicator"
    return "target" if "target" in k else "goal"


def _anchored_lists(text: str, out: list[Mention], taken: SpanSet) -> None:
    for a in _ANCHOR.finditer(text):
        if taken.overlaps(*a.span()) or _NOT_SDG_GOAL.search(text[max(0, a.start() - 30):a.start()]):
            continue
        gap = a.group("gap")
        if "\n" in gap and (":" in gap or _NUMBERING_AFTER.match(text, a.end("code"))):
            continue  # "the following SDGs:\n1. ...": list numbering, not a goal
        family = _family(a.group("kwp"))
        first = _classify(a.group("code"), family)
        if first is None:
            continue
        method = "typo" if a.group("typo") else "regex"
        items: list[tuple[str, str, int, int, str]] = [(*first, a.start(), a.end("code"), method)]
        pos = a.end("code")

        def item_start(m: re.Match) -> tuple[int, str]:
            # An item with its own keyword ("SDG 13") spans it; a bare number is a list item.
            return (m.start("ikw"), "regex") if m.group("ikw") else (m.start("code"), "goal-list")

        while True:
            last_kind = items[-1][0]
            r = _CONT_RANGE.match(text, pos) if last_kind == "sdg_goal" else None
            if r:
                lo, hi = int(items[-1][1]), int(r.group("code"))
                if lo < hi and not taken.overlaps(r.start("code"), r.end("code")):
                    s = items.pop()[2]
                    items += [("sdg_goal", str(g), s, r.end("code"), "goal-range") for g in range(lo, hi + 1)]
                    pos = r.end("code")
                    continue
                break  # "SDG 5-3": not a range, and not a list either
            c = _CONT_ITEM.match(text, pos)
            if c and bool(c.group("close")) == bool(c.group("open")):
                end = c.end("code")
                if c.group("open"):  # "(goal 6), (7)": the number is closed and ends a clause
                    if not _AFTER_PAREN_ITEM.match(text, end):
                        break
                elif "\n" in c.group("sep") and _NUMBERING_AFTER.match(text, end):
                    break  # "SDG 5;\n2) next item": list numbering on a new line
                item = _classify(c.group("code"), family if family != "goal" or not c.group("ikw") else "goal")
                s, how = item_start(c)
                if item is None or taken.overlaps(s, end):
                    break
                items.append((*item, s, end, how if item[0] == "sdg_goal" else "regex"))
                pos = end
                continue
            t = _CONT_TITLED.match(text, pos) if last_kind == "sdg_goal" and family == "goal" else None
            if t and not taken.overlaps(t.start("code"), t.end("code")):
                s, how = item_start(t)
                items.append(("sdg_goal", str(int(t.group("code"))), s, t.end("code"), how))
                pos = t.end("code")
                continue
            break
        for kind, value, s, e, how in items:
            out.append(Mention(kind, value, s, e, how, _primary_before(text, s), text[s:e]))
            # Only the items are taken: a goal title between them may hold references of its own.
            taken.add(s, e)


def _sdg_mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    taken = SpanSet()
    for m in _ALL_GOALS.finditer(text):
        for g in ALL_GOALS:
            out.append(Mention("sdg_goal", g, m.start(), m.end(), "all-goals", text=m.group()))
        taken.add(*m.span())
    _anchored_lists(text, out, taken)
    for m in _ORDINAL_GOAL.finditer(text):
        if taken.overlaps(*m.span()):
            continue
        o = m.group("o").lower()
        n = _ORDINALS.get(o) or int(o[:-2])
        out.append(Mention("sdg_goal", str(n), m.start(), m.end(), "ordinal", _primary_before(text, m.start()),
                           m.group()))
        taken.add(*m.span())
    targets, indicators = _sdg_codes()
    for pat, kind, codes in ((_BARE_INDICATOR, "sdg_indicator", indicators), (_BARE_TARGET, "sdg_target", targets)):
        for m in pat.finditer(text):
            code = m.group("c").lower()
            if code in codes and not taken.overlaps(*m.span()):
                out.append(Mention(kind, code, m.start(), m.end(), "regex", _primary_before(text, m.start()),
                                   m.group()))
                taken.add(*m.span())
    return out


def _action_line_mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    taken = SpanSet()
    contexts = [m.start() for m in _AL_CONTEXT.finditer(text)]
    if not contexts:
        return out

    def in_context(pos: int) -> bool:
        # The code belongs to an Action Line phrase in the same paragraph, shortly before it.
        i = bisect_right(contexts, pos) - 1
        while i >= 0 and pos - contexts[i] < 260:
            if "\n\n" not in text[contexts[i]:pos]:
                return True
            i -= 1
        return False

    for m in _AL_RANGE.finditer(text):
        if not in_context(m.start()):
            continue
        a, b = int(m.group("a")), int(m.group("b"))
        for n in range(a, b + 1) if a < b else ():
            out.append(Mention("action_line", f"C{n}", m.start(), m.end(), "al-range", text=m.group()))
        taken.add(*m.span())
    for m in _AL_CODE.finditer(text):
        if taken.overlaps(*m.span()) or not in_context(m.start()):
            continue
        code = f"C{m.group('n')}"
        end = m.start() + len(code)
        if code == "C7" and m.group("s"):
            # "e-business" as written, or a plural ("e-governments") without its "s"
            word = m.group("s").lower()
            sub = _SUBLINES.get(word) or _SUBLINES.get(word.removesuffix("s"))
            if sub:
                code, end = f"C7.{sub}", m.end()
        out.append(Mention("action_line", code, m.start(), end, "regex", text=text[m.start():end]))
    return out


def _money_value(m: re.Match) -> str:
    cur = {"US$": "USD", "$": "USD", "€": "EUR"}.get(m.group("cur").upper(), m.group("cur").upper())
    raw = re.sub(r"[’',]", "", m.group("num"))
    try:
        amount = float(raw)
    except ValueError:
        return f"{cur} {m.group('num')}"
    if m.group("scale"):
        amount *= _SCALE[m.group("scale").lower()]
    return f"{cur} {amount:.0f}" if amount == int(amount) else f"{cur} {amount}"


def extract(text: str, kinds: Collection[str] | None = None) -> list[Mention]:
    """All explicit references in ``text``, sorted by position (see the module docstring).

    ``kinds`` limits the search to some kinds (faster on long texts), e.g. ``{"sdg_goal"}``.
    """
    want = set(KINDS if kinds is None else kinds)
    out: list[Mention] = []
    if want & {"sdg_goal", "sdg_target", "sdg_indicator"}:
        out += [m for m in _sdg_mentions(text) if m.kind in want]
    if "action_line" in want:
        out += _action_line_mentions(text)
    if "itu_outcome" in want:
        for m in _OUTCOME.finditer(text):
            out.append(Mention("itu_outcome", f"D.{m.group('o')}-{m.group('n')}", m.start(), m.end(),
                               "regex", text=m.group()))

    ent_pat, ent_names = _entity_pattern()
    if "un_entity" in want:
        for m in ent_pat.finditer(text):
            out.append(Mention("un_entity", ent_names[m.group()], m.start(), m.end(), "un-entity-list",
                               text=m.group()))

    urls = SpanSet()
    for m in _URL.finditer(text) if want & {"url", "location"} else ():
        url = m.group().rstrip(".,;:’”'")
        if "url" in want:
            out.append(Mention("url", url, m.start(), m.start() + len(url), "regex", text=url))
        urls.add(m.start(), m.start() + len(url))

    for h in find_dates(text) if "date" in want else ():
        if h.first is None and h.last is None and h.form != "all-year":
            continue
        out.append(Mention("date", h.value, h.start, h.end, f"date:{h.form}", text=h.text))

    if "location" in want:
        loc_pat, countries = _location_pattern()
        for m in loc_pat.finditer(text):
            if urls.overlaps(*m.span()):
                continue
            city = m.group("city")
            # "ITU, Montenegro", "Cambodia, Rwanda", "SDGs, Canada": lists, not a city and country.
            if city in countries or city.isupper() or "SDG" in city or city in ent_names:
                continue
            value = f"{city}, {countries[m.group('country')]}"
            out.append(Mention("location", value, m.start(), m.end(), "city-country", text=m.group()))
        for m in _VIRTUAL.finditer(text):
            out.append(Mention("location", "Virtual", m.start("v"), m.end("v"), "regex", text=m.group("v")))

    for m in _MONEY.finditer(text) if "money" in want else ():
        out.append(Mention("money", _money_value(m), m.start(), m.end(), "regex", text=m.group()))
    for m in _COUNT.finditer(text) if "count" in want else ():
        n = re.sub(r"[,’']", "", m.group("num"))
        if 1900 <= int(n) <= 2100 and "," not in m.group("num"):
            continue  # a year, not a count
        what = re.sub(r"\s+", " ", m.group("what")).lower()
        out.append(Mention("count", f"{int(n)} {what}", m.start(), m.end(), "regex", text=m.group()))

    out.sort(key=lambda x: (x.start, x.kind, x.value))
    return out


def goals(mentions: list[Mention]) -> tuple[set[str], set[str]]:
    """The SDG goals a list of mentions states, and those it marks as primary."""
    stated = {m.value for m in mentions if m.kind == "sdg_goal"}
    primary = {m.value for m in mentions if m.kind == "sdg_goal" and m.primary}
    return stated, primary
