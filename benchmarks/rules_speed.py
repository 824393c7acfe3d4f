"""Rule-layer throughput and `finflag flag` cold start.

Targets (issue 2): >= 5 MB/s of Chinese text through the rule layer on one
core, and <= 0.5 s wall for `finflag flag` on one small file. Printed as
numbers and ratios to target; this is a benchmark, not a test.

    python benchmarks/rules_speed.py [--mb 4] [--repeat 3] [--runs 5]

Throughput is CPU time (process_time) for Document + normalisation + every
rule, per document as a batch would see it; the best of ``--repeat`` passes is
printed beside the median, since shared machines add noise only upward.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from finflag.document import Document
from finflag.rules.findings import find
from finflag.rules.pack import load_packs

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
REAL_POST = SAMPLES.parent.parent / "shared" / "reference" / "real-post-market-wrap.txt"
TARGET_MBPS = 5.0
TARGET_COLD_S = 0.5


def sample_texts() -> list[str]:
    """Every bundled text sample, decoded whatever its encoding (GB18030, Big5 included)."""
    from finflag.input.ingest import Source, load_document

    return [load_document(Source(str(p))).text for p in sorted(SAMPLES.glob("*.txt"))]


def corpus(megabytes: float, texts: list[str] | None = None) -> list[str]:
    """``texts`` (default: the bundled samples) replicated to ``megabytes`` of UTF-8."""
    texts = texts or sample_texts()
    out, size = [], 0
    while size < megabytes * 1e6:
        for text in texts:
            out.append(text)
            size += len(text.encode("utf-8"))
    return out


def throughput(megabytes: float, texts: list[str] | None = None, repeat: int = 3) -> tuple[list[float], int, int]:
    """(MB/s of each pass, findings per pass, bytes per pass)."""
    pack = load_packs()
    texts = corpus(megabytes, texts)
    size = sum(len(t.encode("utf-8")) for t in texts)
    rates, findings = [], 0
    for _ in range(repeat):
        start = time.process_time()
        findings = sum(len(find(Document("<bench>", t), pack)) for t in texts)
        rates.append(size / 1e6 / (time.process_time() - start))
    return rates, findings, size


def cold_start(runs: int) -> list[float]:
    post = SAMPLES / "vip-tip-guaranteed.txt"
    exe = [sys.executable, "-m", "finflag.cli.main", "flag", str(post), "--no-color"]
    times = []
    for _ in range(runs + 1):  # the first run warms the OS file cache and .pyc files
        start = time.perf_counter()
        subprocess.run(exe, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=4.0, help="MB of text to push through (default 4)")
    parser.add_argument("--repeat", type=int, default=3, help="throughput passes over the text (default 3)")
    parser.add_argument("--runs", type=int, default=5, help="cold-start runs (default 5)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    corpora = [("bundled samples (dense: mostly promotional)", None)]
    if REAL_POST.exists():
        corpora.append(("real market-wrap post (shared/reference)", [REAL_POST.read_text(encoding="utf-8")]))
    for name, texts in corpora:
        rates, findings, size = throughput(args.mb, texts, args.repeat)
        best, median = max(rates), statistics.median(rates)
        print(f"rule layer, {name}: {size / 1e6:.1f} MB of text, {findings} findings "
              f"({findings / size * 1000:.1f} per KB)")
        print(f"  throughput on one core: best {best:.1f} MB/s, median {median:.1f} MB/s of {args.repeat} passes "
              f"(target >= {TARGET_MBPS} MB/s: best {best / TARGET_MBPS:.2f}x target)")
    times = cold_start(args.runs)
    median = statistics.median(times)
    print(f"cold start: `finflag flag` on one small file, median of {args.runs}: {median:.3f} s wall "
          f"(min {min(times):.3f}, max {max(times):.3f}; target <= {TARGET_COLD_S} s: {median / TARGET_COLD_S:.2f}x budget)")


if __name__ == "__main__":
    main()
