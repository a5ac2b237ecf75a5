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

    days = span(since, until)
    filters = ministry_filters(ministries)
    with Replica() as site:
        config = run_config(ctx, base_url=site.url, db=demo_db, rate=0, depth=depth,
                            attachments_dir=str(Path(demo_db).parent / "demo-attachments"),
                            warc_dir=str(Path(demo_db).parent / "demo-warc"))
        click.echo(f"replica of korea.kr serving at {site.url}", err=True)
        with run(config, "demo", span=days, ministries=filters, depth=depth) as crawler:
            stats = crawl_range(crawler, days, resume=False)
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


COMMANDS = (ministries, parse, replica, demo)
