"""Servers that compress: kscrape asks for gzip or deflate, stores the decoded pages, and its
captures keep the compressed bytes exactly as the server sent them."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from kscrape.errors import FetchError
from kscrape.fetch import ACCEPT_ENCODING, Fetcher, Retryable, decode_body
from kscrape.replica import Replica

from .capture_support import remove_database, table_rows, warc_files
from .conftest import make_config, run_cli

PAGE = ("<html><body>" + "보도자료 본문 " * 500 + "</body></html>").encode()


@pytest.fixture(scope="module")
def gzip_site() -> Iterator[Replica]:
    with Replica(compress=True) as site:
        yield site


def test_gzip_and_both_forms_of_deflate_come_off():
    """gzip, zlib-wrapped deflate and the raw deflate some servers send, stacked codings too."""
    raw_deflate = zlib.compressobj(wbits=-15)
    assert decode_body(gzip.compress(PAGE), "gzip", len(PAGE)) == PAGE
    assert decode_body(zlib.compress(PAGE), "deflate", len(PAGE)) == PAGE
    assert decode_body(raw_deflate.compress(PAGE) + raw_deflate.flush(), "deflate",
                       len(PAGE)) == PAGE
    assert decode_body(gzip.compress(zlib.compress(PAGE)), "deflate, gzip", len(PAGE)) == PAGE
    assert decode_body(PAGE, "identity", len(PAGE)) == PAGE
    assert decode_body(PAGE, None, len(PAGE)) == PAGE


def test_a_cut_off_stream_is_retried_and_a_bomb_or_unknown_coding_refused():
    """A compressed body that ends early is a cut-off answer (worth another attempt); one
    that inflates past the byte cap, or a coding kscrape never asked for, is an error."""
    packed = gzip.compress(PAGE)
    with pytest.raises(Retryable, match="cut off"):
        decode_body(packed[: len(packed) // 2], "gzip", len(PAGE))
    with pytest.raises(Retryable, match="corrupt"):
        decode_body(b"not gzip at all", "gzip", len(PAGE))
    with pytest.raises(FetchError, match="cap once decompressed"):
        decode_body(gzip.compress(b"0" * 1_000_000), "gzip", 10_000)
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
        decode_body(PAGE, "br", len(PAGE))


def test_a_crawl_of_a_compressing_site_stores_what_a_plain_one_does(tmp_path, replica,
                                                                    gzip_site):
    """Same rows from the same corpus whether the site compresses or not; every request asked
    for gzip and deflate only (codings the standard library decodes)."""
    plain = make_config(tmp_path / "plain", replica.url, depth="view", warc=False)
    packed = make_config(tmp_path / "packed", gzip_site.url, depth="view", warc=False)
    for config in (plain, packed):
        result = run_cli(config, "crawl", "--since", "2023-06-29", "--until", "2023-06-29",
                         "-m", "기획재정부")
        assert result.exit_code == 0, result.output
    ours = table_rows(packed.db, "releases", host_free=True)
    assert ours and ours == table_rows(plain.db, "releases", host_free=True)
    seen = gzip_site.requests
    asked = {v for r in seen for k, v in r.headers.items() if k.lower() == "accept-encoding"}
    assert seen and asked == {ACCEPT_ENCODING}


def test_captures_keep_the_compressed_bytes_and_reparse_decodes_them(tmp_path, gzip_site):
    """The WARC response records hold the gzip body with its Content-Encoding header, as
    sent; a reparse from them, with the database deleted, stores the crawl's rows again."""
    gzip_site.reset()
    config = make_config(tmp_path, gzip_site.url, depth="view", warc_dir=str(tmp_path / "warc"))
    args = ("crawl", "--since", "2023-06-29", "--until", "2023-06-29", "-m", "기획재정부")
    assert run_cli(config, *args).exit_code == 0
    crawled = table_rows(config.db, "releases")
    responses = list(_raw_responses(warc_files(Path(config.warc_dir))))
    assert responses
    for rec, body in responses:
        assert rec.http_headers.get_header("Content-Encoding") == "gzip"
        assert body[:2] == b"\x1f\x8b"
        assert b"</html>" in gzip.decompress(body)

    remove_database(config.db)
    gzip_site.reset()
    assert run_cli(config, "reparse").exit_code == 0
    assert gzip_site.requests == []
    assert table_rows(config.db, "releases") == crawled


def _raw_responses(paths: list[Path]) -> Iterator[tuple[ArcWarcRecord, bytes]]:
    """Response records and their payloads as stored (warcio's content_stream would undo
    the Content-Encoding; the raw stream past the HTTP head does not)."""
    for path in paths:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "response":
                    yield record, record.raw_stream.read()


def test_the_fetcher_hands_back_decoded_pages(tmp_path, gzip_site):
    """What the parser gets is HTML, not the gzip stream the server sent."""
    config = make_config(tmp_path, gzip_site.url)
    with Fetcher(config) as fetcher:
        page = fetcher.get("/briefing/pressReleaseView.do?newsId=156577893")
    assert page.headers["content-encoding"] == "gzip"
    assert page.content.rstrip().endswith(b"</html>")
