"""Flows between frameworks: the mapping Sankey, the Action Line x SDG matrix, SDG co-occurrence.

Counts are distinct activities. A flow's ``kind`` is the weakest of its two ends
(stated < derived < suggested). Where an activity names Action Lines but no element of the
strategic plan, the plan's own links (``sdgmap.frameworks.linkage``) say which strategy elements lead
to that Action Line: those flows are ``derived`` and the activity is split evenly across
them, so flows stay conserved and are never mistaken for stated ones.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from sdgmap.analytics.common import (
    al_sort_key,
    best_rank_by_head,
    goal_sort_key,
    head_expr,
    rank_expr,
    rank_name,
    usable,
)
from sdgmap.analytics.coverage import goal_meta
from sdgmap.frameworks.linkage import derived_links, stated_links
from sdgmap.store.models import ActivityLink, Link, Node

NO_AL = "none"  # middle node for activities linked to goals but to no Action Line


def _level_map(session: Session, strategy: str, level: str) -> dict[int, Node]:
    """Node id of every node of ``strategy`` -> its ancestor-or-self of kind ``level``."""
    nodes = {n.id: n for n in session.scalars(select(Node).where(Node.framework_id == strategy))}
    out: dict[int, Node] = {}
    for nid, n in nodes.items():
        cur: Node | None = n
        while cur is not None and cur.kind != level:
            cur = nodes.get(cur.parent_id) if cur.parent_id else None
        if cur is not None:
            out[nid] = cur
    return out


def _al_meta(session: Session) -> dict[str, Node]:
    return {n.code: n for n in session.scalars(
        select(Node).where(Node.framework_id == "wsis", Node.kind == "action_line"))}


def _strategy_to_al(session: Session, level_nodes: list[Node]) -> dict[str, set[str]]:
    """Action Line (top-level code) -> strategy level codes the plan links to it (stated or derived)."""
    out: dict[str, set[str]] = defaultdict(set)
    for node in level_nodes:
        for view in stated_links(session, node, "out") + derived_links(session, node):
            fw, _, code = view.target.partition(":")
            if fw == "wsis" and view.kind != "rejected":
                out[code.split(".")[0]].add(node.code)
    return out


def sankey(session: Session, strategy: str = "itu-sp-2020", level: str = "objective",
           sdg_level: str = "goal", include_suggested: bool = True,
           include_unmapped: bool = False) -> dict:
    """Sankey data: strategy elements -> WSIS Action Lines -> SDG goals (or targets).

    Returns ``{"nodes": [{id, name, title, column, colour}], "links": [{source, target,
    value, kind, filter}], "strategy", "level", "sdg_level"}``; node ids are refs
    (``itu-sp-2020:D.2``, ``wsis:C2``, ``sdg:9``); ``filter`` is the activity filter
    (query-string parameters) that lists the activities behind a flow.
    ``include_unmapped`` adds a "No Action Line" middle node for activities linked to goals
    but to no Action Line.
    """
    max_rank = 2 if include_suggested else 1
    level_of = _level_map(session, strategy, level)
    level_nodes = sorted({n.id: n for n in level_of.values()}.values(), key=lambda n: n.sort)
    code_case = {nid: n.code for nid, n in level_of.items()}

    # activity -> {strategy code: rank}
    strat: dict[int, dict[str, int]] = defaultdict(dict)
    if code_case:
        rows = session.execute(
            select(ActivityLink.activity_id, ActivityLink.node_id, func.min(rank_expr()))
            .where(ActivityLink.node_id.in_(list(code_case)), usable())
            .group_by(ActivityLink.activity_id, ActivityLink.node_id)
        )
        for aid, nid, r in rows:
            if r <= max_rank:
                code = code_case[nid]
                strat[aid][code] = min(r, strat[aid].get(code, 9))

    al_sub = best_rank_by_head(session, "wsis", max_rank)
    als: dict[int, dict[str, int]] = defaultdict(dict)
    for aid, head, r in session.execute(select(al_sub.c.activity_id, al_sub.c.head, al_sub.c.r)):
        als[aid][str(head)] = r

    if sdg_level == "target":
        head = Node.code
        sdg_rows = session.execute(
            select(ActivityLink.activity_id, head, func.min(rank_expr()))
            .join(Node, ActivityLink.node_id == Node.id)
            .where(Node.framework_id == "sdg", Node.kind == "target", usable())
            .group_by(ActivityLink.activity_id, head))
    else:
        g_sub = best_rank_by_head(session, "sdg", max_rank)
        sdg_rows = session.execute(select(g_sub.c.activity_id, g_sub.c.head, g_sub.c.r))
    goals: dict[int, dict[str, int]] = defaultdict(dict)
    for aid, code, r in sdg_rows:
        if r <= max_rank:
            goals[aid][str(code)] = r

    plan_links = _strategy_to_al(session, level_nodes)
    flows: dict[tuple[str, str, str], float] = defaultdict(float)
    for aid, al_ranks in als.items():
        direct = strat.get(aid)
        for al, ar in al_ranks.items():
            if direct:
                for sc, sr in direct.items():
                    flows[(f"{strategy}:{sc}", f"wsis:{al}", rank_name(max(sr, ar)))] += 1
            else:
                sources = sorted(plan_links.get(al, ()))
                for sc in sources:
                    flows[(f"{strategy}:{sc}", f"wsis:{al}", "derived")] += 1 / len(sources)
    for aid, g_ranks in goals.items():
        al_ranks = als.get(aid) or ({NO_AL: 0} if include_unmapped else {})
        for al, ar in al_ranks.items():
            for g, gr in g_ranks.items():
                flows[(f"wsis:{al}", f"sdg:{g}", rank_name(max(ar, gr)))] += 1

    colours = {g["code"]: g["colour"] for g in goal_meta(session)}
    al_meta = _al_meta(session)
    used = {s for s, _, _ in flows} | {t for _, t, _ in flows}
    nodes = []
    for n in level_nodes:
        if f"{strategy}:{n.code}" in used:
            nodes.append({"id": f"{strategy}:{n.code}", "name": n.code, "column": 0,
                          "title": n.short_title or n.title, "colour": "#5B6770"})
    for code in sorted({r.split(":", 1)[1] for r in used if r.startswith("wsis:")}, key=al_sort_key):
        node = al_meta.get(code)
        nodes.append({"id": f"wsis:{code}", "name": code if code != NO_AL else "No Action Line",
                      "column": 1, "colour": "#1D70B8" if code != NO_AL else "#9AA0A6",
                      "title": (node.title if node else "Activities that name no Action Line")})
    sdg_codes = sorted({r.split(":", 1)[1] for r in used if r.startswith("sdg:")},
                       key=lambda c: [goal_sort_key(p) for p in c.split(".")])
    titles = dict(session.execute(select(Node.code, Node.title).where(
        Node.framework_id == "sdg", Node.code.in_(sdg_codes))).all()) if sdg_codes else {}
    for code in sdg_codes:
        nodes.append({"id": f"sdg:{code}", "name": f"SDG {code}", "column": 2,
                      "title": titles.get(code, ""), "colour": colours.get(code.split(".")[0], "#666")})

    links = []
    for (src, tgt, kind), value in sorted(flows.items()):
        links.append({"source": src, "target": tgt, "kind": kind, "value": round(value, 2),
                      "filter": _flow_filter(src, tgt, strategy, kind)})
    return {"strategy": strategy, "level": level, "sdg_level": sdg_level, "nodes": nodes, "links": links}


def _flow_filter(src: str, tgt: str, strategy: str, kind: str) -> dict[str, str]:
    """Activity-list query parameters for the activities behind a flow.

    A derived strategy flow has no stated strategy link to filter on: it lists the
    activities on the Action Line.
    """
    out: dict[str, str] = {}
    for ref in (src, tgt):
        fw, _, code = ref.partition(":")
        if fw == "wsis" and code != NO_AL:
            out["action_line"] = code
        elif fw == "sdg":
            if "." in code:
                out["target"] = code
            else:
                out["sdg"] = code
        elif fw == strategy and kind != "derived":
            out["node"] = ref
    return out


def action_line_sdg_matrix(session: Session, basis: str = "activities",
                           include_suggested: bool = True) -> dict:
    """Action Line x SDG goal counts.

    ``basis="activities"``: distinct activities linked to both the Action Line (or a
    sub-line) and the goal (or one of its targets). ``basis="framework"``: framework links
    joining the two directly, plus strategy elements that link to both (``via``).
    Returns ``{"rows": [{code, title}], "cols": [{code, short_title, colour}],
    "cells": [{action_line, goal, count, ...}], "basis"}``.
    """
    cells: dict[tuple[str, str], dict] = {}
    if basis == "activities":
        max_rank = 2 if include_suggested else 1
        a, g = best_rank_by_head(session, "wsis", max_rank), best_rank_by_head(session, "sdg", max_rank)
        stmt = (select(a.c.head, g.c.head, func.count())
                .join(g, g.c.activity_id == a.c.activity_id).group_by(a.c.head, g.c.head))
        for al, goal, n in session.execute(stmt):
            cells[(str(al), str(goal))] = {"action_line": str(al), "goal": str(goal), "count": n}
    elif basis == "framework":
        f, t = aliased(Node), aliased(Node)
        fh, th = head_expr(session, f.code), head_expr(session, t.code)
        stmt = (select(f.framework_id, fh, t.framework_id, th, f.code, func.count())
                .select_from(Link).join(f, Link.from_id == f.id).join(t, Link.to_id == t.id)
                .where(Link.review != "rejected")
                .group_by(f.framework_id, fh, t.framework_id, th, f.code))
        by_from: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for ffw, fhead, tfw, thead, fcode, n in session.execute(stmt):
            if {ffw, tfw} == {"wsis", "sdg"}:
                al, goal = (fhead, thead) if ffw == "wsis" else (thead, fhead)
                c = cells.setdefault((al, goal), {"action_line": al, "goal": goal, "count": 0,
                                                  "direct": 0, "via": 0})
                c["direct"] += n
                c["count"] += n
            elif tfw in ("wsis", "sdg"):
                by_from[(ffw, fcode)][tfw].add(thead)
        for (_fw, _code), targets in by_from.items():
            for al in targets.get("wsis", ()):
                for goal in targets.get("sdg", ()):
                    c = cells.setdefault((al, goal), {"action_line": al, "goal": goal, "count": 0,
                                                      "direct": 0, "via": 0})
                    c["via"] += 1
                    c["count"] += 1
    else:
        raise ValueError(f"unknown basis {basis!r} (activities or framework)")
    rows = [{"code": code, "title": n.title} for code, n in sorted(_al_meta(session).items(),
                                                                  key=lambda kv: al_sort_key(kv[0]))]
    cols = [{"code": g["code"], "short_title": g["short_title"], "colour": g["colour"]}
            for g in goal_meta(session)]
    ordered = sorted(cells.values(), key=lambda c: (al_sort_key(c["action_line"]), goal_sort_key(c["goal"])))
    return {"basis": basis, "rows": rows, "cols": cols, "cells": ordered}


def cooccurrence_network(session: Session, include_suggested: bool = True,
                         max_goals: int | None = None) -> dict:
    """SDG goals that co-occur in activities: nodes sized by activities, edges by shared activities.

    ``max_goals`` leaves out activities linked to more goals than that (a statement that
    an event serves "all 17 SDGs" links every pair and hides the real pattern).
    Returns ``{"nodes": [{code, short_title, colour, count}], "edges": [{a, b, count}],
    "max_goals", "left_out"}``.
    """
    # One pass over (activity, goal) pairs; pairs are counted in Python, which is much
    # faster than a self-join of the pairs on either engine.
    max_rank = 2 if include_suggested else 1
    sub = best_rank_by_head(session, "sdg", max_rank)
    goals_of: dict[int, list[str]] = defaultdict(list)
    for aid, head in session.execute(select(sub.c.activity_id, sub.c.head)):
        goals_of[aid].append(str(head))
    counts: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    left_out = 0
    for goals in goals_of.values():
        if max_goals is not None and len(goals) > max_goals:
            left_out += 1
            continue
        counts.update(goals)
        pairs.update(combinations(sorted(goals, key=goal_sort_key), 2))
    edges = [{"a": x, "b": y, "count": n} for (x, y), n in pairs.items()]
    edges.sort(key=lambda e: (-e["count"], goal_sort_key(e["a"]), goal_sort_key(e["b"])))
    nodes = [{"code": g["code"], "short_title": g["short_title"], "colour": g["colour"],
              "count": counts.get(g["code"], 0)} for g in goal_meta(session)]
    return {"nodes": nodes, "edges": edges, "max_goals": max_goals, "left_out": left_out}


def matrix_cell_evidence(session: Session, action_line: str, goal: str) -> dict:
    """Why an Action Line and a goal meet in the framework matrix: direct framework links
    between them, and the strategy elements that link to both (each with both links)."""
    f, t = aliased(Node), aliased(Node)
    rows = session.execute(
        select(Link, f, t).join(f, Link.from_id == f.id).join(t, Link.to_id == t.id)
        .where(Link.review != "rejected")).all()

    def is_al(n: Node) -> bool:
        return n.framework_id == "wsis" and n.code.split(".")[0] == action_line

    def is_goal(n: Node) -> bool:
        return n.framework_id == "sdg" and n.code.split(".")[0] == str(goal)

    direct, by_from = [], defaultdict(lambda: {"al": [], "sdg": []})
    for link, a, b in rows:
        if (is_al(a) and is_goal(b)) or (is_goal(a) and is_al(b)):
            direct.append({"from": a.ref, "to": b.ref, "kind": link.kind, "source": link.source,
                           "locator": link.locator})
        elif is_al(b):
            by_from[a.ref]["al"].append(b.ref)
            by_from[a.ref]["title"] = a.short_title or a.title
        elif is_goal(b):
            by_from[a.ref]["sdg"].append(b.ref)
            by_from[a.ref]["title"] = a.short_title or a.title
    via = [{"node": ref, "title": d.get("title", ""), "action_lines": sorted(set(d["al"])),
            "sdgs": sorted(set(d["sdg"]))}
           for ref, d in sorted(by_from.items()) if d["al"] and d["sdg"]]
    return {"action_line": action_line, "goal": str(goal), "direct": direct, "via": via}


def strategy_levels(session: Session, strategy: str) -> list[str]:
    """Node kinds of a strategy framework that have links to Action Lines or SDGs (directly or
    through their children), in hierarchy order: the levels the Sankey can start from."""
    nodes = session.scalars(select(Node).where(Node.framework_id == strategy).order_by(Node.sort)).all()
    linked = set(session.scalars(select(Link.from_id).join(Node, Link.to_id == Node.id)
                                 .where(Node.framework_id.in_(("wsis", "sdg")))))
    by_id = {n.id: n for n in nodes}
    kinds: list[str] = []
    for n in nodes:
        if n.id in linked:
            cur: Node | None = n
            while cur is not None:
                if cur.kind not in kinds:
                    kinds.append(cur.kind)
                cur = by_id.get(cur.parent_id) if cur.parent_id else None
    depth = {}
    for n in nodes:
        d, cur = 0, n
        while cur.parent_id and cur.parent_id in by_id:
            d, cur = d + 1, by_id[cur.parent_id]
        depth.setdefault(n.kind, d)
    return sorted(kinds, key=lambda k: depth.get(k, 0))
