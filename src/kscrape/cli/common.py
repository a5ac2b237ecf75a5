"""What every command shares: exit codes, the error edge, the run's Config, common options.

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

import errno
import io
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import IO, Any

import click

from kscrape.config import DEPTHS, Config, with_overrides
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


# -- the run's settings and shared arguments ---------------------------------------------------


def run_config(ctx: click.Context, **overrides: Any) -> Config:
    """The run's Config: the group's file/env/options, then this command's options."""
    base: Config = ctx.obj["config"]
    return with_overrides(base, **overrides)


def day(value: str | None, option: str) -> date | None:
    from kscrape.listing import parse_day

    return parse_day(value, option=option) if value else None


def span(since: str, until: str | None) -> Any:
    """The range a crawling command walks; --until defaults to today in Korea."""
    from kscrape.listing import DateRange, today_kst

    start, end = day(since, "--since"), day(until, "--until")
    if start is None:
        raise ConfigError("--since is required (YYYY-MM-DD)")
    return DateRange(start, end or today_kst())


def bounds(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """Optional --since/--until of reading commands, checked like a crawl's range."""
    start, end = day(since, "--since"), day(until, "--until")
    if start and end and start > end:
        raise ConfigError(f"--since {start} is after --until {end}")
    return (start.isoformat() if start else None, end.isoformat() if end else None)


def ministry_names(values: tuple[str, ...]) -> frozenset[str] | None:
    """Every name the selected ministries published under, or None for no selection."""
    return frozenset().union(*(f.names for f in ministry_filters(values))) or None


def ministry_filters(values: tuple[str, ...]) -> list[Any]:
    from kscrape.ministries import resolve, split_labels

    return [resolve(label) for label in split_labels(values)]


ministry_option = click.option(
    "--ministry", "-m", "ministries", multiple=True, metavar="NAME|CODE",
    help="Only this ministry: code (A00007), current or former name; repeat or comma-separate.",
)
depth_option = click.option(
    "--depth", type=click.Choice(DEPTHS), default=None,
    help="auto (default): files only where the list lead points to them; list: list pages "
    "only; view: + each view page; files: + attachments and their text.",
)


def report(stats: Any) -> None:
    """The one summary line of a crawling run; failures turn into exit 4."""
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


@contextmanager
def data_stdout() -> Iterator[IO[str]]:
    """stdout for machine-readable output (CSV, JSON, Markdown): UTF-8, no newline translation.

    Whatever the console's code page or the locale, `> file` then holds the same bytes as
    `-o file`. The text layer is laid over stdout's byte stream and flushed at the end of the
    block, so it interleaves correctly with click.echo before and after it. A reader that
    leaves early (`| head`) ends the command quietly with exit 0. Messages for people keep
    using click.echo (see kscrape.console).
    """
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # an embedding that gave a plain text stream: use it as it is
        yield sys.stdout
        return
    try:
        sys.stdout.flush()
        stream = _BorrowedText(buffer, encoding="utf-8", newline="", write_through=True)
        yield stream
        stream.flush()
    except Exception as exc:
        if not _reader_left(exc):
            raise
        _silence_stdout()
        raise click.exceptions.Exit(OK) from None


class _BorrowedText(io.TextIOWrapper):
    """A text layer over a byte stream it does not own: closing or collecting it leaves
    stdout open (a plain TextIOWrapper would close sys.stdout.buffer when collected)."""

    def close(self) -> None:
        pass


def _reader_left(exc: BaseException | None) -> bool:
    """A broken pipe anywhere in the chain (an export wraps it in ExportError). Windows
    reports a pipe closed by its reader as EINVAL."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, BrokenPipeError) or (
            os.name == "nt" and isinstance(exc, OSError) and exc.errno == errno.EINVAL
        ):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _silence_stdout() -> None:
    """Point stdout at the null device, so that what is still buffered can be flushed at
    exit without a second broken pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
