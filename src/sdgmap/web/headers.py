"""The security headers every response carries, error pages and static files included, so
that they do not depend on a reverse proxy being configured: a Content-Security-Policy that
allows scripts from this site only, no framing, no MIME sniffing, no referrer to other sites."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Scripts and styles come from /static only (the chart data are JSON blocks, which are not
# run); style attributes carry the goal colours, hence 'unsafe-inline' for styles alone.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {"content-security-policy": CSP, "x-frame-options": "DENY",
                    "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


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


def csp_allowing_inline(html: str) -> str:
    """``CSP`` that also allows the inline scripts of ``html``, each by its hash."""
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
                      for body in re.findall(r"<script>(.*?)</script>", html, re.S))
    return CSP.replace("script-src 'self'", f"script-src 'self' {hashes}")
