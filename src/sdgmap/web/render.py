"""How answers look: the Jinja2 environment and its filters, a page (``render``, ``page``),
an error in the form the caller asked for (``error_response``: JSON for the API, an error
page for browsers) and the redirect to the login page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sdgmap import __version__
from sdgmap.web.identity import current_user
from sdgmap.web.security import REVIEWER_COOKIE, form_token, remember_csrf

HERE = Path(__file__).parent
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
    """One of our templates as an HTML answer, with the visitor's CSRF token for its forms."""
    env: Environment = request.app.state.templates
    ctx.setdefault("csrf", form_token(request))
    ctx.setdefault("reviewer", unquote(request.cookies.get(REVIEWER_COOKIE, ""))[:100])
    html = env.get_template(name).render(request=request, path=request.url.path, **ctx)
    response = Response(html, status_code=status, media_type="text/html; charset=utf-8")
    remember_csrf(request, response)
    return response


def page(request: Request, name: str, status: int = 200, **ctx) -> Response:
    """``render`` for the platform's pages, whose navigation names the signed-in account (``me``)."""
    ctx["me"] = current_user(request)
    return render(request, name, status=status, **ctx)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def login_redirect(request: Request) -> Response:
    """To the login page, coming back here afterwards (a local path only)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)


def error_response(request: Request, status: int, message: str, field: str | None = None) -> Response:
    # A browser asking for a page it may not see without an account is sent to log in; the
    # API (and scripts sending a token) get the 401 itself.
    if (status == 401 and request.method == "GET" and not wants_json(request)
            and "authorization" not in request.headers):
        return login_redirect(request)
    if wants_json(request):
        body = {"error": {"status": status, "message": message}}
        if field:
            body["error"]["field"] = field
        return JSONResponse(body, status_code=status)
    return render(request, "error.html", status=status, status_code=status,
                  title=STATUS_TITLES.get(status, "Error"), message=message)
