"""Document upload from the browser: size limit, allowed types, clear errors, one transaction.

The file goes to ``sdgmap.ingest.ingest_bytes``, which parses it and fills the register
in one unit of work; any failure there leaves the database unchanged and is reported in
one sentence that names the file.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath

from fastapi import UploadFile

from sdgmap.errors import UserError
from sdgmap.store import Store
from sdgmap.web.security import clean_text

ALLOWED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}


def _plain(value):
    """An ingest result as JSON-ready data, whatever shape ingest returns."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return str(value)


async def upload_document(store: Store, file: UploadFile, entity: str, limit: int, actor: str = "anonymous") -> dict:
    """Ingest an uploaded file; returns {"status": http status, "ok", "message", "filename", ...}.
    The ingest leaves an audit event naming ``actor``."""
    name = clean_text(PurePath((file.filename or "").replace("\\", "/")).name, 200)
    entity = clean_text(entity, 100)
    if not name:
        return {"status": 400, "ok": False, "message": "Choose a file to upload.", "filename": ""}
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        return {"status": 415, "ok": False, "filename": name,
                "message": f"{name}: unsupported file type {suffix or '(none)'}; upload one of "
                           f"{', '.join(sorted(ALLOWED))}."}
    data = await file.read(limit + 1)
    if len(data) > limit:
        return {"status": 413, "ok": False, "filename": name,
                "message": f"{name}: larger than the {limit // (1024 * 1024)} MB upload limit."}
    if not data:
        return {"status": 400, "ok": False, "filename": name, "message": f"{name}: the file is empty."}
    try:
        from sdgmap.ingest import ingest_bytes
    except ImportError:
        return {"status": 503, "ok": False, "filename": name,
                "message": "Document ingestion is not available in this installation."}
    try:
        result = ingest_bytes(store, name, data, entity=entity or None, max_bytes=limit, actor=actor)
    except UserError as exc:
        return {"status": 400, "ok": False, "filename": name, "message": str(exc)}
    except (ValueError, UnicodeError) as exc:
        return {"status": 400, "ok": False, "filename": name, "message": f"{name}: {exc}"}
    files = getattr(result, "files", None) or []
    if files:
        f = files[0]
        n = sum(getattr(f, "activities", {}).values())
        if getattr(f, "status", "") == "unchanged":
            message = f"{name} was already ingested; nothing changed."
        else:
            message = (f"{name} was ingested: {n} new activities, {getattr(f, 'merged', 0)} merged with "
                       f"existing ones, {getattr(f, 'links', 0)} links.")
        warnings = list(getattr(f, "warnings", []))
        return {"status": 200, "ok": True, "filename": name, "message": message, "warnings": warnings,
                "document_id": getattr(f, "document_id", None), "result": _plain(f)}
    return {"status": 200, "ok": True, "filename": name, "message": f"{name} was ingested.",
            "result": _plain(result)}
