"""Built-in frameworks: counts and the ITU-D Annex 1 links, checked against the source files."""

from __future__ import annotations

import csv
import re

from sqlalchemy import func, select

from sdgmap.frameworks.builtin import DATA
from sdgmap.frameworks.linkage import get_node, stated_links
from sdgmap.store.models import Link, Node


def _count(s, framework: str, kind: str) -> int:
    return s.scalar(select(func.count()).select_from(Node).where(Node.framework_id == framework, Node.kind == kind))


def _official_indicator_codes() -> set[str]:
    """Indicator codes read straight from the UNSD framework file (not our derived CSV)."""
    codes = set()
    with open(DATA / "sdg" / "raw_global_indicator_framework_2025.csv", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) > 2 and (m := re.match(r"^\s*(\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2})\b", row[2])):
                codes.add(m.group(1))
    return codes


def test_sdg_counts(store):
    with store.transaction() as s:
        assert _count(s, "sdg", "goal") == 17
        assert _count(s, "sdg", "target") == 169
        indicators = set(s.scalars(select(Node.code).where(Node.framework_id == "sdg", Node.kind == "indicator")))
    official = _official_indicator_codes()
    assert len(official) > 240
    assert indicators == official


def test_sdg_goal_colours_and_target_parents(store):
    with store.transaction() as s:
        g11 = get_node(s, "sdg:11")
        assert g11.attrs["colour"].upper() == "#FD9D24"
        t = get_node(s, "sdg:9.c")
        assert s.get(Node, t.parent_id).code == "9"
        assert t.attrs["target_type"] == "means_of_implementation"
        assert get_node(s, "sdg:9.1").attrs["target_type"] == "outcome"
        assert s.get(Node, get_node(s, "sdg:9.c.1").parent_id).code == "9.c"


def test_wsis_action_lines(store):
    with store.transaction() as s:
        assert _count(s, "wsis", "action_line") == 11
        assert _count(s, "wsis", "sub_line") == 8
        c7 = get_node(s, "wsis:C7")
        subs = s.scalars(select(Node.code).where(Node.parent_id == c7.id)).all()
        assert sorted(subs) == sorted(
            ["C7.e-gov", "C7.e-bus", "C7.e-lea", "C7.e-hea", "C7.e-emp", "C7.e-env", "C7.e-agr", "C7.e-sci"]
        )


def _annex1_statements() -> dict[str, tuple[set[str], set[str]]]:
    """Parse Annex 1 of the TDAG seed independently: outcome -> (SDG goals, Action Lines)."""
    text = (DATA / "demo" / "002_e2f296ca9ff8dd72.txt").read_text(encoding="utf-8")
    annex = text.split("ANNEX 1", 1)[1].split("ANNEX 2", 1)[0]
    out: dict[str, tuple[set[str], set[str]]] = {}
    blocks = re.split(r"\n\s*(?=D\.\d[-.]\d:)", annex)
    for block in blocks[1:]:
        code = re.match(r"D\.(\d)[-.](\d)", block)
        key = f"D.{code.group(1)}-{code.group(2)}"
        sdg_line = re.search(r"SDG Goals ([^\n]+)", block).group(1)
        al_line = re.search(r"WSIS AL ([^\n]+)", block).group(1)
        rng = re.search(r"(\d+)\s*-\s*(\d+)", sdg_line)
        goals = {str(i) for i in range(int(rng.group(1)), int(rng.group(2)) + 1)} if rng else set(re.findall(r"\d+", sdg_line))
        arng = re.search(r"C(\d+)\s*-\s*C(\d+)", al_line)
        als = {f"C{i}" for i in range(int(arng.group(1)), int(arng.group(2)) + 1)} if arng else set(re.findall(r"C\d+", al_line))
        out[key] = (goals, als)
    return out


def test_itu_d_outcomes_match_annex_1(store):
    annex = _annex1_statements()
    assert len(annex) == 16
    with store.transaction() as s:
        assert _count(s, "itu-sp-2020", "outcome") == 16
        assert _count(s, "itu-sp-2020", "objective") == 4
        for code, (goals, als) in annex.items():
            views = stated_links(s, get_node(s, f"itu-sp-2020:{code}"), "out")
            assert {v.target.split(":")[1] for v in views if v.target.startswith("sdg:")} == goals, code
            assert {v.target.split(":")[1] for v in views if v.target.startswith("wsis:")} == als, code
            assert all(v.kind == "stated" and v.origin_source == "002_e2f296ca9ff8dd72.txt" for v in views)
            assert all(re.fullmatch(r"line \d+", v.locator) for v in views)


def test_annex_locators_point_at_the_statement(store):
    lines = (DATA / "demo" / "002_e2f296ca9ff8dd72.txt").read_text(encoding="utf-8").splitlines()
    with store.transaction() as s:
        for v in stated_links(s, get_node(s, "itu-sp-2020:D.2-2"), "out"):
            line = lines[int(v.locator.split()[1]) - 1]
            code = v.target.split(":")[1]
            assert ("SDG Goals" in line if v.target.startswith("sdg:") else "WSIS AL" in line)
            assert re.search(rf"\b{re.escape(code)}\b", line)


def test_u4ssc_links_are_the_ks_mapping(store):
    with store.transaction() as s:
        assert _count(s, "u4ssc", "kpi") == 91
        links = s.scalars(
            select(Link).join(Node, Link.from_id == Node.id).where(Node.framework_id == "u4ssc")
        ).all()
        assert links and all(lk.kind == "stated" and lk.asserted_by == "KS" for lk in links)
        assert all("KS" in lk.source for lk in links)


def test_no_wsis_sdg_matrix_links_are_invented(store):
    with store.transaction() as s:
        wsis_ids = select(Node.id).where(Node.framework_id == "wsis")
        assert s.scalar(select(func.count()).select_from(Link).where(Link.from_id.in_(wsis_ids))) == 0
