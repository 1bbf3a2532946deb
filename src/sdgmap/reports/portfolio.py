"""The SDG portfolio report: what the register covers, what it misses, and how it changes.

Counts by goal and target come from the shared activity query layer (``count_activities``)
with the report's entity and year, so each one is reproduced exactly by the
``sdgmap activities list`` command printed next to it in the appendix. The mapping view,
the Action Line x SDG heat map and the trends come from ``sdgmap.analytics`` (the same
numbers the web pages show); they cover the whole register, which the captions say.
"""

from __future__ import annotations

import shlex

from sqlalchemy import select
from sqlalchemy.orm import Session

from sdgmap import analytics
from sdgmap.reports import charts
from sdgmap.reports.common import awaits_review, entity_name, is_trusted
from sdgmap.reports.model import Bullets, Figure, Paragraph, Report, Section, Table
from sdgmap.store.activity_queries import count_activities, query_activities
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import Activity, Node

ANY = ("stated", "curated", "suggested")


def cli_query(f: ActivityFilter) -> str:
    """The ``sdgmap activities list`` command that lists exactly the activities of ``f``."""
    args = ["sdgmap", "--db", "DB", "activities", "list"]
    for flag, value in (("--entity", f.entity), ("--year", f.year), ("--type", f.type),
                        ("--sdg", f.sdg), ("--target", f.target), ("--action-line", f.action_line)):
        if value not in (None, ""):
            args += [flag, str(value)]
    if tuple(f.link_kinds) != ANY:
        for kind in f.link_kinds:
            args += ["--kind", kind]
    if f.trust:
        args += ["--trust", f.trust]
    return shlex.join(args + ["--json"])


class _Counter:
    """Counts through the query layer and remembers each count with its command."""

    def __init__(self, session: Session, entity: str | None, year: int | None) -> None:
        self.session, self.entity, self.year = session, entity or None, year
        self.log: list[tuple[str, int, str]] = []

    def __call__(self, label: str, **kw) -> int:
        f = ActivityFilter(entity=self.entity, year=self.year, **kw)
        n = count_activities(self.session, f)
        self.log.append((label, n, cli_query(f)))
        return n

    def record(self, label: str, n: int, f: ActivityFilter) -> None:
        """A count computed elsewhere (``sdgmap.analytics``) with the query that reproduces it."""
        self.log.append((label, n, cli_query(f)))


