"""Document upload from the browser and the API: caller and size checked before the body is
read, the body capped while it streams, the parse in a separate process within a budget.

Order of the checks (``receive_upload``): who is calling (401/403), the declared length
(411 without one, 413 over the limit), then the multipart body, read through a counter that
stops it with a 413 as soon as more arrives than allowed, then the CSRF token (form field or
``X-CSRF-Token`` header). An anonymous 2 GB POST is thus answered before any of it is read.

``ingest_upload`` hands the file to ``sdgmap.ingest.ingest_bytes`` in a worker thread, with
``worker.parse_in_worker`` as the parser: the parse runs in its own process within
``app.state.parse_timeout`` seconds and ``app.state.parse_memory`` bytes, and the database
write (one transaction) happens in the server. Any failure leaves the database unchanged and
is reported in one sentence that names the file.
"""

from __future__ import annotations

import asyncio
import weakref
from functools import partial
from pathlib import PurePath

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from sdgmap.errors import UserError
from sdgmap.ingest import ingest_bytes
from sdgmap.ingest.errors import FileTooLargeError
from sdgmap.ingest.worker import parse_in_worker
from sdgmap.web.identity import require_writer, signed_in_name
from sdgmap.web.security import check_csrf, clean_text

ALLOWED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers, the entity and token fields
PARSE_WORKERS = 2  # parses at once; more uploads wait their turn (without holding a thread)

# The request body as generated clients see it (the route reads it itself, see above).
OPENAPI_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "title": "Body_upload_api_v1_documents_post", "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "entity": {"type": "string", "default": ""},
                   "csrf_token": {"type": "string", "default": ""}}}}}}}


def _limit_text(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def _capped(receive: Receive, cap: int, limit: int) -> Receive:
    """``receive`` that refuses (413) a body growing past ``cap`` bytes, whatever was declared."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise HTTPException(413, f"The upload is larger than the {_limit_text(limit)} limit.")
        return message

    return capped


async def receive_upload(request: Request) -> tuple[UploadFile | None, str, str]:
    """(file, entity, actor) of an upload, checked in the order the module docstring gives."""
    await run_in_threadpool(require_writer, request)
    limit: int = request.app.state.upload_limit
    cap = limit + MULTIPART_OVERHEAD
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise HTTPException(411, "The upload needs a Content-Length header.")
    if int(declared) > cap:
        raise HTTPException(413, f"The upload is larger than the {_limit_text(limit)} limit.")
    header_token = request.headers.get("x-csrf-token", "")
    if header_token or "authorization" in request.headers:
        await run_in_threadpool(check_csrf, request, header_token)  # refused before the body
    body = Request(request.scope, _capped(request.receive, cap, limit))
    form = await body.form(max_files=1, max_fields=8, max_part_size=MULTIPART_OVERHEAD)
    await run_in_threadpool(check_csrf, request, str(form.get("csrf_token", "")))
    file = form.get("file")
    actor = await run_in_threadpool(signed_in_name, request)
    return (file if isinstance(file, UploadFile) else None), str(form.get("entity", "")), actor or "anonymous"


def _slots(request: Request) -> asyncio.Semaphore:
    """The app's parse slots on this event loop (a semaphore belongs to one loop; tests run
    one app on several)."""
    state = request.app.state
    if getattr(state, "parse_slots", None) is None:
        state.parse_slots = weakref.WeakKeyDictionary()
    loop = asyncio.get_running_loop()
    if loop not in state.parse_slots:
        state.parse_slots[loop] = asyncio.Semaphore(getattr(state, "parse_workers", PARSE_WORKERS))
    return state.parse_slots[loop]


async def ingest_upload(request: Request, file: UploadFile | None, entity: str, actor: str) -> dict:
    """Ingest an uploaded file; returns {"status": http status, "ok", "message", "filename", ...}.
    The ingest leaves an audit event naming ``actor``."""
    state = request.app.state
    limit: int = state.upload_limit
    name = clean_text(PurePath(((file.filename if file else "") or "").replace("\\", "/")).name, 200)
    entity = clean_text(entity, 100)
    if file is None or not name:
        return {"status": 400, "ok": False, "message": "Choose a file to upload.", "filename": ""}
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        return {"status": 415, "ok": False, "filename": name,
                "message": f"{name}: unsupported file type {suffix or '(none)'}; upload one of "
                           f"{', '.join(sorted(ALLOWED))}."}
    data = await file.read(limit + 1)
    await file.close()  # its spooled temporary file
    if len(data) > limit:
        return {"status": 413, "ok": False, "filename": name,
                "message": f"{name}: larger than the {_limit_text(limit)} upload limit."}
    if not data:
        return {"status": 400, "ok": False, "filename": name, "message": f"{name}: the file is empty."}
    parser = partial(parse_in_worker, timeout=state.parse_timeout, memory=state.parse_memory)
    try:
        async with _slots(request):
            result = await run_in_threadpool(ingest_bytes, state.store, name, data, entity=entity or None,
                                             max_bytes=limit, actor=actor, parser=parser)
    except FileTooLargeError as exc:  # too big to read within the budget, or a zip bomb
        return {"status": 413, "ok": False, "filename": name, "message": str(exc)}
    except UserError as exc:
        return {"status": 400, "ok": False, "filename": name, "message": str(exc)}
    except (ValueError, UnicodeError) as exc:
        return {"status": 400, "ok": False, "filename": name, "message": f"{name}: {exc}"}
    f = result.files[0]
    if f.status == "unchanged":
        message = f"{name} was already ingested; nothing changed."
    else:
        message = (f"{name} was ingested: {sum(f.activities.values())} new activities, {f.merged} merged "
                   f"with existing ones, {f.links} links.")
    return {"status": 200, "ok": True, "filename": name, "message": message, "warnings": list(f.warnings),
            "document_id": f.document_id, "result": f.as_dict()}
