"""What the WARC capture tests share: a crawl in-process, reading an archive's rows, and
checking WARC files with warcio, the reference implementation (a standard tool, not kscrape's
own reader)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from kscrape.backfill import crawl_range
from kscrape.config import Config
from kscrape.crawl import run
from kscrape.listing import DateRange
from kscrape.ministries import resolve

from .processes import child_env

# Bookkeeping that legitimately differs between two runs storing the same data.
SKIPPED = {
    "releases": {"first_seen_at", "updated_at"},
    "attachments": {"fetched_at"},
    "evidence": set(),
    "release_versions": {"id", "stored_at", "replaced_at"},
    "windows": {"done_at"},
}


def crawl(config: Config, span: DateRange, *, ministries: Sequence[str] = (),
          command: str = "crawl") -> None:
    """Crawl `span` in-process at `config.depth`, for `ministries` (names) or all."""
    filters = [resolve(m) for m in ministries]
    with run(config, command, span=span, ministries=filters, depth=config.depth) as crawler:
        crawl_range(crawler, span, resume=False)


def table_rows(db: str | Path, table: str, *, host_free: bool = False) -> list[dict[str, Any]]:
    """Every row of `table` but its bookkeeping columns, in key order. `host_free` drops the
    scheme and host of URLs (a crawl of another server stores its own host)."""
    with closing(sqlite3.connect(db)) as conn:
        cursor = conn.execute(f"select * from {table} order by 1, 2, 3")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor]
    out = []
    for row in rows:
        kept = {k: v for k, v in row.items() if k not in SKIPPED[table]}
        if host_free:
            kept = {k: _path_only(v) if k in ("url", "uri") else v for k, v in kept.items()}
        out.append(kept)
    return out


def _path_only(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def remove_database(db: str | Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def warc_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.warc.gz"))


def records(paths: list[Path]) -> Iterator[tuple[Path, int, Any, bytes]]:
    """(file, offset, record, payload) for every record, read by warcio."""
    for path in paths:
        with open(path, "rb") as handle:
            iterator = ArchiveIterator(handle)
            for record in iterator:
                payload = record.content_stream().read()
                yield path, iterator.get_record_offset(), record, payload


def warcio_check(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """`warcio check -v`, the library's own validator, as a user would run it."""
    env = child_env()
    return subprocess.run(
        [sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())",
         "check", "-v", *map(str, paths)],
        capture_output=True, text=True, env=env, timeout=120)
