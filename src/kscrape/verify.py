"""Completeness check: the site's declared count per day against what the archive holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kscrape.crawl import Crawler
from kscrape.listing import DateRange, iter_days, list_form
from kscrape.models import LIST_PATH
from kscrape.parse import parse_list


@dataclass(frozen=True, slots=True)
class DayCount:
    """One day: what the site declares and what is stored (for the chosen ministries)."""

    day: str
    declared: int
    stored: int

    @property
    def missing(self) -> int:
        return max(0, self.declared - self.stored)


def verify(
    crawler: Crawler,
    span: DateRange,
    *,
    fix: bool = False,
    on_day: Callable[[DayCount], None] | None = None,
) -> list[DayCount]:
    """Compare every day of `span`; with `fix`, fetch the missing releases of the gap days.

    With ministries that all have codes, the filtered listing's count is one request a
    day; a ministry known only by name needs the day's full listing, filtered here.
    """
    gaps: list[DayCount] = []
    for day in iter_days(span):
        one_day = DateRange(day, day)
        counted = DayCount(day.isoformat(), _declared(crawler, one_day),
                           _stored(crawler, day.isoformat()))
        if on_day:
            on_day(counted)
        if counted.declared != counted.stored:
            gaps.append(counted)
    if fix:
        for gap in gaps:
            items, _ = crawler.walk_window(DateRange.from_iso(gap.day, gap.day))
            crawler.save_items(crawler.wanted(items))
    return gaps


def _declared(crawler: Crawler, day: DateRange) -> int:
    filters = crawler.ministries
    if not filters:
        return crawler.list_page(1, day).total
    if all(f.codes for f in filters):
        codes = tuple(dict.fromkeys(c for f in filters for c in f.codes))
        form = list_form(page=1, since=day.since, until=day.until, rep_codes=codes)
        response = crawler.fetcher.post(LIST_PATH, data=form)
        crawler.stats.pages += 1
        return parse_list(response.content, base_url=crawler.config.base_url).total
    items, _ = crawler.walk_window(day)
    return sum(1 for i in items if crawler.matches(i))


def _stored(crawler: Crawler, day: str) -> int:
    names = sorted({n for f in crawler.ministries for n in f.names})
    if not names:
        return crawler.store.count("date = ?", (day,))
    marks = ",".join("?" * len(names))
    return crawler.store.count(f"date = ? and ministry in ({marks})", (day, *names))


def summarise(gaps: Sequence[DayCount]) -> str:
    missing = sum(g.missing for g in gaps)
    return f"{len(gaps)} day(s) differ, {missing} release(s) missing"
