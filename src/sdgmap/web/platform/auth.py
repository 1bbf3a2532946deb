"""Who is asking: session cookies, API tokens, CSRF, and the login / invitation / reset pages.

Sessions live in the database (several workers share them); the cookie carries a random
id that is replaced at every login, so a planted id is never promoted (no fixation).
CSRF tokens (bound to the session when signed in, double-submit for anonymous forms,
none for bearer API tokens) are checked by ``sdgmap.web.security.check_csrf``, shared
with the pages and the JSON API. API tokens are limited to their scopes: a request acts
with its *effective role* (``Principal.acts_as``), which is what the domain functions get
(``Principal.actor``); a *read* token only reads (no votes, no token management).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sdgmap.errors import UserError
from sdgmap.platform import accounts, ratelimit
from sdgmap.store import tx
from sdgmap.store.platform_models import User
from sdgmap.web.app import login_redirect, render
from sdgmap.web.security import check_csrf, form_token

router = APIRouter(include_in_schema=False)

T = TypeVar("T")
# Ids in paths and queries: bounded so that a huge number is a 422, not a database error.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
# Audit trails also exist for row 0: operations whose subject has no id (framework imports).
AuditId = Annotated[int, Path(ge=0, le=2_147_483_647)]
SESSION_COOKIE = "sdgmap_session"
MAX_FORM_BYTES = 256 * 1024
SCOPE_ROLE = accounts.SCOPE_ROLE


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


def _load(request: Request) -> Principal | None:
    store = request.app.state.store
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        def by_token(s: Session) -> Principal:  # a write: the token's last_used_at
            found = accounts.token_user(s, auth[7:].strip())
            if found is None:
                raise HTTPException(401, "invalid or revoked API token")
            u, scopes = found
            return Principal(u.id, u.username, u.role, u.verified, via="token", scopes=scopes)
        return tx.run(store, by_token)
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


def needs(role: str) -> Callable[[Request], Principal]:
    """``require_role`` as a route dependency: FastAPI runs it before it validates the body,
    so a caller who may not write is told 401/403, not which fields the body needs."""
    def dependency(request: Request) -> Principal:
        return require_role(request, role)
    dependency.__name__ = f"needs_{role}"
    dependency.checks_access = True  # type: ignore[attr-defined]  # see web.app.access_refusal
    return dependency


def require_browser(request: Request) -> Principal:
    """The signed-in user of a browser session; an API token is refused (403): what it may do
    must not include making or revoking tokens (a leaked token would outlive its revocation)."""
    user = require_role(request, "viewer")
    if user.via == "token":
        raise HTTPException(403, "API tokens are made and revoked on the account page of a signed-in "
                                 "browser, not with a token")
    return user


def gate(request: Request, role: str) -> Principal | Response:
    """For pages: the user, or a redirect to the login page for an anonymous visitor."""
    if current_user(request) is None:
        return login_redirect(request)
    return require_role(request, role)


async def agate(request: Request, role: str) -> Principal | Response:
    """``gate`` for async handlers: the session lookup runs off the event loop."""
    return await run_in_threadpool(gate, request, role)


def _mapped(work: Callable[[Session], T], store, write: bool = True) -> T:
    try:
        return tx.run(store, work, write=write)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from None
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None


async def call(request: Request, work: Callable[[Session], T]) -> T:
    """Run one writing unit of work off the event loop; permission and lookup errors become 403/404."""
    return await run_in_threadpool(_mapped, work, request.app.state.store)


def call_sync(request: Request, work: Callable[[Session], T], write: bool = False) -> T:
    """``call`` for sync handlers, by default a read (it never waits for SQLite's writer)."""
    return _mapped(work, request.app.state.store, write)


def form_csrf(request: Request) -> str:
    """The token to put into this visitor's forms (``sdgmap.web.security.form_token``)."""
    return form_token(request)


async def read_form(request: Request) -> dict:
    """The posted form (size-limited), after the CSRF check; lists for repeated fields."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(411, "send the form with a Content-Length")
    if int(length) > MAX_FORM_BYTES:
        raise HTTPException(413, f"form too large (limit {MAX_FORM_BYTES // 1024} KB)")
    form = await request.form(max_files=0, max_fields=200)
    data: dict = {}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            raise HTTPException(400, "file uploads are not accepted here")
        if "\x00" in value:
            raise HTTPException(400, f"{key[:40]}: contains a NUL character")
        data.setdefault(key, []).append(value)
    flat = {k: v[0] if len(v) == 1 else v for k, v in data.items()}
    await run_in_threadpool(current_user, request)  # the session lookup, off the event loop
    check_csrf(request, flat.get("csrf_token") if isinstance(flat.get("csrf_token"), str) else None)
    return flat


def page(request: Request, name: str, status: int = 200, **ctx) -> Response:
    """Render one of our templates inside the site's base layout."""
    ctx["csrf"] = form_csrf(request)
    ctx["me"] = current_user(request)
    return render(request, name, status=status, **ctx)


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would make phishing links look like ours.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/account"
    return target


def _cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https",
                        max_age=int(accounts.SESSION_TTL.total_seconds()))


