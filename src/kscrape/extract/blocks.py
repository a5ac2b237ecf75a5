"""Extraction results, and turning the blocks a format yields into judged body text and Markdown.

Every format reads its document into the blocks of kscrape.extract.model; here they lose the
release's cover, section titles become headings, the plain text and the Markdown are both
rendered from the same blocks, and the text is judged before it may be called "ok".
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from kscrape.extract import model
from kscrape.extract.budget import TooBig
from kscrape.extract.layout import arrange
from kscrape.extract.markdown import to_markdown
from kscrape.extract.plaintext import to_text

__all__ = [
    "Extraction",
    "conclude",
    "finish",
    "judge",
]

OK = "ok"
ENCRYPTED = "encrypted"
UNSUPPORTED = "unsupported"
GARBLED = "garbled"
EMPTY = "empty"
DAMAGED = "damaged"

_HANGUL_RE = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
MIN_HANGUL_RATIO = 0.3
MAX_REPLACEMENT_RATIO = 0.1


@dataclass(frozen=True)
class Extraction:
    """Text pulled from one attachment, and whether it can be trusted.

    `text` is the plain body (for search and CSV); `markdown` the same body with its
    structure (headings, lists, tables); both are rendered from `blocks`, the body as
    kscrape.extract.model blocks.
    """

    format: str
    text: str
    status: str
    detail: str = ""
    markdown: str = ""
    blocks: tuple[model.Block, ...] = field(default=(), repr=False)


def finish(fmt: str, produce: Callable[[], Sequence[model.Block]]) -> Extraction:
    """Run a block producer, turning every way a broken file can fail into a status."""
    try:
        blocks = produce()
    except TooBig:
        return Extraction(fmt, "", DAMAGED, "decompressed size exceeds the safety limit")
    except (zipfile.BadZipFile, ET.ParseError, zlib.error, EOFError, OSError) as exc:
        return Extraction(fmt, "", DAMAGED, one_line(exc))
    except (KeyError, ValueError, IndexError, struct.error) as exc:
        return Extraction(fmt, "", DAMAGED, one_line(exc))
    return conclude(fmt, blocks)


def conclude(fmt: str, blocks: Sequence[model.Block]) -> Extraction:
    """The judged extraction of a document's blocks: cover dropped, text and Markdown rendered."""
    body = arrange(blocks)
    return judge(fmt, to_text(body), to_markdown(body), tuple(body))


def one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text[:200]


def judge(
    fmt: str, text: str, markdown: str = "", blocks: tuple[model.Block, ...] = ()
) -> Extraction:
    """Refuse to call junk "ok": empty, mostly U+FFFD, or too little Hangul for a Korean release."""
    if not text.strip():
        return Extraction(fmt, "", EMPTY, "no text found")
    if "(cid:" in text:
        return Extraction(fmt, "", GARBLED, "font without a Unicode map: (cid:…) glyphs")
    bad = text.count("\ufffd")
    letters = sum(map(str.isalpha, text)) + bad
    if letters:
        if bad / letters > MAX_REPLACEMENT_RATIO:
            return Extraction(fmt, "", GARBLED, f"{bad / letters:.0%} of letters are U+FFFD")
        hangul = len(_HANGUL_RE.findall(text)) / letters
        if hangul < MIN_HANGUL_RATIO:
            return Extraction(fmt, "", GARBLED, f"only {hangul:.0%} of letters are Hangul")
    return Extraction(fmt, text, OK, markdown=markdown, blocks=blocks)


def collapse_spaces(s: str) -> str:
    """Runs of whitespace as one space (kscrape.text.squash removes whitespace altogether)."""
    return " ".join(s.split())
