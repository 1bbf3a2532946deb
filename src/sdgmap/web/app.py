"""Application factory: pages, JSON API, static files, and errors that never show a traceback.

``create_app(store)`` is what ``sdgmap serve`` and ``sdgmap demo`` run. Pages (server-side
Jinja2) live in ``pages.py``, the JSON API under ``/api/v1`` in ``api.py``; both call
``services.py`` and the store's query layer, so a number on a page and in the API come
from the same code.

Every response, error pages and static files included, carries the security headers in
``SECURITY_HEADERS`` (a Content-Security-Policy that allows scripts from this site only, no
framing, no MIME sniffing, no referrer to other sites), so that they do not depend on a
reverse proxy being configured. The site's public address for links sent to people
(``state.base_url``) comes from the configuration, never from the request's Host header.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sdgmap import __version__
from sdgmap.analytics import goal_meta
from sdgmap.errors import UserError
from sdgmap.ingest.worker import limits_from_env
from sdgmap.store import Store
from sdgmap.store.activity_queries import PageOutOfRange
from sdgmap.store.review import ReviewError
from sdgmap.web.cache import AnalyticsCache
from sdgmap.web.params import BadRequest
from sdgmap.web.security import form_token, remember_csrf
from sdgmap.web.services import NotFound

HERE = Path(__file__).parent
log = logging.getLogger("sdgmap.web")

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# Scripts and styles come from /static only (the chart data are JSON blocks, which are not
# run); style attributes carry the goal colours, hence 'unsafe-inline' for styles alone.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {"content-security-policy": CSP, "x-frame-options": "DENY",
                    "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
STATUS_TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 405: "Method not allowed",
                 413: "File too large", 415: "Unsupported file", 422: "Invalid input",
                 500: "Something went wrong", 503: "Not available"}


def _qs(params: dict, **changes) -> str:
    """Query string of ``params`` with ``changes`` applied (a None value drops the key)."""
    out = {k: v for k, v in params.items() if v not in (None, "")}
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return urlencode(out)


def _bars(rows: list[dict], key: str, href: str) -> dict:
    return {"labels": [str(r[key]) if r[key] is not None else "none" for r in rows],
            "values": [r["count"] for r in rows],
            "hrefs": [href + quote(str(r[key])) if r[key] is not None else "" for r in rows]}


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _filesize(n) -> str:
    n = n or 0
    for unit in ("bytes", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _with_sort(params: dict, data: dict) -> dict:
    out = dict(params)
    if data.get("sort") != "id":
        out["sort"] = data["sort"]
    if data.get("order") == "desc":
        out["order"] = "desc"
    if data.get("per_page") != 25:
        out["per_page"] = data["per_page"]
    return out


def make_templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html", "xml"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["version"] = __version__
    env.filters.update(qs=_qs, bars=_bars, num=_num, filesize=_filesize, with_sort=_with_sort)
    return env


def render(request: Request, name: str, status: int = 200, **ctx) -> Response:
    env: Environment = request.app.state.templates
    ctx.setdefault("csrf", form_token(request))
    ctx.setdefault("reviewer", unquote(request.cookies.get("sdgmap_reviewer", ""))[:100])
    html = env.get_template(name).render(request=request, path=request.url.path, **ctx)
    response = Response(html, status_code=status, media_type="text/html; charset=utf-8")
    remember_csrf(request, response)
    return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def login_redirect(request: Request) -> Response:
    """To the login page, coming back here afterwards (a local path only)."""
    from fastapi.responses import RedirectResponse

    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)


def error_response(request: Request, status: int, message: str, field: str | None = None) -> Response:
    # A browser asking for a page it may not see without an account is sent to log in; the
    # API (and scripts sending a token) get the 401 itself.
    if (status == 401 and request.method == "GET" and not _wants_json(request)
            and "authorization" not in request.headers):
        return login_redirect(request)
    if _wants_json(request):
        body = {"error": {"status": status, "message": message}}
        if field:
            body["error"]["field"] = field
        return JSONResponse(body, status_code=status)
    return render(request, "error.html", status=status, status_code=status,
                  title=STATUS_TITLES.get(status, "Error"), message=message)


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


def site_address(url: str) -> str:
    """A site address for links in invitations and resets: http(s)://host[:port][/prefix]."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment
            or any(ch.isspace() or ch in "\\\"'<>" for ch in url)):
        raise UserError(f"base URL: {url[:100]!r} is not an http:// or https:// address "
                        f"(e.g. https://sdg.example.org)")
    return url.rstrip("/")


def secure_headers(headers: MutableHeaders) -> None:
    """Add the security headers that a response does not set itself."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


class SecurityHeaders:
    """Pure ASGI middleware (streamed responses pass through untouched): ``SECURITY_HEADERS``
    on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                secure_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_secure)


def _script_hashes(html: str) -> str:
    return " ".join("'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
                    for body in re.findall(r"<script>(.*?)</script>", html, re.S))


async def access_refusal(request: Request) -> Response | None:
    """401/403 when the caller may not use the matched route, else None.

    FastAPI parses a JSON body before any dependency runs, so a malformed body would be
    answered 422 (naming what it expects) to a caller who may not write at all; the route's
    access checks (dependencies marked ``checks_access``) decide first.
    """
    dependant = getattr(request.scope.get("route"), "dependant", None)
    for dep in getattr(dependant, "dependencies", ()):
        if getattr(dep.call, "checks_access", False):
            try:
                await run_in_threadpool(dep.call, request)
            except HTTPException as exc:
                return error_response(request, exc.status_code, str(exc.detail))
    return None


def create_app(store: Store) -> FastAPI:
    app = FastAPI(title="sdgmap", version=__version__, openapi_url="/api/v1/openapi.json",
                  docs_url=None, redoc_url=None,  # /api/v1/docs below, served offline
                  description="Activities, framework links and SDG analytics of one sdgmap database.")
    app.state.store = store
    app.state.templates = make_templates()
    with store.transaction() as s:
        app.state.templates.globals["goal_colours"] = {g["code"]: g["colour"] for g in goal_meta(s)}
    app.state.cache = AnalyticsCache()
    app.state.upload_limit = 20 * 1024 * 1024
    # budget of one upload's parse, in its own process (sdgmap.ingest.worker)
    app.state.parse_timeout, app.state.parse_memory = limits_from_env()
    app.state.classify_semantic = None  # None: use the embedding layer when [ml] is installed
    # Where links sent to people point; ``sdgmap serve`` sets it from --base-url or its address.
    app.state.base_url = site_address(os.environ.get("SDGMAP_BASE_URL") or DEFAULT_BASE_URL)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/api/v1/docs", include_in_schema=False)
    def _api_docs():
        # FastAPI's default page loads Swagger UI from a CDN; the app must work offline.
        from fastapi.openapi.docs import get_swagger_ui_html

        page = get_swagger_ui_html(openapi_url=app.openapi_url, title="sdgmap API",
                                   swagger_js_url="/static/vendor/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg",
                                   # no badge from validator.swagger.io: the app stays offline
                                   swagger_ui_parameters={"validatorUrl": None})
        # The page starts Swagger UI from an inline script: allow that one script by its hash.
        page.headers["content-security-policy"] = CSP.replace(
            "script-src 'self'", f"script-src 'self' {_script_hashes(bytes(page.body).decode())}")
        return page

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
        return error_response(request, exc.status_code, str(exc.detail))

    from starlette.exceptions import HTTPException as StarletteHTTPException

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

    from sdgmap.web import api, pages
    from sdgmap.web.platform import router as platform_router

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(platform_router)
    return app
