"""`kscrape search`: Korean terms of any length, inside words, through the bigram index."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils

from kscrape.store import open_store

from .conftest import make_config, run_cli
from .searching import expected


@pytest.fixture(scope="module")
def archive(tmp_path_factory, replica_server):
    """A read-only archive of 2023-06-29..30, crawled once for the tests that only search."""
    config = make_config(tmp_path_factory.mktemp("archive"), replica_server.url)
    _crawl(config, "2023-06-29", "2023-06-30")
    return config


def _crawl(config, day: str = "2023-06-29", until: str | None = None) -> None:
    result = run_cli(config, "crawl", "--since", day, "--until", until or day)
    assert result.exit_code == 0, result.output


def _ids(config, *args: str) -> list[str]:
    result = run_cli(config, "search", *args, "--json", "--limit", "1000")
    assert result.exit_code == 0, result.output
    return [json.loads(line)["news_id"] for line in result.stdout.splitlines()]


def test_search_finds_a_release_by_words_of_its_title(config, replica):
    """Every term must match; the release's line names its id, date, ministry and title."""
    _crawl(config)
    result = run_cli(config, "search", "고객중심경영", "컨설팅")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    title = "공공기관 경영진 고객중심경영 컨설팅 교육 개최"
    assert first == f"156577893 2023-06-29 기획재정부 | {title}"
    assert "고객중심경영" in result.stdout.splitlines()[1]


@pytest.mark.parametrize("words", [["법"], ["쌀"], ["호우"], ["예산"], ["고용"], ["고객중심"],
                                   ["기획재정부"], ["ESG"], ["호우", "피해"], ["예산", "지원"],
                                   ["고객", "컨설팅"], ["법", "개정"]])
def test_search_returns_exactly_the_releases_holding_every_term(archive, words):
    """One, two and three-plus syllables, Latin letters and two terms: the hits are exactly
    the releases whose title or text holds every term, inside words too, newest first."""
    config = archive
    want = expected(config.db, words)
    assert want, f"the corpus should hold {words}"
    assert _ids(config, *words) == want


def test_substring_inside_a_word_and_two_syllable_words(config, replica):
    """고객중심 finds 고객중심경영; a two-syllable word finds a release holding it only inside
    a longer word."""
    _crawl(config)
    assert "156577893" in _ids(config, "고객중심")
    assert "156577893" in _ids(config, "중심경")


def test_search_filters_by_ministry_and_date(archive):
    """--ministry and --since/--until narrow the hits to exactly what they say."""
    config = archive
    hits = _ids(config, "개최", "-m", "기획재정부", "--since", "2023-06-29", "--until",
                "2023-06-29")
    want = expected(config.db, ["개최"], names={"기획재정부"}, since="2023-06-29",
                    until="2023-06-29")
    assert hits == want and want


def test_ministry_filter_by_code_follows_renames(archive):
    """A00015 selects releases filed under its former name 산업통상자원부."""
    config = archive
    want = expected(config.db, ["지원"], names={"산업통상자원부"})
    assert want and _ids(config, "지원", "-m", "A00015") == want


def test_relevance_order_holds_the_same_releases_title_hits_first(archive):
    """--order relevance returns the same set; a release with the term in its title comes
    before one that has it only in the text."""
    config = archive
    newest = _ids(config, "호우")
    ranked = _ids(config, "호우", "--order", "relevance")
    assert sorted(ranked) == sorted(newest)
    db = sqlite_utils.Database(config.db)
    in_title = {r["news_id"] for r in db.query("select news_id from releases where title like "
                                               "'%호우%'")}
    db.close()
    assert in_title and set(ranked[: len(in_title)]) == in_title


def test_limit_keeps_the_newest(archive):
    config = archive
    assert _ids(config, "지원")[:5] == expected(config.db, ["지원"])[:5]
    result = run_cli(config, "search", "지원", "--json", "--limit", "5")
    assert len(result.stdout.splitlines()) == 5


