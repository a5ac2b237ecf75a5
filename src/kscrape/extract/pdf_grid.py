"""Tables from a page's ruling lines: grids of cells, with merged cells as spans.

Lines that touch form a grid. Its row and column lines cut the grid's area into units; two
neighbouring units with no line drawn between them belong to the same (merged) cell, so a
cell that crosses grid lines gets a rowspan or colspan. Geometry only: no text here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace

from kscrape.extract.pdf_page import Rule

SNAP = 2.0
JOIN_GAP = 2.0
TOUCH = 2.5
DOT_GAP = 4.5
DOT_BAND = 0.6
DOT_LINE_MIN = 4
EDGE_COVER = 0.6
MIN_RULE = 3.0
MIN_CELL = 3.0


@dataclass(frozen=True, slots=True)
class GridCell:
    """A cell at its grid position, with the page rectangle it covers."""

    row: int
    col: int
    rowspan: int
    colspan: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Grid:
    """A ruled table: its column and row lines and the cells that cover it."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    cells: tuple[GridCell, ...]

    @property
    def x0(self) -> float:
        return self.xs[0]

    @property
    def x1(self) -> float:
        return self.xs[-1]

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def bottom(self) -> float:
        return self.ys[-1]

    @property
    def rows(self) -> int:
        return len(self.ys) - 1

    @property
    def cols(self) -> int:
        return len(self.xs) - 1


def find_grids(rules: Iterable[Rule], dots: Iterable[tuple[float, float]]) -> list[Grid]:
    """Every grid the lines of a page form, top to bottom (nested grids included)."""
    dotted = _dotted_rules(list(dots))
    merged = _merge([*rules, *dotted])
    horizontal = [r for r in merged if r.horizontal and r.end - r.start >= MIN_RULE]
    vertical = [r for r in merged if not r.horizontal and r.end - r.start >= MIN_RULE]
    grids = []
    for hs, vs in _touching_groups(horizontal, vertical):
        grid = _grid(hs, vs)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda g: (g.top, g.x0))


def _dotted_rules(dots: list[tuple[float, float]]) -> list[Rule]:
    """Dotted lines (one tiny path per dot) as rules: runs of closely spaced dots in a row."""
    out: list[Rule] = []
    for horizontal in (True, False):
        points = sorted((y, x) if horizontal else (x, y) for x, y in dots)
        band: list[tuple[float, float]] = []
        for p in points:
            if band and p[0] - band[-1][0] > DOT_BAND:
                out.extend(_dot_runs(band, horizontal))
                band = []
            band.append(p)
        out.extend(_dot_runs(band, horizontal))
    return out


def _dot_runs(band: list[tuple[float, float]], horizontal: bool) -> list[Rule]:
    """Rules for the runs of dots in one band (dots at about the same y, or the same x)."""
    out: list[Rule] = []
    run: list[tuple[float, float]] = []
    for p in sorted(band, key=lambda p: p[1]):
        if run and p[1] - run[-1][1] > DOT_GAP:
            out.extend(_run_rule(run, horizontal))
            run = []
        run.append(p)
    out.extend(_run_rule(run, horizontal))
    return out


def _run_rule(run: list[tuple[float, float]], horizontal: bool) -> list[Rule]:
    if len(run) < DOT_LINE_MIN:
        return []
    pos = sum(p[0] for p in run) / len(run)
    return [Rule(horizontal, pos, run[0][1], run[-1][1])]


def _merge(rules: list[Rule]) -> list[Rule]:
    """Collinear pieces of one line (and double lines) as one rule per stretch."""
    out: list[Rule] = []
    for horizontal in (True, False):
        ordered = sorted((r for r in rules if r.horizontal == horizontal), key=lambda r: r.pos)
        bands: list[list[Rule]] = []
        for r in ordered:
            if bands and r.pos - bands[-1][-1].pos <= SNAP:
                bands[-1].append(r)
            else:
                bands.append([r])
        for band in bands:
            pos = sum(r.pos for r in band) / len(band)
            spans = sorted((r.start, r.end) for r in band)
            start, end = spans[0]
            for s, e in spans[1:]:
                if s <= end + JOIN_GAP:
                    end = max(end, e)
                else:
                    out.append(Rule(horizontal, pos, start, end))
                    start, end = s, e
            out.append(Rule(horizontal, pos, start, end))
    return out


