"""Document blocks as CommonMark/GFM.

- A heading is an ATX heading (`## 붙임 …`), a paragraph one line of text with its Korean list
  marker kept as text (□ ○ - ※ * ① …), one blank line between blocks.
- A table whose cells are plain (no merged cell, no nested table) is a GFM pipe table; its first
  row is the header row GFM requires, and a cell's paragraphs are joined with `<br>`.
- Any other table is one line of HTML: `<table><tr><td rowspan="3">…</td>…</tr>…</table>`, so
  merged cells keep their grid and a nested table stays inside its cell.
- An image is a placeholder naming the picture: `![caption](image1.jpg)`.
- The title box's subtitles are a bullet list; the contact table is the `## 담당 부서` section,
  a bullet list of one line per row, then any picture the table held.

Text is escaped where Markdown would otherwise change it, and only there: a leading `-`, `+`,
`#`, `>` or `1.` stays literal (a Korean list marker is text, not Markdown list syntax); `*`
and `~` are escaped only in text where one of them could open emphasis or strikethrough and a
later one close it (CommonMark's flanking rules: "감축설비* … 대상*" stays as it is,
"사절단)*을 … (칠레)** 참석" does not), backticks where two could make a code span; `<`
before a letter never opens an HTML tag, and `](` never closes a link.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from html import escape

from kscrape.extract.model import (
    Block,
    Bullets,
    Cell,
    Contacts,
    Footnote,
    Heading,
    Image,
    Paragraph,
    Table,
)
from kscrape.extract.plaintext import CONTACTS_TITLE, contact_lines, has_text, rows_of

_INLINE_RE = re.compile(r"(\\(?=[!-/:-@\[-`{-~])|\](?=[(\[]))|<(?=[A-Za-z/!?])")
_FLANKED = "*~"  # emphasis, strikethrough: an opening mark, then a closing one
_PAIR_RUNS = {mark: re.compile(re.escape(mark) + "+") for mark in _FLANKED}
_LEADING_RE = re.compile(
    r"^(?:([-+*](?=\s|$)|#{1,6}(?=\s|$)|>|_(?=[\s_]*$)|-(?=[\s-]*$)|\[(?=[^\]]*\]:))"
    r"|(\d{1,9})([.)])(?=\s|$))"
)


def to_markdown(blocks: Iterable[Block]) -> str:
    return "\n\n".join(md for md in (block_markdown(b) for b in blocks) if md)


def block_markdown(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 6)
        return f"{'#' * level} {inline(block.text)}"
    if isinstance(block, Paragraph):
        return paragraph(block.text)
    if isinstance(block, Footnote):
        return paragraph(f"{block.mark} {block.text}" if block.mark else block.text)
    if isinstance(block, Image):
        return image(block)
    if isinstance(block, Table):
        return table(block) if has_text(block) or _has_image(block) else ""
    if isinstance(block, Bullets):
        return bullets(block.items)
    if isinstance(block, Contacts):
        return contacts(block.table)
    return ""


def bullets(items: Iterable[str]) -> str:
    """A tight bullet list; an item's own leading `-`, `#`, `1.` … stays text."""
    return "\n".join(f"- {paragraph(item)}" for item in items)


def contacts(tbl: Table) -> str:
    """The 담당 부서 section: its heading, a line per row, then the pictures the table held."""
    lines = contact_lines(tbl)
    if not lines:
        return table(tbl) if _has_image(tbl) else ""
    parts = [f"## {CONTACTS_TITLE}", bullets(lines)]
    parts += [image(img) for img in _images(tbl)]
    return "\n\n".join(parts)


def inline(text: str) -> str:
    """Text with the characters that would start Markdown inline syntax escaped.

    `*`, `~` and backticks act only in pairs: a lone one ("4.13~5.6") stays as it is, and
    so do marks no two of which can pair ("감축설비* … 대상*": neither can open).
    """
    out = _INLINE_RE.sub(lambda m: "\\" + (m.group(1) or "<"), text)
    for mark in _FLANKED:
        if out.count(mark) > 1 and _may_pair(out, mark):
            out = out.replace(mark, "\\" + mark)
    if out.count("`") > 1:
        out = out.replace("`", "\\`")
    return out


def _may_pair(text: str, mark: str) -> bool:
    """Whether a run of `mark` that can open comes before one that can close.

    Flanking as CommonMark defines it, under both its older (P) and newer (P and S) sense of
    "punctuation", so whichever a renderer follows, no pair it could make is left unescaped.
    """
    runs = [(m.start(), m.end()) for m in _PAIR_RUNS[mark].finditer(text)]
    for symbols in (False, True):
        opened = False
        for start, end in runs:
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            p_before, p_after = _punct(before, symbols), _punct(after, symbols)
            if opened and not before.isspace() and (not p_before or after.isspace() or p_after):
                return True
            if not after.isspace() and (not p_after or before.isspace() or p_before):
                opened = True
    return False


