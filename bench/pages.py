"""Pages in the site's real markup, rendered in memory by the replica's own renderer.

The parse and store measures need thousands of distinct list pages; rendering them here keeps
the network and the replica's HTTP server out of those timings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from kscrape.replica import read_corpus, synthetic_corpus
from kscrape.replica.corpus import Corpus, Query
from kscrape.replica.render import FORM_FIELDS, ListState, ViewContext, render_list, render_view

PAGE_SIZE = 20
ALL_TIME = Query(date(1970, 1, 1), date(2100, 12, 31))


def synthetic_records(n: int) -> list[dict[str, Any]]:
    """`n` releases with fresh ids and dates, copied from the bundled June 2023 corpus."""
    return list(synthetic_corpus(n, read_corpus()))


def list_pages(records: list[dict[str, Any]]) -> Iterator[bytes]:
    """Every list page (20 items each) of the date-range listing over `records`, newest first."""
    corpus = Corpus.from_records(records)
    total = corpus.count(ALL_TIME)
    values = {k: "" for k in FORM_FIELDS}
    values.update(startDate="1970-01-01", endDate="2100-12-31")
    for page in range(1, -(-total // PAGE_SIZE) + 1):
        _total, items = corpus.search(ALL_TIME, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        state = ListState(
            page=page, values={**values, "pageIndex": str(page)}, searched=True, filtered=False
        )
        yield render_list(total, items, state)


def view_pages(records: list[dict[str, Any]], limit: int) -> list[bytes]:
    """The view pages of the first `limit` releases of `records`."""
    corpus = Corpus.from_records(records[:limit])
    out = []
    for record in records[:limit]:
        release = corpus.get(str(record["news_id"]))
        if release is not None:
            out.append(render_view(release, ViewContext()))
    return out
