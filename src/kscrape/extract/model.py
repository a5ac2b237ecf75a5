"""The document model every extractor yields: ordered blocks of a release's attachment.

Extractors (HWPX, HWP 5, PDF) read a document into these blocks; `body` text and Markdown are
both rendered from the same blocks, so search, CSV and the Markdown record never disagree
about what a release says.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Heading:
    """The title box (level 1) or a numbered or boxed section title (level 2 and deeper)."""

    text: str
    level: int = 2


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph; a list item keeps its Korean marker (□ ㅇ ○ - ※ * ▸ ①) at its start.

    `depth` is the item's indentation level (0: top level).
    """

    text: str
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote or endnote, with the mark that refers to it in the text."""

    text: str
    mark: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    """A picture, kept as a placeholder that names it (and its caption, when it has one)."""

    name: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of a table at its grid position; a merged cell spans rows and columns."""

    row: int
    col: int
    blocks: tuple[Block, ...] = ()
    rowspan: int = 1
    colspan: int = 1


MAX_GRID = 4000  # rows or columns a table may claim: a hostile file cannot make it bigger


def grid_cell(row: int, col: int, blocks: tuple[Block, ...], rowspan: int, colspan: int) -> Cell:
    """A cell with its position and spans clamped into a MAX_GRID × MAX_GRID grid."""
    row = min(max(row, 0), MAX_GRID - 1)
    col = min(max(col, 0), MAX_GRID - 1)
    rowspan = min(max(rowspan, 1), MAX_GRID - row)
    colspan = min(max(colspan, 1), MAX_GRID - col)
    return Cell(row, col, blocks, rowspan, colspan)


def grid_size(cells: Sequence[Cell]) -> tuple[int, int]:
    """The rows and columns the cells reach, their spans included (0, 0 without cells)."""
    rows = max((c.row + c.rowspan for c in cells), default=0)
    cols = max((c.col + c.colspan for c in cells), default=0)
    return rows, cols


@dataclass(frozen=True, slots=True)
class Table:
    """A table as a grid of `rows` × `cols` positions, covered by its cells."""

    cells: tuple[Cell, ...]
    rows: int
    cols: int


@dataclass(frozen=True, slots=True)
class Bullets:
    """A tight list of short lines: the subtitles of a release's title box.

    The items are the lines without the dashes that frame them in the document
    ("- 총 4,165억원 증액 의결 -" gives "총 4,165억원 증액 의결").
    """

    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Contacts:
    """The press-contact table (담당 부서, 책임자, 담당자, phone numbers): the release's
    담당 부서 section, at the place the table stands. The table is kept whole; it is rendered
    one line per row (kscrape.extract.plaintext.contact_lines)."""

    table: Table


Block = Heading | Paragraph | Table | Footnote | Image | Bullets | Contacts


def paragraph_text(blocks: Iterable[Block]) -> str:
    """The texts of the paragraphs among `blocks`, space-separated: a note's or a caption's
    text."""
    return " ".join(b.text for b in blocks if isinstance(b, Paragraph))
