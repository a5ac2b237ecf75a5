"""Turn korea.kr list and view pages into records.

Pure functions over markup, no I/O. Every lookup is scoped to the block that holds the data
(`div.list_type`, `div.article_head`, …) because sidebars carry other releases' newsId links.
Anything the records need but the page lacks raises ParseError naming it: a renamed class or a
maintenance page must stop a crawl, never turn into an empty or half-filled record.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from datetime import datetime, timedelta, timezone
from html import unescape
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kscrape.errors import GoneError, ParseError
from kscrape.models import (
    DOWNLOAD_PATH,
    SITE_URL,
    AttachmentRef,
    ListItem,
    ListPage,
    ViewPage,
    view_url,
)
from kscrape.text import clean_block, clean_inline

__all__ = ["decode_html", "parse_any", "parse_list", "parse_view", "to_json_dict"]

PAGE_SIZE = 20
KST = timezone(timedelta(hours=9))
GONE_WORDS = ("존재하지 않", "삭제된", "찾을 수 없")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels that name a codec Python lacks or a narrower charset than browsers really use.
_CHARSET_ALIASES = {
    "euc-kr": "cp949",
    "euckr": "cp949",
    "ks_c_5601-1987": "cp949",
    "x-windows-949": "cp949",
}

_DATE = re.compile(r"(\d{4})[.-](\d{1,2})[.-](\d{1,2})")
_NEWS_ID = re.compile(r"[?&]newsId=(\d+)")
_REP_CODE = re.compile(r"[?&]repCode=([A-Za-z0-9]+)")
_PAGE_LINK = re.compile(r"pageLink\((\d+)\)")
_DIGITS = re.compile(r"\d+")
_KOGL_SRC = re.compile(r"open_type_0?(\d)")
_KOGL_ALT = re.compile(r"(\d)\s*유형")
# A character reference cut by the site's lead truncation, as it stands in the raw source.
_CUT_ENTITY = re.compile(r"&(?:#[xX]?[0-9A-Fa-f]{0,8}|[A-Za-z][A-Za-z0-9]{0,31})?\Z")
_LD_FIELD = re.compile(r'"(headline|datePublished|@id)"\s*:\s*"([^"\\]*)"')
_LD_AUTHOR = re.compile(r'"author"\s*:\s*\{[^{}]*?"name"\s*:\s*"([^"\\]*)"')
_REMARK = re.compile(r"이 자료는 .{1,80}보도자료를 전재하여 제공함을 알려드립니다")
_BOILERPLATE = frozenset(
    {"저작권정책", "담당자안내", "이전다음기사 영역", "공유하기", "글자크기 설정", "본문듣기",
     "첨부파일", "바로보기", "내려받기", "부처별 뉴스 이동"}
)  # fmt: skip
# Paragraph-level elements end a paragraph, line-level ones only a line.
_PARAGRAPH_TAGS = "p, div, h1, h2, h3, h4, h5, h6, table, ul, ol, dl, blockquote, pre"
_LINE_TAGS = "li, br, tr, dt, dd"
_CELL_TAGS = "td, th"
_LIST_MARKERS = "div.list_type, div.sch_brief"
_VIEW_MARKERS = "div.view_title, div.article_head, a.gotosite"


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Bytes to text by BOM, HTTP charset, `<meta charset>`, else UTF-8 with replacement."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    labels: list[str] = []
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        labels.append(m.group(1))
    if meta := _META_CHARSET.search(data, 0, 4096):
        labels.append(meta.group(1).decode("ascii", errors="replace"))
    for label in labels:
        codec = _codec(label)
        if codec:
            return data.decode(codec, errors="replace")
    return data.decode("utf-8", errors="replace")


def _codec(label: str) -> str | None:
    """The Python codec for a charset label, or None when Python cannot decode text with it."""
    label = label.strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    # A page that reached us as bytes cannot really be UTF-16 if its meta tag was readable as ASCII.
    return "utf-8" if info.name.startswith("utf-16") else info.name


def _as_text(html: str | bytes) -> str:
    """Accept both forms the callers have: text from a file or bytes from the wire."""
    return decode_html(html) if isinstance(html, bytes) else html


# ---------------------------------------------------------------- list page


def parse_list(html: str | bytes, *, base_url: str = SITE_URL, url: str = "") -> ListPage:
    """Parse `pressReleaseList.do`: count, 20 items, paging and which rendering mode served them."""
    text = _drop_cut_entities(_as_text(html))
    return _list_from_tree(LexborHTMLParser(text), base_url, url)


def _list_from_tree(tree: LexborHTMLParser, base_url: str, url: str) -> ListPage:
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
    m = _NEWS_ID.search(link.attributes.get("href") or "")
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
    date = _iso_date(source[0].text())
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


def _drop_cut_entities(html: str) -> str:
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


def _iso_date(raw: str) -> str | None:
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


# ---------------------------------------------------------------- view page


def parse_view(html: str | bytes, *, base_url: str = SITE_URL, url: str = "") -> ViewPage:
    """Parse `pressReleaseView.do`: title, date and time, ministry, attachments, body, licence."""
    return _view_from_tree(LexborHTMLParser(_as_text(html)), base_url, url)


def _says_gone(tree: LexborHTMLParser) -> bool:
    """korea.kr answers a removed newsId with a bare page whose script alerts and goes back."""
    if tree.css_first("div.article_head") is not None:
        return False
    scripts = " ".join(node.text() for node in tree.css("script"))
    return "alert(" in scripts and any(word in scripts for word in GONE_WORDS)


def _view_from_tree(tree: LexborHTMLParser, base_url: str, url: str) -> ViewPage:
    """The view page of an already parsed document."""
    ld = _json_ld(tree)
    head = tree.css_first("div.article_head")
    title = _view_title(tree, head, ld)
    if not title and _says_gone(tree):
        raise GoneError("the site says this release does not exist", url=url)
    if not title:
        raise ParseError("view page has no title (div.view_title h1)", url=url)
    published_at = _published_at(ld.get("datePublished"))
    date = _view_date(head) or (published_at[:10] if published_at else None)
    if date is None:
        raise ParseError("view page has no date (.article_head .info span)", url=url)
    ministry, code = _view_ministry(head, ld)
    if not ministry:
        raise ParseError("view page has no ministry (a.gotosite)", url=url)
    news_id = _view_news_id(tree, ld, url)
    if news_id is None:
        raise ParseError("view page has no newsId (canonical link, JSON-LD or URL)", url=url)
    return ViewPage(
        news_id=news_id,
        title=title,
        date=date,
        published_at=published_at,
        ministry=ministry,
        ministry_code=code,
        body=_view_body(tree.css_first("div.view_cont")),
        attachments=_attachments(tree.css_first("div.filedown"), base_url),
        licence=_licence(tree.css_first("div.kogl_wrap")),
    )


def _json_ld(tree: LexborHTMLParser) -> dict[str, Any]:
    """The NewsArticle JSON-LD object, or {} when absent; broken JSON still yields its fields."""
    for script in tree.css('script[type="application/ld+json"]'):
        raw = script.text()
        if "NewsArticle" not in raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            return _json_ld_fields(raw)
        for obj in data if isinstance(data, list) else [data]:
            if isinstance(obj, dict) and "NewsArticle" in _as_list(obj.get("@type")):
                return obj
    return {}


def _json_ld_fields(raw: str) -> dict[str, Any]:
    """The few fields we use, read from JSON-LD the server broke (e.g. an unescaped quote)."""
    fields: dict[str, str] = {}
    for key, value in _LD_FIELD.findall(raw):
        fields.setdefault(key, value)  # the page's own @id comes before the publisher's
    ld: dict[str, Any] = {
        "headline": fields.get("headline", ""),
        "datePublished": fields.get("datePublished", ""),
        "mainEntityOfPage": {"@id": fields.get("@id", "")},
    }
    if m := _LD_AUTHOR.search(raw):
        ld["author"] = {"name": m.group(1)}
    return ld


def _as_list(value: Any) -> list[Any]:
    """JSON-LD allows a single value or a list wherever a value goes."""
    return value if isinstance(value, list) else [value]


def _ld_str(ld: dict[str, Any], *path: str) -> str:
    """A nested string of the JSON-LD object, "" if any step is missing or not a string."""
    value: Any = ld
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def _view_title(tree: LexborHTMLParser, head: LexborNode | None, ld: dict[str, Any]) -> str:
    """The headline, from the first source that has one."""
    h1 = tree.css_first("div.view_title h1")
    if h1 is not None and (title := clean_inline(h1.text())):
        return title
    hidden = (head or tree).css_first("#titleText")
    if hidden is not None and (title := clean_inline(hidden.attributes.get("value") or "")):
        return title
    og = tree.css_first('meta[property="og:title"]')
    # og:title has been seen escaped twice, so it is unescaped once more.
    if og is not None and (title := clean_inline(unescape(og.attributes.get("content") or ""))):
        return title
    return clean_inline(_ld_str(ld, "headline"))


def _view_date(head: LexborNode | None) -> str | None:
    """The date printed first in the article head."""
    span = head.css_first(".info span") if head is not None else None
    return _iso_date(span.text()) if span is not None else None


def _published_at(raw: Any) -> str | None:
    """JSON-LD datePublished as ISO 8601 in KST; a missing offset means KST."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=KST)
    return moment.astimezone(KST).isoformat(timespec="seconds")


