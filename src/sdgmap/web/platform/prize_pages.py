"""Prize pages: cycles, nominations, the public vote and the results."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sdgmap.errors import UserError
from sdgmap.platform import prizes
from sdgmap.store.platform_models import Nomination, PrizeCycle, Submission, User
from sdgmap.web.deps import Admin, Form, Id, Me, Reviewer, Voter, field, limited, run
from sdgmap.web.identity import Principal, client_ip
from sdgmap.web.render import page

router = APIRouter(include_in_schema=False)


def parse_time(value: str, name: str) -> datetime:
    """An ISO time; one without a zone (as a datetime-local input sends it) is taken as UTC."""
    try:
        t = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise UserError(f"{name}: not a date and time ({str(value)[:30]!r}); write 2026-05-01T09:00") from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _cycle(s: Session, cycle_id: int) -> PrizeCycle:
    cycle = s.get(PrizeCycle, cycle_id)
    if cycle is None:
        raise LookupError(f"no prize cycle {cycle_id}")
    return cycle


@router.get("/prizes")
def cycles(request: Request) -> Response:
    with request.app.state.store.transaction() as s:
        rows = [prizes.cycle_dict(c) for c in s.scalars(select(PrizeCycle).order_by(PrizeCycle.vote_opens_at.desc()))]
    return page(request, "platform/prizes.html", title="Prizes", cycles=rows)


def _create_cycle(s: Session, me: Principal, form: FormData) -> int:
    custom = [c for c in field(form, "categories").splitlines() if c.strip()]
    return prizes.create_cycle(
        s, me.actor(), field(form, "name"), parse_time(field(form, "opens"), "opens"),
        parse_time(field(form, "closes"), "closes"), categories=custom,
        action_line_categories=form.get("action_lines") == "1").id


@router.post("/prizes")
def create_cycle(request: Request, me: Admin, form: Form) -> Response:
    cycle_id = run(request, _create_cycle, me, form)
    return RedirectResponse(f"/prizes/{cycle_id}", status_code=303)


def _cycle_view(s: Session, cycle_id: int, me: Principal | None) -> tuple:
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


@router.get("/prizes/{cycle_id}")
def cycle_page(request: Request, me: Me, cycle_id: Id) -> Response:
    cycle, noms, mine, approved = run(request, _cycle_view, cycle_id, me, write=False)
    return page(request, "platform/prize.html", title=cycle["name"], cycle=cycle, noms=noms, mine=mine,
                approved=approved, can_nominate=bool(me and me.can("reviewer")),
                can_vote=bool(me and me.verified))


def _nominate(s: Session, me: Principal, cycle_id: int, category_id: int, submission_id: int) -> None:
    cycle = _cycle(s, cycle_id)
    if category_id not in {c.id for c in cycle.categories}:
        raise UserError(f"category_id: not a category of {cycle.name}")
    prizes.nominate(s, me.actor(), category_id, submission_id)


@router.post("/prizes/{cycle_id}/nominate")
def nominate(request: Request, me: Reviewer, form: Form, cycle_id: Id) -> Response:
    try:
        category_id, submission_id = int(field(form, "category_id")), int(field(form, "submission_id"))
    except ValueError:
        raise UserError("category_id and submission_id: numbers") from None
    run(request, _nominate, me, cycle_id, category_id, submission_id)
    return RedirectResponse(f"/prizes/{cycle_id}", status_code=303)


def _vote(s: Session, me: Principal, cycle_id: int, nomination_id: int, ip: str) -> None:
    nom = s.get(Nomination, nomination_id)
    if nom is None or nom.category.cycle_id != cycle_id:
        raise UserError(f"nomination_id: not a nomination of prize cycle {cycle_id}")
    prizes.cast_vote(s, s.get(User, me.id), nomination_id, ip)


@router.post("/prizes/{cycle_id}/vote")
def vote(request: Request, me: Voter, form: Form, cycle_id: Id) -> Response:
    try:
        nomination_id = int(field(form, "nomination_id"))
    except ValueError:
        raise UserError("nomination_id: a number") from None
    limited(request, "vote", me.username)
    try:
        run(request, _vote, me, cycle_id, nomination_id, client_ip(request))
    except prizes.AlreadyVoted as exc:
        raise HTTPException(409, str(exc)) from None
    except prizes.VotingClosed as exc:
        raise HTTPException(403, str(exc)) from None
    return RedirectResponse(f"/prizes/{cycle_id}?voted=1", status_code=303)


def _results(s: Session, cycle_id: int, me: Principal | None) -> tuple:
    cycle = _cycle(s, cycle_id)
    return prizes.cycle_dict(cycle), prizes.results(s, cycle, me.actor() if me else None)


@router.get("/prizes/{cycle_id}/results")
def results(request: Request, me: Me, cycle_id: Id) -> Response:
    try:
        cycle, rows = run(request, _results, cycle_id, me, write=False)
    except prizes.VotingClosed as exc:
        raise HTTPException(403, str(exc)) from None
    return page(request, "platform/results.html", title=f"Results: {cycle['name']}", cycle=cycle, rows=rows)
