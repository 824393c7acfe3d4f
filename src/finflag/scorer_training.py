"""Training the learned scorer (:mod:`finflag.rules.scorer`) from labelled posts, and measuring it honestly.

::

    python -m finflag.scorer_training tests/real/labels.yaml samples/labels.yaml \\
        --out src/finflag/data/scorer-v2.json --holdout split --holdout loso > heldout.md

Examples come from every sentence of every labelled post, split into
clauses as the scorer splits them (its own segmentation and features). A
clause (for fitting) or a sentence (for thresholds) is positive for category C
when it overlaps an expected label of C; everything else is negative for C,
including all sentences of clean, news and warning posts (the scam phrases a
warning quotes are not the author's claims). One logistic regression per
category (L2, positives up-weighted) is fitted on clauses by full-batch Adam
with numpy: no randomness, so the same labels give the same bytes. Each
category's threshold is the lowest at which the out-of-fold sentence scores
(3-fold cross-validation inside the training data; a sentence scores as its
best clause) reach the target precision, counted conservatively
(tp / (tp + fp + 1)); a category that never does is left out of the file.

``--holdout split`` is the rule authors' split (the pack was never written
from its test half): it trains on guba lines 1-4400, sms 001-260, the samples
and thucnews 1-30 (and on every post of any other label file given, such as
the public batches ``tests/public/batchN.yaml``), and tests on guba 4401-5781,
sms 261-346 and thucnews 31-60; ``--holdout loso`` trains without one source
and tests on it (guba, sms, thucnews, samples). ``--holdout files:batch22.yaml,batch23.yaml``
tests on the posts of those label files (file names, shell patterns allowed)
and trains on the rest; ``--holdout each-file:batch*.yaml`` does so for one
matching label file at a time. Both report the pack alone, the scorer alone, both,
and the scorer's added findings (those the merge keeps: no pack finding of
their category overlaps them), per source and per category, through
:mod:`finflag.evaluate` with voice assigned as ``finflag eval`` does, as
Markdown tables on standard output. Only held-out figures go into the weight
file's header and the report.
numpy is needed here, never at run time.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .document import Document
from .evaluate import Evaluation, evaluate_documents
from .labels import LabelError, LabelledDoc, load_label_set, text_sha
from .rules.findings import Finding, find
from .rules.pack import RulePack, load_packs
from .rules.scorer import FORMAT, MODEL_NAME, NGRAMS, SHAPES, Scorer, clauses, features, sentences
from .rules.sources import run_sources
from .rules.voice import assign_voice


@dataclass(frozen=True)
class Settings:
    hash_size: int = 1 << 18
    l2: float = 1e-4
    positive_weight: float = 4.0
    steps: int = 300
    learning_rate: float = 0.05
    # target for the thresholds, on out-of-fold predictions (at 0.90, 2 of 6 added findings held out were right)
    precision: float = 0.95
    min_positives: int = 10  # sentences; a rarer category is not trained
    folds: int = 3
    prune: float = 0.01  # |weight| below this is dropped from the file
    digits: int = 3


@dataclass
class Example:
    """One clause: its feature buckets and the categories it is positive for."""

    buckets: list[int]
    positive: frozenset[str]


@dataclass
class Sentence:
    """What the scorer decides on: the most probable of its clauses."""

    clauses: list[Example]
    positive: frozenset[str]


def _positive(labelled: LabelledDoc, start: int, end: int) -> frozenset[str]:
    return frozenset(label.category for label in labelled.expected if label.start < end and start < label.end)


def sentences_of(labelled: LabelledDoc, size: int) -> list[Sentence]:
    """The training examples of a post: its sentences, each with its clauses (positive where they overlap a label)."""
    norm = labelled.doc.normalized
    out = []
    for span, norm_start, sentence in sentences(labelled.doc):
        parts = []
        for offset, clause in clauses(sentence):
            start, end = norm.span_to_original(norm_start + offset, norm_start + offset + len(clause))
            parts.append(Example(list(features(clause, size)), _positive(labelled, start, end)))
        out.append(Sentence(parts, _positive(labelled, span.start, span.end)))
    return out


# -- fitting -------------------------------------------------------------------
def fit(examples: Sequence[Example], categories: Sequence[str], settings: Settings) -> tuple[dict[int, Any], Any]:
    """Weights per used bucket (bucket -> array over categories) and the biases.

    The feature matrix is kept as (row, column, value) triples and multiplied with
    ``bincount``, one category at a time (numpy alone, no sparse-matrix library).
    """
    import numpy as np

    lengths = np.array([len(e.buckets) for e in examples], dtype=np.int64)
    used, cols = np.unique(np.array([b for e in examples for b in e.buckets], dtype=np.int64), return_inverse=True)
    values = np.repeat(1.0 / np.sqrt(lengths), lengths)
    rows = np.repeat(np.arange(len(examples)), lengths)
    n, u = len(examples), len(used)
    y = np.array([[c in e.positive for e in examples] for c in categories], dtype=np.float64)  # (K, N)
    weight = np.where(y > 0, settings.positive_weight, 1.0)
    weight /= weight.sum(axis=1, keepdims=True)

    W = np.zeros((len(categories), u))
    prior = y.mean(axis=1)
    b = np.log((prior + 1e-3) / (1 - prior + 1e-3))
    m_w, v_w, m_b, v_b = np.zeros_like(W), np.zeros_like(W), np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, settings.steps + 1):
        z = np.stack([np.bincount(rows, weights=w[cols] * values, minlength=n) for w in W]) + b[:, None]
        residual = weight * (1.0 / (1.0 + np.exp(-z)) - y)
        g_w = np.stack([np.bincount(cols, weights=r[rows] * values, minlength=u) for r in residual]) + settings.l2 * W
        g_b = residual.sum(axis=1)
        for param, grad, m, v in ((W, g_w, m_w, v_w), (b, g_b, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= settings.learning_rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
    return {int(bucket): W[:, i] for i, bucket in enumerate(used)}, b


def _model(categories: Sequence[str], weights: dict[int, Any], bias: Any, thresholds: dict[str, float | None],
           settings: Settings, header: dict[str, Any] | None = None) -> dict[str, Any]:
    """The weight file's content: pruned, rounded, categories without a threshold left out."""
    kept = [k for k, c in enumerate(categories) if thresholds.get(c) is not None]
    digits = settings.digits
    table: dict[str, Any] = {}
    for k in kept:
        pairs = [(bucket, round(float(w[k]), digits)) for bucket, w in sorted(weights.items())
                 if abs(w[k]) >= settings.prune]
        table[categories[k]] = {"buckets": [p[0] for p in pairs], "values": [p[1] for p in pairs]}
    return {
        "format": FORMAT,
        "name": MODEL_NAME,
        **(header or {}),
        "hash_size": settings.hash_size,
        "features": f"character {NGRAMS[0]}-{NGRAMS[-1]}-grams and shape features {', '.join(SHAPES)} of the "
                    "canonical normalised sentence, CRC-32 hashed, binary, scaled by 1/sqrt(count)",
        "categories": [categories[k] for k in kept],
        "thresholds": {categories[k]: thresholds[categories[k]] for k in kept},
        "bias": {categories[k]: round(float(bias[k]), digits) for k in kept},
        "weights": table,
    }


