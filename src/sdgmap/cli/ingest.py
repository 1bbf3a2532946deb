"""``sdgmap ingest FILE...`` (reports -> register) and ``sdgmap activities list`` (the register)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from sdgmap.cli.common import AppContext, console, json_option, pass_app, print_json, print_table
from sdgmap.ingest import expand_paths, ingest_paths
from sdgmap.store.activity_queries import query_activities
from sdgmap.store.filters import ActivityFilter

err_console = Console(stderr=True)
ACTIVITY_TYPES = ("decision", "event", "publication", "partnership", "project", "pledge", "initiative", "outcome")


@click.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--year", type=click.IntRange(1945, 2100), help="Report year (default: from the document).")
@click.option("--entity", help="Reporting entity, e.g. ITU (default: from the document).")
@click.option("--max-size-mb", type=click.FloatRange(min=0, min_open=True), default=50.0, show_default=True,
              help="Refuse files larger than this.")
@json_option
@pass_app
def ingest_cmd(app: AppContext, files: tuple[Path, ...], year: int | None, entity: str | None,
               max_size_mb: float, as_json: bool) -> None:
    """Read reports (.txt .md .docx .pdf .html, or folders of them) into the register.

    Every file is checked before anything is written; a bad file stops the run with one
    line naming it, and the database is unchanged. Re-ingesting a file changes nothing.
    """
    max_bytes = int(max_size_mb * 1024 * 1024)
    show_bar = not as_json and (len(files) > 1 or any(f.is_dir() for f in files)) and console.is_terminal
    if show_bar:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err_console, transient=True) as bar:
            files = tuple(expand_paths(files))
            task = bar.add_task("Ingesting", total=len(files))
            report = ingest_paths(app.store, files, year=year, entity=entity, max_bytes=max_bytes,
                                  progress=lambda name: bar.update(task, advance=1, description=name))
    else:
        report = ingest_paths(app.store, files, year=year, entity=entity, max_bytes=max_bytes)
    data = report.as_dict()
    if as_json:
        print_json(data)
        return
    print_table(["file", "status", "year", "new activities", "merged", "links", "mentions", "warnings"],
                [(f.filename, f.status, f.year or "", sum(f.activities.values()), f.merged, f.links,
                  f.mentions, len(f.warnings)) for f in report.files], title="Files")
    totals = report.activities
    if totals:
        print_table(["type", "new activities"], sorted(totals.items()), title="Activities by type")
    console.print(f"{data['activities_total']} new activities, {data['links']} stated links, "
                  f"{data['mentions']} mentions; {data['unchanged']} file(s) already in the register.")
    for w in report.warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)


@click.group("activities")
def activities_group() -> None:
    """The register of activities."""


@activities_group.command("list")
@click.option("--type", "type_", type=click.Choice(ACTIVITY_TYPES), help="Activity type.")
@click.option("--sdg", type=click.IntRange(1, 17), help="Linked to this goal (or a target of it).")
@click.option("--year", type=int, help="Report year.")
@click.option("--entity", help="Reporting entity.")
@click.option("--target", help="Linked to this SDG target (or an indicator of it), e.g. 9.c.")
@click.option("--action-line", help="Linked to this WSIS Action Line, e.g. C5.")
@click.option("--node", help="Linked to any framework node, e.g. itu-sp-2020:D.2-2.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["stated", "curated", "suggested"]),
              help="Count only links of this kind (repeatable; default: all three).")
@click.option("--trust", type=click.Choice(["trusted", "unreviewed"]),
              help="Count only trusted links (stated, curated, accepted suggestions) or only "
                   "suggestions awaiting review.")
@click.option("--partner", help="A partner name contains this text.")
@click.option("--text", help="Words in the title or description.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@json_option
@pass_app
def activities_list(app: AppContext, type_: str | None, sdg: int | None, year: int | None,
                    entity: str | None, target: str | None, action_line: str | None, node: str | None,
                    kinds: tuple[str, ...], trust: str | None, partner: str | None, text: str | None,
                    limit: int | None, as_json: bool) -> None:
    """List activities with their SDGs, targets, Action Lines and sources."""
    f = ActivityFilter(type=type_, sdg=sdg, year=year, entity=entity, target=target, action_line=action_line,
                       node=node, partner=partner, text=text, trust=trust)
    if kinds:
        f.link_kinds = tuple(kinds)
    with app.store.transaction() as s:
        rows = query_activities(s, f, limit=limit)
    if as_json:
        print_json(rows)
        return
    print_table(["id", "type", "year", "title", "dates", "SDGs", "Action Lines", "sources"],
                [(a["id"], a["type"], a["year"], a["title"][:70], a["dates"]["text"][:30],
                  _sdg_text(a["sdgs"], a["primary_sdgs"]), " ".join(a["action_lines"]), len(a["sources"]))
                 for a in rows], title=f"{len(rows)} activities")


def _sdg_text(sdgs: list[int], primary: list[int]) -> str:
    if len(sdgs) == 17:
        base = "all"
    else:
        base = " ".join(str(g) for g in sdgs)
    if primary:
        base += " (primary " + " ".join(str(g) for g in primary) + ")"
    return base


def register(cli: click.Group) -> None:
    cli.add_command(ingest_cmd)
    cli.add_command(activities_group)
