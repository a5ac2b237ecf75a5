"""`kscrape watch` and `kscrape feed`: saved searches and valid, stable Atom feeds."""

from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path

import feedparser
import pytest
import sqlite_utils

from .conftest import make_config, run_cli
from .searching import contains


@pytest.fixture(scope="module")
def archive(tmp_path_factory, replica_server):
    config = make_config(tmp_path_factory.mktemp("feeds"), replica_server.url, depth="auto")
    result = run_cli(config, "crawl", "--since", "2023-06-29", "--until", "2023-06-30")
    assert result.exit_code == 0, result.output
    return config


def _rows(config, sql: str = "select * from releases order by date desc, news_id desc"):
    db = sqlite_utils.Database(config.db)
    try:
        return list(db.query(sql))
    finally:
        db.close()


def _feed(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_feed_writes_valid_atom_for_all_each_ministry_code_and_each_watch(archive, tmp_path):
    """all.xml holds the newest feed_size releases; A00007.xml those of 기획재정부; ids are the
    canonical URLs, times carry +09:00, the ministry is the author."""
    assert run_cli(archive, "watch", "add", "ministry-only", "-m", "A00007").exit_code == 0
    result = run_cli(archive, "feed", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert {"all.xml", "A00007.xml", "A00015.xml", "ministry-only.xml"} <= names
    rows = _rows(archive)
    everything = _feed(tmp_path / "all.xml")
    assert [e.id for e in everything.entries] == [r["url"] for r in rows[:50]]
    first = everything.entries[0]
    assert first.title == rows[0]["title"] and first.author == rows[0]["ministry"]
    assert first.link == rows[0]["url"]
    raw = (tmp_path / "all.xml").read_text(encoding="utf-8")
    stamps = re.findall(r"<(?:published|updated)>([^<]+)<", raw)
    assert len(stamps) == 1 + 2 * 50 and all(s.endswith("+09:00") for s in stamps)
    moef = _feed(tmp_path / "A00007.xml")
    want = [r["url"] for r in rows if r["ministry"] == "기획재정부"][:50]
    assert want and [e.id for e in moef.entries] == want
    assert (tmp_path / "ministry-only.xml").read_bytes().count(b"<entry>") == len(want)


def test_entry_content_is_html_from_the_body_with_attachment_links(archive, tmp_path):
    assert run_cli(archive, "feed", "-o", str(tmp_path)).exit_code == 0
    row = _rows(archive, "select r.*, a.url file_url from releases r join attachments a "
                         "using (news_id) where r.ministry = '기획재정부' limit 1")[0]
    entry = next(e for e in _feed(tmp_path / "A00007.xml").entries if e.id == row["url"])
    html = entry.content[0].value
    assert entry.content[0].type == "text/html"
    first_line = next(line for line in row["body"].splitlines() if line.strip())
    assert f"<p>{escape(first_line.strip())}</p>" in html
    assert escape(row["file_url"]) in html
    assert row["file_url"] in {link.href for link in entry.links if link.rel == "enclosure"}


def test_ids_stable_and_no_rewrite_when_nothing_changed(archive, tmp_path):
    """A second run writes nothing (bytes and mtime kept); ids are the same across runs."""
    assert run_cli(archive, "feed", "-o", str(tmp_path)).exit_code == 0
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    os.utime(tmp_path / "all.xml", ns=(1, 1))
    result = run_cli(archive, "feed", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert f"0 written, {len(before)} unchanged" in result.output
    assert (tmp_path / "all.xml").stat().st_mtime_ns == 1
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == {k: v[0] for k, v in before.items()}


def test_watch_with_keyword_ministry_and_exclude(archive, tmp_path):
    """A watch keeps releases of its ministry holding one of its keywords and none of its
    excluded words — exactly those, newest first."""
    result = run_cli(archive, "watch", "add", "moef-policy", "--ministry", "기획재정부",
                     "--keyword", "개최", "--keyword", "재정증권", "--exclude", "라운드테이블")
    assert result.exit_code == 0, result.output
    assert run_cli(archive, "feed", "-o", str(tmp_path)).exit_code == 0
    rows = _rows(archive)
    want = [r["url"] for r in rows if r["ministry"] == "기획재정부"
            and (contains(r, "개최") or contains(r, "재정증권"))
            and not contains(r, "라운드테이블")]
    excluded = [r for r in rows if r["ministry"] == "기획재정부" and contains(r, "개최")
                and contains(r, "라운드테이블")]
    got = [e.id for e in _feed(tmp_path / "moef-policy.xml").entries]
    assert want and excluded and got == want
    listing = run_cli(archive, "watch", "list").output
    described = "ministry 기획재정부; keyword 개최 | 재정증권; exclude 라운드테이블"
    assert f"moef-policy\t{described}" in listing


def test_watch_rm_and_bad_watches(archive):
    """rm removes; an unknown name, a bad name, an unknown ministry or an empty watch is a
    one-line usage error (exit 2) that stores nothing."""
    assert run_cli(archive, "watch", "add", "temp", "-k", "예산").exit_code == 0
    assert run_cli(archive, "watch", "rm", "temp").exit_code == 0
    assert "temp\t" not in run_cli(archive, "watch", "list").output
    for args in (["rm", "temp"], ["add", "../evil", "-k", "예산"], ["add", "A00007", "-k", "x"],
                 ["add", "all", "-k", "x"], ["add", "x", "-m", "없는부처"], ["add", "empty"],
                 ["add", "dots", "-k", "..."]):
        result = run_cli(archive, "watch", *args)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") == 1
    names = [r["name"] for r in _rows(archive, "select name from watches")]
    assert "evil" not in str(names) and "empty" not in names and "x" not in names


def test_update_with_feeds_refreshes_them(config, replica, tmp_path):
    """The cron line: `update --feeds DIR` stores what is new and then writes the feeds."""
    assert run_cli(config, "crawl", "--since", "2023-06-29", "--until", "2023-06-29").exit_code == 0
    result = run_cli(config, "update", "--feeds", str(tmp_path / "feeds"))
    assert result.exit_code == 0, result.output
    entries = _feed(tmp_path / "feeds" / "all.xml").entries
    newest = _rows(config)[0]
    assert entries[0].id == newest["url"] and newest["date"] == "2023-06-30"
    assert "feeds in" in result.stderr


def test_feed_size_config_key(config, replica, tmp_path):
    assert run_cli(config, "crawl", "--since", "2023-06-29", "--until", "2023-06-29").exit_code == 0
    env_run = run_cli(config, "--config", str(_toml(tmp_path, "feed_size = 3")), "feed", "-o",
                      str(tmp_path / "f"))
    assert env_run.exit_code == 0, env_run.output
    assert len(_feed(tmp_path / "f" / "all.xml").entries) == 3


def _toml(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[kscrape]\n{line}\n", encoding="utf-8")
    return path
