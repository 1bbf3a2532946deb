"""Stocktaking submissions: draft -> submitted -> approved / changes requested / rejected.

Every state change is written to the audit trail (that is the submission's history).
On submit the reviewer gets flags: possible duplicates (same organisation and a similar
title or description), Action Line / SDG claims that the loaded WSIS-SDG crosswalk does
not support, and the classifier's SDG suggestions when the classifier is installed.
An approved submission becomes a public activity (type ``project``) with stated links.

Who acts is an ``Actor`` (or an ORM ``User``, acting with its account role): what it may
see and do follows ``actor.role``, which for an API token is the token's effective role.
Nobody decides on their own entry: another reviewer must.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from difflib import SequenceMatcher

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sdgmap.classify import load_classifier
from sdgmap.errors import UserError
from sdgmap.platform.accounts import Actor, has_role
from sdgmap.store import audit
from sdgmap.store.audit import aware
from sdgmap.store.models import Activity, ActivityLink, Link, Node, utcnow
from sdgmap.store.platform_models import Submission, User
from sdgmap.text.clean import one_line, visible

log = logging.getLogger(__name__)

WORD_LIMIT = 500  # description
JUSTIFICATION_WORDS = 100  # per claimed SDG
PROJECT_STATUSES = ("planned", "ongoing", "completed")
MAX_CHARS = {"title": 300, "organisation": 300, "country": 100, "description": 8000,
             "website": 1000, "partner": 200, "justification": 1000, "comment": 4000}
MULTI_LINE = ("description", "justification", "comment")
MAX_PARTNERS = 50
FIELDS = ("title", "organisation", "country", "description", "action_lines", "sdgs", "partners",
          "website", "project_status", "date_start", "date_end")
EDITABLE_BY_OWNER = ("draft", "changes_requested")
DECISIONS = {"approve": "approved", "request_changes": "changes_requested", "reject": "rejected"}
TITLE_SIMILAR = 0.85
DESCRIPTION_SIMILAR = 0.5
Who = Actor | User  # an ORM User acts with its account role: the CLI and tests, never a request
_WORD = re.compile(r"\w+", re.UNICODE)


class NotEditable(UserError):
    """The entry's state does not allow editing (it is submitted or decided)."""


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def organisation_key(name: str) -> str:
    return " ".join(w for w in words(name) if w != "the")


def _text(data: dict, field: str, required: bool) -> str:
    value = data.get(field) or ""
    if not isinstance(value, str):
        raise UserError(f"{field}: must be text")
    if "\x00" in value:
        raise UserError(f"{field}: contains a NUL character")
    # Names and titles on one line; longer text keeps its line breaks. Neither keeps the
    # invisible characters (bidi overrides...) that could make it read as something else.
    value = visible(value).strip() if field in MULTI_LINE else one_line(value)
    if len(value) > MAX_CHARS[field]:
        raise UserError(f"{field}: at most {MAX_CHARS[field]} characters (got {len(value)})")
    if required and not value:
        raise UserError(f"{field}: required")
    return value


def _date(data: dict, field: str) -> str | None:
    value = (data.get(field) or "").strip() if isinstance(data.get(field) or "", str) else None
    if value is None:
        raise UserError(f"{field}: must be a date YYYY-MM-DD")
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UserError(f"{field}: {value[:20]!r} is not a date YYYY-MM-DD") from None


