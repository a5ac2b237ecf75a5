"""`kscrape parse FILE`: the parser's JSON for saved pages and attachments."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kscrape.cli import cli

from .conftest import ATTACHMENTS, PAGES


def _parse(path: Path):
    return CliRunner().invoke(cli, ["parse", str(path)])


def test_parse_view_page_prints_the_documented_fields():
    """A real view page gives kind, ids, time with +09:00, ministry code and attachments."""
    result = _parse(PAGES / "korea-article-1.html")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "view"
    assert data["news_id"] == "156784297"
    assert data["title"] == "북한 탄도미사일 발사 관련 국방부 입장"
    assert data["date"] == "2026-10-06"
    assert data["published_at"] == "2026-10-06T07:06:02+09:00"
    assert (data["ministry"], data["ministry_code"]) == ("국방부", "A00005")
    assert [a["file_id"] for a in data["attachments"]] == ["198565537"]
    assert data["attachments"][0]["kind"] == "hwpx"


def test_parse_list_page_prints_items_in_database_field_names():
    """A real default listing gives 20 items with the database's field names."""
    data = json.loads(_parse(PAGES / "korea-listing.html").stdout)
    assert (data["kind"], data["total"], data["last_page"], data["mode"]) == (
        "list", 30652, 1533, "default")
    assert len(data["items"]) == 20
    assert set(data["items"][0]) == {"news_id", "title", "lead", "date", "ministry", "url"}


def test_parse_attachment_is_told_by_magic_bytes(tmp_path: Path):
    """An HWPX saved under a .bin name is still read as HWPX and its text printed."""
    copy = tmp_path / "download.bin"
    copy.write_bytes((ATTACHMENTS / "156754052.hwpx").read_bytes())
    data = json.loads(_parse(copy).stdout)
    assert data["kind"] == "attachment" and data["format"] == "hwpx"
    assert "추가경정예산" in data["text"]


def test_parse_rejects_an_html_error_page_served_as_a_file(tmp_path: Path):
    """A file that is neither a page we know nor a document is one line on stderr, exit 7."""
    junk = tmp_path / "x.hwpx"
    junk.write_bytes(b"<html><body>error</body></html>")
    result = _parse(junk)
    assert result.exit_code == 7
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_parse_missing_file_is_a_usage_error(tmp_path: Path):
    """A path that does not exist is exit 2."""
    assert _parse(tmp_path / "nope.html").exit_code == 2
