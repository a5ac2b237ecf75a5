"""HWP 5 (compound file of BodyText/Section* record streams): the ordered blocks of the body.

A paragraph record owns its text and the controls it anchors (tables, text boxes, pictures,
notes); a table's cells are LIST_HEADER records carrying their column, row and spans, each
followed by the cell's paragraphs.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass, field

import olefile

from kscrape.extract.blocks import DAMAGED, ENCRYPTED, UNSUPPORTED, Extraction, finish, one_line
from kscrape.extract.budget import Budget, budget_for
from kscrape.extract.layout import text_paragraph
from kscrape.extract.model import (
    Block,
    Footnote,
    Image,
    Table,
    grid_cell,
    grid_size,
    paragraph_text,
)

HWP3_MAGIC = b"HWP Document File V3"
HWP5_SIGNATURE = b"HWP Document File"


HWPTAG_BEGIN = 16
TAG_PARA_HEADER = HWPTAG_BEGIN + 50
TAG_PARA_TEXT = HWPTAG_BEGIN + 51
TAG_CTRL_HEADER = HWPTAG_BEGIN + 55
TAG_LIST_HEADER = HWPTAG_BEGIN + 56
TAG_SHAPE_PICTURE = HWPTAG_BEGIN + 69

FLAG_COMPRESSED = 0x01
FLAG_PASSWORD = 0x02
FLAG_DISTRIBUTION = 0x04
FLAG_DRM = 0x10

# Control characters that occupy one UTF-16 unit; every other code below 32 carries an
# 8-unit span (the code, a 12-byte payload, the code again).
_SINGLE_UNIT_CTRLS = frozenset({0, 10, 13, 24, 25, 26, 27, 28, 29, 30, 31})
_CHAR_OF_CTRL = {9: " ", 10: " ", 24: "-", 30: " ", 31: " "}
# Controls whose paragraphs are not body text: header, footer, hidden comment, page number
# position, auto numbers, bookmarks, fields.
_SKIPPED_CTRL_IDS = {"head", "foot", "tcmt", "pgnp", "atno", "nwno", "bokm", "pghd", "idxm"}
_NOTE_CTRL_IDS = {"fn  ", "en  "}


@dataclass
class _Record:
    tag: int
    level: int
    payload: bytes
    children: list[_Record] = field(default_factory=list)


def open_ole(data: bytes) -> olefile.OleFileIO | None:
    try:
        return olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, struct.error, IndexError):
        return None


def extract_hwp(data: bytes) -> Extraction:
    """HWP 5: refuse encrypted and distribution files, then read every BodyText section."""
    if data.startswith(HWP3_MAGIC):
        return Extraction("hwp", "", UNSUPPORTED, "HWP 3 document")
    ole = open_ole(data)
    if ole is None:
        return Extraction("hwp", "", DAMAGED, "unreadable compound file")
    with ole:
        try:
            header = ole.openstream("FileHeader").read(256)
        except OSError as exc:
            return Extraction("hwp", "", DAMAGED, one_line(exc))
        if not header.startswith(HWP5_SIGNATURE) or len(header) < 40:
            return Extraction("hwp", "", UNSUPPORTED, "not an HWP 5 file header")
        flags = struct.unpack_from("<I", header, 36)[0]
        if flags & FLAG_PASSWORD:
            return Extraction("hwp", "", ENCRYPTED, "password-protected HWP")
        if flags & (FLAG_DISTRIBUTION | FLAG_DRM) or ole.exists("ViewText"):
            return Extraction("hwp", "", ENCRYPTED, "distribution (배포용) HWP")
        compressed = bool(flags & FLAG_COMPRESSED)
        sections = _hwp_sections(ole)
        images = _bin_names(ole)
        if not sections:
            return Extraction("hwp", "", DAMAGED, "no BodyText sections")
        budget = budget_for(data)

        def blocks() -> list[Block]:
            out: list[Block] = []
            for path in sections:
                raw = ole.openstream(path).read()
                stream = _inflate(raw, budget) if compressed else raw
                out.extend(_hwp_section_blocks(stream, images))
            return out

        return finish("hwp", blocks)


def _hwp_sections(ole: olefile.OleFileIO) -> list[str]:
    names = [
        "/".join(entry)
        for entry in ole.listdir()
        if len(entry) == 2 and entry[0] == "BodyText" and entry[1].startswith("Section")
    ]
    return sorted(names, key=lambda n: int("0" + "".join(filter(str.isdigit, n))))


def _inflate(raw: bytes, budget: Budget) -> bytes:
    """Raw-deflate with a running size check, so a bomb stops at the budget."""
    d = zlib.decompressobj(-15)
    out: list[bytes] = []
    pos = 0
    while pos < len(raw):
        chunk = d.decompress(raw[pos : pos + (1 << 16)], 1 << 20)
        pos += 1 << 16
        budget.take(len(chunk))
        out.append(chunk)
        while d.unconsumed_tail:
            chunk = d.decompress(d.unconsumed_tail, 1 << 20)
            budget.take(len(chunk))
            out.append(chunk)
        if d.eof:
            break
    return b"".join(out)


def _hwp_records(stream: bytes) -> list[_Record]:
    records: list[_Record] = []
    pos = 0
    end = len(stream)
    while pos + 4 <= end:
        (head,) = struct.unpack_from("<I", stream, pos)
        pos += 4
        tag, level, size = head & 0x3FF, (head >> 10) & 0x3FF, head >> 20
        if size == 0xFFF:
            if pos + 4 > end:
                raise ValueError("truncated record header")
            (size,) = struct.unpack_from("<I", stream, pos)
            pos += 4
        if pos + size > end:
            raise ValueError("truncated record")
        records.append(_Record(tag, level, stream[pos : pos + size]))
        pos += size
    return records


def _hwp_tree(records: list[_Record]) -> list[_Record]:
    """Nest records by level: each record owns the deeper records that follow it."""
    roots: list[_Record] = []
    stack: list[_Record] = []
    for rec in records:
        while stack and stack[-1].level >= rec.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(rec)
        stack.append(rec)
    return roots


def _hwp_section_blocks(stream: bytes, images: dict[int, str]) -> list[Block]:
    reader = _Reader(images)
    blocks: list[Block] = []
    for rec in _hwp_tree(_hwp_records(stream)):
        if rec.tag == TAG_PARA_HEADER:
            blocks.extend(reader.paragraph(rec))
    return blocks


@dataclass
class _Reader:
    images: dict[int, str]

    def paragraph(self, para: _Record) -> list[Block]:
        """A paragraph's text, then the tables, text boxes and pictures it anchors, in order.

        Footnotes and endnotes follow the paragraph that refers to them.
        """
        text_rec = next((c for c in para.children if c.tag == TAG_PARA_TEXT), None)
        ctrls = iter([c for c in para.children if c.tag == TAG_CTRL_HEADER])
        pieces = _hwp_text_pieces(text_rec.payload) if text_rec else []
        blocks: list[Block] = []
        notes: list[Block] = []
        buf: list[str] = []

        def flush() -> None:
            paragraph = text_paragraph("".join(buf))
            if paragraph is not None:
                blocks.append(paragraph)
            buf.clear()

        for piece in pieces:
            if isinstance(piece, str):
                buf.append(piece)
                continue
            ctrl = next(ctrls, None)
            if ctrl is None:
                continue
            cid = _ctrl_id(ctrl)
            if cid in _NOTE_CTRL_IDS:
                text = paragraph_text(self.nested(ctrl))
                if text:
                    notes.append(Footnote(text))
                continue
            inner = self.control(ctrl)
            if inner:
                flush()
                blocks.extend(inner)
        flush()
        return blocks + notes

    def control(self, ctrl: _Record) -> list[Block]:
        cid = _ctrl_id(ctrl)
        if cid in _SKIPPED_CTRL_IDS:
            return []
        if cid == "tbl ":
            return [self.table(ctrl)]
        return self.nested(ctrl)

    def nested(self, rec: _Record) -> list[Block]:
        """Blocks of a text box, footnote or shape group, depth first in document order."""
        out: list[Block] = []
        for child in rec.children:
            if child.tag == TAG_PARA_HEADER:
                out.extend(self.paragraph(child))
            elif child.tag == TAG_CTRL_HEADER:
                out.extend(self.control(child))
            elif child.tag == TAG_SHAPE_PICTURE:
                out.append(Image(self.images.get(_bin_item(child.payload), "image")))
            else:
                out.extend(self.nested(child))
        return out

    def table(self, ctrl: _Record) -> Table:
        """A table: each LIST_HEADER is a cell (col, row, colspan, rowspan), then its paragraphs."""
        cells: list[tuple[tuple[int, int, int, int], list[Block]]] = []
        current: list[Block] | None = None
        for child in ctrl.children:
            if child.tag == TAG_LIST_HEADER:
                current = []
                cells.append((_cell_address(child.payload), current))
            elif child.tag == TAG_PARA_HEADER and current is not None:
                current.extend(self.paragraph(child))
        out = tuple(
            grid_cell(row, col, tuple(blocks), rowspan, colspan)
            for (row, col, rowspan, colspan), blocks in cells
        )
        return Table(out, *grid_size(out))


def _hwp_text_pieces(payload: bytes) -> list[str | int]:
    """Split PARA_TEXT into strings and extended-control markers (their char code)."""
    n = len(payload) // 2
    units = struct.unpack(f"<{n}H", payload[: n * 2])
    pieces: list[str | int] = []
    buf: list[str] = []
    i = 0
    while i < n:
        u = units[i]
        if u >= 32:
            buf.append(chr(u))
            i += 1
            continue
        if u in _SINGLE_UNIT_CTRLS:
            buf.append(_CHAR_OF_CTRL.get(u, ""))
            i += 1
            continue
        if u in _CHAR_OF_CTRL:
            buf.append(_CHAR_OF_CTRL[u])
        elif u not in (4, 5, 6, 7, 8, 19, 20):
            if buf:
                pieces.append("".join(buf))
                buf = []
            pieces.append(u)
        i += 8
    if buf:
        pieces.append("".join(buf))
    return [p for p in pieces if not isinstance(p, str) or p] if pieces else []


def _ctrl_id(rec: _Record) -> str:
    return rec.payload[:4][::-1].decode("latin-1") if len(rec.payload) >= 4 else ""


def _cell_address(payload: bytes) -> tuple[int, int, int, int]:
    """Row, column, rowspan and colspan of a table cell from its LIST_HEADER.

    After the 8-byte list header come the column, row, column span and row span (UINT16 each).
    """
    if len(payload) >= 16:
        col, row, colspan, rowspan = struct.unpack_from("<HHHH", payload, 8)
        return row, col, max(1, rowspan), max(1, colspan)
    if len(payload) >= 12:
        col, row = struct.unpack_from("<HH", payload, 8)
        return row, col, 1, 1
    return 0, 0, 1, 1


def _bin_item(payload: bytes) -> int:
    """The BinData item a SHAPE_COMPONENT_PICTURE draws (UINT16 after border, clip and margins)."""
    return struct.unpack_from("<H", payload, 71)[0] if len(payload) >= 73 else 0


def _bin_names(ole: olefile.OleFileIO) -> dict[int, str]:
    """BinData item id → stream name ("BIN0002.jpg")."""
    out: dict[int, str] = {}
    for entry in ole.listdir():
        if len(entry) == 2 and entry[0] == "BinData":
            stem = entry[1].split(".", 1)[0]
            if stem[:3].upper() == "BIN" and stem[3:].isalnum():
                try:
                    out[int(stem[3:], 16)] = entry[1]
                except ValueError:
                    continue
    return out
