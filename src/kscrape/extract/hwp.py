"""HWP 5 (compound file of BodyText/Section* record streams): body paragraphs and tables."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass, field

import olefile

from kscrape.extract.blocks import (
    DAMAGED,
    ENCRYPTED,
    UNSUPPORTED,
    Block,
    Extraction,
    collapse_spaces,
    finish,
    one_line,
)
from kscrape.extract.budget import Budget, budget_for

HWP3_MAGIC = b"HWP Document File V3"
HWP5_SIGNATURE = b"HWP Document File"


HWPTAG_BEGIN = 16
TAG_PARA_HEADER = HWPTAG_BEGIN + 50
TAG_PARA_TEXT = HWPTAG_BEGIN + 51
TAG_CTRL_HEADER = HWPTAG_BEGIN + 55
TAG_LIST_HEADER = HWPTAG_BEGIN + 56

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
        if not sections:
            return Extraction("hwp", "", DAMAGED, "no BodyText sections")
        budget = budget_for(data)

        def blocks() -> list[Block]:
            out: list[Block] = []
            for path in sections:
                raw = ole.openstream(path).read()
                stream = _inflate(raw, budget) if compressed else raw
                out.extend(_hwp_section_blocks(stream))
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


def _hwp_section_blocks(stream: bytes) -> list[Block]:
    blocks: list[Block] = []
    for rec in _hwp_tree(_hwp_records(stream)):
        if rec.tag == TAG_PARA_HEADER:
            blocks.extend(_hwp_paragraph_blocks(rec))
    return blocks


def _hwp_paragraph_blocks(para: _Record) -> list[Block]:
    """Text of a paragraph, with the tables/text boxes it anchors placed where they stand."""
    text_rec = next((c for c in para.children if c.tag == TAG_PARA_TEXT), None)
    ctrls = [c for c in para.children if c.tag == TAG_CTRL_HEADER]
    pieces = _hwp_text_pieces(text_rec.payload) if text_rec else []
    blocks: list[Block] = []
    buf: list[str] = []
    ctrl_iter = iter(ctrls)
    for piece in pieces:
        if isinstance(piece, str):
            buf.append(piece)
            continue
        ctrl = next(ctrl_iter, None)
        if ctrl is None:
            continue
        inner = _hwp_ctrl_blocks(ctrl)
        if inner:
            if buf:
                blocks.append(Block("".join(buf)))
                buf = []
            blocks.extend(inner)
    if buf:
        blocks.append(Block("".join(buf)))
    return blocks


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


def _hwp_ctrl_blocks(ctrl: _Record) -> list[Block]:
    cid = _ctrl_id(ctrl)
    if cid in _SKIPPED_CTRL_IDS:
        return []
    if cid == "tbl ":
        table = _hwp_table(ctrl)
        return [Block(table, table=True)] if table else []
    out: list[Block] = []
    _collect_paragraphs(ctrl, out)
    return out


def _collect_paragraphs(rec: _Record, out: list[Block]) -> None:
    """Paragraphs of a text box, footnote or shape group, depth first in document order."""
    for child in rec.children:
        if child.tag == TAG_PARA_HEADER:
            out.extend(_hwp_paragraph_blocks(child))
        elif child.tag == TAG_CTRL_HEADER:
            out.extend(_hwp_ctrl_blocks(child))
        else:
            _collect_paragraphs(child, out)


def _hwp_table(ctrl: _Record) -> str:
    """Rows of a table: cells are LIST_HEADERs, each followed by its paragraphs."""
    cells: list[tuple[int, int, list[Block]]] = []
    current: list[Block] | None = None
    for child in ctrl.children:
        if child.tag == TAG_LIST_HEADER:
            row, col = _cell_address(child.payload)
            current = []
            cells.append((row, col, current))
        elif child.tag == TAG_PARA_HEADER and current is not None:
            current.extend(_hwp_paragraph_blocks(child))
    rows: dict[int, list[tuple[int, str]]] = {}
    for row, col, blocks in cells:
        parts = [collapse_spaces(line) for block in blocks for line in block.text.split("\n")]
        rows.setdefault(row, []).append((col, " ".join(p for p in parts if p)))
    lines = []
    for row in sorted(rows):
        texts = [t for _, t in sorted(rows[row])]
        if any(texts):
            lines.append("\t".join(texts))
    return "\n".join(lines)


def _cell_address(payload: bytes) -> tuple[int, int]:
    """Row and column of a table cell from its LIST_HEADER (after the 8-byte list header)."""
    if len(payload) >= 12:
        col, row = struct.unpack_from("<HH", payload, 8)
        return row, col
    return 0, 0
