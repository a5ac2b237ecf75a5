"""The crawl policy: which list pages to walk, which releases to fetch, when to stop.

listing → fetch → parse → store, with no click and no printing: progress goes to a
callback the command line owns.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from kscrape.config import Config
from kscrape.errors import BlockedError, FetchError, KscrapeError
from kscrape.fetch import Fetcher
from kscrape.listing import DateRange, days_back, list_form, windows
from kscrape.lock import write_lock
from kscrape.ministries import MinistryFilter, matches
from kscrape.models import LIST_PATH, ListItem, ListPage, Release, view_url
from kscrape.parse import decode_html, parse_list, parse_view
from kscrape.store import DEPTH_RANK, Known, SaveCounts, Store, content_hash, dumps, open_store

log = logging.getLogger("kscrape.crawl")

MAX_RESCANS = 3


@dataclass(slots=True)
class RunStats:
    """What a run did; the runs table and the exit code are derived from it."""

    listed: int = 0
    new: int = 0
    updated: int = 0
    enriched: int = 0
    unchanged: int = 0
    failed: int = 0
    requests: int = 0
    pages: int = 0
    windows_done: int = 0
    windows_skipped: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, counts: SaveCounts) -> None:
        self.new += counts.new
        self.updated += counts.updated
        self.enriched += counts.enriched
        self.unchanged += counts.unchanged

    @property
    def outcome(self) -> str:
        return "partial" if self.failed else "ok"


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


class Crawler:
    """One run's worth of walking and fetching, over an open store and fetcher."""

    def __init__(
        self,
        config: Config,
        fetcher: Fetcher,
        store: Store,
        *,
        run_id: int,
        stats: RunStats,
        ministries: Sequence[MinistryFilter] = (),
        depth: str | None = None,
    ) -> None:
        self.config = config
        self.fetcher = fetcher
        self.store = store
        self.run_id = run_id
        self.stats = stats
        self.ministries = tuple(ministries)
        self.depth = depth or config.depth

    # -- list pages -------------------------------------------------------------------------

    def list_page(self, page: int, span: DateRange | None) -> ListPage:
        """One page of the date-only listing: full-text leads, 20 per request."""
        form = list_form(page=page, since=span.since if span else None,
                         until=span.until if span else None)
        response = self.fetcher.post(LIST_PATH, data=form)
        self.stats.pages += 1
        html = decode_html(response.content, response.content_type)
        return parse_list(html, base_url=self.config.base_url, url=response.url)

    def walk_window(self, span: DateRange) -> tuple[list[ListItem], int]:
        """Every item of a date window, walked until one full pass sees a stable count.

        Items published or removed while we page shift the listing; a pass whose declared
        count changed underneath it is repeated, and items are deduplicated by newsId.
        """
        seen: dict[str, ListItem] = {}
        for _attempt in range(MAX_RESCANS):
            first = self.list_page(1, span)
            totals = {first.total}
            last = first.last_page
            self._collect(seen, first)
            page = 2
            while page <= last:
                current = self.list_page(page, span)
                totals.add(current.total)
                last = max(last, current.last_page)
                self._collect(seen, current)
                page += 1
            if len(totals) == 1 and len(seen) >= first.total:
                return list(seen.values()), first.total
            log.info("listing for %s..%s changed while paging; walking it again",
                     span.since, span.until)
        return list(seen.values()), max(totals)

    @staticmethod
    def _collect(seen: dict[str, ListItem], page: ListPage) -> None:
        for item in page.items:
            seen.setdefault(item.news_id, item)

    # -- releases ---------------------------------------------------------------------------

    def wanted(self, items: Sequence[ListItem]) -> list[ListItem]:
        """Items of the chosen ministries that are new, edited, or stored at a lesser depth."""
        chosen = [i for i in items if self.matches(i)]
        self.stats.listed += len(chosen)
        known = self.store.known(i.news_id for i in chosen)
        todo = [i for i in chosen if self._needs(i, known.get(i.news_id))]
        self.stats.unchanged += len(chosen) - len(todo)
        return todo

    def fresh(self, items: Sequence[ListItem]) -> list[ListItem]:
        """Items of ours that are not stored yet or whose listing content changed."""
        chosen = [i for i in items if self.matches(i)]
        known = self.store.known(i.news_id for i in chosen)
        return [
            i for i in chosen
            if (k := known.get(i.news_id)) is None
            or k.content_hash != content_hash(i.title, i.ministry, i.date, i.lead)
        ]

    def has_news(self, items: Sequence[ListItem], fresh: Sequence[ListItem],
                 horizon: str | None) -> bool:
        """Whether a listing page may still be followed by unseen releases.

        A page with new or edited releases of ours does; so does one with releases of other
        ministries dated after our newest stored day, since we never store those and cannot
        tell them apart from genuinely new ones otherwise.
        """
        if fresh:
            return True
        return any(not self.matches(i) and (horizon is None or i.date > horizon) for i in items)

    def matches(self, item: ListItem) -> bool:
        return not self.ministries or any(matches(m, item.ministry) for m in self.ministries)

    def _needs(self, item: ListItem, known: Known | None) -> bool:
        if known is None:
            return True
        if known.content_hash != content_hash(item.title, item.ministry, item.date, item.lead):
            return True
        return DEPTH_RANK[self.depth] > DEPTH_RANK.get(known.depth, 0)

    def save_items(self, items: Sequence[ListItem], *,
                   window: tuple[str, str, str, int] | None = None) -> bool:
        """Complete and store items in batches; the window is marked with the last batch.

        Returns False when some release failed, in which case the window stays unfinished.
        """
        size = self.config.batch_size
        failed_before = self.stats.failed
        batches = [items[i : i + size] for i in range(0, len(items), size)] or [[]]
        for number, batch in enumerate(batches, start=1):
            releases = [r for r in (self.complete(item) for item in batch) if r is not None]
            last = number == len(batches) and self.stats.failed == failed_before
            self.stats.add(self.store.save(releases, depth=self.depth,
                                           window=window if last else None))
        return self.stats.failed == failed_before

    def complete(self, item: ListItem) -> Release | None:
        """A full record for a list item, fetching the view page and files as `depth` asks."""
        release = Release(
            news_id=item.news_id, title=item.title, ministry=item.ministry, date=item.date,
            url=view_url(item.news_id, self.config.base_url), lead=item.lead, body=item.lead,
            body_source="list" if item.lead else "none",
        )
        if self.depth == "list":
            return release
        try:
            self._add_view(release)
        except BlockedError:
            raise
        except FetchError as exc:
            self._fail(item.news_id, release.url, str(exc))
            return None
        return release

    def _add_view(self, release: Release) -> None:
        response = self.fetcher.get(release.url)
        html = decode_html(response.content, response.content_type)
        view = parse_view(html, base_url=self.config.base_url, url=response.url)
        release.published_at = view.published_at
        release.ministry_code = view.ministry_code
        release.licence = view.licence
        release.attachments = list(view.attachments)
        if len(view.body) > len(release.body):
            release.body, release.body_source = view.body, "view"
        if self.depth == "files" and view.attachments:
            self._add_files(release)

    def _add_files(self, release: Release) -> None:
        from kscrape.extract import best_text, extract_contacts
        from kscrape.files import fetch_attachment

        results = [fetch_attachment(self.config, self.fetcher, self.store, release.news_id, ref)
                   for ref in release.attachments]
        for result in results:
            if result.error:
                self._fail(release.news_id, result.ref.url, result.error)
        best = best_text([r.extraction for r in results if r.extraction is not None])
        if best is not None:
            release.body, release.body_source = best.text, f"attachment:{best.format}"
            contacts = extract_contacts(best.text)
            release.contacts = dumps(contacts) if contacts else None

    def _fail(self, news_id: str, url: str, error: str) -> None:
        log.warning("release %s failed: %s", news_id, error)
        self.stats.failed += 1
        self.stats.failures.append(f"{news_id}: {error}")
        self.store.record_failure(self.run_id, url=url, error=error, news_id=news_id)


