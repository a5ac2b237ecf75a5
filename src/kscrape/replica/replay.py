"""`kscrape replica --warc DIR`: a captured crawl served back as a site.

A request is matched to its captures by method, path, query and body (see kscrape.captures);
the answer is the captured status line, the captured headers in their order, and the body
bytes exactly as the server sent them. The same request captured several times is answered
in capture order (a retried 503, then the 200), the last capture once they are used up. A
request never captured gets a 404 that says so. A crawl against this server stores what the
crawl that made the captures stored.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from kscrape.captures import Answers, captured_runs, read_exchange
from kscrape.replica.loopback import LoopbackServer
from kscrape.warc import RENAMED_HEADERS

NOT_CAPTURED = 404
_RESTORED = {v.lower(): k.title() for k, v in RENAMED_HEADERS.items()}


@dataclass(frozen=True, slots=True)
class Served:
    """One request the replay answered (status 404 when it was never captured)."""

    method: str
    path: str
    status: int
    at: float


class CaptureReplica(LoopbackServer):
    """Serves the captures of a WARC directory over HTTP on a background thread."""

    thread_name = "kscrape-replay"

    def __init__(self, directory: Path, *, host: str = "127.0.0.1", port: int = 0) -> None:
        runs = captured_runs(Path(directory))
        self.answers = Answers(pair for run in runs for pair in run.pairs())
        self.runs = len(runs)
        super().__init__(host=host, port=port)
        self._log: list[Served] = []
        self._lock = threading.Lock()

    @property
    def requests(self) -> list[Served]:
        with self._lock:
            return list(self._log)

    def _served(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self._log.append(Served(method, path, status, time.time()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the replay keeps its own log."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        replay: CaptureReplica = self.server.owner  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        pair = replay.answers.take(self.command, self.path, body)
        if pair is None:
            replay._served(self.command, self.path, NOT_CAPTURED)
            self._not_captured()
            return
        exchange = read_exchange(pair.path, pair.capture.offset)
        replay._served(self.command, self.path, exchange.status)
        self.send_response_only(exchange.status, exchange.reason)
        chunked = delimited = False
        for name, value in exchange.headers:
            name = _RESTORED.get(name.lower(), name)
            chunked |= name.lower() == "transfer-encoding" and "chunked" in value.lower()
            delimited |= name.lower() == "content-length"
            self.send_header(name, value)
        if not (chunked or delimited):
            self.close_connection = True  # the body ends where the connection does
        self.end_headers()
        if self.command == "HEAD":
            return
        if chunked:
            if exchange.body:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(exchange.body), exchange.body))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(exchange.body)
        self.wfile.flush()

    def _not_captured(self) -> None:
        text = f"not captured: {self.command} {self.path}\n".encode()
        self.send_response_only(NOT_CAPTURED, "Not Captured")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text)


CaptureReplica.handler = _Handler


def serve_captures(directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
    """Serve captures in the foreground; the first stdout line is the base URL."""
    replay = CaptureReplica(directory, host=host, port=port).start()
    print(replay.url, flush=True)
    print(f"serving {len(replay.answers)} captured responses of {replay.runs} run(s) "
          f"from {directory}", file=sys.stderr, flush=True)
    replay.wait()
