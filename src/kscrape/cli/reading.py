"""Commands that read the archive: export, search, status."""

from __future__ import annotations

import json
import logging
import os
import sys
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
from kscrape.errors import ConfigError, ExportError

log = logging.getLogger("kscrape")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "json"]), default="csv",
              show_default=True)
@click.option("--excel", is_flag=True,
              help="CSV for Excel: UTF-8 with BOM, formula-like cells neutralised.")
@click.option("--since", default=None, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD.")
@ministry_option
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False),
              help="Output file, written atomically (default: stdout).")
@click.pass_context
def export(ctx: click.Context, fmt: str, excel: bool, since: str | None, until: str | None,
           ministries: tuple[str, ...], output: str | None) -> None:
    """Write stored releases as CSV, JSON lines or a JSON array.

    \b
    Example:
        kscrape export --format csv --excel -o releases.csv
    """
    from kscrape.export import export_releases
    from kscrape.store import open_store

    config = run_config(ctx)
    start, end = bounds(since, until)
    if excel and fmt != "csv":
        raise ConfigError("--excel applies to --format csv only")
    names = ministry_names(ministries)
    store = open_store(config.db, create=False)
    try:
        with data_stdout() as stdout:
            count = export_releases(
                store, Path(output) if output else None, fmt=fmt, excel=excel,
                since=start, until=end, ministry_names=names, stdout=stdout,
            )
    except ExportError as exc:
        if output is None and isinstance(exc.__cause__, BrokenPipeError):
            _silence_stdout()
            return
        raise
    finally:
        store.close()
    if output:
        click.echo(f"wrote {count} releases to {output}", err=True)


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
    store = open_store(config.db, create=False)
    try:
        hits = store.search(query, ministry=",".join(ministries), since=start, until=end,
                            order=order, limit=limit)
    finally:
        store.close()
    with data_stdout() as stdout:
        for hit in hits:
            if as_json:
                stdout.write(json.dumps(hit, ensure_ascii=False) + "\n")
            else:
                stdout.write(f"{hit['news_id']} {hit['date']} {hit['ministry']} | "
                             f"{hit['title']}\n    {hit['snippet']}\n")


def _silence_stdout() -> None:
    """The reader of a pipe (e.g. `head`) stopped: not an error; discard what is left."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


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
    store = open_store(config.db, create=False)
    try:
        info = store.summary(runs=runs)
        if plot:
            _plot(store, Path(plot))
    finally:
        store.close()
    info["lock"] = holder(config.db)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"database   {info['database']} ({info['bytes'] / 1e6:.1f} MB)")
    click.echo(f"releases   {info['releases']} ({info['oldest']} .. {info['newest']}), "
               f"attachments {info['attachments']}")
    click.echo("per year   " + ", ".join(f"{y}: {n}" for y, n in info["per_year"].items()))
    lock = info["lock"]
    click.echo(f"lock       {'free' if lock is None else 'held by ' + describe(lock)}")
    for r in info["runs"]:
        days = f" {r['since']}..{r['until']}" if r["since"] else ""
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
