"""Document model benchmark: build time, blocks by kind, and what a PDF's fonts would cost.

Prints
- milliseconds to build the model (``build_model``, reading excluded) for each seed (the
  five demo texts and the two LibreOffice PDFs in tests/fixtures/ingest), best of 5;
- the same for synthetic wrapped texts of 25, 50, 100 and 200 pages (must grow linearly;
  target: 100 pages well under a second);
- paragraph starts found in the 2023 seed's PDF against those of its .txt twin (one
  paragraph a line there): how well line shapes recover paragraphs without fonts;
- the cost of pypdf's layout visitor (``visitor_text``, the only pypdf route to font size
  and weight) against plain ``extract_text`` on one seed PDF;
- blocks by kind for each external development document when ``../shared/data/external-dev``
  is present (numbers only: nothing of those texts is printed).

Run: PYTHONPATH=src .venv/bin/python benchmarks/document_model.py
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from sdgmap.ingest.document import build_model, build_text_model
from sdgmap.ingest.readers import ReadResult, read_bytes

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "sdgmap" / "data" / "demo"
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
EXTERNAL = ROOT.parent / "shared" / "data" / "external-dev"


def best_ms(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def seeds() -> None:
    print(f"{'seed':34} {'chars':>8} {'blocks':>7} {'build ms':>9}")
    for path in sorted(DEMO.glob("*.txt")) + sorted(FIXTURES.glob("*.pdf")):
        read = read_bytes(path.name, path.read_bytes())
        model = build_model(read)
        ms = best_ms(lambda read=read: build_model(read))
        print(f"{path.name:34} {len(read.text):>8} {len(model):>7} {ms:>9.1f}")


def synthetic(pages: int) -> ReadResult:
    """A wrapped report: per page a header, paragraphs, a bulleted list, a heading, a footer."""
    topics = ["statistics", "broadband", "education", "health", "agriculture", "energy", "water"]
    pieces, spans, pos = [], [], 0
    for n in range(1, pages + 1):
        t = topics[n % len(topics)]
        lines = [f"Annual Report {2000 + n % 20} of the Example Agency", f"Programme on {t.title()} {n}"]
        for k in range(6):
            lines += [f"The programme supported national offices in collecting and using data on {t} and",
                      f"trained staff in {k + 3} countries across the region during the year, with partners",
                      "from government, academia and civil society.",
                      "Results included:",
                      f"• a regional forum on {t} held in the capital, with ministers and regulators from",
                      "many countries of the region",
                      f"• a guide to {t} policy for least developed countries"]
        lines.append(f"{n} / {pages}")
        page = "\n".join(lines) + "\n"
        if pieces:
            pieces.append("\n\n")
            pos += 2
        pieces.append(page)
        spans.append([n, pos, pos + len(page)])
        pos += len(page)
    return ReadResult("".join(pieces), "application/pdf", pages=spans)


def scaling() -> None:
    print(f"\n{'synthetic':34} {'chars':>8} {'blocks':>7} {'build ms':>9} {'ms/page':>8}")
    for pages in (25, 50, 100, 200):
        read = synthetic(pages)
        model = build_model(read)
        ms = best_ms(lambda read=read: build_model(read), repeat=3)
        print(f"{f'{pages} pages':34} {len(read.text):>8} {len(model):>7} {ms:>9.1f} {ms / pages:>8.2f}")


def _norm(s: str) -> str:
    return re.sub(r"\W+", "", s.lower())


def paragraphs_from_layout() -> None:
    """Paragraph starts of the PDF model vs the .txt twin's lines (the twin is the truth)."""
    twin = (DEMO / "003_8e0a2054c91a51b2.txt").read_text(encoding="utf-8")
    truth = {_norm(line)[:40] for line in twin.split("\n") if len(_norm(line)) >= 12}
    pdf = read_bytes("x.pdf", (FIXTURES / "desa_2023_submission.pdf").read_bytes())
    starts = {_norm(pdf.model.text[b.body_start:b.end])[:40] for b in pdf.model.content()}
    starts = {s for s in starts if len(s) >= 12}
    body = {_norm(line)[:40] for line in twin.split("\n")}
    found = {s for s in starts if s in truth}
    print(f"\nparagraph starts, 2023 seed PDF vs its .txt: {len(found)}/{len(truth)} found, "
          f"{len(starts - body)} of {len(starts)} model blocks start elsewhere than a line of the .txt")


def visitor_cost() -> None:
    from pypdf import PdfReader

    data = (FIXTURES / "desa_2023_submission.pdf").read_bytes()

    def plain() -> None:
        for page in PdfReader(io.BytesIO(data)).pages:
            page.extract_text()

    def visited() -> None:
        runs = []
        for page in PdfReader(io.BytesIO(data)).pages:
            page.extract_text(visitor_text=lambda text, cm, tm, font, size: runs.append(
                (text, size, (font or {}).get("/BaseFont"))))

    def layout() -> None:
        for page in PdfReader(io.BytesIO(data)).pages:
            page.extract_text(extraction_mode="layout")

    a, b, c = best_ms(plain, 3), best_ms(visited, 3), best_ms(layout, 3)
    print(f"\npypdf on desa_2023_submission.pdf (16 pages): extract_text {a:.0f} ms, with visitor_text "
          f"(font and size per run) {b:.0f} ms, layout mode {c:.0f} ms")


def external() -> None:
    if not EXTERNAL.is_dir():
        print("\n(external development texts not present: skipped)")
        return
    print(f"\n{'external-dev document':32} {'ms':>6} {'head':>5} {'para':>5} {'item':>5} {'table':>5} "
          f"{'furn':>5} {'cont':>5}")
    for path in sorted(EXTERNAL.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        model = build_text_model(text)
        ms = best_ms(lambda text=text: build_text_model(text), 3)
        c = model.counts()
        cont = sum(b.continued for b in model.blocks)
        print(f"{path.name:32} {ms:>6.1f} {c['heading']:>5} {c['paragraph']:>5} {c['list_item']:>5} "
              f"{c['table']:>5} {c['furniture']:>5} {cont:>5}")


if __name__ == "__main__":
    seeds()
    scaling()
    paragraphs_from_layout()
    visitor_cost()
    external()
