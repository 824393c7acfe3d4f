"""Faithfulness of the summaries against a labelled set (``finflag eval-summaries``).

The labels (``tests/summaries/labels.yaml``) say, per post, which facts a
faithful summary must carry (a quote locating the source span, the entity's
English name, optionally a number) and which names must not appear. The
figures are recomputed here from the summary's text and its links, not read
from the summarizer's own check results, so a bug in a check cannot hide
itself:

- linked: shown sentences (facts and claims) that carry source offsets;
- passing: shown sentences whose own checks all passed;
- attribution errors: a number in a shown sentence that its linked source
  sentence does not state, or an amount in another currency than the
  source's (RMB 176 million written "$176 million");
- invented names: capitalised names in a shown sentence that neither its
  linked source nor the glossary English of an entity in it supports, nor
  the pinyin of a proper name in it ("Yiyang" for 益阳市). What counts as
  supported is one definition shared with the summarizer's check
  (``checks.supported_names``, ``checks.check_names_strict``,
  ``summary.romanize``); it is recomputed here over the sentence's links as
  the summary records them, not taken from the check's verdict,
  plus any labelled ``must_not_appear`` name anywhere in the summary;
- coverage: labelled facts for which a shown sentence links to a source
  overlapping the fact's quote and names the entity (and the number);
- claims stated as fact: factual sentences whose source overlaps a
  promotional finding of the author.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .document import Document
from .input.ingest import Source, load_document
from .input.lang import detect_language
from .normalize import to_simplified
from .numbers import Rewrite, english_numbers, is_supported, post_yuan, rewrite_amounts, source_values
from .pipeline import flag_document
from .rules.pack import RulePack
from .summary.checks import (check_currency, check_names_strict, fraction_values, mentions, source_money,
                             supported_names)
from .summary.glossary import Glossary
from .summary.romanize import source_pinyin
from .summary.summarize import CLAIM_PREFIX


class LabelError(ValueError):
    """A labels file that cannot be used; the message names the file and the document."""


@dataclass
class Fact:
    quote: str
    entity: str
    aliases: list[str] = field(default_factory=list)
    number: str = ""
    what: str = ""


@dataclass
class Labelled:
    id: str
    doc: Document | None
    facts: list[Fact]
    must_not_appear: list[str]
    skipped: str = ""           # why the document could not be evaluated (its source is absent)


def _resolve(base: Path, relative: str) -> Path | None:
    """``relative`` against the labels file's folder and each folder above it (repo-relative paths)."""
    for folder in [base, *base.parents]:
        candidate = folder / relative
        if candidate.exists():
            return candidate
    return None


def load_labels(path: Path) -> list[Labelled]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise LabelError(f"{path}: {exc}") from None
    docs = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(docs, list):
        raise LabelError(f"{path}: expected a 'documents' list")
    base = Path(path).resolve().parent
    out: list[Labelled] = []
    seen: set[str] = set()
    for n, entry in enumerate(docs, 1):
        if not isinstance(entry, dict) or not entry.get("id"):
            raise LabelError(f"{path}: document {n} has no id")
        ident = str(entry["id"])
        if ident in seen:
            raise LabelError(f"{path}: duplicate id {ident}")
        seen.add(ident)
        facts = [Fact(str(f["quote"]), str(f.get("entity", "")), [str(a) for a in f.get("aliases") or []],
                      str(f.get("number") or ""), str(f.get("what") or "")) for f in entry.get("facts") or []]
        labelled = Labelled(ident, None, facts, [str(x) for x in entry.get("must_not_appear") or []])
        labelled.doc, labelled.skipped = _load_text(path, base, entry, ident)
        if labelled.doc is not None:
            for fact in facts:
                if fact.quote not in labelled.doc.text:
                    raise LabelError(f"{path}: {ident}: quote {fact.quote!r} is not in the post")
        out.append(labelled)
    return out


