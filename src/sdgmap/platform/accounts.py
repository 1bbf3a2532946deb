"""Accounts, roles, passwords, login sessions, API tokens and one-time links.

Passwords are hashed with argon2id. Session ids, API tokens and one-time links are
random 256-bit values given to the user once; only their SHA-256 digest is stored, so a
copy of the database does not let anyone log in.

``Actor`` is who acts in one request and with which role: the domain functions
(submissions, prizes) decide on its role, which for an API token is at most its widest
scope (``effective_role``), never more than the account's.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sdgmap.errors import UserError
from sdgmap.store import audit
from sdgmap.store.audit import aware
from sdgmap.store.models import utcnow
from sdgmap.store.platform_models import ROLES, ApiToken, OneTimeLink, User, WebSession
from sdgmap.text.clean import one_line

ROLE_RANK = {r: i for i, r in enumerate(ROLES)}
SCOPES = ("read", "submit", "review", "admin")
SCOPE_ROLE = {"read": "viewer", "submit": "contributor", "review": "reviewer", "admin": "admin"}
SESSION_TTL = timedelta(hours=12)
LINK_TTL = timedelta(days=7)
LINK_PURPOSES = ("invite", "reset")
LINK_SPENT = "this link is invalid, used or expired; ask an administrator for a new one"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 is slow on purpose; bound the work an attacker can ask for
USER_FIELDS = ("username", "email", "display_name", "role", "verified", "active")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def _make_hasher(profile: str) -> PasswordHasher:
    # "test" trades strength for speed so that test suites on small machines stay fast;
    # never set it in production (see docs/security.md).
    if profile == "test":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2id with the library's recommended parameters


def configure_hashing(profile: str = "") -> None:
    """Choose the argon2 cost profile ("" = recommended); hashes made earlier still verify."""
    global _hasher, _dummy_hash
    _hasher = _make_hasher(profile)
    _dummy_hash = ""


def dummy_hash() -> str:
    """Verified against when the user does not exist, so a login takes as long either way.
    Made on first use: hashing takes a tenth of a second, which every command would pay."""
    global _dummy_hash
    if not _dummy_hash:
        _dummy_hash = _hasher.hash(secrets.token_hex(16))
    return _dummy_hash


_hasher: PasswordHasher
_dummy_hash = ""
configure_hashing(os.environ.get("SDGMAP_ARGON2_PROFILE", ""))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_role(role: str | None, needed: str) -> bool:
    return role is not None and ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


def effective_role(account_role: str, scopes: list[str] | None) -> str | None:
    """The role a request acts with: the account's (a browser session, ``scopes`` None), or
    for an API token the lower of the account's and its widest scope's (None: no scope)."""
    if scopes is None:
        return account_role
    widest = max((SCOPE_ROLE[sc] for sc in scopes if sc in SCOPE_ROLE), key=ROLE_RANK.__getitem__, default=None)
    if widest is None:
        return None
    return min(account_role, widest, key=lambda r: ROLE_RANK.get(r, -1))


@dataclass(frozen=True)
class Actor:
    """Who acts, as the domain functions see them: an id, a name and the role they act with.

    The web layer builds it with the request's effective role (an API token acts with at
    most its widest scope); an ORM ``User`` passed instead acts with its account role, which
    is right for the CLI and for tests, never for a request."""

    id: int
    username: str
    role: str | None


def hash_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UserError(f"password: must be {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; with no hash (no such user, no password set) the dummy
    hash is verified instead, so that the answer takes as long either way."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(password_hash or dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def normalise_username(name: str) -> str:
    name = (name or "").strip().lower()
    if not USERNAME_RE.match(name):
        raise UserError("username: 2-64 characters, letters, digits, '.', '_' or '-'")
    return name


def user_dict(u: User) -> dict:
    return {"id": u.id, "username": u.username, "email": u.email, "display_name": u.display_name,
            "role": u.role, "verified": u.verified, "active": u.active,
            "created_at": aware(u.created_at).isoformat(), "created_ip": u.created_ip,
            "has_password": u.password_hash is not None}


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


def create_user(session: Session, username: str, *, password: str | None = None,
                role: str = "viewer", email: str = "", display_name: str = "",
                verified: bool = False, actor: str = "", ip: str = "",
                password_hash: str | None = None) -> User:
    """A new account; ``password_hash`` (from ``hash_password``) lets a caller hash first,
    outside its write transaction."""
    username = normalise_username(username)
    if role not in ROLES:
        raise UserError(f"role: must be one of {', '.join(ROLES)}")
    email, display_name = one_line(email), one_line(display_name)
    if len(email) > 254 or len(display_name) > 200:
        raise UserError("email or display name: too long")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"username: {username!r} is taken")
    user = User(username=username, email=email, display_name=display_name,
                role=role, verified=verified, created_ip=ip[:64],
                password_hash=hash_password(password) if password is not None else password_hash)
    session.add(user)
    session.flush()
    audit.record(session, actor or username, "users", user.id, "create", {},
                 audit.snapshot(user, USER_FIELDS))
    return user


def update_user(session: Session, user: User, actor: str, **changes) -> User:
    """Change role / verified / active / email / display name, with an audit record."""
    if "role" in changes and changes["role"] not in ROLES:
        raise UserError(f"role: must be one of {', '.join(ROLES)}")
    before = audit.snapshot(user, USER_FIELDS)
    for key, value in changes.items():
        if key not in USER_FIELDS or key == "username":
            raise UserError(f"cannot change {key!r}")
        setattr(user, key, one_line(value) if key in ("email", "display_name") else value)
    if changes.get("active") is False:  # a disabled account loses its sessions at once
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    if "active" in changes and bool(changes["active"]) != before["active"]:
        # ... and its API tokens, for good: reactivating must not revive a token that may have
        # leaked (revoking again at reactivation also covers accounts disabled before this rule).
        _revoke_all_tokens(session, user, actor, "account deactivated" if not changes["active"]
                           else "account reactivated")
    after = audit.snapshot(user, USER_FIELDS)
    changed = [k for k in after if after[k] != before[k]]
    if changed:  # saving an unchanged form is not an event
        audit.record(session, actor, "users", user.id, "update", {k: before[k] for k in changed},
                     {k: after[k] for k in changed})
    return user


# A login is three steps, so that the slow password check (argon2, ~0.3 s by design) runs
# with no transaction open: a short read (``login_lookup``), the check (``verify_login``),
# and a short write (``record_login``). Held inside a write transaction, the check made
# every other writer wait or fail (SQLite has one writer).

@dataclass(frozen=True)
class LoginLookup:
    """What a login needs to know about an account (plain values, read in one short read)."""

    user_id: int | None
    password_hash: str | None
    active: bool


def login_lookup(session: Session, username: str) -> LoginLookup:
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None:
        return LoginLookup(None, None, False)
    return LoginLookup(user.id, user.password_hash, user.active)


def verify_login(found: LoginLookup, password: str) -> str | None:
    """Check the password (no database access); raise ``UserError`` if the login fails.

    Returns a new hash when the stored one was made with outdated parameters, else None.
    """
    if not check_password(found.password_hash, password or "") or not found.active:
        raise UserError("wrong username or password")
    return _hasher.hash(password) if _hasher.check_needs_rehash(found.password_hash) else None


def record_login(session: Session, found: LoginLookup, new_hash: str | None = None) -> User:
    """The write half: the account must still be the one whose password was checked."""
    user = session.get(User, found.user_id)
    # A password changed or an account disabled since the check refuses the login.
    if user is None or user.password_hash != found.password_hash or not user.active:
        raise UserError("wrong username or password")
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    """All three steps in the caller's transaction (the CLI and tests; the web login splits them)."""
    found = login_lookup(session, username)
    return record_login(session, found, verify_login(found, password))


