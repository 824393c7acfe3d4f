"""English summaries a reviewer can trust: select, translate, link, check.

A small model summarising a whole post invents names, pins numbers on the
wrong company and drops facts. So the model only translates:

1. **select** (:mod:`.select`): the prepared post's sentences are scored and
   a set covering every entity-with-a-number pair is chosen within the word
   budget, deterministically;
2. **translate** (:mod:`.translate`): those sentences, amounts already in
   English, as numbered lines in one compact call (or a few if long), with
   the glossary names of what they mention; English sentences are kept as
   they are, without a model call;
3. **link**: every English sentence carries the ``[start, end]`` offsets of
   its source sentence in the original text;
4. **check** each sentence against its own source (numbers, numbers on the
   right entity, names, fraction words, Chinese left over, degenerate output);
   a failing sentence is translated once more (a long one clause by clause,
   a short one with a strict prompt), then dropped and reported, never
   shown; a passing one that left some of its source's figures out (the
   model translated one clause of five) is translated again clause by
   clause, and the version that states more figures is kept; one that still
   names nobody its figures belong to is shown with its one subject first
   ("Hang Seng Index: Hong Kong stocks rose by 1.13%");
5. **voice**: a sentence overlapping a promotional finding is a claim of the
   author ("The post claims: ..."), kept apart from the factual sentences.

``--max-words`` is a hard limit: the least salient sentences go first.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..document import Document
from ..normalize import to_simplified
from ..numbers import english_numbers, is_supported, source_values
from ..rules.findings import Finding
from .backends import Backend, Generation, load_backend
from .checks import (SENTENCE_SPLIT, CheckResult, check_attribution, check_cjk, check_currency, check_degenerate,
                     check_fractions, check_names_strict, check_numbers, fraction_values, mentions, repair_dates,
                     repair_periods, replace_cjk_from_glossary, source_money, supported_names, unglue)
from .formulaic import formulaic_english
from .glossary import NAME_KINDS, Entry, Glossary, tickers_in
from .interrupt import Interrupted, interruptible
from .model import ModelChoice, model_path
from .prepare import DEFAULT_MAX_CHARS, prepare
from .prompts import PROMPT_VERSION
from .prompts import check_all as check_prompts
from .romanize import LeadName, lead_names, respell_names, romanize_leaks, source_pinyin
from .select import Sentence, select, split_sentences
from .translate import Call, clause_parts, translate
from .types import Check, Summary

DEFAULT_MAX_WORDS = 150
#: Checks run on every sentence, in this order; the summary reports each over all sentences.
SENTENCE_CHECKS = ("unsupported_number", "wrong_entity_number", "unsupported_name", "fraction_word", "wrong_currency",
                   "cjk_leak", "degenerate_output")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
CLAIM_PREFIX = "The post claims: "
#: Key points: the most salient shown sentences, at most this many.
KEY_POINTS = 3
Progress = Callable[[str], None]


@dataclass
class Usage:
    """Tokens and seconds over every model call for one document (the timings in a summary)."""

    prompt_tokens: int = 0
    cached_tokens: int = 0          # of prompt_tokens, reused from the KV cache (not evaluated again)
    gen_tokens: int = 0
    prompt_s: float = 0.0
    gen_s: float = 0.0
    calls: int = 0

    def add(self, g: Generation) -> None:
        self.prompt_tokens += g.prompt_tokens
        self.cached_tokens += g.cached_tokens
        self.gen_tokens += g.gen_tokens
        self.prompt_s += g.prompt_s
        self.gen_s += g.gen_s
        self.calls += 1


@dataclass
class SummaryOptions:
    max_words: int = DEFAULT_MAX_WORDS
    n_ctx: int | None = None
    threads: int | None = None
    dtype: str | None = None
    max_chars: int = DEFAULT_MAX_CHARS


@dataclass
class Line:
    """One English sentence linked to its source sentence, with its checks."""

    source: Sentence
    text: str
    checks: list[CheckResult] = field(default_factory=list)
    claim: str = ""                 # category of the promotional finding it overlaps, if any
    retried: bool = False
    #: English sentences of the translation that failed their checks and were cut from it (text, failures).
    removed: list[tuple[str, list[CheckResult]]] = field(default_factory=list)
    #: Who wrote the English: the model, or the table of :mod:`finflag.summary.formulaic` for a
    #: line that is only market moves ("template").
    by: str = "model"

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def words(self) -> int:
        return len(self.text.split())

    def to_dict(self, doc: Document) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "sources": self.source.spans,
                                "at": [list(doc.line_col(a)) for a, _ in self.source.spans],
                                "checks": {c.check: "pass" if c.passed else "fail" for c in self.checks}}
        if self.claim:
            data["category"] = self.claim
        if self.by != "model":
            data["translated_by"] = self.by
        return data


def sentence_values(s: Sentence) -> set[Decimal]:
    """Every number a source sentence states: as written, with 万/亿 applied, and its fraction words."""
    simplified = to_simplified(s.source)
    values = source_values(simplified) | fraction_values(simplified)
    values |= {Decimal(r.value) for r in s.rewrites}
    values |= source_values(" ".join(e.ticker for e in s.entities if e.ticker))
    return values


def check_line(english: str, s: Sentence, finish_reason: str = "stop") -> list[CheckResult]:
    """The per-sentence checks of one English sentence against its own linked source."""
    values = sentence_values(s)
    simplified = to_simplified(s.source)
    # The English of a rewrite is the source's own (an option's expiry month: NVDA 7/19 130C -> July 19 US$130).
    rewritten = {word for r in s.rewrites for word in re.findall(r"[A-Za-z]+", r.english)}
    allowed = supported_names(s.source, simplified, s.entities) | set(s.tickers) | rewritten
    # A ticker the model adds beside a name (ICBC (601398.SS)) is part of the name, not a number given to it.
    named = [(e.zh, (e.en, *e.aliases, e.ticker)) for e in s.entities if e.kind in NAME_KINDS]
    return [
        check_numbers(english, values),
        check_attribution(english, simplified, named,
                          lambda clause: source_values(clause) | fraction_values(clause),
                          frozenset(e.zh for e in s.entities if e.kind in ("broker", "bank"))),
        check_names_strict(english, allowed, source_pinyin(simplified) | source_pinyin(s.source)),
        check_fractions(english, simplified),
        check_currency(english, source_money(s.rewrites, s.source, s.yuan)),
        check_cjk(english),
        check_degenerate(english, finish_reason),
    ]


def carried(english: str, s: Sentence) -> int:
    """How many of the source sentence's figures (:attr:`Sentence.figures`) the English states."""
    found = english_numbers(english)
    return sum(any(is_supported(f, values) for f in found) for values in s.figures)


