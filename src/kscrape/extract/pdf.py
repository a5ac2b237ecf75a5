"""PDF: page text from pypdf, re-joined into paragraphs, without the cover and repeated headers."""

from __future__ import annotations

import io
import re

from kscrape.extract.blocks import (
    CONTACT_RE,
    DAMAGED,
    ENCRYPTED,
    MASTHEAD_RE,
    Block,
    Extraction,
    is_hangul,
    join_blocks,
    judge,
    nonblank,
    one_line,
)


def extract_pdf(data: bytes) -> Extraction:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return Extraction("pdf", "", ENCRYPTED, "password-protected PDF")
            except (NotImplementedError, PdfReadError) as exc:
                return Extraction("pdf", "", ENCRYPTED, one_line(exc))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        return Extraction("pdf", "", DAMAGED, one_line(exc))
    except RecursionError:
        return Extraction("pdf", "", DAMAGED, "PDF object graph too deep")
    lines = [page.splitlines() for page in pages]
    if lines:
        lines[0] = _strip_pdf_masthead(lines[0])
    lines = _drop_repeated_headers(lines)
    blocks = [Block(par) for page in lines for par in _pdf_paragraphs(page)]
    return judge("pdf", join_blocks(nonblank(blocks)))


_BULLET_RE = re.compile(
    r"^(?:[□■☐○●◦◇◆◈▪▶▷▸►※☞❍❏➊-➓➀-➉❶-❿①-⑳ㅇ\-*·•▲▴◎✓✔]|\d+[.)]\s|[가-하][.)]\s|<|\[)"
)
_SENTENCE_END_RE = re.compile(r"[.!?](?:['\"”’)])?$|다$|\s-$")
_PAGE_NUMBER_RE = re.compile(r"^[-–—]?\s*\d{1,3}\s*[-–—]?$|^\d{1,3}\s*/\s*\d{1,3}$")


def _pdf_paragraphs(lines: list[str]) -> list[str]:
    """Re-join the visual lines of a PDF page into paragraphs.

    A line starts a new paragraph when it is indented, opens with a bullet mark or the
    previous line ended a sentence; otherwise it continues the previous one. pypdf keeps the
    space at the end of a line that wrapped between words, so a line without it was cut
    inside a word and is joined without a space.
    """
    paragraphs: list[str] = []
    open_tail = False
    for raw in lines:
        line = raw.strip()
        if not line or _PAGE_NUMBER_RE.match(line):
            continue
        indented = raw[:1].isspace()
        if paragraphs and open_tail and not indented and not _BULLET_RE.match(line):
            glue = " " if raw[-1:].isspace() or not paragraphs[-1] else ""
            paragraphs[-1] += glue + line
        else:
            paragraphs.append(line)
        open_tail = _SENTENCE_END_RE.search(line) is None
    return paragraphs


# The cover of a release, as the first PDF page shows it: a document-type label ("보도자료",
# "동정자료", "고용노동부 보도참고자료"), the embargo line and its continuations, the title and
# "- subtitle -" lines. Floating cover tables come out wherever pypdf meets them, often at
# the foot of page 1, so they are found by content, not by position.
_PDF_LABEL_RE = re.compile(
    r"(?:[가-힣]{1,12}\s+)?(?:보\s*도\s*참\s*고|보\s*도\s*설\s*명|공\s*동\s*보\s*도|보\s*도|설\s*명"
    r"|해\s*명|동\s*정|참\s*고|정\s*책|행\s*사)\s*자\s*료|긴\s*급\s*지\s*시"
)
_PDF_EMBARGO_MORE_RE = re.compile(
    r"[\s<(/〈]*(?:배\s*포|\(?\s*(?:지\s*면|온\s*라\s*인|인\s*터\s*넷|방\s*송)"
    r"|\d{1,4}\s*\.\s*\d{1,2}\s*\.|석\s*간|조\s*간)"
)
_PDF_BODY_MARK_RE = re.compile(r"[□■☐○●◦◇◆◈▪▶▷▸►※☞❍❏➊-➓➀-➉❶-❿①-⑳ㅇ*·•▲▴◎✓✔]")
_DASHES = ("-", "–", "‒", "—")
PDF_TITLE_MAX_LINES = 4
PDF_EMBARGO_MORE_MAX_CHARS = 45
PDF_FRAGMENT_MAX_CHARS = 8
PDF_SUBTITLE_TAIL_LINES = 2
PDF_HEADER_MAX_CHARS = 40


