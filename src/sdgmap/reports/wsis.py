"""The contribution to the implementation of the WSIS outcomes, by Action Line.

One section per Action Line C1-C11 (C7 with one sub-section per e-application), each with
its activities from the register and the SDGs they are linked to; then the activities that
name no Action Line, so nothing in the register is left out silently.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sdgmap.reports.checks import check_block
from sdgmap.reports.common import (
    action_line_key,
    add_review_section,
    awaits_review,
    entity_name,
    load_attrs,
    sdg_text,
    trusted_goals,
    trusted_refs,
)
from sdgmap.reports.model import (
    ActivityBlock,
    FieldValue,
    Paragraph,
    Report,
    ReportWarning,
    Section,
    Table,
)
from sdgmap.store.activity_queries import query_activities
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import Node

GENERAL = "general"  # activities linked to C7 itself rather than to one e-application


def _dates(a: dict) -> str:
    d = a["dates"]
    if d.get("text"):
        return d["text"]
    if d.get("start") and d.get("end") and d["end"] != d["start"]:
        return f"{d['start']} to {d['end']}"
    return d.get("start") or ""


def activity_block(a: dict, heading_prefix: str = "") -> ActivityBlock:
    goals, primary = trusted_goals(a)
    als = sorted(set(trusted_refs(a, "wsis")), key=action_line_key)
    fields = [
        FieldValue("Type", a["type"]),
        FieldValue("Dates", _dates(a)),
        FieldValue("Location", a["location"] or ""),
        FieldValue("Partners", ", ".join(a["partners"] or [])),
        FieldValue("Action Lines", ", ".join(als)),
        FieldValue("Relevant SDGs", sdg_text(goals, primary)),
        FieldValue("Description", a["description"] or ""),
        FieldValue("Website", a["website"] or ""),
    ]
    # Leave out empty optional lines: this report is read, not parsed.
    fields = [f for f in fields if f.value or f.label in ("Relevant SDGs", "Description")]
    return ActivityBlock(a["id"], a["type"], a["title"], fields, sdgs=goals,
                         heading=f"{heading_prefix}{a['title']} (register #{a['id']})",
                         layout="inline")


def build_wsis(session: Session, entity: str | None, year: int | None,
               focus: list[int] | None = None) -> Report:
    name = entity_name(entity) if entity else "All entities"
    report = Report(
        kind="wsis",
        title=f"{entity or 'Register'} contribution to the implementation of the WSIS outcomes"
              f"{f': {year}' if year else ''}",
        subtitle=name, entity=entity or "", year=year,
    )
    rows = query_activities(session, ActivityFilter(entity=entity or None, year=year))
    load_attrs(session, rows)
    if focus:
        rows.sort(key=lambda a: (not set(trusted_goals(a)[0]) & set(focus), a["id"]))
    nodes = list(session.scalars(select(Node).where(Node.framework_id == "wsis").order_by(Node.sort)))
    lines = [n for n in nodes if n.parent_id is None]
    subs: dict[str, list[Node]] = {}
    for n in nodes:
        if n.parent_id is not None:
            parent = next(p for p in nodes if p.id == n.parent_id)
            subs.setdefault(parent.code, []).append(n)

    # Action Line code -> sub-line (or GENERAL) -> activities
    placed: dict[str, dict[str, list[dict]]] = {n.code: {} for n in lines}
    unlinked = []
    for a in rows:
        codes = set(trusted_refs(a, "wsis"))
        if not codes:
            unlinked.append(a)
        for code in codes:
            head, _, sub = code.partition(".")
            if head in placed:
                placed[head].setdefault(code if sub else GENERAL, []).append(a)

    summary = report.add(Section("Summary"))
    summary.add(Paragraph(
        f"{len(rows)} activities of the register{f' for {year}' if year else ''} are reported here, "
        f"{len(rows) - len(unlinked)} of them linked to at least one WSIS Action Line. Each activity "
        "carries its register id (#) and the SDGs the register links it to."))
    table_rows = []
    for n in lines:
        acts = {a["id"]: a for group in placed[n.code].values() for a in group}
        goals = sorted({g for a in acts.values() for g in trusted_goals(a)[0]})
        table_rows.append([n.code, n.title, str(len(acts)), sdg_text(goals) or "-"])
    summary.add(Table("Activities and linked SDGs by WSIS Action Line",
                      ["Action Line", "Title", "Activities", "Linked SDGs"], table_rows,
                      widths=[1.1, 4.2, 1.4, 2.5]))

    for n in lines:
        sec = report.add(Section(f"{n.code}. {n.title}"))
        groups = placed[n.code]
        if not groups:
            sec.add(Paragraph("No activity in the register is linked to this Action Line.", style="note"))
            continue
        for a in groups.get(GENERAL, []):
            _add(report, sec, a)
        for sub in subs.get(n.code, []):
            acts = groups.get(sub.code, [])
            if acts:
                child = sec.add(Section(f"{sub.code}. {sub.title}"))
                for a in acts:
                    _add(report, child, a)

    if unlinked:
        sec = report.add(Section("Activities not linked to an Action Line"))
        sec.add(Paragraph("These activities are in the register but name no WSIS Action Line. Link "
                          "them, or accept a suggested Action Line in the review queue, to report "
                          "them above.", style="note"))
        sec.add(Table("Activities without an Action Line",
                      ["Register id", "Activity", "Type", "Relevant SDGs", "Suggested Action Lines"],
                      [[f"#{a['id']}", a["title"], a["type"], sdg_text(trusted_goals(a)[0]) or "-",
                        ", ".join(_suggested_lines(a)) or "-"] for a in unlinked],
                      widths=[1.35, 3.55, 1.1, 1.6, 1.6]))
        report.warnings.append(ReportWarning(None, "Register", "Action Lines",
                                             f"{len(unlinked)} activities name no Action Line"))
        report.activity_ids += [a["id"] for a in unlinked]
    add_review_section(report)
    return report


def _suggested_lines(a: dict) -> list[str]:
    """Action Lines the classifier proposes for ``a`` that await review."""
    codes = {lk["node"].partition(":")[2] for lk in a["links"]
             if lk["node"].startswith("wsis:") and awaits_review(lk)}
    return sorted(codes, key=action_line_key)


def _add(report: Report, sec: Section, a: dict) -> None:
    block = activity_block(a)
    sec.add(block)
    if a["id"] not in report.activity_ids:
        report.activity_ids.append(a["id"])
        report.warnings += check_block(block, ["Relevant SDGs", "Description"], [])
