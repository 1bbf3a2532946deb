"""Adapter from the API and the classify page to ``sdgmap.classify``: SDGs for a text, with
evidence spans."""

from __future__ import annotations

from sdgmap.classify import load_classifier
from sdgmap.store.views import segments


def classify_text(text: str, semantic: bool | None = None) -> dict:
    """The classifier's goals (scores, targets, evidence) for ``text``."""
    result = load_classifier(semantic=semantic).predict([text])[0]
    return {"text_length": len(text), **result.to_dict()}


MAX_TEXT = 50_000  # characters, as the API's


def classify_view(text: str, semantic: bool | None, goal_titles: dict[str, str]) -> dict:
    """What the classify page shows: goals with targets and evidence, the text with the
    keyword and reference evidence marked (semantic evidence is a whole passage, so it is
    listed, not marked), and the best goals below the threshold."""
    clf = load_classifier(semantic=semantic)
    res = clf.predict([text])[0]
    spans: list[tuple[int, int, str]] = []
    goals = []
    for g in res.goals:
        evidence, seen = [], set()
        for e in (*g.evidence, *(ev for t in g.targets for ev in t.evidence)):
            if e.layer != "semantic" and e.end > e.start:
                spans.append((e.start, e.end, f"SDG {g.goal}"))
            key = (e.feature, e.start, e.end)
            if key not in seen:
                seen.add(key)
                evidence.append({"feature": e.feature, "layer": e.layer, "text": e.text,
                                 "start": e.start, "end": e.end})
        goals.append({
            "goal": g.goal, "title": goal_titles.get(str(g.goal), ""), "score": g.score,
            "targets": [{"code": t.code, "title": clf.target_titles.get(t.code, ""), "score": t.score}
                        for t in g.targets],
            "evidence": evidence,
        })
    near = [{"goal": c.goal, "title": goal_titles.get(str(c.goal), ""), "score": c.score}
            for c in res.candidates]
    return {"goals": goals, "near": near, "segments": segments(text, 0, spans),
            "model": res.version, "layers": res.layers, "encoder": res.encoder,
            "threshold": clf.goal_model.threshold}
