"""Classifier speed on our own texts: texts per second, load time and peak memory.

The texts are the repository's own: the five ITU seed reports (``sdgmap/data/demo``) cut
into consecutive passages of about 90 words (the length of a typical activity
description), plus our hand-written examples (``classify/data/examples.tsv``) joined in
groups of six. No benchmark text is used. Each mode runs in its own fresh process, so
the load time includes importing torch and the peak memory is the mode's own.

A mode is ``lexical``, ``full`` (the encoder this machine would choose) or
``full-float32`` / ``full-bfloat16`` / ``full-int8`` (that encoder, forced). The default
runs the chosen encoder beside the float32 reference, and prints the ratio.

Usage: ``python benchmarks/classify_speed.py [--modes full,full-float32,lexical] [--n 300]
[--batch 256] [--profile]`` (``--profile`` prints the top cProfile entries of the full
mode). Pin threads to the target machine with e.g. ``OMP_NUM_THREADS=2``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

TARGET_WORDS = 90


def _passages(lines: list[str], target: int = TARGET_WORDS) -> list[str]:
    """Consecutive lines joined until about ``target`` words; long lines cut by words."""
    out: list[str] = []
    buf: list[str] = []
    for line in lines:
        words = line.split()
        while len(words) > target * 3 // 2:  # a very long line: cut it
            out.append(" ".join(words[:target]))
            words = words[target:]
        if len(buf) >= target // 3 and len(buf) + len(words) > target * 4 // 3:
            out.append(" ".join(buf))  # the next paragraph would make it too long
            buf = []
        buf.extend(words)
        if len(buf) >= target * 4 // 5:
            out.append(" ".join(buf))
            buf = []
    return out


def speed_texts(n: int = 300) -> list[str]:
    """Our own passages of about 90 words, seed reports first, deterministic."""
    texts: list[str] = []
    for path in sorted((files("sdgmap") / "data" / "demo").iterdir(), key=lambda p: p.name):
        if path.name.endswith(".txt"):
            lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
            texts.extend(_passages(lines))
    examples = Path(__file__).resolve().parents[1] / "src/sdgmap/classify/data/examples.tsv"
    ex = [ln.split("\t")[2] for ln in examples.read_text(encoding="utf-8").splitlines() if ln.strip()]
    texts.extend(" ".join(ex[i:i + 6]) for i in range(0, len(ex) - 5, 6))
    # Interleave the sources so a small n still mixes reports and examples.
    step = max(1, len(texts) // n)
    picked = texts[::step][:n]
    return picked


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_mode(mode: str, n: int, batch: int, profile: bool) -> dict:
    """Child process: load the classifier, classify the texts once, report."""
    texts = speed_texts(n)
    t0 = time.perf_counter()
    from sdgmap.classify import SDGClassifier

    encoder = mode.split("-", 1)[1] if mode.startswith("full-") else None
    clf = SDGClassifier(semantic=mode.startswith("full"), encoder=encoder)
    loaded = time.perf_counter()
    cpu0 = time.process_time()
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    for i in range(0, len(texts), batch):
        clf.predict(texts[i:i + batch])
    if prof is not None:
        prof.disable()
        import io
        import pstats

        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
        print(buf.getvalue(), file=sys.stderr)
    done = time.perf_counter()
    cpu_ms = (time.process_time() - cpu0) * 1000 / len(texts)
    return {
        "mode": mode, "layers": "+".join(clf.layers), "encoder": clf.encoder or "-", "n": len(texts),
        "mean_words": round(sum(len(t.split()) for t in texts) / len(texts), 1),
        "load_s": round(loaded - t0, 2), "texts_per_s": round(len(texts) / (done - loaded), 1),
        "cpu_ms_per_text": round(cpu_ms, 2), "peak_mb": round(peak_rss_mb(), 1),
        "load_avg": round(os.getloadavg()[0], 2),
        "threads": getattr(getattr(clf.embedder, "model", None), "workers", None),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="full,full-float32,lexical")
    parser.add_argument("--n", type=int, default=300, help="number of texts (default 300)")
    parser.add_argument("--batch", type=int, default=256, help="texts per predict() call")
    parser.add_argument("--profile", action="store_true", help="cProfile the full mode")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        json.dump(run_mode(args.child, args.n, args.batch, args.profile), sys.stdout)
        return

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the run")
    print("| mode | encoder | texts | mean words | texts/s | CPU ms/text | load s | peak MB | encoder threads | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    rates: dict[str, float] = {}
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        cmd = [sys.executable, __file__, "--child", mode, "--n", str(args.n),
               "--batch", str(args.batch)] + (["--profile"] if args.profile else [])
        r = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
        rates[r["encoder"]] = r["texts_per_s"]
        print(f"| {r['layers']} | {r['encoder']} | {r['n']} | {r['mean_words']} | {r['texts_per_s']} | "
              f"{r['cpu_ms_per_text']} | {r['load_s']} | {r['peak_mb']} | {r['threads']} | "
              f"{r['load_avg']} |", flush=True)
    for enc in ("int8", "bfloat16"):
        if enc in rates and rates.get("float32"):
            print(f"{enc} / float32 speed: {rates[enc] / rates['float32']:.2f}x")


if __name__ == "__main__":
    main()
