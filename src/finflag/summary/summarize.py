"""English summaries from a local model, with the deterministic work around it.

Order of work for one document: prepare the text (drop boilerplate, rewrite
amounts), look up English names, fit the text to the context (one pass, or
map-reduce over paragraph chunks for long posts), generate, then check the
English against the source and retry once with a stricter prompt when
Chinese leaked through. The result records the model, backend, prompt
version, timings and every check, passed or failed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from .backends import Backend, Generation, load_backend
from .checks import (check_cjk, check_degenerate, check_names, check_numbers, drop_unsupported_numbers,
                     replace_cjk_from_glossary)
from ..document import Document
from ..rules.findings import Finding
from .interrupt import Interrupted, interruptible
from .glossary import NAME_KINDS, Entry, Glossary, tickers_in
from .model import ModelChoice, model_path
from ..normalize import to_simplified
from ..numbers import source_values
from .prepare import DEFAULT_MAX_CHARS, Paragraph, Prepared, prepare
from .prompts import PROMPT_VERSION, fill, load
from .prompts import check_all as check_prompts
from .types import Summary

DEFAULT_MAX_WORDS = 150
_CONTEXT_MARGIN = 64
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9&.'’\-]*")
Progress = Callable[[str], None]


@dataclass
class Usage:
    """Tokens and seconds over every model call for one document (the timings in a summary).

    Kept per document so a long post summarised in parts reports its whole cost.
    """

    prompt_tokens: int = 0
    gen_tokens: int = 0
    prompt_s: float = 0.0
    gen_s: float = 0.0
    calls: int = 0

    def add(self, g: Generation) -> None:
        self.prompt_tokens += g.prompt_tokens
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


def parse_answer(text: str) -> tuple[str, list[str]]:
    """(summary, key points) from the 'SUMMARY: ... KEY POINTS: - ...' format, leniently."""
    body = text.strip()
    points: list[str] = []
    split = re.split(r"\n?\s*\**\s*KEY POINTS\s*:?\s*\**\s*:?\s*\n?", body, maxsplit=1, flags=re.IGNORECASE)
    if len(split) == 2:
        body, tail = split
        points = [re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line).strip() for line in tail.splitlines()]
        points = [p for p in points if p]
    body = re.sub(r"^\s*\**\s*SUMMARY\s*:?\s*\**\s*:?\s*", "", body.strip(), flags=re.IGNORECASE)
    return body.strip(), points


def _names_block(entities: list[Entry]) -> str:
    """Glossary lines for the prompt: names first (with tickers), then terms."""
    names = [e for e in entities if e.kind in NAME_KINDS]
    terms = [e for e in entities if e.kind not in NAME_KINDS]
    lines = [f"- {e.zh} = {e.en}" + (f" ({e.ticker})" if e.ticker else "") for e in names + terms]
    return "\n".join(lines) if lines else "(none found)"


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
        self._overhead: int | None = None
        self._abandoned = False

    # -- model -------------------------------------------------------------
    def backend(self, expected_chars: int = 0) -> Backend:
        if self._backend is None:
            path = model_path(self.choice, announce=self.progress)
            n_ctx = self.options.n_ctx or self._context_for(expected_chars)
            self.progress(f"loading {self.model_name} with {self.choice.backend} (context {n_ctx} tokens)")
            self._backend = load_backend(self.choice.backend, path, n_ctx=n_ctx,
                                         threads=self.options.threads, dtype=self.options.dtype)
        return self._backend

    @property
    def model_name(self) -> str:
        from .model import DEFAULT_MODEL_NAME

        return DEFAULT_MODEL_NAME if self.choice.is_default else self.choice.ref

    def _max_tokens(self) -> int:
        return int(self.options.max_words * 2.2) + 160

    def _context_for(self, chars: int) -> int:
        """Context sized to the input: enough for the post in one pass, 2048-4096 tokens.

        Longer posts are summarised in parts, which also suits a small model
        better than one very long prompt.
        """
        needed = chars + 700 + self._max_tokens()  # ~1 token per Chinese character, plus prompt and answer
        return min(max(2048, -(-needed // 1024) * 1024), 4096)

    def close(self) -> None:
        if self._abandoned:
            return  # a call interrupted by Ctrl-C still runs; the process is about to exit
        if self._backend is not None:
            self._backend.close()
            self._backend = None
            self._overhead = None

    # -- one call ----------------------------------------------------------
    def _ask(self, prompt: str, usage: Usage, strict: bool = False, max_words: int | None = None) -> Generation:
        messages = [{"role": "system", "content": load("system-strict" if strict else "system").strip()},
                    {"role": "user", "content": prompt}]
        max_tokens = int(max_words * 2.2) + 60 if max_words else self._max_tokens()
        backend = self.backend()
        try:
            answer = interruptible(lambda: backend.generate(messages, max_tokens))
        except Interrupted:
            self._abandoned = True  # the call still runs in its thread: never close the backend under it
            raise
        usage.add(answer)
        return answer

    def _budget(self, backend: Backend) -> int:
        """Tokens left for article text; the prompt templates are counted once per loaded model."""
        if self._overhead is None:
            self._overhead = backend.count_tokens(load("system-strict") + load("summarize-part") + "\n" * 4) + 200
        return max(backend.n_ctx - self._overhead - self._max_tokens() - _CONTEXT_MARGIN, 256)

    def _chunks(self, paragraphs: list[Paragraph], budget: int, backend: Backend) -> list[str]:
        chunks: list[str] = []
        current: list[str] = []
        used = 0
        for para in paragraphs:
            pieces = [para.text]
            cost = backend.count_tokens(para.text)
            if cost > budget:  # one huge paragraph: split it into sentence runs
                pieces = [s for s in re.split(r"(?<=[。！？!?；;])", para.text) if s]
            for piece in pieces:
                piece_cost = cost if len(pieces) == 1 else backend.count_tokens(piece)
                while piece_cost > budget:  # a sentence longer than the budget: cut by characters
                    cut = max(int(len(piece) * budget / piece_cost) - 1, 1)
                    chunks.append(piece[:cut])
                    piece, piece_cost = piece[cut:], backend.count_tokens(piece[cut:])
                if current and used + piece_cost > budget:
                    chunks.append("\n".join(current))
                    current, used = [], 0
                current.append(piece)
                used += piece_cost
        if current:
            chunks.append("\n".join(current))
        return chunks

    def _part_words(self, parts: int) -> int:
        return max(30, min(self.options.max_words // 2, 600 // max(parts, 1)))

    def _combine_prompt(self, parts: list[str], usage: Usage, budget: int, path: str) -> str:
        """The final combining prompt; part summaries that do not fit are combined in rounds."""
        backend = self.backend()
        level = 1
        while True:
            labelled = [f"Part {n}: {p}" for n, p in enumerate(parts, 1)]
            if backend.count_tokens("\n\n".join(labelled)) <= budget or len(parts) == 1:
                self.progress(f"summarising {path}: combining {len(parts)} parts")
                joined = "\n\n".join(labelled)
                while backend.count_tokens(joined) > budget:  # one part alone too long: trim it
                    joined = joined[: int(len(joined) * 0.9)]
                return fill("combine", summaries=joined, max_words=self.options.max_words)
            groups: list[list[str]] = [[]]
            used = 0
            for part in labelled:
                cost = backend.count_tokens(part) + 2
                if groups[-1] and used + cost > budget:
                    groups.append([])
                    used = 0
                groups[-1].append(part)
                used += cost
            if len(groups) == len(parts):  # no two parts fit together: shorten them all
                parts = [p[: max(len(p) // 2, 1)] for p in parts]
                continue
            self.progress(f"summarising {path}: combining {len(parts)} parts into {len(groups)} (round {level})")
            words = self._part_words(len(groups))
            parts = [parse_answer(self._ask(fill("combine", summaries="\n\n".join(g), max_words=words), usage,
                                            max_words=words).text)[0] for g in groups]
            level += 1

    # -- a document --------------------------------------------------------
    def summarize(self, doc: Document, findings: list[Finding]) -> Summary:
        started = time.perf_counter()
        prepared = prepare(doc, findings, self.options.max_chars)
        if len(doc.text) > self.options.max_chars:
            self.progress(f"warning: {doc.path} has {len(doc.text):,} characters; only the first "
                          f"{self.options.max_chars:,} are summarised (--max-chars)")
        text = prepared.text
        if not text.strip():
            text = doc.text[:self.options.max_chars]  # everything was boilerplate: summarise what there is
        backend = self.backend(len(text))
        # Names the model is told about come from what it reads; the name check
        # accepts any entity of the whole post.
        entities = self.glossary.find(doc.normalized.text) if doc.language != "en" else []
        names = _names_block(self.glossary.find(to_simplified(text)) if entities else [])
        usage = Usage()
        budget = self._budget(backend)
        paragraphs = prepared.paragraphs or [Paragraph(0, len(text), text)]
        chunks = [text] if backend.count_tokens(text) <= budget else self._chunks(paragraphs, budget, backend)
        if len(chunks) == 1:
            self.progress(f"summarising {doc.path} ({len(doc.text):,} characters)")
            prompt = fill("summarize", article=chunks[0], names=names, max_words=self.options.max_words)
        else:
            part_words = self._part_words(len(chunks))
            parts = []
            for n, chunk in enumerate(chunks, 1):
                self.progress(f"summarising {doc.path}: part {n}/{len(chunks)}")
                part_prompt = fill("summarize-part", article=chunk, names=names, part=n, parts=len(chunks),
                                   max_words=part_words)
                part_summary, _ = parse_answer(self._ask(part_prompt, usage, max_words=part_words).text)
                parts.append(part_summary)
            prompt = self._combine_prompt(parts, usage, budget, doc.path)
        answer = self._ask(prompt, usage)
        summary, points = parse_answer(answer.text)
        retried = False
        if not check_cjk(summary + "\n" + "\n".join(points)).passed:
            self.progress(f"{doc.path}: Chinese left in the English summary; retrying with a stricter prompt")
            answer = self._ask(prompt, usage, strict=True)
            summary, points = parse_answer(answer.text)
            retried = True
        return self._result(doc, prepared, entities, summary, points, answer, usage, len(chunks), retried,
                            time.perf_counter() - started)

    def _result(self, doc: Document, prepared: Prepared, entities: list[Entry], summary: str, points: list[str],
                answer: Generation, usage: Usage, chunks: int, retried: bool, total_s: float) -> Summary:
        tickers = [e.ticker for e in entities if e.ticker]
        allowed = set(_LATIN.findall(doc.text)) | set(tickers) | {p for t in tickers for p in t.split(".")}
        allowed |= {name for e in entities for name in (e.en, *e.aliases)}
        # Codes such as 300750.SZ come from our glossary, so their digits are supported too.
        values = source_values(doc.normalized.text + " " + " ".join(tickers))
        # Deterministic repairs, each reported: glossary English for leaked Chinese,
        # and no sentence that states a number the source does not have.
        summary, cjk_fixed = replace_cjk_from_glossary(summary, self.glossary.english_for)
        fixed_points = [replace_cjk_from_glossary(p, self.glossary.english_for) for p in points]
        points = [p for p, _ in fixed_points]
        cjk_fixed += [r for _, rs in fixed_points for r in rs]
        raw_numbers = check_numbers(summary + "\n" + "\n".join(points), values)
        summary, points, removed = drop_unsupported_numbers(summary, points, values)
        english = summary + "\n" + "\n".join(points)
        checks = [
            check_numbers(english, values),
            check_cjk(english),
            check_names(english, allowed),
            check_degenerate(summary, answer.finish_reason),
        ]
        if removed:
            checks[0].repaired = removed
            checks[0].message = (f"{raw_numbers.message}; removed {len(removed)} sentence(s)/point(s) stating them"
                                 if checks[0].passed else checks[0].message)
        if cjk_fixed:
            checks[1].repaired = cjk_fixed
            checks[1].message += "; replaced from the glossary: " + ", ".join(
                f"{r['chinese']} -> {r['english']}" for r in cjk_fixed)
        if retried:
            checks[1].message += " (after one retry with a stricter prompt)"
        backend = self._backend
        return Summary(
            text=summary,
            key_points=points,
            tickers=tickers_in(doc.text, entities),
            checks=[c.to_check() for c in checks],
            model=self.model_name,
            backend=self.choice.backend,
            prompt_version=PROMPT_VERSION,
            names=[{"zh": e.zh, "en": e.en, "ticker": e.ticker} for e in entities],
            numbers=[{"source": r.source, "english": r.english, "start": r.start, "end": r.end}
                     for r in prepared.rewrites],
            dropped=[{"start": d.start, "end": d.end, "reason": d.reason} for d in prepared.dropped],
            chunks=chunks,
            retried=retried,
            timings={
                "load_s": round(backend.load_s, 2) if backend else 0.0,
                "prompt_tokens": usage.prompt_tokens,
                "gen_tokens": usage.gen_tokens,
                "prompt_tok_s": round(usage.prompt_tokens / usage.prompt_s, 1) if usage.prompt_s else 0.0,
                "gen_tok_s": round(usage.gen_tokens / usage.gen_s, 1) if usage.gen_s else 0.0,
                "calls": usage.calls,
                "total_s": round(total_s, 2),
            },
        )


__all__ = ["Summarizer", "SummaryOptions", "parse_answer"]
