"""The archive's schema and its migrations.

Each migration is a function applied once, in order, inside one transaction; PRAGMA
user_version counts how many have run. A database whose count exceeds ours was written by a
newer kscrape and is refused before anything is written to it. Add a migration by appending
a function to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from kscrape.store import search

_INITIAL = """
CREATE TABLE IF NOT EXISTS releases (
    news_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    ministry TEXT NOT NULL,
    ministry_code TEXT,
    date TEXT NOT NULL,
    published_at TEXT,
    lead TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    body_source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL,
    licence TEXT,
    contacts TEXT,
    depth TEXT NOT NULL DEFAULT 'list',
    content_hash TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS releases_date ON releases(date);
CREATE INDEX IF NOT EXISTS releases_ministry_date ON releases(ministry, date);
CREATE TABLE IF NOT EXISTS release_versions (
    id INTEGER PRIMARY KEY,
    news_id TEXT NOT NULL,
    title TEXT NOT NULL,
    ministry TEXT NOT NULL,
    date TEXT NOT NULL,
    lead TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    replaced_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS release_versions_news_id ON release_versions(news_id);
CREATE TABLE IF NOT EXISTS attachments (
    news_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'other',
    path TEXT,
    bytes INTEGER,
    sha256 TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    extract_status TEXT,
    error TEXT,
    fetched_at TEXT,
    PRIMARY KEY (news_id, file_id)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    since TEXT,
    until TEXT,
    ministries TEXT,
    depth TEXT,
    pid INTEGER,
    listed INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL DEFAULT 'running',
    error TEXT
);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    news_id TEXT,
    url TEXT NOT NULL,
    error TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS windows (
    scope TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT NOT NULL,
    declared INTEGER,
    stored INTEGER,
    done_at TEXT NOT NULL,
    PRIMARY KEY (scope, since, until)
);
"""


def _initial(db: sqlite_utils.Database) -> None:
    """Version 1: releases, versions, attachments, runs, failures, backfill windows."""
    run_script(db, _INITIAL)


def _body_md(db: sqlite_utils.Database) -> None:
    """Version 2: the body as structured Markdown beside the plain text (NULL until known)."""
    db.execute("alter table releases add column body_md text")
    db.execute("alter table release_versions add column body_md text")


def _marks(db: sqlite_utils.Database) -> None:
    """Version 3: named marks (JSON) of how far a command got: where an interrupted reextract
    resumes, up to which change a Markdown export folder is current."""
    db.execute(
        "create table if not exists marks (name text primary key, value text not null, "
        "at text not null)"
    )


_EVIDENCE = """
CREATE TABLE IF NOT EXISTS evidence (
    news_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_id TEXT NOT NULL DEFAULT '',
    warc_file TEXT NOT NULL,
    warc_offset INTEGER NOT NULL,
    warc_length INTEGER NOT NULL,
    uri TEXT NOT NULL,
    warc_date TEXT NOT NULL,
    payload_digest TEXT NOT NULL,
    PRIMARY KEY (news_id, kind, file_id)
)
"""


def _evidence(db: sqlite_utils.Database) -> None:
    """Version 4: where the captures behind each stored release lie in the WARC files (its
    list page, view page and attachments: kind list | view | file)."""
    run_script(db, _EVIDENCE)


def _search_index(db: sqlite_utils.Database) -> None:
    """Version 5: the Korean search index (store/search.py) replaces the trigram index that
    `kscrape search` used to build on first use; every stored release is indexed now."""
    if "releases_fts" in db.table_names():
        db["releases"].disable_fts()
    search.create(db.conn)


def _watches(db: sqlite_utils.Database) -> None:
    """Version 6: saved searches that feeds are made of (`kscrape watch`)."""
    run_script(db, _WATCHES)


_WATCHES = """
CREATE TABLE IF NOT EXISTS watches (
    name TEXT PRIMARY KEY,
    ministries TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    excludes TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
"""

MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _initial,
    _body_md,
    _marks,
    _evidence,
    _search_index,
    _watches,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite_utils.Database, version: int) -> None:
    """Set the connection up and apply the migrations the file has not seen yet."""
    db.execute("pragma busy_timeout = 5000")
    if db.journal_mode != "wal":
        db.enable_wal()
    db.execute("pragma synchronous = normal")
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.atomic():
            step(db)
            db.execute(f"pragma user_version = {number}")


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """executescript would commit the open transaction; run statements one by one instead."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)
