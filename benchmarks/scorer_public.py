"""Does a learned scorer trained on all our labels (development set, samples, public batches) generalise?

Issue 10, brief scorer3. Held-out only: every threshold comes from 3-fold
cross-validation inside the training part (as :func:`finflag.scorer_training.train`
chooses them), never from the test part.

    PYTHONPATH=src python benchmarks/scorer_public.py [--tests A,B,C] [--variants base,jieba,...] > out.md

Tests:

- A: train on tests/real/labels.yaml + samples/labels.yaml + public batches 6-21, test on batches 22 and 23;
- B: train on the rule authors' split's training half + public batches 6-23, test on guba 4401-5781,
  sms 261-346, thucnews 31-60;
- C: leave one public batch (6-23) out at a time, training on everything else.

Variants: ``base`` (the scorer's features and settings), ``jieba`` (+ jieba words of each clause),
``balance`` (sample weights giving each source group the same total weight), ``merged`` (one "any
promotional claim" model decides, the best-scoring per-category model names the category); each is
read at precision targets 0.95, 0.90, 0.80 and 0.70 (the same fit, other thresholds).

The maths is :mod:`finflag.scorer_training`'s (same clauses, features, logistic fit, pruning and
rounding, threshold rule), vectorised over all clauses at once so that the 18 leave-one-batch-out runs
fit in minutes. Findings are scored as ``finflag eval --scorer`` scores them: the pack's findings and
the scorer's merged by :func:`finflag.rules.sources.run_sources`, voice assigned.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from finflag.document import Span
from finflag.evaluate import evaluate_documents
from finflag.labels import LabelledDoc, load_label_set
from finflag.rules.findings import find
from finflag.rules.pack import load_packs
from finflag.rules.scorer import FORMAT, Scorer, clauses, features, sentences
from finflag.rules.sources import run_sources
from finflag.rules.voice import assign_voice
from finflag.scorer_training import SPLIT, Settings, _number, _positive, _threshold

ROOT = Path(__file__).resolve().parent.parent
DEV = [ROOT / "tests/real/labels.yaml", ROOT / "samples/labels.yaml"]
PUBLIC = {n: ROOT / f"tests/public/batch{n}.yaml" for n in range(6, 24)}
TARGETS = (0.95, 0.90, 0.80, 0.70)
PROMO = "_promo"


@dataclass
class Doc:
    labelled: LabelledDoc
    origin: str  # "dev", "samples" or "b6" ... "b23"
    group: str  # for balancing: guba, sms, news-dev, samples, public
    page: str  # news, broker, clean, warning, promo


def load() -> list[Doc]:
    out = []
    for path in DEV + list(PUBLIC.values()):
        docs, errors = load_label_set(path)
        if errors:
            print(f"warning: {path}: {errors[:3]}", file=sys.stderr)
        origin = "samples" if "samples" in str(path) else "dev" if "real" in str(path) else \
            "b" + path.stem.removeprefix("batch")
        for d in docs:
            if origin == "dev":
                group = d.source if d.source in ("guba", "sms") else "news-dev"
            else:
                group = "samples" if origin == "samples" else "public"
            page = "broker" if d.source == "broker" else "promo" if d.promotional else d.kind
            out.append(Doc(d, origin, group, page))
    return out


# -- features ------------------------------------------------------------------
_jieba = None


def jieba_words(clause: str, size: int) -> set[int]:
    global _jieba
    if _jieba is None:
        import jieba
        jieba.setLogLevel(60)
        jieba.initialize()
        _jieba = jieba
    return {zlib.crc32(("w:" + w).encode("utf-8")) & (size - 1) for w in _jieba.lcut(clause) if len(w) > 1}


@dataclass
class Table:
    """Every clause of every document: CSR feature rows, positives, and the sentence / document each is in."""

    indptr: np.ndarray
    buckets: np.ndarray
    clause_doc: np.ndarray
    clause_sent: np.ndarray  # global sentence index
    y: dict[str, np.ndarray]  # category -> clause positives
    sent_doc: np.ndarray
    sent_y: dict[str, np.ndarray]
    sent_span: list[tuple[int, int]]


def table(docs: list[Doc], size: int, words: bool, categories: list[str]) -> Table:
    indptr, buckets, clause_doc, clause_sent, clause_pos = [0], [], [], [], []
    sent_doc, sent_pos, sent_span = [], [], []
    for i, d in enumerate(docs):
        lab = d.labelled
        norm = lab.doc.normalized
        for span, norm_start, sentence in sentences(lab.doc):
            s = len(sent_doc)
            sent_doc.append(i)
            sent_span.append((span.start, span.end))
            sent_pos.append(_positive(lab, span.start, span.end))
            for offset, clause in clauses(sentence):
                feats = set(features(clause, size))
                if words:
                    feats |= jieba_words(clause, size)
                if not feats:
                    continue
                start, end = norm.span_to_original(norm_start + offset, norm_start + offset + len(clause))
                buckets.extend(sorted(feats))
                indptr.append(len(buckets))
                clause_doc.append(i)
                clause_sent.append(s)
                clause_pos.append(_positive(lab, start, end))
    cats = categories + [PROMO]
    y = {c: np.array([(c in p) if c != PROMO else bool(p) for p in clause_pos]) for c in cats}
    sy = {c: np.array([(c in p) if c != PROMO else bool(p) for p in sent_pos]) for c in cats}
    return Table(np.array(indptr), np.array(buckets, dtype=np.int64), np.array(clause_doc), np.array(clause_sent),
                 y, np.array(sent_doc), sy, sent_span)


# -- fitting (scorer_training.fit, with sample weights) -----------------------
def fit(t: Table, rows_sel: np.ndarray, cats: list[str], settings: Settings, sample_w: np.ndarray | None
        ) -> tuple[np.ndarray, np.ndarray]:
    """Dense weights (K, hash_size), pruned and rounded as the weight file stores them, and biases."""
    starts, ends = t.indptr[rows_sel], t.indptr[rows_sel + 1]
    lengths = ends - starts
    flat = np.concatenate([t.buckets[a:b] for a, b in zip(starts, ends)])
    used, cols = np.unique(flat, return_inverse=True)
    values = np.repeat(1.0 / np.sqrt(lengths), lengths)
    rows = np.repeat(np.arange(len(rows_sel)), lengths)
    n, u = len(rows_sel), len(used)
    y = np.stack([t.y[c][rows_sel] for c in cats]).astype(np.float64)
    weight = np.where(y > 0, settings.positive_weight, 1.0)
    if sample_w is not None:
        weight = weight * sample_w[rows_sel][None, :]
    weight /= weight.sum(axis=1, keepdims=True)
    K = len(cats)
    # the same full-batch Adam as scorer_training.fit (L2 on the weights, not the biases), in float32,
    # the two sparse products as torch embedding bags (clause rows, then feature columns)
    torch.set_num_threads(1)
    dt = torch.float32
    cols_t = torch.from_numpy(cols.astype(np.int64))
    rows_np = np.repeat(np.arange(n), lengths)
    vals_t = torch.from_numpy(values).to(dt)
    offsets = torch.from_numpy(np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64))
    order = np.argsort(cols, kind="stable")
    rows_by_col = torch.from_numpy(rows_np[order].astype(np.int64))
    vals_by_col = vals_t[torch.from_numpy(order)]
    col_offsets = torch.from_numpy(np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=u))[:-1]]).astype(np.int64))
    yt, wt = torch.from_numpy(y.T.copy()).to(dt), torch.from_numpy(weight.T.copy()).to(dt)  # (N, K)
    W = torch.zeros((u, K), dtype=dt)
    prior = y.mean(axis=1)
    b = torch.from_numpy(np.log((prior + 1e-3) / (1 - prior + 1e-3))).to(dt)
    opt = torch.optim.Adam([{"params": [W], "weight_decay": settings.l2}, {"params": [b], "weight_decay": 0.0}],
                           lr=settings.learning_rate, betas=(0.9, 0.999), eps=1e-8, foreach=True)
    for _ in range(settings.steps):
        z = F.embedding_bag(cols_t, W, offsets, mode="sum", per_sample_weights=vals_t) + b
        residual = wt * (torch.sigmoid(z) - yt)
        W.grad = F.embedding_bag(rows_by_col, residual, col_offsets, mode="sum", per_sample_weights=vals_by_col)
        b.grad = residual.sum(dim=0)
        opt.step()
    W, b = W.numpy().T.copy(), b.numpy()
    W = np.round(W, settings.digits)
    W[np.abs(W) < settings.prune] = 0.0
    dense = np.zeros((K, settings.hash_size))
    dense[:, used] = W
    return dense, np.round(b, settings.digits)


def sentence_probs(t: Table, rows_sel: np.ndarray, dense: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sentence ids, P per category (K, S)): each sentence's best clause, as the scorer decides."""
    starts, ends = t.indptr[rows_sel], t.indptr[rows_sel + 1]
    lengths = ends - starts
    flat = np.concatenate([t.buckets[a:b] for a, b in zip(starts, ends)])
    values = np.repeat(1.0 / np.sqrt(lengths), lengths)
    rstart = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    z = np.add.reduceat(dense[:, flat] * values, rstart, axis=1) + bias[:, None]
    p = 1.0 / (1.0 + np.exp(-np.clip(z, -700, 700)))
    sent = t.clause_sent[rows_sel]
    ids, first = np.unique(sent, return_index=True)  # rows_sel is in sentence order
    return ids, np.maximum.reduceat(p, first, axis=1)


