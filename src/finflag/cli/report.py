"""``finflag report`` and ``finflag review``: working with a report folder after a batch."""

from __future__ import annotations

from pathlib import Path

import click

from ..output import REPORT_FORMATS
from ..rules.pack import SEVERITIES, at_least
from .options import CommandError


def _report_dir(path: Path) -> Path:
    from ..reportdir import is_report_dir

    if not is_report_dir(path):
        raise CommandError(f"{path} is not a report folder (made by 'finflag analyze ... --out {path}')")
    return path


@click.command("report", epilog="\b\nExamples:\n  finflag report report/ --format html\n"
                                "  finflag report report/ --format sarif > findings.sarif\n"
                                "  finflag report report/ --format csv --output findings.csv")
@click.argument("report_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="html", show_default=True,
              help="html: a browsable folder; sarif: for code-scanning tools; csv: a row per finding; "
                   "jsonl / markdown: every result.")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="File to write (html: a folder; default REPORT_DIR/html). Other formats default to stdout.")
def report_command(report_dir, fmt, output):
    """Render a report from stored results, without re-running anything."""
    from ..output import FORMATS
    from ..reportdir import Report, rebuild_outputs, write_atomic

    _report_dir(report_dir)
    rebuild_outputs(report_dir)
    rendered = FORMATS[fmt].load().render_report(Report.load(report_dir))
    if isinstance(rendered, dict):  # a site: file name -> page
        target = output or report_dir / fmt
        for name, page in rendered.items():
            write_atomic(target / name, page)
        posts = sum(name.startswith("posts/") for name in rendered)  # besides index.html and promoters.html
        click.echo(f"finflag: HTML report: {target / 'index.html'} ({posts} post pages)", err=True)
    elif output:
        write_atomic(output, rendered)
        click.echo(f"finflag: wrote {output}", err=True)
    else:
        click.echo(rendered, nl=False)


@click.command("review", epilog="\b\nExamples:\n  finflag review report/\n  finflag review report/ --export decisions.csv")
@click.argument("report_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write all decisions as CSV and exit.")
@click.option("--all", "include_reviewed", is_flag=True, help="Also walk through findings already decided.")
@click.option("--category", "categories", multiple=True, help="Only findings of this category; repeatable.")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default="info", show_default=True,
              help="Only findings at or above this severity.")
@click.option("--path", "path_globs", multiple=True, help="Only posts whose path matches this pattern; repeatable.")
def review_command(report_dir, export_path, include_reviewed, categories, min_severity, path_globs):
    """Walk through unreviewed findings, most severe first: c confirm, d dismiss, n note, s skip, b back, q quit."""
    from ..reportdir import Decisions, load_results, write_atomic
    from .review import walk

    _report_dir(report_dir)
    if export_path:
        decisions = Decisions.load(report_dir)
        write_atomic(export_path, decisions.to_csv())
        click.echo(f"finflag: {len(decisions.data)} decisions written to {export_path}", err=True)
        return
    walk(report_dir, _filtered(load_results(report_dir), categories, min_severity, path_globs), include_reviewed)


def _filtered(results, categories, min_severity, path_globs):
    """The results with only the findings the reviewer asked for (posts by path glob)."""
    import fnmatch

    kept = []
    for r in results:
        if "error" in r or (path_globs and not any(fnmatch.fnmatchcase(r["path"], g) for g in path_globs)):
            continue
        findings = [f for f in r["findings"] if at_least(f["severity"], min_severity)
                    and (not categories or f["category"] in categories)]
        kept.append({**r, "findings": findings})
    return kept
