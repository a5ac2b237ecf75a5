"""Visual lines from a PDF's glyphs: glyphs that share a baseline, left to right.

A PDF has no words or lines, only positioned glyphs; a line is a set of glyphs whose boxes
overlap vertically; spaces come from PDFium's reading of the content (see pdf_page).
Raised marks (①, *) stay in the line they belong to.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from kscrape.extract.pdf_page import Glyph

SAME_LINE_OVERLAP = 0.5
SPACE_GAP = 0.25
OVERPRINT = 0.6  # points: a bold overprint is shifted a fraction of a point
RECENT_LINES = 6


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line: its text, box, font size and weight, and whether it ends in a space."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    trailing_space: bool = False

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def build_lines(glyphs: Iterable[Glyph]) -> list[Line]:
    """The lines the glyphs form, top to bottom."""
    groups: list[list[Glyph]] = []
    spans: list[list[float]] = []
    for g in sorted(glyphs, key=lambda g: (g.top + g.bottom) / 2):
        best, best_overlap = -1, 0.0
        for k in range(max(0, len(groups) - RECENT_LINES), len(groups)):
            top, bottom = spans[k]
            overlap = min(bottom, g.bottom) - max(top, g.top)
            height = min(bottom - top, g.bottom - g.top) or 1.0
            if overlap / height > max(best_overlap, SAME_LINE_OVERLAP - 1e-9):
                best, best_overlap = k, overlap / height
        if best < 0:
            groups.append([g])
            spans.append([g.top, g.bottom])
        else:
            groups[best].append(g)
            if g.text != " ":
                spans[best][0] = min(spans[best][0], g.top)
                spans[best][1] = max(spans[best][1], g.bottom)
    lines = [line for group in groups if (line := _line(group)) is not None]
    return sorted(lines, key=lambda ln: (ln.top, ln.x0))


def _line(glyphs: list[Glyph]) -> Line | None:
    ink = _without_overprint(sorted(glyphs, key=lambda g: (g.x0, g.index)))
    if not ink:
        return None
    parts: list[str] = []
    prev: Glyph | None = None
    for g in ink:
        if prev is not None and _space_between(prev, g):
            parts.append(" ")
        parts.append(g.text)
        prev = g
    size = statistics.median(g.size for g in ink)
    body = [g for g in ink if g.size >= 0.8 * size] or ink
    return Line(
        text="".join(parts).strip(),
        x0=ink[0].x0,
        x1=ink[-1].x1,
        top=min(g.top for g in body),
        bottom=max(g.bottom for g in body),
        size=size,
        bold=sum(g.bold for g in ink) >= 0.6 * len(ink),
        trailing_space=ink[-1].space_after,
    )


def _space_between(a: Glyph, b: Glyph) -> bool:
    """PDFium's spacing for glyphs that follow each other in the content; else the gap."""
    if 0 < b.index - a.index <= 1 + a.space_after:
        return a.space_after
    return b.x0 - a.x1 > SPACE_GAP * max(a.size, b.size, 1.0)


def _without_overprint(glyphs: list[Glyph]) -> list[Glyph]:
    """Drop a glyph drawn again on top of itself (a way some writers fake bold)."""
    out: list[Glyph] = []
    for g in glyphs:
        if (
            out
            and g.text == out[-1].text
            and abs(g.x0 - out[-1].x0) < OVERPRINT
            and abs(g.x1 - out[-1].x1) < OVERPRINT
        ):
            continue
        out.append(g)
    return out
