"""An archive made by the previous release of kscrape (schema 1) is upgraded in place."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from kscrape.extract import extract
from kscrape.store import SCHEMA_VERSION

from .conftest import ATTACHMENTS, make_config, run_cli

# The schema exactly as kscrape 0.1.0 shipped it (PRAGMA user_version = 1). Never edit: this is
# what archives in the field hold.
SCHEMA_1 = """
CREATE TABLE releases (
    news_id TEXT PRIMARY KEY, title TEXT NOT NULL, ministry TEXT NOT NULL, ministry_code TEXT,
    date TEXT NOT NULL, published_at TEXT, lead TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '', body_source TEXT NOT NULL DEFAULT '', url TEXT NOT NULL,
    licence TEXT, contacts TEXT, depth TEXT NOT NULL DEFAULT 'list', content_hash TEXT NOT NULL,
    first_seen_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX releases_date ON releases(date);
CREATE INDEX releases_ministry_date ON releases(ministry, date);
CREATE TABLE release_versions (
    id INTEGER PRIMARY KEY, news_id TEXT NOT NULL, title TEXT NOT NULL, ministry TEXT NOT NULL,
    date TEXT NOT NULL, lead TEXT NOT NULL, body TEXT NOT NULL, content_hash TEXT NOT NULL,
    stored_at TEXT NOT NULL, replaced_at TEXT NOT NULL
);
CREATE INDEX release_versions_news_id ON release_versions(news_id);
CREATE TABLE attachments (
    news_id TEXT NOT NULL, file_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', url TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'other', path TEXT, bytes INTEGER, sha256 TEXT,
    status TEXT NOT NULL DEFAULT 'pending', extract_status TEXT, error TEXT, fetched_at TEXT,
    PRIMARY KEY (news_id, file_id)
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY, command TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    since TEXT, until TEXT, ministries TEXT, depth TEXT, pid INTEGER,
    listed INTEGER NOT NULL DEFAULT 0, new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0, requests INTEGER NOT NULL DEFAULT 0,
    outcome TEXT NOT NULL DEFAULT 'running', error TEXT
);
CREATE TABLE failures (
    id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, news_id TEXT, url TEXT NOT NULL,
    error TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE windows (
    scope TEXT NOT NULL, since TEXT NOT NULL, until TEXT NOT NULL, declared INTEGER,
    stored INTEGER, done_at TEXT NOT NULL, PRIMARY KEY (scope, since, until)
);
"""
FILE_NEWS_ID = "156754060"  # an HWPX release of the attachment fixtures
LIST_NEWS_ID = "156577724"
OLD_TEXT = "예전 버전의 kscrape가 첨부파일에서 뽑은 본문입니다.\n\n표\t행"
TABLES = ("releases", "release_versions", "attachments", "runs", "failures", "windows")


def _old_archive(tmp_path: Path) -> Path:
    """A schema-1 database holding one release of each kind, its version, file, run and window."""
    db = tmp_path / "old.db"
    files = tmp_path / "attachments"
    files.mkdir()
    stored = files / f"{FILE_NEWS_ID}_40{FILE_NEWS_ID}.hwpx"
    shutil.copy(ATTACHMENTS / f"{FILE_NEWS_ID}.hwpx", stored)
    data = stored.read_bytes()
    seen = "2026-04-11T00:00:00Z"
    release = ("title, ministry, ministry_code, date, published_at, lead, body, body_source, url, "
               "licence, contacts, depth, content_hash, first_seen_at, updated_at")
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executescript(SCHEMA_1)
        conn.execute(
            f"insert into releases (news_id, {release}) values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (FILE_NEWS_ID, "중기부 '26년 추경예산 1조 6,903억원 확정", "중소벤처기업부", "A00032",
             "2026-04-11", "2026-04-11T07:18:57+09:00", "리드", OLD_TEXT, "attachment:hwpx",
             f"https://www.korea.kr/briefing/pressReleaseView.do?newsId={FILE_NEWS_ID}", None,
             json.dumps([{"dept": "기획조정실", "name": "이하녕"}], ensure_ascii=False), "files",
             "h1", seen, seen))
        conn.execute(
            f"insert into releases (news_id, {release}) values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (LIST_NEWS_ID, "이달의 협동조합", "기획재정부", None, "2023-06-29", None,
             "목록 본문", "목록 본문", "list",
             f"https://www.korea.kr/briefing/pressReleaseView.do?newsId={LIST_NEWS_ID}", None,
             None, "list", "h2", seen, seen))
        conn.execute(
            "insert into release_versions (news_id, title, ministry, date, lead, body, "
            "content_hash, stored_at, replaced_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (LIST_NEWS_ID, "옛 제목", "기획재정부", "2023-06-29", "옛 리드", "옛 본문", "h0",
             "2023-06-29T00:00:00Z", seen))
        conn.execute(
            "insert into attachments values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (FILE_NEWS_ID, f"40{FILE_NEWS_ID}", "260410_중기부_추경.hwpx",
             f"https://www.korea.kr/common/download.do?fileId=40{FILE_NEWS_ID}&tblKey=GMN",
             "hwpx", str(stored), len(data), hashlib.sha256(data).hexdigest(), "ok", "ok", None,
             seen))
        conn.execute(
            "insert into runs (command, started_at, finished_at, since, until, ministries, depth, "
            "pid, listed, new, outcome) values ('crawl', ?, ?, '2023-06-29', '2026-04-11', '[]', "
            "'files', 1, 2, 2, 'ok')", (seen, seen))
        conn.execute("insert into failures (run_id, news_id, url, error, at) values "
                     "(1, '1', 'https://www.korea.kr/x', 'HTTP 503', ?)", (seen,))
        conn.execute("insert into windows values ('*|files', '2023-06-29', '2023-06-29', 1, 1, ?)",
                     (seen,))
        conn.execute("pragma user_version = 1")
    return db


def _dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of the schema-1 tables, by the schema-1 columns only."""
    with closing(sqlite3.connect(db)) as conn:
        out = {}
        for table in TABLES:
            columns = [r[1] for r in conn.execute(f"pragma table_info({table})")
                       if r[1] != "body_md"]
            out[table] = conn.execute(f"select {', '.join(columns)} from {table} "
                                      "order by rowid").fetchall()
        return out


def _query(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def test_schema_1_archive_is_upgraded_in_place_and_loses_nothing(tmp_path):
    """Opening an old archive migrates it: every row and value stays, body_md starts NULL,
    the old text is what show and export print, and the file is a sound database."""
    db = _old_archive(tmp_path)
    before = _dump(db)
    config = make_config(tmp_path, "http://127.0.0.1:9", db=str(db))
    shown = run_cli(config, "show", FILE_NEWS_ID)
    assert shown.exit_code == 0, shown.output
    assert _query(db, "pragma user_version") == [(SCHEMA_VERSION,)]
    assert _dump(db) == before
    assert _query(db, "select news_id, body_md from releases order by news_id") == [
        (LIST_NEWS_ID, None), (FILE_NEWS_ID, None)]
    assert _query(db, "select body_md from release_versions") == [(None,)]
    assert _query(db, "select count(*) from marks") == [(0,)]
    assert _query(db, "pragma integrity_check") == [("ok",)]
    body = shown.stdout.split("## 본문\n\n", 1)[1].split("\n\n## ", 1)[0]
    assert body == OLD_TEXT
    assert "- 기획조정실 / 이하녕" in shown.stdout
    exported = run_cli(config, "export", "--format", "jsonl")
    rows = {r["news_id"]: r for r in map(json.loads, exported.stdout.splitlines())}
    assert rows[FILE_NEWS_ID]["body"] == OLD_TEXT and rows[LIST_NEWS_ID]["body"] == "목록 본문"


def test_reextract_on_an_upgraded_archive_rebuilds_from_its_files_with_no_request(tmp_path):
    """The old archive's file gives the current extractor's text and Markdown; the release
    kept only from the list is not touched; the site is never asked (it is not there)."""
    db = _old_archive(tmp_path)
    config = make_config(tmp_path, "http://127.0.0.1:9", db=str(db))
    result = run_cli(config, "reextract")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("examined 1, changed 1, unchanged 0")
    fresh = extract((ATTACHMENTS / f"{FILE_NEWS_ID}.hwpx").read_bytes())
    (body, body_md, source, contacts), = _query(
        db, f"select body, body_md, body_source, contacts from releases "
            f"where news_id = '{FILE_NEWS_ID}'")
    assert (body, body_md, source) == (fresh.text, fresh.markdown or None, "attachment:hwpx")
    assert "이하녕" in json.loads(contacts)[0]["name"]
    assert _query(db, f"select body, body_md, updated_at from releases "
                      f"where news_id = '{LIST_NEWS_ID}'") == [
        ("목록 본문", None, "2026-04-11T00:00:00Z")]
    assert _query(db, "select command, requests, outcome from runs order by id desc limit 1") == [
        ("reextract", 0, "ok")]
