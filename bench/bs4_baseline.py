"""The list and view extraction of kscrape.parse, written plainly with BeautifulSoup(html.parser).

It exists only as the yardstick for bench/run.py: same selectors, same string clean-up (the pure
text helpers of kscrape.parse and kscrape.text are reused), so that the two parsers return equal
records and the timing compares tree building and lookups, nothing else.
"""

from __future__ import annotations

import json
import math
from html import unescape
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from bs4 import BeautifulSoup, Tag

from kscrape.models import (
    DOWNLOAD_PATH,
    SITE_URL,
    AttachmentRef,
    ListItem,
    ListPage,
    ViewPage,
    view_url,
)
from kscrape.parse.decode import as_text
from kscrape.parse.list_page import (
    _PAGE_LINK,
    NEWS_ID,
    PAGE_SIZE,
    _clean_lead,
    _count,
    _first_int,
    drop_cut_entities,
    iso_date,
)
from kscrape.parse.view_page import (
    _BOILERPLATE,
    _CELL_TAGS,
    _KOGL_ALT,
    _KOGL_SRC,
    _LINE_TAGS,
    _PARAGRAPH_TAGS,
    _REMARK,
    _REP_CODE,
    _json_ld_fields,
    _kind,
    _ld_str,
    _published_at,
)
from kscrape.text import clean_block, clean_inline

__all__ = ["parse_list", "parse_view"]


def _soup(html: str | bytes, *, list_page: bool) -> BeautifulSoup:
    text = as_text(html)
    return BeautifulSoup(drop_cut_entities(text) if list_page else text, "html.parser")


def _attr(node: Tag, name: str) -> str:
    value = node.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value or ""


def parse_list(html: str | bytes, *, base_url: str = SITE_URL, url: str = "") -> ListPage:
    """`pressReleaseList.do` to a ListPage, like kscrape.parse.parse_list."""
    soup = _soup(html, list_page=True)
    listing = soup.select_one("div.list_type")
    count = soup.select_one("div.sch_brief div.result")
    strong = count.select_one("strong") if count is not None else None
    if listing is None or count is None or strong is None:
        raise ValueError("not a list page")
    total = _count(strong.get_text(), url)
    items = tuple(
        _list_item(li, base_url)
        for li in listing.select("li")
        if "no_data" not in (li.get("class") or [])
    )
    page, last = _paging(soup.select_one("div.paging"), total)
    first_date = listing.select_one("span.source > span")
    if first_date is not None:
        mode = "filtered" if "-" in first_date.get_text() else "default"
    else:
        mode = "filtered" if "검색결과" in count.get_text() else "default"
    return ListPage(total, page, last, mode, items)


def _list_item(li: Tag, base_url: str) -> ListItem:
    link = li.select_one("a[href*='pressReleaseView.do']")
    if link is None:
        raise ValueError("list item without link")
    m = NEWS_ID.search(_attr(link, "href"))
    if m is None:
        raise ValueError("list item without newsId")
    news_id = m.group(1)
    title_node = link.select_one("strong")
    title = clean_inline(title_node.get_text()) if title_node is not None else ""
    source = link.select("span.source > span")
    date = iso_date(source[0].get_text()) if source else None
    ministry = clean_inline(source[1].get_text()) if len(source) > 1 else ""
    lead_node = link.select_one("span.lead")
    lead = _clean_lead(lead_node.get_text()) if lead_node is not None else ""
    if not title or date is None or not ministry:
        raise ValueError(f"list item {news_id} incomplete")
    return ListItem(news_id, title, lead, date, ministry, view_url(news_id, base_url))


def _paging(paging: Tag | None, total: int) -> tuple[int, int]:
    if paging is None:
        return 1, max(1, math.ceil(total / PAGE_SIZE))
    current = paging.select_one("span.num.on")
    page = _first_int(current.get_text()) if current is not None else None
    last_link = paging.select_one("a.last")
    last = None
    if last_link is not None and (m := _PAGE_LINK.search(_attr(last_link, "onclick"))):
        last = int(m.group(1))
    if last is None:
        numbers = [_first_int(n.get_text()) for n in paging.select("span.num")]
        last = max((n for n in numbers if n is not None), default=None)
    page = page or 1
    return page, max(page, last or 1)


