"""The plain-text body of a document, rendered from its blocks.

This is the text search, CSV and contact parsing read: paragraphs (and headings, footnotes,
image captions) separated by one blank line; a table as one line per row, listing the cells
that start in that row, tab-separated, each cell on one line. A merged cell appears once, in
its first row, so a contact row under a merged "담당 부서" cell inherits it from the row above.
A list (the title box's subtitles) is one line per item, and the contact table is the 담당 부서
section: its title, then one line per row (`contact_lines`), the lines the Markdown lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kscrape.extract.model import Block, Bullets, Cell, Contacts, Footnote, Image, Table

CONTACTS_TITLE = "담당 부서"


def to_text(blocks: Iterable[Block]) -> str:
    return "\n\n".join(t for t in (block_text(b) for b in blocks) if t)


def block_text(block: Block) -> str:
    if isinstance(block, Table):
        return table_text(block)
    if isinstance(block, Footnote):
        return f"{block.mark} {block.text}".strip() if block.mark else block.text
    if isinstance(block, Image):
        return block.caption
    if isinstance(block, Bullets):
        return "\n".join(block.items)
    if isinstance(block, Contacts):
        lines = contact_lines(block.table)
        return f"{CONTACTS_TITLE}\n\n" + "\n".join(lines) if lines else ""
    return block.text


def table_text(table: Table) -> str:
    """Rows on their own lines, cells tab-separated; rows with no text are left out."""
    lines = []
    for row in rows_of(table):
        cells = [cell_text(c) for c in row]
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)


def contact_lines(table: Table) -> list[str]:
    """One line per row of a contact table, its cells with text in order, none left out.

    In a full row the first cell labels the second, the last (phone or e-mail) stands apart
    and the cells between are one part: "담당 부서: 기획조정실 / 책임자 과 장 이하녕 /
    (044-204-7320)". A row of three cells or fewer, left under merged cells, is its cells
    apart: "사무관 / 김진영 / (044-202-7028)". This is the form korea.kr's viewer gives.
    """
    lines = []
    for row in rows_of(table):
        cells = [text for text in map(cell_text, row) if text]
        if len(cells) >= 4:
            cells = [f"{cells[0]}: {cells[1]}", " ".join(cells[2:-1]), cells[-1]]
        if cells:
            lines.append(" / ".join(cells))
    return lines


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
