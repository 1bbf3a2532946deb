"""``sdgmap generate``: synthetic activities for load tests, benchmarks and UI development.

The data is clearly fake (entity "SYNTHETIC", titles from a fixed vocabulary) and
deterministic for a given seed. Rows are written with bulk Core inserts in one
transaction per batch, so 100,000 activities take seconds, not minutes.
"""

from __future__ import annotations

import hashlib
import random

import click
from sqlalchemy import insert, select
from sqlalchemy import text as text_sql

from sdgmap.cli.common import AppContext, console, pass_app
from sdgmap.store import Store
from sdgmap.store.models import Activity, ActivityLink, ActivitySource, Document, Node, utcnow

TYPES = ("event", "publication", "project", "partnership", "decision", "pledge")
TOPICS = ("broadband", "spectrum", "cybersecurity", "digital skills", "e-health", "satellite",
          "emergency telecommunications", "smart cities", "artificial intelligence", "e-waste",
          "gender digital divide", "rural connectivity", "regulation", "standards", "youth",
          "small island states", "climate monitoring", "digital inclusion", "child online protection",
          "financial inclusion")
ACTIONS = ("Workshop on", "Report on", "Regional forum on", "Toolkit for", "Partnership for",
           "Resolution on", "Pledge to expand", "Guidelines on", "Capacity building in", "Study of")
PLACES = ("Geneva", "Kampala", "Bangkok", "Lima", "Nairobi", "Suva", "Cairo", "Online")
PARTNERS = ("UNDP", "UNESCO", "UNICEF", "World Bank", "GSMA", "UNEP", "WHO", "FAO", "UN Women")


def _code_lists(session) -> dict[str, list[int] | dict]:
    rows = session.execute(select(Node.id, Node.framework_id, Node.kind, Node.code)).all()
    return {
        "goals": [r.id for r in rows if r.framework_id == "sdg" and r.kind == "goal"],
        "targets": [r.id for r in rows if r.framework_id == "sdg" and r.kind == "target"],
        "als": [r.id for r in rows if r.framework_id == "wsis"],
        "outcomes": [r.id for r in rows if r.framework_id == "itu-sp-2020" and r.kind == "outcome"],
    }


def generate(store: Store, activities: int, *, seed: int = 1, batch: int = 5000,
             suggested_share: float = 0.4) -> int:
    """Add ``activities`` synthetic activities with sources, stated and suggested links."""
    rng = random.Random(seed)
    with store.transaction() as s:
        codes = _code_lists(s)
        start_id = (s.scalar(select(Activity.id).order_by(Activity.id.desc()).limit(1)) or 0) + 1
    made = 0
    while made < activities:
        n = min(batch, activities - made)
        first = start_id + made
        texts, acts, srcs, links = [], [], [], []
        offset = 0
        for i in range(n):
            aid = first + i
            topic = rng.choice(TOPICS)
            title = f"{rng.choice(ACTIONS)} {topic} #{aid}"
            desc = (f"Synthetic activity {aid} about {topic} with {rng.choice(PARTNERS)} in "
                    f"{rng.choice(PLACES)}; it supports {rng.choice(TOPICS)} and {rng.choice(TOPICS)}.")
            block = f"{title}\n{desc}\n\n"
            year = rng.randint(2019, 2024)
            acts.append({"id": aid, "type": rng.choice(TYPES), "title": title, "description": desc,
                         "entity": "SYNTHETIC", "year": year, "date_start": f"{year}-{rng.randint(1, 12):02d}-01",
                         "date_end": None, "dates_text": str(year), "location": rng.choice(PLACES),
                         "partners": rng.sample(PARTNERS, rng.randint(0, 2)), "website": "",
                         "series_key": "", "attrs": {"synthetic": True},
                         "created_at": utcnow(), "updated_at": utcnow()})
            srcs.append({"activity_id": aid, "start": offset, "end": offset + len(block) - 2,
                         "section": "Synthetic", "page": None})
            ev_start = offset + len(title) + 1
            chosen: set[int] = set()
            for node_id in rng.sample(codes["goals"], rng.randint(1, 3)) + \
                    rng.sample(codes["targets"], rng.randint(0, 1)) + \
                    rng.sample(codes["als"], rng.randint(0, 2)) + \
                    rng.sample(codes["outcomes"], rng.choice((0, 0, 1))):
                chosen.add(node_id)
                links.append({"activity_id": aid, "node_id": node_id, "kind": "stated",
                              "method": "synthetic", "confidence": 1.0, "primary": False,
                              "span_start": ev_start, "span_end": ev_start + len(desc),
                              "evidence": desc[:120], "review": "unverified"})
            if rng.random() < suggested_share:
                node_id = rng.choice([g for g in codes["goals"] if g not in chosen])
                links.append({"activity_id": aid, "node_id": node_id, "kind": "suggested",
                              "method": "synthetic-classifier", "confidence": round(rng.uniform(0.3, 0.95), 2),
                              "primary": False, "span_start": ev_start, "span_end": ev_start + len(desc),
                              "evidence": desc[:120], "review": "unverified"})
            texts.append(block)
            offset += len(block)
        text = "".join(texts)
        with store.transaction(write=True) as s:
            sha = hashlib.sha256(text.encode()).hexdigest()  # documents are identified by content
            doc = s.scalar(select(Document).where(Document.sha256 == sha))
            if doc is None:
                doc = Document(sha256=sha, filename=f"synthetic_{first}.txt", media_type="text/plain",
                               size=len(text), title=f"Synthetic activities {first}-{first + n - 1}",
                               entity="SYNTHETIC", year=None, text=text, status="ingested",
                               summary={"synthetic": n})
                s.add(doc)
                s.flush()
            s.execute(insert(Activity), acts)
            for row in srcs:
                row["document_id"] = doc.id
            for row in links:
                row["document_id"] = doc.id
                row["created_at"] = utcnow()
            s.execute(insert(ActivitySource), srcs)
            s.execute(insert(ActivityLink), links)
            if s.get_bind().dialect.name == "postgresql":
                # explicit ids do not advance the serial sequence; later ORM inserts need it
                s.execute(text_sql("SELECT setval(pg_get_serial_sequence('activities', 'id'), "
                                   "(SELECT max(id) FROM activities))"))
        made += n
    return made


@click.command("generate")
@click.option("--activities", default=1000, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--seed", default=1, show_default=True, type=int)
@pass_app
def generate_cmd(app: AppContext, activities: int, seed: int) -> None:
    """Add synthetic activities (entity SYNTHETIC) for load tests and benchmarks."""
    n = generate(app.store, activities, seed=seed)
    console.print(f"Added {n} synthetic activities.")


def register(cli: click.Group) -> None:
    cli.add_command(generate_cmd)
