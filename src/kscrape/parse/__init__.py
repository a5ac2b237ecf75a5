"""Turn korea.kr list and view pages into records.

Pure functions over markup, no I/O. Every lookup is scoped to the block that holds the data
(`div.list_type`, `div.article_head`, …) because sidebars carry other releases' newsId links.
Anything the records need but the page lacks raises ParseError naming it: a renamed class or a
maintenance page must stop a crawl, never turn into an empty or half-filled record.
"""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser

from kscrape.errors import ParseError
from kscrape.models import SITE_URL, ListPage, ViewPage
from kscrape.parse.decode import as_text, decode_html
from kscrape.parse.list_page import drop_cut_entities, list_from_tree, parse_list
from kscrape.parse.view_page import parse_view, view_from_tree

__all__ = ["decode_html", "parse_any", "parse_list", "parse_view", "to_json_dict"]

_LIST_MARKERS = "div.list_type, div.sch_brief"
_VIEW_MARKERS = "div.view_title, div.article_head, a.gotosite"


def parse_any(html: str | bytes, *, base_url: str = SITE_URL, url: str = "") -> ListPage | ViewPage:
    """Parse a page of either kind, telling them apart by their markup."""
    text = drop_cut_entities(as_text(html))
    tree = LexborHTMLParser(text)
    if tree.css_first(_LIST_MARKERS) is not None:
        return list_from_tree(tree, base_url, url)
    if tree.css_first(_VIEW_MARKERS) is not None:
        return view_from_tree(tree, base_url, url)
    raise ParseError("page is neither a press-release list nor a view page", url=url)


def to_json_dict(page: ListPage | ViewPage) -> dict[str, Any]:
    """The stable JSON shape `kscrape parse` prints."""
    if isinstance(page, ListPage):
        return {
            "kind": "list",
            "total": page.total,
            "page": page.page,
            "last_page": page.last_page,
            "mode": page.mode,
            "items": [
                {
                    "news_id": i.news_id,
                    "title": i.title,
                    "lead": i.lead,
                    "date": i.date,
                    "ministry": i.ministry,
                    "url": i.url,
                }
                for i in page.items
            ],
        }
    return {
        "kind": "view",
        "news_id": page.news_id,
        "title": page.title,
        "date": page.date,
        "published_at": page.published_at,
        "ministry": page.ministry,
        "ministry_code": page.ministry_code,
        "body": page.body,
        "attachments": [
            {"file_id": a.file_id, "name": a.name, "url": a.url, "kind": a.kind}
            for a in page.attachments
        ],
        "licence": page.licence,
    }
