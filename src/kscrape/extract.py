"""Body text of a release from its attachment (HWPX, HWP 5 or PDF).

korea.kr shows most releases only through a document viewer, so the attachment is the
only place the full text lives. Extraction aims at what that viewer shows as body:
paragraphs separated by a blank line, each table row on one line with tab-separated cells,
and nothing from page headers/footers, page numbers, image descriptions or field codes.

Every result carries a status so callers never store junk: a document we cannot read
honestly (encrypted, damaged, garbled) says so instead of returning noise.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import olefile

from kscrape.errors import ExtractError
from kscrape.text import clean_block, clean_inline

OK = "ok"
ENCRYPTED = "encrypted"
UNSUPPORTED = "unsupported"
GARBLED = "garbled"
EMPTY = "empty"
DAMAGED = "damaged"

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
HWP3_MAGIC = b"HWP Document File V3"
HWP5_SIGNATURE = b"HWP Document File"

MAX_INFLATE_RATIO = 20
MAX_INFLATE_BYTES = 200 * 1024 * 1024
MIN_HANGUL_RATIO = 0.3
MAX_REPLACEMENT_RATIO = 0.1


@dataclass(frozen=True)
class Extraction:
    """Text pulled from one attachment, and whether it can be trusted."""

    format: str
    text: str
    status: str
    detail: str = ""


class _TooBig(Exception):
    """Decompressed content exceeded its budget: treat the input as damaged."""


@dataclass
class _Budget:
    """How many decompressed bytes one input may still produce (zip-bomb guard)."""

    remaining: int

    def take(self, n: int) -> None:
        self.remaining -= n
        if self.remaining < 0:
            raise _TooBig


def _budget_for(data: bytes) -> _Budget:
    return _Budget(min(MAX_INFLATE_BYTES, MAX_INFLATE_RATIO * max(len(data), 1)))


# ---------------------------------------------------------------- sniffing


def sniff(data: bytes) -> str:
    """Kind of document by magic bytes: hwpx, hwp, pdf, html, zip or other.

    File names on korea.kr lie (HWP 5 binaries are served as .hwpx), so only the bytes count.
    """
    if data.startswith(ZIP_MAGIC):
        return "hwpx" if _zip_is_hwpx(data) else "zip"
    if data.startswith(CFB_MAGIC):
        return "hwp" if _cfb_is_hwp(data) else "other"
    if data.startswith(HWP3_MAGIC):
        return "hwp"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n\f\x00")[:1024].startswith(b"%PDF"):
        return "pdf"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\f").lower()
    if head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml")) and (
        b"<html" in data[:4096].lower() or head.startswith((b"<!doctype html", b"<html"))
    ):
        return "html"
    return "other"


def _zip_is_hwpx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if any(_SECTION_RE.fullmatch(n) for n in names):
                return True
            if "mimetype" in names:
                info = zf.getinfo("mimetype")
                return info.file_size < 100 and b"hwp" in zf.read("mimetype").lower()
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return _zip_local_header_is_hwpx(data)
    return False


def _zip_local_header_is_hwpx(data: bytes) -> bool:
    """A truncated zip lacks its central directory; its first local entry still tells."""
    name_len, extra_len = struct.unpack_from("<HH", data, 26) if len(data) >= 30 else (0, 0)
    name = data[30 : 30 + name_len]
    if name == b"mimetype":
        start = 30 + name_len + extra_len
        return data[start : start + 40].startswith(b"application/hwp")
    return name.startswith(b"Contents/") or name == b"version.xml"


def _cfb_is_hwp(data: bytes) -> bool:
    ole = _open_ole(data)
    if ole is None:
        return HWP5_SIGNATURE in data[:65536] or "FileHeader".encode("utf-16-le") in data
    with ole:
        return ole.exists("FileHeader")


# ---------------------------------------------------------------- dispatch


def extract(data: bytes) -> Extraction:
    """Extract the body text of an attachment, dispatching on its magic bytes.

    Raises ExtractError for bytes that are not a document at all (an HTML error page,
    unknown binary); every document-shaped input yields an Extraction with a status.
    """
    kind = sniff(data)
    if kind == "html":
        raise ExtractError("not a document: looks like an HTML page")
    if kind == "other":
        raise ExtractError("not a document: unrecognised file type")
    if kind == "zip":
        return Extraction("zip", "", UNSUPPORTED, "zip archive without HWPX content")
    if kind == "hwpx":
        return _finish("hwpx", lambda: _hwpx_blocks(data, _budget_for(data)))
    if kind == "hwp":
        return _extract_hwp(data)
    return _extract_pdf(data)


def _finish(fmt: str, produce: Callable[[], list[_Block]]) -> Extraction:
    """Run a block producer, turning every way a broken file can fail into a status."""
    try:
        blocks = produce()
    except _TooBig:
        return Extraction(fmt, "", DAMAGED, "decompressed size exceeds the safety limit")
    except (zipfile.BadZipFile, ET.ParseError, zlib.error, EOFError, OSError) as exc:
        return Extraction(fmt, "", DAMAGED, _one_line(exc))
    except (KeyError, ValueError, IndexError, struct.error) as exc:
        return Extraction(fmt, "", DAMAGED, _one_line(exc))
    return _judge(fmt, _join_blocks(blocks))


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text[:200]


@dataclass(frozen=True)
class _Block:
    """A paragraph, or a table (rows on separate lines, cells tab-separated)."""

    text: str
    table: bool = False


_MASTHEAD_RE = re.compile(r"보\s*도\s*시\s*점|보\s*도\s*일\s*시|배\s*포\s*일\s*시|엠\s*바\s*고")
_CONTACT_RE = re.compile(r"담\s*당\s*(?:부\s*서|자|기\s*관)|책\s*임\s*자")
MASTHEAD_MAX_TABLES = 4


def _drop_masthead(blocks: list[_Block]) -> list[_Block]:
    """Drop the cover tables (release type, embargo time, title box) above the first paragraph.

    The viewer shows the title separately and not as body; the masthead is recognised by its
    embargo line ("보도시점") among the leading tables, and ends with the title box right after
    it. Leading tables further down are body: some releases set their whole text in a one-cell
    box, and a contact table up there stays too.
    """
    lead = 0
    while lead < len(blocks) and blocks[lead].table:
        lead += 1
    head = blocks[: min(lead, MASTHEAD_MAX_TABLES)]
    embargo = next((i for i, b in enumerate(head) if _MASTHEAD_RE.search(b.text)), None)
    if embargo is None:
        return blocks
    cover = min(embargo + 2, lead)
    kept = [b for b in blocks[:cover] if _CONTACT_RE.search(b.text) and "\t" in b.text]
    return kept + blocks[cover:]


def _join_blocks(blocks: Iterable[_Block]) -> str:
    return _clean_text("\n\n".join(b.text for b in _drop_masthead(_nonblank(blocks))))


def _nonblank(blocks: Iterable[_Block]) -> list[_Block]:
    return [b for b in blocks if b.text.strip()]


def _clean_text(text: str) -> str:
    """clean_block, except that table rows keep their tabs (clean_block turns them to spaces)."""
    if "\t" not in text:
        return clean_block(text)
    out: list[str] = []
    for line in text.split("\n"):
        cells = [clean_inline(cell) for cell in line.split("\t")]
        row = "\t".join(cells) if any(cells) else ""
        if row or (out and out[-1]):
            out.append(row)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _judge(fmt: str, text: str) -> Extraction:
    """Refuse to call junk "ok": empty, mostly U+FFFD, or too little Hangul for a Korean release."""
    if not text.strip():
        return Extraction(fmt, "", EMPTY, "no text found")
    if "(cid:" in text:
        return Extraction(fmt, "", GARBLED, "font without a Unicode map: (cid:…) glyphs")
    letters = [c for c in text if c.isalpha() or c == "\ufffd"]
    if letters:
        bad = sum(c == "\ufffd" for c in letters) / len(letters)
        if bad > MAX_REPLACEMENT_RATIO:
            return Extraction(fmt, "", GARBLED, f"{bad:.0%} of letters are U+FFFD")
        hangul = sum(_is_hangul(c) for c in letters) / len(letters)
        if hangul < MIN_HANGUL_RATIO:
            return Extraction(fmt, "", GARBLED, f"only {hangul:.0%} of letters are Hangul")
    return Extraction(fmt, text, OK)


def _is_hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" or "\u3130" <= c <= "\u318f"


# ---------------------------------------------------------------- HWPX

_SECTION_RE = re.compile(r"Contents/section(\d+)\.xml")

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


def _hwpx_blocks(data: bytes, budget: _Budget) -> list[_Block]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = _hwpx_sections(zf)
        if not names:
            raise KeyError("no Contents/section*.xml")
        blocks: list[_Block] = []
        for name in names:
            root = ET.fromstring(_read_member(zf, name, budget))
            for p in root:
                if _local(p.tag) == "p":
                    blocks.extend(_paragraph_blocks(p))
        return blocks


def _hwpx_sections(zf: zipfile.ZipFile) -> list[str]:
    """Sections in spine order when content.hpf lists them, else by section number."""
    present = {n for n in zf.namelist() if _SECTION_RE.fullmatch(n)}
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
    rest = sorted(present - set(ordered), key=lambda n: int(_SECTION_RE.fullmatch(n)[1]))
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


def _read_member(zf: zipfile.ZipFile, name: str, budget: _Budget) -> bytes:
    """Read a zip member in chunks, charging the budget as it inflates (sizes can lie)."""
    chunks: list[bytes] = []
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 16):
            budget.take(len(chunk))
            chunks.append(chunk)
    return b"".join(chunks)


def _paragraph_blocks(p: ET.Element) -> list[_Block]:
    """A paragraph's text, with tables and text boxes it anchors as separate blocks in order."""
    blocks: list[_Block] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            blocks.append(_Block("".join(buf)))
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
                blocks.append(_Block(_table_text(obj), table=True))
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