def _login(request: Request, user: User, s) -> str:
    return accounts.start_session(s, user, client_ip(request),
                                  replaces=request.cookies.get(SESSION_COOKIE)).token


def _limited(store, name: str, who: str) -> None:
    try:
        tx.run(store, lambda s: ratelimit.hit(s, name, who))
    except ratelimit.RateLimited as exc:
        raise HTTPException(429, str(exc)) from None


async def limited(request: Request, name: str, who: str) -> None:
    """Count an attempt in its own transaction, so that a failed login still counts."""
    await run_in_threadpool(_limited, request.app.state.store, name, who)


def _authenticate(request: Request, username: str, password: str) -> str:
    """A new session's token; the password check runs with no transaction open."""
    with request.app.state.store.transaction() as s:
        found = accounts.login_lookup(s, username)
    new_hash = accounts.verify_login(found, password)
    return _mapped(lambda s: _login(request, accounts.record_login(s, found, new_hash), s),
                   request.app.state.store)


@router.get("/login")
def login_form(request: Request, next: str = "/account") -> Response:
    return page(request, "platform/login.html", title="Log in", next=_safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    username, password = str(form.get("username", ""))[:64], str(form.get("password", ""))
    nxt = _safe_next(str(form.get("next", "")))
    ip = client_ip(request)
    await limited(request, "login", f"{ip}:{username.lower()}")
    try:
        token = await run_in_threadpool(_authenticate, request, username, password)
    except UserError as exc:
        return page(request, "platform/login.html", status=400, title="Log in", next=nxt,
                    error=str(exc), username=username)
    response = RedirectResponse(nxt, status_code=303)
    _cookie(request, response, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await read_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    await call(request, lambda s: accounts.end_session(s, token))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/signup")
def signup_form(request: Request) -> Response:
    _signup_open(request)
    return page(request, "platform/signup.html", title="Create an account")


def signup_open(request: Request) -> bool:
    """Self sign-up is on unless SDGMAP_SIGNUP=closed (read per request, so every worker
    started with the same environment agrees; an app may also set ``state.signup_open``)."""
    return getattr(request.app.state, "signup_open", os.environ.get("SDGMAP_SIGNUP", "open") != "closed")


def _signup_open(request: Request) -> None:
    if not signup_open(request):
        raise HTTPException(403, "sign-up is closed; ask the secretariat for an invitation")


@router.post("/signup")
async def signup(request: Request) -> Response:
    _signup_open(request)
    form = await read_form(request)
    await limited(request, "signup", client_ip(request))
    username = str(form.get("username", ""))[:64]

    def work(s):
        user = accounts.create_user(s, username, password_hash=hashed, role="contributor",
                                    email=str(form.get("email", ""))[:254],
                                    display_name=str(form.get("display_name", ""))[:200],
                                    verified=False, ip=client_ip(request))
        return _login(request, user, s)
    try:
        accounts.normalise_username(username)
        if form.get("password") != form.get("password2"):
            raise UserError("password: the two passwords differ")
        # argon2 is slow on purpose: hash before the write transaction, not holding its lock.
        hashed = await run_in_threadpool(accounts.hash_password, str(form.get("password", "")))
        token = await call(request, work)
    except UserError as exc:
        return page(request, "platform/signup.html", status=400, title="Create an account",
                    error=str(exc), form=form)
    response = RedirectResponse("/account", status_code=303)
    _cookie(request, response, token)
    return response


def _link_page(purpose: str):
    title = "Accept your invitation" if purpose == "invite" else "Choose a new password"

    def show(request: Request, token: str) -> Response:
        with request.app.state.store.transaction() as s:
            try:
                link = accounts.peek_link(s, token, purpose)
            except UserError as exc:
                return page(request, "platform/message.html", status=404, title=title, message=str(exc))
            username = link.user.username
        return page(request, "platform/set_password.html", title=title, username=username,
                    action=request.url.path)

    async def use(request: Request, token: str) -> Response:
        form = await read_form(request)

        def work(s):
            if form.get("password") != form.get("password2"):
                raise UserError("password: the two passwords differ")
            user = accounts.use_link(s, token, purpose, str(form.get("password", "")))
            return _login(request, user, s)
        try:
            session_token = await call(request, work)
        except UserError as exc:
            return page(request, "platform/set_password.html", status=400, title=title, error=str(exc),
                        action=request.url.path, username="")
        response = RedirectResponse("/account", status_code=303)
        _cookie(request, response, session_token)
        return response

    return show, use


for _purpose in ("invite", "reset"):
    _show, _use = _link_page(_purpose)
    router.add_api_route(f"/{_purpose}/{{token}}", _show, methods=["GET"])
    router.add_api_route(f"/{_purpose}/{{token}}", _use, methods=["POST"])


@router.get("/account")
def account(request: Request) -> Response:
    me = gate(request, "viewer")
    if isinstance(me, Response):
        return me
    from sqlalchemy import select

    from sdgmap.platform import submissions as subs
    from sdgmap.store.platform_models import ApiToken

    with request.app.state.store.transaction() as s:
        user = s.get(User, me.id)
        mine = [subs.submission_dict(x, private=True) for x in subs.list_submissions(s, me.actor(), mine=True)]
        tokens = [accounts.token_dict(t) for t in s.scalars(select(ApiToken).where(ApiToken.user_id == me.id))]
        info = accounts.user_dict(user)
    return page(request, "platform/account.html", title="Your account", user=info, mine=mine,
                tokens=tokens, scopes=accounts.SCOPES)


@router.post("/account/tokens")
async def new_token(request: Request) -> Response:
    me = await run_in_threadpool(require_browser, request)
    form = await read_form(request)
    scopes = form.get("scopes", [])
    scopes = [scopes] if isinstance(scopes, str) else scopes
    if any(sc not in SCOPE_ROLE or not me.can(SCOPE_ROLE[sc]) for sc in scopes):
        raise HTTPException(403, "a token cannot have more rights than its owner")

    def work(s):
        secret, _ = accounts.issue_token(s, s.get(User, me.id), str(form.get("name", "token"))[:100],
                                         scopes, me.username)
        return secret
    secret = await call(request, work)
    return page(request, "platform/message.html", title="New API token",
                message="Copy this token now; it is shown only once and stored hashed.", secret=secret,
                back="/account")


@router.post("/account/tokens/{token_id}/revoke")
async def revoke(request: Request, token_id: Id) -> Response:
    me = await run_in_threadpool(require_browser, request)
    await read_form(request)

    def work(s):
        accounts.revoke_token(s, token_id, me.actor())
    await call(request, work)
    return RedirectResponse("/account", status_code=303)
