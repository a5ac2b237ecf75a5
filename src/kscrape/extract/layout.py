"""Where a release's parts are: the cover, the contacts, and section titles, which become headings.

A Korean government press release opens with a cover of tables: the release-type label
("보도자료", with the ministry logo), the embargo line ("보도시점"), and the title box (title and
"- subtitle -" lines). korea.kr shows the title apart and not as body, and the label and the
embargo line are furniture, so the cover goes; the subtitles are the ministry's own summary of
the release, so they stay, as a list at the start of the body.

The contact table (담당 부서 / 책임자 / 담당자 and their phone numbers) is the release's
담당 부서 section, where it stands.

A box of one cell is a frame drawn around text (a note, sometimes the whole body): its
paragraphs are body paragraphs. A table without text only places pictures (logos side by
side under the contacts): its pictures are kept, its empty grid is not.

Section titles are set in a few fixed ways, recognised here as headings:
- a one-row box whose only text is a short title: "Ⅰ. 총지출", "1⃞ 고용안정 지원을 통한
  충격완화(+306억)";
- a paragraph in angle or square brackets: "<감사 실시배경>", "[ ❶ 고위험 사업장 … ]";
- the attachment line: "붙임 : 행사 사진. 끝.", "붙임 1. … 내역", or a label box that opens
  an attachment ("붙임 | 행사사진" gives "붙임 행사사진");
- a Roman-numbered title: "Ⅱ. 주요 내용".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kscrape.extract.model import Block, Bullets, Contacts, Heading, Image, Paragraph, Table
from kscrape.extract.plaintext import block_text, cell_text, has_text, rows_of
from kscrape.extract.pua import map_pua
from kscrape.text import clean_inline

MASTHEAD_RE = re.compile(r"보\s*도\s*시\s*점|보\s*도\s*일\s*시|배\s*포\s*일\s*시|엠\s*바\s*고")
CONTACT_RE = re.compile(r"담\s*당\s*(?:부\s*서|자|기\s*관)|책\s*임\s*자")
MASTHEAD_MAX_TABLES = 4

HEADING_MAX_CHARS = 90
_BRACKETED_RE = re.compile(r"^\s*(?:<([^<>]+)>|(\[[^\[\]]+\]))\s*$")
_ATTACHMENT_RE = re.compile(r"^붙\s*임\s*(?:\d+|[.:：]|\s|$)")
_ATTACHMENT_LABEL_RE = re.compile(r"^붙\s*임\s*\d*$")
_ROMAN_RE = re.compile(r"^[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ][.．]?\s")
_SENTENCE_END_RE = re.compile(r"다\s*[.。]?\s*$")
_HANGUL_RE = re.compile("[\uac00-\ud7a3]")
_NOTE_MARK_RE = re.compile(r"^[☞✓✔※*\-–○◦ㅇ□■▪·•▸►◇◆⇒→]")
_ROLE_CELL_RE = re.compile(r"^(?:책\s*임\s*자|담\s*당\s*자)$")
_CONTACT_LABEL_RE = re.compile(r"^담\s*당\s*(?:부\s*서|기\s*관)\b")
_REACH_RE = re.compile(r"\d{2,4}\s*[-‐–)]\s*\d{3,4}\s*[-‐–]\s*\d{4}|[\w.+-]+@[\w-]+\.[\w.-]+")
DASHES = "-–‒—―－"

# The marker hierarchy of Korean government documents: □ items, ○ under them, - under those,
# then * / ※ notes. A paragraph's depth is its marker's place in it.
_MARKER_DEPTH = {
    **dict.fromkeys("□■☐❏◆◇▣", 0),
    **dict.fromkeys("○◦ㅇ●∘❍◎①②③④⑤⑥⑦⑧⑨⑩❶❷❸❹❺❻❼❽❾❿", 1),
    **dict.fromkeys("-‐–·∙•▪▸►▶▷･ㆍ", 2),
    **dict.fromkeys("*※☞", 3),
}


def depth_of(text: str) -> int:
    """The list depth a paragraph's leading marker gives it (0 without a marker)."""
    return _MARKER_DEPTH.get(text[:1], 0)


def text_paragraph(raw: str) -> Paragraph | None:
    """A paragraph of a document's raw text (private-use characters mapped, spacing made
    inline) at its marker's depth, or None when no text is left."""
    text = clean_inline(map_pua(raw))
    return Paragraph(text, depth_of(text)) if text else None


def arrange(blocks: Sequence[Block]) -> list[Block]:
    """The body: cover dropped, one-cell boxes opened, section titles as headings."""
    out: list[Block] = []
    for block in drop_cover(blocks):
        _place(block, out)
    return out


def _place(block: Block, out: list[Block]) -> None:
    """Append a block as a heading when it is a section title, a contact table as the
    contact section; open a one-cell box."""
    if isinstance(block, Table):
        if is_contact_table(block):
            out.append(Contacts(block))
            return
        title = title_box(block) or attachment_box(block)
        if title:
            out.append(Heading(title))
        elif len(block.cells) == 1 or not has_text(block):
            for cell in sorted(block.cells, key=lambda c: (c.row, c.col)):
                for inner in cell.blocks:
                    _place(inner, out)
        else:
            out.append(block)
    elif isinstance(block, Paragraph):
        title = section_title(block.text)
        out.append(Heading(title) if title else block)
    else:
        out.append(block)


