"""The one-way flow for the rule layer: sources -> documents -> results.

Kept apart from the CLI so batch runs, the evaluator and tests drive the
same code a user drives from the shell.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .rules.allowlist import AllowEntry, apply_allowlist
from .document import Document
from .rules.findings import at_or_above, find, verdict
from .input.ingest import MAX_BYTES, InputError, Source, expand_sources, load_document
from .result import FlagResult
from .rules.pack import RulePack


@dataclass
class FlagOptions:
    min_severity: str = "info"
    allow: list[AllowEntry] = field(default_factory=list)
    encoding: str | None = None
    max_bytes: int = MAX_BYTES


def flag_document(doc: Document, pack: RulePack, options: FlagOptions | None = None) -> FlagResult:
    """Findings and verdict for one document."""
    options = options or FlagOptions()
    findings = find(doc, pack)
    findings, suppressed = apply_allowlist(doc, findings, options.allow)
    findings = at_or_above(findings, options.min_severity)
    return FlagResult(doc, findings, verdict(findings, pack.categories), pack.fingerprint, suppressed)


def flag_sources(
    sources: Iterable[Source | InputError], pack: RulePack, options: FlagOptions | None = None
) -> Iterator[FlagResult | InputError]:
    """A result or an error per source, in order; never raises for bad input."""
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
        yield flag_document(doc, pack, options)


def flag_paths(
    paths: Iterable[str], pack: RulePack, options: FlagOptions | None = None,
    globs: Iterable[str] = (), excludes: Iterable[str] = (),
) -> Iterator[FlagResult | InputError]:
    return flag_sources(expand_sources(paths, globs, excludes), pack, options)