def _load_text(path: Path, base: Path, entry: dict[str, Any], ident: str) -> tuple[Document | None, str]:
    if entry.get("path"):
        file = _resolve(base, str(entry["path"]))
        if file is None:
            return None, f"{entry['path']} not found"
        doc = load_document(Source(str(file)))
    elif entry.get("root") and entry.get("file"):
        root = _resolve(base, str(entry["root"]))
        if root is None or not (root / str(entry["file"])).is_file():
            return None, f"{entry['root']}/{entry['file']} not found (../shared absent?)"
        if not entry.get("line"):  # a whole file
            doc = load_document(Source(str(root / str(entry["file"]))))
            return _checked(path, entry, ident, doc)
        lines = (root / str(entry["file"])).read_text(encoding="utf-8").splitlines()
        number = int(entry["line"])
        if not 1 <= number <= len(lines):
            raise LabelError(f"{path}: {ident}: line {number} is past the end of {entry['file']}")
        text = lines[number - 1]
        doc = Document(path=f"{entry['file']}:{number}", text=text, language=detect_language(text))
    else:
        raise LabelError(f"{path}: {ident}: give 'path', or 'root' + 'file' (+ 'line')")
    return _checked(path, entry, ident, doc)


def _checked(path: Path, entry: dict[str, Any], ident: str, doc: Document) -> tuple[Document, str]:
    sha = entry.get("sha")
    if sha and hashlib.sha256(doc.text.encode("utf-8")).hexdigest() != sha:
        raise LabelError(f"{path}: {ident}: the post's text changed (sha256 differs from the label)")
    return doc, ""


@dataclass
class DocFigures:
    id: str
    shown: int = 0
    linked: int = 0
    passing: int = 0
    attribution_errors: list[str] = field(default_factory=list)
    invented_names: list[str] = field(default_factory=list)
    facts: int = 0
    covered: int = 0
    missed: list[str] = field(default_factory=list)
    claims_as_fact: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""


def _source_values(simplified: str, rewrites: list[Rewrite]) -> set[Decimal]:
    return source_values(simplified) | fraction_values(simplified) | {Decimal(r.value) for r in rewrites}


def _names(text: str) -> list[str]:
    return [n for n in re.split(r"\s*\|\s*", text) if n]


def _number_in(text: str, number: str) -> bool:
    wanted = english_numbers(number)
    found = english_numbers(text)
    return all(any(is_supported(w, {f.value}) or is_supported(f, {w.value}) for f in found) for w in wanted)


def score(labelled: Labelled, summary: dict[str, Any], findings: list[Any], glossary: Glossary) -> DocFigures:
    """The figures of one summarised document (see the module docstring)."""
    doc = labelled.doc
    assert doc is not None
    figures = DocFigures(labelled.id, seconds=float(summary.get("timings", {}).get("total_s", 0.0)))
    shown = list(summary.get("sentences", [])) + list(summary.get("claims", []))
    figures.shown = len(shown)
    promo = [f for f in findings if getattr(f, "voice", "author") == "author"]
    yuan = post_yuan(doc.text)
    for item in shown:
        spans = [tuple(s) for s in item.get("sources", [])]
        figures.linked += bool(spans)
        figures.passing += all(v == "pass" for v in item.get("checks", {}).values()) and bool(item.get("checks"))
        source = " ".join(doc.text[a:b] for a, b in spans)
        text = item["text"]
        simplified = to_simplified(source)
        rewrites = rewrite_amounts(source, yuan)[1]
        values = _source_values(simplified, rewrites)
        entities = glossary.find(simplified)
        values |= source_values(" ".join(e.ticker for e in entities if e.ticker))
        figures.attribution_errors += [f"{n.text} in “{text}”" for n in english_numbers(text)
                                       if not is_supported(n, values)]
        figures.attribution_errors += [f"{b['text']} (currency) in “{text}”"
                                       for b in check_currency(text, source_money(rewrites, source, yuan)).items]
        checked = text.removeprefix(CLAIM_PREFIX)
        names = check_names_strict(checked, supported_names(source, simplified, entities), source_pinyin(simplified))
        figures.invented_names += [str(b["text"]) for b in names.items]
        if item in summary.get("sentences", []):
            for f in promo:
                if any(f.start < b and a < f.end for a, b in spans):
                    figures.claims_as_fact.append(f"{f.category}: “{text}”")
                    break
    everything = " ".join(item["text"] for item in shown)
    figures.invented_names += [n for n in labelled.must_not_appear if mentions(everything, n)]
    for fact in labelled.facts:
        figures.facts += 1
        start = doc.text.index(fact.quote)
        end = start + len(fact.quote)
        names = [n for n in [*_names(fact.entity), *fact.aliases] if n]
        ok = any(any(a < end and start < b for a, b in item.get("sources", []))
                 and (not names or any(mentions(item["text"], n) for n in names))
                 and (not fact.number or _number_in(item["text"], fact.number))
                 for item in shown)
        figures.covered += ok
        if not ok:
            figures.missed.append(fact.what or fact.quote)
    return figures


