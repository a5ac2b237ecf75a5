"""Completeness check: the site's declared count per day against what the archive holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kscrape.crawl import Crawler
from kscrape.listing import DateRange, iter_days


@dataclass(frozen=True, slots=True)
class DayCount:
    """One day: what the site declares and what is stored (for the chosen ministries)."""

    day: str
    declared: int
    stored: int

    @property
    def missing(self) -> int:
        return max(0, self.declared - self.stored)

    @property
    def extra(self) -> int:
        """Stored releases the site no longer lists (removed after we stored them)."""
        return max(0, self.stored - self.declared)


@dataclass(slots=True)
class Verification:
    """The days that differ as first counted, and those still missing releases after --fix."""

    differ: list[DayCount] = field(default_factory=list)
    remaining: list[DayCount] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(d.missing for d in self.remaining)


def verify(
    crawler: Crawler,
    span: DateRange,
    *,
    fix: bool = False,
    on_day: Callable[[DayCount], None] | None = None,
) -> Verification:
    """Compare every day of `span`; with `fix`, fetch the missing releases of the gap days.

    With ministries that all have codes, the filtered listing's count costs one request a
    day; a ministry known only by name needs the day's full listing, counted here.
    """
    result = Verification()
    for day in iter_days(span):
        one_day = DateRange(day, day)
        counted = DayCount(day.isoformat(), _declared(crawler, one_day),
                           _stored(crawler, day.isoformat()))
        if on_day:
            on_day(counted)
        if counted.declared != counted.stored:
            result.differ.append(counted)
    gaps = [d for d in result.differ if d.missing]
    if not fix:
        result.remaining = gaps
        return result
    for gap in gaps:
        walk = crawler.walk_window(DateRange.from_iso(gap.day, gap.day))
        crawler.save_items(crawler.wanted(walk.items))
        after = DayCount(gap.day, gap.declared, _stored(crawler, gap.day))
        if after.missing:
            result.remaining.append(after)
    return result


def _declared(crawler: Crawler, day: DateRange) -> int:
    filters = crawler.ministries
    if not filters:
        return crawler.list_page(1, day).total
    if all(f.codes for f in filters):
        codes = tuple(dict.fromkeys(c for f in filters for c in f.codes))
        return crawler.list_page(1, day, rep_codes=codes).total
    walk = crawler.walk_window(day)
    return sum(1 for i in walk.items if crawler.matches(i))


def _stored(crawler: Crawler, day: str) -> int:
    """Stored releases of the day whose ministry belongs to the selection (as crawls choose)."""
    rows = crawler.store.rows(
        "select ministry, count(*) as n from releases where date = ? group by ministry", (day,)
    )
    return sum(row["n"] for row in rows if crawler.ours(row["ministry"]))


def summarise(result: Verification) -> str:
    differ = result.differ
    missing = sum(d.missing for d in differ)
    extra = sum(d.extra for d in differ)
    text = f"{len(differ)} day(s) differ, {missing} release(s) missing"
    return text + (f", {extra} stored but no longer listed" if extra else "")
