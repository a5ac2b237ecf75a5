"""The SQLite archive: idempotent upserts, versions, runs and backfill windows.

Every write happens inside `db.atomic()`, so a crash leaves whole batches or nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kscrape.errors import StoreError
from kscrape.models import Release
from kscrape.store import search as search_index
from kscrape.store.evidence import save_evidence
from kscrape.store.schema import SCHEMA_VERSION, migrate

# Facts from the view page that an edit of the text does not change: a shallower re-fetch of an
# edited release keeps them instead of blanking them.
STABLE_FIELDS = ("published_at", "ministry_code", "licence")
DEPTH_RANK = {"list": 0, "view": 1, "files": 2}

def utcnow() -> str:
    """Timestamps are UTC, second precision, ISO 8601 with Z: sortable as text."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(title: str, ministry: str, date: str, lead: str) -> str:
    """Hash of what the listing shows; an edit on the site changes it, a deeper fetch does not."""
    joined = "\x1f".join((title, ministry, date, lead))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class SaveCounts:
    """What one save did: rows inserted, rows whose content changed, rows enriched, untouched."""

    new: int = 0
    updated: int = 0
    enriched: int = 0
    unchanged: int = 0

    def add(self, other: SaveCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.enriched += other.enriched
        self.unchanged += other.unchanged


@dataclass(frozen=True, slots=True)
class WindowMark:
    """A backfill window finished by a batch: its scope, days and the listing's count.

    `keep` tells which stored ministries count towards the window (None: all of them).
    """

    scope: str
    since: str
    until: str
    declared: int
    keep: Callable[[str], bool] | None = None


@dataclass(frozen=True, slots=True)
class Known:
    """What the store already holds about one release, enough to decide whether to fetch it."""

    content_hash: str
    depth: str


class Store:
    """A kscrape database file. Open with `open_store`."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    # -- reading --------------------------------------------------------------------------

    def known(self, news_ids: Iterable[str]) -> dict[str, Known]:
        """The stored hash and depth of those of `news_ids` already in the archive."""
        rows = self._rows_by_id("content_hash, depth", news_ids)
        return {k: Known(r["content_hash"], r["depth"]) for k, r in rows.items()}

    def attachment_count(self) -> int:
        return int(self._execute("select count(*) from attachments").fetchone()[0])

    def count(self, where: str = "", params: Sequence[Any] = ()) -> int:
        sql = "select count(*) from releases" + (f" where {where}" if where else "")
        return int(self._execute(sql, params).fetchone()[0])

    def summary(self, *, runs: int = 10) -> dict[str, Any]:
        """Counts, span, releases per year and the latest runs, for `kscrape status`."""
        files = [self.path, Path(f"{self.path}-wal")]
        oldest, newest = self._execute("select min(date), max(date) from releases").fetchone()
        return {
            "database": str(self.path),
            "bytes": sum(p.stat().st_size for p in files if p.exists()),
            "releases": self.count(),
            "attachments": self.attachment_count(),
            "oldest": oldest,
            "newest": newest,
            "per_year": dict(self._execute(
                "select substr(date, 1, 4), count(*) from releases group by 1 order by 1"
            ).fetchall()),
            "runs": list(self.rows(
                "select id, command, started_at, finished_at, since, until, ministries, new, "
                "updated, unchanged, failed, requests, outcome, error from runs "
                "order by id desc limit ?", (runs,))),
        }

    def search(
        self,
        query: str,
        *,
        ministry: str = "",
        since: str | None = None,
        until: str | None = None,
        order: str = "newest",
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Releases containing every term of `query` (any length, inside words too), newest
        first or by relevance, each with a snippet: the site's search runs the same SQL."""
        try:
            with self.db.atomic():
                search_index.flush(self.db.conn)
            return search_index.search(self.db.conn, query, ministry=ministry, since=since,
                                 until=until, order=order, limit=limit)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Stream rows of a read query as dicts (for export and status)."""
        cursor = self._execute(sql, params)
        names = [d[0] for d in cursor.description]
        try:
            for row in cursor:
                yield dict(zip(names, row, strict=True))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    def release(self, news_id: str) -> dict[str, Any] | None:
        """The stored row of one release, or None."""
        return next(self.rows("select * from releases where news_id = ?", (news_id,)), None)

    def attachments_of(self, news_id: str) -> list[dict[str, Any]]:
        """The attachment rows of one release, in the order the view page listed them."""
        return list(self.rows("select * from attachments where news_id = ? order by rowid",
                              (news_id,)))

    def attachment(self, news_id: str, file_id: str) -> dict[str, Any] | None:
        rows = list(
            self.rows(
                "select * from attachments where news_id = ? and file_id = ?", (news_id, file_id)
            )
        )
        return rows[0] if rows else None

    def window_done(self, scopes: Sequence[str], since: str, until: str) -> bool:
        """Whether a finished window of one of `scopes` covers the days since..until."""
        marks = ",".join("?" * len(scopes))
        row = self._execute(
            f"select 1 from windows where scope in ({marks}) and since <= ? and until >= ?",
            (*scopes, since, until),
        ).fetchone()
        return row is not None

    # -- writing --------------------------------------------------------------------------

    def save(
        self,
        releases: Sequence[Release],
        *,
        depth: str,
        window: WindowMark | None = None,
    ) -> SaveCounts:
        """Upsert a batch in one transaction; optionally mark a backfill window done with it.

        Unchanged releases are not rewritten; a release whose listing content changed keeps
        its old values in release_versions. A newsId given twice counts once, the last wins.
        """
        now = utcnow()
        counts = SaveCounts()
        releases = list({r.news_id: r for r in releases}.values())
        with self.transaction():
            known = self._stored_rows([r.news_id for r in releases])
            fresh: list[dict[str, Any]] = []
            written: list[Release] = []
            for release in releases:
                if self._save_one(release, known.get(release.news_id), depth, now, counts, fresh):
                    written.append(release)
            self._insert_releases(fresh)
            save_evidence(self.db, written)
            if window is not None:
                self.db["windows"].insert(
                    {
                        "scope": window.scope,
                        "since": window.since,
                        "until": window.until,
                        "declared": window.declared,
                        "stored": self._stored_in(window),
                        "done_at": now,
                    },
                    replace=True,
                )
        return counts

    def _stored_in(self, window: WindowMark) -> int:
        rows = self._execute(
            "select ministry, count(*) from releases where date between ? and ? group by 1",
            (window.since, window.until),
        )
        keep = window.keep
        return sum(n for ministry, n in rows if keep is None or keep(ministry))

    def close_stale_runs(self) -> int:
        """Mark runs still 'running' as killed: only the lock holder runs, and that is us now."""
        with self.transaction():
            cursor = self.db.execute(
                "update runs set outcome = 'killed', error = ? where outcome = 'running'",
                ["the process ended without recording an outcome (killed or crashed)"],
            )
            return cursor.rowcount

    def save_attachment(self, row: dict[str, Any]) -> None:
        with self.transaction():
            self.db["attachments"].upsert(row, pk=("news_id", "file_id"))

    def begin_run(self, command: str, **fields: Any) -> int:
        with self.transaction():
            table = self.db["runs"]
            table.insert({"command": command, "started_at": utcnow(), **fields})
            return int(table.last_pk)

    def finish_run(self, run_id: int, **fields: Any) -> None:
        with self.transaction():
            self.db["runs"].update(run_id, {"finished_at": utcnow(), **fields})

    def record_failure(self, run_id: int, *, url: str, error: str, news_id: str | None) -> None:
        with self.transaction():
            self.db["failures"].insert(
                {"run_id": run_id, "news_id": news_id, "url": url, "error": error, "at": utcnow()}
            )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------

    def _stored_rows(self, news_ids: list[str]) -> dict[str, dict[str, Any]]:
        columns = ("title, ministry, date, lead, body, body_md, body_source, depth, published_at, "
                   "ministry_code, licence, content_hash, updated_at")
        return self._rows_by_id(columns, news_ids)

    def _rows_by_id(self, columns: str, news_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """`columns` of the stored releases among `news_ids`, by newsId; ids are looked up
        500 at a time to stay under SQLite's bound-parameter limit."""
        ids = list(dict.fromkeys(news_ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"select news_id, {columns} from releases where news_id in ({marks})"
            for row in self.rows(sql, chunk):
                found[row["news_id"]] = row
        return found

    def _save_one(
        self,
        release: Release,
        old: dict[str, Any] | None,
        depth: str,
        now: str,
        counts: SaveCounts,
        fresh: list[dict[str, Any]],
    ) -> bool:
        """Insert, update or enrich one release; False when the stored row stays as it was."""
        digest = content_hash(release.title, release.ministry, release.date, release.lead)
        row = _release_row(release, depth=release.depth or depth, digest=digest)
        if old is None:
            fresh.append({**row, "first_seen_at": now, "updated_at": now})
            counts.new += 1
            return True
        if old["content_hash"] != digest:
            self.db["release_versions"].insert(version_row(old, now))
            kept = {k: old[k] for k in STABLE_FIELDS if row[k] is None and old[k] is not None}
            self.db["releases"].update(release.news_id, {**row, **kept, "updated_at": now})
            counts.updated += 1
            return True
        if DEPTH_RANK[row["depth"]] > DEPTH_RANK.get(old["depth"], 0) or _better_body(row, old):
            self.db["releases"].update(release.news_id, {**row, "updated_at": now})
            counts.enriched += 1
            return True
        counts.unchanged += 1
        return False

    def _insert_releases(self, rows: list[dict[str, Any]]) -> None:
        """New rows in one prepared statement: per-row `table.insert` re-reads the schema each time
        and cost more than parsing the page the rows came from."""
        if not rows:
            return
        columns = list(rows[0])
        sql = (
            f"insert into releases ({', '.join(columns)}) "
            f"values ({', '.join('?' * len(columns))})"
        )
        self.db.conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows])

    def stop_search_index(self) -> None:
        """This archive only feeds another (a reparse's scratch archive): stop indexing it."""
        with self.transaction():
            search_index.stop_indexing(self.db.conn)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (a savepoint when nested) for the store and its modules: SQLite
        errors become StoreError, and the search index follows the writes before it commits."""
        try:
            with self.db.atomic():
                yield
                search_index.flush(self.db.conn)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, list(params))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc


def version_row(old: dict[str, Any], now: str) -> dict[str, Any]:
    """The `release_versions` row keeping a stored release's listed content as it was."""
    return {
        "news_id": old["news_id"], "title": old["title"], "ministry": old["ministry"],
        "date": old["date"], "lead": old["lead"], "body": old["body"],
        "body_md": old["body_md"], "content_hash": old["content_hash"],
        "stored_at": old["updated_at"], "replaced_at": now,
    }


def _better_body(row: dict[str, Any], old: dict[str, Any]) -> bool:
    """An attachment-derived body replaces a list-derived one; never the reverse."""
    return row["body_source"].startswith("attachment") and not old["body_source"].startswith(
        "attachment"
    )


def _release_row(release: Release, *, depth: str, digest: str) -> dict[str, Any]:
    return {
        "news_id": release.news_id,
        "title": release.title,
        "ministry": release.ministry,
        "ministry_code": release.ministry_code,
        "date": release.date,
        "published_at": release.published_at,
        "lead": release.lead,
        "body": release.body,
        "body_source": release.body_source,
        "body_md": release.body_md,
        "url": release.url,
        "licence": release.licence,
        "contacts": release.contacts,
        "depth": depth,
        "content_hash": digest,
    }


def open_store(path: str | Path, *, create: bool = True) -> Store:
    """Open (and create or migrate) the archive at `path`.

    Refuses a file that is not SQLite and a database written by a newer kscrape, before
    writing anything to it.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise StoreError(f"{path}: no such database")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path.parent}: cannot create directory: {exc}") from exc
    try:
        conn = sqlite3.connect(path, timeout=5.0)
        version = conn.execute("pragma user_version").fetchone()[0]
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: not a kscrape database ({exc})") from exc
    if version > SCHEMA_VERSION:
        conn.close()
        raise StoreError(
            f"{path}: written by a newer kscrape (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade kscrape"
        )
    db = sqlite_utils.Database(conn)
    store = Store(db, path)
    try:
        migrate(db, version)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"{path}: cannot prepare database: {exc}") from exc
    return store


def dumps(value: Any) -> str:
    """JSON for columns: Korean kept readable, stable key order."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
