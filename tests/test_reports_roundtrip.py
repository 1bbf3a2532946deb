"""Reports on a register filled by the real ingest of the ITU seeds.

The round trip: a DESA report generated from the register (DOCX and Markdown), ingested
into an empty database, gives back the same activities with the same SDG sets, for the
2023 and 2024 submissions. And the portfolio's appendix commands, run through the real
CLI, print the counts the report states.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from sdgmap.frameworks.builtin import open_store
from sdgmap.ingest import ingest_paths
from sdgmap.reports import build_report, render
from sdgmap.reports.common import trusted_goals
from sdgmap.store import Store
from sdgmap.store.activity_queries import query_activities
from sdgmap.store.filters import ActivityFilter

SEEDS = ("001_", "003_")  # the DESA submissions of 2024 and 2023


@pytest.fixture
def seeded(store, seed_paths):
    ingest_paths(store, [p for p in seed_paths if p.name.startswith(SEEDS)])
    return store


def snapshot(store: Store, year: int) -> dict[tuple[str, str, str], tuple]:
    """Activities by (type, title, dates): the 2023 form reports two events under one name."""
    with store.transaction() as s:
        rows = query_activities(s, ActivityFilter(year=year, entity="ITU"))
    out = {(a["type"], a["title"], a["dates"]["text"]): (tuple(trusted_goals(a)[0]),
                                                         tuple(trusted_goals(a)[1]), a["location"])
           for a in rows}
    assert len(out) == len(rows)
    return out


@pytest.mark.parametrize("year", [2023, 2024])
def test_desa_report_ingests_back_to_the_same_activities(seeded, tmp_path, year):
    before = snapshot(seeded, year)
    assert len(before) > 20 and any(goals for goals, *_ in before.values())
    with seeded.transaction() as s:
        report = build_report(s, "desa", entity="ITU", year=year)
    for fmt in ("docx", "md"):
        out = render(report, fmt, tmp_path / f"desa{year}.{fmt}")
        fresh = open_store(str(tmp_path / f"back{year}{fmt}.db"))
        try:
            ingest_paths(fresh, [out])
            after = snapshot(fresh, year)
        finally:
            fresh.dispose()
        assert set(after) == set(before), f"{fmt}: activities differ"
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"{fmt}: SDG sets, locations or dates differ: {changed}"


def test_reports_on_ingested_seeds_have_register_ids_and_expected_parts(seeded, tmp_path):
    with seeded.transaction() as s:
        desa = build_report(s, "desa", entity="ITU", year=2023, focus=[1, 2, 13, 16, 17])
        wsis = build_report(s, "wsis", entity="ITU", year=2024)
    assert len(set(desa.activity_ids)) == len(snapshot(seeded, 2023))
    first_events = [it for _, it in desa.walk() if getattr(it, "kind", "") == "activity"][:1]
    assert any(g in (1, 2, 13, 16, 17) for g in first_events[0].sdgs)
    text = render(wsis, "md", tmp_path / "wsis.md").read_text()
    assert "## C2. Information and communication infrastructure" in text
    assert all(f"#{i}" in text for i in wsis.activity_ids)


def _supported_options() -> set[str]:
    from sdgmap.cli import cli

    res = CliRunner().invoke(cli, ["activities", "list", "--help"])
    return {w.split("=")[0].rstrip(",") for w in res.output.split() if w.startswith("--")}


def test_portfolio_counts_are_reproduced_by_the_printed_commands(sqlite_store, seed_paths):
    """SQLite only: ~150 CLI runs; the counts themselves are checked on both backends above."""
    from sdgmap.cli import cli

    # The TDAG document's ITU-D outcomes name Action Lines: the heat map gets cells.
    seeded = sqlite_store
    ingest_paths(seeded, [p for p in seed_paths if p.name.startswith(SEEDS + ("002_",))])
    with seeded.transaction() as s:
        report = build_report(s, "portfolio", entity="ITU", year=2024)
    appendix = next(sec for sec in report.sections if sec.title.startswith("Appendix: how"))
    rows = appendix.items[-1].rows
    options = _supported_options()
    runner = CliRunner()
    ran = 0
    # Every scope, type and goal count; a sample of the heat map and trend cells (each CLI
    # run opens the database anew, so all ~150 would take half a minute).
    heat = [r for r in rows if r[0].startswith("Heat map")]
    trend = [r for r in rows if " in 20" in r[0]]
    rows = [r for r in rows if r not in heat and r not in trend] + heat[::6] + trend[::6]
    for label, value, command in rows:
        args = shlex.split(command)[1:]  # drop the program name
        args[1] = seeded.url  # --db DB
        if not {a for a in args[args.index("list"):] if a.startswith("--")} <= options:
            continue  # an option this version of `activities list` lacks (see docs/reports.md)
        res = runner.invoke(cli, args)
        assert res.exit_code == 0, res.output
        assert len(json.loads(res.output)) == int(value), f"{label}: {command}"
        ran += 1
    # Scope, every type, the 17 goal counts, the heat map cells and the trends need only
    # options the CLI has had from the start.
    assert heat and trend and ran >= 18 + len(heat[::6]) + len(trend[::6])


def test_cli_report_on_seeds(sqlite_store, seed_paths, tmp_path):
    from sdgmap.cli import cli

    ingest_paths(sqlite_store, [p for p in seed_paths if p.name.startswith(SEEDS)])
    out = tmp_path / "portfolio.docx"
    res = CliRunner().invoke(cli, ["--db", sqlite_store.url, "report", "portfolio", "--entity", "ITU",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    from sdgmap.store.activity_queries import count_activities
    from sdgmap.store.filters import ActivityFilter

    with sqlite_store.transaction() as s:
        expected = count_activities(s, ActivityFilter(entity="ITU"))
    assert expected > 50 and f"{expected} register entries" in res.output
    assert Path(out).stat().st_size > 20_000  # charts are in it
