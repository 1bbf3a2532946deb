"""The built-in ITU example: the built-in frameworks, the seed reports ingested, and the
classifier's suggestions waiting in the review queue."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from sdgmap.classify import load_classifier, suggest
from sdgmap.frameworks.builtin import DATA, open_store
from sdgmap.ingest import ingest_paths
from sdgmap.store import Store
from sdgmap.store.audit import track_changes
from sdgmap.store.models import Document

DEMO_DOCS = DATA / "demo"


def demo_documents() -> list[Path]:
    return sorted(p for p in DEMO_DOCS.iterdir() if p.suffix in {".txt", ".md", ".docx", ".pdf", ".html"})


def build_demo(db: str, *, rebuild: bool = False) -> str:
    """Create the demo database at ``db`` unless it already holds the demo; return its URL."""
    if rebuild and "://" not in db:
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
    store = open_store(db)
    try:
        with store.transaction() as s:
            have = s.scalar(select(func.count()).select_from(Document))
        if not have:
            ingest_paths(store, demo_documents(), entity="ITU")
            _suggest(store)
        return store.url
    finally:
        store.dispose()


def _suggest(store: Store) -> None:
    """Fill the review queue: the classifier's suggestions for every activity (one write)."""
    clf = load_classifier()
    with store.transaction() as s:
        texts = suggest.activity_texts(s)
        titles = suggest.action_line_titles(s)
    plans = suggest.plan_suggestions(clf, texts, line_titles=titles)
    with store.transaction(write=True) as s:
        suggest.write_suggestions(track_changes(s, "demo"), plans, suggest.method_name(clf))
