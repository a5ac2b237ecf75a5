"""The HTTP server: korea.kr's list, view and download endpoints over a local corpus.

Choices where the real site is unknown: an unknown newsId answers 200 with an alert page and no
article markup (as Java CMSs usually do), an unknown fileId answers 404, `/news/pressReleaseView.do`
redirects (302) to the `/briefing/` path with the same query, and GET ignores `pageIndex`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kscrape.models import DOWNLOAD_PATH, LIST_PATH, VIEW_PATH
from kscrape.replica.corpus import (
    DEFAULT_CORPUS,
    KST,
    Attachment,
    Corpus,
    Query,
    Release,
    read_corpus,
)
from kscrape.replica.faults import HTML_TYPE, FaultContext, Faults, Response
from kscrape.replica.hwpx import make_hwpx
from kscrape.replica.loopback import LoopbackServer
from kscrape.replica.render import (
    FORM_FIELDS,
    PAGE_SIZE,
    ListState,
    ViewContext,
    render_error_page,
    render_list,
    render_missing_view,
    render_view,
)

OLD_VIEW_PATH = "/news/pressReleaseView.do"
ROBOTS = (
    "User-agent : Googlebot\nDisallow: https://www.korea.kr/totalSearch.do\n\n"
    "User-Agent: *\nAllow: /\nDisallow:\nSitemap: https://www.korea.kr/sitemapindex.xml\n"
)
PERIOD_DAYS = {"week": 7, "month": 30}


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One served request; status 0 means the connection was reset without a response."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    status: int
    route: str  # list | view | download | other
    at: float


@dataclass
class _Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    raw_query: str = ""

    @property
    def params(self) -> dict[str, str]:
        return {**self.query, **self.form}


def route_of(path: str) -> str:
    if path == LIST_PATH:
        return "list"
    if path in (VIEW_PATH, OLD_VIEW_PATH):
        return "view"
    if path == DOWNLOAD_PATH:
        return "download"
    return "other"


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _year_ago(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@lru_cache(maxsize=256)
def _generated_hwpx(news_id: str, title: str, body: str, ministry: str, day: str) -> bytes:
    return make_hwpx(title, body, ministry=ministry, date=day)


def java_filename(name: str) -> str:
    """UTF-8 bytes read as latin-1: how Java servers put Korean names in Content-Disposition."""
    return name.encode("utf-8").decode("latin-1")


def _html(text: str | bytes, status: int = 200) -> Response:
    body = text.encode("utf-8") if isinstance(text, str) else text
    return Response(status=status, headers={"Content-Type": HTML_TYPE}, body=body)


class Replica(LoopbackServer):
    """A local korea.kr serving a corpus over HTTP, with a request log, faults and mutations."""

    thread_name = "kscrape-replica"

    def __init__(
        self,
        corpus: Path | list[dict[str, Any]] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        attachments_dir: Path | None = None,
        today: date | None = None,
        compress: bool = False,
    ) -> None:
        records = (
            read_corpus(Path(corpus or DEFAULT_CORPUS)) if not isinstance(corpus, list) else corpus
        )
        self.corpus = Corpus.from_records(
            records, Path(attachments_dir) if attachments_dir else None
        )
        self.today = today or self.corpus.last_day() or datetime.now(KST).date()
        super().__init__(host=host, port=port)
        # gzip HTML for clients that accept it, as web servers commonly do
        self.compress = compress
        self.faults = Faults()
        self._log: list[LoggedRequest] = []
        self._hooks: list[Callable[[LoggedRequest], None]] = []
        self._lock = threading.Lock()

    # log, hooks, reset -----------------------------------------------------------------------
    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def on_request(self, callback: Callable[[LoggedRequest], None]) -> None:
        """Call `callback(logged)` for each request once its response is rendered.

        Hooks and the log entry are done before the bytes go out, so a client that got the
        response can rely on both having happened (no race against its next request).
        """
        with self._lock:
            self._hooks.append(callback)

    def reset(self) -> None:
        """Forget requests, faults, hooks and every mutation."""
        with self._lock:
            self._log.clear()
            self._hooks.clear()
        self.faults.clear()
        self.corpus.reset()

    def _record(self, logged: LoggedRequest) -> None:
        with self._lock:
            self._log.append(logged)
            hooks = list(self._hooks)
        for hook in hooks:
            hook(logged)

    # mutations -------------------------------------------------------------------------------
    def add_release(self, record: dict[str, Any]) -> str:
        """Publish a release; without a time it lands on top of today's list. Returns its newsId."""
        default = datetime.combine(self.today, datetime.now(KST).time().replace(microsecond=0), KST)
        return self.corpus.add(record, default_time=default).news_id

    def edit_release(self, news_id: str, **fields: Any) -> None:
        self.corpus.edit(news_id, **fields)

    def remove_release(self, news_id: str) -> None:
        self.corpus.remove(news_id)

    def declared_count(
        self, start: date | str, end: date | str, rep_codes: list[str] | str | None = None
    ) -> int:
        """The count the list page declares for this range and filter."""
        codes = rep_codes.split(",") if isinstance(rep_codes, str) else list(rep_codes or [])
        return self.corpus.count(Query(_as_day(start), _as_day(end), tuple(c for c in codes if c)))

    # routes ----------------------------------------------------------------------------------
    def list_state(self, req: _Request) -> tuple[ListState, Query]:
        p = req.params
        page = 1
        if req.method == "POST":
            with contextlib.suppress(ValueError):
                page = max(1, int(p.get("pageIndex", "1") or "1"))
        start, end = _parse_day(p.get("startDate", "")), _parse_day(p.get("endDate", ""))
        if start is None or end is None:
            period = p.get("period", "")
            end = end or self.today
            if period == "all":
                start = start or date(1970, 1, 1)
            elif period in PERIOD_DAYS:
                start = start or end - timedelta(days=PERIOD_DAYS[period])
            else:
                start = start or _year_ago(end)
        codes = tuple(c.strip() for c in p.get("repCode", "").split(",") if c.strip())
        word = p.get("srchWord", "").strip()
        values = {k: p.get(k, "") for k in FORM_FIELDS}
        values.update(startDate=start.isoformat(), endDate=end.isoformat())
        searched = any(p.get(k) for k in FORM_FIELDS if k != "pageIndex")
        state = ListState(page=page, values=values, searched=searched, filtered=bool(codes))
        return state, Query(start, end, codes, word)

    def render_list(self, req: _Request, *, empty: bool = False, no_data: bool = True) -> Response:
        state, query = self.list_state(req)
        total, items = self.corpus.search(query, (state.page - 1) * PAGE_SIZE, PAGE_SIZE)
        return _html(render_list(total, [] if empty else items, state, no_data=no_data))

    def render_view(self, req: _Request, *, attachment_name: str | None = None) -> Response:
        if req.path == OLD_VIEW_PATH:
            target = VIEW_PATH + (f"?{req.raw_query}" if req.raw_query else "")
            return Response(status=302, headers={"Location": target, "Content-Type": HTML_TYPE})
        rel = self.corpus.get(req.params.get("newsId", "").strip())
        if rel is None:
            return _html(render_missing_view())
        codes = tuple(c for c in req.params.get("repCode", "").split(",") if c)
        older, newer = self.corpus.neighbours(rel, codes)
        ctx = ViewContext(
            form=req.params, older=older, newer=newer, attachment_name=attachment_name
        )
        return _html(render_view(rel, ctx))

    def file_bytes(self, rel: Release, att: Attachment) -> bytes:
        if att.path is not None:
            return att.path.read_bytes()
        return _generated_hwpx(
            rel.news_id, rel.title, rel.body, rel.ministry, rel.approved_at.strftime("%Y.%m.%d")
        )

    def render_download(self, req: _Request) -> Response:
        hit = self.corpus.file(req.params.get("fileId", "").strip())
        if hit is None:
            return _html(render_error_page(), 404)
        rel, att = hit
        headers = {
            "Content-Type": "application/x-download",
            "Content-Disposition": f'attachment; filename="{java_filename(att.name)}"',
        }
        return Response(status=200, headers=headers, body=self.file_bytes(rel, att))

    def render_other(self, req: _Request) -> Response:
        if req.path == "/robots.txt":
            return Response(headers={"Content-Type": "text/plain"}, body=ROBOTS.encode())
        return _html(render_error_page("요청하신 페이지를 찾을 수 없습니다."), 404)

    def respond(self, req: _Request, route: str, **overrides: Any) -> Response:
        renderers: dict[str, Callable[..., Response]] = {
            "list": self.render_list,
            "view": self.render_view,
            "download": self.render_download,
            "other": self.render_other,
        }
        return renderers[route](req, **overrides)

    def handle(self, req: _Request) -> tuple[str, Response]:
        route = route_of(req.path)
        resp = self.respond(req, route)
        fault = self.faults.take(route, req.params)
        if fault is not None:
            ctx = FaultContext(route, req.params, lambda **kw: self.respond(req, route, **kw))
            resp = self.faults.apply(fault, resp, ctx)
        return route, resp


