"""JSON API of the platform under ``/api/v1``: the caller, submissions, prizes, audit.

Scripts authenticate with ``Authorization: Bearer <token>`` (scoped, revocable); a browser
session works too, with the CSRF token in the ``X-CSRF-Token`` header for writes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from sdgmap.platform import prizes
from sdgmap.platform import submissions as subs
from sdgmap.store import audit
from sdgmap.store.platform_models import PrizeCycle
from sdgmap.web.openapi import COMMON, errors
from sdgmap.web.platform.auth import (
    AuditId,
    Id,
    Principal,
    call,
    call_sync,
    check_csrf,
    current_user,
    limited,
    needs,
    require_role,
)

router = APIRouter(prefix="/api/v1", tags=["platform"], responses=errors(*COMMON))


class SubmissionIn(BaseModel):
    title: str = Field(max_length=300)
    organisation: str = Field(max_length=300)
    country: str = Field("", max_length=100)
    description: str = Field("", max_length=8000)
    action_lines: list[str] = Field(default_factory=list, max_length=30)
    sdgs: dict[str, str] = Field(default_factory=dict, description="goal number -> justification")
    partners: list[str] = Field(default_factory=list, max_length=50)
    website: str = Field("", max_length=1000)
    project_status: Literal["", "planned", "ongoing", "completed"] = ""
    date_start: str = Field("", max_length=10)
    date_end: str = Field("", max_length=10)
    submit: bool = Field(False, description="submit for moderation at once instead of saving a draft")


@router.get("/me")
def me(request: Request) -> dict:
    """The account behind the request."""
    user = require_role(request, "viewer")
    return {"username": user.username, "role": user.role, "verified": user.verified, "via": user.via,
            "scopes": user.scopes}


@router.get("/submissions")
def list_submissions(request: Request, q: str = Query("", max_length=200),
                     status: Literal["", "draft", "submitted", "approved", "changes_requested", "rejected"] = "",
                     limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> list[dict]:
    """Stocktaking entries the caller may see (the public sees approved ones)."""
    principal = current_user(request)

    def work(s):
        user = principal.actor() if principal else None
        return [subs.submission_dict(x) for x in subs.list_submissions(
            s, user, status=status or None, text=q or None, limit=limit, offset=offset)]
    return call_sync(request, work)


@router.get("/submissions/{sub_id}", responses=errors(404))
def get_submission(request: Request, sub_id: Id) -> dict:
    principal = current_user(request)

    def work(s):
        user = principal.actor() if principal else None
        sub = subs.get_submission(s, sub_id, user)
        return subs.submission_dict(sub, private=subs.sees_private(sub, user))
    return call_sync(request, work)


@router.post("/submissions", status_code=201, responses=errors(429))
async def create_submission(request: Request, principal: Annotated[Principal, Depends(needs("contributor"))],
                            body: SubmissionIn) -> dict:
    """Create a draft (or submit it at once with ``"submit": true``); needs the submit scope."""
    check_csrf(request, None)
    await limited(request, "submit", principal.username)
    data = body.model_dump()
    do_submit = data.pop("submit")
    semantic = getattr(request.app.state, "classify_semantic", None)
    use = getattr(request.app.state, "submission_classifier", True)

    def work(s):
        user = principal.actor()
        sub = subs.create_draft(s, user, data)
        if do_submit:
            subs.submit(s, sub, user, use_classifier=use, semantic=semantic)
        return subs.submission_dict(sub, private=True)
    return await call(request, work)


@router.get("/prizes")
def list_prizes(request: Request) -> list[dict]:
    from sqlalchemy import select

    with request.app.state.store.transaction() as s:
        return [prizes.cycle_dict(c) for c in s.scalars(select(PrizeCycle).order_by(PrizeCycle.id))]


@router.get("/prizes/{cycle_id}/results", responses=errors(404))
def prize_results(request: Request, cycle_id: Id) -> list[dict]:
    """Votes per nomination, winners and champions; published when the vote closes."""
    principal = current_user(request)

    def work(s):
        cycle = s.get(PrizeCycle, cycle_id)
        if cycle is None:
            raise LookupError(f"no prize cycle {cycle_id}")
        return prizes.results(s, cycle, principal.actor() if principal else None)
    try:
        return call_sync(request, work)
    except prizes.VotingClosed as exc:
        raise HTTPException(403, str(exc)) from None


@router.get("/audit/{table}/{row_id}", responses=errors(404))
def audit_trail(request: Request, table: str, row_id: AuditId) -> list[dict]:
    """Who changed the record, when, before and after (reviewers; users' records: admins)."""
    require_role(request, "admin" if table in ("users", "api_tokens") else "reviewer")
    if table not in audit.AUDITED_TABLES:
        raise HTTPException(404, f"no audit trail for {table[:40]!r}")
    with request.app.state.store.transaction() as s:
        return audit.history(s, table, row_id)
