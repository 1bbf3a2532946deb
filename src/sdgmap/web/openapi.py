"""The API's error contract in its OpenAPI description: the body every error has
(``render.error_response``) and which statuses each operation declares.

A generated client only knows the statuses the description lists, so every operation
declares what it can answer: the errors any operation may give (``COMMON``: bad input,
an invalid token, a missing role, scope or CSRF token, and parameters that fail
validation) on the router, and per operation what only it does (404 for a missing
record, 413/415 for uploads, 429 for rate limits, 503 without an optional extra).
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    status: int = Field(description="the HTTP status, repeated")
    message: str = Field(description="one sentence for a person; names the field when there is one")
    field: str | None = Field(None, description="the parameter or body field at fault, when one is")


class ErrorBody(BaseModel):
    """What every error answer of the API carries."""

    error: ErrorDetail


DESCRIPTIONS = {
    400: "Bad input (a value out of range, a NUL character, an unknown choice)",
    401: "Not signed in, or an invalid or revoked API token",
    403: "The account's role or the token's scopes do not allow this, or the CSRF token is missing",
    404: "No such record (or not visible to the caller)",
    409: "Conflicts with the current state",
    411: "The request has no Content-Length",
    413: "The request body is too large",
    415: "Unsupported file or media type",
    422: "A parameter or body field fails validation",
    429: "Too many attempts; try again later",
    503: "Not available in this installation",
}
COMMON = (400, 401, 403, 422)


def errors(*codes: int) -> dict[int | str, dict]:
    """``responses=`` for a router or route: each status with the error body."""
    return {code: {"model": ErrorBody, "description": DESCRIPTIONS[code]} for code in codes}
