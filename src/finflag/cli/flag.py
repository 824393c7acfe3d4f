"""``finflag flag``: the rule layer alone, fast enough for shell loops."""

from __future__ import annotations

import sys

import click

from .options import (colour_for, finding_options, flag_options, format_option, input_options, load_pack,
                      read_paths, rule_options, source_options)

EXAMPLES = """
\b
Examples:
  finflag flag post.txt
  cat post.txt | finflag flag -
  finflag flag saved_posts/ --glob '*.html' --format jsonl > results.jsonl
  finflag flag post.txt --format json --fail-on error
  finflag flag post.txt --rules my_pack/ --allow allow.yaml
  finflag flag post.txt --scorer            # also the learned sentence scorer
"""


@click.command(epilog=EXAMPLES)
@input_options
@format_option(" (json with several inputs prints an array)")
@finding_options
@rule_options
@source_options
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when a terminal).")
def flag(paths, globs, excludes, encoding, max_size, fmt, min_severity, fail_on, allow_path, rule_paths,
         no_default_rules, scorer, color):
    """Find promotional claims in posts and print them with their evidence.

    PATHS are files, folders (searched recursively) or '-' for standard input.
    """
    from ..output import View
    from ..output.stream import ResultWriter
    from ..pipeline import flag_paths

    pack = load_pack(rule_paths, no_default_rules)
    options = flag_options(pack, min_severity, allow_path, encoding, max_size, scorer)
    writer = ResultWriter(fmt, View(colour=colour_for(sys.stdout, color)), fail_on)
    for item in flag_paths(read_paths(paths), pack, options, globs, excludes):
        writer.add(item)
    sys.exit(writer.finish())
