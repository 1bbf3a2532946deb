"""Shared CLI plumbing: the lazily opened store, JSON/table output, friendly errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence

import click
from rich.console import Console
from rich.table import Table

from sdgmap.errors import UserError
from sdgmap.frameworks.builtin import open_store
from sdgmap.store import Store

console = Console()


class AppContext:
    def __init__(self, db: str) -> None:
        self.db = db
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.db)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()


pass_app = click.make_pass_decorator(AppContext)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def print_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_table(columns: Sequence[str], rows: Iterable[Sequence], title: str | None = None) -> None:
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)


class UserFailure(click.ClickException):
    """A ``UserError`` surfaced by the CLI: one line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.message}", err=True)


class SdgmapGroup(click.Group):
    """Turns user errors raised anywhere below into one clear line, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            raise UserFailure(str(exc)) from None


def run_main(group: click.Group) -> None:
    try:
        group.main(prog_name="sdgmap")
    except KeyboardInterrupt:
        sys.exit(130)
