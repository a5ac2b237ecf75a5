"""Commands that read the archive: export, search, status."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

from kscrape.cli.common import (
    bounds,
    data_stdout,
    ministry_names,
    ministry_option,
    run_config,
)
from kscrape.config import Config
from kscrape.errors import ConfigError, ExportError
from kscrape.selection import Selection

log = logging.getLogger("kscrape")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "json", "md"]),
              default="csv", show_default=True,
              help="md: one Markdown file per release in the folder given by -o.")
@click.option("--excel", is_flag=True,
              help="CSV for Excel: UTF-8 with BOM, formula-like cells neutralised.")
@click.option("--since", default=None, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD.")
@ministry_option
@click.option("-o", "--output", default=None, type=click.Path(),
              help="Output file, written atomically (default: stdout); for md, a folder.")
@click.option("--changed-since", default=None, metavar="TIME",
              help="md: only releases stored or changed since TIME (UTC, YYYY-MM-DD or ISO "
                   "8601; default: since the previous export to the folder).")
@click.option("--full", is_flag=True, help="md: render every selected release again (files "
                                           "whose bytes are the same are still not rewritten).")
@click.pass_context
def export(ctx: click.Context, fmt: str, excel: bool, since: str | None, until: str | None,
           ministries: tuple[str, ...], output: str | None, changed_since: str | None,
           full: bool) -> None:
    """Write stored releases as CSV, JSON lines, a JSON array or a Markdown tree.

    \b
    Example:
        kscrape export --format csv --excel -o releases.csv
        kscrape export --format md -o corpus/
    """
    from kscrape.export import export_releases
    from kscrape.store import open_store

    config = run_config(ctx)
    start, end = bounds(since, until)
    if excel and fmt != "csv":
        raise ConfigError("--excel applies to --format csv only")
    names = ministry_names(ministries)
    if fmt == "md":
        _export_markdown(config, output, Selection(start, end, names), changed_since, full)
        return
    if changed_since or full:
        raise ConfigError("--changed-since and --full apply to --format md only")
    if output and Path(output).is_dir():
        raise ConfigError(f"-o {output} is a folder; --format {fmt} writes one file")
    with open_store(config.db, create=False) as store, data_stdout() as stdout:
        count = export_releases(
            store, Path(output) if output else None, fmt=fmt, excel=excel,
            since=start, until=end, ministry_names=names, stdout=stdout,
        )
    if output:
        click.echo(f"wrote {count} releases to {output}", err=True)


def _export_markdown(config: Config, output: str | None, selection: Selection,
                     changed_since: str | None, full: bool) -> None:
    from kscrape.export_md import export_markdown
    from kscrape.store import open_store

    if not output:
        raise ConfigError("--format md needs -o FOLDER")
    if Path(output).exists() and not Path(output).is_dir():
        raise ConfigError(f"-o {output} is a file; --format md writes a folder")
    with open_store(config.db, create=False) as store:
        done = export_markdown(store, Path(output), selection=selection,
                               changed_since=changed_since, full=full)
    click.echo(f"{output}: {done.releases} releases in {len(done.days)} days rendered; "
               f"files written {done.written}, unchanged {done.unchanged}, removed "
               f"{done.removed}", err=True)


@click.command()
@click.argument("terms", nargs=-1, required=True)
@click.option("--since", default=None, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD.")
@ministry_option
@click.option("--order", type=click.Choice(["newest", "relevance"]), default="newest",
              show_default=True, help="Newest first, or best match first (BM25, title first).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def search(ctx: click.Context, terms: tuple[str, ...], since: str | None, until: str | None,
           ministries: tuple[str, ...], order: str, limit: int, as_json: bool) -> None:
    """Find releases whose title or text contains every term, at any length, inside words too.

    \b
    Example:
        kscrape search 고객중심 교육 --ministry 기획재정부
        kscrape search 호우 --since 2023-06-01 --order relevance
    """
    from kscrape.store import open_store
    from kscrape.store.search import terms as query_terms

    config = run_config(ctx)
    start, end = bounds(since, until)
    query = " ".join(terms)
    if not query_terms(query):
        raise ConfigError("search needs at least one term with a letter or digit")
    ministry_names(ministries)  # an unknown ministry is a usage error, as everywhere
    with open_store(config.db, create=False) as store:
        hits = store.search(query, ministry=",".join(ministries), since=start, until=end,
                            order=order, limit=limit)
    if as_json:
        with data_stdout() as stdout:
            for hit in hits:
                stdout.write(json.dumps(hit, ensure_ascii=False) + "\n")
        return
    for hit in hits:
        click.echo(f"{hit['news_id']} {hit['date']} {hit['ministry']} | {hit['title']}\n"
                   f"    {hit['snippet']}")


@click.command()
@click.option("--runs", type=int, default=10, show_default=True, help="How many runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also draw releases per week of the top ministries into FILE (.svg).")
@click.pass_context
def status(ctx: click.Context, runs: int, as_json: bool, plot: str | None) -> None:
    """Show the archive: size, span, releases per year, recent runs and the lock holder."""
    from kscrape.lock import describe, holder
    from kscrape.store import open_store

    config = run_config(ctx)
    if plot and Path(plot).suffix.lower() != ".svg":
        raise ConfigError(f"--plot {plot}: the chart is SVG; name the file *.svg")
    with open_store(config.db, create=False) as store:
        info = store.summary(runs=runs)
        if plot:
            _plot(store, Path(plot))
    info["lock"] = holder(config.db)
    if as_json:
        with data_stdout() as out:
            out.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
        return
    click.echo(f"database   {info['database']} ({info['bytes'] / 1e6:.1f} MB)")
    click.echo(f"releases   {info['releases']} ({info['oldest']} .. {info['newest']}), "
               f"attachments {info['attachments']}")
    click.echo("per year   " + ", ".join(f"{y}: {n}" for y, n in info["per_year"].items()))
    lock = info["lock"]
    click.echo(f"lock       {'free' if lock is None else 'held by ' + describe(lock)}")
    for r in info["runs"]:
        days = f" {r['since'] or ''}..{r['until'] or ''}" if r["since"] or r["until"] else ""
        click.echo(f"run {r['id']:>4} {r['started_at']} {r['command']}{days}: {r['outcome']}, "
                   f"new {r['new']}, updated {r['updated']}, failed {r['failed']}, "
                   f"requests {r['requests']}" + (f" — {r['error']}" if r["error"] else ""))


def _plot(store: Any, path: Path) -> None:
    from kscrape.paths import atomic_write
    from kscrape.plot import weekly_svg
    from kscrape.store.reading import weekly_counts

    weeks, series = weekly_counts(store)
    try:
        atomic_write(path, weekly_svg(weeks, series).encode("utf-8"))
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the chart: {exc}") from exc
    click.echo(f"wrote releases per week ({len(weeks)} weeks, {len(series)} ministries) "
               f"to {path}", err=True)


COMMANDS = (export, search, status)
