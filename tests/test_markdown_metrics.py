"""The benchmark's metrics (NID, TEDS, MHS, recall) on small hand-made documents."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "markdown_metrics.py"
_SPEC = importlib.util.spec_from_file_location("markdown_metrics", _PATH)
assert _SPEC and _SPEC.loader
M = importlib.util.module_from_spec(_SPEC)
sys.modules["markdown_metrics"] = M
_SPEC.loader.exec_module(M)

DOC = """# 제목

- 부처: 고용노동부

## 본문

□ 첫 문단이다.

| 구분 | 금액 |
| --- | --- |
| 예산 | 100 |

## 첨부파일

- a.hwpx
"""


def test_identical_documents_score_one_on_every_metric() -> None:
    s = M.score(DOC, DOC)
    assert (s.nid, s.teds, s.mhs, s.overall) == (1.0, 1.0, 1.0, 1.0)
    assert M.recall(DOC, DOC) == 1.0


def test_pipe_table_becomes_one_html_table_padded_to_header_width() -> None:
    md = "앞\n\n| a | b |\n| --- | --- |\n| c |\n| d \\| e | f |\n\n뒤"
    assert M.pipe_tables_to_html(md) == (
        "앞\n\n<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td></td></tr>"
        "<tr><td>d | e</td><td>f</td></tr></table>\n\n뒤"
    )


def test_nid_is_indel_ratio_after_whitespace_collapse() -> None:
    assert M.nid("가  나\n\n다", "가 나 다") == 1.0
    # "abcd" → "abce": one substitution is two indel edits out of 8 characters.
    assert M.nid("abcd", "abce") == pytest.approx(0.75)
    # Tables compare as HTML: the same cells written as an HTML table score 1.
    assert M.nid("| a | b |\n| --- | --- |", "<table><tr><td>a</td><td>b</td></tr></table>") == 1.0


TRUTH_2X2 = "| a | b |\n| --- | --- |\n| c | d |"


def test_teds_counts_a_wrong_cell_by_its_content_distance() -> None:
    pred = "| a | b |\n| --- | --- |\n| c | x |"
    # Tree: table, 2 rows, 4 cells = 7 nodes below the root; one cell renamed at cost 1.
    assert M.teds(TRUTH_2X2, pred) == pytest.approx(1 - 1 / 7)
    pred_half = "| a | b |\n| --- | --- |\n| c | dd |"
    # "d" → "dd": normalised Levenshtein distance 1/2.
    assert M.teds(TRUTH_2X2, pred_half) == pytest.approx(1 - 0.5 / 7)


def test_teds_charges_a_span_mismatch_and_a_missing_cell() -> None:
    pred = '<table><tr><td colspan="2">ab</td></tr><tr><td>c</td><td>d</td></tr></table>'
    # The colspan cell is a rename at cost 1 (spans differ), the other first-row cell a deletion.
    assert M.teds(TRUTH_2X2, pred) == pytest.approx(1 - 2 / 7)


def test_teds_applies_only_when_the_truth_has_a_table() -> None:
    assert M.teds("no table here", TRUTH_2X2) is None
    assert M.teds(TRUTH_2X2, "the table is gone") == 0.0


def test_mhs_charges_a_renamed_heading() -> None:
    truth = "# A\n\ntext one\n\n## B\n\ntext two"
    pred = "# A\n\ntext one\n\n## C\n\ntext two"
    # Tree: root, h1 A, its text, h2 B, its text = 5 nodes; B → C costs 1.
    assert M.mhs(truth, pred) == pytest.approx(0.8)
    tree, headings = M.heading_tree(truth)
    assert headings == 2
    assert [c.tag for c in tree.children] == ["h1"]
    assert [c.tag for c in tree.children[0].children] == ["text", "h2"]


def test_mhs_is_zero_without_headings_and_none_without_truth_headings() -> None:
    assert M.mhs("# A\n\ntext", "text") == 0.0
    assert M.mhs("text", "# A\n\ntext") is None


def test_overall_is_the_mean_of_the_metrics_that_apply() -> None:
    s = M.score("# A\n\nabcd", "# A\n\nabce")
    assert s.teds is None
    assert s.overall == pytest.approx((s.nid + s.mhs) / 2)


def test_recall_is_the_share_of_truth_characters_found_in_order() -> None:
    assert M.recall("가나다", "가X나다") == 1.0
    assert M.recall("가나다", "가다") == pytest.approx(2 / 3)
    # Markup and whitespace do not count: an HTML table holds a pipe table's text.
    assert M.recall(TRUTH_2X2, "<table><tr><td>a b</td></tr><tr><td>c d</td></tr></table>") == 1.0
