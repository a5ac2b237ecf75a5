"""What a PDF page draws, read with pypdfium2: glyphs, ruling lines and pictures.

The only module that talks to PDFium. Coordinates are in points with the origin at the top
left of the page (y grows downwards), so sorting by `top` is reading order.
"""

from __future__ import annotations

import ctypes
import math
import re
import threading
from dataclasses import dataclass, replace
from typing import Protocol

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from kscrape.extract.pua import map_pua

# PDFium keeps global state and is not thread-safe; one document at a time.
_LOCK = threading.Lock()
_PASSWORD_ERRORS = (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY)
MAX_PAGES = 400
MAX_GLYPHS_PER_PAGE = 60_000
MAX_GLYPHS = 1_000_000
MAX_OBJECTS_PER_PAGE = 200_000
RULE_MAX_THICKNESS = 2.5
PICTURE_MIN_SIDE = 36.0
_SPACES = frozenset((32, 0xA0, 0x3000))
_HEAVY_FONT_RE = re.compile(r"bold|black|heavy|hdr|헤드라인|견고딕|굵은", re.I)


class PdfLocked(Exception):
    """The PDF needs a password (or a security handler PDFium does not have)."""


class PdfBroken(Exception):
    """PDFium could not load the document, or it is larger than we agree to read."""


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character as drawn: its box, baseline, effective font size and weight."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    index: int = 0
    space_after: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal or vertical stroke: at `pos` (y or x), from `start` to `end` along it."""

    horizontal: bool
    pos: float
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the page (a picture, a filled cell background)."""

    x0: float
    top: float
    x1: float
    bottom: float


class Rect(Protocol):
    """Anything with a box on the page: a glyph, a picture, a grid or one of its cells."""

    @property
    def x0(self) -> float: ...
    @property
    def x1(self) -> float: ...
    @property
    def top(self) -> float: ...
    @property
    def bottom(self) -> float: ...


def centre_in(item: Rect, box: Rect, tolerance: float = 0.0) -> bool:
    """Whether the centre of `item` lies in `box`, edges included, the box widened by
    `tolerance` on every side."""
    cx = (item.x0 + item.x1) / 2
    cy = (item.top + item.bottom) / 2
    t = tolerance
    return box.x0 - t <= cx <= box.x1 + t and box.top - t <= cy <= box.bottom + t


@dataclass(frozen=True, slots=True)
class PageContent:
    """Everything one page draws that matters for its text and tables.

    `column` is 1 or 2 for the left or right page of a sheet printed two pages up, else 0.
    """

    number: int
    width: float
    height: float
    glyphs: tuple[Glyph, ...]
    rules: tuple[Rule, ...]
    dots: tuple[tuple[float, float], ...]
    pictures: tuple[Box, ...]
    column: int = 0


def read_pages(data: bytes) -> list[PageContent]:
    """Every page of a PDF in order; raises PdfLocked or PdfBroken.

    PDFium reads the whole content of a page at once, so the limits are checked per page
    and over the document: a file drawing more than we agree to read is reported damaged.
    """
    with _LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if exc.err_code in _PASSWORD_ERRORS:
                raise PdfLocked("password-protected PDF") from exc
            raise PdfBroken(str(exc)) from exc
        try:
            if len(doc) > MAX_PAGES:
                raise PdfBroken(f"{len(doc)} pages, more than the {MAX_PAGES} we read")
            pages = []
            glyphs = 0
            for number in range(len(doc)):
                page = doc[number]
                try:
                    pages.append(_read_page(number, page))
                finally:
                    page.close()
                glyphs += len(pages[-1].glyphs)
                if glyphs > MAX_GLYPHS:
                    raise PdfBroken(f"more than {MAX_GLYPHS} characters")
            return pages
        except pdfium.PdfiumError as exc:
            raise PdfBroken(str(exc)) from exc
        finally:
            doc.close()


