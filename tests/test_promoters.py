"""The promoter map: contact points read and normalised, posts linked into clusters, every output.

The samples in tests/data/promoters/ are two fake operations written for
these tests: 金牛财经 (WeChat JN888vip in three spellings, one phone number
with and without +86, a site, a named teacher) and 飞龙工作室 (a QQ group,
a Telegram handle and an e-mail in two case spellings, a surname-only
teacher), plus one market-news post that gives no contact point.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from finflag.cli import main
from finflag.pipeline import flag_document
from finflag.promoters import build_map
from finflag.promoters import normalize as norm
from finflag.promoters.extract import contacts_in, post_date, team_name, tickers_in
from finflag.reportdir import load_results

from .conftest import make_doc

DATA = Path(__file__).resolve().parent / "data" / "promoters"
JINNIU = {"jinniu-1.txt", "jinniu-2.txt", "jinniu-3.txt", "jinniu-4.txt"}
FEILONG = {"feilong-1.txt", "feilong-2.txt", "feilong-3.txt"}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("promoters") / "report"
    done = CliRunner().invoke(main, ["analyze", str(DATA), "--out", str(out), "--no-summary", "-q"])
    assert done.exit_code == 0, done.output
    return out


def result(text: str, pack, path: str = "post.txt") -> dict:
    """A stored result as a report folder holds it (the analyze JSON plus the text)."""
    doc = make_doc(text, path)
    return {**flag_document(doc, pack).to_dict(), "text": doc.text}


def contacts(text: str, pack) -> set[tuple[str, str]]:
    r = result(text, pack)
    return {(c.kind, c.value) for c in contacts_in(r["text"], r["findings"])}


# --- the two operations ---------------------------------------------------------------------------------------

def test_two_operations_in_many_spellings_end_up_in_exactly_two_clusters(report):
    pmap = build_map(load_results(report))
    assert pmap.posts_read == 8 and pmap.posts_with_contacts == 7
    assert [{Path(p.path).name for p in c.posts} for c in pmap.clusters] == [JINNIU, FEILONG]
    jinniu, feilong = pmap.clusters
    points = {p.key: p for p in jinniu.contacts}
    assert sorted(points[("wechat", "jn888vip")].seen) == ["JN888vip", "jn888VIP", "ｊｎ８８８ｖｉｐ"]
    assert sorted(points[("phone", "+8613812345678")].seen) == ["+86 138 1234 5678", "138-1234-5678"]
    assert ("teacher", "陈志远老师") in points and ("team", "金牛财经团队") in points
    assert ("domain", "jinniu888.com") in points and ("url", "jinniu888.com/vip") in points
    # The best-ranked contact is the handle three of the four posts give.
    assert jinniu.contacts[0].key == ("wechat", "jn888vip")
    assert [(t.code, n) for t, n in jinniu.tickers] == [("300750.SZ", 2), ("600519.SS", 1)]
    points = {p.key: p for p in feilong.contacts}
    assert sorted(points[("email", "feilong.vip@protonmail.com")].seen) == \
        ["FeiLong.VIP@ProtonMail.com", "feilong.vip@protonmail.com"]
    assert sorted(points[("telegram", "feilongstock")].seen) == ["@FeiLong_Stock", "feilong_stock"]
    assert len(points[("qq_group", "834567123")].posts) == 2
    assert points[("teacher", "李老师")].links is False  # a surname alone links nobody
    assert {t.code for t, _ in feilong.tickers} == {"NVDA", "TSLA"}
    assert (feilong.date_from, feilong.date_to) == ("2024-03-18", "2024-04-02")
    assert jinniu.date_from is None and "dates" not in jinniu.to_dict()


def test_without_normalisation_the_spellings_would_not_meet(report):
    """A control: the raw spellings really differ; the clusters come from normalising them."""
    seen = set()
    for r in load_results(report):
        if "jinniu" in r["path"]:
            seen |= {c.raw for c in contacts_in(r["text"], r["findings"]) if c.kind == "wechat"}
    assert {"JN888vip", "jn888VIP", "ｊｎ８８８ｖｉｐ"} <= seen


def test_risk_score_follows_its_formula(report):
    for cluster in build_map(load_results(report)).clusters:
        parts = cluster.risk_parts
        expected = 100 * (0.35 * parts["severity"] + 0.2 * parts["breadth"] + 0.2 * parts["reach"]
                          + 0.1 * parts["channels"] + 0.15 * parts["push"])
        assert cluster.risk == round(expected)
        assert 0 <= cluster.risk <= 100 and parts["push"] == 1.0
    jinniu = build_map(load_results(report)).clusters[0]
    risks = [p.risk for p in jinniu.posts]  # the rule layer's verdicts: high 1, medium 0.6, low 0.3
    assert jinniu.risk_parts["severity"] == pytest.approx(sum({"high": 1, "medium": 0.6, "low": 0.3}[r]
                                                              for r in risks) / 4)
    assert "high" in risks and jinniu.risk_parts["severity"] > 0.5


def test_a_shared_surname_teacher_does_not_merge_two_operations(pack):
    results = [result("王老师今天推荐的这只股票明天必涨停！加微信：wang8888vip，进群免费领取。", pack, "a.txt"),
               result("王老师说下周必有大涨，名额有限！入群请加QQ群：55667788。", pack, "b.txt")]
    clusters = build_map(results).clusters
    assert len(clusters) == 2
    assert all(("teacher", "王老师") in {p.key for p in c.contacts} for c in clusters)


def test_a_post_without_findings_gives_no_contact_points(pack):
    r = result("来源：www.example-news.com。今天沪指收涨0.5%，成交额8000亿元。", pack)
    assert r["findings"] == []
    assert contacts_in(r["text"], r["findings"]) == [] and build_map([r]).clusters == []


def test_an_e_mail_is_read_from_its_sentence_only(pack):
    r = result("VIP咨询邮箱：zhangming@example.com。\n今天沪指收涨0.5%。\n更多报道见 www.example-news.com 。", pack)
    assert {f["severity"] for f in r["findings"]} == {"info"}
    found = {(c.kind, c.value) for c in contacts_in(r["text"], r["findings"])}
    assert ("email", "zhangming@example.com") in found
    assert ("domain", "example-news.com") not in found  # two sentences away: not read


def test_a_reporter_s_byline_e_mail_links_nobody(pack):
    """A newsroom's byline (本报记者 … 邮箱) is no contact funnel since pack 1.13.0: no finding, no contact point."""
    r = result("本报记者 张明 邮箱：zhangming@example.com。\n今天沪指收涨0.5%。\n更多报道见 www.example-news.com 。", pack)
    assert r["findings"] == []
    assert contacts_in(r["text"], r["findings"]) == [] and build_map([r]).clusters == []


