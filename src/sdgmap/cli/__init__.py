"""The ``sdgmap`` command line: a thin layer over the core; one module per command group."""

from __future__ import annotations

import click

from sdgmap import __version__
from sdgmap.classify.semantic import describe
from sdgmap.cli.common import AppContext, SdgmapGroup, run_main


def _version_text() -> str:
    return f"sdgmap {__version__}\n{describe()}"


@click.group(cls=SdgmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="SDGMAP_DB", default="sdgmap.db", show_default=True,
              help="SQLite file path or database URL (postgresql+psycopg://...). Env: SDGMAP_DB.")
@click.version_option(__version__, "--version", message=_version_text(), prog_name="sdgmap")
@click.pass_context
def cli(ctx: click.Context, db: str) -> None:
    """sdgmap: map an organisation's work to the SDGs, with evidence, and write the reports."""
    ctx.obj = AppContext(db)
    ctx.call_on_close(ctx.obj.close)


# Command groups register themselves here; each lives in its own module.
from sdgmap.cli import backup as _backup  # noqa: E402
from sdgmap.cli import classify as _classify  # noqa: E402
from sdgmap.cli import db as _db  # noqa: E402
from sdgmap.cli import devdata as _devdata  # noqa: E402
from sdgmap.cli import frameworks as _frameworks  # noqa: E402
from sdgmap.cli import ingest as _ingest  # noqa: E402
from sdgmap.cli import links as _links  # noqa: E402
from sdgmap.cli import report as _report  # noqa: E402
from sdgmap.cli import serve as _serve  # noqa: E402
from sdgmap.cli import users as _users  # noqa: E402

for _module in (_classify, _db, _devdata, _frameworks, _ingest, _links, _report, _serve, _backup, _users):
    _module.register(cli)


def main() -> None:
    run_main(cli)
