"""``sdgmap export --all FILE`` and ``sdgmap import FILE``: whole-database backups."""

from __future__ import annotations

import signal

import click

from sdgmap.cli.common import AppContext, json_option, pass_app, print_json, print_table
from sdgmap.errors import UserError
from sdgmap.store.backup import export_all, import_all


@click.command("export")
@click.option("--all", "everything", is_flag=True, help="Everything (the only mode so far).")
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
@pass_app
def export(app: AppContext, everything: bool, file: str, as_json: bool) -> None:
    """Write a backup of the whole database to FILE (JSON; FILE.gz compresses).

    Sessions, API tokens, one-time links and password hashes are left out.
    """
    if not everything:
        raise UserError("say what to export: --all (frameworks, activities, links, users, submissions, votes, audit)")
    # SIGTERM (systemd, timeout, kill) ends the export like Ctrl-C: the partial file is removed.
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        counts = export_all(app.store, file)
    finally:
        signal.signal(signal.SIGTERM, previous)
    _report(counts, as_json, f"Exported to {file}")


def _terminate(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="Replace the content of a database that is not empty.")
@json_option
@pass_app
def import_(app: AppContext, file: str, replace: bool, as_json: bool) -> None:
    """Restore a backup written by ``sdgmap export --all`` (one transaction)."""
    counts = import_all(app.store, file, replace=replace)
    _report(counts, as_json, f"Imported {file}")


def _report(counts: dict[str, int], as_json: bool, title: str) -> None:
    if as_json:
        print_json(counts)
    else:
        print_table(["table", "rows"], sorted(counts.items()), title=title)


def register(cli: click.Group) -> None:
    cli.add_command(export)
    cli.add_command(import_)
