"""Application factory. A first page listing frameworks; the full UI grows from here."""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from sdgmap import __version__
from sdgmap.store import Store
from sdgmap.store.queries import framework_summaries


def create_app(store: Store) -> FastAPI:
    app = FastAPI(title="sdgmap", version=__version__, openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs")
    app.state.store = store

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        with store.transaction() as s:
            rows = framework_summaries(s)
        items = "".join(f"<li><b>{escape(r['name'])}</b> ({escape(r['id'])}): {r['nodes']} nodes</li>" for r in rows)
        return f"<!doctype html><html lang='en'><title>sdgmap</title><h1>sdgmap</h1><ul>{items}</ul></html>"

    @app.get("/api/v1/frameworks")
    def frameworks() -> list[dict]:
        with store.transaction() as s:
            return framework_summaries(s)

    return app
