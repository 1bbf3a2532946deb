"""``sdgmap db``: schema upgrades and status."""

from __future__ import annotations

import click

from sdgmap.cli.common import AppContext, console, json_option, pass_app, print_json
from sdgmap.frameworks.builtin import open_store
from sdgmap.store.queries import table_counts


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@pass_app
def upgrade(app: AppContext) -> None:
    """Create the database or bring its schema to the newest version."""
    store = open_store(app.db, upgrade=False)
    try:
        changed = store.upgrade()
        rev = store.current_revision()
    finally:
        store.dispose()
    msg = "created with built-in frameworks" if store.created else ("upgraded" if changed else "already up to date")
    console.print(f"{store.url.split('@')[-1]}: {msg} (schema revision {rev})")


@db_group.command("status")
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Show the schema revision and row counts."""
    store = app.store
    with store.transaction() as s:
        counts = table_counts(s)
    data = {"url": store.url.split("@")[-1], "dialect": store.dialect, "revision": store.current_revision(),
            "counts": counts}
    if as_json:
        print_json(data)
    else:
        console.print(f"{data['url']} ({data['dialect']}, revision {data['revision']})")
        for k, v in counts.items():
            console.print(f"  {k:<18} {v:>8,}")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
