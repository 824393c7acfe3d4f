"""The one-way flow: sources -> documents -> results (flag, then optionally summarise).

Single runs, batches, the evaluator and tests all drive these functions, so
the flag step and the analyze step exist once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .document import Document
from .input.ingest import MAX_BYTES, InputError, Source, expand_sources, load_document
from .result import FlagResult
from .rules.allowlist import AllowEntry, apply_allowlist
from .rules.findings import at_or_above, verdict
from .rules.pack import RulePack
from .rules.sources import DEFAULT_SOURCES, SOURCES, fingerprint, run_sources
from .rules.voice import assign_voice

if TYPE_CHECKING:  # the summarizer pulls in the model stack; only its type is needed here
    from .summary.summarize import Summarizer


@dataclass
class FlagOptions:
    min_severity: str = "info"
    allow: list[AllowEntry] = field(default_factory=list)
    encoding: str | None = None
    max_bytes: int = MAX_BYTES
    #: Rule sources to run, by name in ``rules.sources.SOURCES``: the pack, and the learned scorer when enabled.
    sources: tuple[str, ...] = DEFAULT_SOURCES

    def __post_init__(self) -> None:
        unknown = [name for name in self.sources if name not in SOURCES]
        if unknown:
            raise ValueError(f"unknown rule source(s) {', '.join(unknown)} (known: {', '.join(SOURCES)})")


def flag_document(doc: Document, pack: RulePack, options: FlagOptions | None = None) -> FlagResult:
    """Findings and verdict for one document."""
    options = options or FlagOptions()
    findings = assign_voice(doc, run_sources(doc, pack, [SOURCES[name].find for name in options.sources]), pack)
    findings, suppressed = apply_allowlist(doc, findings, options.allow)
    findings = at_or_above(findings, options.min_severity)
    return FlagResult(doc, findings, verdict(findings, pack.categories), fingerprint(pack, options.sources),
                      suppressed)


def add_summary(result: FlagResult, summarizer: Summarizer) -> FlagResult:
    """The analyze step after flagging: the summary sees the findings (it drops promotional footers)."""
    result.summary = summarizer.summarize(result.doc, result.findings)
    return result


def flag_sources(
    sources: Iterable[Source | InputError], pack: RulePack, options: FlagOptions | None = None,
    summarizer: Summarizer | None = None,
) -> Iterator[FlagResult | InputError]:
    """A result (summarised when a summarizer is given) or an error per source, in order.

    Never raises for bad input: an unreadable source is yielded as its error.
    """
    options = options or FlagOptions()
    for source in sources:
        if isinstance(source, InputError):
            yield source
            continue
        try:
            doc = load_document(source, options.encoding, options.max_bytes)
        except InputError as error:
            yield error
            continue
        result = flag_document(doc, pack, options)
        yield add_summary(result, summarizer) if summarizer is not None else result


def flag_paths(
    paths: Iterable[str], pack: RulePack, options: FlagOptions | None = None,
    globs: Iterable[str] = (), excludes: Iterable[str] = (), summarizer: Summarizer | None = None,
) -> Iterator[FlagResult | InputError]:
    return flag_sources(expand_sources(paths, globs, excludes), pack, options, summarizer)
