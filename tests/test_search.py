"""`kscrape search`: full-text search over the archive, Korean substrings included."""

from __future__ import annotations

import json

import sqlite_utils

from .conftest import run_cli


def _crawl(config, day: str = "2023-06-29") -> None:
    assert run_cli(config, "crawl", "--since", day, "--until", day).exit_code == 0


def test_search_finds_a_release_by_words_of_its_title(config, replica):
    """Every term must match; the release's line names its id, date, ministry and title."""
    _crawl(config)
    result = run_cli(config, "search", "고객중심경영", "컨설팅")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    title = "공공기관 경영진 고객중심경영 컨설팅 교육 개최"
    assert first == f"156577893 2023-06-29 기획재정부 | {title}"


def test_search_matches_inside_words_and_short_terms(config, replica):
    """A stem inside a word with particles matches, and a two-character term works too."""
    _crawl(config)
    stems = json.loads("[" + ",".join(
        run_cli(config, "search", "고객중심", "--json").stdout.splitlines()) + "]")
    assert "156577893" in {h["news_id"] for h in stems}
    short = run_cli(config, "search", "고객", "컨설팅", "--json").stdout.splitlines()
    assert "156577893" in {json.loads(line)["news_id"] for line in short}


def test_search_filters_by_ministry_and_date(config, replica):
    """--ministry and --since/--until narrow the hits to exactly what they say."""
    _crawl(config, "2023-06-29")
    _crawl(config, "2023-06-30")
    hits = [json.loads(line) for line in run_cli(
        config, "search", "개최", "--json", "--limit", "500", "-m", "기획재정부",
        "--since", "2023-06-29", "--until", "2023-06-29").stdout.splitlines()]
    assert hits and {(h["ministry"], h["date"]) for h in hits} == {("기획재정부", "2023-06-29")}
    db = sqlite_utils.Database(config.db)
    expected = {r["news_id"] for r in db.query(
        "select news_id from releases where ministry = '기획재정부' and date = '2023-06-29' "
        "and (title like '%개최%' or body like '%개최%')")}
    db.close()
    assert {h["news_id"] for h in hits} == expected


def test_index_built_once_keeps_up_with_later_crawls(config, replica):
    """Releases stored after the index was built are found without rebuilding it."""
    _crawl(config, "2023-06-29")
    assert run_cli(config, "search", "플리마코").stdout.startswith("156577724 ")
    assert "장보고대상" not in run_cli(config, "search", "장보고대상").stdout
    _crawl(config, "2023-06-30")
    assert run_cli(config, "search", "장보고대상").stdout.startswith("156578209 ")


def test_search_without_a_database_is_a_one_line_error(config):
    """Searching before any crawl: exit 8, one line, and no database is created."""
    result = run_cli(config, "search", "교육")
    assert result.exit_code == 8
    assert result.stderr.count("\n") == 1 and "no such database" in result.stderr


def test_search_with_a_reversed_range_is_a_usage_error(config, replica):
    """--since after --until: exit 2 with one line, like every other command."""
    _crawl(config)
    result = run_cli(config, "search", "교육", "--since", "2023-06-30", "--until", "2023-06-01")
    assert result.exit_code == 2
    assert result.stderr == "Error: --since 2023-06-30 is after --until 2023-06-01\n"
