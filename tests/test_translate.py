"""Translate: long sentences go to the model as their clauses, and come back joined in order."""

from __future__ import annotations

import re

import pytest

from finflag.pipeline import flag_document
from finflag.summary.glossary import Glossary
from finflag.summary.prepare import prepare
from finflag.summary.select import split_sentences
from finflag.summary.translate import CLAUSE_CHARS, CLAUSE_SPLIT_ABOVE, clause_parts, translate

from .conftest import make_doc

#: One forum-style sentence with six figures (written for this test), and a short one.
POST = ("本次定增完成后，江铜集团持股比例由41.20％变为41.35％，公司铜资源储备将增至812万吨，金增至150吨，"
        "银增至6120吨，募资总额28.5亿元全部用于收购矿山资产。\n英伟达收跌6.7%。\n")


class CountingBackend:
    """Just enough of a backend for planning calls: a token is a character, the context is large."""

    n_ctx = 4096

    def count_tokens(self, text: str) -> int:
        return len(text)


def _sentences(pack):
    doc = make_doc(POST)
    return split_sentences(doc, prepare(doc, flag_document(doc, pack).findings), Glossary.load())


def test_a_long_sentence_is_sent_as_its_clauses_and_a_short_one_whole(pack):
    long, short = _sentences(pack)
    parts = clause_parts(long)
    assert len(long.text) > CLAUSE_SPLIT_ABOVE and len(parts) >= 3
    assert "".join(p.text for p in parts) == long.text  # nothing lost, nothing repeated, in order
    assert all(len(p.text) <= CLAUSE_CHARS or "，" not in p.text.rstrip("，") for p in parts)
    assert all((p.start, p.end, p.entities) == (long.start, long.end, long.entities) for p in parts)
    assert clause_parts(short) == [short]


def test_the_clauses_english_is_joined_back_onto_its_sentence_in_order(pack):
    sentences = _sentences(pack)
    asked: list[list[str]] = []

    def ask(call):  # "translates" each numbered line by echoing its figures
        asked.append([s.text for s in call.sentences])
        lines = re.findall(r"^(\d+)\. (.*)$", call.messages[-1]["content"], re.M)
        return "\n".join(f"{n}. [{' '.join(re.findall(r'[0-9][0-9.,]*', text))}]" for n, text in lines)

    out = translate(sentences, CountingBackend(), ask, by_clause=True)
    assert [s for s, _ in out] == sentences
    assert len(asked) == 1 and len(asked[0]) == len(clause_parts(sentences[0])) + 1  # one call, a line per clause
    long_english = out[0][1]
    figures = re.findall(r"[0-9][0-9.,]*", long_english)
    assert figures.index("41.20") < figures.index("6120") < figures.index("2.85")  # joined in source order
    assert out[1][1] == "[6.7]"
    whole = translate(sentences, CountingBackend(), ask)
    assert len(asked[-1]) == 2  # by default: one line per sentence
    assert whole[0][0] is sentences[0]


class ScriptedBackend(CountingBackend):
    """Answers like the small model does on a long line: a line with several clauses comes back as
    its first clause only; a short line comes back whole. English is made by keeping the figures."""

    load_s = 0.0

    def generate(self, messages, max_tokens):
        from finflag.summary.backends.base import Generation

        lines = re.findall(r"^(\d+)\. (.*)$", messages[-1]["content"], re.M)
        answer = []
        for n, text in lines:
            if len(text) > 60:
                text = text.split("，")[0]  # drops every clause after the first
            figures = re.findall(r"\d[\d.,]*%?(?:\s(?:million|billion))?", text.replace("％", "%"))
            answer.append(f"{n}. the figures stated were {' and '.join(figures) or 'none'}.")
        return Generation("\n".join(answer), 100, 20, 0.1, 0.1, "stop")

    def close(self):
        pass