def _object_paragraphs(obj: ET.Element) -> Iterator[_Block]:
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


def _caption_paragraphs(obj: ET.Element) -> Iterator[_Block]:
    for child in obj:
        if _local(child.tag) == "caption":
            yield from _sublist_paragraphs(child)


def _sublist_paragraphs(container: ET.Element) -> Iterator[_Block]:
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
        parts.extend(_squash(line) for line in block.text.split("\n"))
    return " ".join(p for p in parts if p)


def _squash(s: str) -> str:
    return " ".join(s.split())


# ---------------------------------------------------------------- HWP 5

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


def _open_ole(data: bytes) -> olefile.OleFileIO | None:
    try:
        return olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, struct.error, IndexError):
        return None


def _extract_hwp(data: bytes) -> Extraction:
    """HWP 5: refuse encrypted and distribution files, then read every BodyText section."""
    if data.startswith(HWP3_MAGIC):
        return Extraction("hwp", "", UNSUPPORTED, "HWP 3 document")
    ole = _open_ole(data)
    if ole is None:
        return Extraction("hwp", "", DAMAGED, "unreadable compound file")
    with ole:
        try:
            header = ole.openstream("FileHeader").read(256)
        except OSError as exc:
            return Extraction("hwp", "", DAMAGED, _one_line(exc))
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
        budget = _budget_for(data)

        def blocks() -> list[_Block]:
            out: list[_Block] = []
            for path in sections:
                raw = ole.openstream(path).read()
                stream = _inflate(raw, budget) if compressed else raw
                out.extend(_hwp_section_blocks(stream))
            return out

        return _finish("hwp", blocks)


