"""``finflag rules``: list, explain and test the rules in use."""

from __future__ import annotations

import click

from ..rules.pack import CATEGORIES
from .options import load_pack, rule_options


@click.group()
def rules() -> None:
    """List, explain and test the rules in use."""


@rules.command("list", epilog="\b\nExamples:\n  finflag rules list\n  finflag rules list --category hype")
@click.option("--category", type=click.Choice(CATEGORIES), default=None, help="Only this category.")
@rule_options
def rules_list(category, rule_paths, no_default_rules):
    """One line per rule: id, category, severity, message."""
    pack = load_pack(rule_paths, no_default_rules)
    click.echo(f"# {pack.fingerprint}: {len(pack.rules)} rules")
    for rule in sorted(pack.rules, key=lambda r: (CATEGORIES.index(r.category), r.id)):
        if category and rule.category != category:
            continue
        click.echo(f"{rule.id:<30} {rule.category:<18} {rule.severity:<8} {rule.message}")


@rules.command("show", epilog="\b\nExample:\n  finflag rules show guaranteed.no-risk")
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
