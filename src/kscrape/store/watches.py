"""Watches as rows of the `watches` table (migration 4)."""

from __future__ import annotations

import json

from kscrape.store.archive import Store, utcnow
from kscrape.watches import Watch


def save_watch(store: Store, watch: Watch) -> bool:
    """Store a watch, replacing one of the same name; True if it is new."""
    with store.transaction():
        new = store.db.execute("select 1 from watches where name = ?",
                               [watch.name]).fetchone() is None
        store.db.execute(
            "insert into watches (name, ministries, keywords, excludes, created_at) "
            "values (?, ?, ?, ?, ?) on conflict(name) do update set ministries = "
            "excluded.ministries, keywords = excluded.keywords, excludes = excluded.excludes",
            [watch.name, _list(watch.ministries), _list(watch.keywords),
             _list(watch.excludes), utcnow()])
    return new


def watches(store: Store) -> list[Watch]:
    return [Watch(r["name"], *(tuple(json.loads(r[k])) for k in ("ministries", "keywords",
                                                                 "excludes")))
            for r in store.rows("select * from watches order by name")]


def remove_watch(store: Store, name: str) -> bool:
    with store.transaction():
        return store.db.execute("delete from watches where name = ?", [name]).rowcount > 0


def _list(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False)
