"""The built-in frameworks, built from the data files shipped in ``sdgmap/data``.

Provenance of every file is in ``docs/data-sources.md``. The SDG, WSIS and U4SSC
frameworks are built from CSV; the ITU strategic plans are YAML files in the same format
users import (``docs/frameworks.md``).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from sdgmap.frameworks.files import read_framework_file
from sdgmap.frameworks.save import save_framework
from sdgmap.frameworks.spec import FrameworkSpec, LinkSpec, NodeSpec
from sdgmap.store import Store

DATA = Path(str(resources.files("sdgmap") / "data"))
UN_TERMS = "UN official text (UN terms of use, https://www.un.org/en/about-us/terms-of-use)"


def _rows(relpath: str) -> list[dict]:
    with open(DATA / relpath, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def sdg_framework() -> FrameworkSpec:
    """17 goals, 169 targets and every indicator code of the 2025 global indicator framework."""
    spec = FrameworkSpec(
        id="sdg", name="Sustainable Development Goals", version="2025 global indicator framework",
        source="A/RES/71/313 Annex with refinements up to E/CN.3/2025/6 (UNSD); colours: UN DGC SDG guidelines (2020)",
        licence=UN_TERMS, builtin=True,
        description="The 17 goals, 169 targets and the indicators of the global indicator framework after the 2025 review.",
    )
    for r in _rows("sdg/sdg_goals.csv"):
        spec.nodes.append(NodeSpec(r["goal"], r["title"], "goal", short_title=r["short_title"],
                                   attrs={"colour": r["colour_hex"]}))
    for r in _rows("sdg/sdg_targets.csv"):
        attrs = {"target_type": r["target_type"]}
        if r["goal17_area"]:
            attrs["area"] = r["goal17_area"]
        spec.nodes.append(NodeSpec(r["target"], r["title"], "target", parent=r["goal"], attrs=attrs))
    by_unsd: dict[str, list[str]] = defaultdict(list)
    for r in _rows("sdg/sdg_indicators.csv"):
        spec.nodes.append(NodeSpec(r["indicator"], r["title"], "indicator", parent=r["target"],
                                   attrs={"unsd_code": r["unsd_code"]}))
        by_unsd[r["unsd_code"]].append(r["indicator"])
    # An indicator listed under several targets (1.5.1 = 11.5.1 = 13.1.1) is one statistic:
    # the framework itself says so by repeating it, which we keep as "same_as" links.
    for codes in by_unsd.values():
        for other in codes[1:]:
            spec.links.append(LinkSpec(codes[0], other, relation="same_as", kind="stated",
                                       source="Global indicator framework (repeated indicator)", locator="UNSD code"))
    return spec


def wsis_framework() -> FrameworkSpec:
    spec = FrameworkSpec(
        id="wsis", name="WSIS Action Lines", version="Geneva Plan of Action (2003)",
        source="WSIS Geneva Plan of Action; titles from itu.int/net4/wsis and wsis.ae", licence="Facts (c) ITU pages",
        builtin=True, description="Action Lines C1-C11 of the WSIS Geneva Plan of Action, with the eight C7 e-sub-lines.",
    )
    for r in _rows("wsis/wsis_action_lines.csv"):
        attrs = {k: r[k] for k in ("matrix_label", "itu_role", "lead_facilitator_in_2017_report") if r.get(k)}
        kind = "sub_line" if r["parent"] else "action_line"
        spec.nodes.append(NodeSpec(r["code"], r["title"], kind, parent=r["parent"] or None,
                                   short_title=r["matrix_label"], attrs=attrs))
    return spec


def itu_sp_2024_framework() -> FrameworkSpec:
    spec = FrameworkSpec(
        id="itu-sp-2024", name="ITU Strategic Plan 2024-2027 and connectivity targets",
        version="PP-22 Bucharest (Resolution 71, Rev. Bucharest, 2022)",
        source="itu.int/en/council/planning; Partner2Connect annual report 2022; ITU-T L.1031", licence="Facts (c) ITU pages",
        builtin=True,
        description="Goals of the ITU Strategic Plan 2024-2027 and the connectivity targets (UMC 2030, "
                    "Broadband Commission, Connect 2030). Strategic targets, outcomes and enablers are not yet in the data.",
    )
    spec.nodes.append(NodeSpec("SP", "ITU Strategic Plan 2024-2027 (Resolution 71, Rev. Bucharest, 2022)", "plan"))
    for r in _rows("itu/itu_strategic_plan_2024_2027.csv"):
        code = f"G{r['number']}" if r["element"] == "goal" else r["element"].upper()
        spec.nodes.append(NodeSpec(code, r["text"], r["element"] if r["element"] != "goal" else "strategic_goal",
                                   parent="SP", short_title=r["name"], attrs={"source": r["source_url"]}))
    groups: dict[str, str] = {}
    for r in _rows("itu/itu_connectivity_targets.csv"):
        group = r["group"]
        if group not in groups:
            groups[group] = re.sub(r"[^A-Za-z0-9]+", "-", group).strip("-").upper()
            spec.nodes.append(NodeSpec(groups[group], f"{group} ({r['framework']})", "target_group",
                                       short_title=group, attrs={"framework": r["framework"]}))
        code = r["code"] if not re.fullmatch(r"\d+\.\d+", r["code"]) else f"C2030-{r['code']}"
        spec.nodes.append(NodeSpec(code, r["target_text"], "connectivity_target", parent=groups[group],
                                   attrs={"source": r["source_url"], "framework": r["framework"]}))
    return spec


def u4ssc_framework() -> FrameworkSpec:
    """U4SSC smart sustainable city KPIs with KS's SDG mapping (data.norge.no)."""
    spec = FrameworkSpec(
        id="u4ssc", name="U4SSC Key Performance Indicators for Smart Sustainable Cities",
        version="ITU-T Y.4903; KS vocabulary 2025-07-15",
        source="KS U4SSC vocabulary, https://data.norge.no/vocabulary/indicator/U4SSC (SDG links are KS's mapping)",
        licence="KPI codes and names (c) ITU/U4SSC; SDG mapping by KS (attribute KS / data.norge.no)", builtin=True,
        description="91 KPIs in 3 dimensions, 7 sub-dimensions and 22 categories; SDG links are the KS mapping, "
                    "not ITU's official SDG references.",
    )
    added: set[str] = set()

    def add(code: str, title: str, kind: str, parent: str | None, **attrs) -> None:
        if code not in added:
            added.add(code)
            spec.nodes.append(NodeSpec(code, title, kind, parent=parent, attrs=attrs))

    rows = _rows("itu/u4ssc_kpis.csv")
    main_titles = {_u4ssc_code(r["kpi_no"]): r["kpi_name"] for r in rows if r["is_sub_series"] != "yes"}
    for r in rows:
        parts = _u4ssc_code(r["kpi_no"]).split(":")
        dim, sub, cat = parts[0], ":".join(parts[:2]), ":".join(parts[:3])
        add(dim, r["dimension"], "dimension", None)
        add(sub, r["sub_dimension"], "sub_dimension", dim)
        add(cat, r["category"], "category", sub)
        kpi = _u4ssc_code(r["kpi_no"])
        attrs = {"core_or_advanced": r["core_or_advanced"], "uri": r["uri"], "written_as": r["kpi_no"]}
        code = kpi
        if r["is_sub_series"] == "yes":
            head, _, tail = r["kpi_name"].partition(" - ")
            parent_code = kpi
            if main_titles.get(kpi, head) != head:  # source clash: another KPI holds this code
                parent_code = f"{kpi}~{_slug(head)}"
            add(parent_code, main_titles.get(kpi, head) if parent_code == kpi else head, "kpi", cat, **attrs)
            code = f"{parent_code}/{_slug(tail or r['kpi_name'])}"
            add(code, r["kpi_name"], "kpi_series", parent_code, **attrs)
        else:
            add(code, r["kpi_name"], "kpi", cat, **attrs)
        for g in filter(None, (x.strip() for x in r["sdg_goals"].split(";"))):
            spec.links.append(LinkSpec(code, f"sdg:{g}", kind="stated", source="KS U4SSC vocabulary (data.norge.no)",
                                       locator=r["uri"], asserted_by="KS", version="2025-07-15"))
        for t in filter(None, (x.strip() for x in r["sdg_targets_or_indicators"].split(";"))):
            spec.links.append(LinkSpec(code, f"sdg:{t}", kind="stated", source="KS U4SSC vocabulary (data.norge.no)",
                                       locator=r["uri"], asserted_by="KS", version="2025-07-15"))
    return spec


