"""JSON API of the platform under ``/api/v1``: the caller, submissions, prizes, audit.

Scripts authenticate with ``Authorization: Bearer <token>`` (scoped, revocable); a browser
session works too, with the CSRF token in the ``X-CSRF-Token`` header for writes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from sdgmap.platform import prizes
from sdgmap.platform import submissions as subs
from sdgmap.store import audit
from sdgmap.store.platform_models import PrizeCycle
from sdgmap.web.deps import AuditId, Id, Me, limited, needs, run
from sdgmap.web.identity import Principal, require_role
from sdgmap.web.openapi import COMMON, errors
from sdgmap.web.security import check_csrf

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


def _actor(principal: Principal | None):
    return principal.actor() if principal else None


@router.get("/me")
def me(user: Annotated[Principal, Depends(needs("viewer"))]) -> dict:
    """The account behind the request."""
    return {"username": user.username, "role": user.role, "verified": user.verified, "via": user.via,
            "scopes": user.scopes}


def _submissions(s: Session, user, **filters) -> list[dict]:
    return [subs.submission_dict(x) for x in subs.list_submissions(s, user, **filters)]


@router.get("/submissions")
def list_submissions(request: Request, principal: Me, q: str = Query("", max_length=200),
                     status: Literal["", "draft", "submitted", "approved", "changes_requested", "rejected"] = "",
                     limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000)) -> list[dict]:
    """Stocktaking entries the caller may see (the public sees approved ones)."""
    return run(request, _submissions, _actor(principal), status=status or None, text=q or None, limit=limit,
               offset=offset, write=False)


def _submission(s: Session, sub_id: int, user) -> dict:
    sub = subs.get_submission(s, sub_id, user)
    return subs.submission_dict(sub, private=subs.sees_private(sub, user))


@router.get("/submissions/{sub_id}", responses=errors(404))
def get_submission(request: Request, principal: Me, sub_id: Id) -> dict:
    return run(request, _submission, sub_id, _actor(principal), write=False)


def _create(s: Session, user, data: dict, do_submit: bool, use: bool, semantic: bool | None) -> dict:
    sub = subs.create_draft(s, user, data)
    if do_submit:
        subs.submit(s, sub, user, use_classifier=use, semantic=semantic)
    return subs.submission_dict(sub, private=True)


@router.post("/submissions", status_code=201, responses=errors(429))
def create_submission(request: Request, principal: Annotated[Principal, Depends(needs("contributor"))],
                      body: SubmissionIn) -> dict:
    """Create a draft (or submit it at once with ``"submit": true``); needs the submit scope."""
    check_csrf(request, None)
    limited(request, "submit", principal.username)
    data = body.model_dump()
    do_submit = data.pop("submit")
    return run(request, _create, principal.actor(), data, do_submit,
               getattr(request.app.state, "submission_classifier", True),
               getattr(request.app.state, "classify_semantic", None))


@router.get("/prizes")
def list_prizes(request: Request) -> list[dict]:
    with request.app.state.store.transaction() as s:
        return [prizes.cycle_dict(c) for c in s.scalars(select(PrizeCycle).order_by(PrizeCycle.id))]


def _results(s: Session, cycle_id: int, user) -> list[dict]:
    cycle = s.get(PrizeCycle, cycle_id)
    if cycle is None:
        raise LookupError(f"no prize cycle {cycle_id}")
    return prizes.results(s, cycle, user)


@router.get("/prizes/{cycle_id}/results", responses=errors(404))
def prize_results(request: Request, principal: Me, cycle_id: Id) -> list[dict]:
    """Votes per nomination, winners and champions; published when the vote closes."""
    try:
        return run(request, _results, cycle_id, _actor(principal), write=False)
    except prizes.VotingClosed as exc:
        raise HTTPException(403, str(exc)) from None


def _audit_reader(request: Request, table: str) -> Principal:
    return require_role(request, "admin" if table in ("users", "api_tokens") else "reviewer")


@router.get("/audit/{table}/{row_id}", responses=errors(404))
def audit_trail(request: Request, _reader: Annotated[Principal, Depends(_audit_reader)], table: str,
                row_id: AuditId) -> list[dict]:
    """Who changed the record, when, before and after (reviewers; users' records: admins)."""
    if table not in audit.AUDITED_TABLES:
        raise HTTPException(404, f"no audit trail for {table[:40]!r}")
    with request.app.state.store.transaction() as s:
        return audit.history(s, table, row_id)
