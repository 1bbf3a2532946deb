"""Shared CLI plumbing: the lazily opened store, JSON/table output, friendly errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence

import click
from rich.console import Console
from rich.table import Table

from sdgmap.store import Store

console = Console()
err_console = Console(stderr=True)


class AppContext:
    def __init__(self, db: str) -> None:
        self.db = db
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.db)
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


def run_main(group: click.Group) -> None:
    """Run the CLI; known user errors become one clear line and exit code 2, never a traceback."""
    from sdgmap.errors import UserError

    try:
        group.main(standalone_mode=False)
    except click.exceptions.Abort:
        err_console.print("Aborted.")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UserError as exc:
        err_console.print(f"[bold red]Error:[/] {exc}", highlight=False, markup=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
