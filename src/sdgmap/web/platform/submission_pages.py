"""Stocktaking pages: the public list, the submission form, an entry with its history, and
the reviewers' moderation queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sdgmap.errors import UserError
from sdgmap.platform import submissions as subs
from sdgmap.store import audit
from sdgmap.store.models import Node
from sdgmap.store.platform_models import SUBMISSION_STATES, Submission
from sdgmap.web.deps import Contributor, Form, Id, Me, Reviewer, field, limited, run
from sdgmap.web.identity import Principal
from sdgmap.web.render import page

router = APIRouter(include_in_schema=False)
PER_PAGE = 25


def form_to_data(form: FormData) -> dict:
    """The HTML form's fields as the core's submission dict."""
    def one(key: str) -> str:
        return field(form, key)

    sdgs = {g: one(f"why_{g}") for g in form.getlist("sdg")}
    return {"title": one("title"), "organisation": one("organisation"), "country": one("country"),
            "description": one("description"), "website": one("website"),
            "project_status": one("project_status"), "date_start": one("date_start"),
            "date_end": one("date_end"), "action_lines": form.getlist("action_lines"), "sdgs": sdgs,
            "partners": [p for p in one("partners").splitlines() if p.strip()]}


def _choices(s) -> dict:
    als = [(n.code, n.title) for n in s.scalars(select(Node).where(Node.framework_id == "wsis",
                                                                   Node.parent_id.is_(None)).order_by(Node.sort))]
    goals = [(n.code, n.title) for n in s.scalars(select(Node).where(Node.framework_id == "sdg",
                                                                     Node.kind == "goal").order_by(Node.sort))]
    return {"action_line_choices": als, "goal_choices": goals, "statuses": subs.PROJECT_STATUSES,
            "word_limit": subs.WORD_LIMIT, "why_words": subs.JUSTIFICATION_WORDS}


def _form_page(request: Request, data: dict, status: int = 200, error: str = "", sub_id: int | None = None):
    with request.app.state.store.transaction() as s:
        choices = _choices(s)
    return page(request, "platform/submission_form.html", status=status, title=(
        "Edit submission" if sub_id else "Submit a project"), data=data, error=error, sub_id=sub_id, **choices)


@router.get("/submissions")
def submission_list(request: Request, me: Me, q: str = "", status: str = "", page_no: int = 1) -> Response:
    if status and status not in SUBMISSION_STATES:
        raise UserError(f"status: one of {', '.join(SUBMISSION_STATES)}")
    if not 1 <= page_no <= 10000:
        raise UserError("page_no: 1 to 10000")
    with request.app.state.store.transaction() as s:
        rows = [subs.submission_dict(x) for x in subs.list_submissions(
            s, me.actor() if me else None, status=status or None, text=q[:200] or None, limit=PER_PAGE + 1,
            offset=(page_no - 1) * PER_PAGE)]
    return page(request, "platform/submissions.html", title="Stocktaking entries", rows=rows[:PER_PAGE],
                more=len(rows) > PER_PAGE, q=q[:200], state=status, page_no=page_no,
                states=SUBMISSION_STATES)


@router.get("/submissions/new")
def new_form(request: Request, me: Contributor) -> Response:
    return _form_page(request, {"sdgs": {}, "action_lines": [], "partners": []})


def _save(s: Session, request: Request, me: Principal, sub_id: int | None, data: dict | None,
          submit: bool) -> int:
    """Create (no ``sub_id``) or update an entry, or with no ``data`` leave it as it is; then
    submit it for moderation when asked."""
    user = me.actor()
    if sub_id is None:
        sub = subs.create_draft(s, user, data)
    else:
        sub = subs.get_submission(s, sub_id, user)
        if data is not None:
            sub = subs.update_submission(s, sub, user, data)
    if submit:
        subs.submit(s, sub, user, use_classifier=getattr(request.app.state, "submission_classifier", True),
                    semantic=getattr(request.app.state, "classify_semantic", None))
    return sub.id


@router.post("/submissions/new")
def create(request: Request, me: Contributor, form: Form) -> Response:
    data = form_to_data(form)
    limited(request, "submit", me.username)
    try:
        sub_id = run(request, _save, request, me, None, data, form.get("action") == "submit")
    except UserError as exc:
        return _form_page(request, data, 400, str(exc))
    return RedirectResponse(f"/submissions/{sub_id}", status_code=303)


def _entry(s: Session, sub_id: int, user) -> tuple:
    sub = subs.get_submission(s, sub_id, user)
    private = subs.sees_private(sub, user)
    return (subs.submission_dict(sub, private=private),
            audit.history(s, "submissions", sub_id) if private else [],
            private, user is not None and sub.owner_id == user.id)


@router.get("/submissions/{sub_id}")
def show(request: Request, me: Me, sub_id: Id) -> Response:
    data, history, private, owner = run(request, _entry, sub_id, me.actor() if me else None, write=False)
    # Nobody decides on their own entry: no decision form for its owner.
    return page(request, "platform/submission.html", title=data["title"], sub=data, history=history,
                private=private, owner=owner, reviewer=bool(me and me.can("reviewer")))


def _not_editable(request: Request, sub_id: int, exc: subs.NotEditable) -> Response:
    """The GET and the POST of a submitted or decided entry's form answer alike: 409, no form."""
    return page(request, "platform/message.html", status=409, title="This entry cannot be edited now",
                message=f"{exc}.", back=f"/submissions/{sub_id}")