def test_a_long_sentence_that_left_figures_out_is_translated_again_by_clause():
    from finflag.summary.model import resolve
    from finflag.summary.summarize import Summarizer

    post = ("本次定增完成后，持股比例由41.20％变为41.35％，铜资源储备将增至812万吨，金增至150吨，"
            "银增至6120吨，募资总额28.5亿元全部用于收购矿山资产。\n")
    summarizer = Summarizer(resolve(None, "llama-cpp"))
    summarizer._backend = ScriptedBackend()
    out = summarizer.summarize(make_doc(post), []).to_dict()
    [sentence] = out["sentences"]
    for figure in ("41.20%", "41.35%", "8.12 million", "150", "6120", "2.85 billion"):
        assert figure in sentence["text"]
    assert sentence["sources"] == [[0, len(post) - 1]]  # linked to the whole sentence, not to a clause
    assert out["retried"] and out["timings"]["calls"] == 2  # the whole line once, then its clauses in one call


def test_a_headline_of_two_phrases_is_two_clauses_when_it_lost_a_figure(pack):
    """Headlines separate their phrases with a space; asked again clause by clause (split_above=0),
    each phrase is a line of its own. Sent the first time, a short headline stays whole."""
    doc = make_doc("午评：建行H股半日收跌6.20% 摩根拟售18亿股\n")
    [headline] = split_sentences(doc, prepare(doc, flag_document(doc, pack).findings), Glossary.load())
    assert clause_parts(headline) == [headline]
    first, second = clause_parts(headline, 0)
    assert first.text.startswith("午评") and "6.20%" in first.text and "摩根" in second.text


def test_a_clause_restated_on_the_next_line_is_not_joined_twice():
    from finflag.summary.translate import _join

    parts = ["Goldman Sachs analysts raised Affirm's rating to buy, predicting a 40% increase, and raised its "
             "target price from US$20 to US$42.",
             "The analysts predicted a 40% increase in Affirm's target price.",
             "but the shares ended the day lower."]
    assert _join(parts) == parts[0] + " " + parts[2]
    # The same figure on another entity is a fact of its own, not a repeat.
    assert _join(["The Dow rose 1%.", "The Nasdaq also rose 1%."]) == "The Dow rose 1%. The Nasdaq also rose 1%."


def test_a_line_too_long_for_a_tiny_context_is_halved_and_joined_without_repeats(pack):
    """With a context too small for one clause, the clause is cut in halves; each half is a part
    of its own sentence, so the sentence's English is its halves' in order, nothing twice (a
    clause's halves had been cut from the whole sentence's source, and the post came back three
    times), and an amount in English is never cut."""

    class TinyContext(CountingBackend):
        n_ctx = 1230  # a clause does not fit alone; an amount in English does

    sentences = _sentences(pack)
    asked: list[str] = []

    def ask(call):
        lines = re.findall(r"^(\d+)\. (.*)$", call.messages[-1]["content"], re.M)
        asked.extend(text for _, text in lines)
        return "\n".join(f"{n}. {text}" for n, text in lines)  # echoes the line it was given

    out = translate(sentences, TinyContext(), ask, by_clause=True)
    long_text = sentences[0].text
    assert len(asked) > len(clause_parts(sentences[0])) + 1  # some clause had to be halved
    assert out[0][1].replace(" ", "") == long_text.replace(" ", "")
    for amount in ("41.20", "8.12 million", "RMB 2.85 billion"):  # amounts in English are never cut
        assert any(amount in line for line in asked), amount


class SubjectDroppingBackend(CountingBackend):
    """Answers like the small model did on a Hong Kong close: the whole line comes back with its
    figures but without its index ("Hong Kong stocks rose ..."); asked clause by clause, it names it."""

    load_s = 0.0

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def generate(self, messages, max_tokens):
        from finflag.summary.backends.base import Generation

        lines = re.findall(r"^(\d+)\. (.*)$", messages[-1]["content"], re.M)
        self.calls.append([text for _, text in lines])
        return Generation(self.answer(lines), 100, 20, 0.1, 0.1, "stop")

    def answer(self, lines: list[tuple[str, str]]) -> str:
        if len(lines) == 1:
            return "1. Hong Kong stocks rose 1.13% and closed at 17,650 points."
        clauses = {"港股方面": "In Hong Kong,", "恒生指数": "the Hang Seng Index rose 1.13%,", "收报": "closing at 17,650 points."}
        return "\n".join(f"{n}. {next(v for k, v in clauses.items() if text.startswith(k))}" for n, text in lines)

    def close(self):
        pass


