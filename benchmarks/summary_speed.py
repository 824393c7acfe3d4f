"""Summary speed: our end-to-end time against a bare model call.

For the default model on a ~2,000-character post, per backend: load time,
prompt and generation tokens/s, total seconds, peak RSS, and the ratio of
finflag's end-to-end summarize (preparation, glossary, token counting,
generation, checks; model load excluded) to one bare call of the same
backend with the same prompt and the same number of generated tokens.
Target: overhead <= 10 %. Each backend runs in its own process so peak RSS
is its own.

    python benchmarks/summary_speed.py [--backend llama-cpp|transformers|both] [--post FILE]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_OVERHEAD = 0.10


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
    from finflag.summary.model import resolve
    from finflag.pipeline import flag_document
    from finflag.summary.prepare import prepare
    from finflag.summary.prompts import fill, load
    from finflag.rules.pack import load_packs
    from finflag.summary.summarize import Summarizer, _names_block

    text = Path(post_path).read_text(encoding="utf-8") if post_path else default_post()
    doc = Document("<bench>", text, language=detect_language(text))
    summarizer = Summarizer(resolve(None, backend_name))
    start = time.perf_counter()
    backend = summarizer.backend(len(text))
    load_s = time.perf_counter() - start

    findings = flag_document(doc, load_packs()).findings
    start = time.perf_counter()
    out = summarizer.summarize(doc, findings).to_dict()
    ours_s = time.perf_counter() - start

    # The bare call: the same final prompt, the same number of generated tokens.
    prepared = prepare(doc, findings)
    names = _names_block(summarizer.glossary.find(prepared.text))
    prompt = fill("summarize", article=prepared.text, names=names, max_words=summarizer.options.max_words)
    messages = [{"role": "system", "content": load("system").strip()}, {"role": "user", "content": prompt}]
    start = time.perf_counter()
    bare = backend.generate(messages, max(out["timings"]["gen_tokens"], 1))
    bare_s = time.perf_counter() - start
    summarizer.close()
    t = out["timings"]
    return {
        "backend": backend_name, "chars": len(text), "load_s": round(load_s, 2),
        "prompt_tokens": t["prompt_tokens"], "gen_tokens": t["gen_tokens"],
        "prompt_tok_s": t["prompt_tok_s"], "gen_tok_s": t["gen_tok_s"], "calls": t["calls"],
        "ours_s": round(ours_s, 2), "bare_s": round(bare_s, 2),
        "bare_prompt_tokens": bare.prompt_tokens, "bare_gen_tokens": bare.gen_tokens,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "checks": {c["check"]: c["status"] for c in out["checks"]},
    }


def report(r: dict[str, object]) -> None:
    overhead = float(r["ours_s"]) / float(r["bare_s"]) - 1 if r["bare_s"] else float("nan")
    print(f"{r['backend']}: {r['chars']} characters, load {r['load_s']} s, peak RSS {r['peak_rss_mb']} MB")
    print(f"  prompt {r['prompt_tokens']} tokens at {r['prompt_tok_s']} tok/s, "
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
