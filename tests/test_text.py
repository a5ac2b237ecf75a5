"""Text normalisation: one canonical form for every stored field."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kscrape.text import clean_block, clean_inline, squash


def test_nfd_hangul_becomes_nfc() -> None:
    """Decomposed Hangul from macOS is composed."""
    nfd = unicodedata.normalize("NFD", "국방부 입장")
    assert len(nfd) > len("국방부 입장")
    assert clean_inline(nfd) == "국방부 입장"


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\x00", "\x07", "\x7f", "\x9f",
     "\u200e", "\u202e"],
)  # fmt: skip
def test_invisible_characters_are_removed(invisible: str) -> None:
    """Zero-width, soft hyphen, BOM, bidi and control characters vanish without a space."""
    assert clean_inline(f"국방{invisible}부") == "국방부"


def test_invisible_character_between_nfd_jamo_does_not_block_composition() -> None:
    """A zero-width space inside a decomposed syllable is removed before composing."""
    jamo = unicodedata.normalize("NFD", "국")
    assert clean_inline(jamo[:2] + "\u200b" + jamo[2:]) == "국"


@pytest.mark.parametrize(
    "blank", ["\xa0", "\u3000", "\u3164", "\uffa0", "\t", "\n", "\r\n", "\u2003"]
)
def test_blank_characters_become_one_space(blank: str) -> None:
    """NBSP, ideographic space, Hangul fillers and line breaks are spaces."""
    assert clean_inline(f"국방부{blank}{blank} 입장") == "국방부 입장"


def test_whitespace_runs_collapse_and_ends_are_stripped() -> None:
    """Template indentation around text disappears."""
    assert (
        clean_inline("\n\t\t\t 북한  탄도미사일\xa0\xa0발사 \u200b \n\t") == "북한 탄도미사일 발사"
    )


def test_clean_inline_keeps_ascii_untouched() -> None:
    """Plain text passes through unchanged."""
    assert clean_inline("R&D 2026.10.06 (A00005)") == "R&D 2026.10.06 (A00005)"


def test_clean_inline_of_only_blanks_is_empty() -> None:
    """Text made only of blanks and invisibles is empty."""
    assert clean_inline(" \xa0\u200b\u3164\n") == ""


def test_clean_block_separates_paragraphs_by_one_blank_line() -> None:
    """Any number of blank or blank-looking lines between paragraphs becomes exactly one."""
    text = "\n\n 첫 문단\xa0 \r\n\r\n\u3000\n\u200b\n\n둘째 문단  \n\n\n"
    assert clean_block(text) == "첫 문단\n\n둘째 문단"


def test_clean_block_keeps_single_line_breaks() -> None:
    """Lines inside a paragraph stay lines, cleaned and without trailing spaces."""
    assert clean_block("□ 개요 \n ㅇ 일시:  10월 6일\t\n ㅇ 장소: 서울") == (
        "□ 개요\nㅇ 일시: 10월 6일\nㅇ 장소: 서울"
    )


def test_clean_block_treats_unicode_line_separators_as_breaks() -> None:
    """U+2028 and a lone CR end a line like LF."""
    assert clean_block("가\u2028나\r다") == "가\n나\n다"


def test_squash_removes_all_whitespace() -> None:
    """Texts that differ only in spacing compare equal after squash."""
    assert squash(" 국방 부\xa0입장\n") == "국방부입장"
    assert squash("북한 탄도미사일") == squash("북한탄도 미사일")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_clean_inline_is_idempotent_and_single_spaced(text: str) -> None:
    """Cleaning twice changes nothing; the result has no leading, trailing or double spaces."""
    once = clean_inline(text)
    assert clean_inline(once) == once
    assert once == once.strip() and "  " not in once
    assert not any(c.isspace() and c != " " for c in once)
    assert unicodedata.is_normalized("NFC", once)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("가 \n\xa0\u200b\r\t나\u3000"), max_size=40))
def test_clean_block_is_idempotent_and_has_no_double_blank_lines(text: str) -> None:
    """Cleaning a block twice changes nothing and never leaves two blank lines in a row."""
    once = clean_block(text)
    assert clean_block(once) == once
    assert "\n\n\n" not in once
    assert all(line == line.strip() for line in once.split("\n"))
