"""The SQLite archive: the only package that imports sqlite3 or sqlite_utils.

`archive` holds the Store (releases, versions, attachments, runs, windows); `schema` the
tables and their migrations.
"""

from kscrape.store.archive import (
    DEPTH_RANK,
    STABLE_FIELDS,
    Known,
    SaveCounts,
    Store,
    WindowMark,
    content_hash,
    dumps,
    open_store,
    utcnow,
)
from kscrape.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "DEPTH_RANK",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STABLE_FIELDS",
    "Known",
    "SaveCounts",
    "Store",
    "WindowMark",
    "content_hash",
    "dumps",
    "open_store",
    "utcnow",
]
