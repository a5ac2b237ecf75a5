"""Reading captures back: the pairs of a WARC file, one response by its offset, the runs of a
directory, and the answers to requests, for `reparse`, the replay server and `show --evidence`.

Files are read with FastWARC. A `.open` file (being written, or left by a killed run) is read up
to the end of its last whole record.

A request is recognised by its method, path, query and body, whatever host it went to (a crawl
of a local replica captures 127.0.0.1 URLs). Query and form fields are compared as sets of
`name=value` pieces, so a client that orders its form fields differently still finds the
capture. The same request captured several times (a retried error, a page listed again) is
answered in the order of capture, and the last capture keeps answering once the others are
used up.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from fastwarc.warc import ArchiveIterator, WarcRecordType

from kscrape.errors import StoreError
from kscrape.models import Capture, Exchange
from kscrape.warc import OPEN_SUFFIX, SUFFIX, RunInfo, final_name, whole_length

log = logging.getLogger("kscrape.captures")

Key = tuple[str, str, bytes, bytes]


@dataclass(frozen=True, slots=True)
class Pair:
    """A captured request, and where the response to it lies (its body is read on demand)."""

    path: Path
    method: str
    request_body: bytes
    status: int
    capture: Capture


def capture_files(directory: Path) -> list[Path]:
    """The WARC files of a capture directory, finished and still open, in name order."""
    if not directory.is_dir():
        return []
    found = [*directory.glob(f"*{SUFFIX}"), *directory.glob(f"*{SUFFIX}{OPEN_SUFFIX}")]
    return sorted(found, key=lambda p: p.name)


def read_info(path: Path) -> RunInfo | None:
    """The run a file belongs to, from its warcinfo record (None for a foreign file)."""
    with _open_whole(path) as stream:
        for record in ArchiveIterator(stream, record_types=WarcRecordType.warcinfo,
                                      parse_http=False):
            text = record.reader.read().decode("utf-8", "replace")
            fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
            try:
                return RunInfo.from_fields(fields)
            except (KeyError, ValueError):
                return None
    return None


def iter_pairs(path: Path) -> Iterator[Pair]:
    """Every request/response pair of a file, in the order they were captured."""
    end = whole_length(path)
    name = final_name(path)
    waiting: dict[str, tuple[str, bytes]] = {}
    held: tuple[int, str, bytes, dict[str, str], int] | None = None
    kinds = WarcRecordType.request | WarcRecordType.response
    with _open_whole(path, end) as stream:
        for record in ArchiveIterator(stream, record_types=kinds, parse_http=True):
            if held is not None:
                yield _pair(path, name, *held, record.stream_pos)
                held = None
            if record.record_type == WarcRecordType.request:
                method = record.http_headers.status_line.split(" ", 1)[0]
                concurrent = record.headers.get("WARC-Concurrent-To", "")
                waiting[concurrent] = (method, record.reader.read())
                continue
            asked = waiting.pop(record.record_id, None)
            if asked is not None:
                headers = {k: record.headers.get(k, "") for k in _CAPTURE_HEADERS}
                held = (record.http_headers.status_code, *asked, headers, record.stream_pos)
        if held is not None:
            yield _pair(path, name, *held, end)


_CAPTURE_HEADERS = ("WARC-Target-URI", "WARC-Date", "WARC-Payload-Digest")


def _pair(path: Path, name: str, status: int, method: str, body: bytes,
          headers: dict[str, str], offset: int, next_offset: int) -> Pair:
    uri, date, digest = (headers[k] for k in _CAPTURE_HEADERS)
    return Pair(path, method, body, status,
                Capture(name, offset, next_offset - offset, uri, date, digest))


def read_exchange(path: Path, offset: int) -> Exchange:
    """The response record at `offset`, as the exchange the crawler received."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle, parse_http=True)), None)
        if record is None or record.record_type != WarcRecordType.response:
            raise StoreError(f"{path.name}: no response record at offset {offset}")
        http = record.http_headers
        body = record.reader.read()
        headers = record.headers
        version, _, _ = http.status_line.partition(" ")
        capture = Capture(final_name(path), offset, 0, headers.get("WARC-Target-URI", ""),
                          headers.get("WARC-Date", ""), headers.get("WARC-Payload-Digest", ""))
    return Exchange(
        method="", url=capture.uri, request_headers=(), request_body=b"",
        status=http.status_code, reason=http.reason_phrase or "", http_version=version,
        headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in http.items_bytes()),
        body=body, started=datetime.fromisoformat(capture.date),
        address=headers.get("WARC-IP-Address", ""), capture=capture)


