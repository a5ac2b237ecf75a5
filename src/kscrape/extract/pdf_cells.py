"""A ruled grid refined by its text: the rows, columns and cells drawn without lines.

Tables often rule only part of their grid: the rows of one group, the columns of a contact
row ("과 장 | 최영범 | (044-…)"), the two departments stacked in one "merged" cell. The text
says where those rows and columns are: lines that share baselines across cells, an empty
band running down a column, lines that each sit in their own row.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise

from kscrape.extract.pdf_grid import Grid, GridCell, split_column, split_rows, unmerge
from kscrape.extract.pdf_lines import Line, build_lines
from kscrape.extract.pdf_page import Glyph
from kscrape.extract.pdf_paragraphs import starts_item

ROW_ALIGN = 0.35
COLUMN_GAP = 0.9
SPREAD_NEIGHBOUR = 0.3
COLUMN_SURE = 1.5
WRAP_WIDTH = 0.8
ROW_CELLS_SURE = 3


def refine(grid: Grid, glyphs: list[Glyph]) -> Grid:
    """The grid with its unruled columns and rows added and its false merges undone."""
    grid = _split_unruled_columns(grid, glyphs)
    return _unmerge_row_cells(_split_unruled_rows(grid, glyphs), glyphs)


def _split_unruled_rows(grid: Grid, glyphs: list[Glyph]) -> Grid:
    """Rows drawn without a line between them, told apart by text lines that align.

    Tables often rule only some rows (a group header, a total) and leave the rows of one
    group unruled. When every cell of a grid row holds lines on the same few baselines, and
    no cell's lines read as one wrapped paragraph, each baseline is a row of its own.
    """
    cuts: dict[int, list[float]] = {}
    by_cell = glyphs_by_cell(grid, glyphs)
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
    by_cell = glyphs_by_cell(grid, glyphs)
    for col in range(grid.cols - 1, -1, -1):
        while (x := _column_cut(grid, col, by_cell)) is not None:
            grid = split_column(grid, col, x)
            by_cell = glyphs_by_cell(grid, glyphs)
    return grid


def _column_cut(grid: Grid, col: int, by_cell: dict[int, list[Glyph]]) -> float | None:
    """The rightmost unruled column boundary inside grid column `col`, if any; `by_cell`
    holds the glyphs of each cell of `grid`."""
    members = [
        by_cell.get(k, []) for k, c in enumerate(grid.cells) if c.col == col and c.colspan == 1
    ]
    for x in reversed(_empty_bands([g for m in members for g in m])):
        sides = sum(any(g.x1 < x for g in m) and any(g.x0 > x for g in m) for m in members)
        if sides >= 2 and not any(_spread_word(m, x) for m in members):
            return x
    return None


def _spread_word(glyphs: list[Glyph], x: float) -> bool:
    """Whether `x` falls inside a word set with spread letters ("과   장" over "사무관").

    Titles and labels are spread to a common width; the gap between their letters can be
    as wide as a narrow column gap. A lone syllable on each side of `x`, less than
    COLUMN_SURE em apart, is such a word.
    """
    for line in build_lines(glyphs):
        row = [g for g in glyphs if line.top <= (g.top + g.bottom) / 2 <= line.bottom]
        left = [g for g in row if g.x1 < x]
        right = [g for g in row if g.x0 > x]
        if not (left and right):
            continue
        a = max(left, key=lambda g: g.x1)
        b = min(right, key=lambda g: g.x0)
        near = b.x0 - a.x1 < COLUMN_SURE * a.size
        if near and _alone(a, left, before=True) and _alone(b, right, before=False):
            return True
    return False


def _alone(g: Glyph, side: list[Glyph], *, before: bool) -> bool:
    """A glyph with no neighbour within a space's width on its far side from the cut."""
    gap = SPREAD_NEIGHBOUR * g.size
    if before:
        return not any(0 <= g.x0 - o.x1 <= gap for o in side if o is not g)
    return not any(0 <= o.x0 - g.x1 <= gap for o in side if o is not g)


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

    A cell spanning rows whose lines sit one a row from its first row down (as "정책기획관"
    over "기획재정담당관" beside a 책임자 row and a 담당자 row) is one cell per row. A label
    or a few lines centred across the rows, or a paragraph wrapped over them, stays merged.
    """
    while True:
        by_cell = glyphs_by_cell(grid, glyphs)
        for k, c in enumerate(grid.cells):
            if c.rowspan > 1 and _lines_in_own_rows(grid, c, build_lines(by_cell.get(k, []))):
                grid = unmerge(grid, k)
                break
        else:
            return grid


def _lines_in_own_rows(grid: Grid, cell: GridCell, lines: list[Line]) -> bool:
    """Whether the lines sit one a row, in the cell's rows from its first one down."""
    if not lines or len(lines) > cell.rowspan or _wrapped(lines, cell):
        return False
    for k, line in enumerate(lines):
        r = cell.row + k
        if not (grid.ys[r] < line.top - 1 and line.bottom < grid.ys[r + 1] + 1):
            return False
    return True


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

    A line stopping at a comma is continued by the next line, and so is a line followed
    by a parenthesis ("상용노동자" over "(+예술인 포함)"); `strict` also counts a line that
    runs to the cell's right side or fills most of its width, unless a list item follows.
    """
    width = cell.x1 - cell.x0
    for ln, nxt in pairwise(lines):
        if ln.text.endswith((",", "，", "、")) or nxt.text.startswith(("(", "（")):
            return True
        if strict and not starts_item(nxt.text) and (
            cell.x1 - ln.x1 < 2.0 * ln.size or ln.x1 - ln.x0 >= WRAP_WIDTH * width
        ):
            return True
    return False


def glyphs_by_cell(grid: Grid, glyphs: Sequence[Glyph]) -> dict[int, list[Glyph]]:
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
