"""What a PDF page shows that is not body: the release's cover, page numbers, running heads.

The cover of a release is the top of its first page: the document-type label box ("보도자료",
with the ministry logo), the embargo line ("보도시점 …" and its date lines) and the title box
(title and "- subtitle -" lines). korea.kr shows the title apart, so the cover goes, except
a contact table set up there and the subtitles, which open the body as a list. Page numbers
("- 3 -") and lines repeated at the top or foot of several pages go too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from kscrape.extract.layout import CONTACT_RE, MASTHEAD_RE, summary_items
from kscrape.extract.pdf_layout import PicturePiece, Piece, TablePiece, body_size, piece_text
from kscrape.extract.pdf_page import PageContent
from kscrape.extract.pdf_paragraphs import Para

_LABEL_RE = re.compile(
    r"(?:보도참고|보도설명|공동보도|보도|설명|해명|동정|참고|정책|행사)자료|긴급지시"
)
_EMBARGO_MORE_RE = re.compile(
    r"[\s<(/〈]*(?:배\s*포|\(?\s*(?:지\s*면|온\s*라\s*인|인\s*터\s*넷|방\s*송)"
    r"|\d{1,4}\s*\.\s*\d{1,2}\s*\.|석\s*간|조\s*간)"
)
_PAGE_NUMBER_RE = re.compile(r"^[-–—]?\s*\d{1,3}\s*[-–—]?$|^\d{1,3}\s*/\s*\d{1,3}$")
_DASHES = ("-", "–", "‒", "—", "【", "<", "〈")
COVER_SCAN = 8
LABEL_MAX_CHARS = 40
EMBARGO_MAX_CHARS = 160
EMBARGO_MORE_MAX_CHARS = 45
TITLE_MAX_PARAS = 4
TITLE_SIZE = 1.25
MARGIN_ZONE = 0.09
RUNNING_ZONE = 0.12


def drop_furniture(
    pages: Sequence[list[Piece]], contents: Sequence[PageContent]
) -> list[list[Piece]]:
    """Pages without page numbers and without lines repeated in the margins of several pages."""
    repeated = _running_lines(pages, contents)
    out = []
    for pieces, page in zip(pages, contents, strict=True):
        lowest = max((p.top for p in pieces if isinstance(p, Para)), default=None)
        out.append([p for p in pieces if not _furniture(p, page, repeated, lowest)])
    return out


def _furniture(piece: Piece, page: PageContent, repeated: set[str], lowest: float | None) -> bool:
    """A page number (in the margin, or the page's last line, as on a page printed
    reduced), or a running head or foot."""
    if not isinstance(piece, Para):
        return False
    if _PAGE_NUMBER_RE.match(piece.text) and (
        _zone(piece, page, MARGIN_ZONE) or piece.top == lowest
    ):
        return True
    return _zone(piece, page, RUNNING_ZONE) and _digitless(piece.text) in repeated


def _running_lines(pages: Sequence[list[Piece]], contents: Sequence[PageContent]) -> set[str]:
    """Texts (digits aside) that open or close two or more pages: running heads and feet."""
    seen: Counter[str] = Counter()
    for pieces, page in zip(pages, contents, strict=True):
        texts = {
            _digitless(p.text)
            for p in pieces
            if isinstance(p, Para) and _zone(p, page, RUNNING_ZONE)
        }
        seen.update(texts)
    return {t for t, n in seen.items() if n >= 2 and t}


def _zone(p: Para, page: PageContent, share: float) -> bool:
    return p.bottom <= share * page.height or p.top >= (1 - share) * page.height


def _digitless(text: str) -> str:
    return re.sub(r"\d+", "#", "".join(text.split()))


def drop_cover(pieces: list[Piece]) -> tuple[list[Piece], list[str]]:
    """The first page without its cover, and the title box's subtitles as list items.

    The label, the embargo line and the title go (the record prints the title); the
    subtitles are the release's own summary and stay. Unchanged, with no subtitles, when no
    label or embargo line opens the page.
    """
    last = -1
    for i, piece in enumerate(pieces[:COVER_SCAN]):
        if _cover_kind(piece):
            last = i
    if last < 0:
        return pieces, []
    start = last + 1
    while start < len(pieces) and _embargo_more(pieces[start]):
        start += 1
    end = _title_end(pieces, start)
    kept = [p for p in pieces[:end] if isinstance(p, TablePiece) and _is_contact(p)]
    return kept + pieces[end:], _subtitles(pieces[start:end])


def _subtitles(title: Sequence[Piece]) -> list[str]:
    """The lines of the title region from its first subtitle (a line opening with a dash or
    a 【…】 note) on, in reading order, as list items (`layout.summary_items`)."""
    texts = [p.text.strip() for piece in title for p in _paras(piece)]
    first = next((k for k, t in enumerate(texts) if t.startswith(_DASHES)), len(texts))
    return summary_items([t for t in texts[first:] if t])


def _paras(piece: Piece) -> list[Para]:
    if isinstance(piece, Para):
        return [piece]
    if isinstance(piece, TablePiece):
        return [p for c in piece.cells for inner in c.pieces for p in _paras(inner)]
    return []


def _cover_kind(piece: Piece) -> str:
    text = piece_text(piece)
    squashed = "".join(text.split())
    if isinstance(piece, TablePiece) and piece.grid.rows > 1:
        return ""
    if _LABEL_RE.search(squashed) and len(squashed) <= LABEL_MAX_CHARS:
        return "label"
    if MASTHEAD_RE.search(text) and len(squashed) <= EMBARGO_MAX_CHARS:
        return "embargo"
    return ""


def _embargo_more(piece: Piece) -> bool:
    if not isinstance(piece, Para):
        return False
    s = piece.text.strip()
    return len(s) <= EMBARGO_MORE_MAX_CHARS and _EMBARGO_MORE_RE.match(s) is not None


def _title_end(pieces: list[Piece], start: int) -> int:
    """Where the body starts after the cover: past the title box and the subtitle lines.

    The title sits in a one-cell box (a second box may hold the subtitles), or is set in
    large type without a box. More than a few such lines is no title: nothing more goes.
    """
    body = body_size(pieces[start:])
    i = start
    boxes = paras = 0
    while i < len(pieces):
        p = pieces[i]
        if isinstance(p, TablePiece) and len(p.cells) == 1 and boxes < 2 and not paras:
            if boxes and not _subtitles_only(p):
                break
            boxes += 1
        elif isinstance(p, Para) and (
            _is_subtitle(p.text) or (not boxes and p.size >= TITLE_SIZE * body)
        ):
            paras += 1
            if paras > TITLE_MAX_PARAS:
                return start
        elif isinstance(p, PicturePiece) and not boxes and not paras:
            pass
        else:
            break
        i += 1
    return i


def _subtitles_only(table: TablePiece) -> bool:
    paras = [p for c in table.cells for p in c.pieces if isinstance(p, Para)]
    return bool(paras) and all(_is_subtitle(p.text) for p in paras)


def _is_subtitle(text: str) -> bool:
    return text.strip().startswith(_DASHES)


def _is_contact(table: TablePiece) -> bool:
    text = piece_text(table)
    return CONTACT_RE.search(text) is not None and len(table.cells) > 1
