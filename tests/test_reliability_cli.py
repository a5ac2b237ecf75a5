"""Bad operator input: one line on stderr, the documented exit code, nothing written."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from kscrape.errors import FetchError
from kscrape.fetch import Fetcher
from kscrape.store import SCHEMA_VERSION

from .conftest import cli_env, make_config, run_cli
from .test_reliability_network import DAY, crawl_day, invoke

RANGE = ("--since", DAY, "--until", DAY)

BAD_ARGUMENTS = {
    "crawl-bad-date": ("crawl", "--since", "2023-13-01"),
    "crawl-word-date": ("crawl", "--since", "yesterday"),
    "crawl-reversed": ("crawl", "--since", "2023-06-30", "--until", "2023-06-01"),
    "crawl-unknown-ministry": ("crawl", *RANGE, "--ministry", "없는부"),
    "crawl-bad-depth": ("crawl", *RANGE, "--depth", "everything"),
    "backfill-bad-date": ("backfill", "--since", "2023/06/01"),
    "backfill-reversed": ("backfill", "--since", "2023-06-30", "--until", "2023-06-01"),
    "backfill-zero-window": ("backfill", *RANGE, "--window-days", "0"),
    "backfill-unknown-ministry": ("backfill", *RANGE, "-m", "A99999"),
    "update-unknown-ministry": ("update", "--ministry", "없는부"),
    "update-negative-recheck": ("update", "--recheck=-2"),
    "verify-bad-date": ("verify", "--since", "06-01-2023"),
    "verify-reversed": ("verify", "--since", "2023-06-30", "--until", "2023-06-01"),
    "export-bad-date": ("export", "--since", "2023-02-30"),
    "export-reversed": ("export", "--since", "2023-06-30", "--until", "2023-06-01"),
    "export-unknown-ministry": ("export", "--ministry", "없는부"),
    "export-excel-jsonl": ("export", "--format", "jsonl", "--excel"),
    "bad-rate": ("--rate", "fast", "status"),
    "missing-config-file": ("--config", "nowhere.toml", "status"),
}


def _assert_one_error_line(result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.mark.parametrize("args", list(BAD_ARGUMENTS.values()), ids=list(BAD_ARGUMENTS))
def test_bad_arguments_exit_2_with_one_line_and_touch_nothing(config, replica, args):
    """Malformed or reversed dates, unknown ministries, bad values: exit 2, no DB, no request."""
    result = invoke(config, *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("Error:")] == [lines[-1]]
    if not lines[0].startswith("Usage:"):  # click's own parse errors add its usage hint
        assert len(lines) == 1, result.stderr
    assert not Path(config.db).exists()
    assert not Path(f"{config.db}.lock").exists()
    assert replica.requests == []


@pytest.mark.parametrize("command", ["crawl", "status", "export"])
def test_unknown_config_file_key_is_exit_2(config, replica, command):
    """A typo in config.toml stops every command before it does anything."""
    Path("config.toml").write_text("[kscrape]\nrate = 1\nbatchsize = 10\n", encoding="utf-8")
    extra = RANGE if command == "crawl" else ()
    result = invoke(config, command, *extra)
    line = _assert_one_error_line(result, 2)
    assert "unknown setting key 'batchsize'" in line
    assert not Path(config.db).exists()
    assert replica.requests == []


def _not_sqlite(path: Path) -> bytes:
    path.write_bytes(b"this is a spreadsheet, not a database\n" * 100)
    return path.read_bytes()


def _newer_schema(path: Path) -> bytes:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("create table releases (news_id text primary key)")
        conn.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
    return path.read_bytes()


STORE_COMMANDS = {
    "crawl": ("crawl", *RANGE),
    "backfill": ("backfill", *RANGE),
    "update": ("update",),
    "verify": ("verify", *RANGE),
    "status": ("status",),
    "export": ("export", "-o", "out.csv"),
}


@pytest.mark.parametrize("make", [_not_sqlite, _newer_schema], ids=["not-sqlite", "newer-schema"])
@pytest.mark.parametrize("args", list(STORE_COMMANDS.values()), ids=list(STORE_COMMANDS))
def test_unusable_database_is_exit_8_and_left_byte_identical(config, replica, make, args):
    """A file that is not SQLite, or from a newer kscrape: exit 8, one line, bytes unchanged."""
    db = Path(config.db)
    before = make(db)
    line = _assert_one_error_line(invoke(config, *args), 8)
    assert str(db) in line
    assert ("not a kscrape database" in line) or ("newer kscrape" in line)
    assert db.read_bytes() == before
    assert not Path(f"{db}-wal").exists() and not Path("out.csv").exists()
    assert replica.requests == []


def test_database_under_a_regular_file_is_exit_8(tmp_path, replica):
    """A --db path whose parent is a file cannot be created: exit 8, one line, no request."""
    Path("blocker").write_text("x", encoding="utf-8")
    config = make_config(tmp_path, replica.url, db=str(tmp_path / "blocker" / "k.db"))
    _assert_one_error_line(crawl_day(config), 8)
    assert replica.requests == []


def test_export_to_an_unwritable_place_is_exit_8_and_leaves_no_file(config, replica):
    """Export into a directory that is a file: exit 8, one line, nothing created."""
    assert crawl_day(config).exit_code == 0
    Path("blocker").write_text("x", encoding="utf-8")
    line = _assert_one_error_line(invoke(config, "export", "-o", "blocker/out.csv"), 8)
    assert "blocker/out.csv" in line
    assert Path("blocker").read_text(encoding="utf-8") == "x"


def test_log_file_in_a_missing_directory_is_exit_2(config, replica):
    """--log-file that cannot be opened is a configuration error, before any work."""
    result = invoke(config, "--log-file", "no/such/dir/k.log", "crawl", *RANGE)
    _assert_one_error_line(result, 2)
    assert not Path(config.db).exists()
    assert replica.requests == []


# -- the network guard (T36) -------------------------------------------------------------------


def test_the_suite_cannot_reach_anything_but_loopback():
    """The autouse guard refuses a connection to a routable address before any packet."""
    with closing(socket.socket()) as sock, pytest.raises(OSError, match="only connect to loopback"):
        sock.connect(("192.0.2.1", 80))


def test_a_fetcher_aimed_at_the_internet_fails_inside_the_guard(tmp_path):
    """Even a misconfigured base_url cannot leave the machine during tests."""
    config = make_config(tmp_path, "http://192.0.2.1")
    with Fetcher(config) as fetcher, pytest.raises(FetchError, match="loopback"):
        fetcher.get("/")


def test_export_into_a_pipe_closed_early_ends_quietly(config, replica):
    """`kscrape export | head`: the reader leaving is not an error — exit 0, stderr empty."""
    assert run_cli(config, "crawl", "--since", "2023-06-29", "--until", "2023-06-30").exit_code == 0
    env = {**os.environ, **cli_env(config)}
    proc = subprocess.Popen([sys.executable, "-m", "kscrape", "export", "--format", "jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.read(1000)
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    assert first.startswith(b'{"news_id": "') and err == b""
