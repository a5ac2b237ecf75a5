"""Commands that present single releases as documents: show."""

from __future__ import annotations

import json

import click

from kscrape.cli.common import data_stdout, run_config
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
    from kscrape.record import Record, to_json, to_markdown, to_text
    from kscrape.store import open_store

    config = run_config(ctx)
    store = open_store(config.db, create=False)
    try:
        row = store.release(news_id.strip())
        if row is None:
            raise ConfigError(f"no release {news_id!r} in {config.db}")
        record = Record(row, store.attachments_of(row["news_id"]))
    finally:
        store.close()
    if fmt == "json":
        out = json.dumps(to_json(record), ensure_ascii=False, indent=2) + "\n"
    else:
        out = to_markdown(record) if fmt == "md" else to_text(record)
    with data_stdout() as stdout:
        stdout.write(out)


COMMANDS = (show,)
