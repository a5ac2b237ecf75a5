"""PDF: the document's blocks from what its pages draw, read with PDFium (pypdfium2).

Each page gives glyphs, ruling lines and pictures (pdf_page); ruled grids become tables with
merged cells (pdf_grid), the remaining glyphs lines and paragraphs (pdf_lines,
pdf_paragraphs, pdf_layout); page numbers, running heads and the release's cover go
(pdf_cover), and the pages are joined into one document (pdf_flow).
"""

from __future__ import annotations

import statistics

from kscrape.extract import model
from kscrape.extract.blocks import DAMAGED, ENCRYPTED, Extraction, conclude
from kscrape.extract.pdf_cover import drop_cover, drop_furniture
from kscrape.extract.pdf_flow import document_blocks
from kscrape.extract.pdf_layout import halves, page_pieces
from kscrape.extract.pdf_page import PageContent, PdfBroken, PdfLocked, read_pages


def extract_pdf(data: bytes) -> Extraction:
    try:
        blocks = pdf_blocks(data)
    except PdfLocked as exc:
        return Extraction("pdf", "", ENCRYPTED, str(exc))
    except PdfBroken as exc:
        return Extraction("pdf", "", DAMAGED, str(exc)[:200])
    return conclude("pdf", blocks)


def pdf_blocks(data: bytes) -> list[model.Block]:
    """The body of a PDF as document blocks; raises PdfLocked or PdfBroken."""
    pages = [half for page in read_pages(data) for half in halves(page)]
    right = _text_right(pages)
    laid = drop_furniture([page_pieces(p, right.get((p.width, p.column))) for p in pages], pages)
    first = next((k for k, pieces in enumerate(laid) if pieces), None)
    summary: list[str] = []
    if first is not None:
        laid[first], summary = drop_cover(laid[first])
    return document_blocks(laid, summary)


def _text_right(pages: list[PageContent]) -> dict[tuple[float, int], float]:
    """The right margin of the text, per page width (and side of a two-up sheet): the
    median of the pages' rightmost ink.

    A page of short lines alone cannot tell where its lines would wrap; the document's
    other pages of the same width can.
    """
    ends: dict[tuple[float, int], list[float]] = {}
    for page in pages:
        if page.glyphs:
            key = (page.width, page.column)
            ends.setdefault(key, []).append(max(g.x1 for g in page.glyphs))
    return {key: statistics.median(xs) for key, xs in ends.items()}
