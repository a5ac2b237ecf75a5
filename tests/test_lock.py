"""The write lock: one writing run per database, a refused run writes nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing

import pytest

from kscrape.errors import LockedError
from kscrape.lock import holder, lock_path, write_lock

from .conftest import cli_env, run_cli


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
    env = {k: v for k, v in os.environ.items() if not k.startswith("KSCRAPE_")}
    env.update(cli_env(config))
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
