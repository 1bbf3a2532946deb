"""Application factory: pages, JSON API, static files, and errors that never show a traceback.

``create_app(store)`` is what ``sdgmap serve`` and ``sdgmap demo`` run. Pages (server-side
Jinja2) live in ``pages.py``, the JSON API under ``/api/v1`` in ``api.py``; both call
``services.py`` and the store's query layer, so a number on a page and in the API come
from the same code.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.routing import Match, Mount

from sdgmap import __version__
from sdgmap.analytics import goal_meta
from sdgmap.errors import UserError
from sdgmap.ingest.worker import limits_from_env
from sdgmap.store import Store
from sdgmap.store.activities import PageOutOfRange, ReviewError
from sdgmap.web.cache import AnalyticsCache
from sdgmap.web.params import BadRequest
from sdgmap.web.security import form_token, remember_csrf
from sdgmap.web.services import NotFound

HERE = Path(__file__).parent
log = logging.getLogger("sdgmap.web")

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
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/api/v1/docs", include_in_schema=False)
    def _api_docs():
        # FastAPI's default page loads Swagger UI from a CDN; the app must work offline.
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(openapi_url=app.openapi_url, title="sdgmap API",
                                   swagger_js_url="/static/vendor/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

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
        errs = exc.errors()
        first = errs[0] if errs else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return error_response(request, 422, f"{field or 'input'}: {first.get('msg', 'invalid value')}", field)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "An unexpected error occurred; it has been logged. "
                                            "Nothing was changed.")

    from sdgmap.web import api, pages
    from sdgmap.web.platform import router as platform_router

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(platform_router)
    return app
