"""`kscrape replica --warc`: a captured crawl served back, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from kscrape.captures import capture_files, iter_pairs, read_exchange
from kscrape.listing import DateRange
from kscrape.replica.replay import CaptureReplica

from .capture_support import crawl, table_rows
from .conftest import make_config
from .processes import child_env

DAYS = DateRange.from_iso("2023-06-29", "2023-06-30")


def _captured(tmp_path: Path, replica) -> Path:
    config = make_config(tmp_path / "original", replica.url, depth="auto",
                         warc_dir=str(tmp_path / "warc"), attachments_dir=str(tmp_path / "files"))
    replica.faults.add("view", kind="status", code=503, times=1)
    replica.faults.add("list", kind="status", code=500, times=1, match={"pageIndex": "3"})
    crawl(config, DAYS)
    return Path(config.db)


def test_a_crawl_against_the_replay_stores_the_rows_of_the_original_crawl(tmp_path, replica):
    original = _captured(tmp_path, replica)
    asked = [(r.method, r.status) for r in replica.requests]
    with CaptureReplica(tmp_path / "warc") as site:
        again = make_config(tmp_path / "again", site.url, depth="auto",
                            warc_dir=str(tmp_path / "warc2"),
                            attachments_dir=str(tmp_path / "files"))
        crawl(again, DAYS)
        served = site.requests
    assert [s.status for s in served] == [status for _m, status in asked]
    for table in ("releases", "attachments", "windows"):
        assert table_rows(again.db, table, host_free=True) == \
            table_rows(original, table, host_free=True), table


def test_every_captured_request_gets_the_captured_status_headers_and_bytes(tmp_path, replica):
    _captured(tmp_path, replica)
    pairs = [p for path in capture_files(tmp_path / "warc") for p in iter_pairs(path)]
    with CaptureReplica(tmp_path / "warc") as site, httpx.Client(base_url=site.url) as client:
        for pair in pairs:
            recorded = read_exchange(pair.path, pair.capture.offset)
            target = httpx.URL(pair.capture.uri)
            response = client.request(pair.method, target.raw_path.decode(),
                                      content=pair.request_body,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"}
                                      if pair.request_body else {})
            assert response.status_code == recorded.status
            assert response.reason_phrase == recorded.reason
            assert [(k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in response.headers.raw] == list(recorded.headers)
            assert response.content == recorded.body
    statuses = [p.status for p in pairs]
    assert 503 in statuses and 500 in statuses


def test_form_fields_in_another_order_find_the_capture_and_unknown_requests_get_404(
        tmp_path, replica):
    _captured(tmp_path, replica)
    first = next(p for path in capture_files(tmp_path / "warc") for p in iter_pairs(path)
                 if p.method == "POST" and p.status == 200)
    shuffled = "&".join(reversed(first.request_body.decode().split("&")))
    with CaptureReplica(tmp_path / "warc") as site:
        path = httpx.URL(first.capture.uri).raw_path.decode()
        found = httpx.post(site.url + path, content=shuffled,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert found.status_code == 200
        assert found.content == read_exchange(first.path, first.capture.offset).body
        missing = httpx.get(site.url + "/briefing/pressReleaseView.do?newsId=1")
        assert missing.status_code == 404
        assert missing.text == "not captured: GET /briefing/pressReleaseView.do?newsId=1\n"
        other = httpx.post(site.url + path, content=b"pageIndex=999")
        assert other.status_code == 404


def test_replica_command_with_warc_serves_a_crawl_that_stores_the_original_rows(
        tmp_path, replica):
    """`kscrape replica --warc DIR` in its own process: a retried request is answered in
    capture order, and a crawl against it stores what the original crawl stored."""
    original = _captured(tmp_path, replica)
    env = child_env()
    child = subprocess.Popen([sys.executable, "-m", "kscrape", "replica", "--warc",
                              str(tmp_path / "warc")], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        again = make_config(tmp_path / "again", url, depth="auto",
                            warc_dir=str(tmp_path / "warc2"),
                            attachments_dir=str(tmp_path / "files"))
        crawl(again, DAYS)
        for table in ("releases", "attachments", "windows"):
            assert table_rows(again.db, table, host_free=True) == \
                table_rows(original, table, host_free=True), table
        views = [p for path in capture_files(tmp_path / "warc") for p in iter_pairs(path)
                 if p.method == "GET"]
        retried = next(p for p in views if p.status == 503)
        last = next(p for p in reversed(views) if p.capture.uri == retried.capture.uri)
        response = httpx.get(url + httpx.URL(retried.capture.uri).raw_path.decode())
        assert response.status_code == 200  # the crawl used the 503; the last capture stays
        assert response.content == read_exchange(last.path, last.capture.offset).body
    finally:
        child.terminate()
        child.wait(timeout=10)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