def set_password(session: Session, user: User, password: str, actor: str) -> None:
    user.password_hash = hash_password(password)
    # A new password ends every other login.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(session, actor, "users", user.id, "set_password", {}, {"password": "changed"})


# --- login sessions ---------------------------------------------------------------------

@dataclass
class Login:
    token: str  # goes into the cookie; never stored
    session: WebSession


def start_session(session: Session, user: User, ip: str = "", replaces: str | None = None) -> Login:
    """A fresh session id at every login (no fixation); the previous one, if any, is dropped."""
    if replaces:
        session.execute(delete(WebSession).where(WebSession.token_hash == digest(replaces)))
    # Expired sessions of this user are dead weight; logging in is a good moment to drop them.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < utcnow()))
    token = secrets.token_urlsafe(32)
    ws = WebSession(token_hash=digest(token), user_id=user.id, csrf=secrets.token_urlsafe(32),
                    expires_at=utcnow() + SESSION_TTL, ip=ip[:64])
    session.add(ws)
    session.flush()
    return Login(token, ws)


def session_user(session: Session, token: str | None) -> tuple[User, WebSession] | None:
    if not token or len(token) > 200:
        return None
    ws = session.scalar(select(WebSession).where(WebSession.token_hash == digest(token)))
    if ws is None or aware(ws.expires_at) <= utcnow() or not ws.user.active:
        return None
    return ws.user, ws


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))


