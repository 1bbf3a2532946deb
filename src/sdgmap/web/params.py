"""Turn query-string parameters into an ``ActivityFilter`` (shared by pages, API and exports).

Bad values raise ``BadRequest`` naming the parameter, so every caller answers 400 with
the same message instead of guessing or failing deeper down.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sdgmap.store.filters import SORTS, ActivityFilter
from sdgmap.store.models import LINK_KINDS

MAX_PAGE = 100_000
PER_PAGE_CHOICES = (10, 25, 50, 100)
FILTER_KEYS = ("q", "type", "year", "sdg", "target", "action_line", "node", "kind", "partner", "entity")

_TARGET = re.compile(r"^\d{1,2}\.[0-9a-z]{1,2}$")
_AL = re.compile(r"^C\d{1,2}(\.[a-z-]{2,12})?$")
_REF = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}:[A-Za-z0-9._-]{1,64}$")


class BadRequest(ValueError):
    """A parameter a user or client got wrong; the message names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass
class ListQuery:
    filter: ActivityFilter
    sort: str = "id"
    descending: bool = False
    page: int = 1
    per_page: int = 25
    params: dict[str, str] | None = None  # the cleaned filter params (for links and exports)


def int_param(params: Mapping[str, str], key: str, lo: int, hi: int) -> int | None:
    raw = (params.get(key) or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"-?\d{1,9}", raw):
        raise BadRequest(key, f"expected a whole number, got {raw[:40]!r}")
    value = int(raw)
    if not lo <= value <= hi:
        raise BadRequest(key, f"must be between {lo} and {hi}, got {value}")
    return value


def _text(params: Mapping[str, str], key: str, limit: int = 200) -> str | None:
    raw = (params.get(key) or "").strip()
    if len(raw) > limit:
        raise BadRequest(key, f"at most {limit} characters")
    return raw or None


def _pattern(params: Mapping[str, str], key: str, pattern: re.Pattern, example: str) -> str | None:
    raw = _text(params, key, 80)
    if raw is not None and not pattern.fullmatch(raw):
        raise BadRequest(key, f"not a valid code {raw[:40]!r} (e.g. {example})")
    return raw


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    """Validate filter, sort and paging parameters (empty values mean "not set")."""
    kind = _text(params, "kind", 20)
    if kind is not None and kind not in LINK_KINDS:
        raise BadRequest("kind", f"one of {', '.join(LINK_KINDS)}")
    f = ActivityFilter(
        type=_text(params, "type", 32),
        year=int_param(params, "year", 1900, 2100),
        sdg=int_param(params, "sdg", 1, 17),
        target=_pattern(params, "target", _TARGET, "9.c"),
        action_line=_pattern(params, "action_line", _AL, "C5 or C7.e-hea"),
        node=_pattern(params, "node", _REF, "itu-sp-2020:D.2"),
        partner=_text(params, "partner", 100),
        entity=_text(params, "entity", 100),
        text=_text(params, "q", 200),
    )
    if kind:
        f.link_kinds = (kind,)
    sort = _text(params, "sort", 20) or "id"
    if sort not in SORTS:
        raise BadRequest("sort", f"one of {', '.join(SORTS)}")
    order = _text(params, "order", 4) or "asc"
    if order not in ("asc", "desc"):
        raise BadRequest("order", "asc or desc")
    page = int_param(params, "page", 1, MAX_PAGE) or 1
    per_page = int_param(params, "per_page", 1, 100) or 25
    cleaned = {k: str(params[k]).strip() for k in FILTER_KEYS if (params.get(k) or "").strip()}
    return ListQuery(f, sort, order == "desc", page, per_page, cleaned)
