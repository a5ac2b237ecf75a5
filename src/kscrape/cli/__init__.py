"""The command line: parse arguments, call the library, turn errors into exit codes.

One module per command group: `crawling` (crawl, backfill, update, verify), `reading`
(export, search, status), `documents` (show), `provenance` (reparse, show --evidence),
`site` (serve, watch, feed), `tools` (ministries, parse, replica, demo).
What they share (exit codes, the error edge, common options) is in `common`.
"""

from __future__ import annotations

import signal

import click

from kscrape import __version__
from kscrape.cli import crawling, documents, provenance, reading, site, tools
from kscrape.cli.common import (
    BLOCKED,
    ERROR,
    EXIT_CODES,
    FETCH,
    INTERRUPTED,
    LOCKED,
    OK,
    PARSE,
    PARTIAL,
    STORE,
    USAGE,
    Failure,
    KscrapeGroup,
    exit_code_for,
)
from kscrape.config import LOG_FORMATS, load_config
from kscrape.console import prepare_console
from kscrape.errors import ConfigError
from kscrape.logs import setup_logging

__all__ = [
    "BLOCKED",
    "ERROR",
    "EXIT_CODES",
    "FETCH",
    "INTERRUPTED",
    "LOCKED",
    "OK",
    "PARSE",
    "PARTIAL",
    "STORE",
    "USAGE",
    "cli",
    "exit_code_for",
    "main",
]


def main() -> None:
    """Console-script entry point (also `python -m kscrape`).

    stdout and stderr are made tolerant before anything is written (kscrape.console), so no
    command, including those added later, can fail on a character the console lacks.

    SIGTERM (what cron's timeout, systemd and `kill` send) stops a run like Ctrl-C does: the
    current transaction rolls back, the run is recorded as interrupted, and the same command
    resumes it. On Windows, Ctrl-Break (and closing the console window, which Python sees as
    SIGBREAK) does the same.
    """
    prepare_console()
    signal.signal(signal.SIGTERM, _interrupt)
    if hasattr(signal, "SIGBREAK"):
        signal.signal(signal.SIGBREAK, _interrupt)
    cli(prog_name="kscrape")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


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
    prepare_console()  # again, for callers that invoke the group without main()
    try:
        config = load_config(config_path, overrides={
            "db": db, "base_url": base_url, "rate": rate, "log_format": log_format,
            "log_file": log_file})
    except ConfigError as exc:
        raise Failure(str(exc), USAGE) from exc
    setup_logging(verbose, config.log_format, config.log_file)
    ctx.obj = {"config": config, "verbose": verbose}


for _group in (crawling, reading, documents, provenance, site, tools):
    for _command in _group.COMMANDS:
        cli.add_command(_command)
