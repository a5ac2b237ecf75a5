"""`kscrape verify`: declared counts per day against the archive, and --fix."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from .conftest import corpus_between, run_cli

SPAN = ("--since", "2023-06-28", "--until", "2023-06-30")


def _execute(config, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(config.db)) as conn, conn:
        return conn.execute(sql, params).fetchall()


def _ids(config) -> set[str]:
    return {r[0] for r in _execute(config, "select news_id from releases")}


def test_complete_archive_verifies_with_exit_0(config, replica):
    """After a crawl every day matches: exit 0 and one list request per day."""
    assert run_cli(config, "crawl", *SPAN).exit_code == 0
    replica.reset()
    result = run_cli(config, "verify", *SPAN)
    assert result.exit_code == 0, result.output
    assert "0 day(s) differ" in result.output
    assert len(replica.requests) == 3


def test_deleted_rows_are_a_gap_that_fix_closes(config, replica):
    """Three rows deleted from one day: exit 4 with the day listed; --fix brings them back."""
    assert run_cli(config, "crawl", *SPAN).exit_code == 0
    expected = _ids(config)
    gone = _execute(config, "select news_id from releases where date = '2023-06-29' limit 3")
    _execute(config, "delete from releases where news_id in (?, ?, ?)", tuple(r[0] for r in gone))
    declared = len(corpus_between("2023-06-29", "2023-06-29"))
    result = run_cli(config, "verify", *SPAN)
    assert result.exit_code == 4
    assert f"2023-06-29\tdeclared {declared}\tstored {declared - 3}\tmissing 3" in result.output
    assert "3 release(s) missing" in result.stderr
    result = run_cli(config, "verify", *SPAN, "--fix")
    assert result.exit_code == 0, result.output
    assert "fetched 3 new, 0 still missing" in result.output
    assert _ids(config) == expected
    assert run_cli(config, "verify", *SPAN).exit_code == 0


def test_ministry_gap_is_counted_per_ministry_and_fixed(config, replica):
    """--ministry 기획재정부 compares the filtered count with that ministry's rows only."""
    args = ("--ministry", "기획재정부")
    assert run_cli(config, "crawl", *SPAN, *args).exit_code == 0
    expected = _ids(config)
    assert "156577893" in expected
    assert run_cli(config, "verify", *SPAN, *args).exit_code == 0
    _execute(config, "delete from releases where news_id = '156577893'")
    result = run_cli(config, "verify", *SPAN, *args)
    assert result.exit_code == 4
    assert "2023-06-29\t" in result.output and "missing 1" in result.output
    replica.reset()
    result = run_cli(config, "verify", *SPAN, *args, "--fix")
    assert result.exit_code == 0, result.output
    assert _ids(config) == expected
    assert all(r.form.get("repCode") or r.form.get("startDate") == "2023-06-29"
               for r in replica.requests)


def test_release_removed_from_the_site_is_reported_but_not_a_gap(config, replica):
    """A stored release the site no longer lists shows as 'extra' and verify still exits 0."""
    assert run_cli(config, "crawl", *SPAN).exit_code == 0
    replica.remove_release("156577893")
    result = run_cli(config, "verify", *SPAN)
    assert result.exit_code == 0, result.output
    assert "2023-06-29\t" in result.output and "extra 1" in result.output
