"""Paragraphs from visual lines: a wrapped line continues the paragraph above it.

A line continues the previous one when that line ran to the right side of its column, the
line opens with no list marker, keeps the font size and sits where a wrapped line sits
(the left side, or under the text after a marker). Everything else starts a paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from kscrape.extract.pdf_lines import Line
from kscrape.extract.pdf_words import WRAP

# Korean list markers and numbered-item openings (□ ㅇ ○ - ※ * ▸ ① 1. 가. (1) …).
ITEM_RE = re.compile(
    r"^(?:[□■☐○●◦◇◆◈▪▫▶▷▸►▴※☞❍❏➊-➓➀-➉❶-❿①-⑳⑴-⒇ㅇ\-–*·•‣⋅∙▲△◎✓✔√▣◉【<\[↳⇒➡]"
    r"|\d{1,2}[.)]\s|[가-하][.)]\s|\(\d{1,2}\)|\([가-하]\)|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]\s*\.)"
)
# Bullets of list items (not numbers or Roman numerals, which also open titles).
BULLET_RE = re.compile(r"^[□■☐○●◦◇◆◈▪▫▶▷▸►▴※☞❍❏ㅇ\-–*·•‣⋅∙▲△◎✓✔√▣◉]")
INLINE_ITEM_RE = re.compile(r"^[▲△▴▸►▪•·]")
SENTENCE_END_RE = re.compile(r"(?:다|요|음|함|임)\s*[.。]?\s*$|[.。!?]\s*$")
REACH = 1.6
EDGE_BIN = 2.0
EDGE_LINES = 3
SIZE_CHANGE = 0.08
CELL_GAP_BREAK = 1.5
HANGING_INDENT = 4.0
GAP_BREAK = 2.5


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph of one region (page body or cell) with the geometry the flow needs:
    where its first line starts (`x0`), where its ink ends (`x1`), its column's right side."""

    text: str
    x0: float
    top: float
    bottom: float
    size: float
    bold: bool
    lines: int
    open_end: bool
    x1: float
    right: float


def starts_item(text: str) -> bool:
    return ITEM_RE.match(text) is not None


def paragraphs(
    lines: Sequence[Line],
    right: float | None,
    blockers: Sequence[float] = (),
    *,
    cell: bool = False,
) -> list[Para]:
    """Join lines into paragraphs; never across a table or picture starting at `blockers`.

    `right` is the column's right side; None takes the longest line's end. In a table
    `cell`, text is often centred, so lines join unless a list marker or a sentence end
    parts them.
    """
    if not lines:
        return []
    edge = right if right is not None else max(ln.x1 for ln in lines)
    if not cell:
        edge = _justified_edge(lines, edge)
    joins = _continues_in_cell if cell else _continues
    out: list[Para] = []
    group: list[Line] = []
    for line in lines:
        if group and joins(group, line, edge, blockers):
            group.append(line)
            continue
        if group:
            out.append(_para(group, edge))
        group = [line]
    out.append(_para(group, edge))
    return out


def _justified_edge(lines: Sequence[Line], edge: float) -> float:
    """Where justified lines end, when several lines end at one place left of `edge`.

    The page's rightmost ink can lie past the text's right margin (a wide line, a number
    in the margin); the lines of a justified paragraph all end at the margin itself.
    """
    ends = Counter(round(ln.x1 / EDGE_BIN) for ln in lines if ln.x1 <= edge + 1)
    if not ends:
        return edge
    end, count = ends.most_common(1)[0]
    return min(edge, end * EDGE_BIN + EDGE_BIN) if count >= EDGE_LINES else edge


def _continues(group: list[Line], line: Line, edge: float, blockers: Sequence[float]) -> bool:
    prev = group[-1]
    if any(prev.top < b < line.top for b in blockers):
        return False
    if starts_item(line.text) and not _inline_list(prev, line, edge):
        return False
    if abs(line.size - prev.size) > SIZE_CHANGE * prev.size:
        return False
    if line.top - prev.bottom > GAP_BREAK * prev.size:
        return False
    if len(group) >= 2:
        aligned = abs(line.x0 - group[1].x0) <= 0.6 * prev.size
        return aligned and (reaches(prev, edge) or _hanging(group[0], group[1]))
    if _hanging(group[0], line):
        return line.x0 < group[0].x1
    return reaches(prev, edge) and line.x0 <= group[0].x0 + HANGING_INDENT * prev.size


def _inline_list(prev: Line, line: Line, edge: float) -> bool:
    """A run of "▲ a, ▲ b, …" items wrapped over lines: a comma ends the line above."""
    return (
        INLINE_ITEM_RE.match(line.text) is not None
        and prev.text.endswith(",")
        and reaches(prev, edge)
    )


def _continues_in_cell(
    group: list[Line], line: Line, edge: float, blockers: Sequence[float]
) -> bool:
    prev = group[-1]
    if any(prev.top < b < line.top for b in blockers) or starts_item(line.text):
        return False
    if abs(line.size - prev.size) > SIZE_CHANGE * prev.size:
        return False
    if line.top - prev.bottom > CELL_GAP_BREAK * prev.size:
        return False
    return SENTENCE_END_RE.search(prev.text) is None


def _hanging(first: Line, line: Line) -> bool:
    """A line set in under the text of a list item: part of that item, wrapped or broken."""
    return (
        BULLET_RE.match(first.text) is not None
        and line.x0 > first.x0 + 0.5 * first.size
        and line.top - first.bottom <= first.size
    )


def _glue(prev: Line, line: Line) -> str:
    """A space between wrapped lines, or WRAP where the break may have cut a Korean word.

    A space glyph at the end of the line marks a break between words (all 366 such breaks
    in the 41 releases); a break between two Hangul syllables without one is settled
    later with the words of the whole document (pdf_words).
    """
    if not prev.trailing_space and _hangul(prev.text[-1:]) and _hangul(line.text[:1]):
        return WRAP
    return " "


def _hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3"


def reaches(line: Line, edge: float) -> bool:
    """Whether a line runs to the right side of its column (so it wrapped)."""
    return line.x1 >= edge - REACH * line.size


def _para(group: list[Line], edge: float) -> Para:
    text = group[0].text
    for prev, line in pairwise(group):
        text += _glue(prev, line) + line.text
    last = group[-1]
    return Para(
        text=text,
        x0=group[0].x0,
        top=group[0].top,
        bottom=last.bottom,
        size=max(ln.size for ln in group),
        bold=all(ln.bold for ln in group),
        lines=len(group),
        open_end=reaches(last, edge),
        x1=max(ln.x1 for ln in group),
        right=edge,
    )