@dataclass
class Model:
    cats: list[str]
    dense: np.ndarray
    bias: np.ndarray
    oof: dict[str, list[tuple[float, bool]]]  # out-of-fold sentence scores per category (and merged decision)


def train(t: Table, train_docs: np.ndarray, cats: list[str], settings: Settings, sample_w: np.ndarray | None,
          merged: bool) -> Model:
    """Fit on the training docs; out-of-fold sentence scores from 3 folds by position in the training list."""
    fit_cats = cats + [PROMO] if merged else cats
    pos = np.full(t.clause_doc.max() + 1, -1)
    pos[train_docs] = np.arange(len(train_docs))
    clause_pos = pos[t.clause_doc]
    oof: dict[str, list[tuple[float, bool]]] = {c: [] for c in fit_cats}
    for fold in range(settings.folds):
        inside = np.nonzero((clause_pos >= 0) & (clause_pos % settings.folds != fold))[0]
        out = np.nonzero((clause_pos >= 0) & (clause_pos % settings.folds == fold))[0]
        dense, bias = fit(t, inside, fit_cats, settings, sample_w)
        ids, p = sentence_probs(t, out, dense, bias)
        for k, c in enumerate(cats):
            oof[c] += list(zip(p[k].tolist(), t.sent_y[c][ids].tolist()))
        if merged:
            best = p[: len(cats)].argmax(axis=0)
            right = np.array([t.sent_y[cats[b]][s] for b, s in zip(best, ids)])
            oof[PROMO] += list(zip(p[len(cats)].tolist(), right.tolist()))
    rows = np.nonzero(clause_pos >= 0)[0]
    dense, bias = fit(t, rows, fit_cats, settings, sample_w)
    return Model(fit_cats, dense, bias, oof)


