"""Application factory: ``create_app(store)`` is what ``sdgmap serve`` and ``sdgmap demo`` run.

It puts together the routers (pages in ``pages``, the JSON API under ``/api/v1`` in ``api``,
the platform in ``platform``), static files, the security headers (``headers``) and the error
handlers (``errors``). Nothing in the web package imports this module, so every other module
of it can be read (and tested) without the app. The site's public address for links sent to
people (``state.base_url``) comes from the configuration, never from the request's Host header.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

from sdgmap import __version__
from sdgmap.analytics import goal_meta
from sdgmap.errors import UserError
from sdgmap.ingest.worker import limits_from_env
from sdgmap.store import Store
from sdgmap.web import api, errors, pages
from sdgmap.web.cache import AnalyticsCache
from sdgmap.web.headers import SecurityHeaders, csp_allowing_inline
from sdgmap.web.platform import router as platform_router
from sdgmap.web.render import HERE, make_templates

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def site_address(url: str) -> str:
    """A site address for links in invitations and resets: http(s)://host[:port][/prefix]."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment
            or any(ch.isspace() or ch in "\\\"'<>" for ch in url)):
        raise UserError(f"base URL: {url[:100]!r} is not an http:// or https:// address "
                        f"(e.g. https://sdg.example.org)")
    return url.rstrip("/")


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
        page = get_swagger_ui_html(openapi_url=app.openapi_url, title="sdgmap API",
                                   swagger_js_url="/static/vendor/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg",
                                   # no badge from validator.swagger.io: the app stays offline
                                   swagger_ui_parameters={"validatorUrl": None})
        # The page starts Swagger UI from an inline script: allow that one script by its hash.
        page.headers["content-security-policy"] = csp_allowing_inline(bytes(page.body).decode())
        return page

    errors.install(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(platform_router)
    return app
