"""Commands for looking at the site and the tool itself: ministries, parse, replica, demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kscrape.cli.common import data_stdout, ministry_filters, ministry_option, run_config, span
from kscrape.config import DEPTHS, Config
from kscrape.errors import ConfigError, ParseError


@click.command()
def ministries() -> None:
    """List ministry codes, current names and groups (former names in brackets)."""
    from kscrape.ministries import all_ministries

    for m in all_ministries():
        former = f" [{', '.join(m.former_names)}]" if m.former_names else ""
        state = "" if m.current else " (retired)"
        click.echo(f"{m.code}\t{m.name}\t{m.group}{state}{former}")


@click.command()
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
    with data_stdout() as stdout:
        stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=0, show_default=True, help="0 picks a free port.")
@click.option("--corpus", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Releases to serve: JSON lines (.jsonl, .jsonl.gz) or an index.json array "
                   "(default: the bundled June 2023 releases, or DIR/index.json with --files).")
@click.option("--files", type=click.Path(exists=True, file_okay=False), default=None,
              metavar="DIR", help="Serve DIR/<newsId>.hwpx and .pdf as each release's "
                                  "attachments (names and leads from DIR/<newsId>.md).")
@click.option("--warc", "warc_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Serve these WARC captures back, byte for byte, instead of a corpus.")
def replica(host: str, port: int, corpus: str | None, files: str | None,
            warc_dir: str | None) -> None:
    """Serve a local copy of korea.kr; the first line printed is its base URL.

    \b
    Example:
        kscrape replica --port 8080
        kscrape replica --files tests/fixtures/attachments
        kscrape replica --warc data/warc
    """
    if warc_dir:
        from kscrape.replica.replay import serve_captures

        if corpus or files:
            raise ConfigError("--warc serves captures alone: it cannot be combined with "
                              "--corpus or --files")
        serve_captures(Path(warc_dir), host=host, port=port)
        return
    from kscrape.replica import load_records, serve

    corpus_path, files_dir = Path(corpus) if corpus else None, Path(files) if files else None
    if corpus_path is None and files_dir is not None and not (files_dir / "index.json").is_file():
        raise ConfigError(f"--files {files}: no index.json there; name the releases with --corpus")
    try:
        records = load_records(corpus_path, files_dir)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot read the corpus: {exc}") from exc
    serve(host=host, port=port, corpus=records, attachments_dir=files_dir)


@click.command()
@click.option("--since", default=None, help="First day (default 2023-06-26; with --files, the "
              "folder's first day).")
@click.option("--until", default=None, help="Last day (default 2023-06-30; with --files, the "
              "folder's last day).")
@ministry_option
@click.option("--depth", type=click.Choice(DEPTHS), default=None,
              help="Default auto; with --files, files.")
@click.option("--files", type=click.Path(exists=True, file_okay=False), default=None,
              metavar="DIR", help="Crawl a replica serving these real attachments (as "
              "`replica --files`), and show one release as a document.")
@click.option("--demo-db", default="data/demo.db", show_default=True,
              help="The demo's own database (your archive is not touched).")
@click.pass_context
def demo(ctx: click.Context, since: str | None, until: str | None, ministries: tuple[str, ...],
         depth: str | None, files: str | None, demo_db: str) -> None:
    """Run the real crawler against the bundled korea.kr replica, offline, and show the result.

    \b
    Example:
        kscrape demo --ministry 기획재정부
        kscrape demo --files tests/fixtures/attachments
    """
    from kscrape.backfill import crawl_range
    from kscrape.crawl import run
    from kscrape.replica import Replica, load_records

    files_dir = Path(files) if files else None
    records = load_records(None, files_dir)
    first, last = (min(r["approved_at"][:10] for r in records),
                   max(r["approved_at"][:10] for r in records)) if files_dir else DEMO_DAYS
    days = span(since or first, until or last)
    depth = depth or ("files" if files_dir else "auto")
    filters = ministry_filters(ministries)
    with Replica(records, attachments_dir=files_dir) as site:
        config = run_config(ctx, base_url=site.url, db=demo_db, rate=0, depth=depth,
                            attachments_dir=str(Path(demo_db).parent / "demo-attachments"),
                            warc_dir=str(Path(demo_db).parent / "demo-warc"))
        click.echo(f"replica of korea.kr serving at {site.url}", err=True)
        with run(config, "demo", span=days, ministries=filters, depth=depth) as crawler:
            stats = crawl_range(crawler, days, resume=False)
    _show_demo(config, stats, document=files_dir is not None)


DEMO_DAYS = ("2023-06-26", "2023-06-30")
# The release the demo shows: one whose page only points to its attachment (June 2023), or
# one whose document holds merged cells, a contact section and an appendix (April 2026).
SHOWN = ("156577893", "156754124")
DOCUMENT_LINES = 80


def _show_demo(config: Config, stats: Any, *, document: bool) -> None:
    from kscrape.record import read_record, to_markdown
    from kscrape.store import open_store

    with open_store(config.db, create=False) as store:
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
        marks = ",".join("?" * len(SHOWN))
        for row in store.rows(
            "select news_id, title, lead, body, body_source from releases where body_source "
            f"like 'attachment:%' order by news_id in ({marks}) desc, date desc limit 1", SHOWN
        ):
            record = read_record(store, row["news_id"]) if document else None
            if record is not None:
                lines = to_markdown(record).splitlines()
                click.echo(f"\n$ kscrape --db {config.db} show {row['news_id']}")
                for line in lines[:DOCUMENT_LINES]:
                    click.echo(line)
                if len(lines) > DOCUMENT_LINES:
                    click.echo(f"… ({len(lines) - DOCUMENT_LINES} more lines)")
                continue
            click.echo(f"\n{row['news_id']} {row['title']}\n  list lead: {row['lead'][:120]}\n"
                       f"  body from {row['body_source']}:")
            for line in row["body"].splitlines()[:12]:
                click.echo(f"    {line[:110]}")


COMMANDS = (ministries, parse, replica, demo)
