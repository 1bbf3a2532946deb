"""Helpers every report builder shares: which links a report trusts, how SDG sets are
written, the entity's full name, and the closing review section."""

from __future__ import annotations

import csv
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from sdgmap.frameworks.builtin import DATA
from sdgmap.reports.model import Paragraph, Report, Section, Table
from sdgmap.store.filters import TRUSTED_REVIEWS
from sdgmap.store.models import Activity

# A report states what the register states: stated and curated links, and suggestions a
# person accepted (the store's "trusted" links). Unreviewed suggestions appear only where a
# report says "suggested".
ALL_GOALS = list(range(1, 18))


def trusted_goals(activity: dict) -> tuple[list[int], list[int]]:
    """(goals, primary goals) of an activity dict from its trusted links only."""
    goals, primary = set(), set()
    for lk in activity["links"]:
        fw, _, code = lk["node"].partition(":")
        if fw != "sdg" or not is_trusted(lk):
            continue
        head = code.split(".")[0]
        if head.isdigit():
            goals.add(int(head))
            if lk.get("primary"):
                primary.add(int(head))
    return sorted(goals), sorted(primary)


def trusted_refs(activity: dict, framework: str) -> list[str]:
    return [lk["node"].split(":", 1)[1] for lk in activity["links"]
            if lk["node"].startswith(framework + ":") and is_trusted(lk)]


def is_trusted(lk: dict) -> bool:
    """A link of an activity dict that reports count as established."""
    return lk["kind"] in ("stated", "curated") or (lk["kind"] == "suggested" and lk["review"] in TRUSTED_REVIEWS)


def awaits_review(lk: dict) -> bool:
    """A suggestion nobody has accepted, edited or rejected yet."""
    return lk["kind"] == "suggested" and lk["review"] == "unverified"


def action_line_key(code: str) -> tuple[int, str]:
    """C2 before C10, and C7 before its e-applications: "C7.e-gov" -> (7, "e-gov")."""
    head, _, sub = code.partition(".")
    digits = head.lstrip("Cc")
    return (int(digits) if digits.isdigit() else 99, sub)


def sdg_text(goals: list[int], primary: list[int] | None = None) -> str:
    """Write an SDG set the way the DESA submissions do ('SDG 7, SDG 9', 'All 17 SDGs')."""
    if not goals:
        return ""
    primary = [g for g in (primary or []) if g in goals]
    if goals == ALL_GOALS:
        text = "All 17 SDGs"
        if primary:
            text += ", in particular " + ", ".join(f"SDG {g}" for g in primary)
        return text
    return ", ".join(f"SDG {g}" for g in goals)


@cache
def entity_name(entity: str) -> str:
    """'ITU' -> 'International Telecommunication Union (ITU)' from the UN entity list."""
    path = DATA / "un" / "un_system_entities.csv"
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["entity"].lower() == entity.lower():
                    return row["entity_combined"] or entity
    except OSError:
        pass
    return entity


def add_review_section(report: Report, title: str = "Review before submission") -> None:
    """The review section: every warning, or a line saying there is none."""
    sec = report.add(Section(title))
    if not report.warnings:
        sec.add(Paragraph("No problems found: every required field is filled and every "
                          "description is within its word limit.", style="note"))
        return
    sec.add(Table("Problems to fix before submission (register id, entry, field, problem)",
                  ["Register id", "Entry", "Field", "Problem"],
                  [["" if w.activity_id is None else f"#{w.activity_id}", w.title, w.field, w.message]
                   for w in report.warnings], widths=[1.35, 3, 1.65, 3]))


def load_attrs(session: Session, rows: list[dict]) -> None:
    """Add each activity's ``attrs`` (target audience, languages, ...) to its dict.

    ``activity_dict`` does not carry attrs; the questionnaire needs a few of them.
    """
    ids = [a["id"] for a in rows if "attrs" not in a]
    if not ids:
        return
    found = dict(session.execute(select(Activity.id, Activity.attrs).where(Activity.id.in_(ids))).all())
    for a in rows:
        a.setdefault("attrs", found.get(a["id"]) or {})
