"""The pages of a PDF as one document: pieces joined across page breaks, then model blocks.

A table that runs over a page break is one table (the header row Hancom repeats on each
page is read once), a paragraph cut by a page break is one paragraph, side-by-side boxes on
one line ("참고 | title") are one row, and a frame drawn around boxes reads as their text.
Line breaks that may have cut a Korean word are settled (pdf_words). Section titles set in a
larger or headline face become headings; list items take their depth from their marker, as
in the HWPX reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from kscrape.extract.layout import depth_of
from kscrape.extract.model import (
    Block,
    Bullets,
    Cell,
    Footnote,
    Heading,
    Image,
    Paragraph,
    Table,
)
from kscrape.extract.pdf_grid import Grid, GridCell
from kscrape.extract.pdf_layout import (
    CellPiece,
    PicturePiece,
    Piece,
    TablePiece,
    body_size,
    piece_text,
)
from kscrape.extract.pdf_notes import NotePiece
from kscrape.extract.pdf_paragraphs import BULLET_RE, SENTENCE_END_RE, Para, starts_item
from kscrape.extract.pdf_words import Words

COLUMN_MATCH = 3.0
HEADER_ROWS_MAX = 3
HEADING_SIZE = 1.25
HEADING_SIZE_SHORT = 1.05
HEADING_MAX_CHARS = 90
HEADING_SHORT_CHARS = 60
BOX_ROW_GAP = 40.0
_LABEL_RE = re.compile(r"^(?:참\s*고|붙\s*임|별\s*첨|첨\s*부)\s*\d{0,2}$")


def document_blocks(pages: Sequence[Sequence[Piece]], summary: Sequence[str] = ()) -> list[Block]:
    """Model blocks of a whole document from its pages' pieces (furniture already gone);
    `summary`, the title box's subtitles, opens it as a list."""
    pieces = _joined(pages)
    words = Words([*_texts(pieces), *summary])
    pieces = _settled(pieces, words)
    body = body_size(pieces)
    out: list[Block] = [Bullets(tuple(words.resolve(s) for s in summary))] if summary else []
    for piece in _unframed(_boxes_in_rows(pieces)):
        block = _top_block(piece, body)
        if block is not None:
            out.append(block)
    return out


def _unframed(pieces: Iterable[Piece]) -> Iterator[Piece]:
    """A frame drawn around boxes (the steps of a chart) gives its boxes, not a table.

    A grid whose cells hold boxes of their own, with less text beside them than in them,
    is a drawing rather than a table of text: its contents are read in order, and the text
    of each one-cell box in it as paragraphs (the text boxes of a chart).
    """
    for p in pieces:
        inner = [q for cp in p.cells for q in cp.pieces] if isinstance(p, TablePiece) else []
        boxes = [q for q in inner if isinstance(q, TablePiece)]
        loose = sum(len(q.text) for q in inner if isinstance(q, Para))
        if len(boxes) >= 2 and loose < sum(len(t) for b in boxes for t in _texts([b])):
            for q in _unframed(inner):
                if isinstance(q, TablePiece) and len(q.cells) == 1:
                    yield from q.cells[0].pieces
                else:
                    yield q
        else:
            yield p


def _texts(pieces: Iterable[Piece]) -> Iterator[str]:
    for p in pieces:
        if isinstance(p, (Para, NotePiece)):
            yield p.text
        elif isinstance(p, TablePiece):
            for cp in p.cells:
                yield from _texts(cp.pieces)


def _settled(pieces: Iterable[Piece], words: Words) -> list[Piece]:
    """The pieces with every line break that may have cut a word settled (pdf_words)."""
    out: list[Piece] = []
    for p in pieces:
        if isinstance(p, (Para, NotePiece)):
            p = replace(p, text=words.resolve(p.text))
        elif isinstance(p, TablePiece):
            cells = tuple(replace(cp, pieces=tuple(_settled(cp.pieces, words))) for cp in p.cells)
            p = replace(p, cells=cells)
        out.append(p)
    return out


# ---------------------------------------------------------------- joins across page breaks


def _joined(pages: Sequence[Sequence[Piece]]) -> list[Piece]:
    """The pages' pieces in order, joined across page breaks; a page's footnotes follow
    the paragraph or table its last piece ends on the next page."""
    out: list[Piece] = []
    pending: list[Piece] = []
    for page in pages:
        notes = [p for p in page if isinstance(p, NotePiece)]
        items = [p for p in page if not isinstance(p, NotePiece)]
        if out and len(items) > 1 and _repeated_caption(out, items):
            items = items[1:]
        if out and items:
            merged = _across(out[-1], items[0])
            if merged is not None:
                out[-1] = merged
                items = items[1:]
        out.extend(pending)
        out.extend(items)
        pending = notes
    return out + pending