def drop_cover(blocks: Sequence[Block]) -> list[Block]:
    """Drop the cover tables (release type, embargo time, title box) above the first paragraph.

    The cover is recognised by its embargo line ("보도시점") among the leading tables, and
    ends with the title box right after it. Leading tables further down are body: some
    releases set their whole text in a one-cell box, and a contact table up there stays too.
    Pictures among the cover tables (a logo) go with it.
    """
    texts = [(i, b) for i, b in enumerate(blocks) if not isinstance(b, Image) and has_text(b)]
    lead = 0
    while lead < len(texts) and isinstance(texts[lead][1], Table):
        lead += 1
    head = texts[: min(lead, MASTHEAD_MAX_TABLES)]
    embargo = next((k for k, (_, b) in enumerate(head) if MASTHEAD_RE.search(block_text(b))), None)
    if embargo is None:
        return list(blocks)
    cover = min(embargo + 2, lead)
    cut = texts[cover][0] if cover < len(texts) else len(blocks)
    kept = [b for _, b in texts[:cover] if isinstance(b, Table) and is_contact_table(b)]
    box = texts[embargo + 1][1] if embargo + 1 < cover else None
    summary = subtitles(box) if isinstance(box, Table) else ()
    return ([Bullets(summary)] if summary else []) + kept + list(blocks[cut:])


def subtitles(box: Table) -> tuple[str, ...]:
    """The summary lines of a title box: the paragraphs below its title, as list items.

    The title is the first row, up to a line that opens with a dash; every paragraph after it
    is a subtitle, and each cell's lines are read as one run (`summary_items`).
    """
    items: list[str] = []
    for r, row in enumerate(rows_of(box)):
        for cell in row:
            texts = [b.text.strip() for b in cell.blocks if isinstance(b, Paragraph)]
            texts = [t for t in texts if t]
            if r == 0:
                texts = texts[next((k for k, t in enumerate(texts) if t[0] in DASHES), len(texts)):]
            items += summary_items(texts)
    return tuple(items)


def summary_items(lines: Sequence[str]) -> list[str]:
    """Subtitle lines as list items: the dashes that frame them taken off, wrapped ones joined.

    A line continues the item above when that one opened with a dash and did not close with
    one, and the line itself opens with neither a dash nor a bracket ("【관련 국정과제】 …").
    """
    items: list[str] = []
    open_item = False
    for text in lines:
        opens = text[0] in DASHES
        closes = len(text) > 1 and text[-1] in DASHES
        line = text.strip(DASHES + " ") or text
        if open_item and not opens and text[0] not in "【[":
            items[-1] += " " + line
            open_item = not closes
        else:
            items.append(line)
            open_item = opens and not closes
    return items


def is_contact_table(table: Table) -> bool:
    """A table with a row that names a role (책임자, 담당자) or opens with a 담당 부서 / 담당 기관
    label, and holds a phone number or e-mail after it."""
    for row in rows_of(table):
        texts = [cell_text(c) for c in row]
        named = next((k for k, t in enumerate(texts) if _ROLE_CELL_RE.match(t)), None)
        if named is None and texts and _CONTACT_LABEL_RE.match(texts[0]):
            named = 0
        if named is not None and any(_REACH_RE.search(t) for t in texts[named + 1 :]):
            return True
    return False


def title_box(table: Table) -> str:
    """The title a one-row box holds, or "".

    A box holds a title when its only text is one short paragraph ("Ⅰ. 총지출", "1⃞ 고용안정
    지원을 통한 충격완화"). A note ("☞ (신청기간) …", "✓고용유지지원금: …") or a sentence is
    not a title, and a label beside a title ("참고 | …", "붙임1 | …") stays the table it is:
    korea.kr's viewer shows those as tables too.
    """
    if table.rows != 1:
        return ""
    texts = []
    for cell in table.cells:
        filled = [b for b in cell.blocks if has_text(b)]
        if len(filled) > 1 or any(not isinstance(b, Paragraph) for b in filled):
            return ""
        texts.extend(b.text for b in filled if isinstance(b, Paragraph))
    if len(texts) != 1:
        return ""
    title = texts[0]
    if len(title) > HEADING_MAX_CHARS or not _HANGUL_RE.search(title):
        return ""
    if _NOTE_MARK_RE.match(title) or _SENTENCE_END_RE.search(title):
        return ""
    return title


def attachment_box(table: Table) -> str:
    """The heading a 붙임 label box stands for ("붙임1 | … 평가 개요" gives "붙임1 … 평가 개요").

    The box is one row: the label, and the attachment's title beside it.
    """
    filled = [c for c in table.cells if any(has_text(b) for b in c.blocks)]
    if len(filled) != 2 or len({c.row for c in filled}) != 1:
        return ""
    label, title = (cell_text(c) for c in sorted(filled, key=lambda c: c.col))
    if not _ATTACHMENT_LABEL_RE.match(label) or len(title) > HEADING_MAX_CHARS:
        return ""
    return f"{label} {title}"


def section_title(text: str) -> str:
    """The heading a paragraph stands for ("<감사 실시배경>" gives "감사 실시배경"), or ""."""
    if len(text) > HEADING_MAX_CHARS:
        return ""
    m = _BRACKETED_RE.match(text)
    if m:
        inner = next(g for g in m.groups() if g is not None)
        return " ".join(inner.split())
    if _ATTACHMENT_RE.match(text) or (_ROMAN_RE.match(text) and len(text) <= 40):
        return text
    return ""