def test_a_warning_that_quotes_a_scammer_s_handle_links_nobody(pack):
    """Anti-fraud notices quote the handles they warn about; the rules judge them harmless (risk none)."""
    warning = result("警方提醒：骗子常说“加微信abc12345，稳赚不赔”，请勿相信，谨防荐股诈骗。", pack, "police.txt")
    pitch = result("稳赚不赔！明天必涨，加微信abc12345进群。", pack, "pitch.txt")
    assert warning["verdict"]["risk"] == "none" and warning["findings"]
    pmap = build_map([warning, pitch])
    assert [[p.path for p in c.posts] for c in pmap.clusters] == [["pitch.txt"]]


def test_masked_handles_are_shown_but_link_nobody(pack):
    masked = [result(f"加微信：{h}，免费进群领取牛股。", pack, f"{n}.txt") for n, h in
              enumerate(["xxxxxxxx", "xxxxxxxx", "qzyxxxxxxxx", "qzyxxxxxxxx"])]
    pmap = build_map(masked)
    assert pmap.posts_with_contacts == 2 and len(pmap.clusters) == 2  # whole masks give nothing at all
    assert all([(p.value, p.links) for p in c.contacts] == [("qzyxxxxxxxx", False)] for c in pmap.clusters)


def test_unreadable_inputs_are_skipped():
    assert build_map([{"path": "x.txt", "error": "cannot decode"}]).posts_read == 0


