"""The command line: parse arguments, call the library, turn errors into exit codes.

Exit codes (also in README.md):

    0   ok
    1   unexpected error (a bug: please report it with -v output)
    2   usage or configuration error (bad option, date, ministry, config key)
    3   the site could not be reached or kept failing after all retries
    4   partial: some releases failed after retries; they are listed in the runs/failures tables
    5   blocked: the site refuses our requests (repeated 403 / connection resets)
    6   another kscrape run holds the database's write lock
    7   a page lacked the markup kscrape relies on (the site changed)
    8   the database or an export file could not be written (disk full, not SQLite, newer schema)
    130 interrupted (Ctrl-C); run the same command again to resume
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from kscrape import __version__
from kscrape.config import DEPTHS, LOG_FORMATS, Config, load_config, with_overrides
from kscrape.errors import (
    BlockedError,
    ConfigError,
    ExportError,
    ExtractError,
    FetchError,
    KscrapeError,
    LockedError,
    ParseError,
    StoreError,
)
from kscrape.logs import setup_logging

OK, ERROR, USAGE, FETCH, PARTIAL, BLOCKED, LOCKED, PARSE, STORE, INTERRUPTED = (
    0, 1, 2, 3, 4, 5, 6, 7, 8, 130,
)
EXIT_CODES: tuple[tuple[type[KscrapeError], int], ...] = (
    (ConfigError, USAGE),
    (BlockedError, BLOCKED),
    (FetchError, FETCH),
    (LockedError, LOCKED),
    (ParseError, PARSE),
    (ExtractError, PARSE),
    (StoreError, STORE),
    (ExportError, STORE),
)

log = logging.getLogger("kscrape")


class Failure(click.ClickException):
    """A KscrapeError on its way out: one line on stderr and its exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def exit_code_for(exc: KscrapeError) -> int:
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return ERROR


