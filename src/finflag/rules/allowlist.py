"""Suppressing known-good text: ``--allow FILE``.

An allow-list is a YAML list of entries; each entry applies to the inputs
whose path matches one of its ``paths`` globs (all inputs when omitted) and
suppresses findings that fall on one of its ``phrases`` or come from one of
its ``rules`` (a rule id or a whole category)::

    - phrases: [本文不构成投资建议]
    - paths: ["research/*.txt"]
      rules: [trade_call.stop-target, authority_appeal]
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..document import Document
from .findings import Finding
from .pack import RulePack
from .sources import SOURCES
from .yamlfile import describe


class AllowListError(ValueError):
    pass


@dataclass(frozen=True)
class AllowEntry:
    paths: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    rules: frozenset[str] = field(default_factory=frozenset)

    def applies_to(self, path: str) -> bool:
        return not self.paths or any(fnmatch.fnmatch(path, glob) for glob in self.paths)


def load_allowlist(path: Path) -> list[AllowEntry]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise AllowListError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise AllowListError(f"{path}: not valid YAML: {describe(exc)}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise AllowListError(f"{path}: expected a list of entries with paths/phrases/rules")
    entries = []
    for n, raw in enumerate(data, 1):
        if not isinstance(raw, dict) or not (raw.get("phrases") or raw.get("rules")):
            raise AllowListError(f"{path}: entry {n} needs 'phrases' or 'rules'")
        unknown = set(raw) - {"paths", "phrases", "rules"}
        if unknown:
            raise AllowListError(f"{path}: entry {n}: unknown key(s) {', '.join(sorted(unknown))}")
        entries.append(
            AllowEntry(
                paths=tuple(str(p) for p in raw.get("paths") or ()),
                phrases=tuple(str(p) for p in raw.get("phrases") or ()),
                rules=frozenset(str(r) for r in raw.get("rules") or ()),
            )
        )
    return entries


def _phrase_spans(doc: Document, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for phrase in phrases:
        at = doc.text.find(phrase)
        while at != -1:
            spans.append((at, at + len(phrase)))
            at = doc.text.find(phrase, at + 1)
    return spans


def apply_allowlist(doc: Document, findings: list[Finding], entries: list[AllowEntry]) -> tuple[list[Finding], int]:
    """Findings that survive the allow-list, and how many were suppressed."""
    entries = [e for e in entries if e.applies_to(doc.path)]
    if not entries:
        return findings, 0
    rules = set().union(*(e.rules for e in entries))
    spans = [s for e in entries for s in _phrase_spans(doc, e.phrases)]
    kept = [
        f for f in findings
        if f.category not in rules
        and not rules.intersection(f.rule_ids or [f.rule_id])
        and not any(f.start < end and start < f.end for start, end in spans)
    ]
    return kept, len(findings) - len(kept)


def unknown_rules(entries: list[AllowEntry], pack: RulePack) -> list[str]:
    """Warnings for allow-list ``rules`` that name no rule or category of the pack.

    Such an entry suppresses nothing, silently; rule ids renamed in pack 1.1.0
    (``call.stop-target`` -> ``trade_call.stop-target``) are the likely cause,
    so the warning suggests the rule with the same name after the dot.
    """
    known = {r.id for r in pack.rules} | set(pack.categories)
    # Other rule sources name their findings <source>.<category> (scorer.hype).
    known |= {f"{source}.{category}" for source in SOURCES if source != "pack" for category in pack.categories}
    by_name: dict[str, list[str]] = {}
    for rule in pack.rules:
        by_name.setdefault(rule.id.split(".", 1)[-1], []).append(rule.id)
    warnings = []
    for name in sorted(set().union(*(e.rules for e in entries)) - known):
        close = by_name.get(name.split(".", 1)[-1], [])
        hint = f" (did you mean {' or '.join(close)}?)" if close else " (see 'finflag rules list')"
        warnings.append(f"allow-list: {name} is not a rule id or category of the rules in use{hint}")
    return warnings