def _view_ministry(head: LexborNode | None, ld: dict[str, Any]) -> tuple[str, str | None]:
    """The ministry label (without its tooltip) and the repCode its link carries."""
    link = head.css_first("a.gotosite") if head is not None else None
    if link is None:
        return clean_inline(_ld_str(ld, "author", "name")), None
    for tip in link.css("i.tooltip"):
        tip.decompose()
    m = _REP_CODE.search(link.attributes.get("href") or "")
    name = clean_inline(link.text()) or clean_inline(_ld_str(ld, "author", "name"))
    return name, m.group(1) if m else None


def _view_news_id(tree: LexborHTMLParser, ld: dict[str, Any], url: str) -> str | None:
    """newsId from the canonical link, the JSON-LD page id or the URL the page came from."""
    canonical = tree.css_first('link[rel="canonical"]')
    candidates = (
        canonical.attributes.get("href") or "" if canonical is not None else "",
        _ld_str(ld, "mainEntityOfPage", "@id"),
        url,
    )
    for candidate in candidates:
        if m := _NEWS_ID.search(candidate):
            return m.group(1)
    return None


def _attachments(filedown: LexborNode | None, base_url: str) -> tuple[AttachmentRef, ...]:
    """Download links of the file block, one per fileId, named by the link that shows the file."""
    if filedown is None:
        return ()
    names: dict[str, str] = {}
    tables: dict[str, str] = {}
    for link in filedown.css("a[href*='download.do']"):
        query = parse_qs(urlsplit(link.attributes.get("href") or "").query)
        file_id = (query.get("fileId") or [""])[0]
        if not file_id.isdigit():
            continue
        tables.setdefault(file_id, (query.get("tblKey") or ["GMN"])[0])
        label = clean_inline(link.text())
        if link.css_first("img") is not None and label:
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


