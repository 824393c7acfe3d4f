"""``finflag promoters``: the promoter map of a report folder (clusters of posts sharing contact points)."""

from __future__ import annotations

from pathlib import Path

import click

from .options import CommandError

FORMAT_CHOICES = ("text", "json", "csv", "html")


@click.command("promoters", epilog="\b\nExamples:\n  finflag promoters report/\n"
                                   "  finflag promoters report/ --format json > promoters.json\n"
                                   "  finflag promoters report/ --format csv --output promoters.csv\n"
                                   "  finflag promoters report/ --format html   # report/html/promoters.html")
@click.argument("report_dir", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="text", show_default=True,
              help="text: a table per cluster; json / csv: for scripts and spreadsheets; html: the page with a "
                   "graph per cluster.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (html default: REPORT_DIR/html/promoters.html; others: stdout).")
@click.option("--min-posts", type=click.IntRange(min=1), default=1, show_default=True,
              help="Only clusters of at least this many posts.")
def promoters_command(report_dir: Path, fmt: str, output: Path | None, min_posts: int) -> None:
    """Link posts that share WeChat/QQ/LINE/Telegram handles, phones, sites or names into clusters."""
    from ..output.promoters import PROMOTER_FORMATS
    from ..promoters import build_map
    from ..reportdir import is_report_dir, load_results, write_atomic

    if not report_dir.is_dir() or not is_report_dir(report_dir):
        raise CommandError(f"{report_dir} is not a report folder (made by 'finflag analyze ... --out {report_dir}')")
    pmap = build_map(load_results(report_dir))
    pmap.clusters = [c for c in pmap.clusters if len(c.posts) >= min_posts]
    rendered = PROMOTER_FORMATS[fmt](pmap)
    target = output or (report_dir / "html" / "promoters.html" if fmt == "html" else None)
    if target is None:
        click.echo(rendered, nl=False)
        return
    write_atomic(target, rendered)
    click.echo(f"finflag: wrote {target} ({len(pmap.clusters)} clusters)", err=True)
    if fmt == "html" and not (target.parent / "index.html").is_file():
        click.echo(f"finflag: post links need the report's pages: finflag report {report_dir}", err=True)