def _threshold(scored: list[tuple[float, bool]], settings: Settings) -> float | None:
    """The lowest probability at which everything scored at or above it reaches the target precision
    (counted as tp / (tp + fp + 1), so a handful of lucky hits does not qualify)."""
    scored = sorted(scored, key=lambda item: -item[0])
    tp = fp = 0
    best = None
    for i, (p, positive) in enumerate(scored):
        tp += positive
        fp += not positive
        if (i + 1 == len(scored) or scored[i + 1][0] < p) and tp / (tp + fp + 1) >= settings.precision:
            best = p
    return None if best is None else round(max(best, 0.5), 3)


def train(docs: Sequence[LabelledDoc], settings: Settings, header: dict[str, Any] | None = None,
          progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """A weight file's content trained on ``docs``; thresholds from cross-validation inside them.

    The model is fitted on clauses; a threshold is chosen on sentences (the most
    probable clause), which is what the scorer decides on.
    """
    per_doc = [sentences_of(d, settings.hash_size) for d in docs]
    counts: dict[str, int] = {}
    for sentence in (s for doc in per_doc for s in doc):
        for c in sentence.positive:
            counts[c] = counts.get(c, 0) + 1
    categories = sorted(c for c, n in counts.items() if n >= settings.min_positives)
    if not categories:
        raise LabelError(f"no category has {settings.min_positives} positive sentences to train on")

    def clauses_of(keep: Callable[[int], bool]) -> list[Example]:
        return [e for i, doc in enumerate(per_doc) if keep(i) for s in doc for e in s.clauses if e.buckets]

    scored: dict[str, list[tuple[float, bool]]] = {c: [] for c in categories}
    for fold in range(settings.folds):
        inside = clauses_of(lambda i: i % settings.folds != fold)
        progress(f"fold {fold + 1}/{settings.folds}: {len(inside)} clauses")
        weights, bias = fit(inside, categories, settings)
        scorer = Scorer(_model(categories, weights, bias, dict.fromkeys(categories, 0.5), settings))
        for sentence in (s for i, doc in enumerate(per_doc) if i % settings.folds == fold for s in doc):
            best = [max(p) for p in zip(*(scorer.probabilities(e.buckets) for e in sentence.clauses))]
            for c, p in zip(categories, best):
                scored[c].append((p, c in sentence.positive))
    thresholds = {c: _threshold(scored[c], settings) for c in categories}
    everything = clauses_of(lambda i: True)
    progress(f"all: {len(everything)} clauses; thresholds {thresholds}")
    weights, bias = fit(everything, categories, settings)
    return _model(categories, weights, bias, thresholds, settings, header)


# -- held-out measurement ------------------------------------------------------
def _number(doc: LabelledDoc) -> int:
    """The line (guba/posts.txt:123) or the file number (sms80w-123.txt) of a post."""
    found = re.findall(r"\d+", doc.doc.path)
    return int(found[-1]) if found else 0


#: The split experiment (the rule authors' split): source -> last post number of the training part.
SPLIT = {"guba": 4400, "sms": 260, "thucnews": 30}
LOSO = ("guba", "sms", "thucnews", "samples")
#: The development set's sources (tests/real/labels.yaml): topcj is in neither part of the split.
DEVELOPMENT = (*SPLIT, "topcj")


def label_file(doc: LabelledDoc) -> str:
    """The name of the label file a post was listed in (``batch22.yaml``, ``guba-0001-1445.yaml``)."""
    return doc.where.split(": ", 1)[0]


def _files(spec: str) -> list[str]:
    return [p for p in spec.split(",") if p]


def holdout_sets(docs: Sequence[LabelledDoc], names: Iterable[str]
                 ) -> list[tuple[str, list[LabelledDoc], list[LabelledDoc]]]:
    """(name, training docs, test docs) for each experiment asked for.

    ``split``, ``loso``, ``files:PATTERN[,PATTERN...]`` (test on the posts of the label
    files whose names match, train on the rest) or ``each-file:PATTERN[,...]`` (one
    such experiment per matching label file, in the order they were read).
    """
    out = []
    for name in names:
        if name == "split":
            # the samples and any post outside the development set (public batches) are trained on;
            # topcj is in neither part
            train_docs = [d for d in docs if d.source not in DEVELOPMENT
                          or (d.source in SPLIT and _number(d) <= SPLIT[d.source])]
            test_docs = [d for d in docs if d.source in SPLIT and _number(d) > SPLIT[d.source]]
            out.append(("split", train_docs, test_docs))
        elif name == "loso":
            for source in LOSO:
                if any(d.source == source for d in docs):
                    out.append((f"without-{source}", [d for d in docs if d.source != source],
                                [d for d in docs if d.source == source]))
        elif name.startswith(("files:", "each-file:")):
            kind, spec = name.split(":", 1)
            patterns = _files(spec)
            names_read = list(dict.fromkeys(label_file(d) for d in docs))
            matching = [f for f in names_read if any(fnmatch.fnmatchcase(f, p) for p in patterns)]
            if not matching:
                raise ValueError(f"--holdout {name!r}: no label file read matches")
            for held in [matching] if kind == "files" else [[f] for f in matching]:
                test_docs = [d for d in docs if label_file(d) in held]
                out.append((f"without-{'+'.join(held)}", [d for d in docs if label_file(d) not in held], test_docs))
        else:
            raise ValueError(f"unknown --holdout {name!r} (split, loso, files:..., each-file:...)")
    return out


def _once_per_document(compute: Callable[[Document], list[Finding]]) -> Callable[..., list[Finding]]:
    """``compute`` run once per document (by identity) however often the evaluations ask for it;
    further arguments (the pack a rule source is handed) are ignored."""
    done: dict[int, list[Finding]] = {}

    def cached(doc: Document, *_: object) -> list[Finding]:
        if id(doc) not in done:
            done[id(doc)] = compute(doc)
        return done[id(doc)]

    return cached


def measure(test: Sequence[LabelledDoc], pack: RulePack, scorer: Scorer) -> dict[str, Evaluation]:
    """Pack alone, scorer alone, both, and the scorer's added findings on the held-out documents.

    Voice is assigned as ``finflag eval`` does (slogans a warning quotes are not
    scored). "added" is what the scorer contributes on top of the pack: its
    findings that the merge keeps, i.e. those no pack finding of the same
    category overlaps; their precision is the one that decides the default.
    """
    pack_only = _once_per_document(lambda doc: find(doc, pack))  # also a rule source: run_sources passes the pack
    both = _once_per_document(  # "both" and "added" read the same merge
        lambda doc: assign_voice(doc, run_sources(doc, pack, [pack_only, scorer.find]), pack))

    return {
        "pack": evaluate_documents(test, pack, lambda doc: assign_voice(doc, pack_only(doc), pack)),
        "scorer": evaluate_documents(test, pack, lambda doc: assign_voice(doc, scorer.find(doc, pack), pack)),
        "both": evaluate_documents(test, pack, both),
        "added": evaluate_documents(test, pack, lambda doc: [f for f in both(doc) if f.rule_id.startswith("scorer.")]),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def figures(ev: Evaluation) -> dict[str, Any]:
    """Compact held-out figures (no text): per source and per category."""
    return {
        "sources": {name: {"labels": s.claims.labels, "found": s.claims.tp_labels, "findings": s.claims.findings,
                           "correct": s.claims.tp_findings, "recall": _ratio(s.claims.tp_labels, s.claims.labels),
                           "precision": _ratio(s.claims.tp_findings, s.claims.findings),
                           "promo_posts_flagged": [s.promo_posts_flagged, s.promo_posts],
                           "other_posts_flagged": [s.other_posts_flagged, s.other_posts]}
                    for name, s in sorted(ev.sources.items())},
        "categories": {c: {"labels": s.labels, "found": s.tp_labels, "findings": s.findings,
                           "correct": s.tp_findings}
                       for c, s in ev.scores.items() if s.labels or s.findings},
    }


def _cell(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.2f}" if whole else f"{part}/0"


def report(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Markdown tables of held-out figures: per experiment, per source and per category."""
    lines = []
    for experiment, by_run in results.items():
        lines += [f"### {experiment}", "",
                  "| source | run | claims found (recall) | precision | promo posts flagged | other posts flagged |",
                  "|---|---|---|---|---|---|"]
        for source in by_run["pack"]["sources"]:
            for run, fig in by_run.items():
                s = fig["sources"][source]
                lines.append(f"| {source} | {run} | {_cell(s['found'], s['labels'])} | "
                             f"{_cell(s['correct'], s['findings'])} | {_cell(*s['promo_posts_flagged'])} | "
                             f"{_cell(*s['other_posts_flagged'])} |")
        lines += ["", "| category | labels | " + " | ".join(f"{run} R | {run} P" for run in by_run) + " |",
                  "|---|---|" + "---|---|" * len(by_run)]
        labels = {c: s["labels"] for fig in by_run.values() for c, s in fig["categories"].items()}
        for c in sorted(labels, key=lambda c: (-labels[c], c)):
            cells = []
            for fig in by_run.values():
                s = fig["categories"].get(c, {"labels": 0, "found": 0, "findings": 0, "correct": 0})
                cells += [_cell(s["found"], s["labels"]), _cell(s["correct"], s["findings"])]
            lines.append(f"| {c} | {labels[c]} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def others_flagged(docs: Sequence[LabelledDoc], pack: RulePack, scorer: Scorer) -> list[int]:
    """[posts with a scorer finding, posts, posts with one in the author's voice] among the non-promotional ones."""
    others = [d for d in docs if not d.promotional]
    found = [assign_voice(d.doc, scorer.find(d.doc, pack), pack) for d in others]
    return [sum(bool(f) for f in found), len(others), sum(any(x.voice == "author" for x in f) for f in found)]


# -- command -------------------------------------------------------------------
def label_set_sha(docs: Sequence[LabelledDoc]) -> str:
    """Identifies the training data: every post's text hash, kind and labels (offsets and categories)."""
    digest = hashlib.sha256()
    for d in docs:
        labels = [(x.category, x.start, x.end) for x in d.expected]
        digest.update(json.dumps([d.doc.path, d.source, d.kind, text_sha(d.doc.text), labels]).encode())
    return digest.hexdigest()[:12]


def _holdout(value: str) -> str:
    if value in ("split", "loso") or (value.startswith(("files:", "each-file:")) and _files(value.split(":", 1)[1])):
        return value
    raise argparse.ArgumentTypeError(f"{value!r}: split, loso, files:NAME[,NAME...] or each-file:NAME[,NAME...]")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m finflag.scorer_training", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labels", nargs="+", type=Path, help="label files (README, 'Evaluating rules')")
    parser.add_argument("--out", type=Path, required=True, help="weight file to write (JSON)")
    parser.add_argument("--exclude-source", action="append", default=[], metavar="SOURCE",
                        help="leave this source's posts out of training; repeatable")
    parser.add_argument("--holdout", action="append", default=[], type=_holdout,
                        help="also measure held-out: split (halves), loso (leave one source out), "
                             "files:NAME[,NAME] (test on those label files' posts), each-file:NAME[,NAME] "
                             "(leave one label file out at a time); names may be shell patterns; repeatable")
    defaults = Settings()
    parser.add_argument("--precision", type=float, default=defaults.precision,
                        help="precision the thresholds aim for on out-of-fold predictions")
    parser.add_argument("--min-positives", type=int, default=defaults.min_positives,
                        help="fewest positive sentences a category needs to be trained")
    parser.add_argument("-q", "--quiet", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(precision=args.precision, min_positives=args.min_positives)
    progress = (lambda message: None) if args.quiet else (lambda message: print(message, file=sys.stderr))
    docs: list[LabelledDoc] = []
    for path in args.labels:
        found, errors = load_label_set(path)
        for error in errors:
            print(f"finflag: warning: {error}", file=sys.stderr)
        docs += found
    docs = [d for d in docs if d.source not in args.exclude_source]
    pack = load_packs()
    heldout: dict[str, dict[str, dict[str, Any]]] = {}
    for name, train_docs, test_docs in holdout_sets(docs, args.holdout):
        progress(f"held-out {name}: training on {len(train_docs)} posts, testing on {len(test_docs)}")
        scorer = Scorer(train(train_docs, settings, progress=progress))
        heldout[name] = {run: figures(ev) for run, ev in measure(test_docs, pack, scorer).items()}
    command = " ".join(["python -m finflag.scorer_training", *(argv if argv is not None else sys.argv[1:])])
    header = {
        "training": {"command": command, "labels_sha256": label_set_sha(docs), "posts": len(docs),
                     "sources": sorted({d.source for d in docs}), "settings": settings.__dict__},
        "heldout": heldout,
    }
    progress(f"training the shipped model on {len(docs)} posts")
    model = train(docs, settings, header, progress)
    model["checks"] = {"samples_other_posts_flagged": others_flagged(
        [d for d in docs if d.source == "samples"], pack, Scorer(model))}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="ascii")
    if heldout:
        print(report(heldout))
    flagged, total, author = model["checks"]["samples_other_posts_flagged"]
    print(f"Shipped model on the clean, news and warning samples (trained on): {flagged}/{total} posts with a "
          f"scorer finding, {author}/{total} with one in the author's voice.")
    progress(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
