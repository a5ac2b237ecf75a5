"""Writes of the commands that rebuild derived data in place (reextract).

A rebuild changes what kscrape derived from files it already holds (text, Markdown, contacts,
extraction status), never what the site said: no release_versions row is written, but
`updated_at` moves, so exports that follow changes see the new text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kscrape.store.archive import Store, utcnow
from kscrape.store.marks import write_mark

REBUILT_FIELDS = ("body", "body_md", "body_source", "contacts")


@dataclass(slots=True)
class RebuiltBatch:
    """One transaction's worth of a rebuild.

    `releases` maps newsId to the new values of REBUILT_FIELDS; `statuses` holds
    (newsId, fileId, extract_status); `failures` rows for files that could not be read;
    `checkpoint` the mark (name, value) that says where the next run resumes.
    """

    releases: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: list[tuple[str, str, str]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    checkpoint: tuple[str, dict[str, Any]] | None = None


def save_rebuilt(store: Store, batch: RebuiltBatch, *, run_id: int) -> None:
    """Apply a batch in one transaction: a crash keeps all of it or none, checkpoint included."""
    now = utcnow()
    with store.transaction():
        store.db.conn.executemany(
            f"update releases set {', '.join(f'{k} = ?' for k in REBUILT_FIELDS)}, "
            "updated_at = ? where news_id = ?",
            [(*(values[k] for k in REBUILT_FIELDS), now, news_id)
             for news_id, values in batch.releases.items()],
        )
        store.db.conn.executemany(
            "update attachments set extract_status = ? where news_id = ? and file_id = ?",
            [(status, news_id, file_id) for news_id, file_id, status in batch.statuses],
        )
        for failure in batch.failures:
            store.db["failures"].insert({**failure, "run_id": run_id, "at": now})
        if batch.checkpoint is not None:
            write_mark(store, *batch.checkpoint)


def ids_after(
    store: Store, where: Sequence[str], params: Sequence[Any], *, after: str, limit: int
) -> list[str]:
    """The next `limit` newsIds (in newsId order) after `after` that satisfy `where`."""
    clauses = ["news_id > ?", *where]
    sql = (f"select news_id from releases where {' and '.join(clauses)} "
           "order by news_id limit ?")
    return [r["news_id"] for r in store.rows(sql, (after, *params, limit))]
