"""Batch throughput: files/second for `analyze --no-summary` with 1 and 2 jobs
over 1,000 generated posts, and the per-post time with summaries.

    python benchmarks/batch_speed.py [--posts 1000] [--summary-posts 5]
    python benchmarks/batch_speed.py --engine ray [--posts 1000] [--summary-posts 5] [--model FILE.gguf]

With ``--engine ray`` it starts a local Ray cluster (all cores) and prints, for
the same posts and the same model, files/s of the local engine and of the Ray
engine (rule layer alone, then with summaries), the Ray overhead per post as a
share of one summary's time, and a paper estimate of the wall time for 10,000
posts on N nodes from the measured per-post cost.
"""

from __future__ import annotations

import argparse
import json
import os
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


def summary_seconds(out: Path) -> list[float]:
    """Each post's summary time as recorded in its result (model calls and the work around them)."""
    results = (json.loads(f.read_text(encoding="utf-8")) for f in (out / "results").glob("*.json"))
    return [r["summary"]["timings"]["total_s"] for r in results if "summary" in r]


def ray_comparison(work: Path, posts: int, summary_posts: int, model: list[str]) -> None:
    """Local vs Ray on this machine, through an already running local cluster (its start-up is printed apart)."""
    import ray

    from finflag.engines.ray import LOCAL_CLUSTER

    os.environ["RAY_AUTH_MODE"] = "disabled"  # a throwaway cluster on this machine, joined by subprocesses
    start = time.perf_counter()
    ray.init(address="local", logging_level="WARNING", log_to_driver=False, **LOCAL_CLUSTER)
    address = ray.get_runtime_context().gcs_address
    cpus = int(ray.cluster_resources().get("CPU", 1))
    print(f"local Ray cluster: {cpus} CPUs, started in {time.perf_counter() - start:.1f} s (not counted below)")
    try:
        folder = work / "posts"
        make_posts(folder, posts)
        local = run(folder, work / "rl", "--no-summary", "--jobs", str(cpus))
        remote = run(folder, work / "rr", "--no-summary", "--engine", "ray", "--address", address)
        print(f"--no-summary, {posts} posts: local {posts / local:.0f} files/s, ray {posts / remote:.0f} files/s "
              f"(ray/local {local / remote:.2f}x); ray costs {(remote - local) / posts * 1000:+.1f} ms per post")
        if not summary_posts:
            return
        small = work / "small"
        make_posts(small, summary_posts)
        local = run(small, work / "sl", *model)
        remote = run(small, work / "sr", *model, "--engine", "ray", "--address", address)
        per_post = sum(summary_seconds(work / "sl")) / summary_posts
        print(f"with summaries, {summary_posts} posts: local {summary_posts / local:.3f} files/s "
              f"({local:.1f} s), ray {summary_posts / remote:.3f} files/s ({remote:.1f} s), "
              f"ray/local {local / remote:.2f}x; model load included in both")
        overhead = (remote - local) / summary_posts
        print(f"summary time per post (local, from the results): {per_post:.2f} s; Ray overhead per post "
              f"{overhead:+.2f} s = {overhead / per_post:+.1%} of a summary (target <= 5%)")
        cost = remote / summary_posts
        print(f"paper estimate, 10,000 posts at {cost:.2f} s per post per node (this machine, one model actor):")
        for nodes in (1, 4, 16, 64):
            hours = 10_000 * cost / nodes / 3600
            print(f"  {nodes:>3} node(s): {hours:6.2f} h")
    finally:
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--summary-posts", type=int, default=5, help="posts for the with-summary run (0 to skip)")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="ray: compare the local engine with a local Ray cluster")
    parser.add_argument("--model", default=None, help="GGUF file for the with-summary runs (default model if omitted)")
    parser.add_argument("--max-words", type=int, default=None, help="summary length for the with-summary runs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="finflag-bench-"))
    model = (["--model", args.model] if args.model else []) + (["--max-words", str(args.max_words)]
                                                              if args.max_words else [])
    if args.engine == "ray":
        try:
            ray_comparison(work, args.posts, args.summary_posts, model)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
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
