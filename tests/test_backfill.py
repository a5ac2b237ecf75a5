"""`kscrape backfill`: windows marked with their last rows, resumable after any interruption."""

from __future__ import annotations

import io
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from kscrape.backfill import WindowReport
from kscrape.crawl import RunStats
from kscrape.listing import DateRange
from kscrape.progress import WindowProgress
from kscrape.replica.corpus import Query

from .conftest import corpus_between, make_config, run_cli
from .processes import child_env

KILL_SPAN = ("2023-06-28", "2023-06-30")
DAY = "2023-06-29"


def _query(config, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(config.db)) as conn:
        return conn.execute(sql, params).fetchall()


def _ids(config) -> list[str]:
    return [r[0] for r in _query(config, "select news_id from releases")]


def _backfill(config, since: str, until: str, *extra: str, batch: int = 7) -> subprocess.Popen:
    env = child_env(config, KSCRAPE_BATCH_SIZE=str(batch))
    return subprocess.Popen(
        [sys.executable, "-m", "kscrape", "backfill", "--since", since, "--until", until,
         "--window-days", "1", *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def _assert_sound(config) -> list[tuple]:
    """Integrity ok, no duplicate ids, every finished window holds what the site declared."""
    if not Path(config.db).exists():
        return []
    assert _query(config, "pragma integrity_check") == [("ok",)]
    ids = _ids(config)
    assert len(ids) == len(set(ids))
    windows = _query(config, "select since, until, declared, stored from windows")
    for since, until, declared, stored in windows:
        assert since == until
        assert declared == stored == len(corpus_between(since, until))
    return windows


def _list_days(replica) -> set[str]:
    return {r.form.get("startDate", "") for r in replica.requests if r.route == "list"}


def test_backfill_marks_each_window_and_logs_one_line_per_window(config, replica):
    """Five one-day windows: five consistent window rows and five log lines off a terminal."""
    result = run_cli(config, "backfill", "--since", "2023-06-26", "--until", "2023-06-30",
                     "--window-days", "1")
    assert result.exit_code == 0, result.output
    assert set(_ids(config)) == set(corpus_between("2023-06-26", "2023-06-30"))
    assert len(_assert_sound(config)) == 5
    lines = [line for line in result.stderr.splitlines() if " window " in line]
    assert len(lines) == 5 and "window 1/5 2023-06-30..2023-06-30" in lines[0]


def test_rerun_of_a_finished_backfill_requests_no_list_page(config, replica):
    """Finished windows are skipped: the rerun makes no request at all."""
    args = ("backfill", "--since", "2023-06-29", "--until", "2023-06-30", "--window-days", "1")
    assert run_cli(config, *args).exit_code == 0
    replica.reset()
    result = run_cli(config, *args)
    assert result.exit_code == 0
    assert replica.requests == []
    assert result.stderr.count("already done") == 2


def test_releases_published_on_top_mid_walk_are_neither_duplicated_nor_missed(config, replica):
    """Three releases pushed onto page 1 after it was read: all stored, once each."""
    added: list[str] = []

    def publish(request) -> None:
        if request.route == "list" and request.form.get("pageIndex") == "1" and not added:
            added.extend(replica.add_release({
                "title": f"늦게 올라온 자료 {n}", "ministry": "환경부", "body": "본문",
                "approved_at": f"{DAY}T23:5{n}:00+09:00"}) for n in range(3))

    replica.on_request(publish)
    result = run_cli(config, "backfill", "--since", DAY, "--until", DAY)
    assert result.exit_code == 0, result.output
    ids = _ids(config)
    assert len(ids) == len(set(ids))
    assert set(ids) == set(corpus_between(DAY, DAY)) | set(added)
    assert _query(config, "select declared, stored from windows") == [(len(ids), len(ids))]


def test_release_removed_mid_walk_does_not_hide_its_neighbour(config, replica):
    """A release of page 1 removed after page 1 was read: page 2's first item is still stored."""
    day = date.fromisoformat(DAY)
    _, page_one = replica.corpus.search(Query(day, day), 0, 20)
    _, page_two = replica.corpus.search(Query(day, day), 20, 1)
    victim, neighbour = page_one[5].news_id, page_two[0].news_id
    removed: list[str] = []

    def remove(request) -> None:
        if request.route == "list" and request.form.get("pageIndex") == "1" and not removed:
            replica.remove_release(victim)
            removed.append(victim)

    replica.on_request(remove)
    assert run_cli(config, "backfill", "--since", DAY, "--until", DAY).exit_code == 0
    ids = set(_ids(config))
    expected = set(corpus_between(DAY, DAY))
    assert neighbour in ids
    assert expected - {victim} <= ids <= expected


def test_sigkill_at_random_points_then_resume_gives_the_uninterrupted_result(
    tmp_path, replica
):
    """Five seeded random SIGKILLs mid-backfill: resumed runs end with exactly the range."""
    rng = random.Random(6_29)
    expected = set(corpus_between(*KILL_SPAN))
    baseline = make_config(tmp_path / "baseline", replica.url, depth="view")
    started = time.monotonic()
    proc = _backfill(baseline, *KILL_SPAN, "--depth", "view")
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    proc.stderr.close()
    duration = time.monotonic() - started
    assert set(_ids(baseline)) == expected
    killed = 0
    for trial in range(5):
        config = make_config(tmp_path / f"trial{trial}", replica.url, depth="view")
        replica.reset()
        proc = _backfill(config, *KILL_SPAN, "--depth", "view")
        try:
            proc.wait(timeout=rng.uniform(0.2, duration))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
        killed += proc.wait(timeout=30) == -signal.SIGKILL
        proc.stderr.close()
        done = _assert_sound(config)
        replica.reset()
        proc = _backfill(config, *KILL_SPAN, "--depth", "view")
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert not {since for since, *_ in done} & _list_days(replica)
        ids = _ids(config)
        assert sorted(ids) == sorted(expected)
        assert len(_assert_sound(config)) == 3
    assert killed


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_sigint_during_backfill_exits_130_records_interrupted_and_rerun_completes(
    config, replica, signum
):
    """Ctrl-C (or a service manager's SIGTERM) mid-page: exit 130, 'interrupted', rerun ends."""
    reached, release = threading.Event(), threading.Event()

    def hold(request) -> None:
        if request.route == "list" and request.form.get("startDate") == "2023-06-29":
            reached.set()
            release.wait(timeout=30)

    replica.on_request(hold)
    proc = _backfill(config, *KILL_SPAN)
    try:
        assert reached.wait(timeout=30)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        release.set()
    assert proc.returncode == 130, err
    assert [line for line in err.splitlines() if line.startswith("Error:")] == [
        "Error: interrupted; run the same command again to resume"]
    assert _query(config, "select outcome from runs") == [("interrupted",)]
    assert _query(config, "select since from windows") == [("2023-06-30",)]
    replica.reset()
    proc = _backfill(config, *KILL_SPAN)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "2023-06-30" not in _list_days(replica)
    assert set(_ids(config)) == set(corpus_between(*KILL_SPAN))
    assert [r[0] for r in _query(config, "select outcome from runs order by id")] == [
        "interrupted", "ok"]


def test_network_give_up_records_a_failed_run_and_rerun_resumes(config, replica):
    """List pages failing past the retries: exit 3, runs row 'failed' with the error."""
    args = ("backfill", "--since", "2023-06-29", "--until", "2023-06-30", "--window-days", "1")
    replica.faults.add("list", kind="status", code=500, times=None,
                       match={"startDate": "2023-06-29"})
    result = run_cli(config, *args)
    assert result.exit_code == 3, result.output
    outcome, error = _query(config, "select outcome, error from runs")[0]
    assert outcome == "failed" and "500" in error
    assert _query(config, "select since from windows") == [("2023-06-30",)]
    replica.reset()
    assert run_cli(config, *args).exit_code == 0
    assert _list_days(replica) == {"2023-06-29"}
    assert set(_ids(config)) == set(corpus_between("2023-06-29", "2023-06-30"))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_shows_a_bar_with_an_eta_from_counts_and_rate(tmp_path):
    """100 declared at 1 req/s, depth list: 6 requests a window, 4 windows left → 24 s."""
    config = make_config(tmp_path, "http://127.0.0.1:1", rate=1, depth="list")
    screen = _Terminal()
    progress = WindowProgress(config, stream=screen)
    span = DateRange.from_iso("2023-06-30", "2023-06-30")
    progress(WindowReport(span, 100, 100, 1, 5), RunStats(new=100))
    progress.close()
    text = screen.getvalue()
    assert text.startswith("\r[") and text.endswith("\n")
    assert "1/5 windows" in text and "new 100" in text and "ETA 0:00:24" in text
