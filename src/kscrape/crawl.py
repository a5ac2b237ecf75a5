"""The crawl policy: which list pages to walk, which releases to fetch, when to stop.

listing → fetch → parse → store, with no click and no printing: progress goes to a
callback the command line owns.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kscrape.config import Config
from kscrape.errors import BlockedError, FetchError, GoneError, KscrapeError, ParseError
from kscrape.fetch import Fetcher, Response
from kscrape.listing import DateRange, list_form
from kscrape.lock import write_lock
from kscrape.ministries import MinistryFilter, matches
from kscrape.models import LIST_PATH, Capture, Evidence, ListItem, ListPage, Release, view_url
from kscrape.parse import decode_html, parse_list, parse_view
from kscrape.store import (
    DEPTH_RANK,
    Known,
    SaveCounts,
    Store,
    WindowMark,
    content_hash,
    open_store,
)
from kscrape.warc import RunInfo, capturing

log = logging.getLogger("kscrape.crawl")

MAX_UNDECODABLE = 10
MIN_COMPLETE_LEAD = 80
POINTER_LEAD_MAX = 600
ATTACHMENT_POINTER = re.compile(r"(첨부|붙임)[^\n]{0,80}?(참고|참조|확인)")
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
    gone: int = 0  # listed, then removed from the site before we fetched it
    requests: int = 0
    pages: int = 0
    windows_done: int = 0
    windows_skipped: int = 0
    since: str | None = None  # the days an update saw, for the runs row
    until: str | None = None
    note: str | None = None
    failures: list[str] = field(default_factory=list)

    def add(self, counts: SaveCounts) -> None:
        self.new += counts.new
        self.updated += counts.updated
        self.enriched += counts.enriched
        self.unchanged += counts.unchanged

    def saw(self, items: Iterable[ListItem]) -> None:
        for item in items:
            self.since = min(self.since or item.date, item.date)
            self.until = max(self.until or item.date, item.date)

    @property
    def outcome(self) -> str:
        return "partial" if self.failed else "ok"


@dataclass(frozen=True, slots=True)
class Walk:
    """Every item of a date window; `stable` when the listing did not change under the walk."""

    items: list[ListItem]
    declared: int
    stable: bool




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
        self._handled: set[str] = set()
        self._listed: dict[str, Capture] = {}  # the list page capture each item was seen on

    # -- list pages -------------------------------------------------------------------------

    def list_page(self, page: int, span: DateRange | None,
                  rep_codes: tuple[str, ...] = ()) -> ListPage:
        """One page of the listing: date-only (full-text leads) unless `rep_codes` are given."""
        form = list_form(page=page, since=span.since if span else None,
                         until=span.until if span else None, rep_codes=rep_codes)
        response = self.fetcher.post(LIST_PATH, data=form)
        self.stats.pages += 1
        html = page_text(response)
        page = parse_list(html, base_url=self.config.base_url, url=response.url)
        if response.capture is not None:
            for item in page.items:
                self._listed.setdefault(item.news_id, response.capture)
        return page

    def walk_window(self, span: DateRange) -> Walk:
        """Every item of a date window, walked until one full pass sees a constant count.

        Releases published or removed while we page shift the listing by one place, so an
        item can slip from page n+1 to page n unseen. The declared count changes with them:
        a pass that saw it change is repeated, and items are deduplicated by newsId.
        """
        seen: dict[str, ListItem] = {}
        totals: set[int] = set()
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
            if len(totals) == 1:
                if len(seen) < first.total:
                    log.warning("listing for %s..%s declares %d releases but shows %d",
                                span.since, span.until, first.total, len(seen))
                return Walk(list(seen.values()), first.total, stable=True)
            log.info("listing for %s..%s changed while paging; walking it again",
                     span.since, span.until)
        log.warning("listing for %s..%s kept changing; the window stays unfinished",
                    span.since, span.until)
        return Walk(list(seen.values()), max(totals), stable=False)

    @staticmethod
    def _collect(seen: dict[str, ListItem], page: ListPage) -> None:
        for item in page.items:
            seen.setdefault(item.news_id, item)

    # -- deciding ---------------------------------------------------------------------------

    def matches(self, item: ListItem) -> bool:
        return self.ours(item.ministry)

    def ours(self, ministry: str) -> bool:
        """Whether a stored ministry name belongs to this run's selection."""
        return not self.ministries or any(matches(m, ministry) for m in self.ministries)

    def forget_handled(self) -> None:
        """Backfill windows are disjoint date ranges: what one window handled cannot be listed
        by the next, so the run's memory stays flat however long the range."""
        self._handled.clear()
        self._listed.clear()

    def wanted(self, items: Sequence[ListItem]) -> list[ListItem]:
        """Items of the chosen ministries that are new, edited, or stored at a lesser depth.

        An item already handled in this run (listed twice because the listing shifted, or
        again by update's recheck) is not counted or fetched twice.
        """
        chosen = [i for i in items if self.matches(i) and i.news_id not in self._handled]
        chosen = list({i.news_id: i for i in chosen}.values())
        self._handled.update(i.news_id for i in chosen)
        self.stats.listed += len(chosen)
        known = self.store.known(i.news_id for i in chosen)
        todo = [i for i in chosen if self._needs(i, known.get(i.news_id))]
        self.stats.unchanged += len(chosen) - len(todo)
        return todo

    def reaches_known(self, items: Sequence[ListItem], horizon: str | None) -> bool:
        """Whether a newest-first page reaches releases already stored and unchanged.

        New releases are published on top of the listing, so once the last release of ours
        on a page is stored with the same content, the pages below hold nothing new (late
        and edited releases further down are what `recheck` is for). Releases of other
        ministries are never stored: one dated on or after `horizon` (the newest day our
        previous runs saw) may be new and hide new ones of ours, so it does not stop the walk.
        """
        known = self.store.known(i.news_id for i in items if self.matches(i))
        for item in reversed(items):
            if self.matches(item):
                stored = known.get(item.news_id)
                return stored is not None and stored.content_hash == _hash(item)
            if horizon is None or item.date >= horizon:
                return False
        return True

    def _needs(self, item: ListItem, known: Known | None) -> bool:
        if known is None or known.content_hash != _hash(item):
            return True
        return DEPTH_RANK[self.depth_for(item)] > DEPTH_RANK.get(known.depth, 0)

    def depth_for(self, item: ListItem) -> str:
        """The depth one release needs: `auto` goes to the files only when the lead is not
        the whole text."""
        if self.depth != "auto":
            return self.depth
        return "list" if lead_is_complete(item.lead) else "files"

    # -- releases ---------------------------------------------------------------------------

    def save_items(self, items: Sequence[ListItem], *, window: WindowMark | None = None) -> bool:
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
            url=view_url(item.news_id), lead=item.lead, body=item.lead,
            body_source="list" if item.lead else "none", depth=self.depth_for(item),
        )
        listed = self._listed.get(item.news_id)
        if listed is not None:
            release.evidence.append(Evidence("list", "", listed))
        if release.depth == "list":
            return release
        try:
            self._add_view(release)
        except BlockedError:
            raise
        except FetchError as exc:
            self._fail(item.news_id, view_url(item.news_id, self.config.base_url), str(exc))
            return None
        except GoneError:
            log.warning("release %s was removed from the site after it was listed; skipped",
                        item.news_id)
            self.stats.gone += 1
            return None
        return release

    def _add_view(self, release: Release) -> None:
        response = self.fetcher.get(view_url(release.news_id, self.config.base_url))
        html = page_text(response)
        view = parse_view(html, base_url=self.config.base_url, url=response.url)
        if response.capture is not None:
            release.evidence.append(Evidence("view", "", response.capture))
        release.published_at = view.published_at
        release.ministry_code = view.ministry_code
        release.licence = view.licence
        release.attachments = list(view.attachments)
        if len(view.body) > len(release.body):
            release.body, release.body_source = view.body, "view"
        if release.depth == "files" and view.attachments:
            self._add_files(release)

    def _add_files(self, release: Release) -> None:
        from kscrape.files import attachment_text, fetch_attachment

        results = [fetch_attachment(self.config, self.fetcher, self.store, release.news_id, ref)
                   for ref in release.attachments]
        for result in results:
            if result.error:
                self._fail(release.news_id, result.ref.url, result.error)
            elif result.capture is not None:
                release.evidence.append(Evidence("file", result.ref.file_id, result.capture))
        text = attachment_text([r.extraction for r in results if r.extraction is not None])
        if text is not None:
            release.body, release.body_md = text.body, text.body_md
            release.body_source, release.contacts = text.body_source, text.contacts

    def _fail(self, news_id: str, url: str, error: str) -> None:
        log.warning("release %s failed: %s", news_id, error)
        self.stats.failed += 1
        self.stats.failures.append(f"{news_id}: {error}")
        self.store.record_failure(self.run_id, url=url, error=error, news_id=news_id)


