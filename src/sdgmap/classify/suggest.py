"""Suggested SDG and WSIS Action Line links for register activities, awaiting review.

Rules, so that a re-run is safe:
* never touch stated, curated or reviewed links; never suggest a goal or target that
  already has one (a stated ``9.c`` also covers goal 9, a rejected suggestion stays rejected);
* our own unverified suggestions (method ``classifier:*``) are updated in place, and
  removed when the classifier no longer proposes them, so re-runs do not duplicate;
* one transaction for the whole run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sdgmap.classify.action_lines import ActionLineScore, ActionLineSuggester
from sdgmap.classify.classifier import SDGClassifier
from sdgmap.classify.result import Evidence, GoalScore
from sdgmap.store.activities import ActivityFilter, filtered_select
from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Node

METHOD_PREFIX = "classifier:"


def method_name(clf: SDGClassifier) -> str:
    """``classifier:<model version>[/<encoder>]``: the encoder moves scores a little."""
    return (f"{METHOD_PREFIX}{clf.version}" + (f"/{clf.encoder}" if clf.encoder else ""))[:64]
MAX_BLOCK = 8000  # characters of a source block given to the classifier


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
    Action Lines) for the activities matching ``year``/``type``."""
    method = method_name(clf)
    nodes = {n.code: n for n in session.scalars(select(Node).where(Node.framework_id == "sdg"))}
    al_nodes = {n.code: n for n in session.scalars(select(Node).where(Node.framework_id == "wsis"))}
    al = (ActionLineSuggester(clf.embedder, {c: n.title for c, n in al_nodes.items()})
          if action_lines and al_nodes else None)
    stmt = filtered_select(ActivityFilter(type=type, year=year), session.get_bind().dialect.name)
    stmt = stmt.order_by(Activity.id).options(
        selectinload(Activity.links).selectinload(ActivityLink.node),
        selectinload(Activity.sources).selectinload(ActivitySource.document))
    activities = list(session.scalars(stmt))
    report = SuggestReport()
    for i in range(0, len(activities), batch):
        chunk = activities[i:i + batch]
        texts = [_activity_text(a) for a in chunk]
        results = clf.predict([t for t, _, _ in texts], threshold=min_score)
        lines = al.predict([t for t, _, _ in texts]) if al else [None] * len(chunk)
        for a, (_, doc_id, offset), res, als in zip(chunk, texts, results, lines, strict=True):
            report.activities += 1
            _apply(session, a, _goal_wants(res.goals), "sdg", nodes, method, doc_id, offset, report)
            if als is not None:
                _apply(session, a, _line_wants(als), "wsis", al_nodes, method, doc_id, offset, report)
        if progress:
            progress(len(chunk))
    session.flush()
    return report


Wants = dict[str, tuple[float, tuple[Evidence, ...]]]


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
