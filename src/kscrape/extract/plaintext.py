"""The plain-text body of a document, rendered from its blocks.

This is the text search, CSV and contact parsing read: paragraphs (and headings, footnotes,
image captions) separated by one blank line; a table as one line per row, listing the cells
that start in that row, tab-separated, each cell on one line. A merged cell appears once, in
its first row, so a contact row under a merged "담당 부서" cell inherits it from the row above.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kscrape.extract.model import Block, Cell, Footnote, Image, Table


def to_text(blocks: Iterable[Block]) -> str:
    return "\n\n".join(t for t in (block_text(b) for b in blocks) if t)


def block_text(block: Block) -> str:
    if isinstance(block, Table):
        return table_text(block)
    if isinstance(block, Footnote):
        return f"{block.mark} {block.text}".strip() if block.mark else block.text
    if isinstance(block, Image):
        return block.caption
    return block.text


def table_text(table: Table) -> str:
    """Rows on their own lines, cells tab-separated; rows with no text are left out."""
    lines = []
    for row in rows_of(table):
        cells = [cell_text(c) for c in row]
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)


def rows_of(table: Table) -> list[list[Cell]]:
    """The cells that start in each grid row, left to right."""
    rows: list[list[Cell]] = [[] for _ in range(table.rows)]
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        if 0 <= cell.row < table.rows:
            rows[cell.row].append(cell)
    return rows


def cell_text(cell: Cell) -> str:
    """A cell on one line: its paragraphs, and any nested table's rows, joined by spaces."""
    return " ".join(_cell_parts(cell.blocks))


def _cell_parts(blocks: Iterable[Block]) -> Iterator[str]:
    for block in blocks:
        for line in block_text(block).split("\n"):
            words = " ".join(line.split())
            if words:
                yield words


def has_text(block: Block) -> bool:
    if isinstance(block, Table):
        return any(has_text(b) for c in block.cells for b in c.blocks)
    return bool(block_text(block).strip())
