"""A release's body as HTML, for the site and the feeds: one renderer, so both show the same.

The Markdown body (`body_md`, from an attachment) goes through markdown-it in CommonMark mode
with tables and with raw HTML off, so text from a release can never become markup (a
`<script>` in a release is shown, not run, and `javascript:` links are not made). A plain body
(or the list lead, when there is no body) becomes one paragraph per line.
"""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_html(text: str) -> str:
    return _MARKDOWN.render(text)


def plain_html(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>\n" for line in text.splitlines() if line.strip())


def body_html(body_md: str | None, body: str | None, lead: str | None = None) -> str:
    """The best body there is as HTML: Markdown, else the plain body, else the lead."""
    if body_md and body_md.strip():
        return markdown_html(body_md)
    return plain_html(body or lead or "")