def _touching_groups(hs: list[Rule], vs: list[Rule]) -> list[tuple[list[Rule], list[Rule]]]:
    """Sets of horizontal and vertical rules connected by crossings or touching ends."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(vs)), key=lambda j: vs[j].pos)
    positions = [vs[j].pos for j in order]
    for i, h in enumerate(hs):
        lo = bisect_left(positions, h.start - TOUCH)
        hi = bisect_right(positions, h.end + TOUCH)
        for j in order[lo:hi]:
            v = vs[j]
            if v.start - TOUCH <= h.pos <= v.end + TOUCH:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if g[0] and g[1]]


def _grid(hs: list[Rule], vs: list[Rule]) -> Grid | None:
    """The grid of one group of touching rules, or None when it encloses no area."""
    ys = _positions([h.pos for h in hs], min(v.start for v in vs), max(v.end for v in vs))
    xs = _positions([v.pos for v in vs], min(h.start for h in hs), max(h.end for h in hs))
    if len(xs) < 2 or len(ys) < 2:
        return None
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _drawn(vs, xs[c + 1], ys[r], ys[r + 1]):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and not _drawn(hs, ys[r + 1], xs[c], xs[c + 1]):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    units: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            units.setdefault(find(r * cols + c), []).append((r, c))
    cells = []
    for members in units.values():
        r0 = min(r for r, _ in members)
        r1 = max(r for r, _ in members)
        c0 = min(c for _, c in members)
        c1 = max(c for _, c in members)
        cells.append(
            GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
        )
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid(tuple(xs), tuple(ys), tuple(_without_overlaps(cells)))


def _positions(values: list[float], low: float, high: float) -> list[float]:
    """Distinct line positions, with the far ends of the crossing lines as outer borders.

    Tables often leave their outer sides open; the crossing lines' ends close them.
    """
    out: list[float] = []
    for v in sorted([*values, low, high]):
        if out and v - out[-1] < MIN_CELL:
            continue
        out.append(v)
    return out


def _drawn(rules: list[Rule], pos: float, start: float, end: float) -> bool:
    """Whether lines at `pos` cover most of the edge from `start` to `end`."""
    covered = 0.0
    for r in rules:
        if abs(r.pos - pos) <= SNAP:
            covered += max(0.0, min(r.end, end) - max(r.start, start))
    return covered >= EDGE_COVER * (end - start)


def _without_overlaps(cells: list[GridCell]) -> list[GridCell]:
    """Keep each grid unit in one cell: a cell whose units an earlier one took is dropped.

    Merging by missing lines can make an L-shaped region; its bounding box would overlap a
    neighbour. Such drawings are rare; the first cell in reading order wins.
    """
    taken: set[tuple[int, int]] = set()
    out = []
    for c in cells:
        rows = range(c.row, c.row + c.rowspan)
        units = {(r, k) for r in rows for k in range(c.col, c.col + c.colspan)}
        if units & taken:
            continue
        taken |= units
        out.append(c)
    return out


def split_rows(grid: Grid, cuts: dict[int, list[float]]) -> Grid:
    """The grid with rows cut at the given positions (row index → cut positions).

    A cell of one cut row becomes one cell per part; a cell spanning across it grows.
    """
    ys = sorted({*grid.ys, *(y for ys in cuts.values() for y in ys)})
    cells: list[GridCell] = []
    for c in grid.cells:
        r0 = ys.index(c.top)
        r1 = ys.index(c.bottom)
        if c.rowspan == 1 and c.row in cuts:
            for r in range(r0, r1):
                cells.append(GridCell(r, c.col, 1, c.colspan, c.x0, ys[r], c.x1, ys[r + 1]))
        else:
            cells.append(GridCell(r0, c.col, r1 - r0, c.colspan, c.x0, c.top, c.x1, c.bottom))
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid(grid.xs, tuple(ys), tuple(cells))


def unmerge(grid: Grid, index: int) -> Grid:
    """The grid with cell `index`, merged over several rows, cut into one cell per row."""
    c = grid.cells[index]
    parts = [
        GridCell(r, c.col, 1, c.colspan, c.x0, grid.ys[r], c.x1, grid.ys[r + 1])
        for r in range(c.row, c.row + c.rowspan)
    ]
    cells = [*grid.cells[:index], *parts, *grid.cells[index + 1 :]]
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid(grid.xs, grid.ys, tuple(cells))


def split_column(grid: Grid, col: int, x: float) -> Grid:
    """The grid with column `col` cut at `x`: its cells split, cells across it wider."""
    xs = tuple(sorted((*grid.xs, x)))
    cells: list[GridCell] = []
    for c in grid.cells:
        if c.col == col and c.colspan == 1:
            cells.append(GridCell(c.row, col, c.rowspan, 1, c.x0, c.top, x, c.bottom))
            cells.append(GridCell(c.row, col + 1, c.rowspan, 1, x, c.top, c.x1, c.bottom))
        elif c.col > col:
            cells.append(replace(c, col=c.col + 1))
        elif c.col + c.colspan > col:
            cells.append(replace(c, colspan=c.colspan + 1))
        else:
            cells.append(c)
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid(xs, grid.ys, tuple(cells))