def _hwp_sections(ole: olefile.OleFileIO) -> list[str]:
    names = [
        "/".join(entry)
        for entry in ole.listdir()
        if len(entry) == 2 and entry[0] == "BodyText" and entry[1].startswith("Section")
    ]
    return sorted(names, key=lambda n: int("0" + "".join(filter(str.isdigit, n))))


def _inflate(raw: bytes, budget: _Budget) -> bytes:
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


def _hwp_section_blocks(stream: bytes) -> list[_Block]:
    blocks: list[_Block] = []
    for rec in _hwp_tree(_hwp_records(stream)):
        if rec.tag == TAG_PARA_HEADER:
            blocks.extend(_hwp_paragraph_blocks(rec))
    return blocks


def _hwp_paragraph_blocks(para: _Record) -> list[_Block]:
    """Text of a paragraph, with the tables/text boxes it anchors placed where they stand."""
    text_rec = next((c for c in para.children if c.tag == TAG_PARA_TEXT), None)
    ctrls = [c for c in para.children if c.tag == TAG_CTRL_HEADER]
    pieces = _hwp_text_pieces(text_rec.payload) if text_rec else []
    blocks: list[_Block] = []
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
                blocks.append(_Block("".join(buf)))
                buf = []
            blocks.extend(inner)
    if buf:
        blocks.append(_Block("".join(buf)))
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


