"""Rate limits counted in the database, so every app worker and process sees the same counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from sdgmap.errors import UserError
from sdgmap.store.models import utcnow
from sdgmap.store.platform_models import RateEvent

# name -> (max attempts, window)
LIMITS: dict[str, tuple[int, timedelta]] = {
    "login": (10, timedelta(minutes=15)),
    "signup": (5, timedelta(hours=1)),
    "vote": (30, timedelta(hours=1)),
    "submit": (30, timedelta(hours=1)),
}


class RateLimited(UserError):
    pass


def hit(session: Session, name: str, who: str) -> None:
    """Count one attempt; raise ``RateLimited`` when ``who`` has used up the window."""
    limit, window = LIMITS[name]
    key = f"{name}:{who}"[:200]
    if session.get_bind().dialect.name == "postgresql":
        # Count-then-insert is only safe when one transaction per key runs it at a time:
        # under READ COMMITTED parallel requests would all see the same count. SQLite
        # already serialises writers.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
    now = utcnow()
    since = now - window
    used = session.scalar(select(func.count()).select_from(RateEvent)
                          .where(RateEvent.key == key, RateEvent.at >= since)) or 0
    if used >= limit:
        raise RateLimited(f"too many {name} attempts; try again later")
    # Attempts older than the window no longer count; dropping them keeps the table small.
    session.execute(delete(RateEvent).where(RateEvent.key == key, RateEvent.at < since))
    session.add(RateEvent(key=key, at=now))


def prune(session: Session, older_than: timedelta = timedelta(days=2)) -> int:
    return session.execute(delete(RateEvent).where(RateEvent.at < utcnow() - older_than)).rowcount
