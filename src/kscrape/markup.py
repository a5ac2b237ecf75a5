"""A release's body as HTML, for the site and the feeds: one renderer, so both show the same.

The Markdown body (`body_md`, from an attachment) goes through markdown-it in CommonMark mode
with tables. kscrape's Markdown writes a table with merged cells as an HTML `<table>` (rowspan,
colspan), so raw HTML is rendered, and the result is then cleaned by nh3 down to the elements
and attributes a document body uses: every other tag (a `<script>`, a `<style>`, an `onclick`)
is removed, and links keep only http(s) and mailto targets. Text from a release is escaped by
kscrape's Markdown writer in the first place, so it shows as text. Pictures, which kscrape
names but does not keep, become a placeholder naming them. A plain body (or the list lead,
when there is no body) becomes one paragraph per line.
"""

from __future__ import annotations

import re
from html import escape

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")
_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
    "pre", "code", "em", "strong", "del", "a", "span", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href"}, "td": {"rowspan", "colspan"}, "th": {"rowspan", "colspan"},
               "span": {"class"}}
_IMG_RE = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]*)\"[^>]*>")


def markdown_html(text: str) -> str:
    html = _IMG_RE.sub(_picture, _MARKDOWN.render(text))
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def _picture(match: re.Match[str]) -> str:
    return f'<span class="picture">[그림: {match[1]}]</span>'


def plain_html(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>\n" for line in text.splitlines() if line.strip())


def body_html(body_md: str | None, body: str | None, lead: str | None = None) -> str:
    """The best body there is as HTML: Markdown, else the plain body, else the lead."""
    if body_md and body_md.strip():
        return markdown_html(body_md)
    return plain_html(body or lead or "")
