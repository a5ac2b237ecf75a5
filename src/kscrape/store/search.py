"""Korean full-text search: one index, one query language, one SQL statement for every reader.

Korean words carry particles (정부는, 정부가) and compounds run together (고객중심경영), so words
are the wrong unit, and the trigram index that came before cannot match a term shorter than three
characters (예산, 호우, 고용). The index here holds, for each run of letters and digits, every
character and every pair of neighbouring characters it contains: 고객중심 gives the tokens
고 객 중 심 고객 객중 중심. A term of one or two characters is one token, matched exactly; a longer
term is all of its pairs (고객 AND 객중 AND 중심), and the few releases that hold the pairs but
not the term itself are dropped by checking the text (`Selection.accepts`).

Tokens are stored once per release and column (FTS5 detail=column, no positions), which keeps
the index at about a third of a positional one. The FTS5 table is contentless (the text lives
in `releases` already) and its rowid is a sort key, `yyyymmdd * 10^10 + newsId`, so "newest
first" is FTS5's own rowid order: a query stops after `limit` hits however common its terms,
and a date range is a rowid range. The ministry is a column of one token per name, so a
ministry filter is part of the same MATCH.

Writes to `releases` (from kscrape or any other SQLite client) are queued by plain-SQL triggers
with the values the index holds; `flush` brings the index up to date from the queue and runs at
the end of every Store transaction. `kscrape search`, the site's search page and its JSON API
all run `SEARCH_SQL` with the SQL functions `register_functions` adds to a connection.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kscrape.errors import ConfigError
from kscrape.ministries import resolve, split_labels
from kscrape.text import squash

TABLE = "releases_search"
QUEUE = "search_queue"
ID_SPAN = 10**10  # newsIds are digits; korea.kr's are nine digits long
_RUN = re.compile(r"[^\W_]+")
TEXT_COLUMNS = "{title body}"
NOTHING = 'ministry : "mnone"'  # a MATCH expression no row satisfies
TITLE_WEIGHT = 10.0
RELEVANCE_POOL = 300

SCHEMA = (
    f"""CREATE VIRTUAL TABLE {TABLE} USING fts5(
        title, body, ministry, content='', tokenize='ascii', detail='column')""",
    f"""CREATE TABLE {QUEUE} (
        id INTEGER PRIMARY KEY,
        news_id TEXT NOT NULL,
        old_date TEXT,
        old_title TEXT,
        old_body TEXT,
        old_ministry TEXT)""",
    f"""CREATE TRIGGER releases_search_insert AFTER INSERT ON releases BEGIN
        INSERT INTO {QUEUE} (news_id) VALUES (new.news_id);
    END""",
    f"""CREATE TRIGGER releases_search_update
    AFTER UPDATE OF news_id, title, body, date, ministry ON releases
    WHEN old.news_id IS NOT new.news_id OR old.title IS NOT new.title
        OR old.body IS NOT new.body OR old.date IS NOT new.date OR old.ministry IS NOT new.ministry
    BEGIN
        INSERT INTO {QUEUE} (news_id, old_date, old_title, old_body, old_ministry)
        VALUES (old.news_id, old.date, old.title, old.body, old.ministry);
        INSERT INTO {QUEUE} (news_id) VALUES (new.news_id);
    END""",
    f"""CREATE TRIGGER releases_search_delete AFTER DELETE ON releases BEGIN
        INSERT INTO {QUEUE} (news_id, old_date, old_title, old_body, old_ministry)
        VALUES (old.news_id, old.date, old.title, old.body, old.ministry);
    END""",
)

# The one search statement. Parameters: q, ministry, since, until (''/NULL for none), order
# ('relevance' or anything else for newest first), limit. Only one of the two branches runs:
# its constant `order` test is checked before FTS5 is asked anything. Relevance
# (`Selection.score`: a term in the title first, then how often the terms occur for the length
# of the text) ranks the RELEVANCE_POOL newest matches, so that a one-syllable term found in
# most releases costs about what a rare one does.
SEARCH_SQL = f"""
with hits as (
  select * from (
    select {TABLE}.rowid as key, 0.0 as score, r.news_id as news_id
    from {TABLE} join releases r on r.news_id = cast({TABLE}.rowid % {ID_SPAN} as text)
    where {TABLE} match kscrape_match(:q, :ministry)
      and {TABLE}.rowid between kscrape_key(:since, 0) and kscrape_key(:until, 1)
      and coalesce(:order, '') <> 'relevance'
      and (kscrape_exact(:q) or kscrape_accepts(r.title, r.body, :q))
    order by {TABLE}.rowid desc limit coalesce(nullif(:limit, ''), 50))
  union all
  select * from (
    select key, -kscrape_score(title, body, :q) as score, news_id from (
      select {TABLE}.rowid as key, r.news_id as news_id, r.title as title, r.body as body
      from {TABLE} join releases r on r.news_id = cast({TABLE}.rowid % {ID_SPAN} as text)
      where {TABLE} match kscrape_match(:q, :ministry)
        and {TABLE}.rowid between kscrape_key(:since, 0) and kscrape_key(:until, 1)
        and :order = 'relevance'
        and (kscrape_exact(:q) or kscrape_accepts(r.title, r.body, :q))
      order by {TABLE}.rowid desc limit {RELEVANCE_POOL})
    order by score limit coalesce(nullif(:limit, ''), 50))
)
select r.news_id, r.date, r.ministry, r.title, kscrape_snippet(r.body, :q) as snippet, r.url
from hits join releases r on r.news_id = hits.news_id
order by hits.score, hits.key desc
"""


# -- text to tokens ---------------------------------------------------------------------------


def fold(text: str | None) -> str:
    """`text` in the form both sides of a match compare: NFKC, case folded."""
    text = text or ""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def runs(text: str | None) -> list[str]:
    """The runs of letters and digits of `text`, folded. A run occurs in a text exactly when
    it occurs in the folded text, so checks of a few words need only `fold`."""
    return _RUN.findall(fold(text))


def grams(text: str) -> str:
    """What the index holds for `text`: every character and pair of neighbours, once each
    (in no particular order: without positions, FTS5 keeps none)."""
    joined = " ".join(runs(text))
    tokens = set(joined)
    tokens.update(map(operator.add, joined, joined[1:]))
    return " ".join([t for t in tokens if " " not in t])


def ministry_token(name: str) -> str:
    """One ASCII token per ministry name, spacing ignored (the name itself would be split)."""
    return "m" + hashlib.sha1(squash(name).encode("utf-8")).hexdigest()[:12]


def sort_key(date: str, news_id: str) -> int | None:
    """The FTS rowid of a release: date order, then newsId, like the archive's newest-first.
    None for a row that cannot have one (a newsId that is not a number below 10^10, a date
    not in YYYY-MM-DD form): such a row is not indexed rather than failing its write."""
    day = date.replace("-", "")
    if not (news_id.isdigit() and len(news_id) <= 10 and len(day) == 8 and day.isdigit()):
        return None
    return int(day) * ID_SPAN + int(news_id)


def day_key(day: str | None, end: int) -> int:
    """The lowest (end=0) or highest (end=1) sort key of a day; no day means no bound."""
    if not day:
        return (1 << 63) - 1 if end else 0
    key = sort_key(day, "0")
    if key is None:
        raise ValueError(f"not a day: {day!r}")
    return key + (ID_SPAN - 1 if end else 0)


# -- queries --------------------------------------------------------------------------------


def terms(query: str) -> list[str]:
    """The words of a query: whitespace separates them, each must match."""
    return [t for t in query.split() if runs(t)]


def _tokens(word: str) -> list[str]:
    """The index tokens every release containing `word` holds (each run: itself if one or two
    characters long, else its pairs)."""
    out: list[str] = []
    for run in runs(word):
        out.extend([run] if len(run) <= 2 else map(operator.add, run, run[1:]))
    return list(dict.fromkeys(out))


def _word_expression(word: str) -> str:
    return f"{TEXT_COLUMNS} : (" + " AND ".join(f'"{t}"' for t in _tokens(word)) + ")"


def _exact(word: str) -> bool:
    """Whether the tokens of `word` match exactly the releases that contain it."""
    return all(len(run) <= 2 for run in runs(word))


@dataclass(frozen=True, slots=True)
class Selection:
    """Which releases a search or a watch wants: all of `every`, one of `any_of` (a phrase
    of several words needs all of them), none of `none_of`, from one of `ministries`."""

    every: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    ministries: frozenset[str] = frozenset()

    def match(self) -> str:
        """An FTS5 expression for the releases that hold the tokens of the wanted words: all
        of them, and possibly some that `accepts` then turns down. Without a word or a
        ministry it matches nothing."""
        clauses = [_word_expression(w) for w in self.every if runs(w)]
        alternatives = ["(" + " AND ".join(_word_expression(w) for w in terms(phrase)) + ")"
                        for phrase in self.any_of if terms(phrase)]
        if alternatives:
            clauses.append("(" + " OR ".join(alternatives) + ")")
        tokens = sorted({ministry_token(n) for n in self.ministries})
        if tokens:
            clauses.append(f"ministry : ({' OR '.join(tokens)})")
        return " AND ".join(clauses) if clauses else NOTHING

    def exact(self) -> bool:
        """Whether `match` alone is the answer (no long word to check, nothing to exclude)."""
        words = [*self.every, *(w for p in self.any_of for w in terms(p))]
        return not self.none_of and all(_exact(w) for w in words)

    def accepts(self, title: str | None, body: str | None) -> bool:
        """Whether a release's text holds the wanted words as they are written."""
        head, text = _Folded(title), _Folded(body)

        def has(phrase: str) -> bool:
            return all(run in head or run in text for run in _phrase_runs(phrase))

        return (all(has(w) for w in self.every)
                and (not self.any_of or any(has(p) for p in self.any_of))
                and not any(has(n) for n in self.none_of))

    def score(self, title: str | None, body: str | None) -> float:
        """Relevance: TITLE_WEIGHT for each word in the title, plus each word's count in the
        text (at most ten) per thousand characters of it."""
        head, text = _Folded(title), _Folded(body)
        total = 0.0
        for word in self.every:
            parts = _phrase_runs(word)
            if all(p in head for p in parts):
                total += TITLE_WEIGHT
            count = min(min(text.count(p) for p in parts), 10) if parts else 0
            total += count * 1000 / (len(text.raw) + 1000)
        return total


