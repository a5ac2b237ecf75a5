"""HWPX (OWPML zip): body paragraphs and tables of the Contents/section*.xml members."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from kscrape.extract.blocks import Block, collapse_spaces
from kscrape.extract.budget import Budget

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
# Controls whose content the viewer shows as part of the body.
_NOTE_CTRLS = {"footNote", "endNote"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def hwpx_blocks(data: bytes, budget: Budget) -> list[Block]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = _hwpx_sections(zf)
        if not names:
            raise KeyError("no Contents/section*.xml")
        blocks: list[Block] = []
        for name in names:
            root = ET.fromstring(_read_member(zf, name, budget))
            for p in root:
                if _local(p.tag) == "p":
                    blocks.extend(_paragraph_blocks(p))
        return blocks


def _hwpx_sections(zf: zipfile.ZipFile) -> list[str]:
    """Sections in spine order when content.hpf lists them, else by section number."""
    present = {n for n in zf.namelist() if SECTION_RE.fullmatch(n)}
    ordered: list[str] = []
    try:
        hpf = (
            zf.read("Contents/content.hpf")
            if zf.getinfo("Contents/content.hpf").file_size < (1 << 20)
            else b""
        )
        ordered = _spine_order(hpf, present)
    except (KeyError, ET.ParseError):
        ordered = []
    rest = sorted(present - set(ordered), key=lambda n: int(SECTION_RE.fullmatch(n)[1]))
    return ordered + rest


def _spine_order(hpf: bytes, present: set[str]) -> list[str]:
    if not hpf:
        return []
    root = ET.fromstring(hpf)
    hrefs: dict[str, str] = {}
    order: list[str] = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "item" and el.get("id") and el.get("href"):
            hrefs[el.get("id", "")] = el.get("href", "")
        elif name == "itemref":
            order.append(el.get("idref", ""))
    out: list[str] = []
    for ref in order:
        href = hrefs.get(ref, "")
        if href in present and href not in out:
            out.append(href)
    return out


def _read_member(zf: zipfile.ZipFile, name: str, budget: Budget) -> bytes:
    """Read a zip member in chunks, charging the budget as it inflates (sizes can lie)."""
    chunks: list[bytes] = []
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 16):
            budget.take(len(chunk))
            chunks.append(chunk)
    return b"".join(chunks)


def _paragraph_blocks(p: ET.Element) -> list[Block]:
    """A paragraph's text, with tables and text boxes it anchors as separate blocks in order."""
    blocks: list[Block] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            blocks.append(Block("".join(buf)))
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
                blocks.append(Block(_table_text(obj), table=True))
            elif name in _SHAPES or name in _NOTE_CTRLS or name == "ctrl":
                inner = list(_object_paragraphs(obj))
                if inner:
                    flush()
                    blocks.extend(inner)
            elif name in ("pic", "ole", "equation", "video"):
                caption = list(_caption_paragraphs(obj))
                if caption:
                    flush()
                    blocks.extend(caption)
    flush()
    return blocks


def _t_text(t: ET.Element) -> str:
    parts = [t.text or ""]
    for child in t:
        parts.append(_T_CHARS.get(_local(child.tag), ""))
        parts.append(child.tail or "")
    return "".join(parts)


def _object_paragraphs(obj: ET.Element) -> Iterator[Block]:
    """Body paragraphs inside a shape's text box, a footnote, or a group of shapes.

    Header/footer, page numbers, fields and hidden comments under hp:ctrl are skipped: the
    viewer does not show them as body.
    """
    name = _local(obj.tag)
    if name == "ctrl":
        for child in obj:
            if _local(child.tag) in _NOTE_CTRLS:
                yield from _object_paragraphs(child)
        return
    for child in obj:
        cname = _local(child.tag)
        if cname in ("drawText", "subList") or cname in _NOTE_CTRLS:
            yield from _sublist_paragraphs(child)
        elif cname in _SHAPES:
            yield from _object_paragraphs(child)


def _caption_paragraphs(obj: ET.Element) -> Iterator[Block]:
    for child in obj:
        if _local(child.tag) == "caption":
            yield from _sublist_paragraphs(child)


def _sublist_paragraphs(container: ET.Element) -> Iterator[Block]:
    for el in container:
        name = _local(el.tag)
        if name == "subList":
            yield from _sublist_paragraphs(el)
        elif name == "p":
            yield from _paragraph_blocks(el)


def _table_text(tbl: ET.Element) -> str:
    rows: list[str] = []
    for tr in tbl:
        if _local(tr.tag) != "tr":
            continue
        cells = [_cell_text(tc) for tc in tr if _local(tc.tag) == "tc"]
        if any(cells):
            rows.append("\t".join(cells))
    return "\n".join(rows)


def _cell_text(tc: ET.Element) -> str:
    """A cell on one line: its paragraphs (and any nested table's rows) joined by spaces."""
    parts: list[str] = []
    for block in _sublist_paragraphs(tc):
        parts.extend(collapse_spaces(line) for line in block.text.split("\n"))
    return " ".join(p for p in parts if p)