def evaluate(labels: list[Labelled], summarizer: Any, pack: RulePack, glossary: Glossary | None = None,
             progress=lambda message: None) -> list[DocFigures]:
    glossary = glossary or summarizer.glossary
    out = []
    for labelled in labels:
        if labelled.doc is None:
            out.append(DocFigures(labelled.id, skipped=labelled.skipped))
            continue
        progress(f"eval-summaries: {labelled.id}")
        started = time.perf_counter()
        findings = flag_document(labelled.doc, pack).findings
        summary = summarizer.summarize(labelled.doc, findings).to_dict()
        figures = score(labelled, summary, findings, glossary)
        figures.seconds = round(time.perf_counter() - started, 2)
        out.append(figures)
    return out


def totals(figures: list[DocFigures]) -> dict[str, Any]:
    done = [f for f in figures if not f.skipped]
    shown = sum(f.shown for f in done)
    facts = sum(f.facts for f in done)

    def pct(a: int, b: int) -> float:
        return round(100.0 * a / b, 1) if b else 100.0

    return {
        "posts": len(done),
        "skipped": len(figures) - len(done),
        "sentences_shown": shown,
        "linked_pct": pct(sum(f.linked for f in done), shown),
        "passing_pct": pct(sum(f.passing for f in done), shown),
        "attribution_errors": sum(len(f.attribution_errors) for f in done),
        "invented_names": sum(len(f.invented_names) for f in done),
        "coverage_pct": pct(sum(f.covered for f in done), facts),
        "facts": facts,
        "claims_stated_as_fact": sum(len(f.claims_as_fact) for f in done),
        "seconds_per_post": round(sum(f.seconds for f in done) / len(done), 2) if done else 0.0,
    }


def report_text(figures: list[DocFigures]) -> str:
    lines = [f"{'post':32} {'shown':>5} {'linked':>6} {'pass':>5} {'attr':>4} {'names':>5} {'facts':>7} "
             f"{'claims':>6} {'s':>7}"]
    for f in figures:
        if f.skipped:
            lines.append(f"{f.id[:32]:32} skipped: {f.skipped}")
            continue
        lines.append(f"{f.id[:32]:32} {f.shown:5} {f.linked:6} {f.passing:5} {len(f.attribution_errors):4} "
                     f"{len(f.invented_names):5} {f.covered:3}/{f.facts:<3} {len(f.claims_as_fact):6} "
                     f"{f.seconds:7.1f}")
        lines += [f"    attribution error: {x}" for x in f.attribution_errors]
        lines += [f"    invented name: {x}" for x in f.invented_names]
        lines += [f"    missed fact: {x}" for x in f.missed]
        lines += [f"    claim stated as fact: {x}" for x in f.claims_as_fact]
    t = totals(figures)
    lines += ["", f"posts {t['posts']} (skipped {t['skipped']}), sentences shown {t['sentences_shown']}",
              f"sentences linked to a source: {t['linked_pct']}%",
              f"sentences passing their checks: {t['passing_pct']}%",
              f"attribution errors (number not in its linked source): {t['attribution_errors']}",
              f"invented names: {t['invented_names']}",
              f"coverage of labelled facts: {t['coverage_pct']}% of {t['facts']}",
              f"claims stated as fact: {t['claims_stated_as_fact']}",
              f"seconds per post: {t['seconds_per_post']}"]
    return "\n".join(lines)


__all__ = ["DocFigures", "Fact", "LabelError", "Labelled", "evaluate", "load_labels", "report_text", "score",
           "totals"]