def _codes(session: Session, framework: str, codes) -> dict[str, Node]:
    nodes = {n.code: n for n in session.scalars(
        select(Node).where(Node.framework_id == framework, Node.code.in_(list(codes))))} if codes else {}
    return nodes


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def validate(session: Session, data: dict, *, complete: bool) -> dict:
    """Clean the form fields; ``complete`` (on submit) also requires every mandatory field."""
    for key, value in data.items():
        if _has_nul(value):  # PostgreSQL refuses NUL in text; say so instead of failing later
            raise UserError(f"{key}: contains a NUL character")
    out = {
        "title": _text(data, "title", True),
        "organisation": _text(data, "organisation", True),
        "country": _text(data, "country", False),
        "description": _text(data, "description", complete),
        "website": _text(data, "website", False),
    }
    n = len(words(out["description"]))
    if n > WORD_LIMIT:
        raise UserError(f"description: at most {WORD_LIMIT} words (got {n})")
    if out["website"] and not re.match(r"^https?://[^\s<>\"']+$", out["website"], re.I):
        raise UserError("website: must be an http:// or https:// address")
    status = (data.get("project_status") or "").strip()
    if status and status not in PROJECT_STATUSES:
        raise UserError(f"project_status: one of {', '.join(PROJECT_STATUSES)}")
    out["project_status"] = status
    out["date_start"], out["date_end"] = _date(data, "date_start"), _date(data, "date_end")
    if out["date_start"] and out["date_end"] and out["date_end"] < out["date_start"]:
        raise UserError("date_end: before date_start")

    als = data.get("action_lines") or []
    if not isinstance(als, list) or not all(isinstance(a, str) for a in als) or len(als) > 30:
        raise UserError("action_lines: a list of up to 30 Action Line codes (C1..C11)")
    als = sorted({a.strip() for a in als if a.strip()})
    unknown = sorted(set(als) - set(_codes(session, "wsis", als)))
    if unknown:
        raise UserError(f"action_lines: unknown Action Line {', '.join(x[:20] for x in unknown)}")
    out["action_lines"] = als

    sdgs = data.get("sdgs") or {}
    if not isinstance(sdgs, dict):
        raise UserError("sdgs: a mapping of goal number to justification")
    clean: dict[str, str] = {}
    for goal, why in sdgs.items():
        goal = str(goal).strip()
        if goal not in {str(g) for g in range(1, 18)}:
            raise UserError(f"sdgs: {goal[:10]!r} is not an SDG (1-17)")
        why = _text({"justification": why}, "justification", False)
        if len(words(why)) > JUSTIFICATION_WORDS:
            raise UserError(f"sdgs: the justification for SDG {goal} has more than {JUSTIFICATION_WORDS} words")
        if complete and not why:
            raise UserError(f"sdgs: SDG {goal} needs a short justification")
        clean[goal] = why
    out["sdgs"] = dict(sorted(clean.items(), key=lambda kv: int(kv[0])))

    partners = data.get("partners") or []
    if isinstance(partners, str):
        partners = [p for p in re.split(r"[;\n]", partners)]
    if not isinstance(partners, list) or len(partners) > MAX_PARTNERS:
        raise UserError(f"partners: at most {MAX_PARTNERS}")
    out["partners"] = [_text({"partner": p}, "partner", False) for p in partners
                       if isinstance(p, str) and p.strip()]
    if complete and not (out["action_lines"] or out["sdgs"]):
        raise UserError("action_lines / sdgs: claim at least one Action Line or SDG")
    return out


def submission_dict(s: Submission, *, private: bool = False) -> dict:
    """The public shape; ``private`` adds what only the owner and reviewers see."""
    d = {f: getattr(s, f) for f in FIELDS}
    d.update({"id": s.id, "status": s.status, "activity_id": s.activity_id,
              "submitted_at": aware(s.submitted_at).isoformat() if s.submitted_at else None})
    if private:
        d.update({"owner": s.owner.username if s.owner else None, "flags": s.flags,
                  "review_comment": s.review_comment,
                  "updated_at": aware(s.updated_at).isoformat()})
    return d


def can_view(s: Submission, user: Who | None) -> bool:
    """Approved entries are public; others only for their owner (with any of their tokens)
    and for whoever acts as a reviewer (a reviewer's read token does not)."""
    if s.status == "approved":
        return True
    return user is not None and (s.owner_id == user.id or has_role(user.role, "reviewer"))


def sees_private(s: Submission, user: Who | None) -> bool:
    """The owner and reviewers see the flags, the comment and the history."""
    return user is not None and (s.owner_id == user.id or has_role(user.role, "reviewer"))


def get_submission(session: Session, sub_id: int, user: Who | None) -> Submission:
    s = session.get(Submission, sub_id)
    if s is None or not can_view(s, user):
        raise LookupError(f"no submission {sub_id}")  # the same answer whether hidden or missing
    return s


def create_draft(session: Session, user: Who, data: dict) -> Submission:
    if not has_role(user.role, "contributor"):
        raise PermissionError("contributors only")
    clean = validate(session, data, complete=False)
    s = Submission(owner_id=user.id, status="draft", organisation_key=organisation_key(clean["organisation"]),
                   **clean)
    session.add(s)
    session.flush()
    audit.record(session, user.username, "submissions", s.id, "create", {}, clean)
    return s


def check_editable(s: Submission, user: Who) -> None:
    """PermissionError unless the owner (or an admin); NotEditable unless a draft or sent back."""
    if s.owner_id != user.id and not has_role(user.role, "admin"):
        raise PermissionError("only the owner may edit a submission")
    if s.status not in EDITABLE_BY_OWNER:
        raise NotEditable(f"a {s.status.replace('_', ' ')} submission cannot be edited")


def update_submission(session: Session, s: Submission, user: Who, data: dict) -> Submission:
    check_editable(s, user)
    clean = validate(session, data, complete=False)
    before = {f: getattr(s, f) for f in FIELDS}
    for k, v in clean.items():
        setattr(s, k, v)
    s.organisation_key = organisation_key(s.organisation)
    s.updated_at = utcnow()
    changed = {k: v for k, v in clean.items() if before[k] != v}
    audit.record(session, user.username, "submissions", s.id, "edit",
                 {k: before[k] for k in changed}, changed)
    return s


