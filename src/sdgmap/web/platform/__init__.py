"""Web pages and API of the multi-user platform: login, accounts, submissions, moderation,
prizes, administration and audit. ``router`` is mounted by ``create_app``; who is asking is
``sdgmap.web.identity``."""

from fastapi import APIRouter

from sdgmap.web.platform import admin_pages, api, auth, prize_pages, submission_pages

router = APIRouter()
for _module in (auth, submission_pages, prize_pages, admin_pages, api):
    router.include_router(_module.router)

__all__ = ["router"]