class KscrapeGroup(click.Group):
    """Catches errors once, at the edge, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KscrapeError as exc:
            log.debug("details", exc_info=True)
            raise Failure(str(exc), exit_code_for(exc)) from exc
        except KeyboardInterrupt:
            raise Failure("interrupted; run the same command again to resume",
                          INTERRUPTED) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            log.debug("details", exc_info=True)
            raise Failure(f"unexpected error: {type(exc).__name__}: {exc} (run with -v for "
                          "details)", ERROR) from exc


def main() -> None:
    """Console-script entry point.

    SIGTERM (what cron's timeout, systemd and `kill` send) stops a run like Ctrl-C does: the
    current transaction rolls back, the run is recorded as interrupted, and the same command
    resumes it.
    """
    signal.signal(signal.SIGTERM, _interrupt)
    cli(prog_name="kscrape")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# -- shared options -----------------------------------------------------------------------


def _config(ctx: click.Context, **overrides: Any) -> Config:
    """The run's Config: the group's file/env/options, then this command's options."""
    base: Config = ctx.obj["config"]
    return with_overrides(base, **overrides)


def _day(value: str | None, option: str) -> date | None:
    from kscrape.listing import parse_day

    return parse_day(value, option=option) if value else None


def _span(since: str, until: str | None) -> Any:
    """The range a crawling command walks; --until defaults to today in Korea."""
    from kscrape.listing import DateRange, today_kst

    start, end = _day(since, "--since"), _day(until, "--until")
    if start is None:
        raise ConfigError("--since is required (YYYY-MM-DD)")
    return DateRange(start, end or today_kst())


def _bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """Optional --since/--until of reading commands, checked like a crawl's range."""
    start, end = _day(since, "--since"), _day(until, "--until")
    if start and end and start > end:
        raise ConfigError(f"--since {start} is after --until {end}")
    return (start.isoformat() if start else None, end.isoformat() if end else None)


def _ministry_names(values: tuple[str, ...]) -> frozenset[str] | None:
    """Every name the selected ministries published under, or None for no selection."""
    return frozenset().union(*(f.names for f in _ministries(values))) or None


def _ministries(values: tuple[str, ...]) -> list[Any]:
    from kscrape.ministries import resolve

    out = []
    for value in values:
        out.extend(resolve(part) for part in value.split(",") if part.strip())
    return out


ministry_option = click.option(
    "--ministry", "-m", "ministries", multiple=True, metavar="NAME|CODE",
    help="Only this ministry: code (A00007), current or former name; repeat or comma-separate.",
)
depth_option = click.option(
    "--depth", type=click.Choice(DEPTHS), default=None,
    help="auto (default): files only where the list lead points to them; list: list pages "
    "only; view: + each view page; files: + attachments and their text.",
)


@click.group(cls=KscrapeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kscrape")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: ./config.toml if present; env KSCRAPE_CONFIG).")
@click.option("--db", default=None, help="SQLite database file (default data/kscrape.db).")
@click.option("--base-url", default=None, help="Site to crawl, e.g. a local replica's URL.")
@click.option("--rate", type=float, default=None, help="Requests per second (0 = unlimited).")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging and tracebacks.")
@click.option("--log-format", type=click.Choice(LOG_FORMATS), default=None,
              help="text (default) or json lines.")
@click.option("--log-file", default=None, help="Also append log lines to this file.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, db: str | None, base_url: str | None,
        rate: float | None, verbose: bool, log_format: str | None, log_file: str | None) -> None:
    """Archive korea.kr press releases (보도자료) into SQLite, and search and export them."""
    try:
        config = load_config(config_path, overrides={
            "db": db, "base_url": base_url, "rate": rate, "log_format": log_format,
            "log_file": log_file})
    except ConfigError as exc:
        raise Failure(str(exc), USAGE) from exc
    setup_logging(verbose, config.log_format, config.log_file)
    ctx.obj = {"config": config, "verbose": verbose}


# -- crawling ---------------------------------------------------------------------------------


@cli.command()
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


@cli.command()
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
    from kscrape.crawl import crawl_range, run
    from kscrape.progress import WindowProgress

    config = _config(ctx, depth=depth, window_days=window_days)
    span = _span(since, until)
    filters = _ministries(ministries)
    with run(config, command, span=span, ministries=filters, depth=config.depth) as crawler:
        progress = WindowProgress(config)
        try:
            stats = crawl_range(crawler, span, resume=resume, newest_first=newest_first,
                                on_window=progress)
        finally:
            progress.close()
    _report(stats)


@cli.command()
@ministry_option
@depth_option
@click.option("--recheck", "recheck_days", type=int, default=None, is_flag=False,
              flag_value=-1, metavar="DAYS",
              help="Also walk every page of the last DAYS days for late or edited releases "
                   "(default DAYS: config recheck_days).")
@click.pass_context
def update(ctx: click.Context, ministries: tuple[str, ...], depth: str | None,
           recheck_days: int | None) -> None:
    """Fetch what is new since the last run (for cron): one request when nothing is.

    Walks the newest-first listing and stops at the first page that ends in a release
    already stored unchanged. Releases published late (dated earlier than the top of the
    listing) and edits are found by --recheck, which walks every page of the last DAYS days
    counted back from the newest listed day; an edit to an older release is not seen by
    update (use verify, or backfill its days). On an empty database update stops after
    config update_max_pages pages: use backfill for the history.

    \b
    Example (crontab):
        17 * * * *  cd /srv/kscrape && .venv/bin/kscrape update
        45 3 * * *  cd /srv/kscrape && .venv/bin/kscrape update --recheck 2
    """
    from kscrape.crawl import run
    from kscrape.update import update as run_update

    config = _config(ctx, depth=depth)
    days = config.recheck_days if recheck_days == -1 else (recheck_days or 0)
    if days < 0:
        raise ConfigError("--recheck takes a number of days >= 0")
    with run(config, "update", ministries=_ministries(ministries)) as crawler:
        stats = run_update(crawler, recheck_days=days)
    _report(stats)


def _report(stats: Any) -> None:
    click.echo(
        f"listed {stats.listed}, new {stats.new}, updated {stats.updated}, "
        f"enriched {stats.enriched}, unchanged {stats.unchanged}, failed {stats.failed}, "
        f"requests {stats.requests}"
    )
    if stats.failed:
        for line in stats.failures[:10]:
            log.debug("failed: %s", line)
        raise Failure(f"{stats.failed} release(s) failed after retries; they are recorded in "
                      "the failures table and will be retried by the next run", PARTIAL)


# -- reading ---------------------------------------------------------------------------------


@cli.command()
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

    config = _config(ctx)
    start, end = _bounds(since, until)
    if excel and fmt != "csv":
        raise ConfigError("--excel applies to --format csv only")
    names = _ministry_names(ministries)
    store = open_store(config.db, create=False)
    try:
        count = export_releases(
            store, Path(output) if output else None, fmt=fmt, excel=excel,
            since=start, until=end, ministry_names=names,
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


@cli.command()
@click.argument("terms", nargs=-1, required=True)
@click.option("--since", default=None, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD.")
@ministry_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def search(ctx: click.Context, terms: tuple[str, ...], since: str | None, until: str | None,
           ministries: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Find releases whose title or body contains every term, newest first.

    \b
    Example:
        kscrape search 고객중심경영 교육 --ministry 기획재정부
    """
    from kscrape.store import open_store
    from kscrape.text import clean_inline

    config = _config(ctx)
    start, end = _bounds(since, until)
    words = [w for w in (clean_inline(t) for t in terms) if w]
    if not words:
        raise ConfigError("search needs at least one non-blank term")
    names = _ministry_names(ministries)
    store = open_store(config.db, create=False)
    try:
        if store.ensure_search_index():
            log.info("built the search index (once; it is kept up to date from now on)")
        hits = store.search(words, since=start, until=end, names=names, limit=limit)
    finally:
        store.close()
    for hit in hits:
        if as_json:
            click.echo(json.dumps({k: hit[k] for k in ("news_id", "date", "ministry", "title",
                                                       "url")}, ensure_ascii=False))
        else:
            click.echo(f"{hit['news_id']} {hit['date']} {hit['ministry']} | {hit['title']}\n"
                       f"    {_snippet(hit['title'] + ' ' + hit['body'], words)}")


def _snippet(text: str, words: list[str], width: int = 50) -> str:
    """The text around the first match, on one line."""
    flat = " ".join(text.split())
    at = min((i for i in (flat.lower().find(w.lower()) for w in words) if i >= 0), default=0)
    start = max(0, at - width)
    return ("…" if start else "") + flat[start : at + width * 2] + "…"


def _silence_stdout() -> None:
    """The reader of a pipe (e.g. `head`) stopped: not an error; discard what is left."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


@cli.command()
@click.option("--runs", type=int, default=10, show_default=True, help="How many runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def status(ctx: click.Context, runs: int, as_json: bool) -> None:
    """Show the archive: size, span, releases per year, recent runs and the lock holder."""
    from kscrape.lock import describe, holder
    from kscrape.store import open_store

    config = _config(ctx)
    store = open_store(config.db, create=False)
    try:
        info = store.summary(runs=runs)
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
        span = f" {r['since']}..{r['until']}" if r["since"] else ""
        click.echo(f"run {r['id']:>4} {r['started_at']} {r['command']}{span}: {r['outcome']}, "
                   f"new {r['new']}, updated {r['updated']}, failed {r['failed']}, "
                   f"requests {r['requests']}" + (f" — {r['error']}" if r["error"] else ""))


@cli.command()
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

    config = _config(ctx)
    span = _span(since, until)
    with run(config, "verify", span=span, ministries=_ministries(ministries)) as crawler:
        result = run_verify(crawler, span, fix=fix)
        stats = crawler.stats
        stats.note = summarise(result) if result.differ else None
    for day in result.differ:
        click.echo(f"{day.day}\tdeclared {day.declared}\tstored {day.stored}"
                   + (f"\tmissing {day.missing}" if day.missing else f"\textra {day.extra}"))
    click.echo(summarise(result) + (f"; fetched {stats.new} new, {result.missing} still "
                                    "missing" if fix else ""))
    if stats.failed:
        _report(stats)
    if result.remaining:
        hint = "" if fix else "; run with --fix"
        raise Failure(f"archive incomplete: {result.missing} release(s) missing on "
                      f"{len(result.remaining)} day(s){hint}", PARTIAL)


@cli.command()
def ministries() -> None:
    """List ministry codes, current names and groups (former names in brackets)."""
    from kscrape.ministries import all_ministries

    for m in all_ministries():
        former = f" [{', '.join(m.former_names)}]" if m.former_names else ""
        state = "" if m.current else " (retired)"
        click.echo(f"{m.code}\t{m.name}\t{m.group}{state}{former}")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def parse(file: str) -> None:
    """Parse a saved list page, view page or attachment and print what kscrape extracts.

    \b
    Example:
        kscrape parse saved-page.html
    """
    from kscrape.extract import extract, sniff
    from kscrape.parse import parse_any, to_json_dict

    data = Path(file).read_bytes()
    kind = sniff(data)
    if kind in ("hwpx", "hwp", "pdf"):
        result = extract(data)
        out: dict[str, Any] = {"kind": "attachment", "format": result.format,
                               "status": result.status, "text": result.text}
    elif kind == "html":
        out = to_json_dict(parse_any(data))
    else:
        raise ParseError(f"{file}: neither an HTML page nor a document (looks like {kind})")
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


# -- the local replica -------------------------------------------------------------------------


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=0, show_default=True, help="0 picks a free port.")
@click.option("--corpus", type=click.Path(exists=True, dir_okay=False), default=None,
              help="JSON-lines corpus (default: the bundled June 2023 releases).")
def replica(host: str, port: int, corpus: str | None) -> None:
    """Serve a local copy of korea.kr; the first line printed is its base URL."""
    from kscrape.replica import serve

    serve(host=host, port=port, corpus=Path(corpus) if corpus else None)


@cli.command()
@click.option("--since", default="2023-06-26", show_default=True)
@click.option("--until", default="2023-06-30", show_default=True)
@ministry_option
@click.option("--depth", type=click.Choice(DEPTHS), default="auto", show_default=True)
@click.option("--demo-db", default="data/demo.db", show_default=True,
              help="The demo's own database (your archive is not touched).")
@click.pass_context
def demo(ctx: click.Context, since: str, until: str, ministries: tuple[str, ...], depth: str,
         demo_db: str) -> None:
    """Run the real crawler against the bundled korea.kr replica, offline, and show the result.

    \b
    Example:
        kscrape demo --ministry 기획재정부
    """
    from kscrape.crawl import crawl_range, run
    from kscrape.replica import Replica

    span = _span(since, until)
    filters = _ministries(ministries)
    with Replica() as site:
        config = _config(ctx, base_url=site.url, db=demo_db, rate=0, depth=depth,
                         attachments_dir=str(Path(demo_db).parent / "demo-attachments"))
        click.echo(f"replica of korea.kr serving at {site.url}", err=True)
        with run(config, "demo", span=span, ministries=filters, depth=depth) as crawler:
            stats = crawl_range(crawler, span, resume=False)
    _show_demo(config, stats)


def _show_demo(config: Config, stats: Any) -> None:
    from kscrape.store import open_store

    store = open_store(config.db, create=False)
    try:
        total = store.count()
        click.echo(f"{config.db}: {total} releases "
                   f"(this run: new {stats.new}, updated {stats.updated}, "
                   f"unchanged {stats.unchanged}, requests {stats.requests})")
        for row in store.rows("select body_source, count(*) n from releases group by 1 "
                              "order by 2 desc"):
            click.echo(f"  body from {row['body_source']}: {row['n']}")
        for row in store.rows("select news_id, date, ministry, title, length(body) chars "
                              "from releases order by date desc, news_id desc limit 5"):
            click.echo(f"  {row['news_id']} {row['date']} {row['ministry']} | {row['title']} "
                       f"({row['chars']} chars)")
        for row in store.rows(
            "select news_id, title, lead, body, body_source from releases where body_source "
            "like 'attachment:%' order by news_id = '156577893' desc, date desc limit 1"
        ):
            click.echo(f"\n{row['news_id']} {row['title']}\n  list lead: {row['lead'][:120]}\n"
                       f"  body from {row['body_source']}:")
            for line in row["body"].splitlines()[:12]:
                click.echo(f"    {line[:110]}")
    finally:
        store.close()

