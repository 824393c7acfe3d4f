"""Where findings come from: each rule source is one module registered in :data:`SOURCES`.

A source is a callable ``(doc, pack) -> findings`` plus what its findings
depend on (for result caching). ``pack`` is the YAML rule pack; ``scorer`` is
the learned scorer (:mod:`finflag.rules.scorer`). The pipeline runs the
sources a run enables, in order, and merges their findings with
:func:`run_sources`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import NamedTuple

from ..document import Document
from . import scorer
from .findings import BY_POSITION, Finding, find
from .pack import RulePack


class RuleSource(NamedTuple):
    find: Callable[[Document, RulePack], list[Finding]]
    #: What the findings depend on besides the text, for result caching (batch resume).
    version: Callable[[RulePack], str]


SOURCES: dict[str, RuleSource] = {
    "pack": RuleSource(find, attrgetter("fingerprint")),
    "scorer": RuleSource(scorer.find, lambda pack: scorer.MODEL_NAME),
}

#: Measured, not assumed (README, "Learned scorer"): the scorer stays off unless asked for.
DEFAULT_SOURCES: tuple[str, ...] = ("pack",)


def enabled(scorer_switch: bool | None) -> tuple[str, ...]:
    """The sources of a run: the default, or the pack with the scorer switched on or off."""
    if scorer_switch is None:
        return DEFAULT_SOURCES
    return ("pack", "scorer") if scorer_switch else ("pack",)


def fingerprint(pack: RulePack, names: Iterable[str]) -> str:
    """What a run's findings depend on: the pack's name@version, then any other source's version."""
    return "+".join(SOURCES[name].version(pack) for name in names)


def run_sources(doc: Document, pack: RulePack, finders: Iterable[Callable[[Document, RulePack], list[Finding]]]
                ) -> list[Finding]:
    """The findings of every source, by offset.

    A finding of a later source is dropped where an earlier source already has
    a finding of the same category overlapping it (the pack's evidence is the
    more precise quote).
    """
    merged: list[Finding] = []
    for count, source in enumerate(finders):
        found = source(doc, pack)
        if count:
            found = [f for f in found
                     if not any(g.category == f.category and g.start < f.end and f.start < g.end for g in merged)]
            merged += found
            merged.sort(key=BY_POSITION)
        else:
            merged = list(found)  # the caller's list stays as it was (a cached pack result)
    return merged