def _kind(name: str) -> str:
    """hwpx, hwp or pdf by the file name's extension, else other."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext if ext in ("hwpx", "hwp", "pdf") else "other"


def _view_body(container: LexborNode | None) -> str:
    """Text the page itself carries, without the viewer iframe, the reprint notice or chrome."""
    if container is None:
        return ""
    for node in container.css("iframe, p.remark, script, style, noscript, button"):
        node.decompose()
    for node in container.css(_PARAGRAPH_TAGS):
        node.insert_after("\n\n")
    for node in container.css(_LINE_TAGS):
        node.insert_after("\n")
    for node in container.css(_CELL_TAGS):
        node.insert_after(" ")
    lines = [
        line
        for line in clean_block(container.text()).split("\n")
        if line not in _BOILERPLATE and not _REMARK.search(line)
    ]
    return clean_block("\n".join(lines))


def _licence(kogl: LexborNode | None) -> str | None:
    """The KOGL type of the page's licence block, e.g. "KOGL-1"."""
    img = kogl.css_first("img") if kogl is not None else None
    if img is None:
        return None
    m = _KOGL_SRC.search(img.attributes.get("src") or "") or _KOGL_ALT.search(
        img.attributes.get("alt") or ""
    )
    return f"KOGL-{m.group(1)}" if m else None


# ---------------------------------------------------------------- either


def parse_any(html: str | bytes, *, base_url: str = SITE_URL, url: str = "") -> ListPage | ViewPage:
    """Parse a page of either kind, telling them apart by their markup."""
    text = _drop_cut_entities(_as_text(html))
    tree = LexborHTMLParser(text)
    if tree.css_first(_LIST_MARKERS) is not None:
        return _list_from_tree(tree, base_url, url)
    if tree.css_first(_VIEW_MARKERS) is not None:
        return _view_from_tree(tree, base_url, url)
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
