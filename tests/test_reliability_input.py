"""Hostile input from the site: huge bodies, odd encodings, invisible characters, fake files."""

from __future__ import annotations

import tracemalloc
import unicodedata
from pathlib import Path

import httpx
import pytest

from kscrape.errors import FetchError
from kscrape.models import view_url
from kscrape.text import clean_block, clean_inline

from .conftest import corpus_between, make_config
from .test_reliability_network import (
    DAY,
    NEWS_ID,
    crawl_day,
    day_ids,
    fetcher_with,
    query,
    stored,
)

CAP = 64 * 1024


@pytest.mark.parametrize("declare_length", [False, True], ids=["streamed", "declared"])
def test_huge_page_is_aborted_at_the_byte_cap_with_bounded_memory(config, replica,
                                                                  declare_length):
    """A 50 MB page stops at a 64 KiB cap: not retried, and the client never holds the page."""
    replica.faults.add("view", kind="huge", times=None, size=50_000_000,
                       declare_length=declare_length)
    tracemalloc.start()
    try:
        with (
            fetcher_with(config, [], max_page_bytes=CAP) as fetcher,
            pytest.raises(FetchError, match=f"exceeds the {CAP}-byte cap"),
        ):
            fetcher.get(view_url(NEWS_ID, config.base_url))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000
    assert len(replica.requests) == 1


def test_huge_list_page_fails_the_crawl_and_stores_nothing(tmp_path, replica):
    """An endless list page ends the crawl with exit 3 and an empty archive."""
    config = make_config(tmp_path, replica.url, max_page_bytes=CAP)
    replica.faults.add("list", kind="huge", times=None, size=5_000_000, declare_length=False)
    result = crawl_day(config)
    assert result.exit_code == 3, result.output
    assert "byte cap" in result.stderr
    assert stored(config) == {}


def test_euc_kr_list_page_with_only_a_meta_charset_stores_correct_hangul(config, replica):
    """A list page in EUC-KR whose header has no charset is decoded by its <meta> tag."""
    replica.faults.add("list", kind="euc_kr", times=None)
    result = crawl_day(config)
    assert result.exit_code == 0, result.output
    rows = stored(config)
    assert set(rows) == day_ids(DAY)
    for news_id, record in corpus_between(DAY, DAY).items():
        assert rows[news_id]["title"] == clean_block(record["title"])
        assert "\ufffd" not in rows[news_id]["title"] + rows[news_id]["body"]


def test_euc_kr_view_page_keeps_hangul_in_the_body(config, replica):
    """A view page in EUC-KR gives the same stored row as the UTF-8 one."""
    replica.faults.add("view", kind="euc_kr", times=None, match={"newsId": NEWS_ID})
    result = crawl_day(config, "2023-06-29", "--ministry", "기획재정부", "--depth", "view")
    assert result.exit_code == 0, result.output
    row = stored(config)[NEWS_ID]
    assert row["ministry"] == "기획재정부" and "\ufffd" not in row["body"]
    assert row["published_at"] == "2023-06-29T17:02:07+09:00"


DIRTY_TITLE = (
    "\u200b\ufeff" + unicodedata.normalize("NFD", "한글 보도자료")
    + "\u200c\u2060 제목\x07\u3164끝\u00a0\u00a0"
)
DIRTY_BODY = (
    unicodedata.normalize("NFD", "첫째 문단입니다")
    + "\u200d\x01 입니다\ufeff.\n\n둘째\u00a0문단\u200b"
)


def test_invisible_and_nfd_characters_are_normalised_in_the_database(config, replica):
    """Zero-width marks, BOMs, C0 controls, Hangul fillers and NFD become clean NFC text."""
    news_id = replica.add_release({"title": DIRTY_TITLE, "ministry": "기획재정부",
                                   "approved_at": f"{DAY}T10:00:00+09:00", "body": DIRTY_BODY,
                                   "subtitles": []})
    result = crawl_day(config, DAY, "--depth", "view")
    assert result.exit_code == 0, result.output
    row = stored(config)[news_id]
    assert row["title"] == "한글 보도자료 제목 끝"
    assert row["title"] == clean_inline(DIRTY_TITLE)
    for field in ("title", "lead", "body"):
        value = row[field]
        assert unicodedata.is_normalized("NFC", value)
        assert not any(c in value for c in "\u200b\u200c\u200d\u2060\ufeff\x01\x07\u3164\u00a0")
    assert "첫째 문단입니다 입니다." in row["body"] and "둘째 문단" in row["body"]


def test_rerun_over_dirty_text_changes_nothing(config, replica):
    """The normalised text hashes the same on every run: a rerun finds nothing to update."""
    replica.add_release({"title": DIRTY_TITLE, "ministry": "기획재정부",
                         "approved_at": f"{DAY}T10:00:00+09:00", "body": DIRTY_BODY,
                         "subtitles": []})
    assert crawl_day(config).exit_code == 0
    result = crawl_day(config)
    assert result.exit_code == 0
    assert "new 0, updated 0" in result.output
    assert query(config, "select count(*) from release_versions") == [(0,)]


def test_html_error_page_instead_of_an_attachment_is_an_error_not_a_file(config, replica):
    """A download answered by an HTML page is rejected on its bytes: no file, a failure row."""
    replica.faults.add("download", kind="html_instead_of_file", times=None)
    result = crawl_day(config, "2023-06-29", "--ministry", "기획재정부", "--depth", "files")
    assert result.exit_code == 4, result.output
    files = query(config, "select status, path, error from attachments where news_id = ?",
                  (NEWS_ID,))
    assert len(files) == 1
    status, path, error = files[0]
    assert status == "error" and path is None and "not a document" in error
    attachments = Path(config.attachments_dir)
    assert not attachments.exists() or not any(attachments.iterdir())
    assert stored(config)[NEWS_ID]["body_source"] != "attachment:hwpx"


def test_release_without_any_body_text_is_marked_not_left_blank(config, replica):
    """A release whose page carries no text is stored with body_source 'none', not as if empty
    text were its body."""
    news_id = replica.add_release({"title": "첨부파일만 있는 보도자료", "ministry": "기획재정부",
                                   "approved_at": f"{DAY}T11:00:00+09:00", "body": "",
                                   "subtitles": []})
    result = crawl_day(config, DAY, "--depth", "view")
    assert result.exit_code == 0, result.output
    row = stored(config)[news_id]
    assert row["body"] == "" and row["body_source"] == "none"


def test_page_in_another_encoding_than_declared_fails_instead_of_storing_mojibake(
    config, replica
):
    """EUC-KR bytes served as UTF-8 decode to U+FFFD runs: exit 7, no row written."""
    with httpx.Client() as client:
        page = client.post(f"{replica.url}/briefing/pressReleaseList.do",
                           data={"pageIndex": "1", "startDate": "2023-06-29",
                                 "endDate": "2023-06-29"}).text
    wrong = page.encode("euc-kr", errors="replace")
    replica.faults.add("list", kind="status", code=200, times=None, body=wrong,
                       headers={"Content-Type": "text/html;charset=UTF-8"})
    result = crawl_day(config)
    assert result.exit_code == 7
    assert "undecodable characters" in result.stderr
    assert stored(config) == {}
