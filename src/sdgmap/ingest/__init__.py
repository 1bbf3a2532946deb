"""Ingestion: turn reports (txt, md, docx, pdf, html) into register activities with provenance.

Pipeline, per file: ``readers`` (bytes -> one text with stable offsets, PDF pages) ->
``questionnaire`` and ``other_structures`` (blocks -> ``Candidate`` activities) ->
``references`` (explicit SDG/target/Action Line/outcome/entity/date/place mentions) ->
``register`` (one transaction: document, activities, sources, stated links, mentions).

``ingest_paths`` parses every file before writing any, so one bad file in a batch stops
the batch with a one-line ``IngestError`` and the database unchanged; each good file is then
written in its own transaction. ``ingest_bytes`` does the same for an upload.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from sdgmap.ingest.errors import FileTooLargeError, IngestError
from sdgmap.ingest.parse import ParsedDocument, parse_document
from sdgmap.ingest.readers import DEFAULT_MAX_BYTES, MEDIA_TYPES, size_text
from sdgmap.ingest.register import FileResult, write_document
from sdgmap.store.audit import record_operation
from sdgmap.store.models import Document
from sdgmap.text.references import Mention, extract

__all__ = [
    "DEFAULT_MAX_BYTES", "FileResult", "IngestError", "IngestReport", "Mention", "expand_paths",
    "extract", "ingest_bytes", "ingest_paths", "parse_document",
]


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def activities(self) -> Counter:
        total: Counter = Counter()
        for f in self.files:
            total.update(f.activities)
        return total

    @property
    def links(self) -> int:
        return sum(f.links for f in self.files)

    @property
    def mentions(self) -> int:
        return sum(f.mentions for f in self.files)

    @property
    def warnings(self) -> list[str]:
        return [f"{f.filename}: {w}" for f in self.files for w in f.warnings]

    def as_dict(self) -> dict:
        return {
            "files": [f.as_dict() for f in self.files],
            "ingested": sum(1 for f in self.files if f.status == "ingested"),
            "unchanged": sum(1 for f in self.files if f.status == "unchanged"),
            "activities": dict(self.activities), "activities_total": sum(self.activities.values()),
            "merged": sum(f.merged for f in self.files), "links": self.links,
            "mentions": self.mentions, "warnings": self.warnings,
        }


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a folder stands for the supported documents in it (recursively)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in MEDIA_TYPES
                           and not any(part.startswith(".") for part in f.relative_to(path).parts))
            if not found:
                raise IngestError(str(path), "folder without .txt, .md, .docx, .pdf or .html files")
            out.extend(found)
        else:
            out.append(path)
    return out


def _read_path(path: Path, max_bytes: int) -> bytes:
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(name, exc.strerror or "cannot open") from None
    if size > max_bytes:
        # Refuse before reading: a huge file should not be loaded into memory at all.
        raise FileTooLargeError(name, f"{size_text(size)}, the limit is {size_text(max_bytes)}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(name, exc.strerror or "cannot read") from None


def ingest_paths(store, paths: Iterable[str | Path], *, year: int | None = None, entity: str | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES,
                 progress: Callable[[str], None] | None = None, actor: str | None = None) -> IngestReport:
    """Ingest files into ``store``; see the module docstring for the transaction rules.

    ``progress`` is called with each file's name once it is written. Each written document
    leaves one audit event naming ``actor`` (default: the operating-system user).
    """
    parsed: list[ParsedDocument | FileResult] = []
    for path in expand_paths(paths):
        data = _read_path(path, max_bytes)
        known = _known(store, path.name, data)
        try:
            parsed.append(known or parse_document(path.name, data, year=year, entity=entity,
                                                  max_bytes=max_bytes))
        except IngestError as exc:
            # Name the file as the user gave it, not only its base name.
            raise type(exc)(str(path), exc.detail) from None
    report = IngestReport()
    for doc in parsed:
        report.files.append(doc if isinstance(doc, FileResult) else _write(store, doc, actor))
        if progress is not None:
            progress(doc.filename)
    return report


def ingest_bytes(store, filename: str, data: bytes, *, year: int | None = None, entity: str | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, actor: str | None = None,
                 parser: Callable[..., ParsedDocument] = parse_document) -> IngestReport:
    """Ingest one uploaded file (the web app's upload form).

    Only the base name of ``filename`` is kept: a browser may send a path, and the name is
    shown back to users. ``parser`` replaces ``parse_document`` (same arguments): the web app
    passes ``worker.parse_in_worker``, which parses in a separate process within a budget.
    """
    filename = PurePosixPath(filename.replace("\\", "/")).name.strip()[:200]
    if filename in ("", ".", ".."):
        filename = "upload.txt"
    known = _known(store, filename, data)
    if known:
        return IngestReport([known])
    doc = parser(filename, data, year=year, entity=entity, max_bytes=max_bytes)
    return IngestReport([_write(store, doc, actor)])


def _known(store, filename: str, data: bytes) -> FileResult | None:
    """A file whose exact content is already stored: nothing to parse or write."""
    sha = hashlib.sha256(data).hexdigest()
    with store.transaction() as session:
        row = session.execute(select(Document.id, Document.year, Document.entity).where(
            Document.sha256 == sha)).first()
    return FileResult(filename, "unchanged", row[0], row[1], row[2]) if row else None


def _write(store, doc: ParsedDocument, actor: str | None = None) -> FileResult:
    with store.transaction(write=True) as session:
        result = write_document(session, doc)
        counts = result.as_dict()
        counts.pop("document_id", None)
        record_operation(session, actor, "documents", "ingest", counts, row_id=result.document_id)
        return result