def _repeated_caption(out: list[Piece], items: list[Piece]) -> bool:
    """A page opening with the caption of the table the last page ended with, then the
    table's continuation ("(단위: 억원)" above both parts): the caption is read once."""
    first, table = items[0], items[1]
    if not (isinstance(first, Para) and isinstance(out[-1], TablePiece)):
        return False
    if not (isinstance(table, TablePiece) and _same_columns(out[-1].grid, table.grid)):
        return False
    return any(isinstance(p, Para) and p.text == first.text for p in out[-3:-1])


def _across(last: Piece, first: Piece) -> Piece | None:
    """`last` and `first` as one piece when a page break cut it, else None."""
    if isinstance(last, Para) and isinstance(first, Para):
        if (
            last.open_end
            and not SENTENCE_END_RE.search(last.text)
            and not starts_item(first.text)
            and abs(first.size - last.size) <= 0.12 * last.size
        ):
            return Para(
                f"{last.text} {first.text}",
                last.x0,
                last.top,
                first.bottom,
                last.size,
                last.bold and first.bold,
                last.lines + first.lines,
                first.open_end,
                max(last.x1, first.x1),
                last.right,
            )
        return None
    if (
        isinstance(last, TablePiece)
        and isinstance(first, TablePiece)
        and _same_columns(last.grid, first.grid)
    ):
        return _continued(last, first)
    return None


def _same_columns(a: Grid, b: Grid) -> bool:
    return a.cols == b.cols and a.cols > 1 and all(
        abs(x - y) <= COLUMN_MATCH for x, y in zip(a.xs, b.xs, strict=True)
    )


def _continued(a: TablePiece, b: TablePiece) -> TablePiece:
    """Table `b` appended to `a`, without the header rows `b` repeats."""
    repeat = _repeated_rows(a, b)
    shift = a.grid.rows - repeat
    cells = list(a.cells)
    for cp in b.cells:
        c = cp.cell
        if c.row >= repeat:
            moved = GridCell(
                c.row + shift, c.col, c.rowspan, c.colspan, c.x0, c.top, c.x1, c.bottom
            )
            cells.append(CellPiece(moved, cp.pieces))
    # Past a page break the y positions mean nothing; the row lines only count rows.
    ys = a.grid.ys + b.grid.ys[repeat + 1 :]
    return TablePiece(Grid(a.grid.xs, ys, tuple(cp.cell for cp in cells)), tuple(cells))


def _repeated_rows(a: TablePiece, b: TablePiece) -> int:
    """How many leading rows of `b` repeat `a`'s leading rows (Hancom's repeated header)."""
    rows_a, rows_b = _row_texts(a), _row_texts(b)
    for k in range(min(HEADER_ROWS_MAX, len(rows_a), len(rows_b) - 1), 0, -1):
        if rows_a[:k] != rows_b[:k] or not all(any(r) for r in rows_b[:k]):
            continue
        if not any(c.cell.row < k < c.cell.row + c.cell.rowspan for c in b.cells):
            return k
    return 0


def _row_texts(t: TablePiece) -> list[tuple[str, ...]]:
    rows: list[list[tuple[int, str]]] = [[] for _ in range(t.grid.rows)]
    for cp in t.cells:
        text = "".join(map(piece_text, cp.pieces))
        rows[cp.cell.row].append((cp.cell.col, "".join(text.split())))
    return [tuple(text for _, text in sorted(r)) for r in rows]


# ---------------------------------------------------------------- boxes side by side


def _boxes_in_rows(pieces: list[Piece]) -> list[Piece]:
    """Tables side by side with the same row lines as one table: boxes on one line
    ("참고" | title), or the steps of a chart drawn as columns with arrows between them. A
    label box beside a title set without a box ("붙임" then the title) is such a row too."""
    out: list[Piece] = []
    for piece in pieces:
        prev = out[-1] if out else None
        if (
            isinstance(prev, TablePiece)
            and isinstance(piece, TablePiece)
            and prev.grid.rows == piece.grid.rows
            and all(
                abs(a - b) <= COLUMN_MATCH for a, b in zip(prev.grid.ys, piece.grid.ys, strict=True)
            )
            and 0 <= piece.grid.x0 - prev.grid.x1 <= BOX_ROW_GAP
        ):
            out[-1] = _side_by_side(prev, piece)
        elif prev is not None and (row := _label_and_title(prev, piece)) is not None:
            out[-1] = row
        else:
            out.append(piece)
    return out


