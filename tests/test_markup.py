"""The HTML the site and the feeds show for a release body: structure kept, nothing run."""

from __future__ import annotations

import re

from kscrape.extract import extract
from kscrape.markup import body_html, markdown_html

from .conftest import ATTACHMENTS


def test_a_real_document_keeps_its_merged_cells_as_a_table():
    """156754052's Markdown has HTML tables for merged cells: they render as tables with their
    rowspan/colspan, not as escaped text; pictures become placeholders naming the file."""
    md = extract((ATTACHMENTS / "156754052.hwpx").read_bytes()).markdown
    spans = re.findall(r'<td (?:rowspan|colspan)="\d+"', md)
    assert spans
    html = markdown_html(md)
    assert len(re.findall(r'<td (?:rowspan|colspan)="\d+"', html)) == len(spans)
    assert "&lt;table" not in html and "&lt;td" not in html
    assert "<img" not in html


def test_scripts_handlers_and_script_links_never_survive():
    """Raw HTML beyond a document's elements is removed; link targets are http(s) or mailto."""
    html = markdown_html('<p onmouseover="x()">글</p>\n\n<script>alert(1)</script>\n\n'
                         "[a](javascript:alert(2)) [b](https://www.korea.kr)\n\n"
                         '<iframe src="https://evil.example"></iframe>\n\n![](image7.png)')
    assert "alert(" not in html.replace("javascript:alert(2)", "")
    assert "onmouseover" not in html and "<iframe" not in html and "<script" not in html
    assert 'href="https://www.korea.kr"' in html and 'href="javascript' not in html
    assert '<span class="picture">[그림: image7.png]</span>' in html


def test_plain_bodies_are_paragraphs_of_escaped_text():
    """Without Markdown, the plain body (or the lead) is one escaped paragraph per line."""
    assert body_html(None, "첫 줄 <b>\n\n둘째 줄") == "<p>첫 줄 &lt;b&gt;</p>\n<p>둘째 줄</p>\n"
    assert body_html("", None, "리드") == "<p>리드</p>\n"
