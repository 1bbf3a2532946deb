"""Who is asking, and what their account lets them do.

``current_user`` loads the caller once per request: a bearer API token (``Authorization:
Bearer``, scoped, revocable) or a session cookie (sessions live in the database, so several
workers share them). The result is a ``Principal`` of plain values; a request acts with its
*effective role* (``Principal.acts_as``: a token acts with at most its widest scope, never
above its owner), which is what the domain functions get (``Principal.actor``).

Two modes, decided by the database itself: **single-user** (no account exists, e.g.
``make demo`` on a laptop: whoever reaches the server may review and upload) and
**multi-user** (``accounts_in_use``: writes need a signed-in account holding the role).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import HTTPException, Request
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from sdgmap.platform import accounts
from sdgmap.store import tx
from sdgmap.store.platform_models import User

SESSION_COOKIE = "sdgmap_session"


@dataclass
class Principal:
    """The signed-in account as seen by one request (plain values, no live ORM object)."""

    id: int
    username: str
    role: str
    verified: bool
    csrf: str = ""
    via: str = "session"  # or "token"
    scopes: list[str] = field(default_factory=list)

    @property
    def acts_as(self) -> str | None:
        """The effective role: a token acts with at most its widest scope, never above its owner."""
        return accounts.effective_role(self.role, self.scopes if self.via == "token" else None)

    def can(self, role: str) -> bool:
        return accounts.has_role(self.acts_as, role)

    def actor(self) -> accounts.Actor:
        """Who acts, for the domain functions: with the effective role, not the account's."""
        return accounts.Actor(self.id, self.username, self.acts_as)

    @property
    def writes(self) -> bool:
        """A browser session, or a token with a scope beyond *read*: a read token only reads."""
        return self.via != "token" or any(sc != "read" for sc in self.scopes)


def client_ip(request: Request) -> str:
    # Behind a reverse proxy, uvicorn --proxy-headers puts the real address here.
    return request.client.host if request.client else ""


def _by_token(s: Session, secret: str) -> Principal:
    """The token's owner (a write: the token's last_used_at); 401 for an unknown token."""
    found = accounts.token_user(s, secret)
    if found is None:
        raise HTTPException(401, "invalid or revoked API token")
    u, scopes = found
    return Principal(u.id, u.username, u.role, u.verified, via="token", scopes=scopes)


def _load(request: Request) -> Principal | None:
    store = request.app.state.store
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        secret = auth[7:].strip()
        return tx.run(store, lambda s: _by_token(s, secret))
    with store.transaction() as s:
        found = accounts.session_user(s, request.cookies.get(SESSION_COOKIE))
        if found is None:
            return None
        u, ws = found
        return Principal(u.id, u.username, u.role, u.verified, csrf=ws.csrf)


def current_user(request: Request) -> Principal | None:
    """The account behind this request, or None for an anonymous visitor (a dependency)."""
    if not hasattr(request.state, "principal"):
        request.state.principal = _load(request)
    return request.state.principal


def require_role(request: Request, role: str) -> Principal:
    """The user if they hold ``role``; else 401 (not signed in) or 403 (not allowed)."""
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "log in (or send an API token) first")
    if not user.can(role):
        raise HTTPException(403, f"this needs the {role} role")
    return user


def accounts_in_use(request: Request) -> bool:
    """True once the database holds any account (multi-user mode)."""
    if not hasattr(request.state, "accounts_in_use"):
        with request.app.state.store.transaction() as s:
            request.state.accounts_in_use = bool(s.scalar(select(exists().where(User.id.is_not(None)))))
    return request.state.accounts_in_use


def require_writer(request: Request, role: str = "reviewer") -> None:
    """In multi-user mode, raise 401/403 unless the signed-in account holds ``role``."""
    if accounts_in_use(request):
        require_role(request, role)


def signed_in_name(request: Request) -> str | None:
    """The signed-in account's name (it then replaces the typed reviewer name in the audit
    trail); None for an anonymous visitor."""
    user = current_user(request)
    return user.username if user else None