def _pdf_cover_kind(line: str) -> str:
    s = line.strip()
    if _PDF_LABEL_RE.fullmatch(s):
        return "label"
    if MASTHEAD_RE.match(s):
        return "embargo"
    return ""


def _strip_pdf_masthead(lines: list[str]) -> list[str]:
    """Drop the cover lines of page 1; the viewer shows the title apart and not as body.

    Each run of label/embargo lines goes, with the embargo line's date continuations
    ("< 4. 14.(화) 조간 >", "/ 배포 …"), a short fragment of the label cell just above a label
    (a ministry name cut by the logo) and the title and subtitle lines that follow the run up
    to the first body line. Without such a run nothing is dropped.
    """
    kinds = [_pdf_cover_kind(line) for line in lines]
    drop: set[int] = set()
    i = 0
    while i < len(lines):
        if not kinds[i]:
            i += 1
            continue
        if kinds[i] == "label" and i > 0 and _is_cover_fragment(lines[i - 1]):
            drop.add(i - 1)
        j = i
        embargo = False
        while j < len(lines) and (kinds[j] or (embargo and _is_embargo_more(lines[j]))):
            embargo = embargo or kinds[j] == "embargo"
            drop.add(j)
            j += 1
        end = _pdf_title_end(lines, j)
        drop.update(range(j, end))
        i = max(end, j)
    return [line for k, line in enumerate(lines) if k not in drop]


def _is_embargo_more(line: str) -> bool:
    s = line.strip()
    return len(s) <= PDF_EMBARGO_MORE_MAX_CHARS and bool(_PDF_EMBARGO_MORE_RE.match(s))


def _is_cover_fragment(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= PDF_FRAGMENT_MAX_CHARS and all(is_hangul(c) or c == " " for c in s)


def _pdf_title_end(lines: list[str], start: int) -> int:
    """Index of the first body line after a cover run: title and subtitles end there.

    Body opens with an indented line, a bullet mark or the contact table. A subtitle is a
    dash line (or the 【관련 국정과제】 note of the title box); a wrapped subtitle's tail is a
    line or two followed by another subtitle or by body, whereas body text runs on. A
    "title" longer than a few lines is no title: then nothing more is dropped.
    """
    content = [k for k in range(start, len(lines)) if _is_content_line(lines[k])]
    titles = 0
    subtitle = False
    for pos, k in enumerate(content):
        raw = lines[k]
        if _is_pdf_body_start(raw):
            return k
        if _is_pdf_subtitle(raw):
            subtitle = True
            continue
        if subtitle:
            if _ends_cover_tail(lines, content[pos + 1 : pos + 1 + PDF_SUBTITLE_TAIL_LINES]):
                continue
            return k
        titles += 1
        if titles > PDF_TITLE_MAX_LINES:
            return start
    return len(lines)


def _is_pdf_subtitle(raw: str) -> bool:
    return raw.strip().startswith((*_DASHES, "【"))


def _ends_cover_tail(lines: list[str], following: list[int]) -> bool:
    """A subtitle tail is followed, within a line or two, by a subtitle, body or page end."""
    if not following:
        return True
    return any(_is_pdf_subtitle(lines[k]) or _is_pdf_body_start(lines[k]) for k in following)


def _is_pdf_body_start(raw: str) -> bool:
    s = raw.strip()
    if raw[:1].isspace() and not s.startswith(_DASHES):
        return True
    return bool(_PDF_BODY_MARK_RE.match(s)) or bool(CONTACT_RE.match(s))


def _drop_repeated_headers(pages: list[list[str]]) -> list[list[str]]:
    """Drop a table's header row that the PDF repeats at the top of each continued page.

    Hancom repeats a long table's title row on every page it spans ("제목 줄 반복"); in the
    text it is the same short line opening several pages, read once in the document.
    """
    seen: set[str] = set()
    out: list[list[str]] = []
    for page in pages:
        first = next((k for k, raw in enumerate(page) if _is_content_line(raw)), None)
        if first is not None and _is_repeated_header(page[first].strip(), seen):
            page = page[:first] + page[first + 1 :]
        seen.update(raw.strip() for raw in page)
        out.append(page)
    return out


def _is_repeated_header(line: str, seen: set[str]) -> bool:
    return (
        line in seen and len(line) <= PDF_HEADER_MAX_CHARS and _SENTENCE_END_RE.search(line) is None
    )


def _is_content_line(raw: str) -> bool:
    s = raw.strip()
    return bool(s) and not _PAGE_NUMBER_RE.match(s)
