"""One PDF page as pieces in reading order: paragraphs, ruled tables (cells hold pieces of
their own, nested tables included) and pictures.

Glyphs inside a grid belong to its cells and nowhere else, so no text is both in a table
and beside it; the rest of the page is read as lines, then paragraphs.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from kscrape.extract.pdf_grid import (
    Grid,
    GridCell,
    find_grids,
    split_column,
    split_rows,
    unmerge,
)
from kscrape.extract.pdf_lines import Line, build_lines
from kscrape.extract.pdf_page import Box, Glyph, PageContent
from kscrape.extract.pdf_paragraphs import Para, paragraphs, starts_item

INSIDE_TOLERANCE = 1.0
ROW_ALIGN = 0.35
COLUMN_GAP = 1.5
WRAP_WIDTH = 0.8
ROW_CELLS_SURE = 3
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


Piece = Para | TablePiece | PicturePiece


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
    """The page's content, top to bottom; `right` is the body text's right margin."""
    grids = find_grids(page.rules, page.dots)
    pictures = [
        PicturePiece(box, f"page{page.number + 1}-picture{k + 1}")
        for k, box in enumerate(page.pictures)
    ]
    return region_pieces(page.glyphs, grids, pictures, 0.0, right)


def region_pieces(
    glyphs: Sequence[Glyph],
    grids: Sequence[Grid],
    pictures: Sequence[PicturePiece],
    left: float,
    right: float | None,
    *,
    cell: bool = False,
) -> list[Piece]:
    """Pieces of a page or of a `cell`: its outermost grids as tables, the rest as text."""
    outer = [g for g in grids if not any(o is not g and _holds(o, g) for o in grids)]
    tables: list[Piece] = []
    rest = list(glyphs)
    for grid in outer:
        inside = [gl for gl in rest if _glyph_in(gl, grid.x0, grid.top, grid.x1, grid.bottom)]
        rest = [gl for gl in rest if not _glyph_in(gl, grid.x0, grid.top, grid.x1, grid.bottom)]
        nested = [n for n in grids if n is not grid and _holds(grid, n)]
        held = [p for p in pictures if _box_in(p.box, grid)]
        tables.append(_table(grid, inside, nested, held))
    free_pictures = [p for p in pictures if not any(_box_in(p.box, g) for g in outer)]
    blockers = sorted([*tables, *free_pictures], key=lambda p: p.top)
    lines = build_lines(rest)
    paras = paragraphs(lines, left, right, [b.top for b in blockers], cell=cell)
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
        grid = _split_unruled_columns(grid, glyphs)
        grid = _unmerge_row_cells(_split_unruled_rows(grid, glyphs), glyphs)
    by_cell = _glyphs_by_cell(grid, glyphs)
    cells = []
    for k, cell in enumerate(grid.cells):
        inner = by_cell.get(k, [])
        held = [n for n in nested if _within(n, cell)]
        pics = [p for p in pictures if _box_center_in(p.box, cell)]
        pieces = region_pieces(inner, held, pics, cell.x0, cell.x1, cell=True)
        cells.append(CellPiece(cell, tuple(pieces)))
    return TablePiece(grid, tuple(cells))


def _split_unruled_rows(grid: Grid, glyphs: list[Glyph]) -> Grid:
    """Rows drawn without a line between them, told apart by text lines that align.

    Tables often rule only some rows (a group header, a total) and leave the rows of one
    group unruled. When every cell of a grid row holds lines on the same few baselines, and
    no cell's lines read as one wrapped paragraph, each baseline is a row of its own.
    """
    cuts: dict[int, list[float]] = {}
    by_cell = _glyphs_by_cell(grid, glyphs)
    for r in range(grid.rows):
        row_cells = [k for k, c in enumerate(grid.cells) if c.row == r and c.rowspan == 1]
        if len(row_cells) < 2:
            continue
        per_cell = [build_lines(by_cell.get(k, [])) for k in row_cells]
        bands = _aligned_bands(per_cell, [grid.cells[k] for k in row_cells])
        if len(bands) >= 2:
            cuts[r] = [(bands[k][1] + bands[k + 1][0]) / 2 for k in range(len(bands) - 1)]
    return split_rows(grid, cuts) if cuts else grid


def _split_unruled_columns(grid: Grid, glyphs: list[Glyph]) -> Grid:
    """Columns drawn without a line between them, told apart by an empty band of space.

    A contact table often rules only its outer columns: "과 장", "최영범" and the phone
    number stand in columns of their own with no line between. A band at least
    COLUMN_GAP em wide that no glyph of any cell of the column crosses, with text on both
    sides in two rows or more, is such a boundary.
    """
    for col in range(grid.cols - 1, -1, -1):
        while (x := _column_cut(grid, col, glyphs)) is not None:
            grid = split_column(grid, col, x)
    return grid


def _column_cut(grid: Grid, col: int, glyphs: list[Glyph]) -> float | None:
    """The rightmost unruled column boundary inside grid column `col`, if any."""
    by_cell = _glyphs_by_cell(grid, glyphs)
    members = [
        by_cell.get(k, []) for k, c in enumerate(grid.cells) if c.col == col and c.colspan == 1
    ]
    for x in reversed(_empty_bands([g for m in members for g in m])):
        sides = sum(any(g.x1 < x for g in m) and any(g.x0 > x for g in m) for m in members)
        if sides >= 2:
            return x
    return None


def _empty_bands(glyphs: list[Glyph]) -> list[float]:
    """Middles of the vertical bands, COLUMN_GAP em wide or more, between the glyphs."""
    if len(glyphs) < 2:
        return []
    size = statistics.median(g.size for g in glyphs)
    out = []
    spans = sorted((g.x0, g.x1) for g in glyphs)
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= COLUMN_GAP * size:
            out.append((x0 + reach) / 2)
        reach = max(reach, x1)
    return out


def _unmerge_row_cells(grid: Grid, glyphs: list[Glyph]) -> Grid:
    """Cells that look merged over rows only because no line is drawn between them.

    A cell spanning rows whose lines each sit inside a different one of those rows (as
    "정책기획관" over "기획재정담당관" beside a 책임자 row and a 담당자 row), or whose one
    line sits inside its first row, is one cell per row. A label centred across the rows,
    or a paragraph wrapped over them, stays merged.
    """
    while True:
        by_cell = _glyphs_by_cell(grid, glyphs)
        for k, c in enumerate(grid.cells):
            if c.rowspan > 1 and _lines_in_own_rows(grid, c, build_lines(by_cell.get(k, []))):
                grid = unmerge(grid, k)
                break
        else:
            return grid


def _lines_in_own_rows(grid: Grid, cell: GridCell, lines: list[Line]) -> bool:
    if not lines or len(lines) > cell.rowspan or _wrapped(lines, cell):
        return False
    rows = []
    for line in lines:
        r = bisect_right(grid.ys, line.middle) - 1
        if not (grid.ys[r] < line.top - 1 and line.bottom < grid.ys[r + 1] + 1) or r in rows:
            return False
        rows.append(r)
    # One line alone in a merged cell is centred; only one set in the first row is not.
    return len(lines) > 1 or rows == [cell.row]


def _aligned_bands(per_cell: list[list[Line]], cells: list[GridCell]) -> list[tuple[float, float]]:
    """The shared line bands of a row's cells, or [] when the cells do not line up."""
    filled = [(lines, c) for lines, c in zip(per_cell, cells, strict=True) if lines]
    if len(filled) < 2 or max(len(lines) for lines, _ in filled) < 2:
        return []
    bands: list[tuple[float, float]] = []
    for line in sorted((ln for lines, _ in filled for ln in lines), key=lambda ln: ln.middle):
        tol = ROW_ALIGN * line.size
        if bands and abs((bands[-1][0] + bands[-1][1]) / 2 - line.middle) <= tol:
            bands[-1] = (min(bands[-1][0], line.top), max(bands[-1][1], line.bottom))
        else:
            bands.append((line.top, line.bottom))
    full = sum(len(lines) == len(bands) for lines, _ in filled)
    if full < 2:
        return []
    # Three or more cells with one line per band are rows even when a long line fills its
    # cell; with two, a cell whose lines read as one wrapped paragraph says otherwise.
    strict = full < ROW_CELLS_SURE
    for lines, cell in filled:
        if len(lines) > 1 and _wrapped(lines, cell, strict=strict):
            return []
    return bands


