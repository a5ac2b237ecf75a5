"""Queries of the readers' side: the newest releases of a feed, releases per week."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import sqlite_utils

from kscrape.store import search as search_index
from kscrape.store.archive import Store
from kscrape.store.search import Selection

_COLUMNS = ("news_id, title, ministry, ministry_code, date, published_at, lead, body, body_md, "
            "url, updated_at")
_QUALIFIED = ", ".join(f"r.{c.strip()}" for c in _COLUMNS.split(","))


def newest(store: Store, selection: Selection | None = None, *,
           limit: int = 50) -> list[dict[str, Any]]:
    """The `limit` newest releases (of `selection`, if given), newest first, each with its
    attachments (`files`: name, url, kind, in the order the page listed them)."""
    if selection is None:
        rows = list(store.rows(f"select {_COLUMNS} from releases "
                               "order by date desc, news_id desc limit ?", (limit,)))
    else:
        candidates = store.rows(
            f"select {_QUALIFIED} from {search_index.TABLE} join releases r "
            f"on r.news_id = cast({search_index.TABLE}.rowid % {search_index.ID_SPAN} as text) "
            f"where {search_index.TABLE} match ? order by {search_index.TABLE}.rowid desc",
            (selection.match(),))
        exact = selection.exact()
        rows = list(itertools.islice(
            (r for r in candidates if exact or selection.accepts(r["title"], r["body"])), limit))
    files: dict[str, list[dict[str, Any]]] = {}
    ids = [r["news_id"] for r in rows]
    if ids:
        marks = ",".join("?" * len(ids))
        for f in store.rows(f"select news_id, file_id, name, url, kind from attachments "
                            f"where news_id in ({marks}) order by rowid", ids):
            files.setdefault(f["news_id"], []).append(f)
    return [{**r, "files": files.get(r["news_id"], [])} for r in rows]


def ministries_present(store: Store) -> list[str]:
    """The ministry labels the archive holds, most releases first."""
    return [r["ministry"] for r in store.rows(
        "select ministry, count(*) n from releases group by 1 order by 2 desc, 1")]


def weekly_counts(store: Store, *, top: int = 5) -> tuple[list[str], dict[str, list[int]]]:
    """Releases per week (weeks start on Monday) over the archive's whole span, for the `top`
    ministries by number of releases; weeks without releases count 0."""
    counts: dict[tuple[str, str], int] = {}
    for r in store.rows("select date(date, '-6 days', 'weekday 1') week, ministry, count(*) n "
                        "from releases group by 1, 2"):
        counts[(r["week"], r["ministry"])] = r["n"]
    if not counts:
        return [], {}
    totals: dict[str, int] = {}
    for (_week, ministry), n in counts.items():
        totals[ministry] = totals.get(ministry, 0) + n
    leaders = sorted(totals, key=lambda m: (-totals[m], m))[:top]
    first = min(w for w, _ in counts)
    last = max(w for w, _ in counts)
    weeks = [r["w"] for r in store.rows(
        "with recursive w(w) as (select ? union all select date(w, '+7 days') from w "
        "where w < ?) select w from w", (first, last))]
    return weeks, {m: [counts.get((w, m), 0) for w in weeks] for m in leaders}


def reader(conn: Any, path: str | Path) -> Store:
    """A Store over a connection someone else opened and owns (Datasette's, read-only)."""
    return Store(sqlite_utils.Database(conn, recursive_triggers=False), Path(path))