class _Folded:
    """A text to look folded words up in, cheaply. Normalising and case folding a whole
    release costs more than the rest of a check, so the stored text is tried first; its NFKC
    form (made once, on demand) only when that fails, and the case-folded form only for words
    with cased letters (Latin, not Hangul). Counts (for relevance) use the stored text."""

    __slots__ = ("_forms", "raw")

    def __init__(self, text: str | None) -> None:
        self.raw = text or ""
        self._forms: dict[str, str] = {}

    def _form(self, kind: str) -> str:
        if kind not in self._forms:
            text = self.raw
            if "nfkc" in kind and not unicodedata.is_normalized("NFKC", text):
                text = unicodedata.normalize("NFKC", text)
            self._forms[kind] = text.casefold() if "fold" in kind else text
        return self._forms[kind]

    def __contains__(self, run: str) -> bool:
        cased = run.upper() != run
        return (run in self._form("fold" if cased else "raw")
                or run in self._form("nfkc fold" if cased else "nfkc"))

    def count(self, run: str) -> int:
        return self._form("fold" if run.upper() != run else "raw").count(run)


@functools.lru_cache(maxsize=1024)
def _phrase_runs(phrase: str) -> tuple[str, ...]:
    return tuple(run for word in terms(phrase) for run in runs(word))


