"""Body text of a release from its attachment (HWPX, HWP 5 or PDF).

korea.kr shows most releases only through a document viewer, so the attachment is the
only place the full text lives. Extraction aims at what that viewer shows as body:
paragraphs separated by a blank line, each table row on one line with tab-separated cells,
and nothing from page headers/footers, page numbers, image descriptions or field codes.

Every result carries a status so callers never store junk: a document we cannot read
honestly (encrypted, damaged, garbled) says so instead of returning noise.

Status values of an Extraction: "ok" (text can be stored), "encrypted" (password or
distribution/DRM protection), "unsupported" (HWP 3, a zip without HWPX content),
"garbled" (mostly U+FFFD, (cid:…) glyphs or too little Hangul), "empty" (no text) and
"damaged" (truncated, corrupt or over the decompression limit).
"""

from __future__ import annotations

from kscrape.errors import ExtractError
from kscrape.extract.blocks import (
    DAMAGED,
    EMPTY,
    ENCRYPTED,
    GARBLED,
    OK,
    UNSUPPORTED,
    Extraction,
    finish,
)
from kscrape.extract.budget import budget_for
from kscrape.extract.contacts import extract_contacts
from kscrape.extract.hwp import extract_hwp
from kscrape.extract.hwpx import hwpx_blocks
from kscrape.extract.magic import sniff
from kscrape.extract.pdf import extract_pdf

__all__ = [
    "DAMAGED",
    "EMPTY",
    "ENCRYPTED",
    "GARBLED",
    "OK",
    "UNSUPPORTED",
    "Extraction",
    "best_text",
    "extract",
    "extract_contacts",
    "sniff",
]


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
        return finish("hwpx", lambda: hwpx_blocks(data, budget_for(data)))
    if kind == "hwp":
        return extract_hwp(data)
    return extract_pdf(data)


def best_text(extractions: list[Extraction]) -> Extraction | None:
    """The extraction to keep for a release: HWPX/HWP beat PDF, and only "ok" ones count."""
    for formats in (("hwpx", "hwp"), ("pdf",)):
        for ex in extractions:
            if ex.status == OK and ex.format in formats and ex.text.strip():
                return ex
    return None