def named(english: str, s: Sentence) -> int:
    """How many of the names that the source sentence gives a figure (:attr:`Sentence.pairs`) the
    English names: "Hong Kong stocks rose 1.13%" for 恒生指数涨1.13% has the figure and lost its subject."""
    count = 0
    for subject in s.subjects:
        entry = next((e for e in s.entities if e.en == subject), None)
        spellings = [subject, *(entry.aliases if entry else ()), *((entry.ticker,) if entry and entry.ticker else ())]
        if entry and entry.kind == "index" and subject.endswith(" Index"):
            spellings.append(subject.removesuffix(" Index"))  # "the Hang Seng rose 1.13%" names it
        count += any(mentions(english, name) for name in spellings if name)
    return count


def _lead_names(s: Sentence) -> tuple[LeadName, ...]:
    return lead_names(to_simplified(s.source), tuple(e.zh for e in s.entities))


def wanted(s: Sentence) -> tuple[int, int]:
    """(figures, subjects) of the source sentence: what :func:`complete` counts against. The
    subjects are the names it gives a figure and the people it names before its first figure
    that the glossary does not know (:func:`lead_names`: 看杨怀进5月20日…减持了3085万元)."""
    return len(s.figures), len(s.subjects) + len(_lead_names(s))


def complete(english: str, s: Sentence) -> tuple[int, int]:
    """(figures stated, subjects named): what a faithful English of ``s`` must carry, counted."""
    lead = sum(name.said_in(english) for name in _lead_names(s))
    return carried(english, s), named(english, s) + lead