def _hwp_ctrl_blocks(ctrl: _Record) -> list[_Block]:
    cid = _ctrl_id(ctrl)
    if cid in _SKIPPED_CTRL_IDS:
        return []
    if cid == "tbl ":
        table = _hwp_table(ctrl)
        return [_Block(table, table=True)] if table else []
    out: list[_Block] = []
    _collect_paragraphs(ctrl, out)
    return out


def _collect_paragraphs(rec: _Record, out: list[_Block]) -> None:
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
    cells: list[tuple[int, int, list[_Block]]] = []
    current: list[_Block] | None = None
    for child in ctrl.children:
        if child.tag == TAG_LIST_HEADER:
            row, col = _cell_address(child.payload)
            current = []
            cells.append((row, col, current))
        elif child.tag == TAG_PARA_HEADER and current is not None:
            current.extend(_hwp_paragraph_blocks(child))
    rows: dict[int, list[tuple[int, str]]] = {}
    for row, col, blocks in cells:
        parts = [_squash(line) for block in blocks for line in block.text.split("\n")]
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


# ---------------------------------------------------------------- PDF


def _extract_pdf(data: bytes) -> Extraction:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return Extraction("pdf", "", ENCRYPTED, "password-protected PDF")
            except (NotImplementedError, PdfReadError) as exc:
                return Extraction("pdf", "", ENCRYPTED, _one_line(exc))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        return Extraction("pdf", "", DAMAGED, _one_line(exc))
    except RecursionError:
        return Extraction("pdf", "", DAMAGED, "PDF object graph too deep")
    lines = [page.splitlines() for page in pages]
    if lines:
        lines[0] = _strip_pdf_masthead(lines[0])
    lines = _drop_repeated_headers(lines)
    blocks = [_Block(par) for page in lines for par in _pdf_paragraphs(page)]
    return _judge("pdf", _join_blocks(_nonblank(blocks)))


_BULLET_RE = re.compile(
    r"^(?:[□■☐○●◦◇◆◈▪▶▷▸►※☞❍❏➊-➓➀-➉❶-❿①-⑳ㅇ\-*·•▲▴◎✓✔]|\d+[.)]\s|[가-하][.)]\s|<|\[)"
)
_SENTENCE_END_RE = re.compile(r"[.!?](?:['\"”’)])?$|다$|\s-$")
_PAGE_NUMBER_RE = re.compile(r"^[-–—]?\s*\d{1,3}\s*[-–—]?$|^\d{1,3}\s*/\s*\d{1,3}$")


def _pdf_paragraphs(lines: list[str]) -> list[str]:
    """Re-join the visual lines of a PDF page into paragraphs.

    A line starts a new paragraph when it is indented, opens with a bullet mark or the
    previous line ended a sentence; otherwise it continues the previous one. pypdf keeps the
    space at the end of a line that wrapped between words, so a line without it was cut
    inside a word and is joined without a space.
    """
    paragraphs: list[str] = []
    open_tail = False
    for raw in lines:
        line = raw.strip()
        if not line or _PAGE_NUMBER_RE.match(line):
            continue
        indented = raw[:1].isspace()
        if paragraphs and open_tail and not indented and not _BULLET_RE.match(line):
            glue = " " if raw[-1:].isspace() or not paragraphs[-1] else ""
            paragraphs[-1] += glue + line
        else:
            paragraphs.append(line)
        open_tail = _SENTENCE_END_RE.search(line) is None
    return paragraphs


