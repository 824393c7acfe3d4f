"""``finflag rules``: list, explain and test the rules in use."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import load_pack, rule_options


@click.group()
def rules() -> None:
    """List, explain and test the rules in use."""


@rules.command("list", epilog="\b\nExamples:\n  finflag rules list\n  finflag rules list --category hype")
@click.option("--category", default=None, help="Only this category (any category of the loaded packs).")
@rule_options
def rules_list(category, rule_paths, no_default_rules):
    """One line per rule: id, category, severity, message."""
    pack = load_pack(rule_paths, no_default_rules)
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
@rule_options
def rules_show(rule_id, rule_paths, no_default_rules):
    """Everything about one rule: why it matters and its examples."""
    pack = load_pack(rule_paths, no_default_rules)
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
