"""One PDF page as pieces in reading order: paragraphs, ruled tables (cells hold pieces of
their own, nested tables included) and pictures.

Glyphs inside a grid belong to its cells and nowhere else, so no text is both in a table
and beside it; the rest of the page is read as lines, then paragraphs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from kscrape.extract.pdf_cells import glyphs_by_cell, refine
from kscrape.extract.pdf_grid import Grid, GridCell, find_grids
from kscrape.extract.pdf_lines import build_lines
from kscrape.extract.pdf_notes import NotePiece, split_notes
from kscrape.extract.pdf_page import Box, Glyph, PageContent, centre_in
from kscrape.extract.pdf_paragraphs import Para, paragraphs

INSIDE_TOLERANCE = 1.0
GUTTER = 0.04


@dataclass(frozen=True, slots=True)
class CellPiece:
    """A table cell and what it holds."""

    cell: GridCell
    pieces: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class TablePiece:
    """A ruled table on one page."""

    grid: Grid
    cells: tuple[CellPiece, ...]

    @property
    def top(self) -> float:
        return self.grid.top

    @property
    def bottom(self) -> float:
        return self.grid.bottom


@dataclass(frozen=True, slots=True)
class PicturePiece:
    """A picture on the page."""

    box: Box
    name: str

    @property
    def top(self) -> float:
        return self.box.top

    @property
    def bottom(self) -> float:
        return self.box.bottom


Piece = Para | TablePiece | PicturePiece | NotePiece


def piece_text(piece: Piece) -> str:
    """All the text of a piece, cells included, space-separated."""
    if isinstance(piece, Para):
        return piece.text
    if isinstance(piece, TablePiece):
        return " ".join(piece_text(p) for c in piece.cells for p in c.pieces)
    return ""


def body_size(pieces: Sequence[Piece]) -> float:
    """The font size most of the running text is set in."""
    sizes: Counter[float] = Counter()
    for p in pieces:
        if isinstance(p, Para):
            sizes[round(p.size)] += len(p.text)
    return float(sizes.most_common(1)[0][0]) if sizes else 0.0


def halves(page: PageContent) -> list[PageContent]:
    """A landscape sheet printed two pages up, as its left and right page; else the page.

    Two pages up leave an empty gutter down the middle of the sheet: no glyph, rule or
    picture crosses it, and both sides hold text.
    """
    if page.width <= page.height:
        return [page]
    mid = page.width / 2
    lo, hi = mid - GUTTER * page.width, mid + GUTTER * page.width
    if any(g.x1 > lo and g.x0 < hi for g in page.glyphs):
        return [page]
    if any(r.horizontal and r.start < hi and r.end > lo for r in page.rules):
        return [page]
    left = [g for g in page.glyphs if g.x1 <= lo]
    right = [g for g in page.glyphs if g.x0 >= hi]
    if not left or not right:
        return [page]
    return [_side(page, left, 1, lambda x: x <= mid), _side(page, right, 2, lambda x: x > mid)]


def _side(page: PageContent, glyphs: list[Glyph], column: int, keep) -> PageContent:
    return replace(
        page,
        column=column,
        glyphs=tuple(glyphs),
        rules=tuple(r for r in page.rules if keep(r.start if r.horizontal else r.pos)),
        dots=tuple(d for d in page.dots if keep(d[0])),
        pictures=tuple(b for b in page.pictures if keep((b.x0 + b.x1) / 2)),
    )


def page_pieces(page: PageContent, right: float | None = None) -> list[Piece]:
    """The page's content, top to bottom, its footnotes last; `right` is the body text's
    right margin."""
    grids = find_grids(page.rules, page.dots)
    pictures = [
        PicturePiece(box, f"page{page.number + 1}-picture{k + 1}")
        for k, box in enumerate(page.pictures)
    ]
    glyphs, notes = split_notes(page, page.glyphs, grids)
    return [*region_pieces(glyphs, grids, pictures, right), *notes]


def region_pieces(
    glyphs: Sequence[Glyph],
    grids: Sequence[Grid],
    pictures: Sequence[PicturePiece],
    right: float | None,
    *,
    cell: bool = False,
) -> list[Piece]:
    """Pieces of a page or of a `cell`: its outermost grids as tables, the rest as text."""
    outer = [g for g in grids if not any(o is not g and _holds(o, g) for o in grids)]
    tables: list[Piece] = []
    rest = list(glyphs)
    for grid in outer:
        inside: list[Glyph] = []
        outside: list[Glyph] = []
        for gl in rest:
            (inside if centre_in(gl, grid, INSIDE_TOLERANCE) else outside).append(gl)
        rest = outside
        nested = [n for n in grids if n is not grid and _holds(grid, n)]
        held = [p for p in pictures if centre_in(p.box, grid)]
        tables.append(_table(grid, inside, nested, held))
    free_pictures = [p for p in pictures if not any(centre_in(p.box, g) for g in outer)]
    blockers = sorted([*tables, *free_pictures], key=lambda p: p.top)
    lines = build_lines(rest)
    paras = paragraphs(lines, right, [b.top for b in blockers], cell=cell)
    return sorted([*paras, *blockers], key=_reading_key)


def _reading_key(piece: Piece) -> tuple[float, float]:
    if isinstance(piece, Para):
        return (piece.top, piece.x0)
    if isinstance(piece, TablePiece):
        return (piece.top, piece.grid.x0)
    return (piece.top, piece.box.x0)


def _table(
    grid: Grid, glyphs: list[Glyph], nested: list[Grid], pictures: list[PicturePiece]
) -> TablePiece:
    if not nested:
        grid = refine(grid, glyphs)
    by_cell = glyphs_by_cell(grid, glyphs)
    cells = []
    for k, cell in enumerate(grid.cells):
        inner = by_cell.get(k, [])
        held = [n for n in nested if centre_in(n, cell)]
        pics = [p for p in pictures if centre_in(p.box, cell)]
        pieces = region_pieces(inner, held, pics, cell.x1, cell=True)
        cells.append(CellPiece(cell, tuple(pieces)))
    return TablePiece(grid, tuple(cells))


def _holds(outer: Grid, inner: Grid) -> bool:
    t = INSIDE_TOLERANCE
    return (
        outer.x0 - t <= inner.x0
        and inner.x1 <= outer.x1 + t
        and outer.top - t <= inner.top
        and inner.bottom <= outer.bottom + t
        and (inner.x1 - inner.x0) * (inner.bottom - inner.top)
        < (outer.x1 - outer.x0) * (outer.bottom - outer.top)
    )
