"""Bring an archive in line with one rebuilt from captures (`kscrape reparse`).

The rebuilt archive is what a fresh crawl of the captured responses stores. A release it
holds is written into the archive when any stored field differs, except when the archive
holds it at a greater depth than the captures do (crawled before captures were kept): that
row is kept. A rewritten release whose listed content changed keeps its old values in
release_versions, as a crawl that sees an edit does. Attachments, evidence, versions of new
releases and finished backfill windows are copied too. Timestamps are bookkeeping, not data.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kscrape.errors import StoreError
from kscrape.selection import Selection
from kscrape.store.archive import DEPTH_RANK, Store, utcnow, version_row

BOOKKEEPING = {"first_seen_at", "updated_at", "fetched_at", "rowid", "id"}
_CHUNK = 500


@dataclass(slots=True)
class MergeCounts:
    """What the merge did to the archive."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    kept: int = 0  # the archive holds these at a greater depth than the captures
    fields: Counter[str] = field(default_factory=Counter)  # changed releases, per field
    attachments_new: int = 0
    attachments_changed: int = 0


def merge_rebuilt(archive: Store, rebuilt: Path, *, since: str | None = None,
                  until: str | None = None) -> MergeCounts:
    """Merge the releases of `rebuilt` dated since..until into `archive`."""
    db = archive.db
    counts = MergeCounts()
    try:
        db.execute("attach database ? as rebuilt", [str(rebuilt)])
    except sqlite3.Error as exc:
        raise StoreError(f"{rebuilt}: cannot open the rebuilt archive: {exc}") from exc
    try:
        clauses, params = Selection(since, until).where("r", ministries=False)
        with archive.transaction():
            _add_new(archive, clauses, params, counts)
        columns = [c.name for c in db["releases"].columns if c.name not in BOOKKEEPING]
        held = "exists (select 1 from main.releases m where m.news_id = r.news_id)"
        ids = [row[0] for row in db.execute(
            f"select news_id from rebuilt.releases r where {' and '.join([*clauses, held])} "
            "order by news_id", params)]
        for start in range(0, len(ids), _CHUNK):
            with archive.transaction():
                _merge_chunk(archive, ids[start:start + _CHUNK], columns, counts)
        with archive.transaction():
            db.execute("insert or ignore into windows select * from rebuilt.windows")
    finally:
        db.execute("detach database rebuilt")
    return counts


def _add_new(archive: Store, clauses: list[str], params: list[Any],
             counts: MergeCounts) -> None:
    """Releases the archive lacks, with their attachments, versions and evidence, in bulk."""
    db = archive.db
    absent = "not exists (select 1 from main.releases m where m.news_id = r.news_id)"
    db.execute("create temp table if not exists merge_new (news_id text primary key)")
    db.execute("delete from temp.merge_new")
    db.execute(f"insert into temp.merge_new select news_id from rebuilt.releases r "
               f"where {' and '.join([*clauses, absent])}", params)
    chosen = "news_id in (select news_id from temp.merge_new)"
    counts.new = int(db.execute("select count(*) from temp.merge_new").fetchone()[0])
    counts.attachments_new = int(db.execute(
        f"select count(*) from rebuilt.attachments where {chosen}").fetchone()[0])
    for table in ("releases", "attachments", "evidence"):
        names = ", ".join(c.name for c in db[table].columns)
        db.execute(f"insert or replace into main.{table} ({names}) select {names} "
                   f"from rebuilt.{table} where {chosen}")
    names = ", ".join(c.name for c in db["release_versions"].columns if c.name != "id")
    db.execute(f"insert into main.release_versions ({names}) select {names} from "
               f"rebuilt.release_versions where {chosen} order by id")


def _merge_chunk(archive: Store, ids: list[str], columns: list[str], counts: MergeCounts) -> None:
    """Releases both hold: rewritten where they differ, kept where the archive is deeper."""
    marks = ",".join("?" * len(ids))
    new_rows = _rows(archive, f"select * from rebuilt.releases where news_id in ({marks})", ids)
    old_rows = _rows(archive, f"select * from main.releases where news_id in ({marks})", ids)
    now = utcnow()
    merged: list[str] = []
    for news_id, row in new_rows.items():
        old = old_rows[news_id]
        if DEPTH_RANK.get(old["depth"], 0) > DEPTH_RANK.get(row["depth"], 0):
            counts.kept += 1
            continue
        merged.append(news_id)
        differ = [c for c in columns if row[c] != old[c]]
        if not differ:
            counts.unchanged += 1
            continue
        _rewrite(archive, old, {c: row[c] for c in columns}, now)
        counts.changed += 1
        counts.fields.update(differ)
    if merged:
        _merge_attachments(archive, merged, counts)
        _copy(archive, "evidence", merged)


def _copy(archive: Store, table: str, ids: list[str]) -> None:
    if not ids:
        return
    names = ", ".join(c.name for c in archive.db[table].columns)
    marks = ",".join("?" * len(ids))
    archive.db.execute(f"insert or replace into main.{table} ({names}) select {names} from "
                       f"rebuilt.{table} where news_id in ({marks})", ids)


def _rewrite(archive: Store, old: dict[str, Any], values: dict[str, Any], now: str) -> None:
    if old["content_hash"] != values["content_hash"]:
        archive.db["release_versions"].insert(version_row(old, now))
    archive.db["releases"].update(old["news_id"], {**values, "updated_at": now})


def _merge_attachments(archive: Store, ids: list[str], counts: MergeCounts) -> None:
    """Attachment rows of releases the archive already holds: written where they differ."""
    columns = [c.name for c in archive.db["attachments"].columns if c.name not in BOOKKEEPING]
    marks = ",".join("?" * len(ids))
    rows = list(archive.rows(f"select * from rebuilt.attachments where news_id in ({marks})", ids))
    for row in rows:
        old = archive.attachment(row["news_id"], row["file_id"])
        if old is None:
            counts.attachments_new += 1
        elif any(row[c] != old[c] for c in columns):
            counts.attachments_changed += 1
        else:
            continue
        archive.db["attachments"].upsert(row, pk=("news_id", "file_id"))


def _rows(archive: Store, sql: str, params: list[str]) -> dict[str, dict[str, Any]]:
    return {row["news_id"]: row for row in archive.rows(sql, params)}
