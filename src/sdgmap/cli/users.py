"""``sdgmap users``: accounts, roles, API tokens and one-time invitation/reset links."""

from __future__ import annotations

import getpass
import sys

import click

from sdgmap.cli.common import AppContext, json_option, pass_app, print_json, print_table
from sdgmap.errors import UserError
from sdgmap.platform import accounts
from sdgmap.platform.accounts import user_dict
from sdgmap.store.platform_models import ApiToken, User

ACTOR = "cli"


def _link(base_url: str, purpose: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{'invite' if purpose == 'invite' else 'reset'}/{token}"


@click.group("users")
def users() -> None:
    """Accounts and roles (viewer, contributor, reviewer, admin)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "contributor", "reviewer", "admin"]),
              default="contributor", show_default=True)
@click.option("--email", default="")
@click.option("--name", "display_name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--base-url", envvar="SDGMAP_BASE_URL", default="http://127.0.0.1:8000", show_default=True,
              help="Where the web app is served, for the invitation link. Env: SDGMAP_BASE_URL.")
@json_option
@pass_app
def add(app: AppContext, username: str, role: str, email: str, display_name: str,
        password_stdin: bool, base_url: str, as_json: bool) -> None:
    """Create an account. Without --password-stdin, print a one-time invitation link."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    with app.store.transaction(write=True) as s:
        user = accounts.create_user(s, username, password=password, role=role, email=email,
                                    display_name=display_name, verified=True, actor=ACTOR)
        link = None if password else _link(base_url, "invite", accounts.issue_link(s, user, "invite", ACTOR))
        out = accounts.user_dict(user) | {"invite_link": link}
    if as_json:
        print_json(out)
    else:
        click.echo(f"Created {out['username']} ({role}).")
        if link:
            click.echo(f"Invitation link (one use, 7 days): {link}")


@users.command("list")
@json_option
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List accounts."""
    from sqlalchemy import select


    with app.store.transaction() as s:
        rows = [user_dict(u) for u in s.scalars(select(User).order_by(User.username))]
    if as_json:
        print_json(rows)
    else:
        print_table(["username", "role", "verified", "active", "email", "created"],
                    [[r["username"], r["role"], r["verified"], r["active"], r["email"], r["created_at"][:16]]
                     for r in rows])


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["viewer", "contributor", "reviewer", "admin"]))
@pass_app
def set_role(app: AppContext, username: str, role: str) -> None:
    """Change an account's role."""
    with app.store.transaction(write=True) as s:
        accounts.update_user(s, accounts.get_user(s, username), ACTOR, role=role)
    click.echo(f"{username}: {role}")


@users.command("verify")
@click.argument("username")
@click.option("--undo", is_flag=True, help="Mark the account unverified (it can no longer vote).")
@pass_app
def verify(app: AppContext, username: str, undo: bool) -> None:
    """Mark an account verified (verified accounts may vote)."""
    with app.store.transaction(write=True) as s:
        accounts.update_user(s, accounts.get_user(s, username), ACTOR, verified=not undo)
    click.echo(f"{username}: {'unverified' if undo else 'verified'}")


@users.command("token")
@click.argument("username")
@click.option("--name", default="script", show_default=True)
@click.option("--scope", "scopes", multiple=True, default=("read",), show_default=True,
              type=click.Choice(["read", "submit", "review", "admin"]))
@click.option("--list", "list_only", is_flag=True, help="List this user's tokens instead.")
@click.option("--revoke", type=int, help="Revoke the token with this id.")
@json_option
@pass_app
def token(app: AppContext, username: str, name: str, scopes: tuple[str, ...], list_only: bool,
          revoke: int | None, as_json: bool) -> None:
    """Issue an API token (printed once), list tokens, or revoke one."""
    from sqlalchemy import select


    with app.store.transaction(write=True) as s:
        user = accounts.get_user(s, username)
        if revoke is not None:
            tok = s.get(ApiToken, revoke)
            if tok is None or tok.user_id != user.id:
                raise UserError(f"{username} has no token {revoke}")
            if tok.revoked_at is not None:
                click.echo(f"token {revoke} was already revoked")
                return
            tok.revoked_at = accounts.utcnow()
            accounts.audit.record(s, ACTOR, "api_tokens", tok.id, "revoke", {}, {})
            click.echo(f"revoked token {revoke}")
            return
        if list_only:
            rows = [accounts.token_dict(t) for t in s.scalars(select(ApiToken).where(ApiToken.user_id == user.id))]
            if as_json:
                print_json(rows)
            else:
                print_table(["id", "name", "prefix", "scopes", "revoked"],
                            [[r["id"], r["name"], r["prefix"], ",".join(r["scopes"]), r["revoked"]] for r in rows])
            return
        secret, tok = accounts.issue_token(s, user, name, list(scopes), ACTOR)
        out = accounts.token_dict(tok) | {"token": secret}
    if as_json:
        print_json(out)
    else:
        click.echo(secret)
        click.echo(f"(token {out['id']}, scopes {','.join(out['scopes'])}; shown once, stored hashed)", err=True)


@users.command("reset-link")
@click.argument("username")
@click.option("--base-url", envvar="SDGMAP_BASE_URL", default="http://127.0.0.1:8000", show_default=True,
              help="Where the web app is served. Env: SDGMAP_BASE_URL.")
@pass_app
def reset_link(app: AppContext, username: str, base_url: str) -> None:
    """Print a one-time password-reset link for an account (no mail server needed)."""
    with app.store.transaction(write=True) as s:
        secret = accounts.issue_link(s, accounts.get_user(s, username), "reset", ACTOR)
    click.echo(_link(base_url, "reset", secret))


@users.command("set-password")
@click.argument("username")
@pass_app
def set_password(app: AppContext, username: str) -> None:
    """Set a password (read from standard input, or prompted for on a terminal)."""
    password = getpass.getpass("New password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    with app.store.transaction(write=True) as s:
        accounts.set_password(s, accounts.get_user(s, username), password, ACTOR)
    click.echo(f"{username}: password set")


def register(cli: click.Group) -> None:
    cli.add_command(users)