def _punct(char: str, symbols: bool) -> bool:
    if char.isascii():
        return not char.isalnum() and not char.isspace()
    category = unicodedata.category(char)
    return category[0] == "P" or (symbols and category[0] == "S")


def paragraph(text: str) -> str:
    """A paragraph: inline escapes, and a leading character that would open a block escaped."""
    out = inline(text)
    m = _LEADING_RE.match(out)
    if m is None:
        return out
    if m.group(1):
        return "\\" + out
    return f"{m.group(2)}\\{out[m.end(2):]}"


def image(img: Image) -> str:
    target = f"<{img.name}>" if " " in img.name else img.name
    return f"![{inline(img.caption)}]({target})"


def table(tbl: Table) -> str:
    tbl = without_empty_rows(tbl)
    return _pipe_table(tbl) if _is_plain(tbl) else html_table(tbl)


def without_empty_rows(tbl: Table) -> Table:
    """The table without its spacer rows: rows whose own cells are all empty and one row high.

    A cell reaching into a dropped row from above loses that row from its span.
    """
    empty = set(range(tbl.rows))
    for cell in tbl.cells:
        if cell.rowspan > 1 or _has_content(cell):
            empty.discard(cell.row)
    if not empty or len(empty) == tbl.rows:
        return tbl
    before = [0]  # before[r]: empty rows above row r
    for r in range(tbl.rows):
        before.append(before[-1] + (r in empty))
    cells = []
    for cell in tbl.cells:
        if cell.row in empty:
            continue
        end = min(cell.row + cell.rowspan, tbl.rows)
        lost = before[end] - before[cell.row]
        cells.append(replace(cell, row=cell.row - before[cell.row], rowspan=cell.rowspan - lost))
    return Table(tuple(cells), tbl.rows - len(empty), tbl.cols)


def _has_content(cell: Cell) -> bool:
    return any(has_text(b) or isinstance(b, Image) for b in cell.blocks) or any(
        isinstance(b, Table) and _has_image(b) for b in cell.blocks
    )


def _is_plain(tbl: Table) -> bool:
    """A grid GFM can hold: every position covered by exactly one unmerged cell of flat text."""
    if len(tbl.cells) != tbl.rows * tbl.cols:
        return False
    for cell in tbl.cells:
        if cell.rowspan != 1 or cell.colspan != 1:
            return False
        if not all(isinstance(b, Paragraph | Heading | Footnote | Image) for b in cell.blocks):
            return False
    return True


def _pipe_table(tbl: Table) -> str:
    lines = []
    for k, row in enumerate(rows_of(tbl)):
        lines.append("| " + " | ".join(_pipe_cell(c) for c in row) + " |")
        if k == 0:
            lines.append("|" + " --- |" * tbl.cols)
    return "\n".join(lines)


def _pipe_cell(cell: Cell) -> str:
    parts = []
    for block in cell.blocks:
        if isinstance(block, Image):
            parts.append(image(block))
        else:
            parts.append(inline(block_text_of(block)).replace("|", "\\|"))
    return "<br>".join(p for p in parts if p)


def block_text_of(block: Block) -> str:
    if isinstance(block, Footnote):
        return f"{block.mark} {block.text}".strip()
    if isinstance(block, Heading | Paragraph):
        return block.text
    return ""


def html_table(tbl: Table) -> str:
    """The table as one line of HTML, merged cells as rowspan/colspan, every grid row a `<tr>`."""
    rows = []
    for row in rows_of(tbl):
        cells = "".join(_html_cell(c) for c in row)
        rows.append(f"<tr>{cells}</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _html_cell(cell: Cell) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    html = ""
    inline_before = False
    for block in cell.blocks:
        if isinstance(block, Table):
            if has_text(block) or _has_image(block):
                html += html_table(block)
                inline_before = False
            continue
        if isinstance(block, Image):
            part = f'<img src="{escape(block.name)}" alt="{escape(block.caption)}">'
        else:
            part = escape(block_text_of(block), quote=False)
        if part:
            html += ("<br>" if inline_before else "") + part
            inline_before = True
    return f"<td{attrs}>{html}</td>"


def _images(tbl: Table) -> list[Image]:
    out: list[Image] = []
    for cell in sorted(tbl.cells, key=lambda c: (c.row, c.col)):
        for b in cell.blocks:
            if isinstance(b, Image):
                out.append(b)
            elif isinstance(b, Table):
                out.extend(_images(b))
    return out


def _has_image(tbl: Table) -> bool:
    return any(
        isinstance(b, Image) or (isinstance(b, Table) and _has_image(b))
        for c in tbl.cells
        for b in c.blocks
    )