def page_text(response: Response) -> str:
    """A fetched page as text; one whose bytes do not decode is an error, never stored.

    A page served in another encoding than it declares decodes to U+FFFD runs: storing it
    would write mojibake titles that later runs would take for edits.
    """
    html = decode_html(response.content, response.content_type)
    bad = html.count("\ufffd")
    if bad > max(MAX_UNDECODABLE, len(html) // 1000):
        raise ParseError(f"{response.url}: {bad} undecodable characters (wrong encoding?)",
                         url=response.url)
    return html


def lead_is_complete(lead: str) -> bool:
    """Whether a date-only listing lead is the release's whole text.

    About one release in five says no more on the site than "…관련 보도자료 내용입니다.
    자세한 내용은 첨부파일을 참고하시기 바랍니다.": the text lives only in the attachment.
    Such leads are short and point to 첨부/붙임; a long lead that mentions an attachment in
    passing is complete.
    """
    text = lead.strip()
    if len(text) < MIN_COMPLETE_LEAD:
        return False
    return len(text) >= POINTER_LEAD_MAX or not ATTACHMENT_POINTER.search(text)


def _hash(item: ListItem) -> str:
    return content_hash(item.title, item.ministry, item.date, item.lead)


def selection_label(ministries: Sequence[MinistryFilter]) -> str:
    """How a run's ministry selection is written in the runs table (and compared later)."""
    return json.dumps([m.label for m in ministries], ensure_ascii=False)


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
    """Lock the database, open store and client, and record the run whatever happens.

    A run refused by the lock touches nothing. Runs left 'running' by a killed process are
    marked 'killed' by the next one, which holds the lock and so knows they are gone.
    """
    with write_lock(config.db, command=command), open_store(config.db) as store:
        store.close_stale_runs()
        stats = RunStats()
        label, run_depth = selection_label(ministries), depth or config.depth
        run_id = store.begin_run(
            command, since=span.since.isoformat() if span else None,
            until=span.until.isoformat() if span else None,
            ministries=label, depth=run_depth, pid=os.getpid(),
        )
        outcome, error = "failed", None
        info = RunInfo(run_id, command, run_depth, label, config.base_url, datetime.now(UTC))
        try:
            with capturing(config, info) as recorder, \
                    Fetcher(config, recorder=recorder) as fetcher:
                crawler = Crawler(config, fetcher, store, run_id=run_id, stats=stats,
                                  ministries=ministries, depth=depth)
                try:
                    yield crawler
                finally:
                    stats.requests = fetcher.requests
            outcome, error = stats.outcome, stats.note
        except BlockedError as exc:
            outcome, error = "blocked", str(exc)
            raise
        except KeyboardInterrupt:
            outcome, error = "interrupted", "interrupted by the user"
            raise
        except KscrapeError as exc:
            error = str(exc)
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            _finish(store, run_id, stats, outcome, error)


def _finish(store: Store, run_id: int, stats: RunStats, outcome: str, error: str | None) -> None:
    span = {"since": stats.since, "until": stats.until} if stats.since else {}
    try:
        store.finish_run(
            run_id, listed=stats.listed, new=stats.new, updated=stats.updated,
            unchanged=stats.unchanged, failed=stats.failed, requests=stats.requests,
            outcome=outcome, error=error, **span,
        )
    except KscrapeError as exc:
        log.error("could not record the end of run %d: %s", run_id, exc)