def thresholds(model: Model, cats: list[str], target: float, merged: bool) -> dict[str, float | None]:
    s = Settings(precision=target)
    if merged:
        return {PROMO: _threshold(model.oof[PROMO], s)}
    return {c: _threshold(model.oof[c], s) for c in cats}


# -- measuring -----------------------------------------------------------------
class Measure:
    def __init__(self, docs: list[Doc], pack) -> None:
        self.docs, self.pack = docs, pack
        self._pack: dict[int, list] = {}
        self._pack_voiced: dict[int, list] = {}
        dummy = {"format": FORMAT, "name": "scorer-v3", "hash_size": 2, "categories": list(pack.categories),
                 "bias": dict.fromkeys(pack.categories, 0.0), "thresholds": {},
                 "weights": {c: {"buckets": [], "values": []} for c in pack.categories}}
        self.finder = Scorer(dummy)

    def pack_findings(self, i: int) -> list:
        if i not in self._pack:
            self._pack[i] = find(self.docs[i].labelled.doc, self.pack)
        return self._pack[i]

    def pack_voiced(self, i: int) -> list:
        if i not in self._pack_voiced:
            self._pack_voiced[i] = assign_voice(self.docs[i].labelled.doc, self.pack_findings(i), self.pack)
        return self._pack_voiced[i]

    def scorer_findings(self, t: Table, test_docs: np.ndarray, model: Model, cats: list[str],
                        thr: dict[str, float | None], merged: bool) -> dict[int, list]:
        """Per test doc: the scorer's findings (one per sentence: the best category clearing its threshold)."""
        rows = np.nonzero(np.isin(t.clause_doc, test_docs))[0]
        out: dict[int, list] = {int(i): [] for i in test_docs}
        if not len(rows):
            return out
        ids, p = sentence_probs(t, rows, model.dense, model.bias)
        index = {c: k for k, c in enumerate(self.finder.categories)}
        for j, s in enumerate(ids):
            if merged:
                if thr[PROMO] is None or p[len(cats), j] < thr[PROMO]:
                    continue
                k = int(p[: len(cats), j].argmax())
                best = (cats[k], float(p[len(cats), j]))
            else:
                best = None
                for k, c in enumerate(cats):
                    if thr.get(c) is not None and p[k, j] >= thr[c] and (best is None or p[k, j] > best[1]):
                        best = (c, float(p[k, j]))
            if best is None or best[0] not in self.pack.categories:
                continue
            i = int(t.sent_doc[s])
            doc = self.docs[i].labelled.doc
            start, end = t.sent_span[s]
            out[i].append(self.finder._finding(doc, self.pack, Span(start, end), index[best[0]], best[1], []))
        return out

    def figures(self, test_docs: np.ndarray, scored: dict[int, list]) -> dict:
        pack = self.pack
        docs = [self.docs[i] for i in test_docs]
        by_doc = {id(self.docs[i].labelled.doc): i for i in test_docs}

        def both(doc):
            i = by_doc[id(doc)]
            return assign_voice(doc, run_sources(doc, pack, [lambda d, p: list(self.pack_findings(i)),
                                                             lambda d, p: list(scored[i])]), pack)

        both_cache: dict[int, list] = {}

        def both_cached(doc):
            if id(doc) not in both_cache:
                both_cache[id(doc)] = both(doc)
            return both_cache[id(doc)]

        runs = {
            "pack": lambda doc: self.pack_voiced(by_doc[id(doc)]),
            "scorer": lambda doc: assign_voice(doc, scored[by_doc[id(doc)]], pack),
            "both": both_cached,
            "added": lambda doc: [f for f in both_cached(doc) if f.rule_id.startswith("scorer.")],
        }
        fig = {}
        for run, fn in runs.items():
            ev = evaluate_documents([d.labelled for d in docs], pack, fn)
            tot = ev.total
            fig[run] = (tot.labels, tot.tp_labels, tot.findings, tot.tp_findings)
        # claims added (category / any category), pages newly flagged (author voice)
        added_cat = added_any = 0
        pages: Counter = Counter()
        newly: Counter = Counter()
        for i, d in zip(test_docs, docs):
            lab = d.labelled
            p_f = [f for f in self.pack_voiced(i) if f.voice == "author"]
            b_f = [f for f in both_cached(lab.doc) if f.voice == "author"]
            for x in lab.expected:
                def hit(fs, cat):
                    return any(f.start < x.end and x.start < f.end and (not cat or f.category == x.category)
                               for f in fs)
                added_cat += hit(b_f, True) and not hit(p_f, True)
                added_any += hit(b_f, False) and not hit(p_f, False)
            if d.page != "promo":
                pages[d.page] += 1
                newly[d.page] += bool(b_f) and not p_f
        fig["claims_added"] = (added_cat, added_any)
        fig["pages"] = {k: (newly[k], pages[k]) for k in ("news", "broker", "warning", "clean") if pages[k]}
        return fig


