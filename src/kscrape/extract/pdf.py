"""PDF: the document's blocks from what its pages draw, read with PDFium (pypdfium2).

Each page gives glyphs, ruling lines and pictures (pdf_page); ruled grids become tables with
merged cells (pdf_grid), the remaining glyphs lines and paragraphs (pdf_lines,
pdf_paragraphs, pdf_layout); page numbers, running heads and the release's cover go
(pdf_cover), and the pages are joined into one document (pdf_flow).
"""

from __future__ import annotations

import statistics

from kscrape.extract import model
from kscrape.extract.blocks import DAMAGED, ENCRYPTED, Block, Extraction, join_blocks, judge
from kscrape.extract.pdf_cover import drop_cover, drop_furniture
from kscrape.extract.pdf_flow import document_blocks
from kscrape.extract.pdf_layout import halves, page_pieces
from kscrape.extract.pdf_page import PageContent, PdfBroken, PdfLocked, read_pages


def extract_pdf(data: bytes) -> Extraction:
    try:
        blocks = pdf_blocks(data)
    except PdfLocked as exc:
        return Extraction("pdf", "", ENCRYPTED, f"password-protected PDF ({exc})"[:200])
    except PdfBroken as exc:
        return Extraction("pdf", "", DAMAGED, str(exc)[:200])
    return judge("pdf", join_blocks(_legacy(blocks)))


def pdf_blocks(data: bytes) -> list[model.Block]:
    """The body of a PDF as document blocks; raises PdfLocked or PdfBroken."""
    pages = [half for page in read_pages(data) for half in halves(page)]
    right = _text_right(pages)
    laid = drop_furniture([page_pieces(p, right.get(p.width)) for p in pages], pages)
    first = next((k for k, pieces in enumerate(laid) if pieces), None)
    if first is not None:
        laid[first] = drop_cover(laid[first])
    return document_blocks(laid)


def _text_right(pages: list[PageContent]) -> dict[float, float]:
    """The right margin of the text, per page width: the median of the pages' rightmost ink.

    A page of short lines alone cannot tell where its lines would wrap; the document's
    other pages of the same width can.
    """
    ends: dict[float, list[float]] = {}
    for page in pages:
        if page.glyphs:
            ends.setdefault(page.width, []).append(max(g.x1 for g in page.glyphs))
    return {width: statistics.median(xs) for width, xs in ends.items()}


def _legacy(blocks: list[model.Block]) -> list[Block]:
    """The flat text blocks the shared text rendering reads (tables as tab-separated rows)."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, model.Table):
            out.append(Block(_table_text(b), table=True))
        elif isinstance(b, (model.Heading, model.Paragraph, model.Footnote)):
            out.append(Block(b.text))
    return out


def _table_text(table: model.Table) -> str:
    rows: list[list[str]] = [[] for _ in range(table.rows)]
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        rows[cell.row].append(" ".join(_cell_parts(cell.blocks)))
    return "\n".join("\t".join(r) for r in rows if any(r))


def _cell_parts(blocks: tuple[model.Block, ...]) -> list[str]:
    parts: list[str] = []
    for b in blocks:
        if isinstance(b, model.Table):
            parts.extend(_table_text(b).replace("\t", " ").split("\n"))
        elif isinstance(b, (model.Heading, model.Paragraph, model.Footnote)):
            parts.append(b.text)
    return parts
