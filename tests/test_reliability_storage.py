"""Storage faults: SIGKILL mid-crawl, a full disk, readers during writes, a second writer."""

from __future__ import annotations

import contextlib
import csv
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from kscrape.backfill import crawl_range
from kscrape.crawl import run
from kscrape.errors import StoreError
from kscrape.export import export_releases
from kscrape.listing import DateRange
from kscrape.store import open_store

from .conftest import make_config, run_cli
from .processes import child_env
from .test_reliability_network import (
    DAY,
    OTHER_DAY,
    crawl_day,
    day_ids,
    full_env,
    invoke,
    query,
    stored,
)

BATCH = 5
SPAN = ("--since", DAY, "--until", OTHER_DAY)
UNIVERSE = day_ids(DAY) | day_ids(OTHER_DAY)  # 28 releases, two list pages


def integrity(db: str) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("pragma integrity_check").fetchone()[0]


def crawl_process(config, cwd: Path) -> subprocess.Popen:
    env = child_env(**full_env(config))
    return subprocess.Popen(
        [sys.executable, "-m", "kscrape", "crawl", *SPAN, "--depth", "view"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def kill_after(replica, proc: subprocess.Popen, requests: int, delay: float) -> list:
    """SIGKILL `proc` `delay` seconds after the replica received its `requests`-th request.

    Returns the pending timers so the caller can join them before the next trial.
    """
    seen = [0]
    timers: list[threading.Timer] = []

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGKILL)  # a no-op once the process has been reaped

    def hook(_request) -> None:
        seen[0] += 1
        if seen[0] == requests:
            timer = threading.Timer(delay, kill)
            timers.append(timer)
            timer.start()

    replica.on_request(hook)
    return timers


def assert_whole_batches(config) -> int:
    """The archive after a kill: sound file, whole batches only, window marked only if full."""
    assert integrity(config.db) == "ok"
    ids = set(stored(config))
    assert ids <= UNIVERSE
    assert len(ids) % BATCH == 0 or ids == UNIVERSE
    done = query(config, "select count(*) from windows")[0][0]
    assert done == (1 if ids == UNIVERSE else 0)
    return len(ids)


def test_sigkill_at_random_points_never_leaves_a_partial_batch(tmp_path, replica):
    """8 trials × 2 kills of a real `crawl` process, resuming in between, then a clean run."""
    rng = random.Random(20230629)
    for trial in range(8):
        replica.reset()
        trial_dir = tmp_path / f"trial{trial}"
        trial_dir.mkdir()
        config = make_config(trial_dir, replica.url, batch_size=BATCH)
        for _kill in range(2):
            proc = crawl_process(config, trial_dir)
            timers = kill_after(replica, proc, rng.randint(1, 30), rng.uniform(0, 0.02))
            proc.wait(timeout=60)
            for timer in timers:
                timer.join()
            proc.stderr.close()
            replica.reset()
            if proc.returncode == 0:
                break
            assert proc.returncode == -signal.SIGKILL
            assert_whole_batches(config)
        proc = crawl_process(config, trial_dir)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        assert set(stored(config)) == UNIVERSE
        assert assert_whole_batches(config) == len(UNIVERSE)


def test_disk_full_rolls_back_the_batch_and_a_rerun_completes(tmp_path, replica):
    """SQLITE_FULL mid-crawl: StoreError, whole batches only, window open; rerun finishes."""
    config = make_config(tmp_path, replica.url, batch_size=BATCH)
    open_store(config.db).close()
    span = DateRange.from_iso(DAY, OTHER_DAY)
    with (
        pytest.raises(StoreError, match="database or disk is full"),
        run(config, "crawl", span=span) as crawler,
    ):
        pages = crawler.store.db.execute("pragma page_count").fetchone()[0]
        crawler.store.db.execute(f"pragma max_page_count = {pages + 2}")
        crawl_range(crawler, span, resume=False)
    count = assert_whole_batches(config)
    assert count < len(UNIVERSE)
    with closing(sqlite3.connect(config.db)) as conn:
        assert conn.in_transaction is False
    result = crawl_day(config, DAY, "--until", OTHER_DAY)
    assert result.exit_code == 0, result.output
    assert set(stored(config)) == UNIVERSE


def test_disk_full_through_the_cli_is_exit_8_with_one_clear_line(tmp_path, replica, monkeypatch):
    """The CLI turns SQLITE_FULL into exit 8 and a one-line 'disk is full' message."""
    import kscrape.crawl

    config = make_config(tmp_path, replica.url, batch_size=BATCH)
    real_open = kscrape.crawl.open_store

    def full_disk_store(path, **kwargs):
        store = real_open(path, **kwargs)
        pages = store.db.execute("pragma page_count").fetchone()[0]
        store.db.execute(f"pragma max_page_count = {pages + 2}")
        return store

    monkeypatch.setattr(kscrape.crawl, "open_store", full_disk_store)
    result = invoke(config, "crawl", *SPAN)
    assert result.exit_code == 8, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "database or disk is full" in errors[0]
    assert integrity(config.db) == "ok"
    monkeypatch.undo()
    assert invoke(config, "crawl", *SPAN).exit_code == 0
    assert set(stored(config)) == UNIVERSE


def test_export_during_a_crawl_is_a_consistent_snapshot(tmp_path, replica):
    """Exports taken between requests of a running crawl hold whole batches and parse."""
    config = make_config(tmp_path, replica.url, batch_size=BATCH)
    exports: list[tuple[int, int]] = []  # (rows the export reported, rows read back)

    def export_now(_request) -> None:
        if not Path(config.db).exists() or len(replica.requests) % 7:
            return
        store = open_store(config.db, create=False)
        try:
            out = tmp_path / f"snap{len(exports)}.csv"
            count = export_releases(store, out)
        finally:
            store.close()
        with out.open(encoding="utf-8", newline="") as handle:
            exports.append((count, len(list(csv.DictReader(handle)))))

    replica.on_request(export_now)
    result = invoke(config, "crawl", *SPAN, "--depth", "view")
    assert result.exit_code == 0, result.output
    assert set(stored(config)) == UNIVERSE
    counts = [reported for reported, _read in exports]
    assert len(exports) >= 3 and all(reported == read for reported, read in exports)
    assert all(n % BATCH == 0 or n == len(UNIVERSE) for n in counts)
    assert counts == sorted(counts)


# -- exports through the command line (T29 and the Excel limits) ------------------------------

SYLLABLES = "".join(chr(c) for c in range(0xAC00, 0xD7A4))


def _add(replica, title: str, body: str) -> str:
    return replica.add_release({"title": title, "ministry": "기획재정부", "subtitles": [],
                                "approved_at": f"{DAY}T09:00:00+09:00", "body": body})


def _csv_rows(path: Path, encoding: str = "utf-8") -> dict[str, dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return {r["news_id"]: r for r in csv.DictReader(handle)}


def test_csv_round_trips_every_hangul_syllable(config, replica, tmp_path):
    """All 11,172 precomposed syllables crawl in, export, and read back identical."""
    news_id = _add(replica, "가나다 " + SYLLABLES[:50], SYLLABLES)
    assert crawl_day(config, DAY, "--depth", "view").exit_code == 0
    body = stored(config)[news_id]["body"]
    assert set(SYLLABLES) <= set(body)
    for excel, encoding in ((False, "utf-8"), (True, "utf-8-sig")):
        out = tmp_path / f"all{excel}.csv"
        args = ("export", "-o", str(out), *(("--excel",) if excel else ()))
        assert invoke(config, *args).exit_code == 0
        assert _csv_rows(out, encoding)[news_id]["body"] == body


def test_cells_beyond_excel_limit_are_cut_visibly_only_in_excel_mode(config, replica, tmp_path):
    """A 40,000-character body: ≤32,767 with a marker in --excel, complete in plain CSV."""
    long_body = ("가나다라마바사 " * 5000).strip()
    news_id = _add(replica, "긴 본문", long_body)
    assert crawl_day(config, DAY, "--depth", "view").exit_code == 0
    body = stored(config)[news_id]["body"]
    assert len(body) > 32_767
    assert invoke(config, "export", "-o", "plain.csv").exit_code == 0
    assert invoke(config, "export", "--excel", "-o", "excel.csv").exit_code == 0
    assert _csv_rows(Path("plain.csv"))[news_id]["body"] == body
    cut = _csv_rows(Path("excel.csv"), "utf-8-sig")[news_id]["body"]
    assert len(cut) <= 32_767 and "[truncated:" in cut and body.startswith(cut[:30_000])


def test_failed_cli_export_keeps_the_previous_file(config, replica, tmp_path, monkeypatch):
    """An export that dies half-way leaves the old file intact and no temporary file."""
    import kscrape.export

    assert crawl_day(config).exit_code == 0
    out = tmp_path / "out.csv"
    out.write_text("previous export\n", encoding="utf-8")

    def broken(stream, rows, columns):
        stream.write("half a row")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kscrape.export, "_write_csv", broken)
    result = invoke(config, "export", "-o", str(out))
    assert result.exit_code == 8
    assert "No space left on device" in result.stderr
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


def test_long_backfill_keeps_the_wal_bounded_while_the_database_grows(config, replica):
    """A month of releases: the WAL is checkpointed as it goes, never holding the whole run."""
    wal = Path(f"{config.db}-wal")
    sizes: list[int] = []

    def watch(request) -> None:
        if wal.exists():
            sizes.append(wal.stat().st_size)

    replica.on_request(watch)
    result = run_cli(config, "backfill", "--since", "2023-06-01", "--until", "2023-06-30")
    assert result.exit_code == 0, result.output
    database = Path(config.db).stat().st_size
    assert sizes and max(sizes) < database / 2
    assert max(sizes) < 16 * 2**20
