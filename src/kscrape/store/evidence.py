"""Evidence: where the WARC captures behind each stored release lie.

One row per release and capture kind (its list page, its view page, each attachment), replaced
whenever the release's stored values are written again, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlite_utils

from kscrape.models import Evidence, Release

if TYPE_CHECKING:
    from kscrape.store.archive import Store

COLUMNS = ("news_id", "kind", "file_id", "warc_file", "warc_offset", "warc_length", "uri",
           "warc_date", "payload_digest")


def evidence_row(news_id: str, evidence: Evidence) -> tuple[Any, ...]:
    """One row of the evidence table, in COLUMNS order."""
    capture = evidence.capture
    return (news_id, evidence.kind, evidence.file_id, capture.file, capture.offset,
            capture.length, capture.uri, capture.date, capture.digest)


def save_evidence(db: sqlite_utils.Database, releases: Sequence[Release]) -> None:
    """Record the captures of releases just written (inside the caller's transaction)."""
    rows = [evidence_row(r.news_id, e) for r in releases for e in r.evidence]
    if rows:
        db.conn.executemany(
            f"insert or replace into evidence ({', '.join(COLUMNS)}) "
            f"values ({', '.join('?' * len(COLUMNS))})", rows)


def evidence_of(store: Store, news_id: str) -> list[dict[str, Any]]:
    """The captures behind one release: list page, view page, then attachments."""
    return list(store.rows(
        "select * from evidence where news_id = ? order by "
        "case kind when 'list' then 0 when 'view' then 1 else 2 end, file_id", (news_id,)))
