"""Rule packs: YAML data in, validated and compiled rules out.

A pack is a folder (``pack.yaml`` with the pack's name, version and named
marker sets, plus any number of ``*.yaml`` files holding ``rules:`` lists)
or a single YAML file with the same keys. The layout follows Vale's styles:
rules are data a reviewer can read, with their own examples, and the code
only interprets them. Every problem in a pack is reported with the file and
the rule id, because pack authors are users too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .yamlfile import describe
from .analysis_cache import compiled, parsed
from .anchors import AnchorIndex, pattern_anchors, pattern_co_anchors, presence_literals, searches_in_place
from .matching import Finder, co_key, finder, windowed

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


def at_least(severity: str, floor: str) -> bool:
    """Whether a finding of ``severity`` passes a ``--min-severity`` / ``--fail-on`` of ``floor``."""
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[floor]

_RULE_KEYS = {
    "id", "category", "severity", "message", "explanation", "patterns", "requires",
    "unless", "examples", "negatable", "todo_match", "origin", "scope",
}
#: Where a rule's findings are kept (``scope:``); no scope means anywhere. ``promoter_page``: only in a
#: document that is clearly a promoter's (see :func:`finflag.rules.voice.apply_scope`), for claim shapes
#: too loose for the whole web (a bare 明天涨停, 跟上, 名额) that are safe beside a funnel.
SCOPES = ("promoter_page",)
_CATEGORY_KEYS = ("id", "label", "colour", "description")
_CATEGORY_ID = re.compile(r"[a-z][a-z0-9_]*")
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
NEGATION_WINDOW = 3
#: A negation only counts within the hit's own clause: 不, 稳赚 is not 不稳赚.
CLAUSE_BREAKS = ",，。!！?？;；:：\n"


class RulePackError(ValueError):
    """A pack that cannot be loaded; the message says where and why."""


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: object, line: int, first_line: int) -> None:
        super().__init__(f"line {line}: duplicate key {key!r} (first at line {first_line})")


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, refusing a key repeated in one mapping (YAML would silently keep the last).

    libyaml's safe loader parses the default pack ten times faster (start-up
    time); only mapping construction runs in Python, as it does anyway.
    """

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)  # memoised: the base class reuses it
                line = key_node.start_mark.line + 1
                try:
                    if key in seen:
                        raise _DuplicateKey(key, line, seen[key])
                    seen[key] = line
                except TypeError:  # unhashable: the base class reports it
                    continue
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True)
class Category:
    """A kind of promotional claim: findings are grouped, counted and coloured by it."""

    id: str
    label: str
    colour: str  # "#rgb" or "#rrggbb", for the HTML report
    description: str


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern: a regex with a gloss template, or a keyword table.

    ``anchors``/``reach`` drive the pre-filter (see :mod:`finflag.anchors`);
    None means the pattern is always scanned in full. A keyword table with
    no cased letters is ``literal``: its anchors *are* its matches.
    """

    regex: re.Pattern[str]
    gloss: str = ""
    keywords: dict[str, str] = field(default_factory=dict)
    anchors: frozenset[str] | None = None
    reach: tuple[int, int] | None = None
    literal: bool = False
    #: A second necessary literal set (see :func:`finflag.rules.anchors.pattern_co_anchors`): windows without one are skipped.
    co_anchors: frozenset[str] | None = None


#: Named groups that hold an identifier, copied as written: a QQ number or a phone number is no amount
#: (QQ：124533718 had read "124.533718 million").
VERBATIM_GROUPS = frozenset({"id", "num", "code", "handle"})


def fill_template(template: str, groups: dict[str, str | None], glossary: dict[str, str]) -> str:
    """A gloss template filled in from a match's named groups.

    Each value is put into English through the pack's glossary (日 -> day) or
    as an amount (3.2万 -> 32,000); an identifier group (``VERBATIM_GROUPS``) is copied as written.
    """
    from ..numbers import english_amount

    values = {}
    for name, value in groups.items():
        value = (value or "").strip()
        values[name] = value if name in VERBATIM_GROUPS else glossary.get(value) or english_amount(value)
    try:
        return " ".join(template.format(**values).split())
    except (KeyError, IndexError, ValueError):
        return template


@dataclass(frozen=True)
class Condition:
    """Markers (or a regex) that must / must not occur near a match.

    "Near" is the window from ``before`` characters ahead of the match to
    ``after`` characters past it; the regex is searched in that window
    alone, as if it were the whole text (see ``findings._all_near``). A veto's
    window (``unless``) also stops at the match's line: a scam's "beware of
    fakes" line must not cancel the bait on the next one.
    """

    regex: re.Pattern[str]
    before: int
    after: int
    description: str


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    message: str
    explanation: str
    patterns: tuple[Pattern, ...]
    requires: tuple[Condition, ...] = ()
    unless: tuple[Condition, ...] = ()
    negatable: bool = True
    examples_match: tuple[Any, ...] = ()
    examples_no_match: tuple[str, ...] = ()
    #: Known misses: text the rule should match and does not yet (see :mod:`finflag.rules.testing`).
    todo_match: tuple[str, ...] = ()
    source: str = ""
    #: The sources whose text the rule was written from (samples, guba, sms, reference ...): a rule's
    #: ``origin:`` or the pack's ``origins:`` map. Leave-one-source-out figures (``finflag eval --loso``)
    #: measure a source with the rules written from it left out; empty means not recorded.
    origin: tuple[str, ...] = ()
    #: ``""`` (anywhere) or one of :data:`SCOPES`: the kind of document the rule's findings are kept in.
    #: The rule's own examples (``finflag rules test``) are matched as if on such a page: they test the
    #: pattern; the page test is the engine's, tested once in tests/test_promoter_scope.py.
    scope: str = ""


#: A condition as the matching loop uses it: ``(search, before, after, in place, presence key)``.
ConditionPlan = tuple[Any, int, int, bool, "int | None"]


class MatchPlan(NamedTuple):
    """One pattern with its rule, prepared for the matching loop.

    The loop runs once per pattern per document and its conditions once
    per hit, so what can be decided once per pack is decided here: how to
    find the pattern's hits, whether negation applies, and for each
    condition its bound ``search``, whether it may search in place, and the
    anchor-index key of literals every match of it contains (see
    :attr:`RulePack.condition_anchors`).
    """

    rule: Rule
    pattern: Pattern
    negatable: bool
    #: (search, chars before, chars after, in place, presence key or None) of each condition that
    #: must / must not hold; see :func:`finflag.anchors.searches_in_place` and ``condition_anchors``.
    requires: tuple[ConditionPlan, ...]
    unless: tuple[ConditionPlan, ...]
    #: The pattern's hits in a document, before conditions (see :mod:`finflag.rules.matching`).
    find: Finder


@dataclass
class RulePack:
    name: str
    version: str
    rules: list[Rule]
    markers: dict[str, list[str]]
    glossary: dict[str, str] = field(default_factory=dict)
    negation: re.Pattern[str] | None = None
    #: Declared categories by id, in the order reports list them (base pack's first).
    categories: dict[str, Category] = field(default_factory=dict)
    #: Filled gloss templates by (pattern key, captured groups): the same phrase recurs across posts.
    _gloss_cache: dict[tuple[int, tuple[str | None, ...]], str] = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Only the fields are pickled (batch workers under spawn): the cached matching
        structures (an Aho-Corasick automaton among them) are rebuilt on first use."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "_gloss_cache"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _gloss_cache={})

    @property
    def fingerprint(self) -> str:
        """Name@version of every pack merged in, for result caching."""
        return f"{self.name}@{self.version}"

    @cached_property
    def patterns(self) -> list[tuple[Rule, Pattern]]:
        """Every (rule, pattern) pair; the index is the key the anchor index uses."""
        return [(rule, pattern) for rule in self.rules for pattern in rule.patterns]

    def template_gloss(self, key: int, match: re.Match[str]) -> str:
        """English for a hit of a pattern whose gloss is a template ("{n} years")."""
        cache_key = (key, match.groups())
        gloss = self._gloss_cache.get(cache_key)
        if gloss is None:
            gloss = fill_template(self.patterns[key][1].gloss, match.groupdict(), self.glossary)
            if len(self._gloss_cache) > 10_000:
                self._gloss_cache.clear()
            self._gloss_cache[cache_key] = gloss
        return gloss

    @cached_property
    def plans(self) -> list[MatchPlan]:
        """A :class:`MatchPlan` per pattern key."""
        keys = {ident: key for ident, (key, _) in self.condition_anchors.items()}

        def conditions(found: tuple[Condition, ...]) -> tuple[ConditionPlan, ...]:
            return tuple((c.regex.search, c.before, c.after, searches_in_place(c.regex),
                          keys.get((c.regex.pattern, c.regex.flags))) for c in found)

        return [
            MatchPlan(rule, p, rule.negatable and self.negation is not None,
                      conditions(rule.requires), conditions(rule.unless),
                      finder(key, p, self.template_gloss))
            for key, (rule, p) in enumerate(self.patterns)
        ]

    @cached_property
    def finders(self) -> list[Finder]:
        """Each plan's finder, by pattern key: the matching loop calls these for every pattern
        whose anchors occur, and looks at the rest of a plan only when it finds something."""
        return [plan.find for plan in self.plans]

    @cached_property
    def anchor_index(self) -> AnchorIndex:
        anchors = {k: p.anchors for k, (_, p) in enumerate(self.patterns) if p.anchors is not None}
        presence = dict(self.condition_anchors.values())
        # Co-anchors (literals every match needs) are looked up by position only by a window
        # finder; the others only ask whether one occurs, so theirs are presence keys. Their words
        # are common (收益, 会员, 买入): filing each occurrence's span had been two fifths of the
        # anchor scan's bookkeeping on the samples.
        for k, (_, p) in enumerate(self.patterns):
            if p.anchors is not None and p.co_anchors is not None:
                (anchors if windowed(p) else presence)[co_key(k)] = p.co_anchors
        return AnchorIndex(anchors, presence)

    @cached_property
    def condition_anchors(self) -> dict[tuple[str, int], tuple[int, frozenset[str]]]:
        """For each distinct condition regex (by pattern and flags) that has one: its key in the
        anchor index and the literals every match of it contains (:func:`finflag.rules.anchors.presence_literals`).

        A condition cannot hold in a text where none of its literals occurs, so
        the one anchor scan a document gets anyway tells which conditions need
        their regex searched at all: vetoes (fraud-warning words, news
        attributions ...) are often absent (more than half the veto checks on
        the bundled samples), and their searches were a seventh of the rule
        layer's time. Keys are negative and below the
        co-anchor keys (:func:`finflag.rules.matching.co_key`), so the matching
        loop skips them like co-anchors.
        """
        found: dict[tuple[str, int], tuple[int, frozenset[str]]] = {}
        for rule in self.rules:
            for condition in (*rule.requires, *rule.unless):
                ident = (condition.regex.pattern, condition.regex.flags)
                if ident in found:
                    continue
                literals = presence_literals(condition.regex)
                if literals is not None:
                    found[ident] = (-1 - len(self.patterns) - len(found), literals)
        return found

    @cached_property
    def scoped_rules(self) -> dict[str, str]:
        """The scope of each rule that has one, by rule id (see :data:`SCOPES`)."""
        return {rule.id: rule.scope for rule in self.rules if rule.scope}

    @cached_property
    def unanchored_keys(self) -> tuple[int, ...]:
        """Patterns the anchor pre-filter cannot screen: always scanned in full."""
        return tuple(k for k, (_, p) in enumerate(self.patterns) if p.anchors is None)

    @cached_property
    def negation_in_clause(self) -> re.Pattern[str] | None:
        """A negation word with no clause break after it, searched in the few characters before a hit."""
        if self.negation is None:
            return None
        return re.compile(f"(?:{self.negation.pattern})[^{re.escape(CLAUSE_BREAKS)}]*\\Z")

    @cached_property
    def negation_in_place(self) -> bool:
        """Whether the negation can be searched for in place rather than in a slice (see :mod:`finflag.anchors`)."""
        return self.negation_in_clause is not None and searches_in_place(self.negation_in_clause)


def marker_alternation(words: list[str]) -> str:
    """One regex for a word list; an entry written ``re:...`` is taken as a regex.

    Public because marker sets are read outside rules too (:mod:`finflag.rules.voice`).
    """
    # Longest first; then in code-point order, so the regex reads the same in every run (Python salts
    # string hashes per process, and a set's order with them): its analysis is then found in the
    # cache (:mod:`finflag.rules.analysis_cache`) instead of redone, and added again, at every start.
    parts = [w[3:] if w.startswith("re:") else re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))]
    return "|".join(f"(?:{p})" if len(parts) > 1 and "|" in p else p for p in parts)


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return compiled(pattern)  # re.compile, kept between runs (see analysis_cache)
    except re.error as exc:
        raise RulePackError(f"{where}: bad regex {pattern!r}: {exc}") from None


def _condition(raw: Any, markers: dict[str, list[str]], where: str) -> Condition:
    if not isinstance(raw, dict):
        raise RulePackError(f"{where}: a condition must be a mapping with 'near' or 'pattern'")
    within = int(raw.get("within", 20))
    before, after = int(raw.get("before", within)), int(raw.get("after", within))
    if "near" in raw:
        near = raw["near"]
        words = [str(w) for w in near] if isinstance(near, list) else markers.get(near)  # YAML reads 110 as a number
        if not words:
            raise RulePackError(f"{where}: unknown marker set {near!r} (known: {', '.join(sorted(markers))})")
        # `except: [提醒]`: a named set but for words that are the claim itself in this rule (a promoter's own
        # 提醒); the set stays the one list, and a word it does not hold is an error, so the two cannot drift.
        left_out = [str(w) for w in raw.get("except") or ()]
        if left_out:
            if isinstance(near, list) or not set(left_out) <= set(words):
                raise RulePackError(f"{where}: 'except' takes words of the marker set named in 'near' ({near!r}): "
                                    f"{[w for w in left_out if w not in words] or left_out}")
            words = [w for w in words if w not in left_out]
        return Condition(_compile(marker_alternation(words), where), before, after, f"near {near}")
    if "pattern" in raw:
        return Condition(_compile(raw["pattern"], where), before, after, f"pattern {raw['pattern']}")
    raise RulePackError(f"{where}: a condition needs 'near' (marker set or list) or 'pattern'")


def _with_anchors(pattern: Pattern) -> Pattern:
    if pattern.keywords:
        words = frozenset(pattern.keywords)
        # Anchors are found in lower-cased text, so only caseless words can stand for their own matches.
        literal = all(w.lower() == w.upper() for w in words) and not any(w.startswith("re:") for w in words)
        if literal:
            return Pattern(pattern.regex, pattern.gloss, pattern.keywords, words, (0, 0), True)
    found = pattern_anchors(pattern.regex)
    if found is None:
        return pattern
    anchors, reach = found
    return Pattern(pattern.regex, pattern.gloss, pattern.keywords, anchors, reach,
                   co_anchors=pattern_co_anchors(pattern.regex, anchors))


def _patterns(raw: Any, where: str) -> tuple[Pattern, ...]:
    if not isinstance(raw, list) or not raw:
        raise RulePackError(f"{where}: 'patterns' must be a non-empty list")
    out = []
    for item in raw:
        if isinstance(item, dict) and "keywords" in item:
            table = item["keywords"]
            if isinstance(table, list):
                table = {word: "" for word in table}
            if not isinstance(table, dict) or not table:
                raise RulePackError(f"{where}: 'keywords' must be a list or a keyword: gloss mapping")
            table = {str(k): str(v or "") for k, v in table.items()}
            out.append(_with_anchors(Pattern(_compile(marker_alternation(list(table)), where), keywords=table)))
        elif isinstance(item, dict) and "regex" in item:
            out.append(_with_anchors(Pattern(_compile(item["regex"], where), gloss=str(item.get("gloss", "")))))
        else:
            raise RulePackError(f"{where}: each pattern needs 'regex' or 'keywords'")
    return tuple(out)


def _categories(raw: Any, source: str) -> list[Category]:
    """The entries of a ``categories:`` list, each checked."""
    if not isinstance(raw, list):
        raise RulePackError(f"{source}: 'categories' must be a list of mappings with {', '.join(_CATEGORY_KEYS)}")
    out = []
    for n, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise RulePackError(f"{source}: category #{n} must be a mapping with {', '.join(_CATEGORY_KEYS)}")
        where = f"{source}: category {item.get('id', f'#{n}')}"
        missing = [key for key in _CATEGORY_KEYS if key not in item]
        if missing:
            raise RulePackError(f"{where}: missing {', '.join(repr(k) for k in missing)}")
        unknown = set(item) - set(_CATEGORY_KEYS)
        if unknown:
            raise RulePackError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        if not isinstance(item["id"], str) or not _CATEGORY_ID.fullmatch(item["id"]):
            raise RulePackError(f"{where}: id must be lower-case letters, digits and '_', starting with a letter")
        colour = item["colour"]
        if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
            raise RulePackError(f"{where}: colour {colour!r} must be #rgb or #rrggbb "
                                "(in quotes: YAML reads an unquoted # as a comment)")
        for key in ("label", "description"):
            if not isinstance(item[key], str) or not item[key].strip():
                raise RulePackError(f"{where}: {key} must be non-empty text")
        out.append(Category(item["id"], item["label"].strip(), colour, " ".join(item["description"].split())))
    return out


def _rule(raw: Any, markers: dict[str, list[str]], categories: dict[str, Category], source: str) -> Rule:
    if not isinstance(raw, dict) or "id" not in raw:
        raise RulePackError(f"{source}: every rule needs an 'id'")
    where = f"{source}: rule {raw['id']}"
    prefix = Path(source).stem + "."
    if not str(raw["id"]).startswith(prefix) or str(raw["id"]) == prefix:
        raise RulePackError(f"{where}: the id must be '{prefix}<name>' (the name of its file, a dot, a name)")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RulePackError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("category", "severity", "message", "explanation", "patterns"):
        if key not in raw:
            raise RulePackError(f"{where}: missing '{key}'")
    if raw["category"] not in categories:
        known = ", ".join(categories) or "none"
        raise RulePackError(
            f"{where}: category {raw['category']!r} is not declared under 'categories:' (known: {known})")
    if raw["severity"] not in SEVERITIES:
        raise RulePackError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    examples = raw.get("examples") or {}
    if not examples.get("match"):
        raise RulePackError(f"{where}: needs at least one example under examples.match")
    for example in list(examples.get("match")) + list(examples.get("no_match") or ()):
        if not (isinstance(example, str) or (isinstance(example, dict) and "text" in example)):
            raise RulePackError(
                f"{where}: example {example!r} must be a string or a mapping with 'text' "
                "(quote strings that contain ': ')"
            )
        if isinstance(example, dict) and not set(example) <= {"text", "quote", "gloss"}:
            raise RulePackError(f"{where}: example {example!r}: a mapping has 'text' and optionally 'quote', 'gloss'")
    scope = raw.get("scope") or ""
    if scope not in ("", *SCOPES):
        raise RulePackError(f"{where}: unknown scope {scope!r} (known: {', '.join(SCOPES)}; leave it out for anywhere)")
    todo = raw.get("todo_match") or []
    if not isinstance(todo, list) or not all(isinstance(text, str) for text in todo):
        raise RulePackError(f"{where}: 'todo_match' must be a list of strings (known misses)")
    return Rule(
        id=str(raw["id"]),
        category=raw["category"],
        severity=raw["severity"],
        message=str(raw["message"]).strip(),
        explanation=" ".join(str(raw["explanation"]).split()),
        patterns=_patterns(raw["patterns"], where),
        requires=tuple(_condition(c, markers, where) for c in raw.get("requires") or ()),
        unless=tuple(_condition(c, markers, where) for c in raw.get("unless") or ()),
        negatable=bool(raw.get("negatable", True)),
        examples_match=tuple(examples.get("match") or ()),
        examples_no_match=tuple(examples.get("no_match") or ()),
        todo_match=tuple(todo),
        source=source,
        origin=_origin(raw.get("origin"), where),
        scope=scope,
    )


def _origin(raw: Any, where: str) -> tuple[str, ...]:
    """A list of source names (``origin: [guba, sms]``); a lone name is a list of one."""
    if raw is None:
        return ()
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise RulePackError(f"{where}: 'origin' must be a list of source names (samples, guba, sms, ...)")
    return tuple(dict.fromkeys(names))


#: What the parsed-YAML cache is keyed by besides the text: the loader's behaviour (bump on a change) and PyYAML's.
_YAML_KIND = f"pack-yaml-1-{yaml.__version__}"


def _load_yaml_text(text: str) -> Any:
    return yaml.load(text, Loader=_YamlLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = parsed(_YAML_KIND, path.read_text(encoding="utf-8"), _load_yaml_text, slot=str(path.resolve()))
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(f"{path}: cannot read: {exc}") from None
    except _DuplicateKey as exc:
        raise RulePackError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise RulePackError(f"{path}: not valid YAML: {describe(exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulePackError(f"{path}: expected a mapping with 'rules:' (and optionally 'markers:')")
    return data


def _pack_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
        header = [f for f in files if f.stem == "pack"]
        return header + [f for f in files if f.stem != "pack"]
    if path.is_file():
        return [path]
    raise RulePackError(f"{path}: no such rule pack (a .yaml file or a folder of them)")


def load_pack(path: Path, base: RulePack | None = None) -> RulePack:
    """Load the pack at ``path``; rules with an id already in ``base`` replace it."""
    markers: dict[str, list[str]] = dict(base.markers) if base else {}
    glossary: dict[str, str] = dict(base.glossary) if base else {}
    names, versions = ([base.name], [base.version]) if base else ([], [])
    rules: dict[str, Rule] = {r.id: r for r in base.rules} if base else {}
    # A user pack's category goes after the base pack's; one with the same id replaces it in place.
    categories: dict[str, Category] = dict(base.categories) if base else {}
    declared: set[str] = set()
    raw_rules: list[tuple[Any, str]] = []
    origins: dict[str, tuple[str, ...]] = {}
    for file in _pack_files(path):
        data = _read_yaml(file)
        raw_origins = data.get("origins") or {}
        if not isinstance(raw_origins, dict):
            raise RulePackError(f"{file.name}: 'origins' must map rule ids to lists of source names")
        origins.update({str(rule_id): _origin(names, f"{file.name}: origins of {rule_id}")
                        for rule_id, names in raw_origins.items()})
        for category in _categories(data["categories"], file.name) if "categories" in data else ():
            if category.id in declared:
                raise RulePackError(f"{file.name}: category {category.id} is declared twice")
            declared.add(category.id)
            categories[category.id] = category
        for key, words in (data.get("markers") or {}).items():
            key = str(key)
            if key.endswith("+"):  # `fraud_topic+: [...]` adds to the set a pack loaded before defined
                markers[key[:-1]] = markers.get(key[:-1], []) + [str(w) for w in words]
            else:
                markers[key] = [str(w) for w in words]
        glossary.update({str(k): str(v) for k, v in (data.get("glossary") or {}).items()})
        if "name" in data:
            names.append(str(data["name"]))
            versions.append(str(data.get("version", "0")))
        raw_rules.extend((raw, str(file.name)) for raw in data.get("rules") or ())
    if not names:
        names, versions = [path.stem], ["0"]
    seen: set[str] = set()
    for raw, source in raw_rules:
        rule = _rule(raw, markers, categories, source)
        if rule.id in seen:
            raise RulePackError(f"{source}: rule id {rule.id} is defined twice")
        seen.add(rule.id)
        rules[rule.id] = rule
    for rule_id, sources in origins.items():  # a map beside the rules (rules/default/origins.yaml) adds origins
        if rule_id in rules and not rules[rule_id].origin:
            rules[rule_id] = replace(rules[rule_id], origin=sources)
    negation = markers.get("negation")
    return RulePack(
        name="+".join(names),
        version="+".join(versions),
        rules=list(rules.values()),
        markers=markers,
        glossary=glossary,
        negation=re.compile(marker_alternation(negation)) if negation else None,
        categories=categories,
    )


def default_pack_path() -> Path:
    return Path(str(resources.files("finflag") / "rules" / "default"))


def load_packs(extra: list[Path] | tuple[Path, ...] = (), include_default: bool = True) -> RulePack:
    """The default pack plus any user packs, in order."""
    pack = load_pack(default_pack_path()) if include_default else None
    for path in extra:
        pack = load_pack(Path(path), pack)
    if pack is None:
        raise RulePackError("no rule packs: give --rules PATH or keep the default pack")
    return pack
