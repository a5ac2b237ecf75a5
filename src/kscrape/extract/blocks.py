"""Extraction results, and turning the blocks a format yields into judged body text.

Every format reads its document into paragraph and table blocks; here they lose the
release's cover (masthead), are joined and cleaned, and the text is judged before it may
be called "ok".
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from kscrape.extract.budget import TooBig
from kscrape.text import clean_block, clean_inline

OK = "ok"
ENCRYPTED = "encrypted"
UNSUPPORTED = "unsupported"
GARBLED = "garbled"
EMPTY = "empty"
DAMAGED = "damaged"

MIN_HANGUL_RATIO = 0.3
MAX_REPLACEMENT_RATIO = 0.1


@dataclass(frozen=True)
class Extraction:
    """Text pulled from one attachment, and whether it can be trusted.

    `text` is the plain body (for search and CSV); `markdown` the same body with its
    structure (headings, lists, tables); both come from the same document blocks.
    """

    format: str
    text: str
    status: str
    detail: str = ""
    markdown: str = ""


@dataclass(frozen=True)
class Block:
    """A paragraph, or a table (rows on separate lines, cells tab-separated)."""

    text: str
    table: bool = False


MASTHEAD_RE = re.compile(r"보\s*도\s*시\s*점|보\s*도\s*일\s*시|배\s*포\s*일\s*시|엠\s*바\s*고")
CONTACT_RE = re.compile(r"담\s*당\s*(?:부\s*서|자|기\s*관)|책\s*임\s*자")
MASTHEAD_MAX_TABLES = 4


def _drop_masthead(blocks: list[Block]) -> list[Block]:
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
    embargo = next((i for i, b in enumerate(head) if MASTHEAD_RE.search(b.text)), None)
    if embargo is None:
        return blocks
    cover = min(embargo + 2, lead)
    kept = [b for b in blocks[:cover] if CONTACT_RE.search(b.text) and "\t" in b.text]
    return kept + blocks[cover:]


def join_blocks(blocks: Iterable[Block]) -> str:
    return _clean_text("\n\n".join(b.text for b in _drop_masthead(nonblank(blocks))))


def nonblank(blocks: Iterable[Block]) -> list[Block]:
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


def finish(fmt: str, produce: Callable[[], list[Block]]) -> Extraction:
    """Run a block producer, turning every way a broken file can fail into a status."""
    try:
        blocks = produce()
    except TooBig:
        return Extraction(fmt, "", DAMAGED, "decompressed size exceeds the safety limit")
    except (zipfile.BadZipFile, ET.ParseError, zlib.error, EOFError, OSError) as exc:
        return Extraction(fmt, "", DAMAGED, one_line(exc))
    except (KeyError, ValueError, IndexError, struct.error) as exc:
        return Extraction(fmt, "", DAMAGED, one_line(exc))
    return judge(fmt, join_blocks(blocks))


def one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text[:200]


def judge(fmt: str, text: str) -> Extraction:
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
        hangul = sum(is_hangul(c) for c in letters) / len(letters)
        if hangul < MIN_HANGUL_RATIO:
            return Extraction(fmt, "", GARBLED, f"only {hangul:.0%} of letters are Hangul")
    return Extraction(fmt, text, OK)


def is_hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" or "\u3130" <= c <= "\u318f"


def collapse_spaces(s: str) -> str:
    """Runs of whitespace as one space (kscrape.text.squash removes whitespace altogether)."""
    return " ".join(s.split())
