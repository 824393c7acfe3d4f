"""The learned scorer: a rule source that rates each sentence with a small linear model.

Every sentence of a post (segmented on the normalised text, so traditional
and full-width posts read like the rest, and mapped back to the original) is
split into clauses at commas, and each clause becomes a set of hashed
features: its character 1-, 2- and 3-grams and a few shape features (a digit,
a price, a future-time word). One logistic model per category scores each
clause; the categories whose probability clears their own threshold compete,
and the most probable one makes the whole sentence a ``warning`` finding
with rule id ``scorer.<category>``. The explanation names
the n-grams that pushed the score up most, so a reviewer sees why.

The weights are a package data file (``data/scorer-v2.json``): bucket index ->
weight, per category, with the training command, label-set hash, thresholds
and held-out figures in its header. Only hashes are stored, never text.
They are trained by :mod:`finflag.scorer_training` (which uses this module's
:func:`sentences` and :func:`features`, so training and use see the same
features). Pure Python at run time: a few dictionary look-ups per n-gram.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from ..document import Document, Span
from .findings import Finding, finding_id
from .pack import RulePack

MODEL_FILE = "scorer-v2.json"
MODEL_NAME = MODEL_FILE.removesuffix(".json")
FORMAT = "finflag-scorer"
NGRAMS = (1, 2, 3)
CUES = 3  # n-grams named in the explanation

# Canonical form of a sentence for features (length-preserving, so a feature's
# position is a position in the sentence): ASCII letters lower-cased, every
# digit read as 0, and a run of x that is not part of a word read as digits
# (SMS corpora mask digits as x: xxx-xxxxxxxx is a phone number).
_CANONICAL = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ123456789", "abcdefghijklmnopqrstuvwxyz000000000")
_MASKED_DIGITS = re.compile(r"(?<![a-wyz])x+(?![a-wyz])")
_CLAUSE = re.compile(r"(?:[^,、:\s]|(?<=0)[,:](?=0))+")
#: Shape features: name -> regex on the canonical sentence, and the words the explanation uses for it.
SHAPES: dict[str, tuple[re.Pattern[str], str]] = {
    "#digit": (re.compile("0"), "a number"),
    "#price": (re.compile(r"0\s?(?:元|块|圆|万元|亿元)|[¥￥$]\s?0"), "a price"),
    "#future": (re.compile("明天|明日|明早|下周|后天|下午|尾盘|即将|马上|未来|下一|近期|节后|年底|随后|接下来"),
                "a future-time word"),
}


def canonical(text: str) -> str:
    text = text.translate(_CANONICAL)
    if "x" in text:
        text = _MASKED_DIGITS.sub(lambda m: "0" * len(m.group()), text)
    return text


def sentences(doc: Document) -> Iterator[tuple[Span, int, str]]:
    """Each sentence as (its span in the original text, its start in the normalised text, its canonical text)."""
    norm = doc.normalized
    view = doc if norm.text == doc.text else Document(doc.path, norm.text)
    for span in view.sentences:
        start, end = norm.span_to_original(span.start, span.end) if norm.deleted_before else (span.start, span.end)
        yield Span(start, end), span.start, canonical(norm.text[span.start : span.end])


def clauses(sentence: str) -> Iterator[tuple[int, str]]:
    """The clauses of a canonical sentence (split at commas, colons and spaces; 0,000 stays whole), with offsets."""
    for match in _CLAUSE.finditer(sentence):
        yield match.start(), match.group()


def features(clause: str, size: int) -> dict[int, tuple[int, int]]:
    """Hash bucket -> where (start, end) in ``clause`` its first feature occurs ((-1, -1): a shape feature).

    Features are the distinct character n-grams of the clause and the shape
    features that hold; each is hashed with CRC-32 (stable across processes and
    platforms, unlike ``hash``) into ``size`` buckets (a power of two).
    """
    mask = size - 1
    crc = zlib.crc32
    found: dict[int, tuple[int, int]] = {}
    length = len(clause)
    for n in NGRAMS:
        for i in range(length - n + 1):
            bucket = crc(clause[i : i + n].encode("utf-8")) & mask
            if bucket not in found:
                found[bucket] = (i, i + n)
    for name, (regex, _) in SHAPES.items():
        if regex.search(clause) is not None:
            found.setdefault(crc(name.encode("ascii")) & mask, (-1, -1))
    return found


def shape_buckets(size: int) -> dict[int, str]:
    return {zlib.crc32(name.encode("ascii")) & (size - 1): words for name, (_, words) in SHAPES.items()}


class ScorerError(ValueError):
    """A weight file that cannot be used."""


class Scorer:
    """A trained model: per category a bias, sparse weights (bucket -> weight) and a threshold."""

    def __init__(self, model: dict[str, Any]) -> None:
        if model.get("format") != FORMAT:
            raise ScorerError(f"not a {FORMAT} weight file")
        self.name: str = model["name"]
        self.size: int = int(model["hash_size"])
        self.categories: list[str] = list(model["categories"])
        self.bias: list[float] = [float(model["bias"][c]) for c in self.categories]
        self.thresholds: list[float | None] = [model["thresholds"].get(c) for c in self.categories]
        self.weights: list[dict[int, float]] = [
            dict(zip(model["weights"][c]["buckets"], model["weights"][c]["values"])) for c in self.categories
        ]
        self.shapes = shape_buckets(self.size)

    def probabilities(self, buckets: Any) -> list[float]:
        """P(category) for a clause's feature buckets (binary features scaled by 1/sqrt(count))."""
        keys = list(buckets)
        scale = 1.0 / math.sqrt(len(keys)) if keys else 0.0
        out = []
        for bias, weights in zip(self.bias, self.weights):
            z = bias + scale * sum(filter(None, map(weights.get, keys)))
            out.append(1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0)
        return out

    def best(self, buckets: Any) -> tuple[int, float] | None:
        """The most probable category whose probability clears its threshold, with that probability."""
        found = None
        for k, (p, threshold) in enumerate(zip(self.probabilities(buckets), self.thresholds)):
            if threshold is not None and p >= threshold and (found is None or p > found[1]):
                found = (k, p)
        return found

    def cues(self, k: int, feats: dict[int, tuple[int, int]], norm_start: int, doc: Document) -> list[str]:
        """The strongest positive features for category ``k`` of a clause starting at normalised ``norm_start``,
        as the reader sees them (the original characters): words (2-3 characters) first, then single
        characters and shape features."""
        weights = self.weights[k]
        ranked = sorted(((feats[b][1] - feats[b][0] < 2, -w, b) for b in feats if (w := weights.get(b, 0.0)) > 0))
        norm = doc.normalized
        taken: list[tuple[int, int]] = []
        out: list[str] = []
        for _, _, bucket in ranked:
            start, end = feats[bucket]
            if start < 0:
                out.append(self.shapes.get(bucket, "a shape feature"))
            elif not any(start < e and s < end for s, e in taken):
                taken.append((start, end))
                s, e = norm.span_to_original(norm_start + start, norm_start + end)
                if doc.text[s:e].strip():
                    out.append(doc.text[s:e].strip())
            if len(out) == CUES:
                break
        return out

    def find(self, doc: Document, pack: RulePack) -> list[Finding]:
        """A finding per sentence the model rates as a claim of a category the pack declares.

        Each clause is scored; the sentence takes its most probable clause and category
        that clear the category's threshold.
        """
        findings = []
        for span, norm_start, sentence in sentences(doc):
            best = None
            for offset, clause in clauses(sentence):
                feats = features(clause, self.size)
                hit = self.best(feats)
                if hit is not None and (best is None or hit[1] > best[1]):
                    best = (*hit, norm_start + offset, feats)
            if best is None or self.categories[best[0]] not in pack.categories:
                continue
            k, p, clause_start, feats = best
            findings.append(self._finding(doc, pack, span, k, p, self.cues(k, feats, clause_start, doc)))
        return findings

    def _finding(self, doc: Document, pack: RulePack, span: Span, k: int, p: float, cues: list[str]) -> Finding:
        category = pack.categories[self.categories[k]]
        rule_id = f"scorer.{category.id}"
        line, column, context_start, context_end = doc.locate(span.start, span.end)
        explanation = (
            f"{category.description} A learned scorer ({self.name}: a linear model over character n-grams, "
            f"trained on hand-labelled posts) rated this sentence {p:.2f} for this category. It is a statistical "
            "signal, not a rule match: read the sentence before acting on it."
        )
        if cues:
            explanation += f" Strongest cues: {', '.join(cues)}."
        return Finding(
            rule_id, category.id, "warning", span.start, span.end, doc.text[span.start : span.end],
            doc.text[context_start:context_end], f"Sentence scored as {category.label} by the learned scorer ({p:.2f})",
            explanation, f"reads as {category.label} (learned scorer, {p:.2f})", line, column, context_start,
            [rule_id], finding_id(doc, rule_id, span.start, span.end),
        )


def load_scorer(text: str) -> Scorer:
    try:
        return Scorer(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise ScorerError(f"scorer weights: {exc}") from None


@cache
def default_scorer() -> Scorer:
    """The shipped model, read once per process on first use."""
    return load_scorer((resources.files("finflag") / "data" / MODEL_FILE).read_text(encoding="utf-8"))


def find(doc: Document, pack: RulePack) -> list[Finding]:
    """The rule source: the shipped model's findings."""
    return default_scorer().find(doc, pack)
