"""Stocktaking pages: the public list, the submission form, an entry with its history, and
the reviewers' moderation queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from sdgmap.errors import UserError
from sdgmap.platform import submissions as subs
from sdgmap.store import audit
from sdgmap.store.models import Node
from sdgmap.store.platform_models import SUBMISSION_STATES, Submission
from sdgmap.web.platform.auth import (
    Id,
    agate,
    call,
    call_sync,
    current_user,
    gate,
    limited,
    page,
    read_form,
)

router = APIRouter(include_in_schema=False)
PER_PAGE = 25


def form_to_data(form: dict) -> dict:
    """The HTML form's flat fields as the core's submission dict."""
    def one(key: str) -> str:
        v = form.get(key, "")
        return v if isinstance(v, str) else ""

    def many(key: str) -> list[str]:
        v = form.get(key, [])
        return [v] if isinstance(v, str) else list(v)

    sdgs = {g: one(f"why_{g}") for g in many("sdg")}
    return {"title": one("title"), "organisation": one("organisation"), "country": one("country"),
            "description": one("description"), "website": one("website"),
            "project_status": one("project_status"), "date_start": one("date_start"),
            "date_end": one("date_end"), "action_lines": many("action_lines"), "sdgs": sdgs,
            "partners": [p for p in one("partners").splitlines() if p.strip()]}


def _choices(s) -> dict:
    als = [(n.code, n.title) for n in s.scalars(select(Node).where(Node.framework_id == "wsis",
                                                                   Node.parent_id.is_(None)).order_by(Node.sort))]
    goals = [(n.code, n.title) for n in s.scalars(select(Node).where(Node.framework_id == "sdg",
                                                                     Node.kind == "goal").order_by(Node.sort))]
    return {"action_line_choices": als, "goal_choices": goals, "statuses": subs.PROJECT_STATUSES,
            "word_limit": subs.WORD_LIMIT, "why_words": subs.JUSTIFICATION_WORDS}


def _form_page(request: Request, data: dict, status: int = 200, error: str = "", sub_id: Id | None = None):
    with request.app.state.store.transaction() as s:
        choices = _choices(s)
    return page(request, "platform/submission_form.html", status=status, title=(
        "Edit submission" if sub_id else "Submit a project"), data=data, error=error, sub_id=sub_id, **choices)


@router.get("/submissions")
def submission_list(request: Request, q: str = "", status: str = "", page_no: int = 1) -> Response:
    if status and status not in SUBMISSION_STATES:
        raise UserError(f"status: one of {', '.join(SUBMISSION_STATES)}")
    if not 1 <= page_no <= 10000:
        raise UserError("page_no: 1 to 10000")
    me = current_user(request)
    with request.app.state.store.transaction() as s:
        rows = [subs.submission_dict(x) for x in subs.list_submissions(
            s, me.actor() if me else None, status=status or None, text=q[:200] or None, limit=PER_PAGE + 1,
            offset=(page_no - 1) * PER_PAGE)]
    return page(request, "platform/submissions.html", title="Stocktaking entries", rows=rows[:PER_PAGE],
                more=len(rows) > PER_PAGE, q=q[:200], state=status, page_no=page_no,
                states=SUBMISSION_STATES)


@router.get("/submissions/new")
def new_form(request: Request) -> Response:
    me = gate(request, "contributor")
    if isinstance(me, Response):
        return me
    return _form_page(request, {"sdgs": {}, "action_lines": [], "partners": []})


def _after_save(request: Request, form: dict):
    """Save as draft, or also submit when the 'submit' button was pressed."""
    semantic = getattr(request.app.state, "classify_semantic", None)
    use = getattr(request.app.state, "submission_classifier", True)

    def finish(s, sub, user):
        if form.get("action") == "submit":
            subs.submit(s, sub, user, use_classifier=use, semantic=semantic)
        return sub.id
    return finish


@router.post("/submissions/new")
async def create(request: Request) -> Response:
    me = await agate(request, "contributor")
    if isinstance(me, Response):
        return me
    form = await read_form(request)
    data = form_to_data(form)
    await limited(request, "submit", me.username)
    finish = _after_save(request, form)

    def work(s):
        user = me.actor()
        return finish(s, subs.create_draft(s, user, data), user)
    try:
        sub_id = await call(request, work)
    except UserError as exc:
        return await run_in_threadpool(_form_page, request, data, 400, str(exc))
    return RedirectResponse(f"/submissions/{sub_id}", status_code=303)


@router.get("/submissions/{sub_id}")
def show(request: Request, sub_id: Id) -> Response:
    me = current_user(request)

    def work(s):
        user = me.actor() if me else None
        sub = subs.get_submission(s, sub_id, user)
        private = subs.sees_private(sub, user)
        return (subs.submission_dict(sub, private=private),
                audit.history(s, "submissions", sub_id) if private else [],
                private, user is not None and sub.owner_id == user.id)
    data, history, private, owner = call_sync(request, work)
    # Nobody decides on their own entry: no decision form for its owner.
    return page(request, "platform/submission.html", title=data["title"], sub=data, history=history,
                private=private, owner=owner, reviewer=bool(me and me.can("reviewer")))


def _not_editable(request: Request, sub_id: int, exc: subs.NotEditable) -> Response:
    """The GET and the POST of a submitted or decided entry's form answer alike: 409, no form."""
    return page(request, "platform/message.html", status=409, title="This entry cannot be edited now",
                message=f"{exc}.", back=f"/submissions/{sub_id}")


