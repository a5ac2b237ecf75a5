"""HWPX (OWPML zip): the ordered blocks of the Contents/section*.xml members.

Each `hp:p` gives a paragraph; the tables, text boxes and pictures it anchors follow it as
their own blocks, in reading order. A table cell's position and span come from OWPML's own
`hp:cellAddr` / `hp:cellSpan`, and its content is blocks again (paragraphs, nested tables).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree import ElementTree as ET

from kscrape.extract.budget import Budget
from kscrape.extract.layout import text_paragraph
from kscrape.extract.model import (
    MAX_GRID,
    Block,
    Cell,
    Footnote,
    Image,
    Table,
    grid_cell,
    grid_size,
    paragraph_text,
)

SECTION_RE = re.compile(r"Contents/section(\d+)\.xml")

# Inside hp:t, these empty elements stand for characters.
_T_CHARS = {
    "tab": " ",
    "lineBreak": " ",
    "fwSpace": " ",
    "nbSpace": " ",
    "hyphen": "-",
}
# Drawing objects whose text box (hp:drawText) is body text.
_SHAPES = {
    "rect",
    "ellipse",
    "arc",
    "polygon",
    "curve",
    "connectLine",
    "line",
    "container",
    "textart",
}
_NOTE_CTRLS = {"footNote", "endNote"}
_CAPTIONED = {"ole", "equation", "video"}


# Layout records (line segments, cell sizes and margins, shape geometry) are most of a section's
# bytes and none of its text: they are cut before parsing, which halves the parse time. The
# empty elements that stand for characters or carry a cell's place are kept.
_LAYOUT_RE = re.compile(
    rb"<hp:linesegarray>.*?</hp:linesegarray>"
    rb"|<h[pc]:(?!(?:cellAddr|cellSpan|tab|lineBreak|fwSpace|nbSpace|hyphen|img)\b)\w+\b[^>]*/>",
    re.S,
)


# A document uses a few dozen tag names; a hostile one cannot make the cache grow past this.
@lru_cache(maxsize=1024)
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_section(xml: bytes) -> ET.Element:
    """The section's element tree, read without its layout records when that parses."""
    try:
        return ET.fromstring(_LAYOUT_RE.sub(b"", xml))
    except ET.ParseError:
        return ET.fromstring(xml)


def hwpx_blocks(data: bytes, budget: Budget) -> list[Block]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        package = _Package.read(zf)
        if not package.sections:
            raise KeyError("no Contents/section*.xml")
        reader = _Reader(package.images)
        blocks: list[Block] = []
        for name in package.sections:
            root = _parse_section(_read_member(zf, name, budget))
            for p in root:
                if _local(p.tag) == "p":
                    blocks.extend(reader.paragraph(p))
        return blocks


@dataclass
class _Package:
    """What content.hpf says: the sections in spine order and the file name of each picture."""

    sections: list[str]
    images: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, zf: zipfile.ZipFile) -> _Package:
        present = {n for n in zf.namelist() if SECTION_RE.fullmatch(n)}
        hrefs: dict[str, str] = {}
        order: list[str] = []
        try:
            info = zf.getinfo("Contents/content.hpf")
            if info.file_size < (1 << 20):
                hrefs, order = _manifest(zf.read(info))
        except (KeyError, ET.ParseError):
            pass
        ordered: list[str] = []
        for ref in order:
            href = hrefs.get(ref, "")
            if href in present and href not in ordered:
                ordered.append(href)
        rest = sorted(present - set(ordered), key=lambda n: int(SECTION_RE.fullmatch(n)[1]))
        images = {k: posixpath.basename(v) for k, v in hrefs.items() if v.startswith("BinData/")}
        return cls(ordered + rest, images)


def _manifest(hpf: bytes) -> tuple[dict[str, str], list[str]]:
    root = ET.fromstring(hpf)
    hrefs: dict[str, str] = {}
    order: list[str] = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "item" and el.get("id") and el.get("href"):
            hrefs[el.get("id", "")] = el.get("href", "")
        elif name == "itemref":
            order.append(el.get("idref", ""))
    return hrefs, order


