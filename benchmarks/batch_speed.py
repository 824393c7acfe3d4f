"""Batch throughput: files/second for `analyze --no-summary` with 1 and 2 jobs
over 1,000 generated posts, and the per-post time with summaries.

    python benchmarks/batch_speed.py [--posts 1000] [--summary-posts 5]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def make_posts(folder: Path, count: int) -> None:
    samples = sorted((HERE.parent / "samples").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in samples if p.name[0] != "g" and "big5" not in p.name]
    for i in range(count):
        sub = folder / f"d{i % 10}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"p{i:05d}.txt").write_text(f"第{i}篇\n" + texts[i % len(texts)], encoding="utf-8")


def run(folder: Path, out: Path, *extra: str) -> float:
    cmd = [sys.executable, "-m", "finflag.cli.main", "analyze", str(folder), "--out", str(out), "-q", *extra]
    start = time.perf_counter()
    subprocess.run(cmd, check=False, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--summary-posts", type=int, default=5, help="posts for the with-summary run (0 to skip)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="finflag-bench-"))
    try:
        posts = work / "posts"
        make_posts(posts, args.posts)
        base = None
        for jobs in (1, 2):
            elapsed = run(posts, work / f"out{jobs}", "--no-summary", "--jobs", str(jobs))
            rate = args.posts / elapsed
            base = base or rate
            print(f"--no-summary, {jobs} job(s): {args.posts} posts in {elapsed:.2f} s = {rate:.0f} files/s "
                  f"({rate / base:.2f}x the 1-job rate)")
        elapsed = run(posts, work / "out1", "--no-summary", "--jobs", "1")
        print(f"rerun, nothing changed: {args.posts} posts in {elapsed:.2f} s (resume skips them)")
        if args.summary_posts:
            small = work / "small"
            make_posts(small, args.summary_posts)
            elapsed = run(small, work / "outs", "--jobs", "2")
            print(f"with summaries (default model, llama-cpp): {args.summary_posts} posts in {elapsed:.1f} s = "
                  f"{elapsed / args.summary_posts:.1f} s per post, model load included")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
