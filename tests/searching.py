"""What a search must return, computed the slow and obvious way: substring tests on every row."""

from __future__ import annotations

import unicodedata
from typing import Any

import sqlite_utils


def folded_runs(text: str) -> str:
    import re

    return " ".join(re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold()))


def contains(row: dict[str, Any], word: str) -> bool:
    """Whether a release holds `word` (each run of letters and digits of it) in title or body."""
    text = folded_runs(row["title"]) + " | " + folded_runs(row["body"])
    return all(run in text for run in folded_runs(word).split())


def expected(db_path: str, words: list[str], *, names: set[str] | None = None,
             since: str = "", until: str = "9999") -> list[str]:
    """newsIds of every release holding all `words`, newest first."""
    db = sqlite_utils.Database(db_path)
    try:
        rows = list(db.query("select news_id, title, body, ministry, date from releases "
                             "order by date desc, cast(news_id as integer) desc"))
    finally:
        db.close()
    return [r["news_id"] for r in rows
            if all(contains(r, w) for w in words) and (names is None or r["ministry"] in names)
            and since <= r["date"] <= until]