@contextmanager
def _open_whole(path: Path, end: int | None = None) -> Iterator[BinaryIO]:
    """`path` opened for reading, ending after its last whole record (at `end`, when the
    caller has already measured it with `whole_length`)."""
    with open(path, "rb") as handle:
        if path.name.endswith(OPEN_SUFFIX):
            limit = whole_length(path) if end is None else end
            yield io.BufferedReader(_Bounded(handle, limit))  # type: ignore[arg-type]
        else:
            yield handle


class _Bounded(io.RawIOBase):
    """The first `limit` bytes of a file."""

    def __init__(self, handle: BinaryIO, limit: int) -> None:
        self._handle = handle
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), self._left)
        if size <= 0:
            return 0
        got = self._handle.readinto(memoryview(buffer)[:size])  # type: ignore[attr-defined]
        self._left -= got
        return got



def request_key(method: str, url: str, body: bytes) -> Key:
    """What identifies a request across hosts (see the module docstring)."""
    parts = urlsplit(url)
    return (method.upper(), parts.path or "/", _pieces(parts.query.encode("latin-1", "replace")),
            _pieces(body))


def _pieces(data: bytes) -> bytes:
    return b"&".join(sorted(p for p in data.split(b"&") if p))


@dataclass
class CapturedRun:
    """The files one run wrote, and what its warcinfo says it was asked to do."""

    stem: str
    info: RunInfo | None
    files: list[Path] = field(default_factory=list)

    def pairs(self) -> Iterable[Pair]:
        for path in self.files:
            yield from iter_pairs(path)


def captured_runs(directory: Path) -> list[CapturedRun]:
    """The runs captured in `directory`, oldest first."""
    runs: dict[str, CapturedRun] = {}
    for path in capture_files(directory):
        stem = path.name.split(".warc", 1)[0].rsplit("-", 1)[0]
        run = runs.get(stem)
        if run is None:
            run = runs[stem] = CapturedRun(stem, read_info(path))
        run.files.append(path)
    return sorted(runs.values(), key=_run_order)


def _run_order(run: CapturedRun) -> tuple[str, int, str]:
    if run.info is None:
        return ("", 0, run.stem)
    return (run.info.started.isoformat(), run.info.run_id, run.stem)


class Answers:
    """Captured responses by request, served in the order they were captured."""

    def __init__(self, pairs: Iterable[Pair] = ()) -> None:
        self._by_key: dict[Key, list[Pair]] = defaultdict(list)
        self._used: dict[Key, int] = defaultdict(int)
        self._lock = threading.Lock()
        self.answered = 0
        self.missed = 0
        for pair in pairs:
            self.add(pair)

    def add(self, pair: Pair) -> None:
        key = request_key(pair.method, pair.capture.uri, pair.request_body)
        self._by_key[key].append(pair)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_key.values())

    def take(self, method: str, url: str, body: bytes) -> Pair | None:
        """The next capture of this request, or None when it was never captured."""
        key = request_key(method, url, body)
        with self._lock:
            found = self._by_key.get(key)
            if not found:
                self.missed += 1
                return None
            used = self._used[key]
            self._used[key] = used + 1
            self.answered += 1
            return found[min(used, len(found) - 1)]

    def exchange(self, method: str, url: str, body: bytes) -> Exchange | None:
        """`take`, read back as the exchange the crawler received (a fetch `Replay`)."""
        pair = self.take(method, url, body)
        if pair is None:
            log.debug("not captured: %s %s", method, url)
            return None
        exchange = read_exchange(pair.path, pair.capture.offset)
        return dataclasses.replace(exchange, method=pair.method, capture=pair.capture)
