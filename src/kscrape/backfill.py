"""The backfill walk: a date range cut into windows, each finished in one transaction.

crawl.py holds the crawler (walking a window's pages, choosing and completing releases);
this module the window policy: which windows are already done for this selection and depth,
when a window counts as finished, and what is reported after each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from kscrape.crawl import Crawler, RunStats, Walk
from kscrape.listing import DateRange, today_kst, windows
from kscrape.store import WindowMark

# A window finished at one depth also serves these: `auto` has attachment text where the lead
# was not the whole release, so only `files` is deeper; `view` adds times `auto` lacks.
DEEP_ENOUGH = {
    "list": ("list", "auto", "view", "files"),
    "auto": ("auto", "files"),
    "view": ("view", "files"),
    "files": ("files",),
}

@dataclass(frozen=True, slots=True)
class WindowReport:
    """Progress after one date window: for the progress bar and the log line."""

    span: DateRange
    declared: int
    matched: int
    index: int
    total: int
    skipped: bool = False


ProgressCallback = Callable[[WindowReport, RunStats], None]


def crawl_range(
    crawler: Crawler,
    span: DateRange,
    *,
    resume: bool,
    newest_first: bool = True,
    on_window: ProgressCallback | None = None,
) -> RunStats:
    """Walk a date range window by window; with `resume`, skip windows already finished.

    A window is marked finished in the same transaction as its last rows, so after a crash
    the next run starts at the first unfinished window and ends with the same archive. A
    window is left unfinished when a release failed, when the listing kept changing under
    the walk, or when it reaches today (Korean time): today's releases are still coming.
    """
    _scope, done_scopes = _scopes(crawler)
    parts = windows(span, crawler.config.window_days, newest_first=newest_first)
    today = today_kst()
    for index, part in enumerate(parts, start=1):
        since, until = part.since.isoformat(), part.until.isoformat()
        if resume and crawler.store.window_done(done_scopes, since, until):
            crawler.stats.windows_skipped += 1
            if on_window:
                on_window(WindowReport(part, 0, 0, index, len(parts), skipped=True), crawler.stats)
            continue
        crawler.forget_handled()
        walk, matched = crawl_window(crawler, part, today)
        if on_window:
            on_window(WindowReport(part, walk.declared, matched, index, len(parts)),
                      crawler.stats)
    return crawler.stats


def crawl_window(crawler: Crawler, part: DateRange, today: date) -> tuple[Walk, int]:
    """Walk one window, store what it needs, and mark it finished when it is: the walk and
    the number of its items of the run's ministries."""
    scope, _done_scopes = _scopes(crawler)
    walk = crawler.walk_window(part)
    todo = crawler.wanted(walk.items)
    matched = sum(1 for i in walk.items if crawler.matches(i))
    declared = matched if crawler.ministries else walk.declared
    keep = crawler.ours if crawler.ministries else None
    final = walk.stable and part.until < today
    mark = WindowMark(scope, part.since.isoformat(), part.until.isoformat(), declared, keep)
    if crawler.save_items(todo, window=mark if final else None) and final:
        crawler.stats.windows_done += 1
    return walk, matched


def _scopes(crawler: Crawler) -> tuple[str, list[str]]:
    """The scope a window is finished for, and the scopes whose finished windows count.

    Windows are finished per ministry selection and depth: a deeper pass is new work, a
    shallower one is not.
    """
    labels = ",".join(sorted(m.label for m in crawler.ministries)) or "*"
    deep_enough = DEEP_ENOUGH[crawler.depth]
    return f"{labels}|{crawler.depth}", [f"{labels}|{d}" for d in deep_enough]
