"""Scoring extraction against a hand-checked list of blocks (tests and ``benchmarks/ingest.py``).

A found block matches an expected one when type and name agree (case and spacing aside);
a block the report repeats counts once per occurrence. Reported: block precision and recall,
the share of matched blocks whose SDG set (and primary goals) is exactly right, and
precision/recall over (block, goal) pairs.
"""

from __future__ import annotations

from collections import Counter

from sdgmap.ingest.candidates import Candidate, fold

ALL = set(range(1, 18))


def _key(type_: str, name: str) -> tuple[str, str]:
    return type_, " ".join(fold(name).split())


def candidate_goals(c: Candidate) -> tuple[set[int], set[int]]:
    goals = {int(lk.ref[4:]) for lk in c.links if lk.ref.startswith("sdg:") and lk.ref[4:].isdigit()}
    primary = {int(lk.ref[4:]) for lk in c.links if lk.primary and lk.ref.startswith("sdg:") and lk.ref[4:].isdigit()}
    return goals, primary


def score_blocks(expected: list[dict], found: list[Candidate]) -> dict:
    exp: Counter = Counter()
    exp_goals: dict[tuple[str, str], tuple[set[int], set[int]]] = {}
    for b in expected:
        k = _key(b["type"], b["name"])
        exp[k] += b.get("occurrences", 1)
        goals = ALL if b["sdgs"] == "all" else set(b["sdgs"])
        exp_goals.setdefault(k, (goals, set(b.get("primary", []))))
    got: Counter = Counter()
    got_goals: dict[tuple[str, str], list[tuple[set[int], set[int]]]] = {}
    for c in found:
        k = _key(c.type, c.title)
        got[k] += 1 + len(c.more_spans)
        got_goals.setdefault(k, []).append(candidate_goals(c))
    matched = sum(min(n, got[k]) for k, n in exp.items())
    n_exp, n_got = sum(exp.values()), sum(got.values())
    exact = 0
    tp = fp = fn = 0
    missing, wrong = [], []
    for k, n in exp.items():
        if k not in got:
            missing.append(k[1])
            fn += n * len(exp_goals[k][0])
            continue
        want_g, want_p = exp_goals[k]
        for g, p in got_goals[k][:n]:
            if g == want_g and p == want_p:
                exact += 1
            else:
                wrong.append(k[1])
            tp += len(g & want_g)
            fp += len(g - want_g)
            fn += len(want_g - g)
    n_blocks = sum(min(len(got_goals.get(k, [])), n) for k, n in exp.items())
    return {
        "expected_blocks": n_exp, "found_blocks": n_got, "matched_blocks": matched,
        "block_recall": matched / n_exp if n_exp else 1.0,
        "block_precision": matched / n_got if n_got else 1.0,
        "sdg_sets_exact": exact, "sdg_sets_checked": n_blocks,
        "sdg_set_accuracy": exact / n_blocks if n_blocks else 1.0,
        "goal_precision": tp / (tp + fp) if tp + fp else 1.0,
        "goal_recall": tp / (tp + fn) if tp + fn else 1.0,
        "missing": missing, "wrong_sdgs": wrong,
        "unexpected": [k[1] for k in got if k not in exp],
    }
