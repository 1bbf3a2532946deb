"""Who sees what: public content for the public, everything for reviewers.

In multi-user mode (accounts exist) anonymous visitors, viewers and contributors see only
public, reviewed content: an activity link (or a framework link) counts only if it is not
rejected and is not an unreviewed suggestion. Reviewers and admins, and everyone in single-user
mode, see everything.

It is enforced in one place, below every page, API answer, export and chart: a request
that may not see everything gets a database session marked *public*, and every ORM query
run through such a session has the condition added to each appearance of
``ActivityLink`` and ``Link`` (joins, subqueries, relationship loads) by SQLAlchemy's loader criteria.
Handlers get their sessions from ``request_store(request).transaction()``; the analytics
cache keeps public and full results apart (``is_public``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy import and_, event, or_
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from sdgmap.store import Store
from sdgmap.store.models import ActivityLink, Link
from sdgmap.web.identity import accounts_in_use, current_user

PUBLIC = "sdgmap_public_only"  # key in Session.info
SEE_ALL_ROLE = "reviewer"


def _public_links(cls):
    # Reviewed or stated, never rejected: what a reviewer has let stand.
    return and_(cls.review != "rejected", or_(cls.kind != "suggested", cls.review != "unverified"))


@event.listens_for(Session, "do_orm_execute")
def _only_public(state: ORMExecuteState) -> None:
    if state.is_select and state.session.info.get(PUBLIC):
        state.statement = state.statement.options(
            with_loader_criteria(ActivityLink, _public_links, include_aliases=True),
            with_loader_criteria(Link, _public_links, include_aliases=True))


def is_public(session: Session) -> bool:
    """True if this session shows public content only."""
    return bool(session.info.get(PUBLIC))


def sees_everything(request: Request) -> bool:
    """Single-user mode, or a signed-in reviewer/admin (an API token needs the review scope)."""
    if not hasattr(request.state, "sees_everything"):
        if not accounts_in_use(request):
            request.state.sees_everything = True
        else:
            user = current_user(request)
            request.state.sees_everything = bool(user and user.can(SEE_ALL_ROLE))
    return request.state.sees_everything


class RequestStore:
    """The app's store as one request may see it."""

    def __init__(self, store: Store, public: bool) -> None:
        self.store = store
        self.public = public

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.store.transaction() as session:
            if self.public:
                session.info[PUBLIC] = True
            yield session


def request_store(request: Request) -> RequestStore:
    """The store for read handlers: public-only unless the requester may see everything."""
    return RequestStore(request.app.state.store, public=not sees_everything(request))
