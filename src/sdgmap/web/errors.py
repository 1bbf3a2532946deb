"""Every error answered in the form the caller asked for (``render.error_response``), never
with a traceback: the exception handlers and the NUL check that ``create_app`` installs.

``access_refusal``: FastAPI parses a JSON body before any dependency runs, so a malformed
body would be answered 422 (naming what it expects) to a caller who may not write at all;
the route's access checks (dependencies marked ``checks_access``, see ``deps``) decide first.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match, Mount

from sdgmap.errors import UserError
from sdgmap.store.activity_queries import PageOutOfRange
from sdgmap.store.review import ReviewError
from sdgmap.web.deps import LoginRequired
from sdgmap.web.headers import secure_headers
from sdgmap.web.params import BadRequest
from sdgmap.web.render import error_response, login_redirect
from sdgmap.web.services import NotFound

log = logging.getLogger("sdgmap.web")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> str:
    """The methods some route at this path takes (Starlette's 405 names only the first
    route's). Static files, a mount that takes any method to answer 405 itself: GET, HEAD."""
    allowed = []
    for method in METHODS:
        probe = {"type": "http", "method": method, "path": request.scope["path"],
                 "root_path": request.scope.get("root_path", ""), "headers": [], "query_string": b""}
        if any(not isinstance(route, Mount) and route.matches(probe)[0] == Match.FULL
               for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed or ("GET", "HEAD"))


def refusal(request: Request, exc: HTTPException) -> Response:
    """The answer to a failed access check: an anonymous browser on a page goes to log in."""
    if isinstance(exc, LoginRequired):
        return login_redirect(request)
    return error_response(request, exc.status_code, str(exc.detail))


async def access_refusal(request: Request) -> Response | None:
    """401/403 (or the login redirect) when the caller may not use the matched route, else None."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    for dep in getattr(dependant, "dependencies", ()):
        if getattr(dep.call, "checks_access", False):
            try:
                await run_in_threadpool(dep.call, request)
            except HTTPException as exc:
                return refusal(request, exc)
    return None


def install(app: FastAPI) -> None:
    """The NUL check and the exception handlers."""

    @app.middleware("http")
    async def _no_nul(request: Request, call_next):
        # PostgreSQL refuses NUL in text; answer 400 here rather than 500 from the database
        if "\x00" in unquote(request.url.path) or "\x00" in unquote(request.url.query):
            return error_response(request, 400, "The address contains a NUL character.")
        return await call_next(request)

    @app.exception_handler(BadRequest)
    async def _bad(request: Request, exc: BadRequest):
        return error_response(request, 400, str(exc), exc.field)

    @app.exception_handler(NotFound)
    async def _nf(request: Request, exc: NotFound):
        return error_response(request, 404, str(exc))

    @app.exception_handler(PageOutOfRange)
    async def _page(request: Request, exc: PageOutOfRange):
        return error_response(request, 404, str(exc), "page")

    @app.exception_handler(ReviewError)
    async def _review(request: Request, exc: ReviewError):
        return error_response(request, 400, str(exc))

    @app.exception_handler(UserError)
    async def _user(request: Request, exc: UserError):
        return error_response(request, 400, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        return refusal(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _shttp(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if exc.status_code != 404 else f"There is no page at {request.url.path}"
        response = error_response(request, exc.status_code, str(detail))
        if exc.status_code == 405:  # RFC 9110: say which methods the resource has
            response.headers["Allow"] = allowed_methods(request)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        refused = await access_refusal(request)
        if refused is not None:
            return refused
        errs = exc.errors()
        first = errs[0] if errs else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return error_response(request, 422, f"{field or 'input'}: {first.get('msg', 'invalid value')}", field)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect):
        # The client closed the connection before its body arrived: nothing to answer, no error.
        log.info("client disconnected while sending %s %s", request.method, request.url.path)
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        response = error_response(request, 500, "An unexpected error occurred; it has been logged. "
                                                "Nothing was changed.")
        secure_headers(response.headers)  # this answer is sent outside the middleware
        return response