def build_portfolio(session: Session, entity: str | None, year: int | None,
                    focus: list[int] | None = None) -> Report:
    scope = " ".join(x for x in (entity or "", str(year) if year else "") if x) or "whole register"
    report = Report(kind="portfolio", title=f"SDG portfolio of the register ({scope})",
                    subtitle=entity_name(entity) if entity else "All entities",
                    entity=entity or "", year=year)
    count = _Counter(session, entity, year)
    total = count("Activities in scope", link_kinds=ANY)
    rows = query_activities(session, ActivityFilter(entity=entity or None, year=year, link_kinds=ANY))
    goals = analytics.goal_meta(session)

    summary = report.add(Section("Summary"))
    types = sorted({a["type"] for a in rows})
    by_type = [[t, str(count(f"Activities of type {t}", type=t, link_kinds=ANY))] for t in types]

    goal_rows, chart_rows = [], []
    for g in goals:
        n = int(g["code"])
        stated = count(f"SDG {n}: stated, curated or accepted", sdg=n, trust="trusted")
        suggested = count(f"SDG {n}: suggested, awaiting review", sdg=n, trust="unreviewed")
        anyk = count(f"SDG {n}: any link", sdg=n, link_kinds=ANY)
        goal_rows.append([str(n), g["short_title"], str(stated), str(suggested), str(anyk)])
        chart_rows.append({"goal": n, "short_title": g["short_title"], "colour": g["colour"],
                           "stated": stated, "suggested_only": anyk - stated})
    gaps_goals = [r for r in goal_rows if r[4] == "0"]
    summary.add(Paragraph(
        f"The register holds {total} activities in scope ({scope}). "
        f"{17 - len(gaps_goals)} of the 17 goals have at least one activity; "
        + (f"no activity addresses {', '.join('SDG ' + r[0] for r in gaps_goals)}. "
           if gaps_goals else "every goal has at least one. ")
        + "Every number in this report is reproduced by the command listed in the appendix."))
    if focus:
        summary.add(Bullets([f"SDG {g} (in-depth review): {r[2]} stated, {r[3]} suggested, "
                             f"{r[4]} in all" for g in focus for r in goal_rows if r[0] == str(g)]))
    summary.add(Table("Activities by type", ["Type", "Activities"], by_type))

    cov = report.add(Section("Coverage by goal"))
    cov.add(Paragraph("Stated links come from the reports themselves, were curated by a person, or "
                      "are classifier suggestions a reviewer accepted; suggested links come from "
                      "the classifier and await review. An activity counts once per goal, whatever "
                      "the number of its targets."))
    cov.add(Figure("coverage", f"Activities per SDG ({scope}); light bars: suggested links only",
                   charts.coverage_chart(chart_rows), alt="Bar chart of activities per goal"))
    cov.add(Table("Activities per goal", ["SDG", "Goal", "Stated", "Suggested", "Any link"], goal_rows,
                  widths=[0.6, 3, 1, 1.3, 1]))

    # Targets: those any activity in scope links to (or to one of their indicators).
    linked_targets = set()
    for a in rows:
        for lk in a["links"]:
            fw, _, code = lk["node"].partition(":")
            if fw == "sdg" and code.count(".") >= 1:
                linked_targets.add(".".join(code.split(".")[:2]))
    target_nodes = list(session.scalars(select(Node).where(Node.framework_id == "sdg", Node.kind == "target")
                                        .order_by(Node.sort)))
    trows = []
    for t in target_nodes:
        if t.code in linked_targets:
            st = count(f"Target {t.code}: stated, curated or accepted", target=t.code, trust="trusted")
            an = count(f"Target {t.code}: any link", target=t.code, link_kinds=ANY)
            trows.append([t.code, _short(t.title), str(st), str(an)])
    tsec = report.add(Section("Coverage by target"))
    if trows:
        tsec.add(Table("Targets with at least one activity", ["Target", "Title", "Stated", "Any link"],
                       trows, widths=[0.7, 5, 0.8, 0.8]))
    else:
        tsec.add(Paragraph("No activity in scope is linked to a target (only to goals).", style="note"))

    gaps = report.add(Section("Gaps"))
    gaps.add(Paragraph("Goals and targets that no activity in scope is linked to, by any kind of link."))
    gaps.add(Table("Goals with no activity", ["SDG", "Goal"], [[r[0], r[1]] for r in gaps_goals]
                   or [["-", "none: every goal has at least one activity"]]))
    missing: dict[str, list[str]] = {}
    for t in target_nodes:
        if t.code not in linked_targets:
            missing.setdefault(t.code.split(".")[0], []).append(t.code)
    gaps.add(Table("Targets with no activity, by goal", ["SDG", "Targets without activity", "Count"],
                   [[g, ", ".join(codes), f"{len(codes)}"] for g, codes in missing.items()],
                   widths=[0.6, 6, 0.9]))

    whole = _whole_register_note(session, entity, year)
    views = report.add(Section("Mapping view and heat map"))
    views.add(Paragraph("How the work flows from the strategic plan through the WSIS Action Lines to "
                        "the SDGs, and which Action Lines meet which goals." + whole))
    views.add(Figure("mapping", "Mapping view: ITU strategic objectives (2020-2023) -> WSIS Action "
                     "Lines -> SDGs; light bands are derived or suggested flows (whole register)",
                     charts.mapping_chart(analytics.sankey(session)), alt="Flow diagram"))
    matrix = analytics.action_line_sdg_matrix(session)
    views.add(Figure("heatmap", "Activities per WSIS Action Line and SDG (whole register)",
                     charts.heatmap_chart(matrix), alt="Heat map of Action Lines by goals"))
    for cell in matrix["cells"]:
        if str(cell["goal"]).isdigit():
            count.record(f"Heat map {cell['action_line']} x SDG {cell['goal']} (whole register)",
                         cell["count"], ActivityFilter(action_line=cell["action_line"],
                                                       sdg=int(cell["goal"])))

    tr = analytics.trends_by_goal(session)
    trends = report.add(Section("Trends across years"))
    trends.add(Paragraph("Activities linked to each goal per report year (stated and suggested)." + whole))
    trends.add(Figure("trends", "Activities per goal and report year (whole register)",
                      charts.trends_chart(tr), alt="Stacked bars per year"))
    for series in tr["series"]:
        for y, n in zip(tr["years"], series["total"], strict=True):
            if n and str(series["code"]).isdigit():
                count.record(f"SDG {series['code']} in {y} (whole register)", n,
                             ActivityFilter(year=y, sdg=int(series["code"])))
    if tr["years"]:
        trends.add(Table("Activities per goal and report year", ["SDG", *map(str, tr["years"])],
                         [[s["code"], *("no report" if n is None else str(n) for n in s["total"])]
                          for s in tr["series"] if any(s["total"])]))

    app = report.add(Section("Appendix: how to reproduce every count"))
    app.add(Paragraph("Each count above is the number of activities the command prints "
                      "(replace DB with your database path or URL)."))
    app.add(Table("Counts and the commands that reproduce them", ["Count", "Value", "Command"],
                  [[label, str(n), cmd] for label, n, cmd in count.log], widths=[2.2, 0.9, 5]))
    acts = report.add(Section("Appendix: activities in scope"))
    acts.add(Table("Register entries counted in this report", ["Register id", "Activity", "Type",
                                                              "Stated SDGs", "Suggested SDGs"],
                   [[f"#{a['id']}", a["title"], a["type"], _goals(a, trusted=True), _goals(a, trusted=False)]
                    for a in rows], widths=[1.35, 3.75, 1.2, 1.4, 1.6]))
    report.activity_ids = [a["id"] for a in rows]
    return report


def _goals(a: dict, trusted: bool) -> str:
    goals = sorted({int(h) for lk in a["links"]
                    if (is_trusted(lk) if trusted else awaits_review(lk))
                    and lk["node"].startswith("sdg:") and (h := lk["node"][4:].split(".")[0]).isdigit()})
    return ", ".join(map(str, goals)) or "-"


def _short(title: str, n: int = 90) -> str:
    return title if len(title) <= n else title[: n - 1].rsplit(" ", 1)[0] + "…"


def _whole_register_note(session: Session, entity: str | None, year: int | None) -> str:
    if not entity and not year:
        return ""
    others = session.scalar(select(Activity.id).where(
        (Activity.entity != (entity or Activity.entity)) | (Activity.year != (year or Activity.year))
        | Activity.year.is_(None)).limit(1))
    return (" These charts cover the whole register, which also holds activities outside this "
            "report's scope." if others else "")
