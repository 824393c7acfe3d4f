"""A small report folder for the review app's tests: real samples through the real pipeline.

One post (the VIP tip) also gets an English summary whose checks are run
for real against its source, with one number the source does not state, so
the app has a failed summary check to show.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from finflag.cli.main import main
from finflag.numbers import source_values
from finflag.reportdir import read_result, rebuild_outputs, result_files, write_atomic
from finflag.summary.checks import check_cjk, check_numbers
from finflag.summary.types import Summary

from .conftest import SAMPLES

POSTS = ("vip-tip-guaranteed.txt", "forum-pump.txt", "anti-fraud-warning.txt", "taiwan-line-scam.txt",
         "news-earnings.txt", "trade-calls.txt")
#: A police warning written for these tests: it repeats the scammers' slogans (voice "quoted").
WARNING = ("防骗提醒｜冒充“投资老师”的荐股群又来了\n"
           "近日有市民反映，有人在群里宣称“稳赚不赔，月收益50%”，还要求添加微信vip6666领取“内幕消息”。\n"
           "警方提示：凡是承诺保本高收益的，都是诈骗，请勿向陌生账户转账。\n")
#: 2019 is in the source; 37% is not (the unsupported-number check fails on it).
SUMMARY = ("A blogger calling himself Lao Zhang says three AI computing stocks will rise next week, that his "
           "strategy has not lost since 2019 and that members gained 37% last week; the list is for paying members.")


def build_report(root: Path) -> Path:
    """``root/report``: six sample posts and the warning analysed (no model), one with a checked summary."""
    posts = root / "posts"
    posts.mkdir(parents=True)
    for name in POSTS:
        shutil.copy(SAMPLES / name, posts / name)
    (posts / "police-warning.txt").write_text(WARNING, encoding="utf-8")
    out = root / "report"
    done = CliRunner().invoke(main, ["analyze", str(posts), "--out", str(out), "--no-summary", "-q"])
    assert done.exit_code in (0, 1), done.output
    for file in result_files(out):
        result = read_result(file)
        if result and result["path"].endswith("vip-tip-guaranteed.txt"):
            checks = [check_numbers(SUMMARY, source_values(result["text"])).to_check(), check_cjk(SUMMARY).to_check()]
            summary = Summary(SUMMARY, [], [], checks, "SmolLM2-135M-Instruct", "llamacpp", "v1")
            result["summary"] = summary.to_dict()
            write_atomic(file, json.dumps(result, ensure_ascii=False))
    rebuild_outputs(out)
    return out


@contextmanager
def serving(report: Path, wait: float = 120) -> Iterator[tuple[str, list[str]]]:
    """`finflag serve REPORT --port 0` in a subprocess, as a reviewer starts it: its base URL and the lines it
    printed up to its address (printed once it is ready); stopped on leaving."""
    proc = subprocess.Popen([sys.executable, "-m", "finflag.cli", "serve", str(report), "--port", "0"],
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    lines: list[str] = []

    def read_until_address() -> None:
        for line in proc.stderr:
            lines.append(line)
            if " at http://" in line:
                return

    reader = threading.Thread(target=read_until_address, daemon=True)
    reader.start()
    reader.join(wait)
    try:
        match = re.search(r" at (http://127\.0\.0\.1:\d+/)", lines[-1] if lines else "")
        if match is None:
            raise RuntimeError(f"finflag serve did not start: {lines!r}")
        yield match.group(1), lines
    finally:
        proc.terminate()
        proc.wait(30)