# --- API tokens -------------------------------------------------------------------------

def issue_token(session: Session, user: User, name: str, scopes: list[str], actor: str) -> tuple[str, ApiToken]:
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise UserError(f"scopes: choose from {', '.join(SCOPES)} (got {', '.join(bad) or 'none'})")
    above = [s for s in scopes if not has_role(user.role, SCOPE_ROLE[s])]
    if above:
        raise UserError(f"scopes: {user.username} is a {user.role}; a token cannot have more rights "
                        f"than its owner ({', '.join(above)})")
    secret = "sdgm_" + secrets.token_urlsafe(32)
    tok = ApiToken(user_id=user.id, name=one_line(name, 100) or "token", token_hash=digest(secret), prefix=secret[:9],
                   scopes=sorted(set(scopes)))
    session.add(tok)
    session.flush()
    audit.record(session, actor, "api_tokens", tok.id, "issue", {},
                 {"user": user.username, "name": tok.name, "scopes": tok.scopes})
    return secret, tok


def revoke_token(session: Session, token_id: int, actor: Actor | User) -> None:
    tok = session.get(ApiToken, token_id)
    if tok is None or (tok.user_id != actor.id and actor.role != "admin"):
        raise UserError(f"no token {token_id}")
    if tok.revoked_at is None:
        tok.revoked_at = utcnow()
        audit.record(session, actor.username, "api_tokens", tok.id, "revoke", {}, {})


def _revoke_all_tokens(session: Session, user: User, actor: str, reason: str) -> None:
    for tok in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                      ApiToken.revoked_at.is_(None))):
        tok.revoked_at = utcnow()
        audit.record(session, actor, "api_tokens", tok.id, "revoke", {}, {"reason": reason})


def token_user(session: Session, secret: str) -> tuple[User, list[str]] | None:
    if not secret or len(secret) > 200:
        return None
    tok = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if tok is None or tok.revoked_at is not None or not tok.user.active:
        return None
    tok.last_used_at = utcnow()
    return tok.user, list(tok.scopes)


def token_dict(t: ApiToken) -> dict:
    return {"id": t.id, "name": t.name, "prefix": t.prefix, "scopes": t.scopes,
            "created_at": aware(t.created_at).isoformat(),
            "revoked": t.revoked_at is not None}


# --- one-time links (invitations, password resets) --------------------------------------

def _retire_links(session: Session, user: User, purposes: tuple[str, ...]) -> None:
    # An unused link is spent without being used: only the newest one may set the password.
    session.execute(update(OneTimeLink).where(OneTimeLink.user_id == user.id, OneTimeLink.used_at.is_(None),
                                              OneTimeLink.purpose.in_(purposes)).values(used_at=utcnow()))


def issue_link(session: Session, user: User, purpose: str, actor: str) -> str:
    """A one-time secret for an invitation or a password reset; the admin passes it on.
    Earlier unused links of the same purpose stop working (one lost in a mailbox is dead)."""
    _retire_links(session, user, (purpose,))
    token = secrets.token_urlsafe(32)
    session.add(OneTimeLink(token_hash=digest(token), purpose=purpose, user_id=user.id,
                            created_by=actor, expires_at=utcnow() + LINK_TTL))
    audit.record(session, actor, "users", user.id, f"{purpose}_link", {}, {"expires_in_days": LINK_TTL.days})
    return token


def peek_link(session: Session, token: str, purpose: str) -> OneTimeLink:
    link = session.scalar(select(OneTimeLink).where(OneTimeLink.token_hash == digest(token or ""),
                                                    OneTimeLink.purpose == purpose))
    if link is None or link.used_at is not None or aware(link.expires_at) <= utcnow():
        raise UserError(LINK_SPENT)
    return link


def use_link(session: Session, token: str, purpose: str, password: str) -> User:
    """Set the password through an invitation or reset link; the link is then spent, and
    so is every other unused link of the account (invitation or reset)."""
    link = peek_link(session, token, purpose)
    user = link.user
    # Claim the link before anything else: of two requests racing with it, one wins.
    claimed = session.execute(update(OneTimeLink).where(OneTimeLink.id == link.id, OneTimeLink.used_at.is_(None))
                              .values(used_at=utcnow()))
    if claimed.rowcount != 1:
        raise UserError(LINK_SPENT)
    set_password(session, user, password, actor=user.username)
    _retire_links(session, user, LINK_PURPOSES)
    if purpose == "invite" and not user.verified:  # the invitation proves the address
        update_user(session, user, user.username, verified=True)
    return user
