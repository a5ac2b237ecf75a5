"""`pressReleaseList.do`: the result count, the 20 items, paging and the rendering mode."""

from __future__ import annotations

import math
import re
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kscrape.errors import ParseError
from kscrape.models import SITE_URL, ListItem, ListPage, view_url
from kscrape.parse.decode import as_text
from kscrape.text import clean_inline

PAGE_SIZE = 20
_DATE = re.compile(r"(\d{4})[.-](\d{1,2})[.-](\d{1,2})")
NEWS_ID = re.compile(r"[?&]newsId=(\d+)")
_PAGE_LINK = re.compile(r"pageLink\((\d+)\)")
_DIGITS = re.compile(r"\d+")
# A character reference cut by the site's lead truncation, as it stands in the raw source.
_CUT_ENTITY = re.compile(r"&(?:#[xX]?[0-9A-Fa-f]{0,8}|[A-Za-z][A-Za-z0-9]{0,31})?\Z")


def parse_list(html: str | bytes, *, base_url: str = SITE_URL, url: str = "") -> ListPage:
    """Parse `pressReleaseList.do`: count, 20 items, paging and which rendering mode served them."""
    text = drop_cut_entities(as_text(html))
    return list_from_tree(LexborHTMLParser(text), base_url, url)


def list_from_tree(tree: LexborHTMLParser, base_url: str, url: str) -> ListPage:
    """The list page of an already parsed document."""
    listing = tree.css_first("div.list_type")
    if listing is None:
        raise ParseError("list page has no div.list_type block", url=url)
    count = tree.css_first("div.sch_brief div.result")
    strong = count.css_first("strong") if count is not None else None
    if strong is None:
        raise ParseError("list page has no result count (div.sch_brief div.result strong)", url=url)
    total = _count(strong.text(), url)
    items = tuple(
        _list_item(li, base_url, url)
        for li in listing.css("li")
        if "no_data" not in (li.attributes.get("class") or "").split()
    )
    page, last_page = _paging(tree.css_first("div.paging"), total)
    if total > 0 and not items and page == 1:
        raise ParseError(f"list page declares {total} results but holds no items", url=url)
    return ListPage(total, page, last_page, _mode(listing, count), items)


def _count(raw: str, url: str) -> int:
    """The declared number of results; thousands separators are tolerated."""
    digits = raw.replace(",", "").strip()
    if not digits.isdigit():
        raise ParseError(f"list page result count is not a number: {raw.strip()!r}", url=url)
    return int(digits)


def _list_item(li: LexborNode, base_url: str, url: str) -> ListItem:
    """One `li` of the list; all identifying fields must be present."""
    link = li.css_first("a[href*='pressReleaseView.do']")
    if link is None:
        raise ParseError("list item has no pressReleaseView.do link", url=url)
    m = NEWS_ID.search(link.attributes.get("href") or "")
    if m is None:
        raise ParseError("list item link has no newsId", url=url)
    news_id = m.group(1)
    title_node = link.css_first("strong")
    title = clean_inline(title_node.text()) if title_node is not None else ""
    if not title:
        raise ParseError(f"list item {news_id} has no title", url=url)
    source = link.css("span.source > span")
    if not source:
        raise ParseError(f"list item {news_id} has no date", url=url)
    date = iso_date(source[0].text())
    if date is None:
        raise ParseError(f"list item {news_id} has no valid date", url=url)
    ministry = clean_inline(source[1].text()) if len(source) > 1 else ""
    if not ministry:
        raise ParseError(f"list item {news_id} has no ministry", url=url)
    lead_node = link.css_first("span.lead")
    lead = _clean_lead(lead_node.text()) if lead_node is not None else ""
    return ListItem(news_id, title, lead, date, ministry, view_url(news_id, base_url))


def _clean_lead(raw: str) -> str:
    """A lead as flat text; a character cut in half by the truncation is dropped, "..." kept."""
    lead = clean_inline(raw)
    if lead.endswith("\ufffd..."):
        lead = lead[:-4].rstrip("\ufffd").rstrip() + "..."
    return lead


def drop_cut_entities(html: str) -> str:
    """Remove character references the site cut in half before a lead's closing "...".

    Done on the source because once decoded, `&#x31` of a cut `&#x3147;` is a plain "1".
    Only text inside the list block and directly before `</span>` is touched.
    """
    start = html.find("list_type")
    if start < 0:
        return html
    pieces: list[str] = []
    done = 0
    i = html.find("...", start)
    while i >= 0:
        m = _CUT_ENTITY.search(html, max(done, i - 40), i)
        if m and html[i + 3 : i + 64].lstrip().startswith("</span>"):
            pieces.append(html[done : m.start()])
            done = i
        i = html.find("...", i + 3)
    if not pieces:
        return html
    pieces.append(html[done:])
    return "".join(pieces)


def iso_date(raw: str) -> str | None:
    """YYYY.MM.DD or YYYY-MM-DD (the two list modes) to YYYY-MM-DD; None if not a date."""
    m = _DATE.search(raw)
    if m is None:
        return None
    try:
        return datetime(int(m[1]), int(m[2]), int(m[3])).strftime("%Y-%m-%d")
    except ValueError:
        return None


def _mode(listing: LexborNode, count: LexborNode) -> str:
    """Mode "filtered" when the items print dashed dates (the repCode rendering), else "default"."""
    first_date = listing.css_first("span.source > span")
    if first_date is not None:
        return "filtered" if "-" in first_date.text() else "default"
    return "filtered" if "검색결과" in count.text() else "default"


def _paging(paging: LexborNode | None, total: int) -> tuple[int, int]:
    """Current and last page; without a paging block both follow from the count."""
    if paging is None:
        return 1, max(1, math.ceil(total / PAGE_SIZE))
    current = paging.css_first("span.num.on")
    page = _first_int(current.text()) if current is not None else None
    last_link = paging.css_first("a.last")
    last = None
    if last_link is not None and (
        m := _PAGE_LINK.search(last_link.attributes.get("onclick") or "")
    ):
        last = int(m.group(1))
    if last is None:
        numbers = [_first_int(n.text()) for n in paging.css("span.num")]
        last = max((n for n in numbers if n is not None), default=None)
    page = page or 1
    return page, max(page, last or 1)


def _first_int(raw: str) -> int | None:
    """The first number in a text, if any."""
    m = _DIGITS.search(raw)
    return int(m.group()) if m else None
