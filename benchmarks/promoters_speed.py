"""Promoter map speed: build_map and the HTML page over generated results of many operations.

Posts are flagged once in memory (the rule layer, as `analyze --no-summary`
stores them), then the map is built from them; the figure is the map's own
cost. Each operation gives its handle in a different spelling per post, and
pairs of operations share a hotline; a second run gives every post one
hotline, for one cluster of all posts (the sampled-centrality and cut-graph path).

    python benchmarks/promoters_speed.py [--posts 2000] [--operations 200]
"""

from __future__ import annotations

import argparse
import time

from finflag.document import Document
from finflag.output.promoters import render_html, render_text
from finflag.pipeline import flag_document
from finflag.promoters import build_map
from finflag.rules.pack import load_packs

SPELLINGS = ["加微信：{h}", "加V信 {H}", "薇信：{w}", "vx: {h}"]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def post(i: int, operations: int, one_hotline: bool) -> str:
    op = i % operations
    handle = f"niu{op:04d}vip"
    line = SPELLINGS[i % len(SPELLINGS)].format(h=handle, H=handle.upper(), w=full_width(handle))
    hotline = f"咨询热线：400-{0 if one_hotline else op // 2:03d}-8888。"
    return (f"第{i}期：60{op % 6}5{op % 10}8明天必涨，开盘直接买入！名额有限。\n"
            f"{line}，免费领取明日金股。{hotline}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--operations", type=int, default=200)
    args = parser.parse_args()
    pack = load_packs()
    for one_hotline in (False, True):
        results = []
        for i in range(args.posts):
            doc = Document(path=f"posts/p{i:05d}.txt", text=post(i, args.operations, one_hotline), language="zh")
            results.append({**flag_document(doc, pack).to_dict(), "text": doc.text})
        start = time.perf_counter()
        pmap = build_map(results)
        built = time.perf_counter() - start
        start = time.perf_counter()
        render_text(pmap)
        text_s = time.perf_counter() - start
        start = time.perf_counter()
        page = render_html(pmap)
        html_s = time.perf_counter() - start
        how = "one hotline" if one_hotline else "pairs share a hotline"
        print(f"posts {args.posts}, operations {args.operations}, {how}: "
              f"{len(pmap.clusters)} clusters, largest {max(len(c.posts) for c in pmap.clusters)} posts")
        print(f"  build_map {built:.2f} s ({args.posts / built:,.0f} posts/s); text {text_s:.2f} s; "
              f"html {html_s:.2f} s ({len(page) / 1e6:.1f} MB)")

if __name__ == "__main__":
    main()
