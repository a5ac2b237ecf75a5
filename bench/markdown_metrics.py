"""The three document-to-Markdown metrics of opendataloader-bench, reimplemented.

- NID: reading-order text similarity, `rapidfuzz.fuzz.ratio` of the two whole texts after
  pipe tables become HTML tables and whitespace runs collapse to one space.
- TEDS: tree-edit-distance similarity of the documents' HTML tables (Zhong et al. 2020,
  "Image-based table recognition"): `1 - APTED(pred, truth) / max(nodes)`, where a cell
  rename costs 1 if tag, colspan or rowspan differ and else the normalised Levenshtein
  distance of the cells' contents. All tables of a document hang under one root, so every
  table counts. Only for documents whose ground truth has a table.
- MHS: heading structure, `1 - APTED / max(nodes)` over trees of headings (nested by level)
  with the text block under each heading as a leaf; a document without headings scores 0.
- overall: the mean of the metrics that apply to a document.

Pure functions on strings; `recall` (share of the truth's characters found, in order, in the
prediction) is here too so every figure of bench/markdown_quality.py has one definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser

from apted import APTED, Config
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq, Levenshtein

_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE_RE = re.compile(r"^ {0,3}(```|~~~)")
TABLE_HTML_RE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")
_RECALL_STRIP_RE = re.compile(r"[\s|#*\-:>`]")
_VOID_TAGS = {"br", "img", "hr", "col", "input", "meta", "link", "wbr"}


# ---------------------------------------------------------------- Markdown pipe tables


def _is_row(line: str) -> bool:
    return "|" in line and line.strip() != ""


def _split_row(line: str) -> list[str]:
    """Cells of a pipe-table row; `\\|` is a literal bar inside a cell."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells = re.split(r"(?<!\\)\|", s)
    return [c.strip().replace("\\|", "|") for c in cells]


def _cell_html(text: str) -> str:
    """A pipe cell as HTML content: `<br>` stays a line break, the rest is text."""
    parts = re.split(r"<br\s*/?>", text)
    return "<br>".join(escape(unescape(p), quote=False) for p in parts)


