"""`kscrape reextract`: text rebuilt from the stored files, with no request, resumable."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from kscrape.lock import write_lock
from kscrape.reextract import reextract
from kscrape.replica import Replica
from kscrape.selection import Selection

from .conftest import make_config, run_cli
from .processes import child_env

DAYS = ("--since", "2026-04-10", "--until", "2026-04-12")  # 8 releases, all HWPX + PDF
DERIVED = "news_id, body, body_md, body_source, contacts"
# Stale rows also carry an old updated_at, so that a rebuild is seen even when it lands in the
# same second as the crawl that stored them.
STALE = "update releases set body = '낡은 본문', body_md = null, body_source = 'list', " \
        "contacts = null, updated_at = '2000-01-01T00:00:00Z'"


@pytest.fixture(scope="module")
def crawled(files_site: Replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding kscrape.db and attachments/ after a depth-files crawl of DAYS, made
    once; the stored file paths are relative, so a copy of the folder is a whole archive."""
    folder = tmp_path_factory.mktemp("crawled")
    config = make_config(folder, files_site.url, attachments_dir="attachments")
    env = child_env(config)
    done = subprocess.run([sys.executable, "-m", "kscrape", "crawl", *DAYS, "--depth", "files"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def archive(crawled: Path, tmp_path: Path, files_site: Replica):
    """This test's own copy of the crawled archive (the test runs in tmp_path) and its config;
    the replica's log is cleared so that any request reextract made would show."""
    shutil.copy(crawled / "kscrape.db", tmp_path / "kscrape.db")
    shutil.copytree(crawled / "attachments", tmp_path / "attachments")
    files_site.reset()
    return make_config(tmp_path, files_site.url, attachments_dir="attachments")


def _query(config, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(config.db)) as conn:
        return conn.execute(sql, params).fetchall()


def _execute(config, sql: str, params: tuple = ()) -> None:
    with closing(sqlite3.connect(config.db)) as conn, conn:
        conn.execute(sql, params)


def _derived(config) -> list[tuple]:
    return _query(config, f"select {DERIVED} from releases order by news_id")


def _ids(config) -> list[str]:
    return [r[0] for r in _query(config, "select news_id from releases order by news_id")]


def test_reextract_rebuilds_what_the_crawl_derived_with_zero_requests(archive, files_site):
    """Three releases with stale text and one file with a stale status get the crawl's
    values back from the files on disk; untouched rows keep their updated_at; the replica
    sees no request, and a rerun against a dead port changes nothing."""
    expected = _derived(archive)
    statuses = _query(archive, "select news_id, file_id, extract_status from attachments")
    ids = _ids(archive)
    assert len(ids) == 8 and all(r[3] == "attachment:hwpx" and r[1] for r in expected)
    _execute(archive, STALE + " where news_id in (?, ?, ?)", tuple(ids[:3]))
    _execute(archive, "update attachments set extract_status = null where news_id = ? and "
                      "kind = 'hwpx'", (ids[3],))
    before = dict(_query(archive, "select news_id, updated_at from releases"))

    result = run_cli(archive, "reextract")

    assert result.exit_code == 0, result.output
    assert result.stdout == ("examined 8, changed 4, unchanged 4 (kept their text: 0); files "
                             "read 16, extracted 8, missing 0, damaged 0\n")
    assert files_site.requests == []
    assert _derived(archive) == expected
    assert _query(archive, "select news_id, file_id, extract_status from attachments") == statuses
    after = dict(_query(archive, "select news_id, updated_at from releases"))
    assert [k for k in ids if after[k] != before[k]] == ids[:3]
    assert _query(archive, "select command, listed, updated, unchanged, failed, requests, "
                           "outcome from runs order by id desc limit 1") == [
        ("reextract", 8, 4, 4, 0, 0, "ok")]

    dead = make_config(Path.cwd(), "http://127.0.0.1:9", db=archive.db,
                       attachments_dir="attachments")
    again = run_cli(dead, "reextract")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("examined 8, changed 0, unchanged 8")
    assert dict(_query(archive, "select news_id, updated_at from releases")) == after
    assert _query(archive, "select count(*) from marks") == [(0,)]


def test_missing_and_damaged_files_keep_their_releases_text_and_exit_4(archive, files_site):
    """A deleted file and a file whose bytes changed are counted and listed in failures; their
    releases keep the text they have; the others are rebuilt; exit 4 with one line."""
    ids = _ids(archive)
    _execute(archive, STALE)
    gone, changed = (Path(p) for (p,) in _query(
        archive, "select path from attachments where kind = 'hwpx' and news_id in (?, ?) "
                 "order by news_id", (ids[0], ids[1])))
    gone.unlink()
    changed.write_bytes(changed.read_bytes() + b"\0")

    result = run_cli(archive, "reextract")

    assert result.exit_code == 4
    assert result.stdout == ("examined 8, changed 6, unchanged 2 (kept their text: 2); files "
                             "read 14, extracted 6, missing 1, damaged 1\n")
    assert result.stderr.splitlines()[-1] == (
        "Error: 2 attachment file(s) missing or damaged; their releases keep their stored "
        "text (files listed in the failures table)")
    bodies = dict(_query(archive, "select news_id, body from releases"))
    assert [k for k in ids if bodies[k] == "낡은 본문"] == ids[:2]
    run_id, outcome = _query(archive, "select id, outcome from runs order by id desc")[0]
    assert outcome == "partial"
    errors = _query(archive, "select news_id, substr(error, 1, 8) from failures where run_id = ? "
                             "order by news_id", (run_id,))
    assert errors == [(ids[0], "missing:"), (ids[1], "damaged:")]
    assert files_site.requests == []


def test_since_until_and_ministry_choose_the_releases(archive):
    """--since/--until/--ministry select by day and ministry (current or former name)."""
    _execute(archive, STALE)
    result = run_cli(archive, "reextract", "--since", "2026-04-12", "--until", "2026-04-12",
                     "--ministry", "행정안전부")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("examined 2, changed 2, unchanged 0")
    rebuilt = _query(archive, "select ministry, date from releases where body != '낡은 본문'")
    assert rebuilt == [("행정안전부", "2026-04-12")] * 2


def test_interrupted_reextract_resumes_and_ends_as_an_uninterrupted_one(archive, tmp_path):
    """Stopped after its first batch (Ctrl-C), a run keeps that batch and a mark; the
    same command then finishes the rest, and archive and report equal an uninterrupted run's."""
    whole = tmp_path / "whole"
    whole.mkdir()
    _execute(archive, STALE)
    shutil.copy(archive.db, whole / "kscrape.db")
    uninterrupted = make_config(whole, archive.base_url, attachments_dir="attachments")
    reference = run_cli(uninterrupted, "reextract")
    assert reference.exit_code == 0, reference.output

    small = make_config(tmp_path, archive.base_url, attachments_dir="attachments", batch_size=3)

    def stop(stats) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reextract(small, Selection(), on_batch=stop)
    assert [b for (b,) in _query(archive, "select body from releases order by news_id")].count(
        "낡은 본문") == 5
    assert _query(archive, "select count(*) from marks") == [(1,)]
    assert _query(archive, "select outcome from runs order by id desc limit 1") == [
        ("interrupted",)]

    resumed = run_cli(small, "reextract")

    assert resumed.exit_code == 0, resumed.output
    assert resumed.stdout == reference.stdout
    assert "resuming after newsId" in resumed.stderr
    assert _derived(archive) == _derived(uninterrupted)
    assert _query(archive, "select count(*) from marks") == [(0,)]


def test_sigkill_mid_reextract_then_rerun_gives_the_uninterrupted_result(archive, tmp_path):
    """kill -9 after the first committed batch: the database is sound, and the rerun ends
    with the crawl's values and the report an uninterrupted run gives."""
    expected = _derived(archive)
    _execute(archive, STALE)
    env = child_env(archive, KSCRAPE_BATCH_SIZE="1")
    command = [sys.executable, "-m", "kscrape", "reextract"]
    child = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        for line in child.stderr:
            if "reextract:" in line:
                child.send_signal(signal.SIGKILL)
                break
    finally:
        child.wait(timeout=60)
        child.stdout.close()
        child.stderr.close()
    assert _query(archive, "pragma integrity_check") == [("ok",)]

    rerun = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300)

    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith("examined 8, changed 8, unchanged 0")
    assert _derived(archive) == expected


def test_reextract_takes_the_write_lock_like_every_writer(archive):
    """While another run holds the lock, reextract exits 6 and changes nothing."""
    _execute(archive, STALE)
    before = _derived(archive)
    with write_lock(archive.db, command="crawl"):
        result = run_cli(archive, "reextract")
    assert result.exit_code == 6
    assert "locked by another kscrape run" in result.stderr
    assert _derived(archive) == before

