"""Footnotes at the foot of a PDF page: the lines under the short rule that sets them apart.

Hancom (like most writers) sets a page's footnotes in smaller type under a short rule that
starts at the left margin: "1) …", "* …". A rule is such a separator when nothing is
written on it (an underline is), it sits in the lower half of the page outside any table,
and the smaller lines under it open with a note mark.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from kscrape.extract.pdf_grid import Grid
from kscrape.extract.pdf_lines import Line, build_lines
from kscrape.extract.pdf_page import Glyph, PageContent, Rule, centre_in

NOTE_MARK_RE = re.compile(r"^(\d{1,2}\)|\*{1,3}|주\s*\d{0,2}\)|[①-⑳]|\[\d{1,2}\])\s*")
SEPARATOR_MIN = 30.0
SEPARATOR_MAX_SHARE = 0.5
MARGIN_SLACK = 12.0
NOTE_SIZE = 0.95


@dataclass(frozen=True, slots=True)
class NotePiece:
    """A footnote: its mark ("1)", "*") and text."""

    mark: str
    text: str
    top: float
    bottom: float


def split_notes(
    page: PageContent, glyphs: Sequence[Glyph], grids: Sequence[Grid]
) -> tuple[list[Glyph], list[NotePiece]]:
    """The glyphs of the page body, and the footnotes under a separator rule if there is one."""
    free = [g for g in glyphs if not any(centre_in(g, grid) for grid in grids)]
    if not free:
        return list(glyphs), []
    left = min(g.x0 for g in free)
    for rule in sorted(page.rules, key=lambda r: r.pos):
        if not _separator(rule, page, left, free, grids):
            continue
        notes = _notes(build_lines(g for g in free if g.top > rule.pos), free, rule)
        if notes:
            below = {id(g) for g in free if g.top > rule.pos and _in_notes(g, notes)}
            return [g for g in glyphs if id(g) not in below], notes
    return list(glyphs), []


def _separator(
    rule: Rule, page: PageContent, left: float, free: list[Glyph], grids: Sequence[Grid]
) -> bool:
    length = rule.end - rule.start
    if not rule.horizontal or rule.pos < page.height / 2:
        return False
    if not SEPARATOR_MIN <= length <= SEPARATOR_MAX_SHARE * page.width:
        return False
    if abs(rule.start - left) > MARGIN_SLACK:
        return False
    if any(g.top - 2 < rule.pos < g.bottom + 2 and g.x1 > rule.start and g.x0 < rule.end
           for g in free):
        return False
    return not any(
        grid.x0 - 2 <= rule.start <= grid.x1 + 2 and grid.top - 2 <= rule.pos <= grid.bottom + 2
        for grid in grids
    )


def _notes(lines: list[Line], free: list[Glyph], rule: Rule) -> list[NotePiece]:
    """The footnotes the lines under a separator make: each mark opens one."""
    above = [g.size for g in free if g.bottom < rule.pos]
    body = statistics.median(above) if above else 0.0
    small = [ln for ln in lines if ln.size <= NOTE_SIZE * body]
    if not small or NOTE_MARK_RE.match(small[0].text) is None:
        return []
    notes: list[NotePiece] = []
    for line in small:
        m = NOTE_MARK_RE.match(line.text)
        if m is not None or not notes:
            mark = m.group(1) if m else ""
            notes.append(NotePiece(mark, line.text[m.end() if m else 0 :], line.top, line.bottom))
        else:
            last = notes[-1]
            notes[-1] = NotePiece(last.mark, f"{last.text} {line.text}", last.top, line.bottom)
    return notes


def _in_notes(g: Glyph, notes: list[NotePiece]) -> bool:
    middle = (g.top + g.bottom) / 2
    return any(n.top - 1 <= middle <= n.bottom + 1 for n in notes)