def pipe_tables_to_html(markdown: str) -> str:
    """The document with every GFM pipe table replaced by one `<table>` line.

    A pipe table is a header row followed by a delimiter row (`| --- |`), then rows up to
    the first line that is not a row. Cells become `<td>`; rows are padded to the header's
    width, as GFM does.
    """
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and "|" in line and _SEPARATOR_RE.match(lines[i + 1]):
            header = _split_row(line)
            width = len(header)
            rows = [header]
            j = i + 2
            while j < len(lines) and lines[j].strip() and _is_row(lines[j]):
                rows.append(_split_row(lines[j]))
                j += 1
            body = []
            for row in rows:
                cells = (row + [""] * width)[:width]
                body.append("<tr>" + "".join(f"<td>{_cell_html(c)}</td>" for c in cells) + "</tr>")
            out.append("<table>" + "".join(body) + "</table>")
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def collapse(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- NID


def nid(truth: str, pred: str) -> float:
    """Normalised indel similarity of the whole texts (tables as HTML, whitespace collapsed)."""
    a = collapse(pipe_tables_to_html(truth))
    b = collapse(pipe_tables_to_html(pred))
    if not a and not b:
        return 1.0
    return fuzz.ratio(a, b) / 100.0


# ---------------------------------------------------------------- HTML trees


@dataclass
class Node:
    """A tree node for APTED: an HTML element (TEDS) or a heading/text block (MHS)."""

    tag: str
    colspan: int = 1
    rowspan: int = 1
    content: tuple[str, ...] = ()
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def size(self) -> int:
        return 1 + sum(c.size() for c in self.children)


class _TreeBuilder(HTMLParser):
    """Elements and text of an HTML fragment (html.parser: no implied tbody)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = _Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in _VOID_TAGS:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for k in range(len(self.stack) - 1, 0, -1):
            if self.stack[k].tag == tag:
                del self.stack[k:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    children: list[_Element | str] = field(default_factory=list)


def _tokens(el: _Element) -> list[str]:
    """A cell's content as PubTabNet tokenises it: characters, and child tags as tokens."""
    out: list[str] = []
    for child in el.children:
        if isinstance(child, str):
            out.extend(child)
        else:
            out.append(f"<{child.tag}>")
            out.extend(_tokens(child))
            if child.tag not in _VOID_TAGS:
                out.append(f"</{child.tag}>")
    return out


def _span(el: _Element, name: str) -> int:
    try:
        return max(1, int(el.attrs.get(name, "1")))
    except ValueError:
        return 1


def _table_node(el: _Element) -> Node:
    if el.tag in ("td", "th"):
        return Node(el.tag, _span(el, "colspan"), _span(el, "rowspan"), tuple(_tokens(el)))
    kids = [_table_node(c) for c in el.children if isinstance(c, _Element)]
    return Node(el.tag, children=kids)


def html_tables(markdown: str) -> list[str]:
    """Every table of a document as HTML: pipe tables converted, HTML tables as written."""
    return TABLE_HTML_RE.findall(pipe_tables_to_html(markdown))


def tables_tree(tables: list[str]) -> Node:
    builder = _TreeBuilder()
    builder.feed("".join(tables))
    builder.close()
    roots = [c for c in builder.root.children if isinstance(c, _Element)]
    return Node("body", children=[_table_node(t) for t in roots])


class _TedsConfig(Config):
    def rename(self, a: Node, b: Node) -> float:
        if a.tag != b.tag or a.colspan != b.colspan or a.rowspan != b.rowspan:
            return 1.0
        if a.tag in ("td", "th") and (a.content or b.content):
            return Levenshtein.normalized_distance(a.content, b.content)
        return 0.0

    def children(self, node: Node) -> list[Node]:
        return node.children


def teds(truth: str, pred: str) -> float | None:
    """Table similarity, or None when the ground truth has no table."""
    truth_tables = html_tables(truth)
    if not truth_tables:
        return None
    pred_tables = html_tables(pred)
    if not pred_tables:
        return 0.0
    a, b = tables_tree(truth_tables), tables_tree(pred_tables)
    nodes = max(a.size(), b.size()) - 1  # the shared root is not a table node
    distance = APTED(b, a, _TedsConfig()).compute_edit_distance()
    return max(0.0, 1.0 - distance / nodes)


# ---------------------------------------------------------------- MHS


def heading_tree(markdown: str) -> tuple[Node, int]:
    """Headings nested by level, each with the text under it as one leaf; and the heading count.

    Text before the first heading hangs under the root. Tables count as text (as HTML).
    """
    root = Node("root")
    stack: list[tuple[int, Node]] = [(0, root)]
    text: list[str] = []
    headings = 0
    fenced = False

    def flush() -> None:
        joined = collapse(" ".join(text))
        if joined:
            stack[-1][1].children.append(Node("text", text=joined))
        text.clear()

    for line in pipe_tables_to_html(markdown).split("\n"):
        if _FENCE_RE.match(line):
            fenced = not fenced
        m = None if fenced else _HEADING_RE.match(line)
        if m is None:
            text.append(line)
            continue
        flush()
        level = len(m.group(1))
        node = Node(f"h{level}", text=collapse(m.group(2) or ""))
        while stack[-1][0] >= level:
            stack.pop()
        stack[-1][1].children.append(node)
        stack.append((level, node))
        headings += 1
    flush()
    return root, headings


class _MhsConfig(Config):
    def rename(self, a: Node, b: Node) -> float:
        if (a.tag == "text") != (b.tag == "text"):
            return 1.0
        if a.tag != b.tag:
            return 1.0
        if not a.text and not b.text:
            return 0.0
        return Levenshtein.normalized_distance(a.text, b.text)

    def children(self, node: Node) -> list[Node]:
        return node.children


def mhs(truth: str, pred: str) -> float | None:
    """Heading-structure similarity, or None when the ground truth has no heading."""
    a, truth_headings = heading_tree(truth)
    if not truth_headings:
        return None
    b, pred_headings = heading_tree(pred)
    if not pred_headings:
        return 0.0
    distance = APTED(b, a, _MhsConfig()).compute_edit_distance()
    return max(0.0, 1.0 - distance / max(a.size(), b.size()))


# ---------------------------------------------------------------- overall, recall


@dataclass(frozen=True)
class Scores:
    """One document's scores; a metric that does not apply is None."""

    nid: float
    teds: float | None
    mhs: float | None

    @property
    def overall(self) -> float:
        values = [v for v in (self.nid, self.teds, self.mhs) if v is not None]
        return sum(values) / len(values)


def score(truth: str, pred: str) -> Scores:
    return Scores(nid(truth, pred), teds(truth, pred), mhs(truth, pred))


def plain(markdown: str) -> str:
    """Words only: tags, whitespace and Markdown punctuation removed (for recall)."""
    return _RECALL_STRIP_RE.sub("", unescape(_TAG_RE.sub("", markdown)))


def recall(truth: str, pred: str) -> float:
    """Share of the truth's characters found, in order, in the prediction (LCS / len(truth))."""
    a, b = plain(truth), plain(pred)
    if not a:
        return 1.0
    return LCSseq.similarity(a, b) / len(a)
