"""What the classifier returns: goals with calibrated scores, targets, and evidence spans."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why: a span of the input text and the feature that fired there.

    ``layer`` is ``reference`` (the text names the goal/target), ``lexical`` (a keyword or
    query of a named set) or ``semantic`` (the passage closest to an official target text).
    """

    start: int
    end: int
    feature: str
    layer: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class TargetScore:
    code: str
    score: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class GoalScore:
    goal: int
    score: float
    targets: tuple[TargetScore, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict:
        return {
            "goal": self.goal,
            "score": round(self.score, 3),
            "targets": [
                {"code": t.code, "score": round(t.score, 3),
                 "evidence": [_ev(e) for e in t.evidence]}
                for t in self.targets
            ],
            "evidence": [_ev(e) for e in self.evidence],
        }


def _ev(e: Evidence) -> dict:
    d = asdict(e)
    return {k: d[k] for k in ("start", "end", "feature", "layer", "text")}


@dataclass(frozen=True, slots=True)
class Result:
    """The SDGs of one text, best first; empty ``goals`` means "no SDG"."""

    goals: tuple[GoalScore, ...]
    layers: tuple[str, ...]
    version: str
    candidates: tuple[GoalScore, ...] = field(default=(), repr=False)  # below threshold
    encoder: str | None = None  # float32 | bfloat16 | int8; None without the semantic layer

    @property
    def sdgs(self) -> list[int]:
        return [g.goal for g in self.goals]

    def __iter__(self):
        return iter(self.goals)

    def __len__(self) -> int:
        return len(self.goals)

    def to_dict(self) -> dict:
        out = {"sdgs": [g.to_dict() for g in self.goals], "layers": list(self.layers),
               "model": self.version}
        if self.encoder:
            out["encoder"] = self.encoder
        return out