# -- runs -------------------------------------------------------------------------------------


@contextmanager
def run(
    config: Config,
    command: str,
    *,
    span: DateRange | None = None,
    ministries: Sequence[MinistryFilter] = (),
    depth: str | None = None,
) -> Iterator[Crawler]:
    """Lock the database, open store and client, and record the run whatever happens."""
    with write_lock(config.db, command=command):
        store = open_store(config.db)
        stats = RunStats()
        run_id = store.begin_run(
            command, since=span.since.isoformat() if span else None,
            until=span.until.isoformat() if span else None,
            ministries=json.dumps([m.label for m in ministries], ensure_ascii=False),
            depth=depth or config.depth, pid=os.getpid(),
        )
        outcome, error = "failed", None
        try:
            with Fetcher(config) as fetcher:
                crawler = Crawler(config, fetcher, store, run_id=run_id, stats=stats,
                                  ministries=ministries, depth=depth)
                try:
                    yield crawler
                finally:
                    stats.requests = fetcher.requests
            outcome = stats.outcome
        except BlockedError as exc:
            outcome, error = "blocked", str(exc)
            raise
        except KscrapeError as exc:
            error = str(exc)
            raise
        except KeyboardInterrupt:
            outcome, error = "interrupted", "interrupted by the user"
            raise
        finally:
            _finish(store, run_id, stats, outcome, error)
            store.close()


