"""Server-rendered pages: overview, mapping, matrix, interlinkages, trends, nodes, activities,
review queue, classify a text, documents. Each handler validates its input, calls ``services``/``analytics``
and renders one template; writes are POSTs with a CSRF token."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from sdgmap import analytics
from sdgmap.analytics.coverage import goal_meta
from sdgmap.store.models import LINK_KINDS
from sdgmap.store.review import SuggestionFilter, review_links, suggestion_page
from sdgmap.web import services
from sdgmap.web.classify import MAX_TEXT, classify_view
from sdgmap.web.deps import TextForm, field, run, writer
from sdgmap.web.identity import signed_in_name
from sdgmap.web.params import BadRequest, int_param, parse_list_query
from sdgmap.web.render import render
from sdgmap.web.security import REVIEWER_COOKIE, clean_actor, clean_text, safe_next
from sdgmap.web.upload import ingest_upload, receive_upload
from sdgmap.web.visibility import request_store, sees_everything

router = APIRouter(include_in_schema=False)

SDG_LEVELS = ("goal", "target")
BASES = ("activities", "framework")
# Writes that single-user mode leaves open; their form (and its CSRF token) is read first.
ReviewerWrite = Annotated[None, Depends(writer("reviewer"))]
AccountWrite = Annotated[None, Depends(writer("viewer"))]


def _store(request: Request):
    """Reads see what the requester may see (public content only, or everything)."""
    return request_store(request)


def _choice(params, key: str, choices: tuple[str, ...], default: str) -> str:
    value = (params.get(key) or default).strip()
    if value not in choices:
        raise BadRequest(key, f"one of {', '.join(choices)}")
    return value


@router.get("/")
def overview_page(request: Request) -> Response:
    with _store(request).transaction() as s:
        data = services.overview(s, request.app.state.cache)
    return render(request, "overview.html", title="Overview", data=data)


@router.get("/mapping")
def mapping_page(request: Request) -> Response:
    p = request.query_params
    with _store(request).transaction() as s:
        choice = services.mapping_choice(s, p.get("strategy"), p.get("level"))
        strategies, strategy = choice["strategies"], choice["strategy"]
        levels, level = choice["levels"], choice["level"]
        sdg_level = _choice(p, "sdg_level", SDG_LEVELS, "goal")
        suggested = _choice(p, "suggested", ("1", "0"), "1") == "1"
        unmapped = _choice(p, "unmapped", ("1", "0"), "0") == "1"
        data = request.app.state.cache.get(s, "sankey", analytics.sankey, strategy=strategy, level=level,
                                           sdg_level=sdg_level, include_suggested=suggested,
                                           include_unmapped=unmapped)
    names = {n["id"]: n for n in data["nodes"]}
    for link in data["links"]:
        link["href"] = "/activities?" + urlencode(link["filter"])
    return render(request, "mapping.html", title="Mapping", data=data, names=names,
                  strategies=strategies, strategy=strategy, levels=levels, level=level,
                  sdg_level=sdg_level, suggested=suggested, unmapped=unmapped)


@router.get("/matrix")
def matrix_page(request: Request) -> Response:
    p = request.query_params
    basis = _choice(p, "basis", BASES, "activities")
    al = (p.get("al") or "").strip()
    goal = (p.get("goal") or "").strip()
    if al and not re.fullmatch(r"C\d{1,2}", al):
        raise BadRequest("al", f"not an Action Line code {al[:20]!r} (C1 to C11)")
    if goal and not (goal.isdigit() and 1 <= int(goal) <= 17):
        raise BadRequest("goal", "a goal number from 1 to 17")
    with _store(request).transaction() as s:
        data = request.app.state.cache.get(s, "matrix", analytics.action_line_sdg_matrix, basis=basis)
        cell = None
        if al and goal:
            if basis == "framework":
                cell = {"framework": analytics.matrix_cell_evidence(s, al, goal)}
            else:
                q = parse_list_query({"action_line": al, "sdg": goal, "per_page": "10"})
                cell = {"activities": services.list_activities(s, q, with_facets=False)}
    return render(request, "matrix.html", title="Matrix", data=data, basis=basis, al=al, goal=goal,
                  cell=cell)


NETWORK_LIMITS = ("3", "6", "10", "all")


@router.get("/interlinkages")
def network_page(request: Request) -> Response:
    limit = _choice(request.query_params, "max_goals", NETWORK_LIMITS, "6")
    max_goals = None if limit == "all" else int(limit)
    with _store(request).transaction() as s:
        data = request.app.state.cache.get(s, "network", analytics.cooccurrence_network, max_goals=max_goals)
    return render(request, "network.html", title="Interlinkages", data=data, limit=limit,
                  limits=NETWORK_LIMITS)


@router.get("/trends")
def trends_page(request: Request) -> Response:
    with _store(request).transaction() as s:
        data = request.app.state.cache.get(s, "trends", analytics.trends_by_goal)
    return render(request, "trends.html", title="Trends", data=data)


@router.get("/frameworks")
def frameworks_page(request: Request) -> Response:
    with _store(request).transaction() as s:
        data = services.frameworks(s)
    return render(request, "frameworks.html", title="Frameworks", frameworks=data)


@router.get("/frameworks/{framework_id}")
def framework_page(request: Request, framework_id: str) -> Response:
    with _store(request).transaction() as s:
        data = services.framework(s, framework_id[:64])
    return render(request, "framework.html", title=data["name"], fw=data)


@router.get("/node/{ref}")
def node_page(request: Request, ref: str) -> Response:
    with _store(request).transaction() as s:
        data = services.node_page(s, ref[:140])
    return render(request, "node.html", title=data["ref"], node=data)


@router.get("/activities")
def activities_page(request: Request) -> Response:
    # Facet counts over 100,000 activities take longer than the list itself: the page
    # fetches them from /activities/facets after it has loaded (cached per filter).
    q = parse_list_query(request.query_params)
    with _store(request).transaction() as s:
        data = services.list_activities(s, q)
    base = {k: v for k, v in q.params.items()}
    return render(request, "activities.html", title="Activities", data=data, base=base,
                  kinds=LINK_KINDS, q=q, per_page_choices=(10, 25, 50, 100), facets=None)


@router.get("/activities/facets")
def activities_facets(request: Request) -> Response:
    """The facet panel for a result set: a fragment for the list page, or a page of its own."""
    q = parse_list_query(request.query_params)
    with _store(request).transaction() as s:
        facets = services.facets(s, q, request.app.state.cache)
    base = {k: v for k, v in q.params.items()}
    if request.query_params.get("fragment") == "1":
        return render(request, "_facets.html", facets=facets, base=base)
    return render(request, "facets.html", title="Filters", facets=facets, base=base)


@router.get("/activities/export.csv")
def export_csv(request: Request) -> Response:
    q = parse_list_query(request.query_params)
    store = _store(request)

    def stream():
        with store.transaction() as s:
            yield from services.export_csv(s, q)

    return StreamingResponse(stream(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="activities.csv"'})


@router.get("/activities/export.json")
def export_json(request: Request) -> Response:
    q = parse_list_query(request.query_params)
    store = _store(request)

    def stream():
        with store.transaction() as s:
            yield from services.export_json(s, q)

    return StreamingResponse(stream(), media_type="application/json",
                             headers={"Content-Disposition": 'attachment; filename="activities.json"'})


@router.get("/activities/{activity_id}")
def activity_page(request: Request, activity_id: str) -> Response:
    if not activity_id.isdigit() or len(activity_id) > 9:
        raise BadRequest("activity_id", f"not an activity id: {activity_id[:30]!r}")
    with _store(request).transaction() as s:
        data = services.get_activity(s, int(activity_id))
    return render(request, "activity.html", title=data["title"][:80], a=data,
                  signed_in=signed_in_name(request), can_review=sees_everything(request))


def _suggestion_filter(params) -> tuple[SuggestionFilter, int]:
    sdg = int_param(params, "sdg", 1, 17)
    conf_raw = (params.get("min_confidence") or "").strip()
    try:
        conf = float(conf_raw) if conf_raw else 0.0
    except ValueError:
        raise BadRequest("min_confidence", f"a number from 0 to 1, got {conf_raw[:20]!r}") from None
    if not 0 <= conf <= 1:
        raise BadRequest("min_confidence", "a number from 0 to 1")
    review = _choice(params, "state", ("unverified", "accepted", "rejected", "edited"), "unverified")
    fw = (params.get("framework") or "").strip()[:64] or None
    page = int_param(params, "page", 1, 100_000) or 1
    return SuggestionFilter(sdg=sdg, framework=fw, min_confidence=conf, review=review), page


@router.get("/review")
def review_page(request: Request, _writer: ReviewerWrite) -> Response:
    f, page = _suggestion_filter(request.query_params)
    with _store(request).transaction() as s:
        data = suggestion_page(s, f, page=page, per_page=50)
        choices = services.node_choices(s) if data["rows"] else []
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return render(request, "review.html", title="Review queue", data=data, f=f, params=params,
                  done=request.query_params.get("done", ""), signed_in=signed_in_name(request),
                  choices=choices)


@router.post("/review")
def review_submit(request: Request, form: TextForm, _writer: ReviewerWrite) -> Response:
    # one-click buttons send do=ACTION:ID; bulk forms send action plus checked ids
    one = field(form, "do")
    if one:
        action, _, raw = one.partition(":")
        raw_ids = [raw]
    else:
        action = field(form, "action")
        raw_ids = form.getlist("ids")
    ids = []
    for raw in raw_ids:
        if not str(raw).isdigit() or len(str(raw)) > 9:
            raise BadRequest("ids", f"not a link id: {str(raw)[:20]!r}")
        ids.append(int(raw))
    actor = signed_in_name(request) or clean_actor(field(form, "reviewer"))
    node = clean_text(field(form, "node"), 140) or None
    changed = run(request, review_links, ids, action, actor, node)  # a write: the full store
    back = safe_next(field(form, "return_to"), "/review")
    sep = "&" if "?" in back else "?"
    response = RedirectResponse(f"{back}{sep}done={len(changed)}+{action}", status_code=303)
    # URL-encoded: a cookie value is ASCII, a reviewer's name need not be
    response.set_cookie(REVIEWER_COOKIE, quote(actor) if actor != "anonymous" else "", samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.get("/classify")
def classify_page(request: Request) -> Response:
    return render(request, "classify.html", title="Classify a text", text="", view=None, error="")


# Costly for the server, like the API's classify: an account's, once accounts exist.
@router.post("/classify")
def classify_submit(request: Request, form: TextForm, _writer: AccountWrite) -> Response:
    text = field(form, "text")
    error = ""
    if not text.strip():
        error = "Paste or type some text to classify."
    elif len(text) > MAX_TEXT:
        error = f"The text has {len(text):,} characters; at most {MAX_TEXT:,} can be classified here."
    if error:
        return render(request, "classify.html", status=400, title="Classify a text",
                      text=text[:MAX_TEXT], view=None, error=error)
    with _store(request).transaction() as s:
        titles = {g["code"]: g["short_title"] for g in goal_meta(s)}
    view = classify_view(text, request.app.state.classify_semantic, titles)
    return render(request, "classify.html", title="Classify a text", text=text, view=view, error="")


@router.get("/documents")
def documents_page(request: Request) -> Response:
    with _store(request).transaction() as s:
        docs = services.documents(s)
    return render(request, "documents.html", title="Documents", docs=docs, result=None,
                  limit_mb=request.app.state.upload_limit // (1024 * 1024))


@router.post("/documents")
async def documents_upload(request: Request) -> Response:
    file, entity, actor = await receive_upload(request)
    result = await ingest_upload(request, file, entity, actor)
    with _store(request).transaction() as s:
        docs = services.documents(s)
    return render(request, "documents.html", status=result["status"], title="Documents", docs=docs,
                  result=result, limit_mb=request.app.state.upload_limit // (1024 * 1024))


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: str) -> Response:
    if not document_id.isdigit() or len(document_id) > 9:
        raise BadRequest("document_id", f"not a document id: {document_id[:30]!r}")
    with _store(request).transaction() as s:
        doc = services.document(s, int(document_id), with_text=True)
    return render(request, "document.html", title=doc["filename"], doc=doc)
