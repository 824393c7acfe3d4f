"""The HTML report in a real headless browser (Debian's chromium).

Checks that the pages load with no console errors, that every highlight
sits exactly where its offsets say in the original text, and saves a
screenshot of one post page (tests/artifacts/) for humans to look at.
.ci/run installs chromium when it is missing.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from finflag.cli.main import main

from .conftest import SAMPLES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile{len(list(tmp_path.glob('profile*')))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


class _Source(HTMLParser):
    """Text of #source, and each <mark> with its offsets and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text: list[str] = []
        self.marks: list[tuple[int, int, str]] = []
        self._mark: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") == "source":
            self.depth = 1
        elif self.depth:
            self.depth += 1
            if tag == "mark":
                self._mark = {"start": attrs["data-start"], "end": attrs["data-end"], "text": ""}

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if tag == "mark" and self._mark is not None:
                self.marks.append((int(self._mark["start"]), int(self._mark["end"]), self._mark["text"]))
                self._mark = None

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self._mark is not None:
                self._mark["text"] += data


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("html")
    posts = root / "posts"
    posts.mkdir()
    for name in ("mixed-news-with-footer.txt", "vip-tip-guaranteed.txt", "wechat-saved-page.html"):
        shutil.copy(SAMPLES / name, posts / name)
    out = root / "report"
    CliRunner().invoke(main, ["analyze", str(posts), "--out", str(out), "--no-summary"])
    result = CliRunner().invoke(main, ["report", str(out), "--format", "html"])
    assert result.exit_code == 0, result.output
    return out


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line and ("Error" in line or "error" in line)]


def test_pages_load_without_console_errors_and_filters_run(report, tmp_path):
    index = report / "html" / "index.html"
    done = chromium(tmp_path, "--dump-dom", index.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert _console_errors(done.stderr) == []
    dom = done.stdout
    assert re.search(r'<span id="shown">3</span>', dom), "the filter script ran and counted the rows"
    assert "contact_funnel" in dom and "paid_upsell" in dom


def test_highlights_sit_where_the_offsets_say(report, tmp_path):
    stored = {json.loads(p.read_text())["path"]: json.loads(p.read_text()) for p in (report / "results").glob("*.json")}
    for page in sorted((report / "html" / "posts").glob("*.html")):
        done = chromium(tmp_path, "--dump-dom", page.as_uri())
        assert done.returncode == 0 and _console_errors(done.stderr) == []
        parser = _Source()
        parser.feed(done.stdout)
        title = html.unescape(re.search(r"<title>(.*?)</title>", done.stdout).group(1))
        original = stored[title]["text"]
        assert "".join(parser.text) == original
        assert parser.marks, page.name
        for start, end, text in parser.marks:
            assert original[start:end] == text
        covered = {(f["start"], f["end"]) for f in stored[title]["findings"]}
        for f_start, f_end in covered:
            inside = "".join(t for s, e, t in parser.marks if f_start <= s and e <= f_end)
            assert inside == original[f_start:f_end]


def screenshot(tmp_path: Path, page: Path, name: str, size: str) -> Path:
    """A PNG of ``page`` in tests/artifacts/ (replaced each run), checked to be a real image."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    target.unlink(missing_ok=True)
    done = chromium(tmp_path, f"--screenshot={target}", f"--window-size={size}", "--hide-scrollbars", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert target.stat().st_size > 10_000 and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return target


def test_screenshot_of_a_post_page(report, tmp_path):
    page = next(p for p in sorted((report / "html" / "posts").glob("*.html")) if "vip-tip" in p.name)
    screenshot(tmp_path, page, "post-page.png", "1400,2000")


def test_screenshot_of_the_index(report, tmp_path):
    screenshot(tmp_path, report / "html" / "index.html", "index-page.png", "1400,900")