# The cover of a release, as the first PDF page shows it: a document-type label ("보도자료",
# "동정자료", "고용노동부 보도참고자료"), the embargo line and its continuations, the title and
# "- subtitle -" lines. Floating cover tables come out wherever pypdf meets them, often at
# the foot of page 1, so they are found by content, not by position.
_PDF_LABEL_RE = re.compile(
    r"(?:[가-힣]{1,12}\s+)?(?:보\s*도\s*참\s*고|보\s*도\s*설\s*명|공\s*동\s*보\s*도|보\s*도|설\s*명"
    r"|해\s*명|동\s*정|참\s*고|정\s*책|행\s*사)\s*자\s*료|긴\s*급\s*지\s*시"
)
_PDF_EMBARGO_MORE_RE = re.compile(
    r"[\s<(/〈]*(?:배\s*포|\(?\s*(?:지\s*면|온\s*라\s*인|인\s*터\s*넷|방\s*송)"
    r"|\d{1,4}\s*\.\s*\d{1,2}\s*\.|석\s*간|조\s*간)"
)
_PDF_BODY_MARK_RE = re.compile(r"[□■☐○●◦◇◆◈▪▶▷▸►※☞❍❏➊-➓➀-➉❶-❿①-⑳ㅇ*·•▲▴◎✓✔]")
_DASHES = ("-", "–", "‒", "—")
PDF_TITLE_MAX_LINES = 4
PDF_EMBARGO_MORE_MAX_CHARS = 45
PDF_FRAGMENT_MAX_CHARS = 8
PDF_SUBTITLE_TAIL_LINES = 2
PDF_HEADER_MAX_CHARS = 40


def _pdf_cover_kind(line: str) -> str:
    s = line.strip()
    if _PDF_LABEL_RE.fullmatch(s):
        return "label"
    if _MASTHEAD_RE.match(s):
        return "embargo"
    return ""


def _strip_pdf_masthead(lines: list[str]) -> list[str]:
    """Drop the cover lines of page 1; the viewer shows the title apart and not as body.

    Each run of label/embargo lines goes, with the embargo line's date continuations
    ("< 4. 14.(화) 조간 >", "/ 배포 …"), a short fragment of the label cell just above a label
    (a ministry name cut by the logo) and the title and subtitle lines that follow the run up
    to the first body line. Without such a run nothing is dropped.
    """
    kinds = [_pdf_cover_kind(line) for line in lines]
    drop: set[int] = set()
    i = 0
    while i < len(lines):
        if not kinds[i]:
            i += 1
            continue
        if kinds[i] == "label" and i > 0 and _is_cover_fragment(lines[i - 1]):
            drop.add(i - 1)
        j = i
        embargo = False
        while j < len(lines) and (kinds[j] or (embargo and _is_embargo_more(lines[j]))):
            embargo = embargo or kinds[j] == "embargo"
            drop.add(j)
            j += 1
        end = _pdf_title_end(lines, j)
        drop.update(range(j, end))
        i = max(end, j)
    return [line for k, line in enumerate(lines) if k not in drop]


def _is_embargo_more(line: str) -> bool:
    s = line.strip()
    return len(s) <= PDF_EMBARGO_MORE_MAX_CHARS and bool(_PDF_EMBARGO_MORE_RE.match(s))


