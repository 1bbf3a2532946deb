"""Dates as reports write them, turned into ISO ranges.

``find_dates`` finds date expressions in text (``13 to 17 November 2023``, ``20/Nov – 15/Dec
2023``, ``2021-to present``, ``All year round``) and returns each with its span and an ISO
range; ``date_range`` folds the dates of one field into a single (start, end) range.
Open ends stay ``None``; nothing is guessed beyond what the text says, except that a date
without a year takes the year of the report.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right, insort
from dataclasses import dataclass

MONTHS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i])
}
MONTHS["sept"] = 9
_MON = r"(?:" + "|".join(sorted((m for m in MONTHS), key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[0-2]?\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_SEP = r"\s*(?:-|–|—|to|until|till|through)\s*"

# Ordered: longer, more specific forms first; a span taken by one is not matched again.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    # 20 November - 15 December 2023 ; 5 March - 14 June 2024 ; 20/Nov – 15/Dec 2023
    ("dm-dm-y", re.compile(rf"\b(?P<d1>{_DAY})[\s/]+(?P<m1>{_MON}),?{_SEP}(?P<d2>{_DAY})[\s/]+(?P<m2>{_MON}),?\s+(?P<y>{_YEAR})\b", re.I)),
    # between 26 September and 14 October 2022
    ("dm-and-dm-y", re.compile(rf"\bbetween\s+(?P<d1>{_DAY})\s+(?P<m1>{_MON})\s+and\s+(?P<d2>{_DAY})\s+(?P<m2>{_MON}),?\s+(?P<y>{_YEAR})\b", re.I)),
    # 13-17 March 2023 ; 13 to 17 November 2023 ; 1-4 July, 2024 ; from 10 to 12 December 2003
    ("d-dm-y", re.compile(rf"\b(?P<d1>{_DAY}){_SEP}(?P<d2>{_DAY})\s+(?P<m>{_MON}),?\s+(?P<y>{_YEAR})\b", re.I)),
    # 2 May 2023 ; 14 June 2024
    ("dmy", re.compile(rf"\b(?P<d>{_DAY})[\s/]+(?P<m>{_MON}),?\s+(?P<y>{_YEAR})\b", re.I)),
    # May 19, 2020
    ("mdy", re.compile(rf"\b(?P<m>{_MON})\s+(?P<d>{_DAY}),\s*(?P<y>{_YEAR})\b", re.I)),
    # April and May 2023 ; March-May 2020
    ("m-m-y", re.compile(rf"\b(?P<m1>{_MON})(?:\s+and\s+|{_SEP})(?P<m2>{_MON})\s+(?P<y>{_YEAR})\b", re.I)),
    # September 2021
    ("my", re.compile(rf"\b(?P<m>{_MON}),?\s+(?P<y>{_YEAR})\b", re.I)),
    # 2021-to present ; 2019 to date ; 2020 - ongoing
    ("y-present", re.compile(rf"\b(?P<y>{_YEAR})\s*(?:-|–)?\s*(?:to|until|till)?\s*(?:the\s+)?(?:present|now|date|ongoing)\b", re.I)),
    # (a full stop may end the sentence after it, but "2016-2019.5" is a version number)
    ("y-y", re.compile(rf"(?<![\d/.-])(?P<y1>{_YEAR})\s*(?:-|–|to)\s*(?P<y2>{_YEAR})(?![\d/-]|\.\d)")),
    # All year round ; all year long ; throughout the year
    ("all-year", re.compile(r"\b(?:all[\s-]+year[\s-]+(?:round|long)|year[\s-]+round|throughout\s+the\s+year)\b", re.I)),
    # 22 April ; on 17 May (no year: the report year)
    ("dm", re.compile(rf"\b(?:on\s+)?(?P<d>{_DAY})\s+(?P<m>{_MON})\b(?!\s*,?\s*(?:19|20)\d\d)", re.I)),
]


class SpanSet:
    """Non-overlapping spans already taken; ``overlaps`` is O(log n), so long texts stay fast."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._spans, (start, float("inf")))
        if i > 0 and self._spans[i - 1][1] > start:
            return True
        return i < len(self._spans) and self._spans[i][0] < end

    def add(self, start: int, end: int) -> None:
        insort(self._spans, (start, end))


