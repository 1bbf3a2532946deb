"""Hostile uploads against a real server process (issue 18, findings 1 and 2), and the cost
of parsing in a separate process.

Prints
- for a 1 MB .docx holding 100 MB of tiny paragraphs and a 1.1 MB zip bomb (1.1 GB of XML),
  uploaded to ``sdgmap serve`` (its own process, single-user mode, SQLite): the answer and
  the seconds to it, the server's RSS before and its peak (VmHWM) before and after, and the
  latency (p50, max) of ``GET /api/v1/frameworks`` sent in a loop during the upload; then a
  legitimate but long upload (the seed reports repeated to 19 MB of text), which held a
  parallel GET for 32.7 s before the fix;
- the per-upload cost of the worker process: parse of a small .txt, a small .docx and the longest seed report in
  this process vs. in a forkserver child (median of 10), the forkserver's first start, and
  the child's virtual size at start (the base of its RLIMIT_AS);
- .docx read time for 1, 2 and 4 MB of XML of one-letter paragraphs without a style (the
  report's 15, 28 and 62 s) and of items of Word's numbered list style: the old list-numbering
  reader (``para.style`` per paragraph) and the new (cached per style id); ``--no-old`` skips
  the old one (about two minutes).

Targets: both files refused within 30 s and 500 MB, GETs answered in < 1 s meanwhile.
Run: .venv/bin/python benchmarks/upload_dos.py
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from hostile_docx import bomb_docx, numbered_docx, paragraphs_docx  # noqa: E402
from sdgmap.demo import demo_documents  # noqa: E402
from sdgmap.frameworks.builtin import open_store
from sdgmap.ingest import readers, worker  # noqa: E402
from sdgmap.ingest.parse import parse_document  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mb(pid: int, key: str) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{key}:\s+(\d+) kB", text, re.M).group(1)) / 1024


def serve(db: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sdgmap", "--db", db, "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/api/v1/frameworks", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def poll(base: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(base_url=base, timeout=120) as client:
        while True:
            t = time.perf_counter()
            client.get("/api/v1/frameworks")
            out.append(time.perf_counter() - t)
            if stop.wait(0.05):
                return


def hostile_uploads() -> None:
    seeds = b"\n\n".join(p.read_bytes() for p in demo_documents() if p.suffix == ".txt")
    files = {"paragraphs.docx (100 MB of XML)": paragraphs_docx(100_000_000),
             "bomb.docx (1.1 GB of XML)": bomb_docx(1_100_000_000),
             "long.txt (seed reports, 19 MB)": seeds * (19_000_000 // len(seeds))}
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        open_store(db).dispose()
        proc, base = serve(db)
        try:
            client = httpx.Client(base_url=base, timeout=700)
            client.get("/documents")  # the CSRF cookie
            headers = {"X-CSRF-Token": client.cookies.get("sdgmap_csrf")}
            print(f"{'upload':32} {'size':>7} {'answer':>7} {'seconds':>8} {'server RSS':>11} {'peak before':>12} "
                  f"{'peak after':>11} {'GETs':>5} {'p50 ms':>7} {'max ms':>7}")
            for label, data in files.items():
                rss, hwm = memory_mb(proc.pid, "VmRSS"), memory_mb(proc.pid, "VmHWM")
                stop, lat = threading.Event(), []
                poller = threading.Thread(target=poll, args=(base, stop, lat))
                poller.start()
                t = time.perf_counter()
                r = client.post("/api/v1/documents", headers=headers,
                                files={"file": (label.split()[0], data, "application/octet-stream")})
                took = time.perf_counter() - t
                stop.set()
                poller.join()
                print(f"{label:32} {len(data) / 1e6:5.2f}MB {r.status_code:>7} {took:8.2f} {rss:9.0f}MB {hwm:10.0f}MB "
                      f"{memory_mb(proc.pid, 'VmHWM'):9.0f}MB {len(lat):>5} "
                      f"{statistics.median(lat) * 1000:7.1f} {max(lat) * 1000:7.1f}")
                print(f"    {r.json()['error']['message'] if r.status_code != 200 else r.json()['message']}")
        finally:
            proc.terminate()
            proc.wait(10)


def worker_cost() -> None:
    """Run by ``python -c`` (see main): a child then imports no main module, as under
    ``python -m sdgmap serve``; a script's children would re-import the script each time."""
    t = time.perf_counter()
    base = worker.child_start_size()
    print(f"\nforkserver first start (interpreter + preloaded readers) and one child: "
          f"{time.perf_counter() - t:.2f} s; child virtual size at start {base / 1e6:.0f} MB "
          f"(RLIMIT_AS = that + the budget)")
    docx_fixture = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ingest" / "events_table.docx"
    seed = max(demo_documents(), key=lambda p: p.stat().st_size)  # the longest seed report
    for name, data in [("note.txt", b"Year of submission: 2024. SDG 9 broadband for schools.\n"),
                       (docx_fixture.name, docx_fixture.read_bytes()), (seed.name, seed.read_bytes())]:
        inproc, child_runs = [], []
        for _ in range(10):
            t = time.perf_counter()
            parse_document(name, data)
            inproc.append(time.perf_counter() - t)
            t = time.perf_counter()
            worker.parse_in_worker(name, data)
            child_runs.append(time.perf_counter() - t)
        a, b = statistics.median(inproc) * 1000, statistics.median(child_runs) * 1000
        print(f"parse {name:28} in process {a:7.1f} ms, in a worker {b:7.1f} ms (+{b - a:.1f} ms)")


def _old_number(self, para):
    """The reader before the fix: ``para.style`` (a styles-part lookup) for every paragraph."""
    return self._resolve(_old_num_pr(para))


def _old_num_pr(para):
    ppr = para._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return ppr.numPr
    style = para.style
    while style is not None:
        sp = style.element.pPr
        if sp is not None and sp.numPr is not None:
            return sp.numPr
        style = style.base_style
    return None


def numbering(old: bool) -> None:
    print(f"\n{'.docx read':34} {'paragraphs':>10} {'new s':>7} {'old s':>7}")
    new_number = readers._ListNumbering._number
    for mb, kind, build in [(mb, kind, build) for kind, build in (("tiny paragraphs", paragraphs_docx),
                                                                  ("numbered list items", numbered_docx))
                            for mb in (1, 2, 4)]:
        data = build(mb * 1_000_000)
        t = time.perf_counter()
        lines = len(readers.read_bytes("list.docx", data).text.splitlines())
        new = time.perf_counter() - t
        old_s = "-"
        if old:
            readers._ListNumbering._number = _old_number
            try:
                t = time.perf_counter()
                readers.read_bytes("list.docx", data)
                old_s = f"{time.perf_counter() - t:7.2f}"
            finally:
                readers._ListNumbering._number = new_number
        print(f"{mb} MB of XML, {kind:21} {lines:>10} {new:7.2f} {old_s:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-old", action="store_true", help="skip the old numbering reader (~2 min)")
    args = parser.parse_args()
    hostile_uploads()
    sys.stdout.flush()
    subprocess.run([sys.executable, "-c", "import upload_dos; upload_dos.worker_cost()"], check=True,
                   cwd=Path(__file__).parent)
    numbering(not args.no_old)


if __name__ == "__main__":
    main()