@router.get("/submissions/{sub_id}/edit")
def edit_form(request: Request, sub_id: Id) -> Response:
    me = gate(request, "contributor")
    if isinstance(me, Response):
        return me

    def work(s):
        sub = subs.get_submission(s, sub_id, me.actor())
        subs.check_editable(sub, me.actor())  # the same checks as saving it
        return subs.submission_dict(sub)
    try:
        data = call_sync(request, work)
    except subs.NotEditable as exc:
        return _not_editable(request, sub_id, exc)
    return _form_page(request, data, sub_id=sub_id)


@router.post("/submissions/{sub_id}/edit")
async def edit(request: Request, sub_id: Id) -> Response:
    me = await agate(request, "contributor")
    if isinstance(me, Response):
        return me
    form = await read_form(request)
    data = form_to_data(form)
    finish = _after_save(request, form)

    def work(s):
        user = me.actor()
        sub = subs.get_submission(s, sub_id, user)
        return finish(s, subs.update_submission(s, sub, user, data), user)
    try:
        await call(request, work)
    except subs.NotEditable as exc:
        return await run_in_threadpool(_not_editable, request, sub_id, exc)
    except UserError as exc:
        return await run_in_threadpool(_form_page, request, data, 400, str(exc), sub_id)
    return RedirectResponse(f"/submissions/{sub_id}", status_code=303)


@router.post("/submissions/{sub_id}/submit")
async def submit(request: Request, sub_id: Id) -> Response:
    me = await agate(request, "contributor")
    if isinstance(me, Response):
        return me
    await read_form(request)
    finish = _after_save(request, {"action": "submit"})

    def work(s):
        user = me.actor()
        return finish(s, subs.get_submission(s, sub_id, user), user)
    try:
        await call(request, work)
    except subs.NotEditable as exc:
        return await run_in_threadpool(_not_editable, request, sub_id, exc)
    return RedirectResponse(f"/submissions/{sub_id}", status_code=303)


@router.post("/submissions/{sub_id}/decision")
async def decision(request: Request, sub_id: Id) -> Response:
    me = await agate(request, "reviewer")
    if isinstance(me, Response):
        return me
    form = await read_form(request)

    def work(s):
        user = me.actor()
        subs.decide(s, subs.get_submission(s, sub_id, user), user, str(form.get("decision", "")),
                    str(form.get("comment", "")))
    await call(request, work)
    return RedirectResponse("/moderation", status_code=303)


@router.get("/moderation")
def moderation(request: Request) -> Response:
    me = gate(request, "reviewer")
    if isinstance(me, Response):
        return me
    with request.app.state.store.transaction() as s:
        rows = [subs.submission_dict(x, private=True) for x in s.scalars(
            select(Submission).where(Submission.status == "submitted").order_by(Submission.submitted_at))]
    return page(request, "platform/moderation.html", title="Moderation queue", rows=rows)
