"""`kscrape status` and the log formats of the writing commands."""

from __future__ import annotations

import json
import os

from kscrape.lock import write_lock

from .conftest import corpus_between, run_cli


def _seed(config) -> None:
    assert run_cli(config, "crawl", "--since", "2023-06-29", "--until", "2023-06-30").exit_code == 0
    assert run_cli(config, "update").exit_code == 0


def test_status_shows_runs_counts_per_year_span_and_a_free_lock(config, replica):
    """Runs with range and outcome, releases per year, oldest/newest, 'lock free'."""
    _seed(config)
    result = run_cli(config, "status")
    assert result.exit_code == 0, result.output
    count = len(corpus_between("2023-06-29", "2023-06-30"))
    lines = result.output.splitlines()
    assert f"per year   2023: {count}" in lines
    assert any(line.startswith(f"releases   {count} (2023-06-29 .. 2023-06-30)") for line in lines)
    assert "lock       free" in lines
    runs = [line for line in lines if line.startswith("run ")]
    assert "update 2023-06-30..2023-06-30: ok, new 0" in runs[0]
    assert f"crawl 2023-06-29..2023-06-30: ok, new {count}" in runs[1]


def test_status_names_the_lock_holder(config, replica):
    """While a run holds the lock, status prints its pid, command and start time."""
    _seed(config)
    with write_lock(config.db, command="backfill"):
        result = run_cli(config, "status")
    assert result.exit_code == 0
    assert f"lock       held by pid {os.getpid()}, backfill started 20" in result.output


def test_status_json_parses_and_carries_the_same_facts(config, replica):
    """--json is one JSON document with runs, per_year, oldest, newest and lock."""
    _seed(config)
    info = json.loads(run_cli(config, "status", "--json").output)
    assert info["per_year"] == {"2023": len(corpus_between("2023-06-29", "2023-06-30"))}
    assert (info["oldest"], info["newest"], info["lock"]) == ("2023-06-29", "2023-06-30", None)
    assert [r["command"] for r in info["runs"]] == ["update", "crawl"]
    assert all(r["outcome"] == "ok" for r in info["runs"])


def test_status_of_a_missing_database_is_exit_8(config, replica):
    """No database yet: one line and the store exit code."""
    result = run_cli(config, "status")
    assert result.exit_code == 8
    assert "no such database" in result.stderr


def test_json_log_format_gives_one_object_per_window_line(config, replica):
    """--log-format json: each backfill window is a JSON line with its counts as fields."""
    result = run_cli(config, "--log-format", "json", "backfill", "--since", "2023-06-29",
                     "--until", "2023-06-30", "--window-days", "1")
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    windows = [e for e in entries if "window" in e]
    assert [(e["since"], e["declared"]) for e in windows] == [
        ("2023-06-30", len(corpus_between("2023-06-30", "2023-06-30"))),
        ("2023-06-29", len(corpus_between("2023-06-29", "2023-06-29")))]
    assert all(e["level"] == "INFO" for e in windows)
