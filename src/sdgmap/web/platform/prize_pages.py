"""Prize pages: cycles, nominations, the public vote and the results."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from sdgmap.errors import UserError
from sdgmap.platform import prizes
from sdgmap.store.platform_models import PrizeCycle, Submission, User
from sdgmap.web.platform.auth import (
    Id,
    agate,
    call,
    call_sync,
    client_ip,
    current_user,
    limited,
    page,
    read_form,
)

router = APIRouter(include_in_schema=False)


def parse_time(value: str, field: str) -> datetime:
    """An ISO time; one without a zone (as a datetime-local input sends it) is taken as UTC."""
    try:
        t = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise UserError(f"{field}: not a date and time ({str(value)[:30]!r}); write 2026-05-01T09:00") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _cycle(s, cycle_id: Id) -> PrizeCycle:
    cycle = s.get(PrizeCycle, cycle_id)
    if cycle is None:
        raise LookupError(f"no prize cycle {cycle_id}")
    return cycle


@router.get("/prizes")
def cycles(request: Request) -> Response:
    with request.app.state.store.transaction() as s:
        rows = [prizes.cycle_dict(c) for c in s.scalars(select(PrizeCycle).order_by(PrizeCycle.vote_opens_at.desc()))]
    return page(request, "platform/prizes.html", title="Prizes", cycles=rows)


@router.post("/prizes")
async def create_cycle(request: Request) -> Response:
    me = await agate(request, "admin")
    if isinstance(me, Response):
        return me
    form = await read_form(request)
    custom = [c for c in str(form.get("categories", "")).splitlines() if c.strip()]

    def work(s):
        return prizes.create_cycle(
            s, me.actor(), str(form.get("name", "")), parse_time(str(form.get("opens", "")), "opens"),
            parse_time(str(form.get("closes", "")), "closes"), categories=custom,
            action_line_categories=form.get("action_lines") == "1").id
    cycle_id = await call(request, work)
    return RedirectResponse(f"/prizes/{cycle_id}", status_code=303)


@router.get("/prizes/{cycle_id}")
def cycle_page(request: Request, cycle_id: Id) -> Response:
    me = current_user(request)

    def work(s):
        cycle = _cycle(s, cycle_id)
        user = s.get(User, me.id) if me else None
        noms = {cid: [{"id": n.id, "submission_id": n.submission_id, "title": n.submission.title,
                       "organisation": n.submission.organisation} for n in ns]
                for cid, ns in prizes.nominations(s, cycle).items()}
        approved = []
        if me and me.can("reviewer") and prizes.phase(cycle) == "nominations":
            approved = [(x.id, x.title) for x in s.scalars(select(Submission).where(
                Submission.status == "approved").order_by(Submission.title).limit(1000))]
        return prizes.cycle_dict(cycle), noms, prizes.my_votes(s, user, cycle), approved
    cycle, noms, mine, approved = call_sync(request, work)
    return page(request, "platform/prize.html", title=cycle["name"], cycle=cycle, noms=noms, mine=mine,
                approved=approved, can_nominate=bool(me and me.can("reviewer")),
                can_vote=bool(me and me.verified))


@router.post("/prizes/{cycle_id}/nominate")
async def nominate(request: Request, cycle_id: Id) -> Response:
    me = await agate(request, "reviewer")
    if isinstance(me, Response):
        return me
    form = await read_form(request)
    try:
        category_id, submission_id = int(form.get("category_id", "")), int(form.get("submission_id", ""))
    except (TypeError, ValueError):
        raise UserError("category_id and submission_id: numbers") from None

    def work(s):
        cycle = _cycle(s, cycle_id)
        if category_id not in {c.id for c in cycle.categories}:
            raise UserError(f"category_id: not a category of {cycle.name}")
        prizes.nominate(s, me.actor(), category_id, submission_id)
    await call(request, work)
    return RedirectResponse(f"/prizes/{cycle_id}", status_code=303)


@router.post("/prizes/{cycle_id}/vote")
async def vote(request: Request, cycle_id: Id) -> Response:
    me = await agate(request, "viewer")
    if isinstance(me, Response):
        return me
    if not me.writes:  # a vote is a write: a browser session, or a token beyond the read scope
        raise HTTPException(403, "a read-only API token cannot vote; vote signed in, or with a "
                                 "token that has the submit (or a wider) scope")
    form = await read_form(request)
    try:
        nomination_id = int(form.get("nomination_id", ""))
    except (TypeError, ValueError):
        raise UserError("nomination_id: a number") from None
    await limited(request, "vote", me.username)
    ip = client_ip(request)

    def work(s):
        from sdgmap.store.platform_models import Nomination

        nom = s.get(Nomination, nomination_id)
        if nom is None or nom.category.cycle_id != cycle_id:
            raise UserError(f"nomination_id: not a nomination of prize cycle {cycle_id}")
        prizes.cast_vote(s, s.get(User, me.id), nomination_id, ip)
    try:
        await call(request, work)
    except prizes.AlreadyVoted as exc:
        raise HTTPException(409, str(exc)) from None
    except prizes.VotingClosed as exc:
        raise HTTPException(403, str(exc)) from None
    return RedirectResponse(f"/prizes/{cycle_id}?voted=1", status_code=303)


@router.get("/prizes/{cycle_id}/results")
def results(request: Request, cycle_id: Id) -> Response:
    me = current_user(request)

    def work(s):
        cycle = _cycle(s, cycle_id)
        return prizes.cycle_dict(cycle), prizes.results(s, cycle, me.actor() if me else None)
    try:
        cycle, rows = call_sync(request, work)
    except prizes.VotingClosed as exc:
        raise HTTPException(403, str(exc)) from None
    return page(request, "platform/results.html", title=f"Results: {cycle['name']}", cycle=cycle, rows=rows)