def _wrapped(lines: list[Line], cell: GridCell, *, strict: bool = True) -> bool:
    """A cell whose lines read as one paragraph wrapped inside the cell.

    A line stopping at a comma is continued by the next line (unless that opens a list
    item); `strict` also counts a line that runs to the cell's right side or fills most of
    its width.
    """
    width = cell.x1 - cell.x0
    return any(
        not starts_item(nxt.text)
        and (
            ln.text.endswith((",", "，", "、"))
            or (strict and (cell.x1 - ln.x1 < 2.0 * ln.size or ln.x1 - ln.x0 >= WRAP_WIDTH * width))
        )
        for ln, nxt in pairwise(lines)
    )


def _glyphs_by_cell(grid: Grid, glyphs: Sequence[Glyph]) -> dict[int, list[Glyph]]:
    """The glyphs of each cell (by index in grid.cells), found by the grid lines they fall in."""
    unit: dict[tuple[int, int], int] = {}
    for k, c in enumerate(grid.cells):
        for r in range(c.row, c.row + c.rowspan):
            for col in range(c.col, c.col + c.colspan):
                unit[(r, col)] = k
    out: dict[int, list[Glyph]] = {}
    last_row, last_col = grid.rows - 1, grid.cols - 1
    for g in glyphs:
        r = min(max(bisect_right(grid.ys, (g.top + g.bottom) / 2) - 1, 0), last_row)
        col = min(max(bisect_right(grid.xs, (g.x0 + g.x1) / 2) - 1, 0), last_col)
        k = unit.get((r, col))
        if k is not None:
            out.setdefault(k, []).append(g)
    return out


def _glyph_in(g: Glyph, x0: float, top: float, x1: float, bottom: float) -> bool:
    cx = (g.x0 + g.x1) / 2
    cy = (g.top + g.bottom) / 2
    t = INSIDE_TOLERANCE
    return x0 - t <= cx <= x1 + t and top - t <= cy <= bottom + t


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


def _within(grid: Grid, cell: GridCell) -> bool:
    cx = (grid.x0 + grid.x1) / 2
    cy = (grid.top + grid.bottom) / 2
    return cell.x0 <= cx <= cell.x1 and cell.top <= cy <= cell.bottom


def _box_in(box: Box, grid: Grid) -> bool:
    cx = (box.x0 + box.x1) / 2
    cy = (box.top + box.bottom) / 2
    return grid.x0 <= cx <= grid.x1 and grid.top <= cy <= grid.bottom


def _box_center_in(box: Box, cell: GridCell) -> bool:
    cx = (box.x0 + box.x1) / 2
    cy = (box.top + box.bottom) / 2
    return cell.x0 <= cx <= cell.x1 and cell.top <= cy <= cell.bottom
