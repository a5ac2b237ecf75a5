"""Whether a Korean line break cut a word: decided by the words of the document itself.

Hancom breaks Korean lines between any two syllables, and often draws no space glyph at a
break between words, so a break between two Hangul syllables is marked WRAP when the lines
are joined and settled here, once the whole document is read: the two halves are one word
when that word occurs elsewhere in the document ("노사|관계" where "노사관계" is written on
one line), or when the second half opens with an ending or a particle that never starts a
word ("순차적|으로", "기관|들은"). Otherwise they stay two words, as most breaks are.

Checked against the HWPX text of the same releases: of 404 such breaks, 331 come out as
the HWPX has them (82%; a space at every break would give 66%). Of the 19 joined where the
HWPX has a space, 17 are names a table cell breaks by hand ("농림축산|식품부").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WRAP = "\x00"
_WRAP_RE = re.compile(rf"([^\s{WRAP}]*){WRAP}([^\s{WRAP}]*)")
_EDGE_RE = re.compile(r"^\W+|\W+$")
_TAIL_RE = re.compile(r"\w*$")
_HEAD_RE = re.compile(r"^\w*")
# Endings and particles that continue the word before them, never start one.
_BOUND = (
    "으로", "으며", "에서", "에게", "에는", "에도", "들은", "들이", "들의", "들을", "들과", "들에",
    "하여", "하고", "하는", "하며", "하게", "하기", "하겠", "한다", "했다", "하였", "하지", "해야",
    "된다", "되어", "되는", "되고", "됩니다", "합니다", "이다", "이며", "입니다", "까지", "부터",
    "적으로", "적인", "화를", "화하",
)  # fmt: skip
# A word ending in a case particle is whole: "설명을|하고" is two words.
_PARTICLES = tuple("을를이가은는의에도와과로")


class Words:
    """The words a document writes whole, to settle its WRAP marks."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._words: set[str] = set()
        for text in texts:
            for token in text.split():
                if WRAP not in token:
                    word = _EDGE_RE.sub("", token)
                    if word:
                        self._words.add(word)
        self._joined = " ".join(sorted(self._words))

    def resolve(self, text: str) -> str:
        """`text` with each WRAP mark turned into nothing (one word) or a space."""
        if WRAP not in text:
            return text
        return _WRAP_RE.sub(lambda m: m[1] + self._glue(m[1], m[2]) + m[2], text)

    def _glue(self, head: str, tail: str) -> str:
        # The syllables either side of the break, up to punctuation ("기관(고려대|학교").
        a = _TAIL_RE.search(head)[0]
        b = _HEAD_RE.match(tail)[0]
        word = a + b
        if word and (word in self._words or word in self._joined):
            return ""
        if b.startswith(_BOUND) and not a.endswith(_PARTICLES):
            return ""
        return " "