def _short_of(line: Line) -> bool:
    """Whether a translation leaves out a figure or a subject of its source sentence."""
    return any(got < need for got, need in zip(complete(line.text, line.source), wanted(line.source)))


def _better(first: Line, second: Line) -> Line:
    """The clause-by-clause translation of a long sentence when it passes and states more of its
    figures and names than the first (or the first failed); otherwise the first."""
    if not second.passed:
        return first
    a, b = complete(first.text, first.source), complete(second.text, second.source)
    if not first.passed or (b[0] >= a[0] and b[1] >= a[1] and b != a):
        return second
    return first


def _overlapping(s: Sentence, findings: list[Finding]) -> str:
    for f in findings:
        if f.voice == "author" and f.start < s.end and s.start < f.end:
            return f.category
    return ""


class Summarizer:
    """Loads the model on first use and keeps it for every document of the run."""

    def __init__(self, choice: ModelChoice, options: SummaryOptions | None = None,
                 glossary: Glossary | None = None, progress: Progress | None = None) -> None:
        check_prompts()  # a missing prompt file is reported before a model is loaded
        self.choice = choice
        self.options = options or SummaryOptions()
        self.glossary = glossary or Glossary.load()
        self.progress = progress or (lambda message: None)
        self._backend: Backend | None = None
        self._abandoned = False

    # -- model -------------------------------------------------------------
    def backend(self) -> Backend:
        if self._backend is None:
            path = model_path(self.choice, announce=self.progress)
            n_ctx = self.options.n_ctx or self._context()
            self.progress(f"loading {self.model_name} with {self.choice.backend} (context {n_ctx} tokens)")
            # jieba's dictionaries and pypinyin take 1-3 s to load on first use: once per process, like
            # the model, so they load beside it instead of inside the first post's time.
            warm = threading.Thread(target=self._warm_text_tools, name="finflag-warm", daemon=True)
            warm.start()
            self._backend = load_backend(self.choice.backend, path, n_ctx=n_ctx,
                                         threads=self.options.threads, dtype=self.options.dtype)
            warm.join()
        return self._backend

    def _warm_text_tools(self) -> None:
        """Load what every post's selection and checks use: the glossary's jieba dictionary, jieba's
        part-of-speech model and pypinyin (see :mod:`.romanize`)."""
        self.glossary.find("英伟达收跌6.7%")
        source_pinyin("湖南省益阳市")

    @property
    def model_name(self) -> str:
        from .model import DEFAULT_MODEL_NAME

        return DEFAULT_MODEL_NAME if self.choice.is_default else self.choice.ref

    def _context(self) -> int:
        """Enough for the selected lines of ``--max-words`` in one call: ~2.5 tokens per word
        for lines and answer, plus the instructions. Longer selections are split into calls."""
        return min(max(2048, -(-(int(self.options.max_words * 2.5) + 900) // 1024) * 1024), 8192)

    def close(self) -> None:
        if self._abandoned:
            return  # a call interrupted by Ctrl-C still runs; the process is about to exit
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    # -- one call ----------------------------------------------------------
    def _ask(self, call: Call, usage: Usage) -> Generation:
        backend = self.backend()
        try:
            answer = interruptible(lambda: backend.generate(call.messages, call.max_tokens))
        except Interrupted:
            self._abandoned = True  # the call still runs in its thread: never close the backend under it
            raise
        usage.add(answer)
        return answer

    # -- a document --------------------------------------------------------
    def summarize(self, doc: Document, findings: list[Finding]) -> Summary:
        started = time.perf_counter()
        usage = Usage()
        prepared = prepare(doc, findings, self.options.max_chars)
        if len(doc.text) > self.options.max_chars:
            self.progress(f"warning: {doc.path} has {len(doc.text):,} characters; only the first "
                          f"{self.options.max_chars:,} are summarised (--max-chars)")
        chinese = doc.language != "en" and bool(_CJK.search(doc.text))
        sentences = split_sentences(doc, prepared, self.glossary if chinese else None)
        chosen = select(sentences, self.options.max_words)
        self.progress(f"summarising {doc.path} ({len(doc.text):,} characters): "
                      f"{len(chosen)} of {len(sentences)} sentences selected")
        lines, calls = self._translate(chosen, usage, doc.path)
        promo = [f for f in findings if f.voice == "author"]
        for line in lines:
            line.claim = _overlapping(line.source, promo)
        shown, cut = self._fit([line for line in lines if line.passed])
        failed = [line for line in lines if not line.passed]
        entities = self.glossary.find(doc.normalized.text) if chinese else []
        return self._result(doc, prepared, entities, sentences, shown, failed, cut, usage, calls,
                            time.perf_counter() - started)

    def _translate(self, chosen: list[Sentence], usage: Usage, path: str) -> tuple[list[Line], int]:
        """English for each chosen sentence, checked; failures retried once with the strict prompt."""
        lines: list[Line] = []
        to_model = []
        for s in chosen:
            if not _CJK.search(s.source):  # already English: shown as written, checked all the same
                text = " ".join(s.source.split())
                lines.append(Line(s, text, check_line(text, s)))
                continue
            fixed = formulaic_english(s.text, s.entities)  # a market move: no model call needed
            line = Line(s, fixed, check_line(fixed, s), by="template") if fixed else None
            if line is not None and line.passed:
                lines.append(line)
            else:
                to_model.append(s)
        calls = 0
        if to_model:
            backend = self.backend()

            def ask(call: Call) -> str:
                nonlocal calls
                calls += 1
                self.progress(f"summarising {path}: translating {len(call.sentences)} line(s)")
                return self._ask(call, usage).text

            first = [self._line(s, english) for s, english in translate(to_model, backend, ask)]
            # A sentence that passed without all its figures or subjects (the model translated one
            # clause of five), or a long one that failed, is sent again as its clauses; the rest that failed
            # are retried whole with the strict prompt, each alone.
            by_clause = [line for line in first
                         if line.passed and _short_of(line)
                         and len(clause_parts(line.source, 0)) > 1
                         or not line.passed and len(clause_parts(line.source)) > 1]
            lines += [line for line in first if line.passed and line not in by_clause]
            again = [line.source for line in first if not line.passed and line not in by_clause]
            if by_clause:
                self.progress(f"{path}: {len(by_clause)} sentence(s) failed their checks or left figures or names out; "
                              "translating them again clause by clause")
                retried = translate([line.source for line in by_clause], backend, ask, by_clause=True,
                                    split_above=0)
                for old, (s, english) in zip(by_clause, retried):
                    old.retried = old.retried or not old.passed  # a failure stays failed after its retry
                    lines.append(_better(old, self._line(s, english, retried=True)))
            if again:  # one strict retry for all the failed lines together, then they are dropped
                self.progress(f"{path}: {len(again)} sentence(s) failed their checks; translating them again, strictly")
                lines += [self._line(s, english, retried=True)
                          for s, english in translate(again, backend, ask, strict=True, max_lines=1)]
        lines = [self._named_subject(line) for line in lines]
        lines.sort(key=lambda line: line.source.start)
        return lines, calls

    def _named_subject(self, line: Line) -> Line:
        """A passing translation that states its source's figures but names none of whom they
        belong to ("Hong Kong stocks rose by 1.13%" for 恒生指数涨1.13%; "RMB 30.85 million were
        sold" for 看杨怀进…减持了3085万元), after its retry, is shown with that subject first, the
        way Chinese headlines write a topic: "Hang Seng Index: Hong Kong stocks rose by 1.13%".
        Only when the source sentence has exactly one such subject (a glossary name it gives its
        figures, or a person, a listed firm or a facility named before them; failing those, the one
        company a research note rates, :attr:`Sentence.topic`, linked to where it is named), so the
        label says nothing the source does not."""
        s = line.source
        lead = _lead_names(s)
        subjects = [*sorted(s.subjects), *(n.english for n in lead)]
        labelled = s
        if not subjects and s.topic is not None:  # a research note's rating of its one company
            labelled = replace(s, entities=[*s.entities, s.topic], also=[*s.also, *s.topic_from])
            subjects = [s.topic.en]
        if not line.passed or len(subjects) != 1 or not subjects[0]:
            return line
        figures, names = complete(line.text, s)
        if figures == 0 or names:
            return line
        text = f"{subjects[0]}: {line.text}"
        checks = check_line(text, labelled)
        if not all(c.passed for c in checks):
            return line
        return Line(labelled, text, checks, claim=line.claim, retried=line.retried, removed=line.removed, by=line.by)

    def _line(self, s: Sentence, english: str, retried: bool = False) -> Line:
        """A translated line, checked; Chinese terms the glossary knows are put in English first
        (减持 -> share sale), short Chinese names copied from the source are romanised (桃江 ->
        Taojiang), a source name misheard by a letter or two is spelled as the source's pinyin
        ("Yang Haijin" -> "Yang Huaijin" for 杨怀进), a month or weekday invented for a bare 4日 is
        taken out ("on the 4th"), a period from January given as its last month is a period again
        ("in the first eight months" for 前8月), and the checks then see the repaired text.

        A translation of several English sentences that fails keeps the sentences that pass on
        their own (each against the same source): one wrong name no longer costs the facts
        around it. The cut sentences are listed with their failures, never shown."""
        simplified = to_simplified(s.source)
        english, _ = replace_cjk_from_glossary(unglue(english), self.glossary.english_for)
        english, _ = romanize_leaks(english, s.source)
        english, _ = repair_dates(english, simplified)
        english, _ = repair_periods(english, simplified)
        line = Line(s, english, check_line(english, s, "stop" if english else "length"), retried=retried)
        misheard = [str(b["text"]) for c in line.checks if c.check == "unsupported_name" for b in c.items]
        if misheard:
            english, respelled = respell_names(english, simplified, misheard)
            if respelled:
                line = Line(s, english, check_line(english, s), retried=retried)
        parts = [p for p in SENTENCE_SPLIT.split(english) if p.strip()]
        if line.passed or len(parts) < 2:
            return line
        checked = [(part, check_line(part, s)) for part in parts]
        kept = [part for part, checks in checked if all(c.passed for c in checks)]
        if not kept:
            return line
        text = " ".join(kept)
        removed = [(part, [c for c in checks if not c.passed]) for part, checks in checked
                   if not all(c.passed for c in checks)]
        return Line(s, text, check_line(text, s), retried=retried, removed=removed)

    def _fit(self, lines: list[Line]) -> tuple[list[Line], list[Line]]:
        """``--max-words`` as a hard limit: the sentences the selection took last go until the rest fit
        (the closing figures of the Dow and the Nasdaq, taken early for their names, stay; filler
        taken for its salience goes first). Returns (kept, cut)."""
        def words(line: Line) -> int:
            return line.words + (len(CLAIM_PREFIX.split()) if line.claim else 0)

        kept, cut = list(lines), []
        while kept and sum(words(line) for line in kept) > self.options.max_words:
            last = max(kept, key=lambda line: (line.source.rank, line.source.index))
            kept.remove(last)
            cut.append(last)
        return kept, cut

    def _result(self, doc: Document, prepared, entities: list[Entry], sentences: list[Sentence],
                shown: list[Line], failed: list[Line], cut: list[Line], usage: Usage, calls: int,
                total_s: float) -> Summary:
        facts = [line for line in shown if not line.claim]
        claims = [line for line in shown if line.claim]
        top = sorted(facts, key=lambda line: (-line.source.score, line.source.index))[:KEY_POINTS]
        top.sort(key=lambda line: line.source.index)
        dropped = [{"start": d.start, "end": d.end, "reason": d.reason} for d in prepared.dropped]
        dropped += [{"start": line.source.start, "end": line.source.end,
                     "reason": "translation failed its checks: " + ", ".join(c.check for c in line.checks
                                                                             if not c.passed),
                     "text": line.text} for line in failed]
        dropped += [{"start": line.source.start, "end": line.source.end,
                     "reason": "part of the translation failed its checks: " + ", ".join(c.check for c in checks),
                     "text": part} for line in shown for part, checks in line.removed]
        # Translated and checked, then cut by --max-words: listed, so the reviewer sees what the summary left out.
        dropped += [{"start": line.source.start, "end": line.source.end, "reason": "over --max-words",
                     "text": line.text} for line in cut]
        backend = self._backend
        return Summary(
            text=" ".join(line.text for line in facts),
            key_points=[line.text for line in top],
            tickers=tickers_in(doc.text, entities),
            checks=summary_checks(shown, failed),
            model=self.model_name,
            backend=self.choice.backend,
            prompt_version=PROMPT_VERSION,
            names=[{"zh": e.zh, "en": e.en, "ticker": e.ticker} for e in entities],
            numbers=[{"source": r.source, "english": r.english, "start": r.start, "end": r.end}
                     for r in prepared.rewrites],
            dropped=dropped,
            chunks=calls,
            retried=any(line.retried for line in shown + failed),
            timings={
                "load_s": round(backend.load_s, 2) if backend else 0.0,
                "prompt_tokens": usage.prompt_tokens,
                "prompt_cached_tokens": usage.cached_tokens,
                "gen_tokens": usage.gen_tokens,
                # Tokens the model read per second: the ones reused from the KV cache took no time.
                "prompt_tok_s": (round((usage.prompt_tokens - usage.cached_tokens) / usage.prompt_s, 1)
                                 if usage.prompt_s else 0.0),
                "gen_tok_s": round(usage.gen_tokens / usage.gen_s, 1) if usage.gen_s else 0.0,
                "calls": usage.calls,
                "total_s": round(total_s, 2),
            },
            sentences=[line.to_dict(doc) for line in facts],
            claims=[{**line.to_dict(doc), "text": CLAIM_PREFIX + line.text} for line in claims],
            points=[{"text": line.text, "sources": line.source.spans,
                     "at": [list(doc.line_col(a)) for a, _ in line.source.spans]} for line in top],
        )


def summary_checks(shown: list[Line], failed: list[Line]) -> list[Check]:
    """One check per kind over the whole summary: every shown sentence passed it; the
    sentences dropped for failing it are listed as repairs (removed, never shown)."""
    out = []
    for name in SENTENCE_CHECKS:
        removed = [{"removed": line.text, "start": line.source.start, "end": line.source.end,
                    "message": c.message} for line in failed for c in line.checks if c.check == name and not c.passed]
        removed += [{"removed": part, "start": line.source.start, "end": line.source.end, "message": c.message}
                    for line in shown for part, checks in line.removed for c in checks if c.check == name]
        message = (f"all {len(shown)} shown sentence(s) pass, each against its own source" if shown
                   else "no sentence to show")
        if removed:
            message += f"; {len(removed)} sentence(s) failing it removed"
        result = CheckResult(name, True, message, repaired=removed)
        out.append(result.to_check())
    if not shown:
        out[-1] = CheckResult("degenerate_output", False, "no sentence passed its checks: no summary").to_check()
    return out


__all__ = ["CLAIM_PREFIX", "Summarizer", "SummaryOptions", "check_line", "summary_checks"]