def _u4ssc_code(raw: str) -> str:
    return re.sub(r"\s+", "", raw)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")


def yaml_framework(name: str) -> Callable[[], FrameworkSpec]:
    def build() -> FrameworkSpec:
        spec = read_framework_file(DATA / "frameworks" / f"{name}.yaml")
        spec.builtin = True
        return spec

    return build


# Load order matters: frameworks that others link to come first.
BUILTIN: dict[str, Callable[[], FrameworkSpec]] = {
    "sdg": sdg_framework,
    "wsis": wsis_framework,
    "itu-sp-2020": yaml_framework("itu-sp-2020"),
    "itu-sp-2024": itu_sp_2024_framework,
    "u4ssc": u4ssc_framework,
}


def load_builtin_frameworks(session: Session, only: list[str] | None = None) -> list[str]:
    loaded = []
    for fid, build in BUILTIN.items():
        if only and fid not in only:
            continue
        save_framework(session, build(), replace=True)
        loaded.append(fid)
    return loaded


def open_store(db: str | None = None, *, upgrade: bool = True) -> Store:
    """The store at ``db`` (a path or URL), created with the built-in frameworks when new, so
    that every command works on a fresh path without a separate setup step."""
    return Store(db, upgrade=upgrade, on_create=load_builtin_frameworks)
