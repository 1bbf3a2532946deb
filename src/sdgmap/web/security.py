"""CSRF protection for every write (double-submit token), form text cleaning, and the one
check of a "next" address that a redirect may go to.

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

from fastapi import HTTPException, Request, Response

from sdgmap.text.clean import one_line
from sdgmap.web.identity import current_user

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


def form_token(request: Request) -> str:
    """The CSRF token for this visitor's forms: the session's when signed in, else the
    double-submit cookie's (set on the response by ``remember_csrf``)."""
    try:
        user = current_user(request)
    except HTTPException:  # an invalid bearer token: no session either
        user = None
    return user.csrf if user is not None and user.csrf else csrf_token(request)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise 403 unless the submitted token (form field, else header) is this visitor's
    (see the module docstring); requests with a valid bearer token need none."""
    user = current_user(request)  # an invalid bearer token is a 401 here
    if user is not None and user.via == "token":
        return
    expected = user.csrf if user is not None else request.cookies.get(CSRF_COOKIE, "")
    given = submitted or request.headers.get(CSRF_HEADER, "")
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise HTTPException(403, "The form has expired or did not come from this site (CSRF token "
                                 "missing or wrong). Reload the page and try again.")


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``: an open redirect (``//host``,
    ``/\\host``, ``https://host``) would make phishing links look like ours."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def clean_text(value: str | None, limit: int) -> str:
    """A one-line form value: control and invisible format characters (NUL, bidi overrides)
    removed, spaces collapsed (``sdgmap.text.one_line``, shared with the platform)."""
    return one_line(value, limit)


def clean_actor(name: str | None) -> str:
    return clean_text(name, 100) or "anonymous"