def _as_day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""

    def setup(self) -> None:
        """No Nagle delay: headers and body go out in separate writes."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the replica keeps its own structured log."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def _read_form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0:
            return {}
        raw = self.rfile.read(length)
        is_form = "application/x-www-form-urlencoded" in self.headers.get("Content-Type", "")
        if not is_form and b"=" not in raw:
            return {}
        return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))

    def _serve(self, method: str) -> None:
        replica: Replica = self.server.owner  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        headers = {k: v for k, v in self.headers.items()}
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form = self._read_form() if method == "POST" else {}
        req = _Request(method, parts.path, query, form, headers, parts.query)
        try:
            route, resp = replica.handle(req)
        except Exception as exc:  # a bug in the replica must still produce an answer
            route, resp = (
                route_of(parts.path),
                _html(render_error_page(f"{type(exc).__name__}"), 500),
            )
            print(f"replica error: {exc!r}", file=sys.stderr)
        status = 0 if resp.abort else resp.status
        logged = LoggedRequest(method, parts.path, query, form, headers, status, route, time.time())
        replica._record(logged)
        try:
            self._write(resp, head_only=method == "HEAD")
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _abort(self) -> None:
        """Close with RST so the client sees a reset, not a clean EOF."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.connection.close()

    def _write(self, resp: Response, *, head_only: bool) -> None:
        if resp.abort:
            self._abort()
            return
        if self._compressible(resp):
            resp = dataclasses.replace(
                resp, body=gzip.compress(resp.body, mtime=0),
                headers={**resp.headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
            )
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        body_len = resp.content_length if resp.content_length is not None else len(resp.body)
        breaks = resp.send_bytes is not None or resp.chunked_close
        if resp.chunked_close:
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(body_len))
            if breaks:
                self.send_header("Connection", "close")
        self.end_headers()
        if head_only:
            return
        if resp.stream is not None:
            self._send_stream(resp)
        elif resp.drip_interval > 0:
            self._drip(resp.body, resp.drip_chunk, resp.drip_interval)
        else:
            limit = resp.send_bytes if resp.send_bytes is not None else len(resp.body)
            self.wfile.write(resp.body[:limit])
        self.wfile.flush()
        if breaks:
            self.close_connection = True

    def _compressible(self, resp: Response) -> bool:
        """A whole HTML body, for a client that accepts gzip, on a replica that compresses."""
        accepts = "gzip" in (self.headers.get("Accept-Encoding") or "").lower()
        plain = resp.stream is None and resp.content_length is None and resp.send_bytes is None
        html = resp.headers.get("Content-Type", "").startswith("text/html")
        return self.server.owner.compress and accepts and plain and html  # type: ignore[attr-defined]

    def _send_stream(self, resp: Response) -> None:
        assert resp.stream is not None
        self.close_connection = True
        for piece in resp.stream():
            self.wfile.write(piece)

    def _drip(self, body: bytes, chunk: int, interval: float) -> None:
        for i in range(0, len(body), chunk):
            self.wfile.write(body[i : i + chunk])
            self.wfile.flush()
            if i + chunk < len(body):
                time.sleep(interval)


Replica.handler = _Handler


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    corpus: Path | list[dict[str, Any]] | None = None,
    *,
    attachments_dir: Path | None = None,
    today: date | None = None,
) -> None:
    """Run a replica in the foreground; the first stdout line is its base URL."""
    replica = Replica(corpus, host=host, port=port, attachments_dir=attachments_dir, today=today)
    replica.start()
    print(replica.url, flush=True)
    replica.wait()
