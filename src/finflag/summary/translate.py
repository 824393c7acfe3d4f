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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .backends import Backend
from .glossary import NAME_KINDS, Entry
from ..numbers import rewrite_amounts
from .prompts import fill, load
from .select import Sentence

#: Tokens for the chat template's role markers around two messages (Qwen and
#: SmolLM2 use 5 per message plus 3 for the assistant turn); generous on purpose.
TEMPLATE_TOKENS = 32
#: Answer allowance: English tokens per source token of a line, plus the line number.
ANSWER_PER_TOKEN = 1.6
ANSWER_PER_LINE = 8
_NUMBERED = re.compile(r"^\s*\**\s*(\d{1,3})\s*[.)：:、]\s*\**\s*(.*\S)\s*$")


@dataclass
class Call:
    """One prepared model call: its messages, answer allowance and the sentences it carries."""

    sentences: list[Sentence]
    messages: list[dict[str, str]]
    max_tokens: int
    prompt_tokens: int          # counted with the backend's tokenizer, template margin included


def names_block(entities: list[Entry]) -> str:
    """Glossary lines for the entities of these lines only: names (with tickers) first, then terms."""
    unique = list({e.zh: e for e in entities}.values())
    names = [e for e in unique if e.kind in NAME_KINDS]
    terms = [e for e in unique if e.kind not in NAME_KINDS]
    lines = [f"- {e.zh} = {e.en}" + (f" ({e.ticker})" if e.ticker else "") for e in names + terms]
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


def plan_calls(sentences: list[Sentence], backend: Backend, max_lines: int = 12, strict: bool = False) -> list[Call]:
    """Calls covering every sentence, each within the context (at most ``max_lines`` lines).

    Lines are added to a call while the whole prompt plus the answer
    allowance fits. A single line that cannot fit even alone is cut into
    halves (at character level; the sentence selection already keeps lines
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
    if len(s.source) < 2:
        raise ValueError("the context is too small for the translation prompt itself (raise --n-ctx)")
    mid = len(s.source) // 2
    out = []
    for a, b in ((0, mid), (mid, len(s.source))):
        text, _ = rewrite_amounts(s.source[a:b], s.yuan)
        rewrites = [r for r in s.rewrites if s.start + a <= r.start and r.end <= s.start + b]
        out.append(Sentence(s.start + a, s.start + b, s.source[a:b], text, rewrites, s.entities, s.tickers, s.numbers,
                     s.score, s.index, s.also, s.yuan))
    return out


Ask = Callable[[Call], str]


def translate(sentences: list[Sentence], backend: Backend, ask: Ask, strict: bool = False,
              max_lines: int = 12) -> list[tuple[Sentence, str]]:
    """Each sentence (halves of one too long for the context count as two) with its English,
    "" when the model skipped its line. ``strict``: the retry prompt for lines that failed their
    checks; ``max_lines``: lines per call (a retry sends each line alone: in a batch the model
    sometimes copies the Chinese back instead of translating it)."""
    out: list[tuple[Sentence, str]] = []
    for call in plan_calls(sentences, backend, max_lines=max_lines, strict=strict):
        answer = parse_numbered(ask(call), len(call.sentences))
        out += [(s, answer.get(n, "")) for n, s in enumerate(call.sentences, 1)]
    return out


__all__ = ["Call", "build_call", "fits", "names_block", "numbered", "parse_numbered", "plan_calls", "translate"]
