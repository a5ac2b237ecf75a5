"""kscrape's Datasette plugin (entry point `datasette: kscrape`).

- every connection gets the search functions, so the `search` page runs store/search.py's SQL;
- a release's page renders its Markdown body (or its plain body as paragraphs); table pages
  show the start of long texts only;
- /-/kscrape/attachments/NEWSID/FILEID serves a stored attachment, and nothing else: the ids
  must be digits, the row must exist, and the file is looked up by its own name inside
  attachments_dir, so no row or URL can point the server outside that folder;
- /-/kscrape/feeds lists the Atom feeds, /-/kscrape/feeds/NAME.xml serves one (the same bytes
  `kscrape feed` writes), /-/kscrape/weekly.svg draws releases per week.
"""

from __future__ import annotations

import re
import time
from contextvars import ContextVar
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response, asgi_send_file
from markupsafe import Markup

from kscrape.feeds import feed_specs, find_spec, render
from kscrape.markup import markdown_html, plain_html
from kscrape.plot import weekly_svg
from kscrape.site.metadata import PLUGIN
from kscrape.store import search as search_index
from kscrape.store.reading import reader, weekly_counts

_REQUEST: ContextVar[tuple[str, str]] = ContextVar("kscrape_request", default=("", ""))
LONG_TEXT = ("lead", "body", "body_md", "contacts")
PREVIEW_CHARS = 160
CHART_SECONDS = 60.0
_chart: dict[str, tuple[float, str]] = {}


@hookimpl
def prepare_connection(conn: Any) -> None:
    search_index.register_functions(conn)


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Remember the request's path and query: render_cell renders whole bodies on a release's
    own page, and marks the search terms in snippets."""

    def wrap(app: Any) -> Any:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            http = scope.get("type") == "http"
            query = scope.get("query_string", b"").decode("latin-1") if http else ""
            token = _REQUEST.set((scope.get("path", "") if http else "", query))
            try:
                await app(scope, receive, send)
            finally:
                _REQUEST.reset(token)

        return wrapped

    return wrap


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Any:
    if table == "releases" and column in LONG_TEXT and isinstance(value, str):
        if not _on_row_page():
            return _preview(value)
        structured = bool((_get(row, "body_md") or "").strip())
        if column == "body_md" and structured:
            return Markup(markdown_html(value))
        if column == "body" and not structured:
            return Markup(plain_html(value))
        if column == "lead" or column == "body":
            # the same text again, flat: a reader reads the rendered body, not these
            return _preview(value)
        return None
    if table == "attachments" and column == "path" and value:
        href = attachment_path(_get(row, "news_id"), _get(row, "file_id"))
        return Markup(f'<a href="{escape(href)}">{escape(Path(value).name)}</a>')
    if table is None and column == "snippet" and isinstance(value, str):
        return Markup(mark(value, parse_qs(_REQUEST.get()[1]).get("q", [""])[0]))
    if table is None and column == "title" and _get(row, "news_id"):
        href = datasette.urls.row(database, "releases", str(_get(row, "news_id")))
        return Markup(f'<a href="{escape(href)}">{escape(str(value))}</a>')
    return None


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/kscrape/attachments/(?P<news_id>[0-9]+)/(?P<file_id>[0-9]+)$", attachment),
        (r"^/-/kscrape/feeds$", feeds_index),
        (r"^/-/kscrape/feeds/(?P<name>[^/]+)\.xml$", feed),
        (r"^/-/kscrape/weekly\.svg$", weekly),
    ]


def attachment_path(news_id: Any, file_id: Any) -> str:
    return f"/-/kscrape/attachments/{news_id}/{file_id}"


async def attachment(datasette: Any, request: Any, send: Any) -> Any:
    settings = _settings(datasette)
    if not settings:
        return Response.text("no such attachment", status=404)
    news_id, file_id = request.url_vars["news_id"], request.url_vars["file_id"]
    db = datasette.get_database(settings["database"])
    result = await db.execute("select path from attachments where news_id = ? and file_id = ? "
                              "and status = 'ok'", [news_id, file_id])
    row = result.first()
    folder = Path(settings["attachments_dir"]).resolve()
    if row is None or not row["path"]:
        return Response.text("no such attachment", status=404)
    candidate = (folder / Path(row["path"]).name).resolve()
    if candidate.parent != folder or not candidate.is_file():
        return Response.text("no such attachment", status=404)
    await asgi_send_file(send, candidate, filename=candidate.name)
    return None


async def feeds_index(datasette: Any) -> Response:
    specs = await _with_store(datasette, feed_specs)
    items = "".join(f'<li><a href="/-/kscrape/feeds/{escape(s.filename)}">{escape(s.title)}'
                    f"</a> <code>{escape(s.filename)}</code></li>" for s in specs)
    return Response.html(await datasette.render_template(
        "kscrape_feeds.html", {"items": Markup(items)}))


async def feed(datasette: Any, request: Any) -> Response:
    name = request.url_vars["name"]
    size = int(_settings(datasette)["feed_size"])

    def build(store: Any) -> bytes | None:
        spec = find_spec(store, name)
        return render(store, spec, size) if spec else None

    body = await _with_store(datasette, build)
    if body is None:
        return Response.text("no such feed", status=404)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


async def weekly(datasette: Any) -> Response:
    """The chart, drawn at most once a minute per database (it groups every release)."""
    settings = _settings(datasette)
    if not settings:
        return Response.text("not a kscrape site", status=404)
    key = str(datasette.get_database(settings["database"]).path)
    cached = _chart.get(key)
    if cached is None or time.monotonic() - cached[0] > CHART_SECONDS:
        weeks, series = await _with_store(datasette, weekly_counts)
        cached = (time.monotonic(), weekly_svg(weeks, series))
        _chart[key] = cached
    return Response(cached[1], content_type="image/svg+xml; charset=utf-8")


async def _with_store(datasette: Any, fn: Any) -> Any:
    """Run `fn(store)` on a read connection of the archive (only a kscrape site has one)."""
    settings = _settings(datasette)
    if not settings:
        raise NotFound("not a kscrape site")
    db = datasette.get_database(settings["database"])
    return await db.execute_fn(lambda conn: fn(reader(conn, db.path)))


def _settings(datasette: Any) -> dict[str, Any]:
    return datasette.plugin_config(PLUGIN) or {}


def mark(text: str, query: str) -> str:
    """`text` as HTML with each run of the query's words in <mark> (case ignored)."""
    words = sorted({r for w in search_index.terms(query) for r in search_index.runs(w)},
                   key=len, reverse=True)
    if not words:
        return str(escape(text))
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, at = [], 0
    for found in pattern.finditer(text):
        out += [escape(text[at : found.start()]), f"<mark>{escape(found.group())}</mark>"]
        at = found.end()
    return "".join([*out, escape(text[at:])])


def _on_row_page() -> bool:
    parts = [p for p in _REQUEST.get()[0].split("/") if p]
    return len(parts) == 3 and parts[1] == "releases"


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS] + "…"


def _get(row: Any, key: str) -> Any:
    try:
        return row[key]
    except (KeyError, IndexError):
        return None
