"""JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json): the same services as the pages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from sdgmap import analytics
from sdgmap.frameworks.linkage import UnknownNode, derived_links, get_node, stated_links
from sdgmap.store.review import SuggestionFilter, review_links, suggestion_page
from sdgmap.web import services
from sdgmap.web.classify import classify_text
from sdgmap.web.deps import run, writer
from sdgmap.web.identity import signed_in_name
from sdgmap.web.openapi import COMMON, errors
from sdgmap.web.params import BadRequest, parse_list_query
from sdgmap.web.security import check_csrf, clean_actor, clean_text
from sdgmap.web.upload import OPENAPI_BODY, ingest_upload, receive_upload
from sdgmap.web.visibility import request_store

router = APIRouter(prefix="/api/v1", tags=["sdgmap"], responses=errors(*COMMON))

MAX_ID = 2_147_483_647  # ids beyond a 32-bit integer are a 422, not a database overflow
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

ACTIVITY_PARAMS = ("Filters: q (full text), type, year, sdg (1-17), target (9.c), action_line (C5), "
                   "node (framework:code), kind (stated|derived|suggested|curated), partner, entity. "
                   "Paging: page, per_page (max 100), sort (id|title|year|type|date), order (asc|desc).")


def _store(request: Request):
    """Reads see what the requester may see (public content only, or everything)."""
    return request_store(request)


@router.get("/frameworks", summary="Frameworks with node and link counts")
def frameworks(request: Request) -> list[dict]:
    with _store(request).transaction() as s:
        return services.frameworks(s)


@router.get("/frameworks/{framework_id}", summary="A framework and all its nodes", responses=errors(404))
def framework(request: Request, framework_id: str) -> dict:
    with _store(request).transaction() as s:
        return services.framework(s, framework_id[:64])


@router.get("/nodes/{ref}", summary="A node (framework:code): text, links in and out, activities",
            responses=errors(404))
def node(request: Request, ref: str) -> dict:
    with _store(request).transaction() as s:
        return services.node_page(s, ref[:140])


@router.get("/links", summary="Stated and derived links of a node", responses=errors(404))
def links(request: Request, node: str = Query(..., max_length=140, description="framework:code"),
          direction: Literal["in", "out", "both"] = "both", derived: bool = True) -> dict:
    with _store(request).transaction() as s:
        try:
            n = get_node(s, node)
        except UnknownNode as exc:
            raise services.NotFound(str(exc)) from None
        out = {"node": n.ref, "stated": [v.as_dict() for v in stated_links(s, n, direction)]}
        if derived:
            out["derived"] = [v.as_dict() for v in derived_links(s, n)]
        return out


@router.get("/activities", summary="Activities: search, filter, sort, page", description=ACTIVITY_PARAMS,
            responses=errors(404))
def activities(request: Request, facets: bool = False) -> dict:
    q = parse_list_query(request.query_params)
    with _store(request).transaction() as s:
        return services.list_activities(s, q, with_facets=facets, cache=request.app.state.cache)


@router.get("/activities/facets", summary="Facet counts of a result set", description=ACTIVITY_PARAMS)
def activities_facets(request: Request) -> dict:
    q = parse_list_query(request.query_params)
    with _store(request).transaction() as s:
        return services.facets(s, q, request.app.state.cache)


@router.get("/activities/export", summary="The whole result set as CSV or JSON", description=ACTIVITY_PARAMS,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def activities_export(request: Request, format: Literal["csv", "json"] = "json"):
    q = parse_list_query(request.query_params)
    store = _store(request)
    gen = services.export_csv if format == "csv" else services.export_json

    def stream():
        with store.transaction() as s:
            yield from gen(s, q)

    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    return StreamingResponse(stream(), media_type=media)


@router.get("/activities/{activity_id}", summary="One activity with links, evidence and review history",
            responses=errors(404))
def activity(request: Request, activity_id: Id) -> dict:
    with _store(request).transaction() as s:
        return services.get_activity(s, activity_id)


@router.get("/documents", summary="Ingested documents")
def documents(request: Request) -> list[dict]:
    with _store(request).transaction() as s:
        return services.documents(s)


@router.get("/documents/{document_id}", summary="One document (text on request)", responses=errors(404))
def document(request: Request, document_id: Id, text: bool = False) -> dict:
    with _store(request).transaction() as s:
        return services.document(s, document_id, with_text=text)


@router.post("/documents", summary="Upload and ingest a document (needs the CSRF token)",
             dependencies=[Depends(writer("reviewer"))], responses=errors(411, 413, 415, 503),
             openapi_extra=OPENAPI_BODY)
async def upload(request: Request) -> JSONResponse:
    file, entity, actor = await receive_upload(request)
    result = await ingest_upload(request, file, entity, actor)
    status = result.pop("status")
    if status != 200:
        return JSONResponse({"error": {"status": status, "message": result["message"]}}, status_code=status)
    return JSONResponse(result)


@router.get("/suggestions", summary="Suggested links waiting for review (the review queue)",
            dependencies=[Depends(writer("reviewer"))], responses=errors(404))
def suggestions(request: Request, sdg: int | None = Query(None, ge=1, le=17),
                framework: str | None = Query(None, max_length=64),
                min_confidence: float = Query(0.0, ge=0, le=1),
                state: Literal["unverified", "accepted", "rejected", "edited"] = "unverified",
                activity_id: int | None = Query(None, ge=1, le=MAX_ID), page: int = Query(1, ge=1, le=100_000),
                per_page: int = Query(50, ge=1, le=200)) -> dict:
    f = SuggestionFilter(sdg=sdg, framework=framework, min_confidence=min_confidence, review=state,
                         activity_id=activity_id)
    with _store(request).transaction() as s:
        return suggestion_page(s, f, page=page, per_page=per_page)


class ReviewRequest(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(..., min_length=1, max_length=1000,
                                                            description="activity link ids")
    action: Literal["accept", "reject", "edit", "reset"]
    node: str | None = Field(None, max_length=140, description="for edit: the node to link to instead")
    reviewer: str = Field("", max_length=200)


@router.post("/suggestions/review", summary="Accept, reject, edit or reset links (X-CSRF-Token, unless a bearer token)",
             dependencies=[Depends(writer("reviewer"))])
def review(request: Request, body: ReviewRequest) -> dict:
    check_csrf(request, None)  # none needed with a bearer token
    node = clean_text(body.node, 140) if body.node else None
    actor = signed_in_name(request) or clean_actor(body.reviewer)
    return {"changed": run(request, review_links, body.ids, body.action, actor, node)}  # the full store


class ClassifyRequest(BaseModel):
    text: str = Field(..., min_length=1, max_length=50_000)


# Costly for the server: an account's, once accounts exist.
@router.post("/classify", summary="Suggest SDG links for a text, with evidence",
             dependencies=[Depends(writer("viewer"))], responses=errors(503))
def classify(request: Request, body: ClassifyRequest) -> dict:
    return classify_text(body.text, request.app.state.classify_semantic)


@router.get("/analytics/overview", summary="Goal coverage, activities by type and year")
def a_overview(request: Request) -> dict:
    with _store(request).transaction() as s:
        return services.overview(s, request.app.state.cache)


@router.get("/analytics/sankey", summary="Strategy -> Action Line -> SDG flows")
def a_sankey(request: Request, strategy: str = Query("", max_length=64),
             level: str = Query("", max_length=64),
             sdg_level: Literal["goal", "target"] = "goal", suggested: bool = True,
             unmapped: bool = False) -> dict:
    with _store(request).transaction() as s:
        choice = services.mapping_choice(s, strategy, level)
        strategy, level = choice["strategy"], choice["level"]
        return request.app.state.cache.get(s, "sankey", analytics.sankey, strategy=strategy, level=level,
                                           sdg_level=sdg_level, include_suggested=suggested,
                                           include_unmapped=unmapped)


@router.get("/analytics/matrix", summary="Action Line x SDG matrix")
def a_matrix(request: Request, basis: Literal["activities", "framework"] = "activities") -> dict:
    with _store(request).transaction() as s:
        return request.app.state.cache.get(s, "matrix", analytics.action_line_sdg_matrix, basis=basis)


@router.get("/analytics/network", summary="SDG co-occurrence network")
def a_network(request: Request, max_goals: int | None = Query(None, ge=2, le=17)) -> dict:
    with _store(request).transaction() as s:
        return request.app.state.cache.get(s, "network", analytics.cooccurrence_network, max_goals=max_goals)


@router.get("/analytics/trends", summary="Activities per goal per report year")
def a_trends(request: Request) -> dict:
    with _store(request).transaction() as s:
        return request.app.state.cache.get(s, "trends", analytics.trends_by_goal)


__all__ = ["router", "BadRequest"]