# --- extraction ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("加微信：JN888vip，备注股票。", ("wechat", "jn888vip")),
    ("加薇信 jn888vip 领取牛股。", ("wechat", "jn888vip")),
    ("想进群的加V信：gupiao2024，备注“牛股”。", ("wechat", "gupiao2024")),
    ("扫码或加vx：Stock_King88 进群。", ("wechat", "stockking88")),
    ("加威信ＡＢＣ１２３４５，免费领取。", ("wechat", "abc12345")),
    ("入群请加QQ群 834 567 123，免费分享。", ("qq_group", "834567123")),
    ("有问题可联系QQ 123456789，老师在线。", ("qq", "123456789")),
    ("老師每天在LINE分享，加LINE ID：@twstock88", ("line", "twstock88")),
    ("台股飆股免費領取，賴ID：@tw_bull88", ("line", "twbull88")),
    ("加微信：jn\u200b888\u200bvip，免费领取。", ("wechat", "jn888vip")),  # zero-width spaces against filters
    ("想跟單的朋友加電報群：@FeiLong_Stock", ("telegram", "feilongstock")),
    ("请搜索TG: bigbull_vip 进群", ("telegram", "bigbullvip")),
    ("进群请点 https://t.me/BigBull_VIP 免费领取", ("telegram", "bigbullvip")),
    ("咨询请加 ab12345 (微信同号)，免费诊股。", ("wechat", "ab12345")),
    ("咨询请致电 +86 139-0000-1111，老师在线解答。", ("phone", "+8613900001111")),
    ("台股飆股群，聯繫 0912-345-678，加LINE免費領取。", ("phone", "+886912345678")),
    ("领取资料请发邮件至 VIP@Example.COM，加群免费领取。", ("email", "vip@example.com")),
    ("加群请访问 www.NiuGu-VIP.top/join 注册。", ("domain", "niugu-vip.top")),
])
def test_each_channel_spelling_is_read_and_normalised(pack, text, expected):
    assert expected in contacts(text, pack)


@pytest.mark.parametrize("text", ["明天必涨！联系wang8888领取，名额有限。", "明天必涨！加群请找 tgood123 领取。"])
def test_a_channel_word_inside_a_latin_name_is_not_a_channel(pack, text):
    assert not {kind for kind, _ in contacts(text, pack)} & {"whatsapp", "wechat", "telegram", "line", "qq"}


def test_a_phone_given_as_the_wechat_id_is_both(pack):
    found = contacts("联系电话：+86 138 1234 5678（微信同号），加群免费领取。", pack)
    assert {("phone", "+8613812345678"), ("wechat", "13812345678")} <= found


def test_a_shared_platform_link_names_no_promoter_by_its_domain(pack):
    found = contacts("加群领取牛股，详情见 https://mp.weixin.qq.com/s/AbCdEf", pack)
    assert ("url", "mp.weixin.qq.com/s/abcdef") in found
    assert not any(kind == "domain" for kind, _ in found)


def test_fully_masked_numbers_do_not_link(pack):
    r = result("加群请联系电话：138xxxxxxxx，免费诊股。", pack)
    phones = [c for c in contacts_in(r["text"], r["findings"]) if c.kind == "phone"]
    assert phones and all(not c.links for c in phones)


@pytest.mark.parametrize("text, expected", [
    ("恭喜飞龙", "飞龙"), ("【金牛财经", "金牛财经"), ("我们的专业投研", None), ("李老师", None),
    ("加入天狼星", "天狼星"), ("本", None),
])
def test_team_names_lose_their_leading_words_and_generic_ones_are_dropped(text, expected):
    assert team_name(text, len(text)) == expected


def test_tickers_are_pushed_only_near_a_pushing_finding(pack):
    r = result("今天贵州茅台公布三季报，营收增长15%。白酒板块整体平稳。\n另外，300750宁德时代明天必涨，开盘直接买入！", pack)
    codes = [t.code for t in tickers_in(r["text"], r["findings"])]
    assert "300750.SZ" in codes and "600519.SS" not in codes
    r = result("英伟达（NVDA）下周必创新高，$TSLA 也将暴涨，全仓买入！VIP群名额有限。", pack)
    assert {t.code for t in tickers_in(r["text"], r["findings"])} >= {"NVDA", "TSLA"}
    assert "VIP" not in {t.code for t in tickers_in(r["text"], r["findings"])}


def test_an_amount_is_not_an_a_share_code(pack):
    r = result("本月会员必涨停，600000元资金已经进场，马上上车！", pack)
    assert "600000.SS" not in {t.code for t in tickers_in(r["text"], r["findings"])}


