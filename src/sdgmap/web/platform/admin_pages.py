"""Administration pages (users, invitations, reset links, the suspicious-vote report) and
the audit view of any record, with CSV/JSON export."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from sdgmap.errors import UserError
from sdgmap.platform import accounts, prizes
from sdgmap.store import audit
from sdgmap.store.platform_models import ROLES, PrizeCycle, User
from sdgmap.web.platform.auth import (
    AuditId,
    Id,
    agate,
    call,
    call_sync,
    gate,
    page,
    read_form,
    signup_open,
)

router = APIRouter(include_in_schema=False)
ADMIN_ONLY_AUDIT = ("users", "api_tokens")


def _base_url(request: Request) -> str:
    # The configured site address: a request's Host header is the sender's to choose, and a
    # link built from it would send the new password to their site.
    return request.app.state.base_url


@router.get("/admin/users")
def users_page(request: Request) -> Response:
    me = gate(request, "admin")
    if isinstance(me, Response):
        return me
    with request.app.state.store.transaction() as s:
        rows = [accounts.user_dict(u) for u in s.scalars(select(User).order_by(User.username))]
        cycles = [(c.id, c.name) for c in s.scalars(select(PrizeCycle).order_by(PrizeCycle.id.desc()))]
    return page(request, "platform/admin_users.html", title="Users", users=rows, roles=ROLES, cycles=cycles,
                signup_open=signup_open(request))


@router.post("/admin/users")
async def invite(request: Request) -> Response:
    me = await agate(request, "admin")
    if isinstance(me, Response):
        return me
    form = await read_form(request)

    def work(s):
        user = accounts.create_user(s, str(form.get("username", "")), role=str(form.get("role", "contributor")),
                                    email=str(form.get("email", ""))[:254], actor=me.username)
        return user.username, accounts.issue_link(s, user, "invite", me.username)
    username, token = await call(request, work)
    return page(request, "platform/message.html", title="Invitation", back="/admin/users",
                message=f"Send this one-time invitation link to {username} (valid 7 days):",
                secret=f"{_base_url(request)}/invite/{token}")


@router.post("/admin/users/{user_id}")
async def update(request: Request, user_id: Id) -> Response:
    me = await agate(request, "admin")
    if isinstance(me, Response):
        return me
    form = await read_form(request)
    changes = {"role": str(form.get("role", "")), "verified": form.get("verified") == "1",
               "active": form.get("active") == "1"}

    def work(s):
        user = s.get(User, user_id)
        if user is None:
            raise LookupError(f"no user {user_id}")
        if user.id == me.id and (changes["role"] != "admin" or not changes["active"]):
            raise UserError("you cannot demote or disable your own account")
        accounts.update_user(s, user, me.username, **changes)
    await call(request, work)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/reset-link")
async def reset_link(request: Request, user_id: Id) -> Response:
    me = await agate(request, "admin")
    if isinstance(me, Response):
        return me
    await read_form(request)

    def work(s):
        user = s.get(User, user_id)
        if user is None:
            raise LookupError(f"no user {user_id}")
        return user.username, accounts.issue_link(s, user, "reset", me.username)
    username, token = await call(request, work)
    return page(request, "platform/message.html", title="Password reset link", back="/admin/users",
                message=f"Send this one-time link to {username} (valid 7 days):",
                secret=f"{_base_url(request)}/reset/{token}")


@router.get("/admin/prizes/{cycle_id}/suspicious")
def suspicious(request: Request, cycle_id: Id, format: str = "html", lead_hours: int = 72,
               min_accounts: int = 3) -> Response:
    me = gate(request, "admin")
    if isinstance(me, Response):
        return me
    if format not in ("html", "json") or not 1 <= lead_hours <= 24 * 90 or not 2 <= min_accounts <= 1000:
        raise UserError("format: html or json; lead_hours: 1-2160; min_accounts: 2-1000")

    def work(s):
        cycle = s.get(PrizeCycle, cycle_id)
        if cycle is None:
            raise LookupError(f"no prize cycle {cycle_id}")
        return prizes.suspicious_report(s, cycle, lead_hours=lead_hours, min_accounts=min_accounts)
    report = call_sync(request, work)
    if format == "json":
        return JSONResponse(report)
    return page(request, "platform/suspicious.html", title="Suspicious voting patterns", report=report,
                cycle_id=cycle_id)


@router.get("/audit/{table}/{row_id}")
def audit_view(request: Request, table: str, row_id: AuditId, format: str = "html") -> Response:
    me = gate(request, "admin" if table in ADMIN_ONLY_AUDIT else "reviewer")
    if isinstance(me, Response):
        return me
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
