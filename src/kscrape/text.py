"""Text normalisation for every field kscrape stores.

korea.kr text arrives with NBSP runs, template indentation, zero-width characters, soft hyphens
and occasionally NFD Hangul pasted from macOS. Comparing or deduplicating such text only works
after one canonical form, so parser and attachment extractor both pass through here.
These run on every field of every page, hence precompiled patterns and no per-character Python.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_block", "clean_inline", "squash"]

# Invisible or control characters that carry no text: C0/C1 controls, soft hyphen, zero-width
# and bidi marks, word joiner, invisible operators, BOM. Controls that Python counts as
# whitespace (tab, line breaks, U+001C–U+001F, NEL) separate words and become a space instead.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]+"
)
# Hangul fillers render as blanks but are letters to Unicode, so str.split() keeps them.
_FILLERS = str.maketrans({"\u3164": " ", "\uffa0": " "})


def clean_inline(s: str) -> str:
    """One line of canonical text: NFC, no invisible characters, single spaces, stripped.

    str.split()/isprintable() are C scans, so the regex only runs on the rare text that needs it.
    """
    s = " ".join(s.split())
    if not s.isprintable():
        s = " ".join(_INVISIBLE.sub("", s).split())
    if "\u3164" in s or "\uffa0" in s:
        s = " ".join(s.translate(_FILLERS).split())
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    return s


def clean_block(s: str) -> str:
    """Multi-line canonical text: lines as in `clean_inline`, paragraphs split by one blank line."""
    lines: list[str] = []
    for raw in s.splitlines():
        line = clean_inline(raw)
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def squash(s: str) -> str:
    """Text without any whitespace, for comparing texts whose only difference is spacing."""
    return clean_inline(s).replace(" ", "")