@pytest.mark.parametrize("text, expected", [
    ("2024-04-02\n正文", "2024-04-02"), ("发布于2024年3月8日 金股推荐\n", "2024-03-08"),
    ("标题\n2023/12/31 更新", "2023-12-31"), ("标题\n正文\n2024-01-01", None), ("2024-13-01\n", None),
])
def test_a_post_date_is_read_from_its_first_two_lines_only(text, expected):
    assert post_date(text) == expected


# --- normalisers ---------------------------------------------------------------------------------------------

def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


HANDLES = st.from_regex(r"[A-Za-z][A-Za-z0-9]{3,15}", fullmatch=True)


@given(HANDLES)
def test_a_handle_is_the_same_in_any_width_case_or_with_separators(h):
    value = norm.handle(h)
    assert value == h.lower()
    assert norm.handle(full_width(h)) == value
    assert norm.handle(h.swapcase()) == value
    assert norm.handle("@" + " ".join(h)) == value
    assert norm.handle("-".join([h[:2], h[2:]])) == value


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_mainland_mobile_is_one_value_in_every_spelling(number):
    expected = "+86" + number
    spaced = f"{number[:3]} {number[3:7]} {number[7:]}"
    dashed = f"{number[:3]}-{number[3:7]}-{number[7:]}"
    for spelling in (number, "+86" + number, "+86 " + spaced, "0086-" + number, dashed, full_width(number),
                     "86" + number):
        assert norm.phone(spelling) == expected, spelling


@pytest.mark.parametrize("normaliser, raw, expected", [
    (norm.phone, "+886 912 345 678", "+886912345678"),
    (norm.phone, "0912-345-678", "+886912345678"),
    (norm.phone, "+886 0912345678", "+886912345678"),
    (norm.phone, "400-123-4567", "+864001234567"),
    (norm.phone, "138XXXX5678", "+86138xxxx5678"),
    (norm.phone, "021-88886666", "02188886666"),
    (norm.email, "FeiLong.VIP@ProtonMail.com", "feilong.vip@protonmail.com"),
    (norm.email, "ｖｉｐ＠ｅｘａｍｐｌｅ．ｃｏｍ", "vip@example.com"),
    (norm.url, "https://www.JinNiu888.com/vip/?from=blog#top", "jinniu888.com/vip"),
    (norm.url, "WWW.JinNiu888.com", "jinniu888.com"),
    (norm.url, "http://jinniu888.com:8080/a", "jinniu888.com/a"),
    (norm.domain, "WWW.Example.CN.", "example.cn"),
    (norm.name, "金牛 财经 团队", "金牛财经团队"),
    (norm.name, "ＡＢ工作室", "ab工作室"),
])
def test_each_normaliser(normaliser, raw, expected):
    assert normaliser(raw) == expected


def test_masks_and_shared_hosts():
    assert norm.phone_is_specific("+86138xxxx5678") and not norm.phone_is_specific("+86138xxxxxxxx")
    assert norm.is_shared_host("mp.weixin.qq.com") and not norm.is_shared_host("notqq.com")


# --- command line --------------------------------------------------------------------------------------------

def test_cli_text_table(report):
    done = CliRunner().invoke(main, ["promoters", str(report)])
    assert done.exit_code == 0, done.output
    out = done.output
    assert out.startswith("2 promoter cluster(s); 7 of 8 posts give contact points")
    assert re.search(r"^C1  risk \d+  4 post\(s\)$", out, re.M)
    assert re.search(r"^C2  risk \d+  3 post\(s\)  2024-03-18 \.\. 2024-04-02$", out, re.M)
    assert re.search(r"jn888vip\s+wechat\s+3  JN888vip, jn888VIP, ｊｎ８８８ｖｉｐ", out)
    assert "李老师" in out and "(not linking)" in out and "market-news" not in out


def test_cli_json_and_min_posts(report):
    done = CliRunner().invoke(main, ["promoters", str(report), "--format", "json"])
    data = json.loads(done.output)
    assert data["schema"] == 1 and [len(c["posts"]) for c in data["clusters"]] == [4, 3]
    assert data["clusters"][1]["dates"] == {"from": "2024-03-18", "to": "2024-04-02"}
    assert all(p["page"].startswith("posts/") for c in data["clusters"] for p in c["posts"])
    done = CliRunner().invoke(main, ["promoters", str(report), "--format", "json", "--min-posts", "4"])
    assert [c["id"] for c in json.loads(done.output)["clusters"]] == ["C1"]


