"""Commands for readers of the archive: serve (the Datasette site), watch, feed."""

from __future__ import annotations

from pathlib import Path

import click

from kscrape.cli.common import ministry_option, run_config
from kscrape.config import Config
from kscrape.errors import ConfigError, ExportError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Browse, search and subscribe to the archive in a web browser (Datasette).

    Needs the serve extra: pip install 'kscrape[serve]'. Reads the database without ever
    locking it, so `update` can run meanwhile.

    \b
    Example:
        kscrape serve --port 8001
    """
    config = run_config(ctx)
    try:
        import datasette  # noqa: F401  (the site module imports it only when called)
        import uvicorn

        from kscrape.site import datasette_for
    except ImportError as exc:
        raise ConfigError("kscrape serve needs Datasette: pip install 'kscrape[serve]'") from exc
    _migrated(config)
    app = datasette_for(config).app()
    click.echo(f"serving {config.db} at http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@click.group()
def watch() -> None:
    """Saved searches that feeds are made of: add, list, rm.

    \b
    Example:
        kscrape watch add esg-moef --ministry 기획재정부 --keyword ESG --exclude 채용
    """


@watch.command("add")
@click.argument("name")
@ministry_option
@click.option("--keyword", "-k", "keywords", multiple=True,
              help="A release must contain one of these (several words in one: all of them).")
@click.option("--exclude", "-x", "excludes", multiple=True,
              help="A release must contain none of these.")
@click.pass_context
def watch_add(ctx: click.Context, name: str, ministries: tuple[str, ...],
              keywords: tuple[str, ...], excludes: tuple[str, ...]) -> None:
    """Add a watch NAME (or replace the one of that name)."""
    from kscrape.ministries import split_labels
    from kscrape.store import open_store
    from kscrape.store.watches import save_watch
    from kscrape.watches import make_watch

    item = make_watch(name, tuple(split_labels(ministries)), keywords, excludes)
    with open_store(run_config(ctx).db, create=False) as store:
        new = save_watch(store, item)
    click.echo(f"{'added' if new else 'replaced'} watch {item.name}: {item.describe()}")


@watch.command("list")
@click.pass_context
def watch_list(ctx: click.Context) -> None:
    """List the watches."""
    from kscrape.store import open_store
    from kscrape.store.watches import watches

    with open_store(run_config(ctx).db, create=False) as store:
        for item in watches(store):
            click.echo(f"{item.name}\t{item.describe()}")


@watch.command("rm")
@click.argument("name")
@click.pass_context
def watch_rm(ctx: click.Context, name: str) -> None:
    """Remove the watch NAME (its feed file stays until you delete it)."""
    from kscrape.store import open_store
    from kscrape.store.watches import remove_watch

    with open_store(run_config(ctx).db, create=False) as store:
        if not remove_watch(store, name):
            raise ConfigError(f"no watch named {name!r} (see 'kscrape watch list')")
    click.echo(f"removed watch {name}")


@click.command()
@click.option("-o", "--output", "directory", required=True,
              type=click.Path(file_okay=False), help="Folder for the .xml files.")
@click.pass_context
def feed(ctx: click.Context, directory: str) -> None:
    """Write Atom feeds: all.xml, one per ministry code, one per watch.

    A file is replaced atomically, and only when its content changed.

    \b
    Example:
        kscrape feed -o /var/www/feeds
    """
    written, unchanged = write_feeds(run_config(ctx), Path(directory))
    click.echo(f"feeds in {directory}: {written} written, {unchanged} unchanged")


def write_feeds(config: Config, directory: Path) -> tuple[int, int]:
    """`kscrape feed` and `update --feeds`: every feed of the archive into `directory`."""
    from kscrape.feeds import write_feeds as write_all
    from kscrape.store import open_store

    with open_store(config.db, create=False) as store:
        try:
            return write_all(store, directory, config.feed_size)
        except OSError as exc:
            raise ExportError(f"{directory}: cannot write feeds: {exc}") from exc


def _migrated(config: Config) -> None:
    """Open the archive once for writing, so the site (read-only) sees the current schema."""
    from kscrape.store import open_store

    open_store(config.db, create=False).close()


COMMANDS = (serve, watch, feed)
