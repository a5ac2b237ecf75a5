"""HWP private-use characters, mapped to the standard Unicode characters they draw.

Hangul documents keep some symbols as private-use code points that only Hancom's fonts (or a
Windows symbol font) can draw: a reader without those fonts sees a blank box. Each entry was
learnt by drawing the PDF page of the same release: the PDF shows the glyph the font paints.

- Hancom's own symbols sit in plane 15 (U+F0000…). Seen in korea.kr releases: U+F02B1–U+F02B3,
  a digit in a square (section numbers "1⃞ 고용안정 지원을 …"), and U+F02EF, a small bullet in
  table cells. The boxed digits continue the same run up to 9.
- Windows symbol fonts (Wingdings, Symbol) put their character xx at U+F0xx when a document is
  pasted from Word: U+F0A7 is Wingdings' small square bullet, seen in korea.kr tables; the others
  are the common Wingdings/Symbol bullets and check marks of the same origin.

A private-use character not in the table is kept as it is: it is content, only undrawable.
"""

from __future__ import annotations

import re

_BOXED = "\u20de"  # COMBINING ENCLOSING SQUARE: "1⃞" draws a digit in a box

PUA_TO_UNICODE: dict[int, str] = {
    **{0xF02B1 + n: f"{n + 1}{_BOXED}" for n in range(9)},
    0xF02EF: "•",
    0xF06C: "●",
    0xF06E: "■",
    0xF075: "◆",
    0xF0A7: "▪",
    0xF0B7: "•",
    0xF0D8: "➢",
    0xF0FC: "✔",
}

_TABLE = str.maketrans(PUA_TO_UNICODE)
_PUA_RE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010fffd]")


def map_pua(text: str) -> str:
    """`text` with every known private-use character replaced by what it draws."""
    if text.isascii() or _PUA_RE.search(text) is None:
        return text
    return text.translate(_TABLE)
