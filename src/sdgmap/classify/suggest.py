"""Suggested SDG and WSIS Action Line links for register activities, awaiting review.

Rules, so that a re-run is safe:
* never touch stated, curated or reviewed links; never suggest a goal or target that
  already has one (a stated ``9.c`` also covers goal 9, a rejected suggestion stays rejected);
* our own unverified suggestions (method ``classifier:*``) are updated in place, and
  removed when the classifier no longer proposes them, so re-runs do not duplicate;
* the classifier runs with no transaction open; its suggestions are written in one
  transaction (``plan_suggestions`` then ``write_suggestions``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sdgmap.classify.action_lines import ActionLineScore, ActionLineSuggester
from sdgmap.classify.classifier import SDGClassifier
from sdgmap.classify.result import Evidence, GoalScore
from sdgmap.store.filters import ActivityFilter, filtered_select
from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Node

METHOD_PREFIX = "classifier:"


def method_name(clf: SDGClassifier) -> str:
    """``classifier:<model version>[/<encoder>]``: the encoder moves scores a little."""
    return (f"{METHOD_PREFIX}{clf.version}" + (f"/{clf.encoder}" if clf.encoder else ""))[:64]


MAX_BLOCK = 8000  # characters of a source block given to the classifier
Wants = dict[str, tuple[float, tuple[Evidence, ...]]]


@dataclass
class SuggestReport:
    activities: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    skipped_existing: int = 0
    by_goal: dict[int, int] = field(default_factory=dict)
    by_action_line: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"activities": self.activities, "created": self.created, "updated": self.updated,
                "removed": self.removed, "skipped_existing": self.skipped_existing,
                "by_goal": dict(sorted(self.by_goal.items())),
                "by_action_line": dict(sorted(self.by_action_line.items()))}


def _activity_text(a: Activity) -> tuple[str, int | None, int]:
    """The text to classify, its document id and the offset of the text in that document."""
    for src in sorted(a.sources, key=lambda s: s.id):
        doc = src.document
        if doc is not None and doc.text and 0 <= src.start < src.end <= len(doc.text):
            end = min(src.end, src.start + MAX_BLOCK)
            return doc.text[src.start:end], doc.id, src.start
    return f"{a.title}\n{a.description or ''}".strip(), None, 0


def _evidence_text(evidence: tuple[Evidence, ...]) -> str:
    parts = []
    for e in evidence[:4]:
        snippet = " ".join(e.text.split())
        snippet = snippet if len(snippet) <= 80 else snippet[:79] + "…"
        parts.append(f"{e.feature} — “{snippet}”")
    return "; ".join(parts)


def _blocked_codes(links: list[ActivityLink], framework: str) -> set[str]:
    """Codes a suggestion must not repeat: anything stated, curated or reviewed (a target or
    a C7 e-application also covers its goal or line)."""
    blocked: set[str] = set()
    for lk in links:
        if lk.node.framework_id != framework:
            continue
        if lk.kind in ("stated", "curated") or lk.review != "unverified" or (
                lk.kind == "suggested" and not lk.method.startswith(METHOD_PREFIX)):
            code = lk.node.code
            parts = code.split(".")
            blocked.add(code)
            blocked.add(parts[0])  # a target or indicator also covers its goal
            if len(parts) > 2:
                blocked.add(".".join(parts[:2]))
    return blocked


@dataclass
class Planned:
    """What the classifier wants for one activity, computed with no transaction open."""

    activity_id: int
    document_id: int | None
    offset: int
    goals: Wants
    lines: Wants | None


def activity_texts(session: Session, *, year: int | None = None,
                   type: str | None = None) -> list[tuple[int, str, int | None, int]]:
    """(activity id, text, document id, offset) for the activities matching ``year``/``type``."""
    stmt = filtered_select(ActivityFilter(type=type, year=year), session.get_bind().dialect.name)
    stmt = stmt.order_by(Activity.id).options(
        selectinload(Activity.sources).selectinload(ActivitySource.document))
    return [(a.id, *_activity_text(a)) for a in session.scalars(stmt)]


def action_line_titles(session: Session) -> dict[str, str]:
    return {n.code: n.title for n in session.scalars(select(Node).where(Node.framework_id == "wsis"))}


def plan_suggestions(clf: SDGClassifier, texts: list[tuple[int, str, int | None, int]], *,
                     line_titles: dict[str, str] | None = None, min_score: float | None = None,
                     batch: int = 128, progress: Callable[[int], None] | None = None) -> list[Planned]:
    """Run the classifier (and, given ``line_titles``, the Action Line suggester) over ``texts``.

    Pure computation: callers run it outside any transaction, so a long run never holds
    SQLite's writer lock while the web app waits to write.
    """
    al = ActionLineSuggester(clf.embedder, line_titles) if line_titles else None
    plans: list[Planned] = []
    for i in range(0, len(texts), batch):
        chunk = texts[i:i + batch]
        results = clf.predict([t for _, t, _, _ in chunk], threshold=min_score)
        lines = al.predict([t for _, t, _, _ in chunk]) if al else [None] * len(chunk)
        for (aid, _, doc_id, offset), res, als in zip(chunk, results, lines, strict=True):
            plans.append(Planned(aid, doc_id, offset, _goal_wants(res.goals),
                                 _line_wants(als) if als is not None else None))
        if progress:
            progress(len(chunk))
    return plans


def write_suggestions(session: Session, plans: list[Planned], method: str) -> SuggestReport:
    """Apply planned suggestions in one unit of work, against the links as they are now
    (a link stated or reviewed since the plan was made is respected)."""
    nodes = {n.code: n for n in session.scalars(select(Node).where(Node.framework_id == "sdg"))}
    al_nodes = {n.code: n for n in session.scalars(select(Node).where(Node.framework_id == "wsis"))}
    report = SuggestReport()
    for i in range(0, len(plans), 500):
        chunk = plans[i:i + 500]
        stmt = select(Activity).where(Activity.id.in_([p.activity_id for p in chunk])).options(
            selectinload(Activity.links).selectinload(ActivityLink.node))
        activities = {a.id: a for a in session.scalars(stmt)}
        for p in chunk:
            a = activities.get(p.activity_id)
            if a is None:  # deleted since the plan was made
                continue
            report.activities += 1
            _apply(session, a, p.goals, "sdg", nodes, method, p.document_id, p.offset, report)
            if p.lines is not None:
                _apply(session, a, p.lines, "wsis", al_nodes, method, p.document_id, p.offset, report)
    session.flush()
    return report


def suggest_links(
    session: Session,
    clf: SDGClassifier,
    *,
    year: int | None = None,
    type: str | None = None,
    min_score: float | None = None,
    batch: int = 128,
    progress: Callable[[int], None] | None = None,
    action_lines: bool = True,
) -> SuggestReport:
    """Write ``suggested`` links (SDG goals and targets, and with ``action_lines`` WSIS
    Action Lines) for the activities matching ``year``/``type``, all in ``session``.

    For a database that others write to, read with ``activity_texts``, classify with
    ``plan_suggestions`` outside any transaction, then ``write_suggestions`` in a short one
    (as ``sdgmap suggest`` does).
    """
    texts = activity_texts(session, year=year, type=type)
    titles = action_line_titles(session) if action_lines else None
    plans = plan_suggestions(clf, texts, line_titles=titles, min_score=min_score, batch=batch,
                             progress=progress)
    return write_suggestions(session, plans, method_name(clf))


def _goal_wants(goals: tuple[GoalScore, ...]) -> Wants:
    wanted: Wants = {}
    for g in goals:
        wanted[str(g.goal)] = (g.score, g.evidence)
        for t in g.targets:
            wanted[t.code] = (t.score, t.evidence or g.evidence)
    return wanted


def _line_wants(lines: list[ActionLineScore]) -> Wants:
    return {x.code: (x.score, x.evidence) for x in lines}


def _apply(session: Session, a: Activity, wanted: Wants, framework: str, nodes: dict[str, Node],
           method: str, doc_id: int | None, offset: int, report: SuggestReport) -> None:
    blocked = _blocked_codes(a.links, framework)
    ours = {lk.node.code: lk for lk in a.links
            if lk.node.framework_id == framework and lk.kind == "suggested"
            and lk.review == "unverified" and lk.method.startswith(METHOD_PREFIX)}
    for code, (score, evidence) in wanted.items():
        if code in blocked:
            report.skipped_existing += 1
            continue
        node = nodes.get(code)
        if node is None:
            continue
        span = next((e for e in evidence if e.end > e.start), None)
        fields = dict(
            method=method, confidence=round(float(score), 4), document_id=doc_id,
            span_start=span.start + offset if span and doc_id else None,
            span_end=span.end + offset if span and doc_id else None,
            evidence=_evidence_text(evidence),
        )
        if code in ours:
            lk = ours.pop(code)
            changed = any(getattr(lk, k) != v for k, v in fields.items())
            for k, v in fields.items():
                setattr(lk, k, v)
            report.updated += int(changed)
        else:
            a.links.append(ActivityLink(node=node, kind="suggested", review="unverified", **fields))
            report.created += 1
        if framework == "wsis":
            report.by_action_line[code] = report.by_action_line.get(code, 0) + 1
        elif "." not in code:
            report.by_goal[int(code)] = report.by_goal.get(int(code), 0) + 1
    for lk in ours.values():  # proposals the classifier no longer makes
        a.links.remove(lk)
        session.delete(lk)
        report.removed += 1
