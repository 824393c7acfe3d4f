"""Which sources each default rule was written from, read from git history: ``rules/default/origins.yaml``.

::

    python -m finflag.rule_origins            # print the map and the commits it could not classify
    python -m finflag.rule_origins --write    # rewrite src/finflag/rules/default/origins.yaml

Leave-one-source-out figures (``finflag eval --loso``) measure a source with
the rules written from it left out, so every rule needs an origin. Rather
than an ``origin:`` key in each rule file (which other branches edit at the
same time), the map is one generated file beside them; re-run this after
merging rule changes.

How: every non-merge commit that changed a default rule file is compared
with its parent, rule by rule; a rule whose matching part (patterns,
requires, unless) is new or changed takes that commit's sources. A commit's
sources come from :data:`COMMIT_SOURCES` (the history up to pack 1.2.0,
classified by hand from the commit messages and the branches they came on)
or else from words in its message (:data:`MESSAGE_WORDS`: "guba", "sms",
"sample" ...); refactors (speed, renames, loader changes) add none. A rule
renamed with the same patterns keeps its origins. Commits that match
neither are listed on standard error: add them to the table and re-run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = "src/finflag/rules/default"
OUT = Path(__file__).resolve().parent / "rules" / "default" / "origins.yaml"
#: Rule files that hold no rules.
_NOT_RULES = {"pack.yaml", "origins.yaml"}

#: Commits up to pack 1.2.0, by hash prefix: the sources their rule changes were written from
#: (an empty tuple: a refactor that wrote nothing new).
COMMIT_SOURCES: dict[str, tuple[str, ...]] = {
    "419673b": ("samples", "reference"),  # the first pack, from the samples and the tip-site reference posts
    "57c8c8b": (), "e4d69cd": (), "632d6a6": (), "d0b25ac": (), "8ead46e": (), "c880364": (),  # loader, ids, docs
    "099f9cb": ("samples",),
    "b3b6a7e": ("samples",),  # traditional Chinese: the Big5 Taiwan sample
    "935d2c0": ("guba",), "82af7ae": ("guba",),  # real-rules branch: forum calls and predictions
    "0befcbf": ("guba", "sms"), "a8da307": ("guba", "sms"),  # guarantees; contacts, products, urgency
    "d68319f": ("samples",),  # the four new categories, from the examples and samples
    "cbae93c": ("guba", "samples"),
    "76671c5": ("samples",),  # credentials, crypto calls, NT$ prices: the Taiwan and crypto samples
    "4f74b13": ("guba",), "ef5538d": ("sms",), "342411d": ("samples",),
    "d9a2fc5": ("guba",), "25af21f": ("samples",), "7fff71d": ("guba",),
    "2c482a9": ("guba",), "be4fffc": ("guba",),
    # Rule speed, pruning and the 1.2.0 version bump: no new text behind them.
    "233e6d8": (), "87f8a03": (), "926f619": (), "87a3c87": (), "92f0f79": (), "c81af7e": (),
    "b5f39dc": (), "15278f4": (), "2e31248": (),
    # Pack 1.3.0 (the recall branch): written from the tuning halves of the forum and the SMS set.
    "ec09660": ("guba", "sms"), "d98cfb7": ("guba", "sms"), "86cb6d9": ("guba", "sms"),
    "6c12b43": ("guba", "sms"), "6e4a3c3": ("guba", "sms"), "a802e2b": ("guba", "sms"),
    "4204cab": ("guba", "sms"),
    "e418475": (),  # co-anchors: the engine, no new text
    # Pack 1.3.2 (calls branch): a public picks page; a whitespace and duplicate clean-up.
    "668c1de": ("public",), "cbf4b04": (), "efced63": (),
    # Pack 1.6.0: written from the public pages (their studied halves) and probes in the tip-site styles;
    # their messages name the forum and SMS sets only as measured, unchanged, and would be read as sources.
    "8b9c6c4": ("public",), "6b2b8af": ("public", "samples"), "d9ee138": ("public",), "71c4af0": ("public",),
    "243bcc3": (),  # marker sets rewritten for speed, no new text
    # Pack 1.7.0 (rules9 branch): written from guba lines 1-4,400, sms 001-260 and the public pages'
    # studied halves; held out guba 4,401-5,781, sms 261-346 and the public pages with sha 8-f.
    "6f8780f": ("guba",), "3df00a4": ("sms",), "fe7cc1c": ("sms",), "dfe722d": ("guba",), "6fed1d9": ("guba",),
    "b05803c": ("public",), "269c5a0": ("public", "guba"), "788b5a9": ("public",), "bb8bc31": ("guba",),
    "36f2fc0": ("public",), "e86d3c0": ("public",), "8ca1a08": ("guba",), "ed0f5b9": ("guba",),
    "2a7a23c": ("guba",), "e8b8c71": ("guba",), "00648d8": ("sms",), "463df5b": ("guba",), "a4d023f": ("guba",),
    "0ceeff2": ("guba", "sms"), "e814d65": ("guba",), "800c70d": ("guba",),
    "5b31030": (), "563f9e6": (), "bdd199a": (),  # speed and a regex's form; labels only
    "a586328": ("public",),  # precision fixes from the third batch of public pages (names the forum set as measured)
    "418141e": ("public",),  # referral links on any domain (names the forum/SMS set as measured)
    # Pack 1.15.0 (session 16): written from public batches 18-20 (labelled blind, then studied whole) and the
    # samples' todo examples; the messages name guba, sms, the samples and the reference wrap as measured only.
    "69f011f": (), "d21a330": ("samples",), "d9a1d91": ("public",), "22bbf53": ("public",),
    "27feb3e": ("public",), "597f252": ("public",), "87dab29": ("public",), "84d80bd": ("public",),
    "60a0b18": ("public",), "7b57c94": ("public",), "67b911f": ("public",), "6b3d133": (),
    "9538eb9": (), "ed99fde": (),  # vetoes from news-style sentences written for the check: no data source
    "dee4be4": ("public",), "0ca5b14": ("public",), "5a45869": ("public",), "215c1ae": ("public",),
    "4e4c75f": ("public", "guba"), "8548a6c": ("public",),
    "b36be01": ("public",),  # hype.yaml readable again: hype.span-multiple (written in 5a45869) is first seen here
    "d6d22c1": (), "9c4208a": (),  # rule_origins itself; pack 1.15.0's version line
    "d97df4a": ("public",),  # batch 23's news page and warning (the message names the other sets as measured)
    "195f2e8": (), "76a13cc": (), "5e3c951": (), "0dd86bb": (),  # session 16's review: shared marker sets instead of copies
    # Session 17.
    "83dd675": ("sms",),  # impersonation.claimed-parent, from sms 298 (the other sets named as measured)
    "5c9bd21": ("samples", "public"),  # platform_funnel.sign-up-link: half of contact_funnel.messaging-id's link pattern, moved
    "3288521": (),  # shared veto sets for hype.price-call and trade_call.target-told (refactor)
    "7dafc4c": (),  # 保本分成: issue 10's own example, no corpus text
    "6a01f64": ("guba", "samples"),  # trade_call.target-told: hype.price-call's target pattern, moved (its guba and sample examples)
    # Session 18.
    "e619723": (),  # the crackdown marker set (refactor)
    "fc202d1": ("public",),  # news precision: vetoes from public batch 29's feature on paid-content economists
    "3d535f6": ("public",),  # platform_funnel.margin-lending, from public batches 23 and 25
    "d5c3a06": ("public",),  # target-told's after-window, from public batch 23
    "ef72bae": ("public",),  # forum forecasts: limit-ups counted ahead, huge room to rise, a revenge rally (public 22, 24)
    "c1be56c": ("public",),  # crypto rewards, subject-less called-it, return ranges and easy-money slogans (public 23-25)
    "77c1141": ("public",),  # news precision: vetoes from public batch 27's Costco news pages
    "e216e09": ("public",),  # trade_call.column-level, from public batches 23 and 25 (the other sets named as measured)
}
#: For commits not in the table: words of the message (lower-cased) -> source.
MESSAGE_WORDS: tuple[tuple[str, str], ...] = (
    ("guba", "guba"), ("forum", "guba"), ("股吧", "guba"), ("sms", "sms"), ("sample", "samples"),
    ("reference", "reference"), ("tip site", "reference"), ("tip-site", "reference"),
    ("public text", "public"), ("public studied", "public"), ("public batch", "public"),
)
REFACTOR_WORDS = ("rule speed", "speed:", "rename", "refactor", "typo", "readme")


def sources_of_commit(commit: str, message: str) -> tuple[str, ...] | None:
    """The sources a commit's rule changes were written from; None when nothing says."""
    for prefix, sources in COMMIT_SOURCES.items():
        if commit.startswith(prefix):
            return sources
    text = message.lower()
    found = tuple(dict.fromkeys(source for word, source in MESSAGE_WORDS if word in text))
    if found:
        return found
    if any(word in text for word in REFACTOR_WORDS):
        return ()
    return None