@functools.lru_cache(maxsize=256)
def from_query(query: str | None, ministry: str | None = None) -> Selection:
    """The search box's query: every word, and the ministry selection."""
    return Selection(every=tuple(terms(query or "")), ministries=ministry_names(ministry))


def ministry_names(value: str | None) -> frozenset[str]:
    """Names a ministry selection stands for: codes and current or former names, comma-
    separated, each resolved as `--ministry` does; an unknown label is taken literally."""
    names: set[str] = set()
    for part in split_labels([value or ""]):
        try:
            names |= resolve(part).names
        except ConfigError:
            names.add(part)
    return frozenset(names)


def _query_match(query: str | None, ministry: str | None) -> str:
    selection = from_query(query, ministry)
    return selection.match() if selection.every else NOTHING


def _query_exact(query: str | None) -> int:
    return int(from_query(query).exact())


def _query_accepts(title: str | None, body: str | None, query: str | None) -> int:
    return int(from_query(query).accepts(title, body))


def _query_score(title: str | None, body: str | None, query: str | None) -> float:
    return from_query(query).score(title, body)


def snippet(text: str | None, query: str | None, width: int = 50) -> str:
    """The text around the first match of a term, on one line, with … where it was cut."""
    flat = " ".join((text or "").split())
    folded = fold(flat)
    found = [folded.find(r) for t in terms(query or "") for r in runs(t)]
    at = min((i for i in found if i >= 0), default=0)
    start = max(0, at - width)
    end = at + width * 2
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions SEARCH_SQL calls; any connection that runs it needs them."""
    conn.create_function("kscrape_match", 2, _query_match, deterministic=True)
    conn.create_function("kscrape_exact", 1, _query_exact, deterministic=True)
    conn.create_function("kscrape_accepts", 3, _query_accepts, deterministic=True)
    conn.create_function("kscrape_score", 3, _query_score, deterministic=True)
    conn.create_function("kscrape_key", 2, day_key, deterministic=True)
    conn.create_function("kscrape_snippet", 2, snippet, deterministic=True)


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    ministry: str = "",
    since: str | None = None,
    until: str | None = None,
    order: str = "newest",
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Run SEARCH_SQL on `conn`: releases with every term of `query`, with a snippet each."""
    register_functions(conn)
    cursor = conn.execute(SEARCH_SQL, {"q": query, "ministry": ministry, "since": since or "",
                                       "until": until or "", "order": order, "limit": limit})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