def test_cli_csv_has_a_row_per_contact_point(report, tmp_path):
    target = tmp_path / "promoters.csv"
    done = CliRunner().invoke(main, ["promoters", str(report), "--format", "csv", "--output", str(target)])
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    row = next(r for r in rows if r["value"] == "+8613812345678")
    assert row["cluster"] == "C1" and row["kind"] == "phone" and row["posts"] == "2" and row["links"] == "yes"
    assert {r["cluster"] for r in rows} == {"C1", "C2"}


@pytest.mark.parametrize("make", [lambda p: p, lambda p: p / "missing"])
def test_cli_a_folder_that_is_not_a_report_is_one_line_exit_2(tmp_path, make):
    (tmp_path / "post.txt").write_text("加微信abc12345", encoding="utf-8")
    done = CliRunner().invoke(main, ["promoters", str(make(tmp_path))])
    assert done.exit_code == 2
    assert done.output.count("\n") == 1 and done.output.startswith("finflag: error: ")
    assert "is not a report folder" in done.output


# --- HTML ----------------------------------------------------------------------------------------------------

class _Links(HTMLParser):
    VOID = {"meta", "br", "img", "input", "link", "hr", "circle", "rect", "line"}

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        if "src" in attrs:
            self.srcs.append(attrs["src"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_html_page_is_self_contained_valid_and_every_link_resolves(report):
    done = CliRunner().invoke(main, ["report", str(report), "--format", "html"])
    assert done.exit_code == 0, done.output
    html_dir = report / "html"
    index = (html_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="promoters.html"' in index
    page = (html_dir / "promoters.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(page)
    assert parser.errors == [] and parser.stack == []
    assert "<script" not in page and parser.srcs == []
    assert not [h for h in parser.hrefs if re.match(r"[a-z]+:", h)], "no external links or scripts"
    for href in parser.hrefs:
        assert (html_dir / href).is_file(), href
    posts = {Path(h).name.split(".")[0] for h in parser.hrefs if h.startswith("posts/")}
    assert posts == {n.removesuffix(".txt") for n in JINNIU | FEILONG}
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 2
    for svg in svgs:
        tree = ET.fromstring(svg)  # well-formed XML
        ns = "{http://www.w3.org/2000/svg}"
        assert tree.findall(f".//{ns}circle") and tree.findall(f".//{ns}line")
    assert "ｊｎ８８８ｖｉｐ" in page and "C1 · risk" in page


def test_html_page_is_the_same_on_every_run(report):
    from finflag.output.promoters import render_html

    pmap = build_map(load_results(report))
    assert render_html(pmap) == render_html(build_map(load_results(report)))


def test_html_page_takes_the_app_s_post_urls(report):
    from finflag.output.promoters import render_html

    page = render_html(build_map(load_results(report)), up="/", href=lambda post: "/post/" + Path(post.path).stem)
    assert 'href="/post/jinniu-1"' in page and 'href="/index.html"' in page


def test_html_page_in_a_real_browser_with_a_screenshot(report, tmp_path):
    """Chromium loads the page with no console error and draws both graphs; tests/artifacts/promoters-page.png."""
    from .test_html_browser import CHROMIUM, _console_errors, chromium, screenshot

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    CliRunner().invoke(main, ["report", str(report), "--format", "html"])
    page = report / "html" / "promoters.html"
    done = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert _console_errors(done.stderr) == []
    assert done.stdout.count("<svg") == 2 and done.stdout.count("<circle") == 7
    screenshot(tmp_path, page, "promoters-page.png", "1000,1300")


def test_a_large_cluster_is_drawn_with_its_best_ranked_contacts_and_says_so(report, monkeypatch):
    import finflag.output.promoters as out

    monkeypatch.setattr(out, "MAX_DRAWN", 4)
    jinniu = build_map(load_results(report)).clusters[0]
    drawn = out.graph_svg(jinniu, lambda post: post.page)
    assert drawn is not None and (drawn["shown"], drawn["total"]) == (4, jinniu.graph.number_of_nodes())
    labels = {n["label"] for n in drawn["nodes"] if not n["post"]}
    assert labels == {"jn888vip"}  # the best-ranked contact and three of its posts
    assert "Graph shows 4 of" in out.render_html(build_map(load_results(report)))
