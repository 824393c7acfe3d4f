"""Translate: the selected sentences as numbered lines, in as few compact calls as fit.

The model reads only the lines it must translate (amounts already in
English, see :mod:`finflag.numbers`) and the glossary names of the entities
*in those lines*, never the whole post. Every part of a prompt (system,
instructions, names block, lines) is counted with the backend's own
tokenizer, plus the answer's token allowance and a margin for the chat
template's role markers, so no input of any length can exceed the context:
lines that do not fit go to the next call. The system message holds all the
constant instructions and is byte-identical in every call, so llama.cpp
reuses its KV cache (``cache_prompt``) between calls and posts.

A sentence can also be sent as its clauses (:func:`clause_parts`), each a
numbered line, with their English joined again: the summarizer does this for
a sentence whose first translation failed or left figures out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from .backends import Backend
from .glossary import NAME_KINDS, Entry
from ..numbers import english_numbers
from .prompts import fill, load
from .select import LINES_PER_CALL, Sentence

#: Tokens for the chat template's role markers around two messages (Qwen and
#: SmolLM2 use 5 per message plus 3 for the assistant turn); generous on purpose.
TEMPLATE_TOKENS = 32
#: Answer allowance: English tokens per source token of a line, plus the line number.
ANSWER_PER_TOKEN = 1.6
ANSWER_PER_LINE = 8
_NUMBERED = re.compile(r"^\s*\**\s*(\d{1,3})\s*[.)：:、]\s*\**\s*(.*\S)\s*$")
#: A line the model reads longer than this (characters) is sent as its clauses, each a numbered
#: line of its own; their English is joined again. Asked for a 100-character sentence with five
#: figures in one line, the small model often translates its first or last clause and drops the
#: rest ("Is anyone watching this stock?" for a sentence that goes on to a placement's price,
#: size and buyers), or garbles one figure (7566吨 -> "75,660 tons") so the whole line fails.
CLAUSE_SPLIT_ABOVE = 56
#: Clauses are merged up to this length, so that no part is a bare "4月19日，".
CLAUSE_CHARS = 40
#: A clause ends after ， or ；, or at a space between two Chinese phrases (headlines use spaces
#: as separators: 午评：工行H股半日收跌7.90% 高盛拟售24亿股).
_CLAUSE_END = re.compile(r"(?<=[，；;])|(?<=[\u3400-\u9fff%])\s+(?=[\u3400-\u9fff])")


@dataclass
class Call:
    """One prepared model call: its messages, answer allowance and the sentences it carries."""

    sentences: list[Sentence]
    messages: list[dict[str, str]]
    max_tokens: int
    prompt_tokens: int          # counted with the backend's tokenizer, template margin included


def names_block(entities: list[Entry]) -> str:
    """Glossary lines for the entities of these lines only: names first, then terms. Tickers stay
    out: given "英伟达 = Nvidia (NVDA)", the model wrote "Nvidia (NVDA)" in every line that names
    it, tokens read and generated for nothing (the summary lists a post's tickers on its own).
    Everyday terms (市值, 同比) stay in: without them the benchmark wrap's translation changed and
    needed one more retry (383 tokens generated instead of 338). One entry is ``中文=English`` on a
    line of its own: "- 中文 = English" cost the benchmark wrap 76 more prompt tokens for its 26
    entries (230 against 154), read again in every call."""
    unique = list({e.zh: e for e in entities}.values())
    names = [e for e in unique if e.kind in NAME_KINDS]
    terms = [e for e in unique if e.kind not in NAME_KINDS]
    lines = [f"{e.zh}={e.en}" for e in names + terms]
    return "\n".join(lines) if lines else "(none)"


def numbered(texts: list[str]) -> str:
    return "\n".join(f"{n}. {' '.join(t.split())}" for n, t in enumerate(texts, 1))


def parse_numbered(answer: str, count: int) -> dict[int, str]:
    """Line number -> English, for the numbered lines of an answer (first answer per number wins)."""
    out: dict[int, str] = {}
    for line in answer.splitlines():  # unnumbered lines (explanations) are not translations
        match = _NUMBERED.match(line)
        if match and 1 <= int(match.group(1)) <= count and int(match.group(1)) not in out:
            out[int(match.group(1))] = match.group(2).strip()
    if not out and count == 1 and answer.strip() and len(answer.strip().splitlines()) == 1:
        out[1] = answer.strip()  # one line asked, one unnumbered line answered
    return out


def system_message() -> dict[str, str]:
    return {"role": "system", "content": load("system").strip()}


def build_call(sentences: list[Sentence], backend: Backend, strict: bool = False) -> Call:
    """The call for these sentences, with its exact token count."""
    texts = [s.text for s in sentences]
    names = names_block([e for s in sentences for e in s.entities])
    user = fill("translate-strict" if strict else "translate", names=names, lines=numbered(texts), count=len(texts),
                text=" ".join(" ".join(t.split()) for t in texts))
    system = system_message()
    prompt_tokens = backend.count_tokens(system["content"]) + backend.count_tokens(user) + TEMPLATE_TOKENS
    source_tokens = backend.count_tokens("\n".join(texts))
    max_tokens = int(source_tokens * ANSWER_PER_TOKEN) + ANSWER_PER_LINE * len(texts) + 16
    return Call(sentences, [system, {"role": "user", "content": user}], max_tokens, prompt_tokens)


def fits(call: Call, n_ctx: int) -> bool:
    return call.prompt_tokens + call.max_tokens <= n_ctx


def plan_calls(sentences: list[Sentence], backend: Backend, max_lines: int = LINES_PER_CALL, strict: bool = False
               ) -> list[Call]:
    """Calls covering every sentence, each within the context (at most ``max_lines`` lines).

    Lines are added to a call while the whole prompt plus the answer
    allowance fits. A single line that cannot fit even alone is cut into
    halves (:func:`_halves`; the sentence selection already keeps lines
    short, so this only happens with a tiny context).
    """
    calls: list[Call] = []
    pending = list(sentences)
    while pending:
        batch: list[Sentence] = []
        best: Call | None = None
        while pending and len(batch) < max_lines:
            trial = build_call(batch + [pending[0]], backend, strict)
            if not fits(trial, backend.n_ctx):
                break
            batch.append(pending.pop(0))
            best = trial
        if best is None:  # the first line alone does not fit: halve it
            pending[0:1] = _halves(pending[0])
            continue
        calls.append(best)
    return calls


def _halves(s: Sentence) -> list[Sentence]:
    """The line the model reads cut in two near its middle, at a Chinese character, so that an
    amount already in English (US$2.85 billion) or a name in Latin letters stays whole. The
    halves keep the sentence's offsets: their English is joined onto it again (:func:`translate`),
    as a clause's is."""
    text = s.text
    if len(text) < 2:
        raise ValueError("the context is too small for the translation prompt itself (raise --n-ctx)")
    middle = len(text) // 2
    cuts = sorted(range(1, len(text)), key=lambda i: abs(i - middle))
    mid = next((i for i in cuts if not (text[i - 1].isascii() and text[i].isascii())), middle)
    return [replace(s, text=text[:mid]), replace(s, text=text[mid:])]


def clause_parts(s: Sentence, split_above: int = CLAUSE_SPLIT_ABOVE) -> list[Sentence]:
    """A sentence longer than ``split_above`` as its clauses (merged up to CLAUSE_CHARS, or half
    the sentence if that is less), each to be translated as a line of its own; a shorter one as
    itself. The parts keep the sentence's offsets and entities: they are only what the model
    reads, and their English is joined again and checked against the whole sentence."""
    if len(s.text) <= split_above:
        return [s]
    merge = min(CLAUSE_CHARS, max(12, len(s.text) // 2))
    parts: list[str] = []
    for clause in (c for c in _CLAUSE_END.split(s.text) if c and c.strip()):
        if parts and len(parts[-1]) + len(clause) <= merge:
            parts[-1] += clause
        else:
            parts.append(clause)
    if len(parts) > 1 and len(parts[-1]) < merge // 3:
        parts[-2:] = [parts[-2] + parts[-1]]  # a short tail ("等。") stays with its clause
    if len(parts) < 2:
        return [s]
    return [replace(s, text=part) for part in parts]


Ask = Callable[[Call], str]


def translate(sentences: list[Sentence], backend: Backend, ask: Ask, strict: bool = False,
              max_lines: int = LINES_PER_CALL, by_clause: bool = False,
              split_above: int = CLAUSE_SPLIT_ABOVE) -> list[tuple[Sentence, str]]:
    """Each sentence with its English, "" when the model skipped its line. ``strict``: the retry
    prompt for lines that failed their checks; ``max_lines``: lines per call (a retry sends each
    line alone: in a batch the model sometimes copies the Chinese back instead of translating it);
    ``by_clause``: sentences longer than ``split_above`` are sent as their clauses
    (:func:`clause_parts`). A clause, or a half of a line too long for the context, keeps its
    offsets inside its sentence, which is how its English finds its way back."""
    parts = [part for s in sentences for part in (clause_parts(s, split_above) if by_clause else [s])]
    english: list[list[str]] = [[] for _ in sentences]
    for call in plan_calls(parts, backend, max_lines=max_lines, strict=strict):
        answer = parse_numbered(ask(call), len(call.sentences))
        for n, part in enumerate(call.sentences, 1):
            if answer.get(n):
                k = next(i for i, s in enumerate(sentences) if s.start <= part.start < s.end)
                english[k].append(answer[n])
    return [(s, _join(e)) for s, e in zip(sentences, english)]


_WORD = re.compile(r"[A-Za-z]+")


def _join(parts: list[str]) -> str:
    """The English of a sentence's clauses as one text, without repeats: given a sentence as its
    clauses, the model sometimes restates one clause's content on the next line ("…raising its
    target from US$20 to US$42. Analysts predicted a 40% increase in Affirm's target price…"). A
    clause's English is kept when it states a figure the kept ones do not, or when most of its
    words are new (the Nasdaq's 1% after the Dow's 1% is a fact of its own)."""
    kept: list[str] = []
    figures: set = set()
    words: set[str] = set()
    for part in parts:
        values = {n.value for n in english_numbers(part)}
        own = {w.lower() for w in _WORD.findall(part) if len(w) > 3}
        if values - figures or not own or len(own & words) < 0.6 * len(own):
            kept.append(part)
            figures |= values
            words |= own
    return " ".join(kept)


__all__ = ["Call", "build_call", "clause_parts", "fits", "names_block", "numbered", "parse_numbered", "plan_calls", "translate"]