def submit(session: Session, s: Submission, user: Who, *, use_classifier: bool = True,
           semantic: bool | None = None) -> Submission:
    if s.owner_id != user.id and not has_role(user.role, "admin"):
        raise PermissionError("only the owner may submit")
    if s.status not in EDITABLE_BY_OWNER:
        raise NotEditable(f"a {s.status.replace('_', ' ')} submission cannot be submitted")
    validate(session, {f: getattr(s, f) for f in FIELDS}, complete=True)
    before = s.status
    s.flags = compute_flags(session, s, use_classifier=use_classifier, semantic=semantic)
    s.status, s.submitted_at, s.updated_at = "submitted", utcnow(), utcnow()
    audit.record(session, user.username, "submissions", s.id, "submit", {"status": before},
                 {"status": s.status, "flags": len(s.flags)})
    return s


def decide(session: Session, s: Submission, reviewer: Who, decision: str, comment: str = "") -> Submission:
    if not has_role(reviewer.role, "reviewer"):
        raise PermissionError("reviewers only")
    if s.owner_id == reviewer.id:  # four eyes: admins included
        raise PermissionError("you cannot decide on your own submission; another reviewer must")
    if decision not in DECISIONS:
        raise UserError(f"decision: one of {', '.join(DECISIONS)}")
    if s.status != "submitted":
        raise UserError(f"only a submitted entry can be moderated (this one is {s.status})")
    comment = _text({"comment": comment}, "comment", decision == "request_changes")
    before = s.status
    s.status, s.review_comment, s.updated_at = DECISIONS[decision], comment, utcnow()
    if decision == "approve":
        s.activity_id = _publish(session, s, reviewer).id
    audit.record(session, reviewer.username, "submissions", s.id, decision, {"status": before},
                 {"status": s.status, "comment": comment, "activity_id": s.activity_id})
    return s


def _publish(session: Session, s: Submission, reviewer: Who) -> Activity:
    """The approved entry as a register activity with the links its submitter stated."""
    year = int(s.date_start[:4]) if s.date_start else (aware(s.submitted_at) or utcnow()).year
    a = Activity(type="project", title=s.title, description=s.description, entity=s.organisation[:100],
                 year=year, date_start=s.date_start, date_end=s.date_end, location=s.country,
                 partners=list(s.partners), website=s.website, series_key=f"submission:{s.id}",
                 attrs={"submission_id": s.id, "organisation": s.organisation,
                        "project_status": s.project_status, "sdg_justifications": s.sdgs})
    session.add(a)
    session.flush()
    nodes = list(_codes(session, "wsis", s.action_lines).values())
    nodes += list(_codes(session, "sdg", list(s.sdgs)).values())
    for node in nodes:
        session.add(ActivityLink(activity_id=a.id, node_id=node.id, kind="stated",
                                 method="stocktaking-submission", confidence=1.0,
                                 evidence=s.sdgs.get(node.code, "") if node.framework_id == "sdg" else "",
                                 review="accepted", reviewed_by=reviewer.username, reviewed_at=utcnow()))
    audit.record(session, reviewer.username, "activities", a.id, "create_from_submission", {},
                 {"submission_id": s.id, "title": a.title, "links": [n.ref for n in nodes]})
    return a


def list_submissions(session: Session, user: Who | None, *, status: str | None = None,
                     mine: bool = False, text: str | None = None, limit: int = 50,
                     offset: int = 0) -> list[Submission]:
    """What ``user`` may see: the public sees approved entries only."""
    stmt = select(Submission)
    if mine and user is not None:
        stmt = stmt.where(Submission.owner_id == user.id)
    elif user is None or not has_role(user.role, "reviewer"):
        visible = Submission.status == "approved"
        if user is not None:
            visible = or_(visible, Submission.owner_id == user.id)
        stmt = stmt.where(visible)
    if status:
        stmt = stmt.where(Submission.status == status)
    if text and "\x00" in text:
        raise UserError("q: contains a NUL character")
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Submission.title.ilike(like, escape="\\"),
                              Submission.organisation.ilike(like, escape="\\")))
    stmt = stmt.order_by(Submission.updated_at.desc(), Submission.id.desc())
    return list(session.scalars(stmt.limit(max(1, min(limit, 500))).offset(max(0, offset))))


# --- flags for reviewers ------------------------------------------------------------------

def _shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(max(0, len(w) - n + 1))}


def _similarity(a_title: str, a_desc: str, b_title: str, b_desc: str) -> tuple[float, str]:
    t = SequenceMatcher(None, " ".join(words(a_title)), " ".join(words(b_title))).ratio()
    sa, sb = _shingles(a_desc), _shingles(b_desc)
    d = len(sa & sb) / len(sa | sb) if sa and sb else 0.0
    return (t, "title") if t >= d else (d, "description")


