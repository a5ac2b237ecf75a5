"""The write lock: one writing run per database, a refused run writes nothing; the same on a
Python without fcntl (as on Windows)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing

import pytest

from kscrape.errors import LockedError
from kscrape.lock import holder, lock_path, record_path, write_lock

from .conftest import run_cli
from .processes import child_env, kscrape, kscrape_popen, without_posix


def _query(config, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(config.db)) as conn:
        return conn.execute(sql).fetchall()


def test_second_lock_in_the_same_place_is_refused_with_the_holder_named(tmp_path):
    """LockedError names the holder's pid, command and start time; the lock is free after."""
    db = tmp_path / "k.db"
    assert holder(db) is None
    with write_lock(db, command="backfill"):
        info = holder(db)
        assert info is not None and info["pid"] == os.getpid()
        with (pytest.raises(LockedError, match=rf"pid {os.getpid()}, backfill started 20"),
              write_lock(db, command="update")):
            pass
    assert holder(db) is None
    with write_lock(db, command="update"):
        assert holder(db)["command"] == "update"


def test_overlapping_run_exits_6_names_the_holder_and_writes_nothing(config, replica):
    """A backfill holds the lock: update exits 6 naming its pid; after SIGKILL the lock is free."""
    reached, release = threading.Event(), threading.Event()

    def hold(request) -> None:
        reached.set()
        release.wait(timeout=30)

    replica.on_request(hold)
    env = child_env(config)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kscrape", "backfill", "--since", "2023-06-29",
         "--until", "2023-06-30"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert reached.wait(timeout=30)
        runs_before = _query(config, "select id, outcome from runs")
        replica.reset()
        for command in (("update",), ("crawl", "--since", "2023-06-30"),
                        ("backfill", "--since", "2023-06-30")):
            result = run_cli(config, *command)
            assert result.exit_code == 6, result.output
            errors = result.stderr.strip().splitlines()
            assert len(errors) == 1 and f"pid {proc.pid}, backfill started" in errors[0]
        assert replica.requests == []
        assert _query(config, "select id, outcome from runs") == runs_before == [(1, "running")]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert holder(config.db) is None
    assert lock_path(config.db).exists()
    result = run_cli(config, "backfill", "--since", "2023-06-30", "--until", "2023-06-30")
    assert result.exit_code == 0, result.output
    assert _query(config, "select outcome from runs order by id") == [("killed",), ("ok",)]


def test_without_fcntl_a_second_writer_exits_6_status_names_the_holder_and_a_kill_frees_it(
        config, replica, tmp_path):
    """On a Python that cannot import fcntl: the same semantics, every process Windows-like."""
    reached, release = threading.Event(), threading.Event()

    def hold(request) -> None:
        reached.set()
        release.wait(timeout=30)

    replica.on_request(hold)
    env = child_env(config, **without_posix(tmp_path))
    patient = {**env, "KSCRAPE_TIMEOUT": "60", "KSCRAPE_DEADLINE": "120"}  # held, not failed
    proc = kscrape_popen("backfill", "--since", "2023-06-29", "--until", "2023-06-30",
                         env=patient)
    try:
        assert reached.wait(timeout=60)
        replica.reset()
        for command in (("update",), ("crawl", "--since", "2023-06-30", "--until", "2023-06-30")):
            refused = kscrape(*command, env=env)
            assert refused.returncode == 6, refused.stderr
            errors = refused.stderr.decode("utf-8").strip().splitlines()
            assert len(errors) == 1 and f"pid {proc.pid}, backfill started" in errors[0]
        status = kscrape("status", env=env)
        assert f"lock       held by pid {proc.pid}, backfill started".encode() in status.stdout
        as_json = json.loads(kscrape("status", "--json", env=env).stdout)
        assert as_json["lock"]["pid"] == proc.pid and as_json["lock"]["command"] == "backfill"
        assert replica.requests == []
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    status = kscrape("status", env=env)
    assert b"lock       free" in status.stdout
    again = kscrape("backfill", "--since", "2023-06-30", "--until", "2023-06-30", env=env)
    assert again.returncode == 0, again.stderr
    assert _query(config, "select outcome from runs order by id") == [("killed",), ("ok",)]


def test_the_lock_file_stays_empty_and_the_holder_record_is_cleared(tmp_path):
    """Only the lock of `<db>.lock` is used (no journal beside it); the record names the
    holder while it runs and is emptied when it ends."""
    db = tmp_path / "k.db"
    with write_lock(db, command="crawl"):
        assert json.loads(record_path(db).read_text(encoding="utf-8"))["command"] == "crawl"
        assert lock_path(db).stat().st_size == 0
        assert sorted(p.name for p in tmp_path.iterdir()) == ["k.db.lock", "k.db.lock.json"]
    assert record_path(db).read_text(encoding="utf-8") == ""
    assert holder(tmp_path / "never-locked.db") is None


def test_a_lock_file_left_by_an_older_kscrape_is_taken_over(tmp_path):
    """Older versions kept the holder's JSON in `<db>.lock`; it is not a lock any more."""
    db = tmp_path / "k.db"
    lock_path(db).write_text('{"pid": 1, "started_at": "2024-01-01T00:00:00Z", '
                             '"command": "backfill"}', encoding="utf-8")
    assert holder(db) is None
    with write_lock(db, command="update"):
        assert holder(db)["command"] == "update"
