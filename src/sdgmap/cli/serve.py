"""``sdgmap serve`` and ``sdgmap demo``: run the web app over a database."""

from __future__ import annotations

import click

from sdgmap.cli.common import AppContext, console, pass_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@pass_app
def serve(app: AppContext, host: str, port: int) -> None:
    """Serve the web app for this database."""
    import uvicorn

    from sdgmap.web import create_app

    console.print(f"sdgmap serving {app.store.url.split('@')[-1]} at http://{host}:{port}/")
    uvicorn.run(create_app(app.store), host=host, port=port, log_level="warning")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--rebuild", is_flag=True, help="Rebuild the demo database even if it exists.")
@click.option("--no-serve", is_flag=True, help="Only build the demo database.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, rebuild: bool, no_serve: bool) -> None:
    """Build the ITU example database (if missing) and serve it."""
    from sdgmap.demo import build_demo

    app: AppContext = ctx.obj
    path = build_demo(app.db, rebuild=rebuild)
    console.print(f"Demo database ready: {path}")
    if not no_serve:
        ctx.invoke(serve, host=host, port=port)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(demo)
