"""The ``finflag`` command line.

Start-up must stay fast for ``finflag flag`` in shell loops, so nothing
heavy (torch, transformers, jieba, langdetect) is imported at module level.
Exit codes: 0 done, 1 a finding at or above ``--fail-on``, 2 usage or
input errors (any unreadable input in a batch).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import __version__
from ..input.ingest import MAX_BYTES
from ..rules.pack import SEVERITIES, RulePackError


FLAG_EXAMPLES = """
\b
Examples:
  finflag flag post.txt
  cat post.txt | finflag flag -
  finflag flag saved_posts/ --glob '*.html' --format jsonl > results.jsonl
  finflag flag post.txt --format json --fail-on error
  finflag flag post.txt --rules my_pack/ --allow allow.yaml
"""


class _Group(click.Group):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        formatter.write_text("Examples:")
        with formatter.indentation():
            for line in (
                "cat post.txt | finflag flag -",
                "cat post.txt | finflag analyze -",
                "finflag flag saved_posts/ --format jsonl > results.jsonl",
                "finflag summarize post.txt --format json",
                "finflag model info",
                "finflag rules list",
                "finflag eval samples/labels.yaml",
            ):
                formatter.write_text(line)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="finflag")
def main() -> None:
    """Flag promotional claims in Chinese finance posts, with evidence,
    and summarise them in English with a local model."""


def _rule_options(func):
    func = click.option("--no-default-rules", is_flag=True, help="Use only the packs given with --rules.")(func)
    func = click.option(
        "--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
        help="Extra rule pack (YAML file or folder); repeatable. Same ids replace default rules.",
    )(func)
    return func


def _load_pack(rule_paths, no_default_rules):
    from ..rules.pack import load_packs

    try:
        return load_packs(list(rule_paths), include_default=not no_default_rules)
    except RulePackError as exc:
        raise click.UsageError(f"rule pack: {exc}") from None


def _read_paths(paths: tuple[str, ...]) -> list[str]:
    if paths:
        return list(paths)
    if not sys.stdin.isatty():
        return ["-"]
    raise click.UsageError("give one or more files or folders, or '-' to read standard input")


@main.command(epilog=FLAG_EXAMPLES)
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "markdown"]), default="text",
              show_default=True, help="Output format (json with several inputs prints an array).")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default="info", show_default=True,
              help="Hide findings below this severity.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 if any finding is at or above this severity.")
@_rule_options
@click.option("--allow", "allow_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Allow-list YAML of phrases / rule ids (per path glob) to suppress.")
@click.option("--glob", "globs", multiple=True, help="File name pattern inside folders (default: *.txt *.md *.html *.htm).")
@click.option("--exclude", "excludes", multiple=True, help="Skip files matching this pattern inside folders.")
@click.option("--encoding", default=None, help="Force the input encoding (e.g. gb18030, big5).")
@click.option("--max-size", type=float, default=MAX_BYTES / 2**20, show_default=True, help="Largest input in MB.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when a terminal).")
def flag(paths, fmt, min_severity, fail_on, rule_paths, no_default_rules, allow_path, globs, excludes,
         encoding, max_size, color):
    """Find promotional claims in posts and print them with their evidence.

    PATHS are files, folders (searched recursively) or '-' for standard input.
    """
    from ..rules.allowlist import AllowListError, load_allowlist
    from ..pipeline import FlagOptions, flag_paths
    from ..result import ResultWriter

    pack = _load_pack(rule_paths, no_default_rules)
    try:
        allow = load_allowlist(allow_path) if allow_path else []
    except AllowListError as exc:
        raise click.UsageError(str(exc)) from None
    options = FlagOptions(min_severity, allow, encoding, int(max_size * 2**20))
    writer = ResultWriter(fmt, sys.stdout.isatty() if color is None else color, fail_on)
    for item in flag_paths(_read_paths(paths), pack, options, globs, excludes):
        writer.add(item)
    sys.exit(writer.finish())


@main.group()
def rules() -> None:
    """List, explain and test the rules in use."""


@rules.command("list", epilog="\b\nExamples:\n  finflag rules list\n  finflag rules list --category hype")
@click.option("--category", default=None, help="Only this category (any category of the loaded packs).")
@_rule_options
def rules_list(category, rule_paths, no_default_rules):
    """One line per rule: id, category, severity, message."""
    pack = _load_pack(rule_paths, no_default_rules)
    if category is not None and category not in pack.categories:
        raise click.UsageError(f"unknown category {category!r} (known: {', '.join(pack.categories)})")
    click.echo(f"# {pack.fingerprint}: {len(pack.rules)} rules")
    order = list(pack.categories)
    for rule in sorted(pack.rules, key=lambda r: (order.index(r.category), r.id)):
        if category and rule.category != category:
            continue
        click.echo(f"{rule.id:<30} {rule.category:<18} {rule.severity:<8} {rule.message}")


@rules.command("show", epilog="\b\nExample:\n  finflag rules show guaranteed_return.no-risk")
@click.argument("rule_id")
@_rule_options
def rules_show(rule_id, rule_paths, no_default_rules):
    """Everything about one rule: why it matters and its examples."""
    pack = _load_pack(rule_paths, no_default_rules)
    rule = next((r for r in pack.rules if r.id == rule_id), None)
    if rule is None:
        close = [r.id for r in pack.rules if rule_id.split(".")[0] in r.id]
        hint = f" (did you mean {', '.join(close)}?)" if close else " (see 'finflag rules list')"
        raise click.UsageError(f"no rule {rule_id!r}{hint}")
    click.echo(f"{rule.id}  [{rule.category}, {rule.severity}]  from {rule.source}")
    click.echo(f"\n{rule.message}\n")
    click.echo(click.wrap_text(rule.explanation, width=78))
    if rule.requires or rule.unless:
        click.echo("\nContext:")
        for c in rule.requires:
            click.echo(f"  only when {c.description} ({c.before} before / {c.after} after)")
        for c in rule.unless:
            click.echo(f"  not when {c.description} ({c.before} before / {c.after} after)")
    click.echo("\nMatches:")
    for ex in rule.examples_match:
        click.echo(f"  + {ex['text'] if isinstance(ex, dict) else ex}")
    click.echo("Does not match:")
    for ex in rule.examples_no_match:
        click.echo(f"  - {ex}")
    if rule.todo_match:
        click.echo("Should match, does not yet (todo):")
        for text in rule.todo_match:
            click.echo(f"  ? {text}")


@rules.command("test", epilog="\b\nExamples:\n  finflag rules test\n  finflag rules test my_pack/\n"
                               "  finflag rules test my_pack.yaml --no-default-rules")
@click.argument("pack_paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PACK_PATH]...")
@click.option("--no-default-rules", is_flag=True, help="Load the given packs alone, not on top of the default pack.")
def rules_test(pack_paths, no_default_rules):
    """Run each rule's own examples as tests: match, no_match and todo_match.

    Tests the rules of the packs at PACK_PATH (default: the default pack).
    Exit 0 all pass, 1 any failure, 2 a pack that cannot be loaded.
    """
    from ..rules.testing import BAD_PACK, run_tests

    code, text = run_tests(pack_paths, include_default=not no_default_rules)
    click.echo(text, err=code == BAD_PACK)
    sys.exit(code)


@main.command("eval", epilog="\b\nExample:\n  finflag eval samples/labels.yaml\n  finflag eval corpus/labels.yaml --format json")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_rule_options
def eval_command(labels, fmt, rule_paths, no_default_rules):
    """Precision, recall and F1 per category against a labelled corpus."""
    from ..evaluate import LabelError, evaluate, evaluation_dict, format_evaluation
    from ..result import EXIT_ERROR

    pack = _load_pack(rule_paths, no_default_rules)
    try:
        result = evaluate(labels, pack)
    except LabelError as exc:
        raise click.UsageError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(evaluation_dict(result), ensure_ascii=False, indent=2))
    else:
        click.echo(format_evaluation(result))
    if result.errors:
        sys.exit(EXIT_ERROR)


def _register_model_commands() -> None:
    from .batch import report_command, review_command
    from .model import analyze, model_group, summarize

    main.add_command(summarize)
    main.add_command(analyze)
    main.add_command(report_command)
    main.add_command(review_command)
    main.add_command(model_group)


_register_model_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