def parse_view(html: str | bytes, *, base_url: str = SITE_URL, url: str = "") -> ViewPage:
    """`pressReleaseView.do` to a ViewPage, like kscrape.parse.parse_view."""
    soup = _soup(html, list_page=False)
    ld = _json_ld(soup)
    head = soup.select_one("div.article_head")
    title = _title(soup, head, ld)
    published_at = _published_at(ld.get("datePublished"))
    span = head.select_one(".info span") if head is not None else None
    date = (iso_date(span.get_text()) if span is not None else None) or (
        published_at[:10] if published_at else None
    )
    ministry, code = _ministry(head, ld)
    news_id = _news_id(soup, ld, url)
    if not title or date is None or not ministry or news_id is None:
        raise ValueError("not a view page")
    return ViewPage(
        news_id=news_id,
        title=title,
        date=date,
        published_at=published_at,
        ministry=ministry,
        ministry_code=code,
        body=_body(soup.select_one("div.view_cont")),
        attachments=_attachments(soup.select_one("div.filedown"), base_url),
        licence=_licence(soup.select_one("div.kogl_wrap")),
    )


def _json_ld(soup: BeautifulSoup) -> dict[str, Any]:
    for script in soup.select('script[type="application/ld+json"]'):
        raw = script.string or ""
        if "NewsArticle" not in raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            return _json_ld_fields(raw)
        for obj in data if isinstance(data, list) else [data]:
            types = obj.get("@type") if isinstance(obj, dict) else None
            if "NewsArticle" in (types if isinstance(types, list) else [types]):
                return obj
    return {}


def _title(soup: BeautifulSoup, head: Tag | None, ld: dict[str, Any]) -> str:
    h1 = soup.select_one("div.view_title h1")
    if h1 is not None and (title := clean_inline(h1.get_text())):
        return title
    hidden = (head or soup).select_one("#titleText")
    if hidden is not None and (title := clean_inline(_attr(hidden, "value"))):
        return title
    og = soup.select_one('meta[property="og:title"]')
    if og is not None and (title := clean_inline(unescape(_attr(og, "content")))):
        return title
    return clean_inline(_ld_str(ld, "headline"))


def _ministry(head: Tag | None, ld: dict[str, Any]) -> tuple[str, str | None]:
    link = head.select_one("a.gotosite") if head is not None else None
    if link is None:
        return clean_inline(_ld_str(ld, "author", "name")), None
    for tip in link.select("i.tooltip"):
        tip.decompose()
    m = _REP_CODE.search(_attr(link, "href"))
    name = clean_inline(link.get_text()) or clean_inline(_ld_str(ld, "author", "name"))
    return name, m.group(1) if m else None


def _news_id(soup: BeautifulSoup, ld: dict[str, Any], url: str) -> str | None:
    canonical = soup.select_one('link[rel="canonical"]')
    candidates = (
        _attr(canonical, "href") if canonical is not None else "",
        _ld_str(ld, "mainEntityOfPage", "@id"),
        url,
    )
    for candidate in candidates:
        if m := NEWS_ID.search(candidate):
            return m.group(1)
    return None


def _attachments(filedown: Tag | None, base_url: str) -> tuple[AttachmentRef, ...]:
    if filedown is None:
        return ()
    names: dict[str, str] = {}
    tables: dict[str, str] = {}
    for link in filedown.select("a[href*='download.do']"):
        query = parse_qs(urlsplit(_attr(link, "href")).query)
        file_id = (query.get("fileId") or [""])[0]
        if not file_id.isdigit():
            continue
        tables.setdefault(file_id, (query.get("tblKey") or ["GMN"])[0])
        label = clean_inline(link.get_text())
        if link.select_one("img") is not None and label:
            names[file_id] = label
        elif label and label not in _BOILERPLATE:
            names.setdefault(file_id, label)
    base = base_url.rstrip("/")
    return tuple(
        AttachmentRef(
            file_id=file_id,
            name=names.get(file_id, ""),
            url=f"{base}{DOWNLOAD_PATH}?fileId={file_id}&tblKey={quote(table, safe='')}",
            kind=_kind(names.get(file_id, "")),
        )
        for file_id, table in tables.items()
    )


def _body(container: Tag | None) -> str:
    if container is None:
        return ""
    for node in container.select("iframe, p.remark, script, style, noscript, button"):
        node.decompose()
    for node in container.select(_PARAGRAPH_TAGS):
        node.insert_after("\n\n")
    for node in container.select(_LINE_TAGS):
        node.insert_after("\n")
    for node in container.select(_CELL_TAGS):
        node.insert_after(" ")
    lines = [
        line
        for line in clean_block(container.get_text()).split("\n")
        if line not in _BOILERPLATE and not _REMARK.search(line)
    ]
    return clean_block("\n".join(lines))


def _licence(kogl: Tag | None) -> str | None:
    img = kogl.select_one("img") if kogl is not None else None
    if img is None:
        return None
    m = _KOGL_SRC.search(_attr(img, "src")) or _KOGL_ALT.search(_attr(img, "alt"))
    return f"KOGL-{m.group(1)}" if m else None
