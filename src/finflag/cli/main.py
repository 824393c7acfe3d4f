"""The ``finflag`` command group: command names mapped to the modules that define them.

Commands are imported only when they run (click's lazy-group pattern), so
``finflag flag`` never imports the model stack, the report renderers or the
review code, and start-up stays fast for shell loops. Nothing heavy (torch,
transformers, jieba, langdetect) is imported at module level anywhere in
the CLI. Exit codes are those of :mod:`finflag.result`.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

#: command name -> "module:attribute" inside finflag.cli; `finflag --help` lists them in this order.
COMMANDS = {
    "flag": "flag:flag",
    "summarize": "analyze:summarize",
    "analyze": "analyze:analyze",
    "report": "report:report_command",
    "review": "report:review_command",
    "promoters": "promoters:promoters_command",
    "serve": "serve:serve_command",
    "rules": "rules:rules",
    "eval": "evaluate:eval_command",
    "eval-summaries": "evalsummaries:eval_summaries",
    "model": "model:model_group",
}
SHORT_HELP = {
    "flag": "Find promotional claims in posts and print them with their evidence.",
    "summarize": "Faithful English summary of each post, written by a local model and checked.",
    "analyze": "Flagged claims and an English summary in one report; --out for batches.",
    "report": "Render a report from stored results, without re-running anything.",
    "review": "Walk through unreviewed findings, one key per decision.",
    "promoters": "Link posts that share contact points into promoter clusters, with a risk score.",
    "serve": "Review a report folder in the browser (local web app; finflag[serve]).",
    "rules": "List, explain and test the rules in use.",
    "eval": "Precision, recall and F1 per category against a labelled corpus.",
    "eval-summaries": "Summary faithfulness (links, checks, names, coverage) against labelled posts.",
    "model": "Install and inspect the local model.",
}
EXAMPLES = (
    "cat post.txt | finflag flag -",
    "cat post.txt | finflag analyze -",
    "finflag flag saved_posts/ --format jsonl > results.jsonl",
    "finflag summarize post.txt --format json",
    "finflag analyze saved_posts/ --out report/ && finflag report report/",
    "finflag promoters report/",
    "finflag serve report/",
    "finflag model info",
    "finflag rules list",
    "finflag eval samples/labels.yaml",
)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(f"{__package__}.{module}"), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help without importing every command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, SHORT_HELP[name]) for name in COMMANDS])

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        formatter.write_text("Examples:")
        with formatter.indentation():
            for line in EXAMPLES:
                formatter.write_text(line)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="finflag")
def main() -> None:
    """Flag promotional claims in Chinese finance posts, with evidence,
    and summarise them in English with a local model."""


if __name__ == "__main__":  # pragma: no cover
    main()
