"""The review app over HTTP (starlette's TestClient): pages, filters, decisions, and every bad request.

Bad requests get a 4xx page or a JSON error, never a traceback; the app
writes nothing but the report folder's review.db; a folder that an
analyze run is still writing is read as it stands.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed: pip install '.[serve]'")
from starlette.testclient import TestClient  # noqa: E402

from finflag.reportdir import INPUTS, read_inputs, result_files, result_name, write_atomic, write_inputs  # noqa: E402
from finflag.reviewstore import Decisions  # noqa: E402
from finflag.serve.app import create_app  # noqa: E402

from .servekit import SUMMARY, build_report  # noqa: E402

BASE = "http://127.0.0.1:8470"
HEADERS = {"X-Finflag-Review": "1"}


@pytest.fixture()
def report(tmp_path):
    return build_report(tmp_path)


@pytest.fixture()
def client(report):
    with TestClient(create_app(report), base_url=BASE) as c:
        yield c


def links(page: str) -> dict[str, str]:
    """Post path (file name) -> its URL, from the index."""
    return {Path(unescape(m[1])).name: m[0] for m in re.findall(r'<a href="(/post/[^"]+)">([^<]+)</a>', page)}


def shown(page: str) -> int:
    return int(re.search(r'<span id="shown">(\d+)</span>', page).group(1))


def finding_ids(page: str) -> list[str]:
    return re.findall(r'<tr data-id="([0-9a-f]+)"', page)


def no_traceback(response) -> None:
    assert "Traceback" not in response.text and 'File "' not in response.text


def test_index_lists_every_post_with_risk_counts_progress_and_failed_checks(client):
    page = client.get("/")
    assert page.status_code == 200
    assert shown(page.text) == 7 and len(links(page.text)) == 7
    rows = re.findall(r'<tr data-name="[^"]+">(.*?)</tr>', page.text)
    vip = next(r for r in rows if "vip-tip-guaranteed.txt" in r)
    assert '<td class="risk-high">high</td>' in vip and "guaranteed_return 3" in vip
    assert '<td class="fail">unsupported_number</td>' in vip
    assert re.search(r'<td class="progress">0/15</td>', vip)
    news = next(r for r in rows if "news-earnings.txt" in r)
    assert '<td class="risk-none">none</td>' in news
    assert "<script src" not in page.text and "http://" not in page.text and "https://" not in page.text


def having(report: Path, **wanted: str) -> set[str]:
    """Posts with one finding that has every wanted field (what the index filters promise)."""
    names = set()
    for file in result_files(report):
        result = json.loads(file.read_text(encoding="utf-8"))
        if any(all(f.get(k) == v for k, v in wanted.items()) for f in result.get("findings", [])):
            names.add(Path(result["path"]).name)
    return names


def test_filters_search_and_sorting(client, report):
    by_category = client.get("/", params={"category": "contact_funnel"}).text
    assert set(links(by_category)) == {"vip-tip-guaranteed.txt", "taiwan-line-scam.txt", "police-warning.txt"}
    assert '<option value="contact_funnel" selected>' in by_category
    assert set(links(client.get("/", params={"category": "contact_funnel", "voice": "author"}).text)) == \
        {"vip-tip-guaranteed.txt", "taiwan-line-scam.txt"}
    assert set(links(client.get("/", params={"q": "LINE"}).text)) >= {"taiwan-line-scam.txt"}
    assert set(links(client.get("/", params={"q": "老张"}).text)) == {"vip-tip-guaranteed.txt"}  # original text
    assert set(links(client.get("/", params={"q": "lao zhang"}).text)) == {"vip-tip-guaranteed.txt"}  # summary
    # Filters combine on one finding: a warning-level guaranteed return, not a warning and a guarantee apart.
    both = having(report, severity="warning", category="guaranteed_return")
    assert set(links(client.get("/", params={"severity": "warning", "category": "guaranteed_return"}).text)) == both
    apart = having(report, category="guaranteed_return") & having(report, severity="warning")
    assert both and both < apart, "a control: some post has both, but on different findings"
    assert set(links(client.get("/", params={"category": "trade_call"}).text)) == having(report, category="trade_call")
    # The anti-fraud warnings repeat the scammers' slogans and moves (拒绝出金): quoted, not the authors' claims.
    assert set(links(client.get("/", params={"voice": "quoted"}).text)) == {"police-warning.txt",
                                                                          "anti-fraud-warning.txt"}
    authors = links(client.get("/", params={"voice": "author"}).text)
    assert "police-warning.txt" not in authors and "anti-fraud-warning.txt" not in authors
    by_path = list(links(client.get("/", params={"sort": "path"}).text))
    assert by_path == sorted(by_path)
    assert list(links(client.get("/", params={"sort": "-path"}).text)) == by_path[::-1]
    most = list(links(client.get("/", params={"sort": "findings"}).text))
    assert most[0] == "taiwan-line-scam.txt"
    assert list(links(client.get("/", params={"sort": "checks"}).text))[0] == "vip-tip-guaranteed.txt"


def test_post_page_shows_text_with_findings_in_place_summary_checks_and_review_keys(client, report):
    url = links(client.get("/").text)["vip-tip-guaranteed.txt"]
    page = client.get(url)
    assert page.status_code == 200
    stored = json.loads(next(f for f in result_files(report) if "vip-tip" in f.name).read_text(encoding="utf-8"))
    marks = re.findall(r'<mark class="hl"[^>]*data-start="(\d+)" data-end="(\d+)"[^>]*>([^<]*)</mark>', page.text)
    assert marks and all(stored["text"][int(a):int(b)] == unescape(t) for a, b, t in marks)
    assert finding_ids(page.text) == [f["id"] for f in stored["findings"]]
    start = SUMMARY.index("37%")
    assert f'<mark class="failed" title="failed check: unsupported_number" id="summary-{start}">37</mark>' in page.text
    assert f'<a class="item" href="#summary-{start}">37</a></li>' in page.text  # the failed check links to it
    assert "<kbd>c</kbd> confirm" in page.text and 'id="review-config"' in page.text
    assert re.search(r'<a id="(previous|next)" href="/post/', page.text)


def decide(client, url: str, **form):
    return client.post(url + "/decide", data=form, headers=HEADERS)


def test_a_decision_is_saved_at_once_in_the_shared_store(client, report):
    url = links(client.get("/").text)["vip-tip-guaranteed.txt"]
    first, second, third = finding_ids(client.get(url).text)[:3]
    saved = decide(client, url, finding=first, action="confirm")
    assert saved.status_code == 200 and saved.json()["state"] == "confirmed"
    assert decide(client, url, finding=second, action="dismiss").json()["state"] == "dismissed"
    noted = decide(client, url, finding=second, action="note", note="  只是引用别人的话  ").json()
    assert noted["state"] == "dismissed" and noted["note"] == "只是引用别人的话"  # a note keeps the decision
    assert decide(client, url, finding=third, action="confirm").status_code == 200
    assert decide(client, url, finding=third, action="clear").json()["state"] == "unreviewed"
    store = Decisions.load(report)  # what the terminal review and `finflag report` read
    assert store.state(first) == "confirmed" and store.get(second)["note"] == "只是引用别人的话"
    assert store.get(first)["who"].endswith("(browser)") and store.state(third) == "unreviewed"
    page = client.get(url).text
    assert re.search(rf'<tr data-id="{second}">.*?<span class="badge b-dismissed">dismissed</span> '
                     r'<span class="note-text">只是引用别人的话</span>', page, re.S)
    index = client.get("/").text
    assert re.search(r'vip-tip-guaranteed.txt</a>.*?<td class="progress">2/15</td>', index)
    assert set(links(client.get("/", params={"review": "dismissed"}).text)) == {"vip-tip-guaranteed.txt"}
    assert "vip-tip-guaranteed.txt" in links(client.get("/", params={"review": "unreviewed"}).text)
    assert links(client.get("/", params={"review": "done"}).text) == {}


@pytest.mark.parametrize("url", [
    "/post/no-such-post.txt.0123456789", "/post/..%2F..%2Fetc%2Fpasswd", "/post/%2e%2e",
    "/../../etc/passwd", "/post/../inputs.json", "/results/x.json", "/review.db", "/post/%00", "/post/%E2%80%AE",
    "/static/../../review.db", "/index.html/..%5C..%5Cinputs.json",
])
def test_unknown_posts_and_path_traversal_get_a_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert '<h2 id="error">404' in response.text
    no_traceback(response)


@pytest.mark.parametrize("params", [{"sort": "newest"}, {"severity": "fatal"}, {"review": "maybe"},
                                    {"voice": "ghost"}, {"q": "x" * 500}])
def test_unknown_filters_get_a_400_page(client, params):
    response = client.get("/", params=params)
    assert response.status_code == 400 and '<h2 id="error">400' in response.text
    no_traceback(response)


def test_bad_decisions_get_a_4xx_json_error_and_store_nothing(client, report):
    url = links(client.get("/").text)["vip-tip-guaranteed.txt"]
    fid = finding_ids(client.get(url).text)[0]
    other = finding_ids(client.get(links(client.get("/").text)["forum-pump.txt"]).text)[0]
    cases = [
        (client.post(url + "/decide", data={"finding": fid, "action": "confirm"}), 403),  # no review header
        (client.post(url + "/decide", data={"finding": fid, "action": "confirm"},
                     headers={**HEADERS, "Origin": "http://evil.example"}), 403),
        (decide(client, url, finding=fid, action="approve"), 400),
        (decide(client, url, action="confirm"), 400),
        (decide(client, url, finding=fid, action="note"), 400),
        (decide(client, url, finding=fid, action="note", note="长" * 2001), 400),
        (decide(client, url, finding="ffffffffffffffff", action="confirm"), 404),
        (decide(client, url, finding=other, action="confirm"), 404),  # a real finding of another post
        (decide(client, "/post/no-such-post.txt.0123456789", finding=fid, action="confirm"), 404),
        (client.post(url + "/decide", content=b"\xff\xfe--garbage", headers={
            **HEADERS, "Content-Type": "multipart/form-data; boundary=zz"}), 400),
        (client.post(url + "/decide", files={"finding": ("f.txt", b"x")}, data={"action": "confirm"},
                     headers=HEADERS), 400),
        (client.post(url + "/decide", content=b"finding=" + b"a" * 100_000, headers={
            **HEADERS, "Content-Type": "application/x-www-form-urlencoded"}), 413),
        (client.get(url + "/decide"), 405),
    ]
    for response, status in cases:
        assert response.status_code == status, (status, response.text)
        no_traceback(response)
    assert Decisions.load(report).data == {}


def test_requests_for_another_host_name_are_refused(client):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not read the report."""
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400


