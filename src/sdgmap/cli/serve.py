"""``sdgmap serve`` and ``sdgmap demo``: run the web app over a database.

What a server started here trusts is set here: forwarded client addresses only from the
proxies named in ``--forwarded-allow-ips`` (none by default, so a client cannot choose the
address that rate limits see), the site address that invitation and reset links use
(``--base-url``, never the request's Host header), and no anonymous writes from the network
(a database without accounts is served on a non-loopback address only with
``--allow-anonymous-writes``).
"""

from __future__ import annotations

import ipaddress
import socket

import click
from sqlalchemy import exists, select

from sdgmap.cli.common import AppContext, console, pass_app
from sdgmap.demo import build_demo
from sdgmap.errors import UserError
from sdgmap.store import Store
from sdgmap.store.platform_models import User
from sdgmap.web import create_app
from sdgmap.web.app import site_address

WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def _has_accounts(store: Store) -> bool:
    with store.transaction() as s:
        return bool(s.scalar(select(exists().where(User.id.is_not(None)))))


def _check_single_user(store: Store, host: str, allow_anonymous_writes: bool) -> None:
    if is_loopback(host) or _has_accounts(store):
        return
    if not allow_anonymous_writes:
        raise UserError(
            f"this database has no accounts, so whoever can reach the server may upload and review "
            f"(single-user mode); {host or 'this address'} is reachable from the network. Create an "
            f"admin first (sdgmap users add NAME --role admin), serve on 127.0.0.1, or pass "
            f"--allow-anonymous-writes if anyone who can reach it may really write.")
    console.print(f"[bold red]WARNING: single-user mode on {host}: anyone who can reach this server "
                  f"can upload documents and change the register (--allow-anonymous-writes).[/]")


def _default_base_url(host: str, port: int) -> str:
    # The address the server was started with; a wildcard address is no place to send people.
    name = socket.gethostname() if host in WILDCARD_HOSTS else host
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return f"http://{name}:{port}"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--forwarded-allow-ips", envvar="SDGMAP_FORWARDED_ALLOW_IPS", default="", show_default=True,
              help="Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
                   "X-Forwarded-Proto are trusted ('*' for any). Default: none, so the client "
                   "address is the connection's. Env: SDGMAP_FORWARDED_ALLOW_IPS.")
@click.option("--base-url", envvar="SDGMAP_BASE_URL", default="",
              help="The site's public address (https://sdg.example.org), used in invitation and "
                   "reset links. Default: http://HOST:PORT. Env: SDGMAP_BASE_URL.")
@click.option("--allow-anonymous-writes", is_flag=True,
              help="Serve a database without accounts on a non-loopback address, where anyone "
                   "who can reach it may write.")
@pass_app
def serve(app: AppContext, host: str, port: int, forwarded_allow_ips: str = "", base_url: str = "",
          allow_anonymous_writes: bool = False) -> None:
    """Serve the web app for this database."""
    import uvicorn


    _check_single_user(app.store, host, allow_anonymous_writes)
    web = create_app(app.store)
    web.state.base_url = site_address(base_url or _default_base_url(host, port))
    proxies = forwarded_allow_ips.strip()
    console.print(f"sdgmap serving {app.store.url.split('@')[-1]} at http://{host}:{port}/ "
                  f"(links use {web.state.base_url}; forwarded headers trusted from: {proxies or 'nobody'})")
    # uvicorn trusts X-Forwarded-* from 127.0.0.1 unless told otherwise: say it explicitly.
    uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--rebuild", is_flag=True, help="Rebuild the demo database even if it exists.")
@click.option("--no-serve", is_flag=True, help="Only build the demo database.")
@click.option("--allow-anonymous-writes", is_flag=True,
              help="Serve on a non-loopback address although the demo has no accounts.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, rebuild: bool, no_serve: bool,
         allow_anonymous_writes: bool) -> None:
    """Build the ITU example database (if missing) and serve it."""
    app: AppContext = ctx.obj
    path = build_demo(app.db, rebuild=rebuild)
    console.print(f"Demo database ready: {path}")
    if not no_serve:
        ctx.invoke(serve, host=host, port=port, allow_anonymous_writes=allow_anonymous_writes)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(demo)
