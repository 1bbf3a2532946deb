"""Goal coverage, activities by type and year, and trends by goal across report years."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sdgmap.analytics.common import best_rank_by_head, goal_sort_key, rank_name
from sdgmap.store.models import Activity, Node


def goal_meta(session: Session) -> list[dict]:
    """The 17 goals: code, number, title, short title and official colour."""
    rows = session.scalars(
        select(Node).where(Node.framework_id == "sdg", Node.kind == "goal").order_by(Node.sort)
    )
    out = [
        {"goal": int(n.code) if n.code.isdigit() else n.code, "code": n.code, "ref": n.ref,
         "title": n.title, "short_title": n.short_title or n.title,
         "colour": (n.attrs or {}).get("colour", "#666666")}
        for n in rows
    ]
    return sorted(out, key=lambda g: goal_sort_key(g["code"]))


def goal_coverage(session: Session) -> list[dict]:
    """Per goal: distinct activities linked to it (or any of its targets/indicators).

    Each activity counts once per goal, in its best kind: ``stated`` (stated, curated or
    accepted), ``derived`` or ``suggested`` (unreviewed classifier suggestions);
    ``total`` is the number of distinct activities of any kind.
    """
    sub = best_rank_by_head(session, "sdg")
    counts: dict[str, dict[str, int]] = {}
    for head, r, n in session.execute(select(sub.c.head, sub.c.r, func.count()).group_by(sub.c.head, sub.c.r)):
        counts.setdefault(str(head), {})[rank_name(r)] = n
    rows = []
    for g in goal_meta(session):
        c = counts.get(g["code"], {})
        stated, derived, suggested = c.get("stated", 0), c.get("derived", 0), c.get("suggested", 0)
        rows.append({**g, "stated": stated, "derived": derived, "suggested": suggested,
                     "total": stated + derived + suggested})
    return rows


def most_least_covered(coverage: list[dict], n: int = 3) -> dict[str, list[dict]]:
    """The ``n`` goals with the most and the fewest activities (by total, then stated)."""
    ranked = sorted(coverage, key=lambda r: (-r["total"], -r["stated"], goal_sort_key(r["code"])))
    least = sorted(coverage, key=lambda r: (r["total"], r["stated"], goal_sort_key(r["code"])))
    return {"most": ranked[:n], "least": least[:n]}


def activities_by_type(session: Session) -> list[dict]:
    """Activity counts per type, largest first."""
    rows = session.execute(select(Activity.type, func.count()).group_by(Activity.type))
    return [{"type": t, "count": n} for t, n in sorted(rows, key=lambda r: (-r[1], r[0] or ""))]


def activities_by_year(session: Session) -> list[dict]:
    """Activity counts per report year (activities without a year are counted as ``None``)."""
    rows = session.execute(select(Activity.year, func.count()).group_by(Activity.year))
    return [{"year": y, "count": n} for y, n in sorted(rows, key=lambda r: (r[0] is None, r[0] or 0))]


def trends_by_goal(session: Session) -> dict:
    """Activities per goal per report year: ``{"years": [...], "series": [{goal, stated, total}]}``.

    ``stated[i]`` and ``total[i]`` are the counts for ``years[i]``; ``years`` runs from the
    first to the last report year without gaps, so a chart's spacing is true to time; a
    year with no activities at all (no report) has ``None``, not zero, and ``reported``
    lists the years that have activities. Activities without a year are left out.
    """
    sub = best_rank_by_head(session, "sdg")
    stmt = (
        select(Activity.year, sub.c.head, sub.c.r, func.count())
        .join(sub, sub.c.activity_id == Activity.id)
        .where(Activity.year.is_not(None))
        .group_by(Activity.year, sub.c.head, sub.c.r)
    )
    cells: dict[tuple[int, str], dict[str, int]] = {}
    for year, head, r, n in session.execute(stmt):
        d = cells.setdefault((year, str(head)), {"stated": 0, "total": 0})
        d["total"] += n
        if rank_name(r) == "stated":
            d["stated"] += n
    reported = set(session.scalars(select(Activity.year).where(Activity.year.is_not(None)).distinct()))
    ys = list(range(min(reported), max(reported) + 1)) if reported else []
    series = []
    for g in goal_meta(session):
        series.append({
            **g,
            "stated": [cells.get((y, g["code"]), {}).get("stated", 0) if y in reported else None for y in ys],
            "total": [cells.get((y, g["code"]), {}).get("total", 0) if y in reported else None for y in ys],
        })
    return {"years": ys, "reported": sorted(reported), "series": series}


def overview(session: Session, n: int = 3) -> dict:
    """Everything the overview page and the portfolio report's first page show."""
    coverage = goal_coverage(session)
    total = session.scalar(select(func.count()).select_from(Activity)) or 0
    return {
        "activities": total,
        "coverage": coverage,
        "most_least": most_least_covered(coverage, n),
        "by_type": activities_by_type(session),
        "by_year": activities_by_year(session),
    }
