"""`pressReleaseView.do`: title, date and time, ministry, attachments, body and licence."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html import unescape
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kscrape.errors import GoneError, ParseError
from kscrape.models import DOWNLOAD_PATH, SITE_URL, AttachmentRef, ViewPage
from kscrape.parse.decode import as_text
from kscrape.parse.list_page import NEWS_ID, iso_date
from kscrape.text import clean_block, clean_inline

KST = timezone(timedelta(hours=9))
GONE_WORDS = ("존재하지 않", "삭제된", "찾을 수 없")
_REP_CODE = re.compile(r"[?&]repCode=([A-Za-z0-9]+)")
_KOGL_SRC = re.compile(r"open_type_0?(\d)")
_KOGL_ALT = re.compile(r"(\d)\s*유형")
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


def parse_view(html: str | bytes, *, base_url: str = SITE_URL, url: str = "") -> ViewPage:
    """Parse `pressReleaseView.do`: title, date and time, ministry, attachments, body, licence."""
    return view_from_tree(LexborHTMLParser(as_text(html)), base_url, url)


def _says_gone(tree: LexborHTMLParser) -> bool:
    """korea.kr answers a removed newsId with a bare page whose script alerts and goes back."""
    if tree.css_first("div.article_head") is not None:
        return False
    scripts = " ".join(node.text() for node in tree.css("script"))
    return "alert(" in scripts and any(word in scripts for word in GONE_WORDS)


def view_from_tree(tree: LexborHTMLParser, base_url: str, url: str) -> ViewPage:
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
    return iso_date(span.text()) if span is not None else None


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
        if m := NEWS_ID.search(candidate):
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