def _editable(s: Session, sub_id: int, user) -> dict:
    sub = subs.get_submission(s, sub_id, user)
    subs.check_editable(sub, user)  # the same checks as saving it
    return subs.submission_dict(sub)


@router.get("/submissions/{sub_id}/edit")
def edit_form(request: Request, me: Contributor, sub_id: Id) -> Response:
    try:
        data = run(request, _editable, sub_id, me.actor(), write=False)
    except subs.NotEditable as exc:
        return _not_editable(request, sub_id, exc)
    return _form_page(request, data, sub_id=sub_id)


@router.post("/submissions/{sub_id}/edit")
def edit(request: Request, me: Contributor, form: Form, sub_id: Id) -> Response:
    data = form_to_data(form)
    try:
        run(request, _save, request, me, sub_id, data, form.get("action") == "submit")
    except subs.NotEditable as exc:
        return _not_editable(request, sub_id, exc)
    except UserError as exc:
        return _form_page(request, data, 400, str(exc), sub_id)
    return RedirectResponse(f"/submissions/{sub_id}", status_code=303)


@router.post("/submissions/{sub_id}/submit")
def submit(request: Request, me: Contributor, _form: Form, sub_id: Id) -> Response:
    try:
        run(request, _save, request, me, sub_id, None, True)
    except subs.NotEditable as exc:
        return _not_editable(request, sub_id, exc)
    return RedirectResponse(f"/submissions/{sub_id}", status_code=303)


def _decide(s: Session, me: Principal, sub_id: int, decision: str, comment: str) -> None:
    user = me.actor()
    subs.decide(s, subs.get_submission(s, sub_id, user), user, decision, comment)


@router.post("/submissions/{sub_id}/decision")
def decision(request: Request, me: Reviewer, form: Form, sub_id: Id) -> Response:
    run(request, _decide, me, sub_id, field(form, "decision"), field(form, "comment"))
    return RedirectResponse("/moderation", status_code=303)


@router.get("/moderation")
def moderation(request: Request, me: Reviewer) -> Response:
    with request.app.state.store.transaction() as s:
        rows = [subs.submission_dict(x, private=True) for x in s.scalars(
            select(Submission).where(Submission.status == "submitted").order_by(Submission.submitted_at))]
    return page(request, "platform/moderation.html", title="Moderation queue", rows=rows)