def _finish(store: Store, run_id: int, stats: RunStats, outcome: str, error: str | None) -> None:
    try:
        store.finish_run(
            run_id, listed=stats.listed, new=stats.new, updated=stats.updated,
            unchanged=stats.unchanged, failed=stats.failed, requests=stats.requests,
            outcome=outcome, error=error,
        )
    except KscrapeError as exc:
        log.error("could not record the end of run %d: %s", run_id, exc)


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
    the next run starts at the first unfinished window and ends with the same archive.
    """
    scope = _scope(crawler)
    parts = windows(span, crawler.config.window_days, newest_first=newest_first)
    for index, part in enumerate(parts, start=1):
        since, until = part.since.isoformat(), part.until.isoformat()
        if resume and crawler.store.window_done(scope, since, until):
            crawler.stats.windows_skipped += 1
            if on_window:
                on_window(WindowReport(part, 0, 0, index, len(parts), skipped=True), crawler.stats)
            continue
        items, declared = crawler.walk_window(part)
        todo = crawler.wanted(items)
        if crawler.save_items(todo, window=(scope, since, until, declared)):
            crawler.stats.windows_done += 1
        if on_window:
            matched = sum(1 for i in items if crawler.matches(i))
            on_window(WindowReport(part, declared, matched, index, len(parts)), crawler.stats)
    return crawler.stats


def _scope(crawler: Crawler) -> str:
    """Windows are finished per ministry selection and depth: a deeper pass is new work."""
    labels = ",".join(sorted(m.label for m in crawler.ministries)) or "*"
    return f"{labels}|{crawler.depth}"


def update(
    crawler: Crawler,
    *,
    recheck_days: int = 0,
    on_page: Callable[[int, int], None] | None = None,
) -> RunStats:
    """Fetch what is new: walk the newest-first listing until a page holds nothing new.

    With nothing new this is one list request; with k new releases ⌈(k+1)/20⌉ pages. The
    listing is not ordered by newsId and releases are edited, so `recheck_days` also walks
    every page of the last days (counted back from the newest release listed).
    """
    newest: date | None = None
    horizon = crawler.store.newest_date()
    for page_number in range(1, crawler.config.update_max_pages + 1):
        page = crawler.list_page(page_number, None)
        if page.items and newest is None:
            newest = date.fromisoformat(page.items[0].date)
        fresh = crawler.fresh(page.items)
        todo = crawler.wanted(page.items)
        crawler.save_items(todo)
        if on_page:
            on_page(page_number, len(todo))
        if not crawler.has_news(page.items, fresh, horizon) or page_number >= page.last_page:
            break
    else:
        log.warning("update stopped after %d list pages; run 'kscrape backfill' for older "
                    "releases", crawler.config.update_max_pages)
    if recheck_days and newest is not None:
        items, _declared = crawler.walk_window(days_back(newest, recheck_days))
        crawler.save_items(crawler.wanted(items))
    return crawler.stats
