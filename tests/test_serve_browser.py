"""The review app in a real headless browser: Python playwright driving Debian's chromium.

A review session as a reviewer does it: open the index, filter it, open a
post, confirm / dismiss / note / skip / back with the keyboard, reload and
see the decisions, and see them again from a second browser session (its
own cookies and cache). Screenshots go to tests/artifacts/. The browser is
Debian's /usr/bin/chromium (.ci/run installs it); playwright never
downloads one.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from finflag.reviewstore import Decisions

from .servekit import build_report, serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install '.[dev]'")
pytest.importorskip("starlette", reason="the serve extra is not installed: pip install '.[serve]'")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`finflag serve` on a free port in a subprocess, as a reviewer starts it: (base URL, report folder)."""
    report = build_report(tmp_path_factory.mktemp("serve"))
    with serving(report) as (base, _):
        yield base, report


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def watch(page) -> list[str]:
    """Console errors and uncaught exceptions of a page, collected as it runs."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def badges(page) -> list[str]:
    return page.locator("#findings tbody td.review .badge").all_inner_texts()


def test_a_keyboard_review_session_is_saved_and_seen_by_a_second_session(served, browser):
    expect = sync_api.expect
    expect.set_options(timeout=20_000)  # a loaded CI machine; each wait still ends as soon as the page is right
    base, report = served
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    errors = watch(page)

    page.goto(base)
    expect(page.locator("#shown")).to_have_text("7")
    page.screenshot(path=str(ARTIFACTS / "serve-index.png"), full_page=True)
    page.select_option("#category", "contact_funnel")  # applies at once
    page.wait_for_url(re.compile(r"category=contact_funnel"))
    expect(page.locator("#shown")).to_have_text("3")
    page.fill("#q", "老张")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=%E8%80%81%E5%BC%A0"))
    expect(page.locator("#posts tbody tr")).to_have_count(1)
    page.click("#posts tbody a")
    page.wait_for_url(re.compile(r"/post/vip-tip-guaranteed\.txt\."))

    rows = page.locator("#findings tbody tr")
    total = rows.count()
    assert total == 15 and set(badges(page)) == {"unreviewed"}
    expect(rows.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
    first_id = rows.nth(0).get_attribute("data-id")
    assert page.locator(f'#source mark.current[data-finding~="{first_id}"]').count() >= 1
    status = page.locator("#status")
    page.keyboard.press("c")
    expect(status).to_have_text("saved: confirmed")
    page.keyboard.press("d")
    expect(status).to_have_text("saved: dismissed")
    page.keyboard.press("n")
    page.keyboard.type("截图里的收益无法核实")
    page.keyboard.press("Enter")
    expect(status).to_have_text("saved: unreviewed (note)")
    page.keyboard.press("s")  # to the 4th
    page.keyboard.press("s")  # to the 5th
    page.keyboard.press("b")  # back to the 4th
    expect(rows.nth(3)).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("c")
    expect(rows.nth(3).locator("td.review .badge")).to_have_text("confirmed")
    expect(page.locator("#progress")).to_have_text(f"3/{total}")
    page.screenshot(path=str(ARTIFACTS / "serve-post.png"))

    page.reload()  # what the server stored, not what the script drew
    expected = ["confirmed", "dismissed", "unreviewed", "confirmed"] + ["unreviewed"] * (total - 4)
    assert badges(page) == expected
    expect(rows.nth(2).locator(".note-text")).to_have_text("截图里的收益无法核实")
    expect(rows.nth(2)).to_have_class(re.compile(r"\bcurrent\b"))  # a reload starts at the first undecided one
    store = Decisions.load(report)  # the store the terminal review and `finflag report` read
    ids = rows.evaluate_all("rs => rs.map(r => r.getAttribute('data-id'))")
    assert [store.state(i) for i in ids[:4]] == expected[:4] and store.get(ids[2])["note"] == "截图里的收益无法核实"
    assert errors == []

    other = browser.new_context(viewport={"width": 1000, "height": 560})  # a second session: its own cookies
    second = other.new_page()
    second_errors = watch(second)
    second.goto(page.url)
    assert badges(second) == expected
    # The README's picture (docs/serve-review.jpg is a copy of it): small, so it can live in the repository.
    second.screenshot(path=str(ARTIFACTS / "serve-readme.jpg"), type="jpeg", quality=70)
    second.goto(base + "?review=confirmed")
    expect(second.locator("#posts tbody tr")).to_have_count(1)
    expect(second.locator("#posts tbody td.progress")).to_have_text(f"3/{total}")
    assert second_errors == []
    for name in ("serve-index.png", "serve-post.png"):
        assert (ARTIFACTS / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (ARTIFACTS / "serve-readme.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    other.close()
    context.close()
