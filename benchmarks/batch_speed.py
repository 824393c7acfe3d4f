"""Batch throughput: files/second for `analyze --no-summary` with 1 and 2 jobs
over 1,000 generated posts, and the per-post time with summaries.

    python benchmarks/batch_speed.py [--posts 1000] [--summary-posts 5]
    python benchmarks/batch_speed.py --engine ray [--posts 1000] [--summary-posts 5] [--repeats 2] [--model FILE.gguf]

With ``--engine ray`` it starts a local Ray cluster (all cores, finflag's
settings for a cluster it starts) and prints, for the same posts and the same
model, files/s of the local engine and of the Ray engine (rule layer alone,
then with summaries). The with-summary runs alternate local and Ray
``--repeats`` times; from the times the result files were stored it prints the
steady cost per post after the first (the Ray overhead per post, as a share of
one summary's time, per pair of runs) apart from the one-off start-up, and a
paper estimate of the wall time for 10,000 posts on N nodes.
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
from dataclasses import dataclass
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


@dataclass
class SummaryRun:
    """One with-summary run: wall time, when the first post was stored, and the time per post after it.

    Every engine stores each post as soon as it is done, so the result files' modification times
    split a run into start-up (process, cluster connection, model load, the first post) and a
    steady per-post cost (first stored post to the last, over the posts in between)."""

    wall: float
    first: float
    per_post: float
    summary: float   # mean recorded summary time of the posts after the first (the model's own work)

    @classmethod
    def measure(cls, folder: Path, out: Path, *extra: str) -> SummaryRun:
        start = time.time()
        wall = run(folder, out, *extra)
        done = sorted(((f.stat().st_mtime, json.loads(f.read_text(encoding="utf-8")))
                      for f in (out / "results").glob("*.json")), key=lambda item: item[0])
        later = [result["summary"]["timings"]["total_s"] for _, result in done[1:] if "summary" in result]
        if len(done) < 2 or len(later) < len(done) - 1:
            raise SystemExit(f"{out}: the with-summary run needs at least 2 posts, all summarised")
        return cls(wall, done[0][0] - start, (done[-1][0] - done[0][0]) / (len(done) - 1), sum(later) / len(later))


def _spread(values: list[float], unit: str, digits: int = 2) -> str:
    """Mean and range of repeated measurements, e.g. '20.31 s (20.10 to 20.52)'."""
    mean = sum(values) / len(values)
    return f"{mean:.{digits}f}{unit} ({min(values):.{digits}f} to {max(values):.{digits}f})"


def ray_comparison(work: Path, posts: int, summary_posts: int, model: list[str], repeats: int) -> None:
    """Local vs Ray on this machine, through an already running local cluster (its start-up is printed apart)."""
    import ray

    from finflag.engines.ray import start_local_cluster

    os.environ["RAY_AUTH_MODE"] = "disabled"  # a throwaway cluster on this machine, joined by subprocesses
    start = time.perf_counter()
    start_local_cluster(logging_level="WARNING", log_to_driver=False)
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
        if summary_posts:
            summaries(work, summary_posts, model, repeats, address)
    finally:
        ray.shutdown()


def summaries(work: Path, count: int, model: list[str], repeats: int, address: str) -> None:
    """Local and Ray runs with summaries, alternated ``repeats`` times so a change in the machine's
    load hits both; per-post cost and start-up printed apart, each as mean (min to max)."""
    small = work / "small"
    make_posts(small, count)
    runs: dict[str, list[SummaryRun]] = {"local": [], "ray": []}
    for i in range(repeats):
        runs["local"].append(SummaryRun.measure(small, work / f"sl{i}", *model))
        runs["ray"].append(SummaryRun.measure(small, work / f"sr{i}", *model, "--engine", "ray", "--address", address))
        for name in runs:
            r = runs[name][-1]
            print(f"  run {i + 1} {name:>5}: {r.wall:6.1f} s, first post stored at {r.first:5.1f} s, then "
                  f"{r.per_post:5.2f} s per post (recorded summary {r.summary:5.2f} s)")
    local, remote = runs["local"], runs["ray"]
    per_post = sum(r.summary for r in local) / repeats
    rates = {name: _spread([count / r.wall for r in done], "", 3) for name, done in runs.items()}
    print(f"with summaries, {count} posts x {repeats} runs each: local {rates['local']} files/s, "
          f"ray {rates['ray']} files/s; model load included in both")
    print(f"per post after the first: local {_spread([r.per_post for r in local], ' s')}, "
          f"ray {_spread([r.per_post for r in remote], ' s')}; recorded summary local "
          f"{_spread([r.summary for r in local], ' s')}, ray {_spread([r.summary for r in remote], ' s')}")
    outside = {name: _spread([r.per_post - r.summary for r in done], " s") for name, done in runs.items()}
    print(f"per post outside the recorded summary (dispatch, queueing, storing): local {outside['local']}, "
          f"ray {outside['ray']}")
    pairs = [b.per_post - a.per_post for a, b in zip(local, remote)]
    print(f"Ray overhead per post (paired runs): {_spread(pairs, ' s')} = "
          f"{_spread([100 * p / per_post for p in pairs], ' %', 1)} of a summary ({per_post:.2f} s; target <= 5%)")
    start_extra = [(b.first - b.per_post) - (a.first - a.per_post) for a, b in zip(local, remote)]
    print(f"Ray start-up, once per run (first post stored, less one post's time, ray minus local): "
          f"{_spread(start_extra, ' s', 1)}")
    whole = [(b.wall - a.wall) / count for a, b in zip(local, remote)]
    print(f"whole-run difference spread over the {count} posts (start-up included, the old figure): "
          f"{_spread(whole, ' s')} = {_spread([100 * w / per_post for w in whole], ' %', 1)} of a summary")
    cost = sum(r.per_post for r in remote) / repeats
    print(f"paper estimate, 10,000 posts at {cost:.2f} s per post per node (this machine, one model actor):")
    for nodes in (1, 4, 16, 64):
        hours = 10_000 * cost / nodes / 3600
        print(f"  {nodes:>3} node(s): {hours:6.2f} h")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--summary-posts", type=int, default=5, help="posts for the with-summary run (0 to skip)")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="ray: compare the local engine with a local Ray cluster")
    parser.add_argument("--model", default=None, help="GGUF file for the with-summary runs (default model if omitted)")
    parser.add_argument("--max-words", type=int, default=None, help="summary length for the with-summary runs")
    parser.add_argument("--repeats", type=int, default=2, help="--engine ray: with-summary runs per engine, alternated")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="finflag-bench-"))
    model = (["--model", args.model] if args.model else []) + (["--max-words", str(args.max_words)]
                                                              if args.max_words else [])
    if args.engine == "ray":
        try:
            ray_comparison(work, args.posts, args.summary_posts, model, max(1, args.repeats))
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