def _matching_part(raw: dict[str, Any]) -> str:
    return json.dumps([raw.get(k) for k in ("patterns", "requires", "unless")], ensure_ascii=False, sort_keys=True)


def rules_in(files: dict[str, str]) -> dict[str, str]:
    """Rule id -> its matching part, for rule files given as name -> YAML text."""
    out: dict[str, str] = {}
    for name, text in files.items():
        if name in _NOT_RULES:
            continue
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            continue
        for raw in data.get("rules") or () if isinstance(data, dict) else ():
            if isinstance(raw, dict) and "id" in raw:
                out[str(raw["id"])] = _matching_part(raw)
    return out


def step(origins: dict[str, tuple[str, ...]], before: dict[str, str], after: dict[str, str],
         sources: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Origins after one commit: new or changed rules gain ``sources``; renamed rules keep theirs."""
    sources = tuple(sources)
    by_part = {part: rule_id for rule_id, part in before.items()}
    # A rule missing after this commit keeps its origins: commits come in date order without the merges,
    # so a branch's new rule is missing again after a later commit of the main line touched its file,
    # until the merge (not replayed) brings it back; from_history keeps the rules at HEAD in the end.
    renamed = {by_part[part] for part in after.values() if part in by_part}
    out: dict[str, tuple[str, ...]] = {rule_id: kept for rule_id, kept in origins.items()
                                       if rule_id not in after and rule_id not in renamed}
    for rule_id, part in after.items():
        old = rule_id if rule_id in before else by_part.get(part)
        if old is None and rule_id in origins:
            # Back in sight (a branch's rule, after a main-line commit of its file hid it): the same rule, with
            # the origins it had; a change made on its branch was recorded when that branch commit came by.
            out[rule_id] = origins[rule_id]
            continue
        kept = origins.get(old, ()) if old is not None else ()
        changed = old is None or before[old] != part
        out[rule_id] = tuple(dict.fromkeys(kept + (sources if changed else ())))
    return out


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def _files_at(commit: str, names: Iterable[str], cwd: Path) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = _git("show", f"{commit}:{RULES_DIR}/{name}", cwd=cwd)
        except subprocess.CalledProcessError:
            pass  # not there at that commit
    return out


def from_history(repo: Path) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Origins of the rules at HEAD, and the commits (hash and subject) no table or word classified."""
    commits = _git("log", "--reverse", "--no-merges", "--format=%H%x1f%B%x1e", "--", RULES_DIR, cwd=repo)
    origins: dict[str, tuple[str, ...]] = {}
    state: dict[str, str] = {}  # rule file name -> text, as of the last commit seen
    unclassified = []
    for entry in filter(None, (e.strip() for e in commits.split("\x1e"))):
        commit, message = entry.split("\x1f", 1)
        changed = [Path(p).name for p in _git("diff-tree", "--root", "--no-commit-id", "--name-only", "-r", commit, "--",
                                              RULES_DIR, cwd=repo).split()]
        before = rules_in(state)
        found = _files_at(commit, changed, repo)
        state.update(found)
        for gone in [name for name in changed if name not in found]:
            state.pop(gone, None)
        after = rules_in(state)
        sources = sources_of_commit(commit, message)
        if sources is None:
            if any(before.get(rule_id) != part for rule_id, part in after.items()):  # only when rules changed
                unclassified.append(f"{commit[:7]} {message.splitlines()[0] if message else ''}")
            sources = ()
        origins = step(origins, before, after, sources)
    names = _git("ls-tree", "--name-only", "HEAD", RULES_DIR + "/", cwd=repo).split()
    at_head = rules_in(_files_at("HEAD", [Path(n).name for n in names], repo))
    return {rule_id: kept for rule_id, kept in origins.items() if rule_id in at_head}, unclassified


def render(origins: dict[str, tuple[str, ...]]) -> str:
    lines = ["# Generated by `python -m finflag.rule_origins --write` from git history; do not edit by hand",
             "# (classify commits in rule_origins.COMMIT_SOURCES and re-run). Rule id -> the sources its",
             "# text was written from; `finflag eval --loso` leaves a source's rules out when measuring it.",
             "# An empty list: only refactors touched it (it counts as written from no source).",
             "origins:"]
    for rule_id in sorted(origins):
        lines.append(f"  {rule_id}: [{', '.join(origins[rule_id])}]")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m finflag.rule_origins", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {OUT.name} instead of printing it")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2], help="the git checkout")
    args = parser.parse_args(argv)
    origins, unclassified = from_history(args.repo)
    for line in unclassified:
        print(f"finflag: warning: commit not classified (no sources taken from it): {line}", file=sys.stderr)
    text = render(origins)
    if args.write:
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT} ({len(origins)} rules)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
