"""`kscrape reparse`: the archive rebuilt from its WARC captures alone, with zero requests."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from kscrape.listing import DateRange
from kscrape.reparse import reparse, scratch_path

from .capture_support import SKIPPED, crawl, remove_database, table_rows
from .conftest import make_config, run_cli

WEEK = DateRange.from_iso("2023-06-28", "2023-06-30")


def _archive(db) -> dict[str, list[dict]]:
    return {table: table_rows(db, table) for table in SKIPPED}


def _execute(db, sql: str, params: tuple = ()) -> None:
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(sql, params)


def test_reparse_after_deleting_the_database_stores_exactly_what_the_crawl_stored(
        tmp_path, replica):
    """Crawl (with retried errors and a failed attachment), delete the database, reparse:
    releases, attachments, texts, evidence, versions and windows are equal field by field,
    and the site saw no request."""
    config = make_config(tmp_path, replica.url, depth="auto", warc_dir=str(tmp_path / "warc"))
    replica.faults.add("list", kind="status", code=503, times=2, match={"pageIndex": "2"})
    replica.faults.add("view", kind="status", code=500, times=1)
    replica.faults.add("download", kind="truncated_zip", times=1)
    crawl(config, WEEK)
    crawled = _archive(config.db)
    assert len(crawled["releases"]) == sum(replica.declared_count(d, d) for d in
                                           ("2023-06-28", "2023-06-29", "2023-06-30"))
    assert {r["body_source"] for r in crawled["releases"]} >= {"list", "attachment:hwpx"}
    assert crawled["evidence"] and crawled["windows"]

    remove_database(config.db)
    replica.reset()
    result = run_cli(config, "reparse")
    assert result.exit_code == 0, result.output
    assert replica.requests == []
    assert "0 not captured, 0 sent" in result.output
    assert f"new {len(crawled['releases'])}, changed 0" in result.output
    rebuilt = _archive(config.db)
    for table, rows in crawled.items():
        assert rebuilt[table] == rows, table
    assert not scratch_path(config).exists()


def test_reparse_applies_what_the_captures_say_and_reports_the_changed_fields(
        tmp_path, replica):
    """Rows an older parser got wrong are rewritten from the captures; a changed listing
    keeps the old values as a version, as an edit seen by a crawl does."""
    config = make_config(tmp_path, replica.url, depth="view", warc_dir=str(tmp_path / "warc"))
    crawl(config, DateRange.from_iso("2023-06-29", "2023-06-29"), ministries=["기획재정부"])
    crawled = table_rows(config.db, "releases")
    first, second = crawled[0]["news_id"], crawled[1]["news_id"]
    _execute(config.db, "update releases set body = 'garbled', published_at = null "
                        "where news_id = ?", (first,))
    _execute(config.db, "update releases set title = 'old title', content_hash = 'x' "
                        "where news_id = ?", (second,))
    _execute(config.db, "delete from evidence where news_id = ?", (first,))

    result = run_cli(config, "reparse")
    assert result.exit_code == 0, result.output
    assert "changed 2 (" in result.output
    assert "body 1" in result.output and "published_at 1" in result.output
    assert "title 1" in result.output and "content_hash 1" in result.output
    assert f"unchanged {len(crawled) - 2}" in result.output
    assert table_rows(config.db, "releases") == crawled
    versions = table_rows(config.db, "release_versions")
    assert [(v["news_id"], v["title"], v["content_hash"]) for v in versions] == [
        (second, "old title", "x")]
    assert {e["news_id"] for e in table_rows(config.db, "evidence")} >= {first}


def test_a_release_stored_deeper_than_its_captures_is_kept(tmp_path, replica):
    """A release crawled at depth view before captures were kept, then listed again by a
    captured run at depth list, keeps its view-page fields."""
    uncaptured = make_config(tmp_path, replica.url, depth="view", warc=False)
    day = DateRange.from_iso("2023-06-29", "2023-06-29")
    crawl(uncaptured, day, ministries=["기획재정부"])
    before = table_rows(uncaptured.db, "releases")
    captured = make_config(tmp_path, replica.url, depth="list", warc_dir=str(tmp_path / "warc"))
    crawl(captured, day, ministries=["기획재정부"])

    result = run_cli(captured, "reparse")
    assert result.exit_code == 0, result.output
    assert f"kept {len(before)}" in result.output
    assert table_rows(captured.db, "releases") == before


def test_reparse_since_until_rebuilds_only_those_days(tmp_path, replica):
    config = make_config(tmp_path, replica.url, warc_dir=str(tmp_path / "warc"))
    crawl(config, WEEK)
    crawled = table_rows(config.db, "releases")
    remove_database(config.db)
    result = run_cli(config, "reparse", "--since", "2023-06-29", "--until", "2023-06-29")
    assert result.exit_code == 0, result.output
    assert table_rows(config.db, "releases") == [r for r in crawled if r["date"] == "2023-06-29"]


def test_an_interrupted_reparse_resumes_at_the_first_run_not_replayed(tmp_path, replica):
    config = make_config(tmp_path, replica.url, depth="auto", warc_dir=str(tmp_path / "warc"))
    crawl(config, DateRange.from_iso("2023-06-29", "2023-06-29"))
    crawl(config, DateRange.from_iso("2023-06-30", "2023-06-30"))
    crawled = _archive(config.db)
    remove_database(config.db)
    replica.reset()

    def stop_after_the_first(run, stats):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reparse(config, tmp_path / "warc", on_run=stop_after_the_first)
    assert not scratch_path(config).exists()  # an empty archive is rebuilt in place
    seen: list[str] = []
    report = reparse(config, tmp_path / "warc", on_run=lambda run, stats: seen.append(run.stem))
    assert report.resumed == 1 and report.runs == 1 and len(seen) == 1
    assert _archive(config.db) == crawled
    assert replica.requests == []


def test_an_interrupted_merge_reparse_resumes_from_its_scratch_archive(tmp_path, replica):
    """Into an archive that holds releases, runs are replayed into the scratch archive; an
    interrupted reparse leaves it, and the rerun replays only the runs not done yet."""
    config = make_config(tmp_path, replica.url, depth="auto", warc_dir=str(tmp_path / "warc"))
    crawl(config, DateRange.from_iso("2023-06-29", "2023-06-29"))
    crawl(config, DateRange.from_iso("2023-06-30", "2023-06-30"))
    crawled = _archive(config.db)
    replica.reset()

    def stop_after_the_first(run, stats):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reparse(config, tmp_path / "warc", on_run=stop_after_the_first)
    assert scratch_path(config).exists()
    report = reparse(config, tmp_path / "warc")
    assert report.resumed == 1 and report.runs == 1 and report.merge.changed == 0
    assert not scratch_path(config).exists()
    assert _archive(config.db) == crawled
    assert replica.requests == []


def test_reparse_without_captures_is_a_usage_error(tmp_path, replica):
    config = make_config(tmp_path, replica.url, warc_dir=str(tmp_path / "warc"))
    (tmp_path / "warc").mkdir()
    result = run_cli(config, "reparse")
    assert result.exit_code == 2
    assert "no kscrape WARC captures" in result.output
    missing = run_cli(config, "reparse", "--warc", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2
    assert not (tmp_path / "kscrape.db").exists()
