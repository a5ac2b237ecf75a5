"""Commands about where the archive's data came from: reparse, and `show --evidence`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

from kscrape.cli.common import bounds, data_stdout, run_config
from kscrape.errors import ConfigError, ExportError

log = logging.getLogger("kscrape")


@click.command()
@click.option("--since", default=None, help="First day of the releases to rebuild, YYYY-MM-DD.")
@click.option("--until", default=None, help="Last day, YYYY-MM-DD.")
@click.option("--warc", "warc_dir", type=click.Path(file_okay=False), default=None,
              help="Directory of WARC captures (default: config warc_dir).")
@click.pass_context
def reparse(ctx: click.Context, since: str | None, until: str | None,
            warc_dir: str | None) -> None:
    """Rebuild releases, attachments and text from the WARC captures, with zero requests.

    Run it after a parser or extraction fix: every captured run is replayed through the
    crawler with its answers read from the captures, and the archive is brought in line with
    the result. Interrupted, the same command resumes.

    \b
    Example:
        kscrape reparse
        kscrape reparse --since 2023-06-01 --until 2023-06-30 --warc /mnt/old/warc
    """
    from kscrape.reparse import reparse as run_reparse

    config = run_config(ctx)
    start, end = bounds(since, until)
    directory = Path(warc_dir or config.warc_dir)
    if not directory.is_dir():
        raise ConfigError(f"no capture directory {directory}")

    def progress(run: Any, stats: Any) -> None:
        log.info("replayed %s: listed %d, stored %d, failed %d, %d requests answered",
                 run.stem, stats.listed, stats.new + stats.updated + stats.enriched,
                 stats.failed, stats.requests)

    result = run_reparse(config, directory, since=start, until=end, on_run=progress)
    merge = result.merge
    resumed = f" ({result.resumed} already replayed before an interruption)" \
        if result.resumed else ""
    click.echo(f"replayed {result.runs} captured run(s){resumed}: {result.answered} requests "
               f"answered from the captures, {result.missed} not captured, 0 sent")
    fields = ", ".join(f"{name} {n}" for name, n in merge.fields.most_common())
    click.echo(f"releases: new {merge.new}, changed {merge.changed}"
               + (f" ({fields})" if fields else "")
               + f", unchanged {merge.unchanged}, kept {merge.kept} (stored deeper than "
               "captured)")
    click.echo(f"attachments: new {merge.attachments_new}, "
               f"changed {merge.attachments_changed}")
    if result.walks_incomplete:
        click.echo(f"{result.walks_incomplete} captured walk(s) stopped short of their last "
                   "page (interrupted or failed runs); see the log")


def show_evidence(ctx: click.Context, news_id: str, *, fmt: str, raw: str | None,
                  record: str | None) -> None:
    """`kscrape show NEWSID --evidence / --raw FILE`: the captures behind a release."""
    from kscrape.paths import atomic_write
    from kscrape.provenance import proofs, raw_capture
    from kscrape.store import open_store

    config = run_config(ctx)
    directory = Path(config.warc_dir)
    with open_store(config.db, create=False) as store:
        if store.release(news_id) is None:
            raise ConfigError(f"no release {news_id!r} in {config.db}")
        if raw:
            proof, body = raw_capture(store, news_id, directory, record)
            try:
                atomic_write(Path(raw), body)
            except OSError as exc:
                raise ExportError(f"{raw}: cannot write the capture: {exc}") from exc
            click.echo(f"wrote {len(body)} bytes of {proof.uri} ({proof.kind}, captured "
                       f"{proof.date}) to {raw}", err=True)
            return
        found = proofs(store, news_id, directory)
    with data_stdout() as stdout:
        if fmt == "json":
            stdout.write(json.dumps([p.as_dict() for p in found], ensure_ascii=False,
                                    indent=2) + "\n")
            return
        if not found:
            stdout.write(f"no captures recorded for {news_id}\n")
        for p in found:
            label = p.kind if p.kind != "file" else f"file {p.file_id}"
            detail = f" ({p.detail})" if p.detail else ""
            stdout.write(f"{label}\n  uri:    {p.uri}\n  date:   {p.date}\n"
                         f"  digest: {p.digest}\n  record: {p.file} @ {p.offset} "
                         f"({p.length} bytes)\n  check:  {p.status}{detail}\n")


COMMANDS = (reparse,)