def _read_page(number: int, page: pdfium.PdfPage) -> PageContent:
    width, height = page.get_size()
    rules: list[Rule] = []
    dots: list[tuple[float, float]] = []
    pictures: list[Box] = []
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    if count > MAX_OBJECTS_PER_PAGE:
        raise PdfBroken(f"page {number + 1} draws {count} objects, more than we read")
    box = [ctypes.c_float() for _ in range(4)]
    refs = [ctypes.byref(v) for v in box]
    for i in range(count):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE):
            continue
        if not pdfium_c.FPDFPageObj_GetBounds(obj, *refs):
            continue
        x0, y0, x1, y1 = (v.value for v in box)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            _path_rules(obj, (x0, height - y1, x1, height - y0), height, rules, dots)
        elif min(x1 - x0, y1 - y0) >= PICTURE_MIN_SIDE:
            pictures.append(Box(x0, height - y1, x1, height - y0))
    textpage = page.get_textpage()
    try:
        glyphs = _glyphs(textpage, height)
    finally:
        textpage.close()
    return PageContent(number, width, height, glyphs, tuple(rules), tuple(dots), tuple(pictures))


def _glyphs(textpage: pdfium.PdfTextPage, height: float) -> tuple[Glyph, ...]:
    """The page's glyphs in content order; PDFium's own word spacing marks `space_after`.

    PDFium knows each font's advance widths, so its (real or generated) spaces between
    glyphs that follow each other in the content are better than any gap measured here.
    """
    count = textpage.count_chars()
    if count > MAX_GLYPHS_PER_PAGE:
        raise PdfBroken(f"a page holds {count} characters, more than {MAX_GLYPHS_PER_PAGE}")
    raw = textpage.raw
    codes = _codes(textpage, count)
    styles: dict[int, tuple[float, bool]] = {}
    rect = pdfium_c.FS_RECTF()
    ink = [ctypes.c_double() for _ in range(4)]
    left, right, bottom, top = ink
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    ink_box = pdfium_c.FPDFText_GetCharBox
    map_error = pdfium_c.FPDFText_HasUnicodeMapError
    out: list[Glyph] = []
    spaced: set[int] = set()
    for i, code in enumerate(codes):
        if code in _SPACES:
            spaced.add(i - 1)
            continue
        if code < 32 or code in (0xFFFE, 0xFFFF) or not loose_box(raw, i, rect):
            continue
        text = _glyph_text(code, bool(map_error(raw, i)))
        if not text:
            continue
        size, bold = _style(raw, i, styles)
        size = size or round(rect.top - rect.bottom, 1)
        # Horizontally the ink box: the loose box is a full em wide even for "1" or ",".
        ink_box(raw, i, left, right, bottom, top)
        x0, x1 = (left.value, right.value) if right.value > left.value else (rect.left, rect.right)
        out.append(Glyph(text, x0, x1, height - rect.top, height - rect.bottom, size, bold, i))
    return tuple(replace(g, space_after=True) if g.index in spaced else g for g in out)


def _codes(textpage: pdfium.PdfTextPage, count: int) -> list[int]:
    """The code point of each character index (one call for the page when it lines up)."""
    text = textpage.get_text_range(0, count)
    if len(text) == count:
        return [ord(c) for c in text]
    return [pdfium_c.FPDFText_GetUnicode(textpage.raw, i) for i in range(count)]


def _glyph_text(code: int, unmapped: bool) -> str:
    """The character a glyph stands for; U+FFFD when the font cannot say, "" for none.

    Private-use characters go through the shared table (kscrape.extract.pua). A symbol
    font's code (U+F000–U+F0FF) that the table does not know names no character in a PDF
    (Hancom writes U+F000 for any boxed digit), so it is left out.
    """
    if unmapped or code >= 0x110000:
        return "\ufffd"
    text = map_pua(chr(code))
    return "" if len(text) == 1 and 0xF000 <= ord(text) <= 0xF0FF else text


