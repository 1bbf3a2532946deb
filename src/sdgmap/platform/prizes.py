"""Prize cycles: categories, nominations by reviewers, a public vote, results and champions.

The vote is protected in layers: only verified, active accounts vote; only inside the
cycle's window; at most one vote per account per category, enforced by the database's
unique constraint so it holds under concurrent requests and several app workers; a
rate limit (``sdgmap.platform.ratelimit``); an audit record for every vote; and a report
of suspicious patterns for the administrators.

Who acts is an ``Actor`` (the web layer's, with the request's effective role) or an ORM
``User`` (its account role: the CLI, tests); results before the close follow that role.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sdgmap.errors import UserError
from sdgmap.platform.accounts import Actor, has_role
from sdgmap.store import audit
from sdgmap.store.audit import aware
from sdgmap.store.models import Node, utcnow
from sdgmap.store.platform_models import (
    Nomination,
    PrizeCategory,
    PrizeCycle,
    Submission,
    User,
    Vote,
)
from sdgmap.text.clean import one_line


class AlreadyVoted(UserError):
    pass


class VotingClosed(UserError):
    pass


def _need(user: Actor | User | None, role: str) -> None:
    if user is None or not has_role(user.role, role):
        raise PermissionError(f"{role}s only")


def phase(cycle: PrizeCycle, now: datetime | None = None) -> str:
    """``nominations`` before the vote opens, then ``voting``, then ``closed``."""
    now = now or utcnow()
    if now < aware(cycle.vote_opens_at):
        return "nominations"
    return "voting" if now < aware(cycle.vote_closes_at) else "closed"


def create_cycle(session: Session, admin: Actor | User, name: str, opens: datetime, closes: datetime, *,
                 categories: list[str] = (), action_line_categories: bool = False,
                 champions: int = 5) -> PrizeCycle:
    _need(admin, "admin")
    name = one_line(name)
    if not name or len(name) > 200:
        raise UserError("name: required, at most 200 characters")
    if opens.tzinfo is None or closes.tzinfo is None:
        raise UserError("vote window: times need a time zone (e.g. 2026-05-01T09:00+00:00)")
    if closes <= opens:
        raise UserError("vote window: closing time must be after opening time")
    if session.scalar(select(PrizeCycle.id).where(PrizeCycle.name == name)) is not None:
        raise UserError(f"name: a cycle {name!r} exists")
    cycle = PrizeCycle(name=name, vote_opens_at=opens, vote_closes_at=closes,
                       champions_per_category=max(0, min(champions, 20)), created_by=admin.username)
    session.add(cycle)
    session.flush()
    if action_line_categories:
        for n in session.scalars(select(Node).where(Node.framework_id == "wsis", Node.parent_id.is_(None))
                                 .order_by(Node.sort)):
            session.add(PrizeCategory(cycle_id=cycle.id, name=f"{n.code} {n.title}"[:300], code=n.ref))
    for c in categories:
        add_category(session, admin, cycle, c)
    session.flush()
    audit.record(session, admin.username, "prize_cycles", cycle.id, "create", {},
                 {"name": name, "opens": opens, "closes": closes,
                  "categories": [c.name for c in cycle.categories]})
    return cycle


def add_category(session: Session, admin: Actor | User, cycle: PrizeCycle, name: str, code: str = "") -> PrizeCategory:
    _need(admin, "admin")
    name = one_line(name)
    if not name or len(name) > 300:
        raise UserError("category: required, at most 300 characters")
    if phase(cycle) != "nominations":
        raise UserError("categories can only change before the vote opens")
    if session.scalar(select(PrizeCategory.id).where(PrizeCategory.cycle_id == cycle.id,
                                                     PrizeCategory.name == name)):
        raise UserError(f"category: {name!r} exists in this cycle")
    cat = PrizeCategory(cycle_id=cycle.id, name=name, code=code[:64])
    session.add(cat)
    session.flush()
    return cat


def nominate(session: Session, reviewer: Actor | User, category_id: int, submission_id: int) -> Nomination:
    _need(reviewer, "reviewer")
    cat = session.get(PrizeCategory, category_id)
    if cat is None:
        raise UserError(f"no category {category_id}")
    if phase(cat.cycle) != "nominations":
        raise UserError("nominations are closed: the vote has opened")
    sub = session.get(Submission, submission_id)
    if sub is None or sub.status != "approved":
        raise UserError("only approved entries can be nominated")
    if session.scalar(select(Nomination.id).where(Nomination.category_id == cat.id,
                                                  Nomination.submission_id == sub.id)):
        raise UserError("already nominated in this category")
    nom = Nomination(category_id=cat.id, submission_id=sub.id, nominated_by=reviewer.username)
    session.add(nom)
    session.flush()
    audit.record(session, reviewer.username, "nominations", nom.id, "nominate", {},
                 {"category": cat.name, "submission_id": sub.id, "title": sub.title})
    return nom


def cast_vote(session: Session, user: User, nomination_id: int, ip: str = "",
              now: datetime | None = None) -> Vote:
    """One vote; ``AlreadyVoted`` if the account has voted in this category (even concurrently)."""
    if user is None:
        raise PermissionError("log in to vote")
    if not user.verified or not user.active:
        raise PermissionError("only verified accounts can vote")
    nom = session.get(Nomination, nomination_id)
    if nom is None:
        raise UserError(f"no nomination {nomination_id}")
    if phase(nom.category.cycle, now) != "voting":
        raise VotingClosed("voting is not open for this prize cycle")
    vote = Vote(category_id=nom.category_id, nomination_id=nom.id, user_id=user.id, ip=ip[:64])
    try:
        with session.begin_nested():  # the unique constraint is the arbiter, not the check above
            session.add(vote)
            session.flush()
    except IntegrityError:
        raise AlreadyVoted("you have already voted in this category") from None
    audit.record(session, user.username, "votes", vote.id, "vote", {},
                 {"category_id": nom.category_id, "nomination_id": nom.id, "ip": vote.ip})
    return vote


def my_votes(session: Session, user: User | None, cycle: PrizeCycle) -> dict[int, int]:
    """category id -> nomination id this user voted for."""
    if user is None:
        return {}
    rows = session.execute(select(Vote.category_id, Vote.nomination_id).join(PrizeCategory)
                           .where(Vote.user_id == user.id, PrizeCategory.cycle_id == cycle.id))
    return dict(rows.all())


def nominations(session: Session, cycle: PrizeCycle) -> dict[int, list[Nomination]]:
    out: dict[int, list[Nomination]] = {c.id: [] for c in cycle.categories}
    for n in session.scalars(select(Nomination).join(PrizeCategory)
                             .where(PrizeCategory.cycle_id == cycle.id).order_by(Nomination.id)):
        out[n.category_id].append(n)
    return out


def results(session: Session, cycle: PrizeCycle, viewer: Actor | User | None = None) -> list[dict]:
    """Per category: nominations by votes; the winner and the champions. Public after close;
    before, only for whoever acts as an admin (an admin's read token does not)."""
    if phase(cycle) != "closed" and not (viewer and has_role(viewer.role, "admin")):
        raise VotingClosed("results are published when the vote closes")
    counts = dict(session.execute(select(Vote.nomination_id, func.count()).join(PrizeCategory)
                                  .where(PrizeCategory.cycle_id == cycle.id)
                                  .group_by(Vote.nomination_id)).all())
    out = []
    for cat in cycle.categories:
        noms = sorted(nominations(session, cycle)[cat.id], key=lambda n: (-counts.get(n.id, 0), n.id))
        ranked = []
        for rank, n in enumerate(noms, 1):
            votes = counts.get(n.id, 0)
            title = "winner" if rank == 1 and votes else (
                "champion" if 1 < rank <= 1 + cycle.champions_per_category and votes else "")
            ranked.append({"rank": rank, "nomination_id": n.id, "submission_id": n.submission_id,
                           "title": n.submission.title, "organisation": n.submission.organisation,
                           "votes": votes, "award": title})
        out.append({"category_id": cat.id, "category": cat.name, "code": cat.code,
                    "total_votes": sum(r["votes"] for r in ranked), "entries": ranked})
    return out


def suspicious_report(session: Session, cycle: PrizeCycle, *, lead_hours: int = 72,
                      min_accounts: int = 3, fast_minutes: int = 10) -> dict:
    """Patterns worth a human look: account bursts from one address just before or during the
    vote, many voters behind one address, and accounts that voted minutes after being made."""
    opens, closes = aware(cycle.vote_opens_at), aware(cycle.vote_closes_at)
    start = opens - timedelta(hours=lead_hours)
    cat_ids = [c.id for c in cycle.categories]
    voters = select(Vote.user_id).where(Vote.category_id.in_(cat_ids)).distinct().subquery()
    bursts = []
    # Every account made from one address in the window counts, voted or not: a burst made
    # before the vote opens is worth a look before it is used.
    rows = session.execute(
        select(User.created_ip, func.count(User.id))
        .where(User.created_at >= start, User.created_at < closes, User.created_ip != "")
        .group_by(User.created_ip).having(func.count(User.id) >= min_accounts)
        .order_by(func.count(User.id).desc(), User.created_ip)).all()
    voted = set(session.scalars(select(voters.c.user_id)))
    for ip, n in rows:
        accounts = session.execute(select(User.id, User.username).where(
            User.created_ip == ip, User.created_at >= start, User.created_at < closes)
            .order_by(User.created_at)).all()
        bursts.append({"ip": ip, "accounts": n, "voted": sum(uid in voted for uid, _ in accounts),
                       "usernames": [name for _, name in accounts[:50]]})
    shared = [
        {"ip": ip, "category": name, "voters": n}
        for ip, name, n in session.execute(
            select(Vote.ip, PrizeCategory.name, func.count(func.distinct(Vote.user_id)))
            .join(PrizeCategory).where(Vote.category_id.in_(cat_ids), Vote.ip != "")
            .group_by(Vote.ip, PrizeCategory.name)
            .having(func.count(func.distinct(Vote.user_id)) >= min_accounts)
            .order_by(func.count(func.distinct(Vote.user_id)).desc())).all()]
    fast = []
    for v, u in session.execute(select(Vote, User).join(User, Vote.user_id == User.id)
                                .where(Vote.category_id.in_(cat_ids))):
        if aware(v.at) - aware(u.created_at) <= timedelta(minutes=fast_minutes):
            fast.append({"username": u.username, "created_ip": u.created_ip, "vote_ip": v.ip,
                         "minutes_after_signup": round((aware(v.at) - aware(u.created_at)).total_seconds() / 60, 1)})
    return {"cycle": cycle.name, "window": {"from": start.isoformat(), "to": closes.isoformat()},
            "account_bursts": bursts, "shared_vote_addresses": shared, "fast_voters": fast[:500]}


def cycle_dict(c: PrizeCycle) -> dict:
    return {"id": c.id, "name": c.name, "phase": phase(c),
            "vote_opens_at": aware(c.vote_opens_at).isoformat(),
            "vote_closes_at": aware(c.vote_closes_at).isoformat(),
            "categories": [{"id": k.id, "name": k.name, "code": k.code} for k in c.categories]}