def _label_and_title(a: Piece, b: Piece) -> TablePiece | None:
    """A label ("참고", "붙임 1": a box, or a filled tag read as a line) and the one-line
    title beside it on its right (boxed or not), as one row of two cells."""
    parts = sorted((_one_line(a), _one_line(b)), key=lambda p: p[1][0] if p else 0.0)
    if parts[0] is None or parts[1] is None:
        return None
    (label, (lx0, lx1, ltop, lbottom)), (title, (tx0, tx1, ttop, tbottom)) = parts
    if not _LABEL_RE.match(label.text) or _LABEL_RE.match(title.text):
        return None
    if not 0 <= tx0 - lx1 <= BOX_ROW_GAP:
        return None
    if abs((ltop + lbottom) / 2 - (ttop + tbottom) / 2) > COLUMN_MATCH * 2:
        return None
    top, bottom = min(ltop, ttop), max(lbottom, tbottom)
    cells = (
        CellPiece(GridCell(0, 0, 1, 1, lx0, top, lx1, bottom), (label,)),
        CellPiece(GridCell(0, 1, 1, 1, tx0, top, tx1, bottom), (title,)),
    )
    return TablePiece(Grid((lx0, lx1, tx1), (top, bottom), tuple(c.cell for c in cells)), cells)


def _one_line(piece: Piece) -> tuple[Para, tuple[float, float, float, float]] | None:
    """The one line a paragraph or a one-cell box holds, with the box it is drawn in."""
    if isinstance(piece, Para) and piece.lines == 1:
        return piece, (piece.x0, piece.x1, piece.top, piece.bottom)
    if isinstance(piece, TablePiece) and len(piece.cells) == 1:
        inner = piece.cells[0].pieces
        if len(inner) == 1 and isinstance(inner[0], Para) and inner[0].lines == 1:
            g = piece.grid
            return inner[0], (g.x0, g.x1, g.top, g.bottom)
    return None


def _side_by_side(a: TablePiece, b: TablePiece) -> TablePiece:
    cols = a.grid.cols
    cells = list(a.cells)
    for cp in b.cells:
        c = cp.cell
        cells.append(CellPiece(replace(c, col=c.col + cols), cp.pieces))
    xs = a.grid.xs + b.grid.xs[1:]
    return TablePiece(Grid(xs, a.grid.ys, tuple(cp.cell for cp in cells)), tuple(cells))


# ---------------------------------------------------------------- model blocks


def _top_block(piece: Piece, body: float) -> Block | None:
    if isinstance(piece, Para):
        if _is_heading(piece, body):
            return Heading(piece.text, 2)
        return Paragraph(piece.text, depth_of(piece.text))
    if isinstance(piece, TablePiece):
        return _table(piece)
    if isinstance(piece, NotePiece):
        return Footnote(piece.text, piece.mark)
    return Image(piece.name)


def _is_heading(p: Para, body: float) -> bool:
    """A section title: a short line or two set clearly larger than the body text.

    A single short bold line only slightly larger counts too when it opens with no body list
    marker ("１ 고용안정 지원을 통한 충격완화 (+306억)" in a headline face); sentences never do.
    """
    if body <= 0 or p.lines > 2 or len(p.text) > HEADING_MAX_CHARS:
        return False
    if SENTENCE_END_RE.search(p.text):
        return False
    if p.size >= HEADING_SIZE * body:
        return True
    return (
        p.size >= HEADING_SIZE_SHORT * body
        and p.bold
        and p.lines == 1
        and len(p.text) <= HEADING_SHORT_CHARS
        and not BULLET_RE.match(p.text)
    )


def _table(piece: TablePiece) -> Table | None:
    cells = []
    for cp in piece.cells:
        c = cp.cell
        cells.append(Cell(c.row, c.col, tuple(_cell_blocks(cp.pieces)), c.rowspan, c.colspan))
    if not any(c.blocks for c in cells):
        return None
    return Table(tuple(cells), piece.grid.rows, max(c.col + c.colspan for c in cells))


def _cell_blocks(pieces: Sequence[Piece]) -> list[Block]:
    out: list[Block] = []
    for p in pieces:
        if isinstance(p, Para):
            out.append(Paragraph(p.text, depth_of(p.text)))
        elif isinstance(p, TablePiece):
            table = _table(p)
            if table is not None:
                out.append(table)
        elif isinstance(p, PicturePiece):
            out.append(Image(p.name))
    return out
