"""Captured exchanges found again: grouped by run for `reparse`, by request for replay.

A request is recognised by its method, path, query and body, whatever host it went to (a
crawl of a local replica captures 127.0.0.1 URLs). Query and form fields are compared as
sets of `name=value` pieces, so a client that orders its form fields differently still finds
the capture. The same request captured several times (a retried error, a page listed again)
is answered in the order of capture, and the last capture keeps answering once the others
are used up.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kscrape.fetch import Exchange
from kscrape.warc import Pair, RunInfo, capture_files, iter_pairs, read_exchange, read_info

log = logging.getLogger("kscrape.captures")

Key = tuple[str, str, bytes, bytes]


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