def fmt_rp(labels: int, found: int, findings: int, right: int) -> str:
    r = f"{found / labels:.2f}" if labels else "-"
    p = f"{right / findings:.2f}" if findings else "-"
    return f"{r} / {p} ({found}/{labels}; {right}/{findings})"


def row(name: str, fig: dict) -> str:
    labels = fig["pack"][0]
    a = fig["added"]
    ca, cany = fig["claims_added"]
    pages = ", ".join(f"{k} {n}/{m}" for k, (n, m) in fig["pages"].items())
    add_p = f"{a[3]}/{a[2]}" + (f" = {a[3] / a[2]:.2f}" if a[2] else "")
    add_r = f"+{ca / labels:.3f}" if labels else "-"
    return (f"| {name} | {labels} | {fmt_rp(*fig['pack'])} | {fmt_rp(*fig['scorer'])} | {fmt_rp(*fig['both'])} | "
            f"{add_p} | {ca} ({add_r}); any {cany} | {pages} |")


HEADER = ("| variant | claims | pack R / P | scorer alone R / P | pack + scorer R / P | added right | "
          "claims added (recall); any category | pages newly flagged |\n|---|---|---|---|---|---|---|---|")


def add(total: dict | None, fig: dict) -> dict:
    if total is None:
        return {k: (dict(v) if isinstance(v, dict) else tuple(v)) for k, v in fig.items()}
    out = {}
    for k, v in fig.items():
        if isinstance(v, dict):
            out[k] = dict(total[k])
            for p, (n, m) in v.items():
                a, b = out[k].get(p, (0, 0))
                out[k][p] = (a + n, b + m)
        else:
            out[k] = tuple(x + y for x, y in zip(total[k], v))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", default="A,B,C")
    parser.add_argument("--variants", default="base,jieba,balance,merged")
    parser.add_argument("--loso-batches", default=",".join(str(n) for n in PUBLIC))
    args = parser.parse_args()
    t0 = time.time()
    docs = load()
    pack = load_packs()
    categories = sorted({x.category for d in docs for x in d.labelled.expected})
    print(f"loaded {len(docs)} documents, {sum(len(d.labelled.expected) for d in docs)} claims "
          f"({time.time() - t0:.0f} s)", file=sys.stderr)
    measure = Measure(docs, pack)
    tables: dict[bool, Table] = {}
    origin = np.array([d.origin for d in docs])
    groups = np.array([d.group for d in docs])

    def split_train(i: int) -> bool:
        d = docs[i]
        if d.origin == "samples" or d.origin.startswith("b"):
            return True
        return d.labelled.source in SPLIT and _number(d.labelled) <= SPLIT[d.labelled.source]

    def split_test(i: int) -> bool:
        d = docs[i]
        return d.origin == "dev" and d.labelled.source in SPLIT and _number(d.labelled) > SPLIT[d.labelled.source]

    everything = np.arange(len(docs))
    experiments: dict[str, list[tuple[str, np.ndarray, np.ndarray]]] = {}
    if "A" in args.tests:
        test = np.nonzero(np.isin(origin, ["b22", "b23"]))[0]
        experiments["A"] = [("A", np.setdiff1d(everything, test), test)]
    if "B" in args.tests:
        experiments["B"] = [("B", np.array([i for i in everything if split_train(i)]),
                             np.array([i for i in everything if split_test(i)]))]
    if "C" in args.tests:
        experiments["C"] = [(f"b{n}", np.nonzero(origin != f"b{n}")[0], np.nonzero(origin == f"b{n}")[0])
                            for n in map(int, args.loso_batches.split(","))]

    results: dict[tuple[str, str, float], dict] = {}
    for variant in args.variants.split(","):
        words = variant == "jieba"
        merged = variant == "merged"
        settings = Settings()
        if words not in tables:
            t1 = time.time()
            tables[words] = table(docs, settings.hash_size, words, categories)
            print(f"table (words={words}): {len(tables[words].clause_doc)} clauses ({time.time() - t1:.0f} s)",
                  file=sys.stderr)
        t = tables[words]
        for test_name, runs in experiments.items():
            for run_name, train_docs, test_docs in runs:
                t1 = time.time()
                sample_w = None
                clause_group = groups[t.clause_doc]
                cats = [c for c in categories if t.sent_y[c][np.isin(t.sent_doc, train_docs)].sum()
                        >= settings.min_positives]
                if variant == "balance":
                    in_train = np.isin(t.clause_doc, train_docs)
                    counts = Counter(clause_group[in_train].tolist())
                    sample_w = np.array([in_train.sum() / (len(counts) * counts[g]) if g in counts else 0.0
                                         for g in clause_group.tolist()])
                model = train(t, train_docs, cats, settings, sample_w, merged)
                for target in TARGETS:
                    thr = thresholds(model, cats, target, merged)
                    scored = measure.scorer_findings(t, test_docs, model, cats, thr, merged)
                    fig = measure.figures(test_docs, scored)
                    fig["kept"] = sorted(c for c, v in thr.items() if v is not None)
                    results[(variant, run_name, target)] = fig
                print(f"{variant} {run_name}: {time.time() - t1:.0f} s; kept at 0.90: "
                      f"{results[(variant, run_name, 0.90)]['kept']}", file=sys.stderr)
                sys.stderr.flush()
        # print this variant's tables as soon as they are done
        for test_name, runs in experiments.items():
            print(f"\n### Test {test_name}, variant {variant}\n\n{HEADER}")
            for target in TARGETS:
                total = None
                for run_name, _, _ in runs:
                    fig = results[(variant, run_name, target)]
                    total = add(total, {k: v for k, v in fig.items() if k != "kept"})
                    if test_name == "C":
                        print(row(f"{variant} {target:.2f} leave out {run_name} (kept {len(fig['kept'])})", fig))
                kept = results[(variant, runs[0][0], target)]["kept"]
                print(row(f"**{variant} {target:.2f}{' all folds' if test_name == 'C' else ''}** "
                          f"(kept: {', '.join(kept) if test_name != 'C' else '-'})", total))
            sys.stdout.flush()
    print(f"\ntotal {time.time() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