def test_index_follows_later_crawls_edits_and_deletes(config, replica):
    """Releases stored after the index was built are found; a changed text is found by its new
    words only; a deleted row (even by another SQLite client) disappears from the hits."""
    _crawl(config, "2023-06-29")
    assert _ids(config, "플리마코")[:1] == ["156577724"]
    assert _ids(config, "장보고대상") == []
    _crawl(config, "2023-06-30")
    assert _ids(config, "장보고대상")[:1] == ["156578209"]
    conn = sqlite3.connect(config.db)
    with conn:
        conn.execute("update releases set body = '수정된 본문: 낙동강 뗏목' where news_id = ?",
                     ("156577724",))
        conn.execute("delete from releases where news_id = '156578209'")
    conn.close()
    assert _ids(config, "뗏목") == ["156577724"]
    assert "156577724" not in _ids(config, "협동조합", "플리마코조합원")
    assert _ids(config, "장보고대상") == []


def test_old_archive_is_migrated_and_indexed(config, replica, tmp_path):
    """An archive of schema 2 with the old trigram index gets the new index on open."""
    _crawl(config, "2023-06-29")
    conn = sqlite3.connect(config.db)
    with conn:
        for name in ("releases_search_insert", "releases_search_update",
                     "releases_search_delete"):
            conn.execute(f"drop trigger {name}")
        conn.execute("drop table releases_search")
        conn.execute("drop table search_queue")
        conn.execute("drop table watches")
        conn.execute("pragma user_version = 2")
    conn.close()
    sqlite_utils.Database(config.db)["releases"].enable_fts(["title", "body"],
                                                            tokenize="trigram",
                                                            create_triggers=True)
    assert _ids(config, "호우") == expected(config.db, ["호우"])
    db = sqlite_utils.Database(config.db)
    assert "releases_fts" not in db.table_names()
    db.close()


def test_store_search_is_the_same_sql_as_the_site(config, replica):
    """Store.search returns news_id, date, ministry, title, snippet and url."""
    _crawl(config)
    store = open_store(config.db, create=False)
    try:
        hits = store.search("호우", limit=3)
    finally:
        store.close()
    assert hits and set(hits[0]) == {"news_id", "date", "ministry", "title", "snippet", "url"}
    db = sqlite_utils.Database(config.db)
    bodies = {h["news_id"]: db["releases"].get(h["news_id"])["body"] for h in hits}
    db.close()
    assert all("호우" in h["snippet"] for h in hits if "호우" in bodies[h["news_id"]])
    assert any("호우" in h["snippet"] for h in hits)


def test_search_without_a_database_is_a_one_line_error(config):
    """Searching before any crawl: exit 8, one line, and no database is created."""
    result = run_cli(config, "search", "교육")
    assert result.exit_code == 8
    assert result.stderr.count("\n") == 1 and "no such database" in result.stderr


def test_search_with_a_reversed_range_or_no_word_is_a_usage_error(config, replica):
    """--since after --until, or a query of punctuation only: exit 2 with one line."""
    _crawl(config)
    result = run_cli(config, "search", "교육", "--since", "2023-06-30", "--until", "2023-06-01")
    assert result.exit_code == 2
    assert result.stderr == "Error: --since 2023-06-30 is after --until 2023-06-01\n"
    result = run_cli(config, "search", "—", "...")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1


def test_a_row_the_index_cannot_key_is_stored_and_only_not_searchable(config):
    """A newsId that is not a number cannot get a sort key: its write still succeeds."""
    from kscrape.models import Release

    store = open_store(config.db)
    try:
        counts = store.save([Release(news_id="draft-1", title="호우 대비", ministry="행정안전부",
                                     date="2023-06-29", url="https://www.korea.kr/x",
                                     body="호우", body_source="list")], depth="list")
        assert counts.new == 1 and store.count() == 1
        assert store.search("호우") == []
    finally:
        store.close()