def find_duplicates(session: Session, s: Submission) -> list[dict]:
    """Entries of the same organisation with a similar title or description."""
    key = s.organisation_key or organisation_key(s.organisation)
    found = []
    others = session.scalars(select(Submission).where(Submission.organisation_key == key,
                                                      Submission.id != s.id,
                                                      Submission.status != "rejected"))
    for o in others:
        score, on = _similarity(s.title, s.description, o.title, o.description)
        if (on == "title" and score >= TITLE_SIMILAR) or (on == "description" and score >= DESCRIPTION_SIMILAR):
            found.append({"ref": f"submission:{o.id}", "title": o.title, "score": round(score, 2), "on": on})
    acts = session.scalars(select(Activity).where(or_(func.lower(Activity.entity) == s.organisation.lower().strip(),
                                                      func.lower(Activity.entity) == key)).limit(5000))
    for a in acts:
        if a.attrs and a.attrs.get("submission_id") == s.id:
            continue
        score, on = _similarity(s.title, s.description, a.title, a.description)
        if (on == "title" and score >= TITLE_SIMILAR) or (on == "description" and score >= DESCRIPTION_SIMILAR):
            found.append({"ref": f"activity:{a.id}", "title": a.title, "score": round(score, 2), "on": on})
    return sorted(found, key=lambda f: -f["score"])[:10]


def _goal(node: Node) -> int | None:
    head = node.code.split(".")[0]
    return int(head) if node.framework_id == "sdg" and head.isdigit() else None


def crosswalk_goals(session: Session, action_lines: list[str]) -> dict[str, set[int]] | None:
    """SDG goals each Action Line (or its sub-lines) links to; None when no crosswalk is loaded."""
    wsis = {n.id: n for n in session.scalars(select(Node).where(Node.framework_id == "wsis"))}
    sdg = {n.id: n for n in session.scalars(select(Node).where(Node.framework_id == "sdg"))}
    links = session.execute(select(Link.from_id, Link.to_id).where(
        Link.kind.in_(("stated", "curated")), Link.review != "rejected",
        or_(Link.from_id.in_(list(wsis)), Link.to_id.in_(list(wsis))))).all()
    pairs = [(w, s_) for a, b in links for w, s_ in ((a, b), (b, a)) if w in wsis and s_ in sdg]
    if not pairs:
        return None
    out: dict[str, set[int]] = {}
    for al in action_lines:
        goals = out.setdefault(al, set())
        for w, s_ in pairs:
            code = wsis[w].code
            if code == al or code.startswith(al + ".") or al.startswith(code + "."):
                if (g := _goal(sdg[s_])) is not None:
                    goals.add(g)
    return out


def _classifier_goals(text: str, semantic: bool | None = None) -> list[int] | None:
    """The classifier's SDG goals for a text, or None when it fails."""
    try:
        result = load_classifier(semantic=semantic).predict([text])[0]
    except Exception as exc:  # a broken model must not block a submission
        log.warning("classifier failed on a submission: %s", exc)
        return None
    return sorted(result.sdgs)


def compute_flags(session: Session, s: Submission, *, use_classifier: bool = True,
                  semantic: bool | None = None) -> list[dict]:
    flags: list[dict] = []
    for d in find_duplicates(session, s):
        flags.append({"kind": "duplicate", "ref": d["ref"],
                      "message": f"similar {d['on']} ({d['score']:.0%}) to {d['ref']}: {d['title'][:120]}"})
    claimed = {int(g) for g in s.sdgs}
    cross = crosswalk_goals(session, s.action_lines)
    if cross is None:
        flags.append({"kind": "crosswalk_missing",
                      "message": "no WSIS Action Line - SDG crosswalk is loaded; claims were not checked"})
    else:
        supported = set().union(*cross.values()) if cross else set()
        for g in sorted(claimed - supported):
            flags.append({"kind": "sdg_outside_crosswalk", "ref": f"sdg:{g}",
                          "message": f"SDG {g} is not linked to any claimed Action Line in the crosswalk"})
        for al, goals in sorted(cross.items()):
            if claimed and not goals & claimed:
                flags.append({"kind": "action_line_outside_crosswalk", "ref": f"wsis:{al}",
                              "message": f"{al} links to none of the claimed SDGs in the crosswalk"})
    if use_classifier:
        suggested = _classifier_goals(f"{s.title}\n\n{s.description}", semantic)
        if suggested is not None:
            for g in sorted(set(suggested) - claimed):
                flags.append({"kind": "classifier_suggests", "ref": f"sdg:{g}",
                              "message": f"the classifier suggests SDG {g}, which is not claimed"})
            for g in sorted(claimed - set(suggested)):
                flags.append({"kind": "classifier_disagrees", "ref": f"sdg:{g}",
                              "message": f"the classifier finds no evidence for claimed SDG {g}"})
    return flags
