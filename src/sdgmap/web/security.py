"""CSRF protection for every write (double-submit token), who may write, and the actor name.

Two modes, decided by the database itself:

- **Single-user** (no accounts exist, e.g. ``make demo`` on a laptop): like a desktop tool,
  whoever can reach the server may review and upload; a write names its actor (a name typed
  in the form, or "anonymous").
- **Multi-user** (at least one account exists): review-queue writes and uploads need a
  signed-in reviewer (401 / 403 otherwise), and the account's name is the actor.

Every write is a POST carrying a CSRF token, in a form field or the ``X-CSRF-Token``
header; ``form_token`` says which token a page puts into its forms and ``check_csrf``
checks it, for the pages, the JSON API and the platform alike:

- a signed-in browser (session cookie): the token bound to its session, so a token that
  is valid for another visitor (or leaked before login) is refused;
- an anonymous visitor (single-user mode, the login and sign-up forms): a double-submit
  token that must equal the ``sdgmap_csrf`` cookie;
- a script with a bearer API token: no token, as no cookie is involved.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable

from fastapi import HTTPException, Request, Response

from sdgmap.text.clean import one_line

CSRF_COOKIE = "sdgmap_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
REVIEWER_COOKIE = "sdgmap_reviewer"


def csrf_token(request: Request) -> str:
    """The request's token (from its cookie), or a new one to be set on the response."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) < 32:
        token = getattr(request.state, "new_csrf", "") or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def remember_csrf(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", "")
    if new:
        # Secure over HTTPS (also behind a trusted proxy that says so), like the session cookie.
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")


def _principal(request: Request):
    """The signed-in account (or None); None too where accounts are not installed."""
    try:
        from sdgmap.web.platform.auth import current_user
    except ImportError:
        return None
    return current_user(request)


def form_token(request: Request) -> str:
    """The CSRF token for this visitor's forms: the session's when signed in, else the
    double-submit cookie's (set on the response by ``remember_csrf``)."""
    try:
        user = _principal(request)
    except HTTPException:  # an invalid bearer token: no session either
        user = None
    return user.csrf if user is not None and user.csrf else csrf_token(request)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise 403 unless the submitted token (form field, else header) is this visitor's
    (see the module docstring); requests with a valid bearer token need none."""
    user = _principal(request)  # an invalid bearer token is a 401 here
    if user is not None and user.via == "token":
        return
    expected = user.csrf if user is not None else request.cookies.get(CSRF_COOKIE, "")
    given = submitted or request.headers.get(CSRF_HEADER, "")
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise HTTPException(403, "The form has expired or did not come from this site (CSRF token "
                                 "missing or wrong). Reload the page and try again.")


def clean_text(value: str | None, limit: int) -> str:
    """A one-line form value: control and invisible format characters (NUL, bidi overrides)
    removed, spaces collapsed (``sdgmap.text.one_line``, shared with the platform)."""
    return one_line(value, limit)


def clean_actor(name: str | None) -> str:
    return clean_text(name, 100) or "anonymous"


def accounts_in_use(request: Request) -> bool:
    """True once the database holds any account (multi-user mode)."""
    if not hasattr(request.state, "accounts_in_use"):
        from sqlalchemy import exists, select

        from sdgmap.store.platform_models import User

        with request.app.state.store.transaction() as s:
            request.state.accounts_in_use = bool(s.scalar(select(exists().where(User.id.is_not(None)))))
    return request.state.accounts_in_use


def require_writer(request: Request, role: str = "reviewer") -> None:
    """In multi-user mode, raise 401/403 unless the signed-in account holds ``role``."""
    if accounts_in_use(request):
        from sdgmap.web.platform.auth import require_role

        require_role(request, role)


def writer(role: str = "reviewer") -> Callable[[Request], None]:
    """``require_writer`` as a route dependency: FastAPI runs it before it validates the body,
    so a caller who may not write gets 401/403, not the names of the fields it expects."""
    def dependency(request: Request) -> None:
        require_writer(request, role)
    dependency.__name__ = f"writer_{role}"
    dependency.checks_access = True  # type: ignore[attr-defined]  # see web.app.access_refusal
    return dependency


def signed_in_name(request: Request) -> str | None:
    """The signed-in account's name when accounts are in use (it then replaces the typed
    reviewer name in the audit trail); None for an anonymous visitor."""
    try:
        from sdgmap.web.platform.auth import current_user
    except ImportError:  # accounts not installed: names are typed in the forms
        return None
    user = current_user(request)
    return user.username if user else None