def _read_member(zf: zipfile.ZipFile, name: str, budget: Budget) -> bytes:
    """Read a zip member in chunks, charging the budget as it inflates (sizes can lie)."""
    chunks: list[bytes] = []
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 16):
            budget.take(len(chunk))
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class _Reader:
    images: dict[str, str]

    def paragraph(self, p: ET.Element) -> list[Block]:
        """A paragraph's text, then the tables, text boxes and pictures it anchors, in order.

        Footnotes and endnotes follow the paragraph that refers to them. Header/footer, page
        numbers, fields and hidden comments under hp:ctrl are skipped: they are not body.
        """
        blocks: list[Block] = []
        notes: list[Block] = []
        buf: list[str] = []

        def flush() -> None:
            paragraph = text_paragraph("".join(buf))
            if paragraph is not None:
                blocks.append(paragraph)
            buf.clear()

        for run in p:
            if _local(run.tag) != "run":
                continue
            for obj in run:
                name = _local(obj.tag)
                if name == "t":
                    buf.append(_t_text(obj))
                elif name == "tbl":
                    flush()
                    blocks.append(self.table(obj))
                elif name in _SHAPES:
                    inner = self.shape(obj)
                    if inner:
                        flush()
                        blocks.extend(inner)
                elif name == "ctrl":
                    notes.extend(self.notes(obj))
                elif name == "pic":
                    flush()
                    blocks.append(self.picture(obj))
                elif name in _CAPTIONED:
                    caption = self.caption(obj)
                    if caption:
                        flush()
                        blocks.extend(caption)
        flush()
        return blocks + notes

    def sublist(self, container: ET.Element) -> list[Block]:
        out: list[Block] = []
        for el in container:
            name = _local(el.tag)
            if name == "subList":
                out.extend(self.sublist(el))
            elif name == "p":
                out.extend(self.paragraph(el))
        return out

    def table(self, tbl: ET.Element) -> Table:
        cells: list[Cell] = []
        for r, tr in enumerate(el for el in tbl if _local(el.tag) == "tr"):
            col = 0
            for tc in tr:
                if _local(tc.tag) == "tc":
                    cell = self.cell(tc, r, col)
                    cells.append(cell)
                    col = cell.col + cell.colspan
        rows, cols = grid_size(cells)
        rows = max(rows, min(_int(tbl.get("rowCnt")), MAX_GRID))
        cols = max(cols, min(_int(tbl.get("colCnt")), MAX_GRID))
        return Table(tuple(cells), rows, cols)

    def cell(self, tc: ET.Element, tr_index: int, next_col: int) -> Cell:
        """A cell at its hp:cellAddr with its hp:cellSpan; without them, next in its row."""
        addr = span = None
        for child in tc:
            name = _local(child.tag)
            if name == "cellAddr":
                addr = child
            elif name == "cellSpan":
                span = child
        rowspan = _int(span.get("rowSpan"), 1) if span is not None else 1
        colspan = _int(span.get("colSpan"), 1) if span is not None else 1
        if addr is not None:
            row, col = _int(addr.get("rowAddr")), _int(addr.get("colAddr"))
        else:
            row, col = tr_index, next_col
        return grid_cell(row, col, tuple(self.sublist(tc)), rowspan, colspan)

    def shape(self, obj: ET.Element) -> list[Block]:
        """Paragraphs of a shape's text box, or of the shapes a group contains."""
        out: list[Block] = []
        for child in obj:
            name = _local(child.tag)
            if name in ("drawText", "subList"):
                out.extend(self.sublist(child))
            elif name in _SHAPES:
                out.extend(self.shape(child))
            elif name == "pic":
                out.append(self.picture(child))
        return out

    def notes(self, ctrl: ET.Element) -> list[Block]:
        out: list[Block] = []
        for child in ctrl:
            if _local(child.tag) in _NOTE_CTRLS:
                text = paragraph_text(self.sublist(child))
                if text:
                    number = child.get("number", "")
                    out.append(Footnote(text, f"{number})" if number else ""))
        return out

    def picture(self, pic: ET.Element) -> Image:
        imgs = (el for el in pic.iter() if _local(el.tag) == "img")
        ref = next((el.get("binaryItemIDRef", "") for el in imgs), "")
        caption = paragraph_text(self.caption(pic))
        return Image(self.images.get(ref, ref or "image"), caption)

    def caption(self, obj: ET.Element) -> list[Block]:
        out: list[Block] = []
        for child in obj:
            if _local(child.tag) == "caption":
                out.extend(self.sublist(child))
        return out


def _t_text(t: ET.Element) -> str:
    parts = [t.text or ""]
    for child in t:
        parts.append(_T_CHARS.get(_local(child.tag), ""))
        parts.append(child.tail or "")
    return "".join(parts)


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