def _summarised_by(backend, post: str):
    """The one English sentence of a one-sentence post, the calls the backend saw, and the source."""
    from finflag.summary.model import resolve
    from finflag.summary.summarize import Summarizer

    summarizer = Summarizer(resolve(None, "llama-cpp"))
    summarizer._backend = backend
    [sentence] = summarizer.summarize(make_doc(post), []).to_dict()["sentences"]
    assert len(backend.calls) == 2 and len(backend.calls[1]) > 1  # the whole line, then its clauses
    doc = make_doc(post)
    [source] = split_sentences(doc, prepare(doc, []), Glossary.load())
    return sentence["text"], source


def test_a_translation_that_lost_its_subject_is_asked_again_by_clause():
    """The figures alone are not the fact: 恒生指数涨1.13% said as "Hong Kong stocks rose 1.13%"
    names no index, and a reviewer cannot tell whose 1.13% it is. (午后 keeps the line from the
    market-move table, which would say it without the model.)"""
    from finflag.summary.summarize import named, wanted

    text, source = _summarised_by(SubjectDroppingBackend(), "港股方面，恒生指数午后涨1.13%，收报17650点；\n")
    assert "Hang Seng Index" in text and "17,650" in text
    assert wanted(source) == (2, 1)
    assert named("Hong Kong stocks rose 1.13%.", source) == 0
    assert named("The Hang Seng Index rose 1.13%.", source) == 1


class SellerDroppingBackend(SubjectDroppingBackend):
    """Answers like the small model did on a real forum post: the seller the glossary does not know
    (杨怀进) is lost in a passive ("... were sold on May 20"); asked clause by clause, it is named."""

    def answer(self, lines: list[tuple[str, str]]) -> str:
        if len(lines) == 1:
            return "1. RMB 30.85 million and RMB 173.6 million of shares were sold on May 20 and 21."
        return "\n".join(f"{n}. " + ("Yang Huaijin sold RMB 30.85 million of shares on May 20,"
                                     if "30.85" in text else "and RMB 173.6 million on May 21.") for n, text in lines)


def test_a_translation_that_lost_a_person_the_glossary_does_not_know_is_asked_again_by_clause():
    from finflag.summary.summarize import complete, wanted

    post = "看杨怀进5月20日以12.34元左右的价格减持了3085万元，5月21日又以12.4元左右的价格减持了17360万元。\n"
    text, source = _summarised_by(SellerDroppingBackend(), post)
    assert text.startswith("Yang Huaijin sold RMB 30.85 million")
    assert wanted(source)[1] == 1
    assert complete("RMB 30.85 million were sold.", source)[1] == 0


@pytest.mark.parametrize("post, english, shown", [
    ("港股方面，恒生指数涨1.13%，收报17650点；\n", "Hong Kong stocks rose by 1.13% and closed at 17,650 points.",
     "Hang Seng Index: Hong Kong stocks rose by 1.13% and closed at 17,650 points."),
    ("看杨怀进5月20日以12.34元左右的价格减持了3085万元。\n", "RMB 30.85 million of shares were sold at about RMB 12.34.",
     "Yang Huaijin: RMB 30.85 million of shares were sold at about RMB 12.34."),
    # Two subjects: which figure is whose cannot be said in a label, so the sentence stays as it is.
    ("标普500指数跌0.31%，纳指跌1.09%。\n", "US stocks fell 0.31% and 1.09%.", "US stocks fell 0.31% and 1.09%."),
    # Already named: nothing to add.
    ("港股方面，恒生指数涨1.13%。\n", "The Hang Seng rose 1.13%.", "The Hang Seng rose 1.13%."),
])
def test_a_translation_that_still_lacks_its_one_subject_is_shown_with_it_first(post, english, shown):
    """Recorded from the default model: after the clause retry, "Hong Kong stocks rose by 1.13%" for
    恒生指数涨1.13% and a seller lost to a passive; the reviewer is told whose figures they are."""
    from finflag.summary.model import resolve
    from finflag.summary.summarize import Line, Summarizer, check_line

    doc = make_doc(post)
    [source] = split_sentences(doc, prepare(doc, []), Glossary.load())
    line = Line(source, english, check_line(english, source))
    assert line.passed
    after = Summarizer(resolve(None, "llama-cpp"))._named_subject(line)
    assert after.text == shown and after.passed


