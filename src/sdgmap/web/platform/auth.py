"""The account pages: log in and out, self sign-up, invitation and reset links, the account
page and its API tokens.

Who is asking is ``sdgmap.web.identity``; this module starts and ends sessions. The cookie
carries a random id that is replaced at every login, so a planted id is never promoted (no
fixation). Tokens are made and revoked only by a signed-in browser (``deps.Browser``).
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sdgmap.errors import UserError
from sdgmap.platform import accounts
from sdgmap.platform import submissions as subs
from sdgmap.store.platform_models import ApiToken, User
from sdgmap.web.deps import Browser, Form, Id, Viewer, field, limited, run
from sdgmap.web.identity import SESSION_COOKIE, Principal, client_ip
from sdgmap.web.render import page
from sdgmap.web.security import safe_next

router = APIRouter(include_in_schema=False)
SCOPE_ROLE = accounts.SCOPE_ROLE


def signup_open(request: Request) -> bool:
    """Self sign-up is on unless SDGMAP_SIGNUP=closed (read per request, so every worker
    started with the same environment agrees; an app may also set ``state.signup_open``)."""
    return getattr(request.app.state, "signup_open", os.environ.get("SDGMAP_SIGNUP", "open") != "closed")


def _signup_is_open(request: Request) -> None:
    if not signup_open(request):
        raise HTTPException(403, "sign-up is closed; ask the secretariat for an invitation")


SignupOpen = Annotated[None, Depends(_signup_is_open)]


def _cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https",
                        max_age=int(accounts.SESSION_TTL.total_seconds()))


def _signed_in(request: Request, token: str, to: str) -> Response:
    """A redirect to ``to`` that carries the new session's cookie."""
    response = RedirectResponse(to, status_code=303)
    _cookie(request, response, token)
    return response


def _start_session(s: Session, request: Request, user: User) -> str:
    return accounts.start_session(s, user, client_ip(request),
                                  replaces=request.cookies.get(SESSION_COOKIE)).token


def _record_login(s: Session, request: Request, found, new_hash) -> str:
    return _start_session(s, request, accounts.record_login(s, found, new_hash))


def _authenticate(request: Request, username: str, password: str) -> str:
    """A new session's token; the password check runs with no transaction open."""
    with request.app.state.store.transaction() as s:
        found = accounts.login_lookup(s, username)
    new_hash = accounts.verify_login(found, password)
    return run(request, _record_login, request, found, new_hash)


@router.get("/login")
def login_form(request: Request, next: str = "/account") -> Response:
    return page(request, "platform/login.html", title="Log in", next=safe_next(next, "/account"))


@router.post("/login")
def login(request: Request, form: Form) -> Response:
    username, password = field(form, "username", 64), field(form, "password")
    nxt = safe_next(field(form, "next"), "/account")
    limited(request, "login", f"{client_ip(request)}:{username.lower()}")
    try:
        token = _authenticate(request, username, password)
    except UserError as exc:
        return page(request, "platform/login.html", status=400, title="Log in", next=nxt,
                    error=str(exc), username=username)
    return _signed_in(request, token, nxt)


@router.post("/logout")
def logout(request: Request, _form: Form) -> Response:
    run(request, accounts.end_session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/signup")
def signup_form(request: Request, _open: SignupOpen) -> Response:
    return page(request, "platform/signup.html", title="Create an account")


def _sign_up(s: Session, request: Request, username: str, hashed: str, form: FormData) -> str:
    user = accounts.create_user(s, username, password_hash=hashed, role="contributor",
                                email=field(form, "email", 254), display_name=field(form, "display_name", 200),
                                verified=False, ip=client_ip(request))
    return _start_session(s, request, user)


@router.post("/signup")
def signup(request: Request, _open: SignupOpen, form: Form) -> Response:
    limited(request, "signup", client_ip(request))
    username = field(form, "username", 64)
    try:
        accounts.normalise_username(username)
        if form.get("password") != form.get("password2"):
            raise UserError("password: the two passwords differ")
        # argon2 is slow on purpose: hash before the write transaction, not holding its lock.
        hashed = accounts.hash_password(field(form, "password"))
        token = run(request, _sign_up, request, username, hashed, form)
    except UserError as exc:
        return page(request, "platform/signup.html", status=400, title="Create an account",
                    error=str(exc), form=form)
    return _signed_in(request, token, "/account")


def _use_link(s: Session, request: Request, token: str, purpose: str, form: FormData) -> str:
    if form.get("password") != form.get("password2"):
        raise UserError("password: the two passwords differ")
    return _start_session(s, request, accounts.use_link(s, token, purpose, field(form, "password")))


def _link_pages(purpose: str):
    """The GET (the form) and POST (set the password, sign in) of an invitation or reset link."""
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

    def use(request: Request, token: str, form: Form) -> Response:
        try:
            session_token = run(request, _use_link, request, token, purpose, form)
        except UserError as exc:
            return page(request, "platform/set_password.html", status=400, title=title, error=str(exc),
                        action=request.url.path, username="")
        return _signed_in(request, session_token, "/account")

    return show, use


for _purpose in ("invite", "reset"):
    _show, _use = _link_pages(_purpose)
    router.add_api_route(f"/{_purpose}/{{token}}", _show, methods=["GET"])
    router.add_api_route(f"/{_purpose}/{{token}}", _use, methods=["POST"])


@router.get("/account")
def account(request: Request, me: Viewer) -> Response:
    with request.app.state.store.transaction() as s:
        user = s.get(User, me.id)
        mine = [subs.submission_dict(x, private=True) for x in subs.list_submissions(s, me.actor(), mine=True)]
        tokens = [accounts.token_dict(t) for t in s.scalars(select(ApiToken).where(ApiToken.user_id == me.id))]
        info = accounts.user_dict(user)
    return page(request, "platform/account.html", title="Your account", user=info, mine=mine,
                tokens=tokens, scopes=accounts.SCOPES)


def _issue_token(s: Session, me: Principal, name: str, scopes: list[str]) -> str:
    secret, _ = accounts.issue_token(s, s.get(User, me.id), name, scopes, me.username)
    return secret


@router.post("/account/tokens")
def new_token(request: Request, me: Browser, form: Form) -> Response:
    scopes = form.getlist("scopes")
    if any(sc not in SCOPE_ROLE or not me.can(SCOPE_ROLE[sc]) for sc in scopes):
        raise HTTPException(403, "a token cannot have more rights than its owner")
    secret = run(request, _issue_token, me, str(form.get("name", "token"))[:100], scopes)
    return page(request, "platform/message.html", title="New API token",
                message="Copy this token now; it is shown only once and stored hashed.", secret=secret,
                back="/account")


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, me: Browser, _form: Form, token_id: Id) -> Response:
    run(request, accounts.revoke_token, token_id, me.actor())
    return RedirectResponse("/account", status_code=303)
