"""Commands about releases as documents: show one, rebuild their text from stored files."""

from __future__ import annotations

import json

import click

from kscrape.cli.common import (
    PARTIAL,
    Failure,
    bounds,
    data_stdout,
    ministry_names,
    ministry_option,
    run_config,
)
from kscrape.errors import ConfigError


@click.command()
@click.argument("news_id")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "text"]), default="md",
              show_default=True, help="A Markdown record, a JSON object, or plain text.")
@click.option("--evidence", is_flag=True,
              help="Print the WARC captures behind the release: URI, date, digest, file, offset.")
@click.option("--raw", "raw_file", type=click.Path(dir_okay=False), default=None,
              help="Write the captured bytes of one page or attachment to this file.")
@click.option("--record", default=None, metavar="list|view|FILE_ID",
              help="Which capture --raw writes (default: the view page, else the list page).")
@click.pass_context
def show(ctx: click.Context, news_id: str, fmt: str, evidence: bool, raw_file: str | None,
         record: str | None) -> None:
    """Print one stored release: title, metadata, body, contacts and attachments.

    \b
    Example:
        kscrape show 156577893
        kscrape show 156577893 --format json
        kscrape show 156577893 --evidence
        kscrape show 156577893 --raw page.html --record view
    """
    if evidence or raw_file:
        from kscrape.cli.provenance import show_evidence

        show_evidence(ctx, news_id.strip(), fmt=fmt, raw=raw_file, record=record)
        return
    from kscrape.record import read_record, to_json, to_markdown, to_text
    from kscrape.store import open_store

    config = run_config(ctx)
    with open_store(config.db, create=False) as store:
        found = read_record(store, news_id.strip())
    if found is None:
        raise ConfigError(f"no release {news_id!r} in {config.db}")
    if fmt == "json":
        out = json.dumps(to_json(found), ensure_ascii=False, indent=2) + "\n"
    else:
        out = to_markdown(found) if fmt == "md" else to_text(found)
    with data_stdout() as stdout:
        stdout.write(out)


@click.command()
@click.option("--since", default=None, help="First day, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD.")
@ministry_option
@click.option("--all-files", is_flag=True,
              help="Also extract the PDFs beside a usable HWPX/HWP (slower; refreshes their "
                   "extract_status).")
@click.pass_context
def reextract(ctx: click.Context, since: str | None, until: str | None,
              ministries: tuple[str, ...], all_files: bool) -> None:
    """Rebuild text, Markdown and contacts from the attachment files already stored.

    Makes no request. Run it after upgrading kscrape's extractors; interrupted, the same
    command resumes where it stopped.

    \b
    Example:
        kscrape reextract
        kscrape reextract --since 2026-04-01 --ministry 고용노동부
    """
    from kscrape.reextract import reextract as run_reextract
    from kscrape.selection import Selection

    config = run_config(ctx)
    start, end = bounds(since, until)
    stats = run_reextract(config, Selection(start, end, ministry_names(ministries)),
                          all_files=all_files)
    click.echo(f"examined {stats.examined}, changed {stats.changed}, unchanged "
               f"{stats.unchanged} (kept their text: {stats.kept}); files read {stats.files}, "
               f"extracted {stats.extracted}, missing {stats.missing}, damaged {stats.damaged}")
    if stats.failed:
        raise Failure(f"{stats.failed} attachment file(s) missing or damaged; their releases "
                      "keep their stored text (files listed in the failures table)", PARTIAL)


COMMANDS = (show, reextract)
