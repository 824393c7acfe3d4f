"""Rules with ``scope: promoter_page``: loose claim shapes kept only on a page that is clearly a promoter's."""

from __future__ import annotations

import pytest

from finflag.document import Document
from finflag.pipeline import flag_document
from finflag.rules.pack import RulePackError, load_pack, load_packs
from finflag.rules.voice import is_promoter_page

from .test_rulepack import RULE as PLAIN_RULE

#: The same loose call (a bare 捂住: hold on) in four kinds of page.
CALL = "这只票稳步走强，持仓的捂住。"
FUNNEL_PAGE = "本周精选一只低位科技股。\n" + CALL + "\n想要代码的加微信abc8899，VIP会员优先通知。\n"
NEWS_PAGE = ("新华社北京3月2日电 记者获悉，多家机构在周末的策略会上讨论了后市。\n"
             "有营业部人士表示：" + CALL + "\n责任编辑：王某\n")
FORUM_POST = "持仓的老股民随便说两句。" + CALL + "这只票我拿了半年了。\n"
WARNING_PAGE = ("警惕荐股诈骗：骗子在群里说“" + CALL + "”，还让人加微信abc8899进VIP群。\n"
                "民警提醒，这类话术都是诈骗套路，切勿轻信。\n")

SCOPED = "promoter_page.buy-call"


def scoped_findings(text: str):
    return [f for f in flag_document(Document("<t>", text), load_packs()).findings if f.rule_id == SCOPED]


def test_a_loose_call_is_a_finding_on_a_page_with_a_funnel():
    found = scoped_findings(FUNNEL_PAGE)
    assert [(f.quote, f.voice) for f in found] == [("捂住", "author")]


@pytest.mark.parametrize("text", [NEWS_PAGE, FORUM_POST], ids=["news", "forum"])
def test_the_same_call_is_no_finding_on_a_news_page_or_a_plain_forum_post(text):
    assert scoped_findings(text) == []


def test_a_warning_that_quotes_the_call_and_a_funnel_gets_no_author_finding():
    result = flag_document(Document("<t>", WARNING_PAGE), load_packs())
    assert not [f for f in result.findings if f.rule_id == SCOPED]
    assert result.findings and {f.voice for f in result.findings} == {"quoted"}
    assert result.verdict["risk"] == "none"


def test_the_page_test_reads_the_other_rules_findings():
    pack = load_packs()
    for text, page in ((FUNNEL_PAGE, True), (NEWS_PAGE, False), (FORUM_POST, False), (WARNING_PAGE, False)):
        doc = Document("<t>", text)
        assert is_promoter_page(doc, flag_document(doc, pack).findings, pack) is page, text


#: tests/test_rulepack.py's one-rule pack, with a scope.
RULE = PLAIN_RULE.replace("    severity: warning\n", "    severity: warning\n    scope: SCOPE\n", 1)


def test_a_pack_names_an_unknown_scope(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(RULE.replace("SCOPE", "every_page"), encoding="utf-8")
    with pytest.raises(RulePackError, match="p.rule: unknown scope 'every_page'.*promoter_page"):
        load_pack(path)
    path.write_text(RULE.replace("SCOPE", "promoter_page"), encoding="utf-8")
    assert load_pack(path).scoped_rules == {"p.rule": "promoter_page"}