def test_the_app_writes_only_review_db_in_the_report_folder(client, report, tmp_path):
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    index = client.get("/").text
    for url in links(index).values():
        page = client.get(url).text
        for fid in finding_ids(page)[:2]:
            assert decide(client, url, finding=fid, action="dismiss", note="看过了").status_code == 200
    client.get("/post/..%2F..%2Fevil")
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    changed = {p.relative_to(tmp_path).as_posix() for p in after if before.get(p) != after[p]}
    assert changed <= {"report/review.db", "report/review.db-wal", "report/review.db-shm"}
    assert "report/review.db" in changed


def test_a_folder_being_written_by_analyze_is_read_as_it_stands(client, report):
    assert shown(client.get("/").text) == 7
    # A running batch: a longer input list, one new result written (atomically), one not yet.
    order = read_inputs(report)
    new = [str(Path(order[0]).with_name("late-post.txt")), str(Path(order[0]).with_name("not-yet.txt"))]
    template = json.loads(result_files(report)[0].read_text(encoding="utf-8"))
    text = "内部消息：明天必涨停，加微信 vip8888 进群领取名单！"
    late = dict(template, path=new[0], text=text, findings=[], verdict=dict(template["verdict"], findings=0,
                                                                          by_category={}, risk="none"))
    write_inputs(report, order + new)
    write_atomic(report / "results" / result_name(new[0]), json.dumps(late, ensure_ascii=False))
    (report / "results" / ".partial-abc123").write_text('{"path": "half', encoding="utf-8")
    page = client.get("/").text
    assert shown(page) == 8 and "late-post.txt" in links(page)
    assert client.get(links(page)["late-post.txt"]).status_code == 200
    # The batch rewrites a result that is damaged on disk: the post drops out, nothing breaks.
    (report / "results" / result_name(new[0])).write_text("{not json", encoding="utf-8")
    page = client.get("/")
    assert page.status_code == 200 and shown(page.text) == 7
    assert (report / INPUTS).is_file()


