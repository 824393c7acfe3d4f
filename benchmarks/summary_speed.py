"""Summary speed: our end-to-end time against a bare model call.

For the default model on a ~2,000-character post, per backend: load time,
prompt and generation tokens/s, total seconds, peak RSS, and the ratio of
finflag's end-to-end summarize (selection, glossary, token counting,
translation calls, checks; model load excluded) to the same model calls
made bare (same prompts, same number of generated tokens), both after one
short warm-up post (as every post after the first in a batch); prompt tokens
over the post's own tokens (target <= 1.2), in all calls and as read by the model (the
constant system message is reused from llama.cpp's KV cache after the first call); end to end (target <= 20 s on
2 cores). Target overhead <= 10 %. The load average is printed beside the
figures: the machine may be shared. Each backend runs in its own process so peak RSS
is its own.

    python benchmarks/summary_speed.py [--backend llama-cpp|transformers|both] [--post FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_OVERHEAD = 0.10
TARGET_SECONDS = 20
TARGET_PROMPT_RATIO = 1.2


def default_post(chars: int = 2000) -> str:
    """About 2,000 characters of the bundled samples as one post, cut at a line end."""
    samples = HERE.parent / "samples"
    names = ("news-market-wrap.txt", "news-earnings.txt", "news-tech-specs.txt", "research-note.txt",
             "mixed-news-with-footer.txt", "news-regulation.txt", "trade-calls.txt", "hype-headlines.txt")
    lines = [line for n in names for line in (samples / n).read_text(encoding="utf-8").splitlines()]
    out: list[str] = []
    while lines and sum(len(x) + 1 for x in out) < chars:
        out.append(lines.pop(0))
    return "\n".join(out)


def measure(backend_name: str, post_path: str | None) -> dict[str, object]:
    from finflag.document import Document
    from finflag.input.lang import detect_language
    from finflag.pipeline import flag_document
    from finflag.rules.pack import load_packs
    from finflag.summary.model import resolve
    from finflag.summary.summarize import Summarizer

    text = Path(post_path).read_text(encoding="utf-8") if post_path else default_post()
    doc = Document("<bench>", text, language=detect_language(text))
    recorded: list[tuple[list[dict[str, str]], int]] = []

    class Recording(Summarizer):
        """Notes every call's messages and generated tokens, to replay them bare."""

        def _ask(self, call, usage):  # noqa: ANN001
            answer = super()._ask(call, usage)
            recorded.append((call.messages, max(answer.gen_tokens, 1)))
            return answer

    summarizer = Recording(resolve(None, backend_name))
    start = time.perf_counter()
    backend = summarizer.backend()
    load_s = time.perf_counter() - start

    findings = flag_document(doc, load_packs()).findings
    # One short post first, as in a batch: the constant prompt prefix is then in llama.cpp's KV cache
    # for the measured post, just as it is for the bare replay that follows it.
    warm_text = (HERE.parent / "samples" / "news-taiwan-close.txt").read_text(encoding="utf-8")
    summarizer.summarize(Document("<warm-up>", warm_text, language=detect_language(warm_text)), [])
    recorded.clear()
    start = time.perf_counter()
    out = summarizer.summarize(doc, findings).to_dict()
    ours_s = time.perf_counter() - start

    # The bare equivalent: the same calls, the same prompts, the same number of generated tokens.
    start = time.perf_counter()
    bare = [backend.generate(messages, tokens) for messages, tokens in recorded]
    bare_s = time.perf_counter() - start
    source_tokens = backend.count_tokens(text)
    summarizer.close()
    t = out["timings"]
    return {
        "backend": backend_name, "chars": len(text), "load_s": round(load_s, 2),
        "prompt_tokens": t["prompt_tokens"], "prompt_cached_tokens": t["prompt_cached_tokens"],
        "gen_tokens": t["gen_tokens"], "source_tokens": source_tokens,
        "prompt_tok_s": t["prompt_tok_s"], "gen_tok_s": t["gen_tok_s"], "calls": t["calls"],
        "ours_s": round(ours_s, 2), "bare_s": round(bare_s, 2),
        "bare_prompt_tokens": sum(b.prompt_tokens for b in bare), "bare_gen_tokens": sum(b.gen_tokens for b in bare),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "sentences": len(out["sentences"]), "claims": len(out["claims"]), "dropped_sentences":
            sum(1 for d in out["dropped"] if d["reason"].startswith("translation failed")),
        "load_avg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "checks": {c["check"]: c["status"] for c in out["checks"]},
    }


def report(r: dict[str, object]) -> None:
    overhead = float(r["ours_s"]) / float(r["bare_s"]) - 1 if r["bare_s"] else float("nan")
    print(f"{r['backend']}: {r['chars']} characters, load {r['load_s']} s, peak RSS {r['peak_rss_mb']} MB")
    ratio = float(r["prompt_tokens"]) / float(r["source_tokens"]) if r["source_tokens"] else float("nan")
    print(f"  load average {r['load_avg']} (machine shared: compare ratios, not seconds)")
    print(f"  end to end {r['ours_s']} s (target <= {TARGET_SECONDS} s on 2 cores)")
    evaluated = int(r["prompt_tokens"]) - int(r["prompt_cached_tokens"])
    read = evaluated / float(r["source_tokens"]) if r["source_tokens"] else float("nan")
    print(f"  prompt tokens / source tokens: {r['prompt_tokens']} / {r['source_tokens']} = {ratio:.2f} in all calls; "
          f"{evaluated} / {r['source_tokens']} = {read:.2f} read by the model, the other "
          f"{r['prompt_cached_tokens']} reused from the KV cache (target <= {TARGET_PROMPT_RATIO})")
    print(f"  {r['sentences']} sentence(s), {r['claims']} claim(s) shown, {r['dropped_sentences']} dropped")
    print(f"  prompt {r['prompt_tokens']} tokens ({evaluated} read) at {r['prompt_tok_s']} tok/s, "
          f"generated {r['gen_tokens']} at {r['gen_tok_s']} tok/s, {r['calls']} model call(s)")
    print(f"  end to end {r['ours_s']} s vs bare call {r['bare_s']} s "
          f"({r['bare_prompt_tokens']} prompt + {r['bare_gen_tokens']} generated tokens): "
          f"ratio {float(r['ours_s']) / float(r['bare_s']):.3f}, overhead {overhead:+.1%} "
          f"(target <= {TARGET_OVERHEAD:.0%})")
    print(f"  checks: {r['checks']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["llama-cpp", "transformers", "both"], default="both")
    parser.add_argument("--post", help="a UTF-8 post to use instead of the bundled ~2,000 characters")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.backend, args.post)))
        return
    backends = ["llama-cpp", "transformers"] if args.backend == "both" else [args.backend]
    for name in backends:
        cmd = [sys.executable, __file__, "--child", "--backend", name] + (["--post", args.post] if args.post else [])
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            print(f"{name}: failed\n{done.stderr[-2000:]}")
            continue
        report(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