# -- keeping the index current ----------------------------------------------------------------


def create(conn: sqlite3.Connection) -> None:
    """Create the index, its queue and triggers, and index every stored release."""
    for statement in SCHEMA:
        conn.execute(statement)
    rows = conn.execute("select date, news_id, title, body, ministry from releases "
                        "order by date, news_id")
    conn.executemany(_INSERT, filter(None, itertools.starmap(_entry, rows)))


_INSERT = f"insert into {TABLE} (rowid, title, body, ministry) values (?, ?, ?, ?)"
_DELETE = (f"insert into {TABLE} ({TABLE}, rowid, title, body, ministry) "
           "values ('delete', ?, ?, ?, ?)")


def _entry(date: str, news_id: str, title: str, body: str,
           ministry: str) -> tuple[Any, ...] | None:
    """The index row of a release (None if it cannot be indexed, see `sort_key`)."""
    key = sort_key(date, news_id)
    if key is None:
        return None
    return (key, grams(title), grams(body), ministry_token(ministry))


def _current(conn: sqlite3.Connection, news_ids: Iterable[str]) -> Iterable[tuple[Any, ...]]:
    """The stored rows of `news_ids` as the index takes them, 500 ids to a query."""
    ids = list(news_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        yield from conn.execute(
            "select date, news_id, title, body, ministry from releases where news_id in "
            f"({','.join('?' * len(chunk))})", chunk)


def stop_indexing(conn: sqlite3.Connection) -> None:
    """Stop keeping this database's index current: its triggers go and its queue empties.

    For a scratch archive whose rows are merged into another (`kscrape reparse`): the archive
    they go to indexes them as it takes them, so indexing them here too is work done twice.
    """
    for event in ("insert", "update", "delete"):
        conn.execute(f"drop trigger if exists releases_search_{event}")
    conn.execute(f"delete from {QUEUE}")


def flush(conn: sqlite3.Connection) -> int:
    """Apply queued changes of `releases` to the index; returns how many releases changed.

    The first queue entry of a release tells what the index holds for it (the old values of
    an update or delete, or nothing before an insert); the index then gets the current row.
    Call inside the transaction that wrote the rows, so both commit together.
    """
    queued = conn.execute(f"select id, news_id, old_date, old_title, old_body, old_ministry "
                          f"from {QUEUE} order by id").fetchall()
    if not queued:
        return 0
    first: dict[str, tuple[Any, ...]] = {}
    for row in queued:
        first.setdefault(row[1], row)
    stale = (_entry(row[2], news_id, *row[3:]) for news_id, row in first.items()
             if row[2] is not None)
    conn.executemany(_DELETE, filter(None, stale))
    conn.executemany(_INSERT, filter(None, itertools.starmap(_entry, _current(conn, first))))
    conn.execute(f"delete from {QUEUE} where id <= ?", (queued[-1][0],))
    return len(first)
