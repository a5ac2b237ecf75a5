"""WARC captures: every exchange of a run as request and response records, gzip per record.

Files are WARC/1.1 (ISO 28500:2017), written with FastWARC's records and ISA-L's gzip (both
chosen by measuring, see bench/RESULTS-warc.md), and read back by any WARC tool (kscrape's own
reading is kscrape.captures). A run writes `kscrape-<UTC start>-run<id>-<nnnnn>.warc.gz` files
under `warc_dir`, each opened by a `warcinfo` record that describes the run, and starts a new
file when the next pair would pass `warc_max_bytes`.

Crash safety: each request/response pair is compressed in memory and appended with one write,
then flushed to the operating system. The file being written is named `….warc.gz.open` and
renamed when the run closes it; a `.open` file left by a killed run ends, at worst, in a torn
record, which every reader here skips and the next run cuts off (`repair`). The writer holds
a lock on its `.open` file (lock.claim_file), so a run never repairs a file another run is writing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from fastwarc.warc import WarcRecord, WarcRecordType
from isal import isal_zlib

from kscrape import __version__
from kscrape.config import Config
from kscrape.errors import StoreError
from kscrape.lock import claim_file
from kscrape.models import Capture, Exchange

log = logging.getLogger("kscrape.warc")

GZIP_LEVEL = 2  # ISA-L level (0-3): bench/RESULTS-warc.md weighs size against CPU per level
SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
SOFTWARE = f"kscrape/{__version__}"
# The HTTP client removes the chunked transfer coding; the header is kept under this name so
# the record's body and headers agree, and replay can restore it.
RENAMED_HEADERS = {"transfer-encoding": "X-Crawler-Transfer-Encoding"}
_READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What a run was asked to do: the warcinfo record of each of its files says it."""

    run_id: int
    command: str
    depth: str
    ministries: str  # JSON list of the selection's labels, as in the runs table
    base_url: str
    started: datetime

    @property
    def stem(self) -> str:
        """The run's part of every file name: the capture's identity across databases."""
        return f"kscrape-{self.started:%Y%m%dT%H%M%SZ}-run{self.run_id}"

    def fields(self) -> dict[str, str]:
        return {
            "software": SOFTWARE,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iso.org/standard/68004.html",
            "isPartOf": self.stem,
            "kscrape-run": str(self.run_id),
            "kscrape-command": self.command,
            "kscrape-depth": self.depth,
            "kscrape-ministries": self.ministries,
            "kscrape-base-url": self.base_url,
            "kscrape-started": self.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> RunInfo:
        started = datetime.strptime(fields["kscrape-started"], "%Y-%m-%dT%H:%M:%SZ")
        return cls(int(fields["kscrape-run"]), fields.get("kscrape-command", ""),
                   fields.get("kscrape-depth", "auto"), fields.get("kscrape-ministries", "[]"),
                   fields["kscrape-base-url"], started.replace(tzinfo=UTC))


# -- writing ----------------------------------------------------------------------------------


class CaptureWriter:
    """The recorder of one run: appends each exchange to the run's current WARC file."""

    def __init__(self, directory: Path, info: RunInfo, max_bytes: int) -> None:
        self.directory = directory
        self.info = info
        self.max_bytes = max_bytes
        self._handle: io.FileIO | None = None
        self._name = ""
        self._size = 0
        self._seq = 0
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{directory}: cannot create the capture directory: {exc}") from exc
        for left in sorted(directory.glob(f"*{SUFFIX}{OPEN_SUFFIX}")):
            repair(left)

    def __call__(self, exchange: Exchange) -> Capture:
        """Append the request and response records of `exchange`; where the response lies."""
        date = warc_date(exchange.started)
        sha1 = hashlib.sha1(exchange.body).digest()
        response = _record(WarcRecordType.response, exchange.url, date,
                           _response_block(exchange), sha1,
                           {"WARC-IP-Address": exchange.address} if exchange.address else {})
        request = _record(WarcRecordType.request, exchange.url, date, _request_block(exchange),
                          hashlib.sha1(exchange.request_body).digest(),
                          {"WARC-Concurrent-To": response.record_id})
        first, second = _gzip(request.data), _gzip(response.data)
        size = len(first) + len(second)
        if self._handle is None or (self._size and self._size + size > self.max_bytes):
            self._rotate()
        offset = self._size + len(first)
        self._append(first + second)
        return Capture(self._name, offset, len(second), exchange.url, date, _base32(sha1))

    def close(self) -> None:
        """Flush to disk and give the file its final name."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            os.fsync(handle.fileno())
            handle.close()
            final = self.directory / self._name
            os.replace(self.directory / (self._name + OPEN_SUFFIX), final)
        except OSError as exc:
            raise StoreError(f"{self._name}: cannot finish the capture file: {exc}") from exc

    def _rotate(self) -> None:
        self.close()
        while True:
            name = f"{self.info.stem}-{self._seq:05d}{SUFFIX}"
            self._seq += 1
            if not any((self.directory / n).exists() for n in (name, name + OPEN_SUFFIX)):
                break
        try:
            self._handle = io.FileIO(self.directory / (name + OPEN_SUFFIX), "xb")
            claim_file(self._handle.fileno())
        except OSError as exc:
            raise StoreError(f"{self.directory / name}: cannot create: {exc}") from exc
        self._name, self._size = name, 0
        self._append(_gzip(_warcinfo(name, self.info)))

    def _append(self, data: bytes) -> None:
        """Write straight to the file (unbuffered), so what the crawler is told is written."""
        assert self._handle is not None
        rest = memoryview(data)
        try:
            while rest:
                written = self._handle.write(rest)
                if not written:
                    raise OSError("the file takes no more bytes")
                rest = rest[written:]
        except OSError as exc:
            try:  # leave no torn record behind a full disk
                os.ftruncate(self._handle.fileno(), self._size)
            except OSError:
                pass
            raise StoreError(f"{self._name}: cannot write the capture: {exc}") from exc
        self._size += len(data)


@contextmanager
def capturing(config: Config, info: RunInfo) -> Iterator[CaptureWriter | None]:
    """The run's recorder, or None when `warc = false`; the last file is closed at the end."""
    if not config.warc:
        yield None
        return
    writer = CaptureWriter(Path(config.warc_dir), info, config.warc_max_bytes)
    try:
        yield writer
    finally:
        writer.close()


@dataclass(frozen=True, slots=True)
class _Serialised:
    record_id: str
    data: bytes


def _record(kind: WarcRecordType, uri: str, date: str, block: bytes, sha1: bytes,
            extra: Mapping[str, str]) -> _Serialised:
    """One record, serialised. Its payload digest is given; the optional WARC-Block-Digest
    is left out, since hashing every block again would double the cost of capture (the gzip
    member's CRC already guards the record's bytes)."""
    record = WarcRecord()
    record.init_headers(kind)
    headers = record.headers
    headers["WARC-Date"] = date
    headers["WARC-Target-URI"] = uri
    for name, value in extra.items():
        headers[name] = value
    msgtype = "response" if kind == WarcRecordType.response else "request"
    headers["Content-Type"] = f"application/http; msgtype={msgtype}"
    record.set_bytes_content(block)
    out = io.BytesIO()
    record.write(out, checksum_data=False, payload_digest=sha1)
    return _Serialised(record.record_id, out.getvalue())


def _response_block(exchange: Exchange) -> bytes:
    status = f"{exchange.http_version} {exchange.status} {exchange.reason}".rstrip()
    headers = [(RENAMED_HEADERS.get(k.lower(), k), v) for k, v in exchange.headers]
    return _http_head(status, headers) + exchange.body


def _request_block(exchange: Exchange) -> bytes:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    line = f"{exchange.method} {target} {exchange.http_version}"
    return _http_head(line, exchange.request_headers) + exchange.request_body


def _http_head(first_line: str, headers: tuple[tuple[str, str], ...] | list[tuple[str, str]]
               ) -> bytes:
    lines = [first_line, *(f"{k}: {v}" for k, v in headers), "", ""]
    return "\r\n".join(lines).encode("latin-1", "replace")


def _warcinfo(name: str, info: RunInfo) -> bytes:
    record = WarcRecord()
    record.init_headers(WarcRecordType.warcinfo)
    record.headers["WARC-Date"] = warc_date(datetime.now(UTC))
    record.headers["WARC-Filename"] = name
    record.headers["Content-Type"] = "application/warc-fields"
    body = "".join(f"{k}: {v}\r\n" for k, v in info.fields().items())
    record.set_bytes_content(body.encode("utf-8"))
    out = io.BytesIO()
    record.write(out, checksum_data=True)
    return out.getvalue()


def _gzip(data: bytes) -> bytes:
    return isal_zlib.compress(data, GZIP_LEVEL, wbits=31)


def warc_date(moment: datetime) -> str:
    """WARC/1.1 dates: UTC with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def payload_digest(body: bytes) -> str:
    """WARC-Payload-Digest of a body: SHA-1 in base 32, as WARC tools write it."""
    return _base32(hashlib.sha1(body).digest())


def _base32(sha1: bytes) -> str:
    return "sha1:" + base64.b32encode(sha1).decode("ascii")


# -- after a crash ------------------------------------------------------------------------------


def final_name(path: Path) -> str:
    """The name evidence refers to: a file still being written drops its `.open`."""
    return path.name.removesuffix(OPEN_SUFFIX)


def whole_length(path: Path) -> int:
    """Bytes of `path` up to the end of its last whole gzip member (record).

    Finished files are whole by construction. A `.open` file is scanned: a member is whole
    when it inflates to its end and its CRC and length trailer check out.
    """
    size = path.stat().st_size
    if not path.name.endswith(OPEN_SUFFIX):
        return size
    whole = position = 0
    inflater = zlib.decompressobj(31)
    with open(path, "rb") as handle:
        while chunk := handle.read(_READ_CHUNK):
            while chunk:
                try:
                    inflater.decompress(chunk)
                except zlib.error:
                    return whole
                if not inflater.eof:
                    position += len(chunk)
                    break
                rest = inflater.unused_data
                position += len(chunk) - len(rest)
                whole = position
                inflater = zlib.decompressobj(31)
                chunk = rest
    return whole


def repair(path: Path) -> Path | None:
    """Cut a `.open` file left by a killed run after its last whole record and finish it.

    A file whose writer is still running (it holds the file's lock) is left alone: None.
    A cut record's exchange was never reported to the crawler, so no evidence points at it.
    """
    try:
        with open(path, "r+b") as handle:
            if not claim_file(handle.fileno()):
                return None
            whole, size = whole_length(path), path.stat().st_size
            if size == 0:  # possibly a writer between creating the file and locking it
                return None
            if whole < size:
                handle.truncate(whole)
                os.fsync(handle.fileno())
                log.warning("%s: cut a torn last record (%d bytes) left by an interrupted run",
                            path.name, size - whole)
            final = path.with_name(final_name(path))
            os.replace(path, final)
    except OSError as exc:
        raise StoreError(f"{path}: cannot repair the capture file: {exc}") from exc
    return final
