"""Named marks: small JSON values saying how far a command got (table `marks`).

An interrupted reextract leaves the newsId it reached; a Markdown export leaves the change
up to which its folder is current. A mark written inside a batch's transaction moves with
the batch or not at all.
"""

from __future__ import annotations

import json
from typing import Any

from kscrape.store.archive import Store, dumps, utcnow


def read_mark(store: Store, name: str) -> dict[str, Any] | None:
    """The mark's value, or None when there is none (or it is not a JSON object)."""
    row = next(store.rows("select value from marks where name = ?", (name,)), None)
    if row is None:
        return None
    try:
        value = json.loads(row["value"])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def write_mark(store: Store, name: str, value: dict[str, Any]) -> None:
    with store.transaction():
        store.db["marks"].insert(
            {"name": name, "value": dumps(value), "at": utcnow()},
            replace=True,
        )


def clear_mark(store: Store, name: str) -> None:
    with store.transaction():
        store.db.execute("delete from marks where name = ?", [name])