@dataclass
class DateHit:
    start: int
    end: int
    text: str
    first: str | None  # ISO date (or None for an open start)
    last: str | None
    form: str

    @property
    def value(self) -> str:
        if self.form == "all-year" and self.first is None:
            return "all-year"
        if self.first == self.last:
            return self.first or ""
        return f"{self.first or '..'}/{self.last or '..'}"


def _month(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group())


def _iso(y: int, m: int, d: int | None = None, *, end: bool = False) -> str | None:
    if d is None:
        d = calendar.monthrange(y, m)[1] if end else 1
    try:
        calendar.weekday(y, m, d)  # validates the day
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _convert(form: str, m: re.Match, year: int | None) -> tuple[str | None, str | None] | None:
    g = m.groupdict()
    if form in ("dm-dm-y", "dm-and-dm-y"):
        y = int(g["y"])
        m1, m2 = _month(g["m1"]), _month(g["m2"])
        y1 = y - 1 if m1 > m2 else y  # 20 December - 5 January 2024
        return _iso(y1, m1, _day(g["d1"])), _iso(y, m2, _day(g["d2"]))
    if form == "d-dm-y":
        y, mo = int(g["y"]), _month(g["m"])
        return _iso(y, mo, _day(g["d1"])), _iso(y, mo, _day(g["d2"]))
    if form in ("dmy", "mdy"):
        d = _iso(int(g["y"]), _month(g["m"]), _day(g["d"]))
        return d, d
    if form == "m-m-y":
        y = int(g["y"])
        return _iso(y, _month(g["m1"])), _iso(y, _month(g["m2"]), end=True)
    if form == "my":
        y, mo = int(g["y"]), _month(g["m"])
        return _iso(y, mo), _iso(y, mo, end=True)
    if form == "y-present":
        return f"{int(g['y']):04d}-01-01", None
    if form == "y-y":
        y1, y2 = int(g["y1"]), int(g["y2"])
        if y2 < y1:
            return None
        return f"{y1:04d}-01-01", f"{y2:04d}-12-31"
    if form == "all-year":
        if year is None:
            return None, None
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    if form == "dm":
        if year is None:
            return None
        d = _iso(year, _month(g["m"]), _day(g["d"]))
        return d, d
    return None


def find_dates(text: str, year: int | None = None) -> list[DateHit]:
    """Every date expression in ``text``; ``year`` completes dates written without one."""
    taken = SpanSet()
    hits: list[DateHit] = []
    for form, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if taken.overlaps(s, e):
                continue
            conv = _convert(form, m, year)
            if conv is None:
                continue
            first, last = conv
            if form != "all-year" and first is None and last is None:
                continue
            taken.add(s, e)
            hits.append(DateHit(s, e, m.group(), first, last, form))
    hits.sort(key=lambda h: h.start)
    return hits


def date_range(text: str, year: int | None = None) -> tuple[str | None, str | None]:
    """One (start, end) range covering every date in a field such as ``Event Dates``.

    ``30-31 May 2024 & all year long`` gives 2024-01-01..2024-12-31; ``2021-to present``
    gives 2021-01-01 with an open end. A year written in the field wins over ``year``.
    """
    explicit = [int(y) for y in re.findall(rf"\b{_YEAR}\b", text)]
    field_year = max(explicit) if explicit else year
    hits = find_dates(text, field_year)
    if not hits:
        return None, None
    starts = [h.first for h in hits if h.first]
    ends = [h.last for h in hits if h.last]
    open_end = any(h.last is None and h.form == "y-present" for h in hits)
    start = min(starts) if starts else None
    end = None if open_end else (max(ends) if ends else None)
    return start, end
