"""A ~27,000-character post through `finflag summarize`: parts, time, memory.

The post is built from the bundled news samples, each paragraph varied so
that none is a duplicate (duplicates would be dropped before the model).
Prints the number of parts, the model calls, tokens, seconds and peak RSS
of the summarize process, and whether it finished without a context or
memory error.

    python benchmarks/long_post.py [--chars 27000] [--backend llama-cpp]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEWS = ["news-market-wrap.txt", "news-earnings.txt", "news-tech-specs.txt", "research-note.txt",
        "mixed-news-with-footer.txt", "hype-headlines.txt"]


def long_post(chars: int) -> str:
    paragraphs = []
    for name in NEWS:
        text = (HERE.parent / "samples" / name).read_text(encoding="utf-8")
        paragraphs += [line for line in text.splitlines() if len(line) > 20]
    out, size, round_ = [], 0, 0
    while size < chars:
        round_ += 1
        for para in paragraphs:
            varied = f"（第{round_}部分）" + para.replace("。", f"，据第{round_}次更新。", 1)
            out.append(varied)
            size += len(varied) + 1
            if size >= chars:
                break
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chars", type=int, default=27_000)
    parser.add_argument("--backend", default="llama-cpp")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        post = Path(tmp) / "long-post.txt"
        post.write_text(long_post(args.chars), encoding="utf-8")
        cmd = [sys.executable, "-m", "finflag.cli.main", "summarize", str(post), "--format", "json", "--backend",
               args.backend, "-q"]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"post: {len(post.read_text(encoding='utf-8')):,} characters; exit code {done.returncode}; "
              f"{elapsed:.0f} s wall; peak RSS {peak_mb:.0f} MB")
        if done.returncode:
            print(done.stderr[-3000:])
            return
        summary = json.loads(done.stdout)["summary"]
        t = summary["timings"]
        print(f"translation calls {summary['chunks']}, model calls {t['calls']}, prompt tokens {t['prompt_tokens']} at "
              f"{t['prompt_tok_s']}/s, generated {t['gen_tokens']} at {t['gen_tok_s']}/s")
        print("checks: " + ", ".join(f"{c['check']}={c['status']}" for c in summary["checks"]))
        print("summary: " + summary["text"])


if __name__ == "__main__":
    main()