def _style(raw: object, index: int, cache: dict[int, tuple[float, bool]]) -> tuple[float, bool]:
    """Effective font size and boldness of a glyph, read once per text object.

    Hancom sets bold as "fill and stroke" rendering of the regular font, or uses a Bold font;
    headline typefaces (HY헤드라인, 견고딕) count as bold, since they are drawn heavy.
    """
    obj = pdfium_c.FPDFText_GetTextObject(raw, index)
    if not obj:
        return (0.0, False)
    key = ctypes.addressof(obj.contents)
    if key in cache:
        return cache[key]
    size = ctypes.c_float()
    pdfium_c.FPDFTextObj_GetFontSize(obj, ctypes.byref(size))
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    scale = math.sqrt(abs(m.a * m.d - m.b * m.c)) or 1.0
    bold = pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == pdfium_c.FPDF_TEXTRENDERMODE_FILL_STROKE
    if not bold:
        bold = _HEAVY_FONT_RE.search(_font_name(obj)) is not None
    cache[key] = (round(size.value * scale, 1), bold)
    return cache[key]


def _font_name(obj: object) -> str:
    font = pdfium_c.FPDFTextObj_GetFont(obj)
    if not font:
        return ""
    n = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer(n)
    pdfium_c.FPDFFont_GetBaseFontName(font, buf, n)
    for encoding in ("utf-8", "cp949"):
        try:
            return buf.value.decode(encoding)
        except UnicodeDecodeError:
            continue
    return buf.value.decode("latin-1")


def _path_rules(
    obj: object,
    bounds: tuple[float, float, float, float],
    height: float,
    rules: list[Rule],
    dots: list[tuple[float, float]],
) -> None:
    """Horizontal and vertical strokes of a path, and the dots of a dotted line.

    A path no bigger than a dot is a dot (dotted lines are drawn one dot a path). A stroked
    path gives its axis-parallel segments. A filled path that is thin is a line too (some
    writers draw rules that way); a filled area that is not thin is a background.
    """
    x0, top, x1, bottom = bounds
    if x1 - x0 <= RULE_MAX_THICKNESS and bottom - top <= RULE_MAX_THICKNESS:
        dots.append(((x0 + x1) / 2, (top + bottom) / 2))
        return
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
    if stroke.value:
        _segment_rules(obj, height, rules, dots)
    elif bottom - top <= RULE_MAX_THICKNESS:
        rules.append(Rule(True, (top + bottom) / 2, x0, x1))
    elif x1 - x0 <= RULE_MAX_THICKNESS:
        rules.append(Rule(False, (x0 + x1) / 2, top, bottom))


def _segment_rules(
    obj: object, height: float, rules: list[Rule], dots: list[tuple[float, float]]
) -> None:
    """The axis-parallel straight segments of a stroked path, in page coordinates."""
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return
    x = ctypes.c_float()
    y = ctypes.c_float()
    start: tuple[float, float] | None = None
    prev: tuple[float, float] | None = None
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        px = m.a * x.value + m.c * y.value + m.e
        py = m.b * x.value + m.d * y.value + m.f
        point = (px, height - py)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = prev = point
            continue
        if prev is not None and kind == pdfium_c.FPDF_SEGMENT_LINETO:
            _add_segment(prev, point, rules, dots)
        prev = point
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
            _add_segment(prev, start, rules, dots)
            prev = start


def _add_segment(
    a: tuple[float, float],
    b: tuple[float, float],
    rules: list[Rule],
    dots: list[tuple[float, float]],
) -> None:
    (ax, ay), (bx, by) = a, b
    dx, dy = abs(ax - bx), abs(ay - by)
    if dx < 0.5 and dy < 0.5:
        dots.append(((ax + bx) / 2, (ay + by) / 2))
    elif dy < 0.5:
        rules.append(Rule(True, (ay + by) / 2, min(ax, bx), max(ax, bx)))
    elif dx < 0.5:
        rules.append(Rule(False, (ax + bx) / 2, min(ay, by), max(ay, by)))
