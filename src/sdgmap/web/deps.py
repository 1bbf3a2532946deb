"""What a handler declares it needs, as FastAPI dependencies, and the one way it runs a unit
of work.

- Who: ``Me`` (the caller or None), the page roles ``Viewer``/``Contributor``/``Reviewer``/
  ``Admin`` (an anonymous browser is sent to log in: ``LoginRequired``), ``needs(role)`` for
  the API (401/403), ``writer(role)`` for writes that single-user mode leaves open,
  ``Browser`` (no API token) and ``Voter`` (no read-only token). FastAPI runs them before it
  validates the parameters and the body, so a caller who may not do something is told so,
  not which fields it would need; those marked ``checks_access`` are run again by
  ``errors.access_refusal`` when a JSON body cannot even be parsed.
- The posted form: ``Form`` (platform forms: 256 KB, no NUL) and ``TextForm`` (the core's
  review and classify forms, whose text is cleaned later), size-checked before it is read,
  then the CSRF check (``security.check_csrf``).
- ``run(request, fn, *args)``: ``fn(session, *args)`` in one transaction (retried on a
  transient write conflict); permission and lookup errors become 403/404. Handlers are
  plain ``def``: FastAPI runs them in its threadpool, off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from sdgmap.platform import ratelimit
from sdgmap.store import tx
from sdgmap.web.identity import Principal, current_user, require_role, require_writer
from sdgmap.web.security import CSRF_FIELD, check_csrf

T = TypeVar("T")
# Ids in paths and queries: bounded so that a huge number is a 422, not a database error.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
# Audit trails also exist for row 0: operations whose subject has no id (framework imports).
AuditId = Annotated[int, Path(ge=0, le=2_147_483_647)]
MAX_FORM_BYTES = 256 * 1024
# The classify page takes 50,000 characters, up to 12 bytes each once percent-encoded.
MAX_TEXT_FORM_BYTES = 50_000 * 12 + 64 * 1024


class LoginRequired(HTTPException):
    """An anonymous visitor asked for a page that needs an account; answered with a redirect
    to the login page that comes back here (``errors``)."""

    def __init__(self) -> None:
        super().__init__(401, "log in first")


def _access_check(dependency: Callable[[Request], T], name: str) -> Callable[[Request], T]:
    dependency.__name__ = name
    dependency.checks_access = True  # type: ignore[attr-defined]  # see errors.access_refusal
    return dependency


def needs(role: str) -> Callable[[Request], Principal]:
    """The caller if they hold ``role``, else 401 (anonymous) or 403: for the API."""
    def dependency(request: Request) -> Principal:
        return require_role(request, role)
    return _access_check(dependency, f"needs_{role}")


def page_role(request: Request, role: str) -> Principal:
    """The caller if they hold ``role``; an anonymous visitor is sent to log in, else 403."""
    if current_user(request) is None:
        raise LoginRequired()
    return require_role(request, role)


def signed_in(role: str) -> Callable[[Request], Principal]:
    """``page_role`` as a dependency: for pages."""
    def dependency(request: Request) -> Principal:
        return page_role(request, role)
    return _access_check(dependency, f"signed_in_{role}")


def writer(role: str = "reviewer") -> Callable[[Request], None]:
    """In multi-user mode the caller must hold ``role`` (401/403); single-user mode is open."""
    def dependency(request: Request) -> None:
        require_writer(request, role)
    return _access_check(dependency, f"writer_{role}")


def browser(request: Request) -> Principal:
    """The signed-in user of a browser session; an API token is refused (403): what it may do
    must not include making or revoking tokens (a leaked token would outlive its revocation)."""
    user = require_role(request, "viewer")
    if user.via == "token":
        raise HTTPException(403, "API tokens are made and revoked on the account page of a signed-in "
                                 "browser, not with a token")
    return user


def voter(request: Request) -> Principal:
    """A viewer who may write: a browser session, or a token with a scope beyond *read*."""
    user = page_role(request, "viewer")
    if not user.writes:
        raise HTTPException(403, "a read-only API token cannot vote; vote signed in, or with a "
                                 "token that has the submit (or a wider) scope")
    return user


Me = Annotated[Principal | None, Depends(current_user)]
Viewer = Annotated[Principal, Depends(signed_in("viewer"))]
Contributor = Annotated[Principal, Depends(signed_in("contributor"))]
Reviewer = Annotated[Principal, Depends(signed_in("reviewer"))]
Admin = Annotated[Principal, Depends(signed_in("admin"))]
Browser = Annotated[Principal, Depends(_access_check(browser, "browser"))]
Voter = Annotated[Principal, Depends(_access_check(voter, "voter"))]


def form_reader(limit: int, refuse_nul: bool) -> Callable[[Request], Any]:
    """A dependency: the posted form, its declared size checked first, then its CSRF token."""
    async def read_form(request: Request) -> FormData:
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise HTTPException(411, "send the form with a Content-Length")
        if int(length) > limit:
            raise HTTPException(413, f"form too large (limit {limit // 1024} KB)")
        form = await request.form(max_files=0, max_fields=200)
        for key, value in form.multi_items():
            if not isinstance(value, str):
                raise HTTPException(400, "file uploads are not accepted here")
            if refuse_nul and "\x00" in value:
                raise HTTPException(400, f"{key[:40]}: contains a NUL character")
        token = form.get(CSRF_FIELD)
        await run_in_threadpool(check_csrf, request, token if isinstance(token, str) else None)
        return form
    return read_form


Form = Annotated[FormData, Depends(form_reader(MAX_FORM_BYTES, refuse_nul=True))]
TextForm = Annotated[FormData, Depends(form_reader(MAX_TEXT_FORM_BYTES, refuse_nul=False))]


def field(form: FormData, key: str, limit: int | None = None) -> str:
    """One text field of a form ("" when absent), cut to ``limit`` characters."""
    value = str(form.get(key, ""))
    return value[:limit] if limit is not None else value


def run(request: Request, fn: Callable[..., T], *args: Any, write: bool = True, **kwargs: Any) -> T:
    """``fn(session, *args, **kwargs)`` as one unit of work (``write=False`` for reads);
    permission and lookup errors become 403/404."""
    try:
        return tx.run(request.app.state.store, lambda s: fn(s, *args, **kwargs), write=write)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from None
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None


def limited(request: Request, name: str, who: str) -> None:
    """Count an attempt in its own transaction (so that a failed login still counts); 429 over the limit."""
    try:
        tx.run(request.app.state.store, lambda s: ratelimit.hit(s, name, who))
    except ratelimit.RateLimited as exc:
        raise HTTPException(429, str(exc)) from None
