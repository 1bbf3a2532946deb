"""The SDG Classification Benchmark is the scoreboard: none of its texts may be in the repo."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEY_WORDS = 15  # a run of 15 words of a benchmark text is enough to call it copied


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def test_no_benchmark_text_in_tracked_files():
    pytest.importorskip("sdgclassification.benchmark")
    from sdgclassification.benchmark.load_benchmark_df import load_benchmark_df

    keys = set()
    for text in load_benchmark_df()["text"]:
        words = _norm(text).split()
        if len(words) >= KEY_WORDS:
            mid = (len(words) - KEY_WORDS) // 2
            for start in (0, mid, len(words) - KEY_WORDS):
                keys.add(" ".join(words[start:start + KEY_WORDS]))
    assert len(keys) > 1000  # the benchmark really was read
    # Some benchmark snippets quote official SDG target wording; that wording is not theirs.
    official = _norm(" ".join(p.read_text(encoding="utf-8")
                              for p in (ROOT / "src/sdgmap/data/sdg").glob("*.csv")))
    keys = {k for k in keys if k not in official}

    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    corpus = []
    for name in files.decode().split("\0"):
        path = ROOT / name
        if not name or not path.is_file() or path.stat().st_size > 20_000_000:
            continue
        data = path.read_bytes()
        if b"\0" in data[:4096]:  # binary
            continue
        corpus.append(_norm(data.decode("utf-8", errors="ignore")))
    haystack = "\n".join(corpus)
    found = [k for k in keys if k in haystack]
    assert not found, f"benchmark text found in the repository: {found[:3]}"
