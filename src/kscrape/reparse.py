"""Rebuild the archive from its WARC captures, with zero requests to the site.

Each captured run is replayed, oldest first, into a scratch archive (`<db>.reparse`) by the
crawler's own code: the walks and list pages the run captured are asked for again over a
Fetcher whose answers come from that run's captures (retried errors included, in the order
they came), so parsing, extraction, depth decisions and storing are exactly a crawl's. The
scratch archive then holds what a fresh crawl of the same responses stores, and is merged
into the archive (store.merge): what differs is rewritten and reported. An interrupted
reparse resumes at the first run it had not finished; the scratch archive is removed once
merged, so the next reparse (after the next parser fix) starts afresh. An archive with no
release yet (deleted, or new) is rebuilt in place: the runs are replayed straight into it,
and there is nothing to merge.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from kscrape.backfill import crawl_window
from kscrape.captures import Answers, CapturedRun, Pair, captured_runs
from kscrape.config import Config, with_overrides
from kscrape.crawl import Crawler, RunStats
from kscrape.errors import ConfigError, KscrapeError
from kscrape.fetch import Fetcher
from kscrape.listing import KST, DateRange
from kscrape.lock import write_lock
from kscrape.ministries import resolve
from kscrape.models import LIST_PATH
from kscrape.store import Store, open_store
from kscrape.store.marks import clear_mark, read_mark, write_mark
from kscrape.store.merge import MergeCounts, merge_rebuilt

log = logging.getLogger("kscrape.reparse")

COMMAND = "reparse"
IN_PLACE = "reparse in place"  # a mark: an in-place rebuild is under way


@dataclass(slots=True)
class ReparseReport:
    """What a reparse read and what it changed in the archive."""

    runs: int = 0  # captured runs replayed now
    resumed: int = 0  # runs an interrupted reparse had already replayed
    answered: int = 0  # requests answered from the captures
    missed: int = 0  # requests the replay asked for that were never captured
    walks_incomplete: int = 0  # captured walks the replay could not finish (see the log)
    merge: MergeCounts = field(default_factory=MergeCounts)


@dataclass(frozen=True, slots=True)
class _Walk:
    """Consecutive list pages of a run asked with the same dates and filter."""

    since: str
    until: str
    rep_code: str
    pages: list[int]

    @property
    def dated(self) -> bool:
        return bool(self.since and self.until)


def scratch_path(config: Config) -> Path:
    return Path(f"{config.db}.reparse")


def reparse(
    config: Config,
    warc_dir: Path,
    *,
    since: str | None = None,
    until: str | None = None,
    on_run: Callable[[CapturedRun, RunStats], None] | None = None,
) -> ReparseReport:
    """Replay every captured run into the scratch archive, then merge it (see the module)."""
    runs = [r for r in captured_runs(warc_dir) if r.info is not None]
    if not runs:
        raise ConfigError(f"no kscrape WARC captures in {warc_dir}")
    report = ReparseReport()
    scratch_file = scratch_path(config)
    with write_lock(config.db, command=COMMAND):
        if since is None and until is None:
            with open_store(config.db) as archive:
                if _in_place(archive):
                    write_mark(archive, IN_PLACE, {"started": True})
                    _replay_runs(config, runs, archive, report, None, None, on_run)
                    report.merge = MergeCounts(new=archive.count(),
                                               attachments_new=archive.attachment_count())
                    clear_mark(archive, IN_PLACE)
                    return report
        with open_store(scratch_file) as scratch:
            scratch.stop_search_index()  # the archive indexes what it takes in the merge
            _replay_runs(config, runs, scratch, report, since, until, on_run)
        with open_store(config.db) as archive:
            report.merge = merge_rebuilt(archive, scratch_file, since=since, until=until)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch_file}{suffix}").unlink(missing_ok=True)
    return report


def _in_place(archive: Store) -> bool:
    """Whether the captures are replayed straight into the archive: it holds no release yet
    (then the crawl's result is the archive's, and there is nothing to merge), or an
    interrupted in-place reparse left its mark there, to be resumed."""
    return archive.count() == 0 or read_mark(archive, IN_PLACE) is not None


def _replay_runs(config: Config, runs: list[CapturedRun], target: Store, report: ReparseReport,
                 since: str | None, until: str | None,
                 on_run: Callable[[CapturedRun, RunStats], None] | None) -> None:
    """Every captured run not replayed into `target` yet, oldest first."""
    done = _replayed(target)
    for run in runs:
        if run.stem in done:
            report.resumed += 1
            continue
        stats = _replay(config, run, target, report, since, until)
        report.runs += 1
        if on_run:
            on_run(run, stats)


def _replayed(scratch: Store) -> set[str]:
    rows = scratch.rows("select command from runs where outcome = 'ok' and command like ?",
                        (f"{COMMAND}:%",))
    return {row["command"].split(":", 1)[1] for row in rows}


def _replay(config: Config, run: CapturedRun, scratch: Store, report: ReparseReport,
            since: str | None, until: str | None) -> RunStats:
    """One captured run through the crawler, its requests answered by its own captures."""
    assert run.info is not None
    info = run.info
    pairs = list(run.pairs())
    answers = Answers(pairs)
    replay_config = with_overrides(
        config, base_url=info.base_url, rate=0, backoff_initial=0, backoff_max=0,
        retry_after_max=0, depth=info.depth, warc=False)
    filters = [resolve(label) for label in json.loads(info.ministries or "[]")]
    stats = RunStats()
    run_id = scratch.begin_run(f"{COMMAND}:{run.stem}", depth=info.depth, pid=os.getpid(),
                               ministries=info.ministries)
    outcome = "failed"
    try:
        with Fetcher(replay_config, sleep=lambda _s: None, replay=answers.exchange) as fetcher:
            crawler = Crawler(replay_config, fetcher, scratch, run_id=run_id, stats=stats,
                              ministries=filters, depth=info.depth)
            today = info.started.astimezone(KST).date()
            previous_dated = False
            for walk in _walks(pairs):
                if walk.rep_code or not _overlaps(walk, since, until):
                    continue
                if walk.dated and previous_dated:
                    crawler.forget_handled()
                previous_dated = walk.dated
                try:
                    _walk_again(crawler, walk, today)
                except KscrapeError as exc:
                    report.walks_incomplete += 1
                    log.warning("%s: the captured walk %s..%s stops short: %s", run.stem,
                                walk.since or "newest", walk.until or "", exc)
            stats.requests = fetcher.requests
        outcome = "ok"
    finally:
        report.answered += answers.answered
        report.missed += answers.missed
        scratch.finish_run(run_id, listed=stats.listed, new=stats.new, updated=stats.updated,
                           unchanged=stats.unchanged, failed=stats.failed,
                           requests=stats.requests, outcome=outcome)
    return stats


def _walk_again(crawler: Crawler, walk: _Walk, today: date) -> None:
    """What the crawl did with these pages: a window walk, or update's page by page."""
    if walk.dated:
        crawl_window(crawler, DateRange.from_iso(walk.since, walk.until), today)
        return
    for number in dict.fromkeys(walk.pages):
        page = crawler.list_page(number, None)
        crawler.stats.saw(page.items)
        crawler.save_items(crawler.wanted(page.items))


def _walks(pairs: list[Pair]) -> Iterator[_Walk]:
    """The run's list-page requests grouped into walks, in the order they were made."""
    current: _Walk | None = None
    for pair in pairs:
        if pair.method != "POST" or urlsplit(pair.capture.uri).path != LIST_PATH:
            continue
        form = dict(parse_qsl(pair.request_body.decode("utf-8", "replace"),
                              keep_blank_values=True))
        key = (form.get("startDate", ""), form.get("endDate", ""), form.get("repCode", ""))
        index = form.get("pageIndex") or "1"
        page = int(index) if index.isdigit() else 1
        if current is None or (current.since, current.until, current.rep_code) != key:
            if current is not None:
                yield current
            current = _Walk(*key, pages=[])
        current.pages.append(page)
    if current is not None:
        yield current


def _overlaps(walk: _Walk, since: str | None, until: str | None) -> bool:
    if not walk.dated:
        return True
    return not ((since and walk.until < since) or (until and walk.since > until))