def test_a_research_notes_rating_is_shown_under_the_company_it_is_about():
    """我们维持“买入”评级 names no one: in a note about one company, the rating is that company's, and
    the label says so without the model ever reading "CATL maintains a buy rating"."""
    from finflag.summary.model import resolve
    from finflag.summary.summarize import Line, Summarizer, check_line

    post = ("宁德时代点评：储能业务放量\n公司一季度实现营收797.7亿元，同比下降10.4%。\n"
            "考虑到行业竞争格局改善，我们维持“买入”评级，目标价220元。\n")
    doc = make_doc(post)
    sentences = split_sentences(doc, prepare(doc, []), Glossary.load())
    rating = sentences[-1]
    assert "宁德时代" not in rating.text and rating.topic.en == "CATL"
    english = "We maintain a buy rating with a target price of RMB 220."
    line = Line(rating, english, check_line(english, rating))
    after = Summarizer(resolve(None, "llama-cpp"))._named_subject(line)
    assert after.text == "CATL: " + english and after.passed
    assert after.source.spans[1] == [sentences[0].start, sentences[0].end]  # linked to where the name is
    # A figure of the market, not a rating, gets no label: 大盘 is not the company.
    doc = make_doc("宁德时代点评：储能业务放量\n当日大盘上涨1.2%。\n")
    assert split_sentences(doc, prepare(doc, []), Glossary.load())[-1].topic is None


def test_names_block_gives_names_and_terms_but_no_tickers():
    """The model copied a ticker given beside a name into every line naming it: tickers stay out."""
    from finflag.summary.translate import names_block

    entries = Glossary.load().find("英伟达市值同比增长，黄仁勋减持72万股")
    block = names_block(entries)
    assert "英伟达=Nvidia" in block.splitlines() and "黄仁勋=Jensen Huang" in block.splitlines()
    assert "减持=share sale" in block.splitlines()
    assert "NVDA" not in block
    assert "市值=market value" in block.splitlines()


class WordyBackend(ScriptedBackend):
    """Answers every line whole, in more words than the selection estimated."""

    def generate(self, messages, max_tokens):
        from finflag.summary.backends.base import Generation

        lines = re.findall(r"^(\d+)\. (.*)$", messages[-1]["content"], re.M)
        answer = [f"{n}. the figures stated on this line of the market report were "
                  f"{' and '.join(re.findall(r'[0-9][0-9.]*%', text)) or 'none'}." for n, text in lines]
        return Generation("\n".join(answer), 100, 20, 0.1, 0.1, "stop")


def test_sentences_cut_by_max_words_after_translation_are_listed_as_dropped():
    """--max-words stays a hard limit; what it cuts after the model translated it is not lost from
    view: summary.dropped lists it with its English and offsets."""
    from finflag.summary.model import resolve
    from finflag.summary.summarize import Summarizer, SummaryOptions

    # A time of day between name and move keeps each line from the market-move table (the model's turn).
    post = "道指午后涨0.67%，纳指跌1.09%。\n标普500指数盘中跌0.31%。\n恒生指数早盘涨1.13%。\n日经指数尾盘跌0.8%。\n"
    summarizer = Summarizer(resolve(None, "llama-cpp"), SummaryOptions(max_words=30))
    summarizer._backend = WordyBackend()
    out = summarizer.summarize(make_doc(post), []).to_dict()
    shown = out["sentences"] + out["claims"]
    assert shown and sum(len(s["text"].split()) for s in shown) <= 30
    cut = [d for d in out["dropped"] if d["reason"] == "over --max-words"]
    assert cut and all("the figures stated" in d["text"] for d in cut)
    for d in cut:
        assert post[d["start"]:d["end"]].strip() and [d["start"], d["end"]] not in [s["sources"][0] for s in shown]
