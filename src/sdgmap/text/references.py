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

_NUM = r"(?:1[0-7]|[1-9])"
# ODS / ODD: the Spanish and French for SDG (upper case only: "odd" is an English word).
_SDG_WORD = r"(?:SDGs?|Sustainable\s+Development\s+Goals?|(?-i:ODS|ODD))"
_LIST_SEP = r"\s*(?:,\s*(?:and\s+|&\s*)?|\band\b|(?-i:\by\b|\bet\b)|&|;)\s*"
_PRIMARY_CUES = re.compile(
    r"(?:in\s+particular|particularly|more\s+directly|most\s+directly|directly|especially|notably|primarily|mainly|main(?:ly)?\s+SDG|focus(?:ing)?\s+on)"
    r"(?:\s+(?:on|in|the|to))?\s*$", re.I)

_INDICATOR = re.compile(
    rf"(?:\b(?:SDG\s*)?indicators?\s+|\bSDG\s*)(?P<c>{_NUM}\.(?:\d{{1,2}}|[a-c])\.\d{{1,2}})\b"
    rf"|(?<![\w.])(?P<b>{_NUM}\.[a-c]\.\d)(?![\w.])", re.I)
_TARGET = re.compile(
    rf"\b(?:(?:SDG\s+)?targets?|SDG)\s*(?P<c>{_NUM})(?:\.(?P<d>\d{{1,2}}|[a-d])|(?P<l>[a-d]))(?![\w.])"
    rf"|(?<![\w.])(?P<b>{_NUM})\.(?P<bl>[a-d])(?![\w.])", re.I)
# "targets 9.c and 17.8": further codes after a target keyword
_TARGET_LIST = re.compile(rf"\btargets?\s+{_NUM}\.(?:\d{{1,2}}|[a-d])(?:{_LIST_SEP}{_NUM}\.(?:\d{{1,2}}|[a-d]))+", re.I)
_TARGET_CODE = re.compile(rf"(?<![\w.])({_NUM})\.(\d{{1,2}}|[a-d])(?![\w.])", re.I)

_ALL_GOALS = re.compile(
    rf"\b(?:all\s+(?:of\s+)?(?:the\s+)?(?:17\s+|seventeen\s+)?|(?:17|seventeen)\s+){_SDG_WORD}"
    rf"|\b{_SDG_WORD}\s+(?:Goals\s+)?1\s*(?:-|–|to)\s*17\b", re.I)
_GOAL_RANGE = re.compile(rf"\b(?:{_SDG_WORD}|Goals)\s*(?:Goals\s+)?(?P<a>{_NUM})\s*(?:-|–|to)\s*(?P<b>{_NUM})(?![\d.])", re.I)
# "SDG 6, 11, 13", "SDGs 1, 3 and 5", "SDG Goals 1, 3, 5", "SDG 9, SDG 13", "Goal 5", "SDG9"
_GOAL_LIST = re.compile(
    rf"(?<![\w-])(?:{_SDG_WORD}|Goals?)\s*(?:Goals?\s*)?#?(?P<first>{_NUM})(?![\d\w]|\.\w)"
    rf"(?P<rest>(?:{_LIST_SEP}(?:(?:SDG|Goal)\s*)?{_NUM}(?![\d\w]|\.\w|\s*(?:-|–)\s*\d))*)", re.I)
_NUM_IN_LIST = re.compile(rf"(?<![\d.]){_NUM}(?![\d]|\.\d)")
_NOT_SDG_GOAL = re.compile(r"(?:strategic|institutional|ITU)\s+$", re.I)

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


def _sdg_mentions(text: str) -> list[Mention]:
    targets, indicators = _sdg_codes()
    out: list[Mention] = []
    taken = SpanSet()

    for m in _INDICATOR.finditer(text):
        code = (m.group("c") or m.group("b")).lower()
        if code in indicators:
            out.append(Mention("sdg_indicator", code, m.start(), m.end(), "regex", text=m.group()))
            taken.add(*m.span())

    def add_target(code: str, s: int, e: int, method: str = "regex") -> None:
        if code in targets and not taken.overlaps(s, e):
            out.append(Mention("sdg_target", code, s, e, method, _primary_before(text, s), text[s:e]))
            taken.add(s, e)

    for m in _TARGET_LIST.finditer(text):
        for c in _TARGET_CODE.finditer(m.group()):
            add_target(f"{c.group(1)}.{c.group(2).lower()}", m.start() + c.start(), m.start() + c.end())
    for m in _TARGET.finditer(text):
        if m.group("b"):
            code = f"{m.group('b')}.{m.group('bl').lower()}"
        else:
            code = f"{m.group('c')}.{(m.group('d') or m.group('l')).lower()}"
        add_target(code, m.start(), m.end())

    for m in _ALL_GOALS.finditer(text):
        if taken.overlaps(*m.span()):
            continue
        for g in ALL_GOALS:
            out.append(Mention("sdg_goal", g, m.start(), m.end(), "all-goals", text=m.group()))
        taken.add(*m.span())
    for m in _GOAL_RANGE.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        if a >= b or taken.overlaps(*m.span()):
            continue
        for g in range(a, b + 1):
            out.append(Mention("sdg_goal", str(g), m.start(), m.end(), "goal-range", text=m.group()))
        taken.add(*m.span())
    for m in _GOAL_LIST.finditer(text):
        if taken.overlaps(*m.span()) or _NOT_SDG_GOAL.search(text[max(0, m.start() - 15):m.start()]):
            continue
        s0 = m.start("first")
        out.append(Mention("sdg_goal", str(int(m.group("first"))), m.start(), m.end("first"), "regex",
                           _primary_before(text, m.start()), text[m.start():m.end("first")]))
        rest_start = m.start("rest")
        for n in _NUM_IN_LIST.finditer(m.group("rest")):
            s, e = rest_start + n.start(), rest_start + n.end()
            out.append(Mention("sdg_goal", str(int(n.group())), s, e, "goal-list",
                               _primary_before(text, s), text[s:e]))
        taken.add(s0, m.end())
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
