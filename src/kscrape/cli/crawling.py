"""Commands that fetch from the site: crawl, backfill, update, verify."""

from __future__ import annotations

from typing import Any

import click

from kscrape.cli.common import (
    PARTIAL,
    Failure,
    depth_option,
    ministry_filters,
    ministry_option,
    report,
    run_config,
    span,
)
from kscrape.config import DEPTHS
from kscrape.errors import ConfigError


@click.command()
@click.option("--since", required=True, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD (default: today).")
@ministry_option
@depth_option
@click.pass_context
def crawl(ctx: click.Context, since: str, until: str | None, ministries: tuple[str, ...],
          depth: str | None) -> None:
    """Fetch every release of a date range (and ministries) into the database.

    \b
    Example:
        kscrape crawl --since 2023-06-26 --until 2023-06-30 --ministry 기획재정부
    """
    _crawl_command(ctx, "crawl", since, until, ministries, depth, resume=False)


@click.command()
@click.option("--since", required=True, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD (default: today).")
@ministry_option
@depth_option
@click.option("--window-days", type=int, default=None, help="Days per window (default 7).")
@click.option("--oldest-first", is_flag=True, help="Walk windows from the oldest.")
@click.pass_context
def backfill(ctx: click.Context, since: str, until: str | None, ministries: tuple[str, ...],
             depth: str | None, window_days: int | None, oldest_first: bool) -> None:
    """Fetch a long date range window by window; rerun the same command to resume.

    \b
    Example:
        kscrape backfill --since 2016-01-01 --until 2025-12-31
    """
    _crawl_command(ctx, "backfill", since, until, ministries, depth, resume=True,
                   window_days=window_days, newest_first=not oldest_first)


def _crawl_command(ctx: click.Context, command: str, since: str, until: str | None,
                   ministries: tuple[str, ...], depth: str | None, *, resume: bool,
                   window_days: int | None = None, newest_first: bool = True) -> None:
    from kscrape.backfill import crawl_range
    from kscrape.crawl import run
    from kscrape.progress import WindowProgress

    config = run_config(ctx, depth=depth, window_days=window_days)
    days = span(since, until)
    filters = ministry_filters(ministries)
    with run(config, command, span=days, ministries=filters, depth=config.depth) as crawler:
        progress = WindowProgress(config)
        try:
            stats = crawl_range(crawler, days, resume=resume, newest_first=newest_first,
                                on_window=progress)
        finally:
            progress.close()
    report(stats)


@click.command()
@ministry_option
@click.option("--depth", type=click.Choice(DEPTHS), default=None,
              help="What to fetch for each new release (default: config update_depth, files: "
                   "view page and attachments, about 3 requests a release).")
@click.option("--recheck", "recheck_days", type=int, default=None, is_flag=False,
              flag_value=-1, metavar="DAYS",
              help="Also walk every page of the last DAYS days for late or edited releases "
                   "(default DAYS: config recheck_days).")
@click.option("--feeds", "feeds_dir", type=click.Path(file_okay=False), default=None,
              metavar="DIR", help="Then write the Atom feeds into DIR, as `kscrape feed -o DIR`.")
@click.pass_context
def update(ctx: click.Context, ministries: tuple[str, ...], depth: str | None,
           recheck_days: int | None, feeds_dir: str | None) -> None:
    """Fetch what is new since the last run (for cron): one request when nothing is.

    New releases are fetched at config update_depth (default files: view page and
    attachments too, so each gets its whole document). Walks the newest-first listing and
    stops at the first page that ends in a release already stored unchanged. Releases
    published late (dated earlier than the top of the listing) and edits are found by
    --recheck, which walks every page of the last DAYS days counted back from the newest
    listed day; an edit to an older release is not seen by update (use verify, or backfill
    its days). On an empty database update stops after config update_max_pages pages: use
    backfill for the history.

    \b
    Example (crontab):
        17 * * * *  cd /srv/kscrape && .venv/bin/kscrape update --feeds /var/www/feeds
        45 3 * * *  cd /srv/kscrape && .venv/bin/kscrape update --recheck 2
    """
    from kscrape.crawl import run
    from kscrape.update import update as run_update

    config = run_config(ctx)
    days = config.recheck_days if recheck_days == -1 else (recheck_days or 0)
    if days < 0:
        raise ConfigError("--recheck takes a number of days >= 0")
    with run(config, "update", ministries=ministry_filters(ministries),
             depth=depth or config.update_depth) as crawler:
        stats = run_update(crawler, recheck_days=days)
    if feeds_dir is not None:
        _refresh_feeds(config, feeds_dir)
    report(stats)


def _refresh_feeds(config: Any, directory: str) -> None:
    """After the update (and also after a partial one: what was stored is worth showing)."""
    from pathlib import Path

    from kscrape.cli.site import write_feeds

    written, unchanged = write_feeds(config, Path(directory))
    click.echo(f"feeds in {directory}: {written} written, {unchanged} unchanged", err=True)


@click.command()
@click.option("--since", required=True, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD (default: today).")
@ministry_option
@click.option("--fix", is_flag=True, help="Fetch the missing releases of the days that differ.")
@click.pass_context
def verify(ctx: click.Context, since: str, until: str | None, ministries: tuple[str, ...],
           fix: bool) -> None:
    """Compare the site's declared count per day with the archive and list the gaps.

    \b
    Example:
        kscrape verify --since 2023-06-01 --until 2023-06-30 --fix
    """
    from kscrape.crawl import run
    from kscrape.verify import summarise
    from kscrape.verify import verify as run_verify

    config = run_config(ctx)
    days = span(since, until)
    with run(config, "verify", span=days, ministries=ministry_filters(ministries)) as crawler:
        result = run_verify(crawler, days, fix=fix)
        stats: Any = crawler.stats
        stats.note = summarise(result) if result.differ else None
    for gap in result.differ:
        click.echo(f"{gap.day}\tdeclared {gap.declared}\tstored {gap.stored}"
                   + (f"\tmissing {gap.missing}" if gap.missing else f"\textra {gap.extra}"))
    click.echo(summarise(result) + (f"; fetched {stats.new} new, {result.missing} still "
                                    "missing" if fix else ""))
    if stats.failed:
        report(stats)
    if result.remaining:
        hint = "" if fix else "; run with --fix"
        raise Failure(f"archive incomplete: {result.missing} release(s) missing on "
                      f"{len(result.remaining)} day(s){hint}", PARTIAL)


COMMANDS = (crawl, backfill, update, verify)
