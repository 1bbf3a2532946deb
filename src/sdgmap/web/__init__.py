"""The web app (FastAPI + Jinja2): pages and the JSON API over one store. Uses the core; never imported by it."""

from sdgmap.web.app import create_app

__all__ = ["create_app"]
