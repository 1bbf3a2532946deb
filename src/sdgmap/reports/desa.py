"""The UN DESA questionnaire for UN system entities, written from the register.

The layout is the one of the submissions DESA publishes (the ITU seeds 001 and 003): the
numbered questions, then one block per event, resource or initiative with the
questionnaire's labels on their own lines ("Event Name:", "Relevant SDGs:", ...) followed
by the values. That layout is what ``sdgmap ingest`` reads, so a generated report can be
ingested again and gives back the same activities with the same SDG sets.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from sdgmap.errors import UserError
from sdgmap.reports.checks import DESCRIPTION_WORD_LIMIT, check_block
from sdgmap.reports.common import (
    add_review_section,
    entity_name,
    load_attrs,
    sdg_text,
    trusted_goals,
)
from sdgmap.reports.model import (
    ActivityBlock,
    Bullets,
    FieldValue,
    Paragraph,
    Report,
    Section,
    Table,
)
from sdgmap.store.activity_queries import query_activities
from sdgmap.store.filters import ActivityFilter

TEMPLATES = Path(__file__).with_name("templates")

# Register activity types per questionnaire part (ingest and users may use either name).
TYPES = {
    "decisions": ("decision", "resolution"),
    "events": ("event",),
    "resources": ("resource", "publication"),
    "partnerships": ("partnership", "initiative"),
}

DESC = (f"Description (max {DESCRIPTION_WORD_LIMIT} words): please include a short summary of the "
        "event’s mandate and contributions to the SDGs, including its main outcome(s)")
DESC_SHORT = f"Description (max {DESCRIPTION_WORD_LIMIT} words)"

# Labels exactly as the 2023 submission prints them, colons included; (label, getter, required).
EVENT_FIELDS = [
    ("Event Name:", "title", True),
    ("Event Dates:", "dates", True),
    ("Event Location (City, Country):", "location", True),
    ("Relevant SDGs:", "sdgs", True),
    (DESC, "description", True),
    ("Website (if applicable)", "website", False),
]
RESOURCE_FIELDS = [
    ("Resource Name", "title", True),
    ("Relevant SDGs (list all relevant goals)", "sdgs", True),
    ("Publishing entity/entities", "publishers", True),
    ("Target audience", "audience", True),
    (DESC_SHORT, "description", True),
    ("Language(s)", "languages", True),
    ("Website (if applicable)", "website", False),
]
PARTNERSHIP_FIELDS = [
    ("Initiative/Partnership Name", "title", True),
    ("Partners (please list all partners)", "partners", True),
    ("Relevant SDGs (list all relevant goals)", "sdgs", True),
    ("Member States benefiting from it", "beneficiaries", True),
    (DESC_SHORT, "description", True),
    ("Website", "website", False),
]
FIELDS = {"events": EVENT_FIELDS, "resources": RESOURCE_FIELDS, "partnerships": PARTNERSHIP_FIELDS}
NOUN = {"events": "Event", "resources": "Resource", "partnerships": "Initiative/partnership"}

# attrs keys ingest or users may store the questionnaire's extra fields under.
ATTR_KEYS = {
    "publishers": ("publishing_entities", "publishers", "publishing_entity"),
    "audience": ("target_audience", "audience"),
    "languages": ("languages", "language"),
    "beneficiaries": ("member_states", "beneficiaries", "member_states_benefiting"),
}


def load_questions(template_dir: Path | None) -> dict[str, str]:
    path = template_dir / "desa_questions.yaml" if template_dir else None
    if path is None or not path.exists():
        path = TEMPLATES / "desa_questions.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: cannot read the DESA questions: {exc}") from exc
    missing = [k for k in TYPES if not isinstance(data.get(k), str)]
    if missing:
        raise UserError(f"{path}: missing question text for {', '.join(missing)}")
    return data


def _joined(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value if str(v).strip())
    return "" if value is None else str(value)


def field_value(a: dict, getter: str) -> str:
    if getter == "title":
        return a["title"]
    if getter == "description":
        return a["description"] or ""
    if getter == "website":
        attrs = a.get("attrs") or {}
        if attrs.get("urls"):
            return "\n".join(attrs["urls"])
        return a["website"] or attrs.get("website_text", "")
    if getter == "location":
        return a["location"] or ""
    if getter == "dates":
        d = a["dates"]
        if d.get("text"):
            return d["text"]
        if d.get("start") and d.get("end") and d["end"] != d["start"]:
            return f"{d['start']} to {d['end']}"
        return d.get("start") or ""
    if getter == "sdgs":
        goals, primary = trusted_goals(a)
        return sdg_text(goals, primary)
    if getter == "partners":  # the partners as the report wrote them, when ingest kept that
        return (a.get("attrs") or {}).get("partners_text") or _joined(a["partners"])
    attrs = a.get("attrs") or {}
    for key in ATTR_KEYS.get(getter, ()):
        if attrs.get(key):
            return _joined(attrs[key])
    if getter == "publishers":  # a resource's publishers are its partners when not stated apart
        return _joined(a["partners"])
    return ""


def _focus_key(focus: list[int]):
    def key(a: dict) -> tuple:
        goals, _ = trusted_goals(a)
        hits = [focus.index(g) for g in goals if g in focus]
        # Entries that address all 17 goals are not specific to the goals under review.
        if len(goals) == 17 or not hits:
            return (1, 0)
        return (0, min(hits))
    return key


def build_desa(session: Session, entity: str | None, year: int | None,
               focus: list[int] | None = None, template_dir: Path | None = None) -> Report:
    questions = load_questions(template_dir)
    focus = focus or []
    name = entity_name(entity) if entity else "All entities"
    report = Report(
        kind="desa",
        title=f"Questionnaire to UN system entities on the 2030 Agenda{f' ({year})' if year else ''}",
        subtitle=name,
        entity=entity or "",
        year=year,
        preamble=["United Nations Department of Economic and Social Affairs Sustainable Development",
                  name],
        closing=[f"Year of submission: {year}"] if year else [],
    )
    base = dict(entity=entity or None, year=year, link_kinds=("stated", "curated", "suggested"))
    parts: dict[str, list[dict]] = {}
    for part, types in TYPES.items():
        rows: list[dict] = []
        for t in types:
            rows += query_activities(session, ActivityFilter(type=t, **base))
        rows.sort(key=lambda a: a["id"])
        load_attrs(session, rows)
        if focus:
            rows.sort(key=_focus_key(focus))  # stable: register order within each group
        parts[part] = rows

    if focus:
        report.add(_focus_section(parts, focus))

    fmt = {"year": year or "", "focus": _focus_phrase(focus)}
    number = 0
    for part in TYPES:
        number += 1
        sec = report.add(Section(f"{number}. {questions[part].strip().format(**fmt)}",
                                 numbered_title=True))
        rows = parts[part]
        report.activity_ids += [a["id"] for a in rows]
        if part == "decisions":
            _decisions(sec, rows)
            continue
        if not rows:
            sec.add(Paragraph(f"No {part} are recorded in the register for this period.", style="note"))
        for i, a in enumerate(rows, 1):
            # "2.1 Event (register #12)": a numbered sub-item, which is also where the
            # questionnaire parser ends the previous block.
            block = ActivityBlock(a["id"], a["type"], a["title"],
                                  [FieldValue(label, field_value(a, getter))
                                   for label, getter, _ in FIELDS[part]],
                                  sdgs=trusted_goals(a)[0],
                                  heading=f"{number}.{i} {NOUN[part]} (register #{a['id']})")
            sec.add(block)
            required = [label for label, _, req in FIELDS[part] if req]
            limited = [label for label, getter, _ in FIELDS[part] if getter == "description"]
            report.warnings += check_block(block, required, limited)
    # Numbered too, so that the last block of the questionnaire ends before the review.
    add_review_section(report, title=f"{number + 1}. Review before submission")
    return report


def _decisions(sec: Section, rows: list[dict]) -> None:
    """One bullet per decision: its symbol and subject on one line, as the submissions list them."""
    if not rows:
        sec.add(Paragraph("No governing-body decisions are recorded in the register for this "
                          "period.", style="note"))
        return
    items = []
    for a in rows:
        desc = " ".join((a["description"] or "").split())
        items.append(f"{a['title']} {desc}" if desc and len(desc) < 400 else a["title"])
    sec.add(Bullets(items))
    # Ids after the list, not inside it: a bullet's text after the symbol is its subject.
    sec.add(Paragraph("Register ids: " + "; ".join(f"#{a['id']} {a['title']}" for a in rows) + ".",
                      style="note"))


def _focus_phrase(focus: list[int]) -> str:
    if not focus:
        return ""
    goals = [f"Goal {g}" for g in focus]
    listed = ", ".join(goals[:-1]) + f" and {goals[-1]}" if len(goals) > 1 else goals[0]
    return f", especially in the areas of {listed}, which are under in-depth review at the HLPF"


def _focus_section(parts: dict[str, list[dict]], focus: list[int]) -> Section:
    sec = Section("Goals under in-depth review")
    sec.add(Paragraph("Entries that address the goals under in-depth review come first in each "
                      "part of this questionnaire, in the order of the goals below.", style="note"))
    rows = []
    for g in focus:
        ids = [a["id"] for part in parts.values() for a in part if g in trusted_goals(a)[0]
               and len(trusted_goals(a)[0]) < 17]
        rows.append([f"Goal {g}", str(len(ids)), ", ".join(f"#{i}" for i in ids) or "none"])
    sec.add(Table("Register entries per goal under review (entries for all 17 goals left out)",
                  ["Goal", "Entries", "Register ids"], rows))
    return sec
