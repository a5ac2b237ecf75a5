"""The cron policy: fetch what is new at a cost proportional to what is new."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from kscrape.crawl import Crawler, RunStats, selection_label
from kscrape.listing import days_back

log = logging.getLogger("kscrape.crawl")


def update(
    crawler: Crawler,
    *,
    recheck_days: int = 0,
    on_page: Callable[[int, int], None] | None = None,
) -> RunStats:
    """Fetch what is new: walk the newest-first listing until a page reaches stored releases.

    With nothing new this is one list request; with k new releases ⌈(k+1)/20⌉ pages. The
    listing is ordered by approval time, not newsId, and releases are published late or
    edited in place, which this walk cannot see: `recheck_days` also walks every page of
    the last days, counted back from the newest day on page 1 rather than from our clock,
    so that a weekend or holiday without releases does not leave the recheck empty. Edits
    to older releases are found by `verify` or a backfill of their days, not by update.
    On an empty archive (or one idle for long) the walk stops after `update_max_pages`.
    """
    horizon = _horizon(crawler)
    newest: str | None = None
    cap = crawler.config.update_max_pages
    for number in range(1, cap + 1):
        page = crawler.list_page(number, None)
        crawler.stats.saw(page.items)
        if page.items and newest is None:
            newest = max(i.date for i in page.items)
        done = crawler.reaches_known(page.items, horizon)
        todo = crawler.wanted(page.items)
        crawler.save_items(todo)
        if on_page:
            on_page(number, len(todo))
        if done or number >= page.last_page:
            break
    else:
        crawler.stats.note = (
            f"stopped after {cap} list pages without reaching stored releases; run "
            f"'kscrape backfill --since {horizon or '<first day>'} --until {crawler.stats.since}' "
            "for the releases before them"
        )
        log.warning("update %s", crawler.stats.note)
    if recheck_days and newest is not None:
        walk = crawler.walk_window(days_back(date.fromisoformat(newest), recheck_days))
        crawler.stats.saw(walk.items)
        crawler.save_items(crawler.wanted(walk.items))
    return crawler.stats


def _horizon(crawler: Crawler) -> str | None:
    """The newest day our selection's earlier runs reached: listed items before it are old.

    That is the later of the newest stored release of ours and the newest day a finished
    update with the same selection listed (a rarely publishing ministry has old releases,
    but the listing above them was seen).
    """
    days = [
        row["day"] for row in crawler.store.rows(
            "select ministry, max(date) as day from releases group by ministry")
        if crawler.ours(row["ministry"])
    ]
    days += [
        row["until"] for row in crawler.store.rows(
            "select max(until) as until from runs where command = 'update' and ministries = ? "
            "and outcome in ('ok', 'partial')", (selection_label(crawler.ministries),))
        if row["until"]
    ]
    return max(days, default=None)