def _is_cover_fragment(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= PDF_FRAGMENT_MAX_CHARS and all(_is_hangul(c) or c == " " for c in s)


def _pdf_title_end(lines: list[str], start: int) -> int:
    """Index of the first body line after a cover run: title and subtitles end there.

    Body opens with an indented line, a bullet mark or the contact table. A subtitle is a
    dash line (or the 【관련 국정과제】 note of the title box); a wrapped subtitle's tail is a
    line or two followed by another subtitle or by body, whereas body text runs on. A
    "title" longer than a few lines is no title: then nothing more is dropped.
    """
    content = [k for k in range(start, len(lines)) if _is_content_line(lines[k])]
    titles = 0
    subtitle = False
    for pos, k in enumerate(content):
        raw = lines[k]
        if _is_pdf_body_start(raw):
            return k
        if _is_pdf_subtitle(raw):
            subtitle = True
            continue
        if subtitle:
            if _ends_cover_tail(lines, content[pos + 1 : pos + 1 + PDF_SUBTITLE_TAIL_LINES]):
                continue
            return k
        titles += 1
        if titles > PDF_TITLE_MAX_LINES:
            return start
    return len(lines)


def _is_pdf_subtitle(raw: str) -> bool:
    return raw.strip().startswith((*_DASHES, "【"))


def _ends_cover_tail(lines: list[str], following: list[int]) -> bool:
    """A subtitle tail is followed, within a line or two, by a subtitle, body or page end."""
    if not following:
        return True
    return any(_is_pdf_subtitle(lines[k]) or _is_pdf_body_start(lines[k]) for k in following)


def _is_pdf_body_start(raw: str) -> bool:
    s = raw.strip()
    if raw[:1].isspace() and not s.startswith(_DASHES):
        return True
    return bool(_PDF_BODY_MARK_RE.match(s)) or bool(_CONTACT_RE.match(s))


def _drop_repeated_headers(pages: list[list[str]]) -> list[list[str]]:
    """Drop a table's header row that the PDF repeats at the top of each continued page.

    Hancom repeats a long table's title row on every page it spans ("제목 줄 반복"); in the
    text it is the same short line opening several pages, read once in the document.
    """
    seen: set[str] = set()
    out: list[list[str]] = []
    for page in pages:
        first = next((k for k, raw in enumerate(page) if _is_content_line(raw)), None)
        if first is not None and _is_repeated_header(page[first].strip(), seen):
            page = page[:first] + page[first + 1 :]
        seen.update(raw.strip() for raw in page)
        out.append(page)
    return out


def _is_repeated_header(line: str, seen: set[str]) -> bool:
    return (
        line in seen and len(line) <= PDF_HEADER_MAX_CHARS and _SENTENCE_END_RE.search(line) is None
    )


def _is_content_line(raw: str) -> bool:
    s = raw.strip()
    return bool(s) and not _PAGE_NUMBER_RE.match(s)


# ---------------------------------------------------------------- choosing


def best_text(extractions: list[Extraction]) -> Extraction | None:
    """The extraction to keep for a release: HWPX/HWP beat PDF, and only "ok" ones count."""
    for formats in (("hwpx", "hwp"), ("pdf",)):
        for ex in extractions:
            if ex.status == OK and ex.format in formats and ex.text.strip():
                return ex
    return None


# ---------------------------------------------------------------- contacts

_PHONE_RE = re.compile(r"\(?(0\d{1,2})[-‐–)\s.]{1,2}(\d{3,4})[-‐–\s.](\d{4})\)?")
_EMAIL_RE = re.compile(r"\(?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\)?")
_ROLE_RE = re.compile(r"^(책\s*임\s*자|담\s*당\s*자|문\s*의)$")
_LABEL_RE = re.compile(r"담\s*당\s*(?:부\s*서|기\s*관)\s*:?\s*|문\s*의\s*처\s*:?\s*")
_GLUED_ROLE_RE = re.compile(r"(?<=[가-힣])(책임자|담당자)(?=\s)")
_DEPT_RE = re.compile(r"(?:과|실|관|국|팀|부|청|원|처|단|소|센터|TF|위원회|본부|공단|재단)$")
_NAME_RE = re.compile(r"^[가-힣]{2,5}$|^[A-Za-z][A-Za-z .'-]{1,40}$")
CONTACT_MAX_CHARS = 160


@dataclass
class _ContactState:
    """What a contact row inherits from the rows above it (merged cells span rows)."""

    dept: str = ""
    role: str = ""


def extract_contacts(text: str) -> list[dict[str, str]]:
    """Contacts from the 담당 부서 / 책임자 / 담당자 block of a release.

    Works on table rows (tab-separated cells) and on the flowed lines a PDF gives: each
    contact ends at its phone number (or e-mail), role and department carry over from the
    row above when a merged cell leaves them out.
    """
    contacts: list[dict[str, str]] = []
    for block in text.split("\n\n"):
        if not _looks_like_contacts(block):
            continue
        state = _ContactState()
        for segment in _contact_segments(block):
            contact = _contact_from(segment, state)
            if contact:
                contacts.append(contact)
    return contacts


def _looks_like_contacts(block: str) -> bool:
    has_role = any(_ROLE_RE.match(c) for line in _unglued(block) for c in _cells(line))
    return has_role and (_PHONE_RE.search(block) or _EMAIL_RE.search(block)) is not None


def _contact_segments(block: str) -> Iterator[str]:
    """One piece of text per contact: a table row, or flowed text cut after each phone."""
    for line in _unglued(block):
        cut = 0
        for m in _contact_ends(line):
            yield line[cut : m.end()]
            cut = m.end()
        if line[cut:].strip():
            yield line[cut:]


def _unglued(block: str) -> list[str]:
    """Lines of a block, with a role word split off the word a PDF line join glued it to."""
    return [ln if "\t" in ln else _GLUED_ROLE_RE.sub(r" \1", ln) for ln in block.split("\n")]


def _contact_ends(line: str) -> list[re.Match[str]]:
    found = list(_PHONE_RE.finditer(line)) + list(_EMAIL_RE.finditer(line))
    return sorted(found, key=lambda m: m.start())


def _cells(text: str) -> list[str]:
    """Tab-separated cells of a table row, or the words of flowed text."""
    if "\t" in text:
        return [c.strip() for c in text.split("\t") if c.strip()]
    return text.split()


def _contact_from(segment: str, state: _ContactState) -> dict[str, str] | None:
    label = _LABEL_RE.search(segment)
    if label:
        segment = segment[label.end() :]
    if len(segment) > CONTACT_MAX_CHARS:
        return None
    phone, email, cells = _take_reachability(_cells(segment.strip()))
    role_at = next((i for i, c in enumerate(cells) if _ROLE_RE.match(c)), None)
    if role_at is None and not (phone or email):
        dept = " ".join(c for c in cells if not c.startswith("<"))
        if dept and _DEPT_RE.search(dept):
            state.dept = dept
        return None
    if role_at is not None:
        pre = " ".join(c for c in cells[:role_at] if not c.startswith("<"))
        if pre:
            state.dept = pre
        state.role = _squash(cells[role_at]).replace(" ", "")
        cells = cells[role_at + 1 :]
    elif not state.role or len(cells) > 4 or any(len(c) > 20 for c in cells):
        return None
    elif len(cells) >= 3 and _DEPT_RE.search(cells[0]):
        state.dept, cells = cells[0], cells[1:]
    name = ""
    if cells and _NAME_RE.match(cells[-1].replace(" ", "")):
        name = cells.pop().replace(" ", "")
    elif len(cells) >= 2 and _NAME_RE.match((cells[-2] + cells[-1]).replace(" ", "")):
        name = (cells[-2] + cells[-1]).replace(" ", "")
        cells = cells[:-2]
    title = "".join(cells).replace(" ", "")
    if not (name or phone or email):
        return None
    return {
        "role": state.role,
        "dept": state.dept,
        "title": title,
        "name": name,
        "phone": phone,
        "email": email,
    }


def _take_reachability(cells: list[str]) -> tuple[str, str, list[str]]:
    phone = email = ""
    keep: list[str] = []
    for cell in cells:
        p = _PHONE_RE.search(cell)
        e = _EMAIL_RE.search(cell)
        if p and not phone:
            phone = "-".join(p.groups())
            cell = (cell[: p.start()] + cell[p.end() :]).strip()
        elif e and not email:
            email = e.group(1)
            cell = (cell[: e.start()] + cell[e.end() :]).strip()
        if cell:
            keep.append(cell)
    return phone, email, keep
