"""Administration pages (users, invitations, reset links, the suspicious-vote report) and
the audit view of any record, with CSV/JSON export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from sdgmap.errors import UserError
from sdgmap.platform import accounts, prizes
from sdgmap.store import audit
from sdgmap.store.platform_models import ROLES, PrizeCycle, User
from sdgmap.web.deps import Admin, AuditId, Form, Id, field, page_role, run
from sdgmap.web.identity import Principal
from sdgmap.web.platform.auth import signup_open
from sdgmap.web.render import page

router = APIRouter(include_in_schema=False)
ADMIN_ONLY_AUDIT = ("users", "api_tokens")


def _base_url(request: Request) -> str:
    # The configured site address: a request's Host header is the sender's to choose, and a
    # link built from it would send the new password to their site.
    return request.app.state.base_url


def _user(s: Session, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    return user


@router.get("/admin/users")
def users_page(request: Request, me: Admin) -> Response:
    with request.app.state.store.transaction() as s:
        rows = [accounts.user_dict(u) for u in s.scalars(select(User).order_by(User.username))]
        cycles = [(c.id, c.name) for c in s.scalars(select(PrizeCycle).order_by(PrizeCycle.id.desc()))]
    return page(request, "platform/admin_users.html", title="Users", users=rows, roles=ROLES, cycles=cycles,
                signup_open=signup_open(request))


def _invite(s: Session, me: Principal, username: str, role: str, email: str) -> tuple[str, str]:
    user = accounts.create_user(s, username, role=role, email=email, actor=me.username)
    return user.username, accounts.issue_link(s, user, "invite", me.username)


@router.post("/admin/users")
def invite(request: Request, me: Admin, form: Form) -> Response:
    username, token = run(request, _invite, me, field(form, "username"),
                          str(form.get("role", "contributor")), field(form, "email", 254))
    return page(request, "platform/message.html", title="Invitation", back="/admin/users",
                message=f"Send this one-time invitation link to {username} (valid 7 days):",
                secret=f"{_base_url(request)}/invite/{token}")


def _update(s: Session, me: Principal, user_id: int, changes: dict) -> None:
    user = _user(s, user_id)
    if user.id == me.id and (changes["role"] != "admin" or not changes["active"]):
        raise UserError("you cannot demote or disable your own account")
    accounts.update_user(s, user, me.username, **changes)


@router.post("/admin/users/{user_id}")
def update(request: Request, me: Admin, form: Form, user_id: Id) -> Response:
    changes = {"role": field(form, "role"), "verified": form.get("verified") == "1",
               "active": form.get("active") == "1"}
    run(request, _update, me, user_id, changes)
    return RedirectResponse("/admin/users", status_code=303)


def _reset_link(s: Session, me: Principal, user_id: int) -> tuple[str, str]:
    user = _user(s, user_id)
    return user.username, accounts.issue_link(s, user, "reset", me.username)


@router.post("/admin/users/{user_id}/reset-link")
def reset_link(request: Request, me: Admin, _form: Form, user_id: Id) -> Response:
    username, token = run(request, _reset_link, me, user_id)
    return page(request, "platform/message.html", title="Password reset link", back="/admin/users",
                message=f"Send this one-time link to {username} (valid 7 days):",
                secret=f"{_base_url(request)}/reset/{token}")


def _suspicious(s: Session, cycle_id: int, lead_hours: int, min_accounts: int) -> dict:
    cycle = s.get(PrizeCycle, cycle_id)
    if cycle is None:
        raise LookupError(f"no prize cycle {cycle_id}")
    return prizes.suspicious_report(s, cycle, lead_hours=lead_hours, min_accounts=min_accounts)


@router.get("/admin/prizes/{cycle_id}/suspicious")
def suspicious(request: Request, me: Admin, cycle_id: Id, format: str = "html", lead_hours: int = 72,
               min_accounts: int = 3) -> Response:
    if format not in ("html", "json") or not 1 <= lead_hours <= 24 * 90 or not 2 <= min_accounts <= 1000:
        raise UserError("format: html or json; lead_hours: 1-2160; min_accounts: 2-1000")
    report = run(request, _suspicious, cycle_id, lead_hours, min_accounts, write=False)
    if format == "json":
        return JSONResponse(report)
    return page(request, "platform/suspicious.html", title="Suspicious voting patterns", report=report,
                cycle_id=cycle_id)


def _audit_reader(request: Request, table: str) -> Principal:
    return page_role(request, "admin" if table in ADMIN_ONLY_AUDIT else "reviewer")


@router.get("/audit/{table}/{row_id}")
def audit_view(request: Request, me: Annotated[Principal, Depends(_audit_reader)], table: str,
               row_id: AuditId, format: str = "html") -> Response:
    if table not in audit.AUDITED_TABLES:
        raise HTTPException(404, f"no audit trail for {table[:40]!r}; one of {', '.join(audit.AUDITED_TABLES)}")
    if format not in ("html", "csv", "json"):
        raise UserError("format: html, csv or json")
    with request.app.state.store.transaction() as s:
        events = audit.history(s, table, row_id)
    if format == "html":
        return page(request, "platform/audit.html", title=f"History of {table} {row_id}", events=events,
                    table=table, row_id=row_id)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    return Response(audit.export(events, format), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="audit-{table}-{row_id}.{format}"'})
