"""``sdgmap frameworks``: list, show, search, export and import frameworks and crosswalks."""

from __future__ import annotations

import csv
import io
import json

import click
import yaml

from sdgmap.cli.common import AppContext, console, json_option, pass_app, print_json, print_table
from sdgmap.errors import UserError
from sdgmap.frameworks import read_framework_file, save_crosswalk, save_framework
from sdgmap.frameworks.export import export_framework
from sdgmap.store.audit import record_operation
from sdgmap.store.models import Framework
from sdgmap.store.queries import framework_nodes, framework_summaries, search_nodes


@click.group("frameworks")
def frameworks_group() -> None:
    """Frameworks as data: SDGs, WSIS Action Lines, strategic plans, KPI sets, crosswalks."""


@frameworks_group.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List the loaded frameworks with their node and link counts."""
    with app.store.transaction() as s:
        rows = framework_summaries(s)
    if as_json:
        print_json(rows)
        return
    print_table(["id", "name", "version", "nodes", "links", "built-in"],
                [(r["id"], r["name"], r["version"], r["nodes"], r["links"], "yes" if r["builtin"] else "")
                 for r in rows], title="Frameworks")


def _get(s, framework_id: str) -> Framework:
    fw = s.get(Framework, framework_id)
    if fw is None:
        known = ", ".join(r["id"] for r in framework_summaries(s))
        raise UserError(f"no framework {framework_id!r} (known: {known})")
    return fw


@frameworks_group.command("show")
@click.argument("framework_id")
@click.option("--kind", help="Only nodes of this kind (goal, target, indicator, ...).")
@json_option
@pass_app
def show(app: AppContext, framework_id: str, kind: str | None, as_json: bool) -> None:
    """Show a framework and its nodes."""
    with app.store.transaction() as s:
        fw = _get(s, framework_id)
        nodes = framework_nodes(s, framework_id)
        meta = {"id": fw.id, "name": fw.name, "version": fw.version, "source": fw.source, "licence": fw.licence,
                "description": fw.description}
    if kind:
        nodes = [n for n in nodes if n["kind"] == kind]
    if as_json:
        print_json(meta | {"nodes": nodes})
        return
    console.print(f"[bold]{meta['name']}[/] ({meta['id']}, {meta['version']})")
    console.print(f"Source: {meta['source']}\nLicence: {meta['licence']}", highlight=False)
    print_table(["code", "kind", "title", "parent"],
                [(n["code"], n["kind"], n["title"][:120], n["parent"]) for n in nodes])


@frameworks_group.command("search")
@click.argument("text")
@click.option("--framework", "framework_id", help="Limit to one framework.")
@click.option("--limit", default=50, show_default=True)
@json_option
@pass_app
def search(app: AppContext, text: str, framework_id: str | None, limit: int, as_json: bool) -> None:
    """Find nodes whose code or title contains TEXT."""
    with app.store.transaction() as s:
        rows = search_nodes(s, text, framework_id, limit)
    if as_json:
        print_json(rows)
    else:
        print_table(["node", "kind", "title"], [(r["ref"], r["kind"], r["title"][:120]) for r in rows])


@frameworks_group.command("export")
@click.argument("framework_id")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "yaml"]), default="yaml", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@pass_app
def export(app: AppContext, framework_id: str, fmt: str, output: str | None) -> None:
    """Export a framework in the import format (YAML/JSON with links; CSV nodes only)."""
    with app.store.transaction() as s:
        _get(s, framework_id)
        doc = export_framework(s, framework_id)
    if fmt == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    elif fmt == "yaml":
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    else:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["code", "kind", "title", "parent", "short_title"])
        for n in doc["nodes"]:
            writer.writerow([n["code"], n["kind"], n["title"], n.get("parent") or "", n.get("short_title", "")])
        text = buf.getvalue()
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        console.print(f"Wrote {output}")
    else:
        click.echo(text, nl=False)


@frameworks_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="Update a framework that already exists (nodes matched by code).")
@click.option("--id", "fid", help="Framework id for a CSV file (default: file name).")
@click.option("--name", help="Framework name for a CSV file.")
@click.option("--version", "version", help="Version for a CSV file.")
@click.option("--source", help="Source document for links stated in a CSV file.")
@json_option
@pass_app
def import_(app: AppContext, path: str, replace: bool, fid: str | None, name: str | None, version: str | None,
            source: str | None, as_json: bool) -> None:
    """Import a framework or a crosswalk file (YAML or CSV; see docs/frameworks.md).

    The whole file is checked first and written in one transaction: a bad file changes nothing.
    """
    meta = {k: v for k, v in {"id": fid, "name": name, "version": version, "source": source}.items() if v}
    spec = read_framework_file(path, **meta)
    with app.store.transaction(write=True) as s:
        if spec.id == "__crosswalk__":
            n = save_crosswalk(s, spec)
            result = {"crosswalk": spec.name, "links": n, "file": path}
        else:
            save_framework(s, spec, replace=replace)
            result = {"framework": spec.id, "nodes": len(spec.nodes), "links": len(spec.links), "file": path}
        record_operation(s, None, "frameworks", "import", result | {"replace": replace})
    if as_json:
        print_json(result)
    elif "crosswalk" in result:
        console.print(f"Imported crosswalk {result['crosswalk']!r}: {result['links']} links from {path}")
    else:
        console.print(f"Imported framework {result['framework']!r}: {result['nodes']} nodes, {result['links']} links")


def register(cli: click.Group) -> None:
    cli.add_command(frameworks_group)