def test_serve_command_errors_and_the_warning_for_other_interfaces(report, tmp_path):
    cli = [sys.executable, "-m", "finflag.cli", "serve"]
    done = subprocess.run(cli + [str(tmp_path / "posts")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip().splitlines()[-1].startswith("finflag: error: ")
    assert "is not a report folder" in done.stderr
    import socket

    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(cli + [str(report), "--host", "0.0.0.0", "--port", str(port)], capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("finflag: warning: serving on 0.0.0.0: anyone who can reach it")
    assert lines[-1].startswith(f"finflag: error: cannot listen on 0.0.0.0:{port}")
    assert "Traceback" not in done.stderr


def test_the_promoter_map_page_links_every_post_to_its_review_page(tmp_path):
    """The app's /promoters page: the two fake operations of tests/data/promoters, each post node and
    row linking to a post page that exists."""
    from click.testing import CliRunner

    from finflag.cli import main

    folder = tmp_path / "report"
    data = Path(__file__).parent / "data" / "promoters"
    done = CliRunner().invoke(main, ["analyze", str(data), "--out", str(folder), "--no-summary", "-q"])
    assert done.exit_code == 0, done.output
    with TestClient(create_app(folder), base_url=BASE) as c:
        index = c.get("/")
        assert 'href="/promoters"' in index.text
        page = c.get("/promoters")
        assert page.status_code == 200
        no_traceback(page)
        assert "2 promoter cluster(s)" in page.text
        assert "jn888vip" in page.text and "feilongstock" in page.text
        post_links = set(re.findall(r'href="(/post/[^"]+)"', page.text))
        assert len(post_links) == 7  # every post that gives a contact point (market-news.txt gives none)
        for url in post_links:
            assert c.get(unescape(url)).status_code == 200
        assert 'id="home" href="/"' in page.text
