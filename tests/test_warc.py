"""WARC capture: every response a crawl receives, with its request, readable by standard tools."""

from __future__ import annotations

import base64
import hashlib
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastwarc.warc import ArchiveIterator as FastIterator
from fastwarc.warc import WarcRecordType

from kscrape.listing import DateRange, list_form
from kscrape.models import DOWNLOAD_PATH, LIST_PATH, VIEW_PATH
from kscrape.parse import parse_list, parse_view

from .capture_support import crawl, records, table_rows, warc_files, warcio_check
from .conftest import make_config, run_cli

DAY = DateRange.from_iso("2023-06-29", "2023-06-29")
MINISTRY = "기획재정부"


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _pairs(directory: Path) -> list[tuple[object, bytes, object, bytes, int]]:
    """(request, request body, response, response body, response offset) in capture order."""
    out = []
    pending: dict[str, tuple[object, bytes]] = {}
    for _path, offset, record, payload in records(warc_files(directory)):
        kind = record.rec_type
        if kind == "request":
            pending[record.rec_headers.get_header("WARC-Concurrent-To")] = (record, payload)
        elif kind == "response":
            request, body = pending.pop(record.rec_headers.get_header("WARC-Record-ID"))
            out.append((request, body, record, payload, offset))
    assert pending == {}
    return out


def _route(uri: str) -> str:
    path = urlsplit(uri).path
    return {LIST_PATH: "list", VIEW_PATH: "view", DOWNLOAD_PATH: "download"}.get(path, "other")


def test_list_view_and_attachment_responses_are_captured_with_their_requests(tmp_path, replica):
    """Each request the replica answered is one request + response pair, in order: POST list
    pages with their form body, view pages and downloads, with dates, URIs and digests."""
    config = make_config(tmp_path, replica.url, depth="files", warc_dir=str(tmp_path / "warc"))
    crawl(config, DAY, ministries=[MINISTRY])

    pairs = _pairs(tmp_path / "warc")
    served = replica.requests
    assert [(_route(r.rec_headers.get_header("WARC-Target-URI")),
             resp.http_headers.get_statuscode()) for r, _b, resp, _p, _o in pairs] == [
        (s.route, str(s.status)) for s in served]
    assert {s.route for s in served} == {"list", "view", "download"}
    for (request, body, response, payload, _offset), logged in zip(pairs, served, strict=True):
        assert request.rec_headers.get_header("WARC-Date") == \
            response.rec_headers.get_header("WARC-Date")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z",
                            response.rec_headers.get_header("WARC-Date"))
        uri = response.rec_headers.get_header("WARC-Target-URI")
        assert uri == request.rec_headers.get_header("WARC-Target-URI")
        assert uri.startswith(replica.url)
        assert request.http_headers.protocol == logged.method
        assert response.rec_headers.get_header("WARC-Payload-Digest") == _sha1(payload)
        if logged.route == "list":
            assert dict(parse_qsl(body.decode(), keep_blank_values=True)) == logged.form
    first_list = next(b for r, b, *_ in pairs if _route(r.rec_headers.get_header(
        "WARC-Target-URI")) == "list")
    assert dict(parse_qsl(first_list.decode(), keep_blank_values=True)) == list_form(
        page=1, since=DAY.since, until=DAY.until)

    # The bodies are the bytes the crawler used: pages parse to what is stored, files are the
    # files kept on disk.
    with closing(sqlite3.connect(config.db)) as conn:
        stored = {r[0] for r in conn.execute("select news_id from releases")}
        files = {r[0]: r[1] for r in conn.execute("select file_id, sha256 from attachments")}
    for request, _body, _response, payload, _offset in pairs:
        uri = request.rec_headers.get_header("WARC-Target-URI")
        query = dict(parse_qsl(urlsplit(uri).query))
        if _route(uri) == "view":
            assert parse_view(payload).news_id == query["newsId"] in stored
        elif _route(uri) == "download":
            assert hashlib.sha256(payload).hexdigest() == files[query["fileId"]]
        else:
            assert parse_list(payload).items
    routes = [_route(r.rec_headers.get_header("WARC-Target-URI")) for r, *_ in pairs]
    assert routes.count("view") == len(stored)
    assert routes.count("download") == len(files)


def test_error_answers_and_every_retried_attempt_are_captured(tmp_path, replica):
    """A 503 retried twice, a 500 on a view page, a 404 download and a truncated page: each
    attempt is a pair in the WARC with the status and body the server sent."""
    config = make_config(tmp_path, replica.url, depth="files", warc_dir=str(tmp_path / "warc"))
    replica.faults.add("list", kind="status", code=503, times=2, match={"pageIndex": "1"})
    replica.faults.add("view", kind="status", code=500, times=1)
    replica.faults.add("view", kind="truncate_html", times=1)
    replica.faults.add("download", kind="status", code=404, times=None)
    crawl(config, DAY, ministries=[MINISTRY])

    pairs = _pairs(tmp_path / "warc")
    statuses = [resp.http_headers.get_statuscode() for _r, _b, resp, _p, _o in pairs]
    assert statuses == [str(s.status) for s in replica.requests]
    assert statuses[:3] == ["503", "503", "200"]
    first_three = [b for _r, b, *_ in pairs[:3]]
    assert first_three[0] == first_three[1] == first_three[2]
    assert {"500", "404"} <= set(statuses)
    assert pairs[0][3] == b"<html><body><h1>503</h1></body></html>"
    views = [(resp.http_headers.get_statuscode(), p) for r, _b, resp, p, _o in pairs
             if _route(r.rec_headers.get_header("WARC-Target-URI")) == "view"]
    truncated = [p for status, p in views if status == "200" and b"</html>" not in p[-4096:]]
    assert len(truncated) == 1


def test_files_pass_warcio_check_and_both_libraries_read_every_record(tmp_path, replica):
    """`warcio check` (digests) passes; warcio and FastWARC read the same records."""
    config = make_config(tmp_path, replica.url, depth="auto", warc_dir=str(tmp_path / "warc"))
    replica.faults.add("list", kind="status", code=503, times=1)
    crawl(config, DateRange.from_iso("2023-06-29", "2023-06-30"))
    paths = warc_files(tmp_path / "warc")

    checked = warcio_check(paths)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    read = list(records(paths))
    assert checked.stdout.count("digest pass") == len(read)
    assert read[0][2].rec_type == "warcinfo"
    assert sum(1 for _p, _o, r, _b in read if r.rec_type == "response") == len(replica.requests)
    fast = []
    for path in paths:
        with open(path, "rb") as handle:
            for record in FastIterator(handle, parse_http=True):
                if record.record_type != WarcRecordType.warcinfo:
                    assert record.verify_payload_digest()
                fast.append(record.record_id)
    assert fast == [r.rec_headers.get_header("WARC-Record-ID") for _p, _o, r, _b in read]


def test_files_rotate_by_size_and_are_named_by_date_and_run(tmp_path, replica):
    """Past warc_max_bytes a new file begins, with its own warcinfo; no pair is split."""
    config = make_config(tmp_path, replica.url, warc_dir=str(tmp_path / "warc"),
                         warc_max_bytes=150_000)
    crawl(config, DateRange.from_iso("2023-06-26", "2023-06-30"))
    paths = warc_files(tmp_path / "warc")
    assert len(paths) >= 5
    assert not list((tmp_path / "warc").glob("*.open"))
    for number, path in enumerate(paths):
        assert re.fullmatch(rf"kscrape-\d{{8}}T\d{{6}}Z-run1-{number:05d}\.warc\.gz", path.name)
        kinds = [r.rec_type for _p, _o, r, _b in records([path])]
        assert kinds[0] == "warcinfo" and kinds.count("warcinfo") == 1
        assert kinds[1:] == ["request", "response"] * ((len(kinds) - 1) // 2)
        assert path.stat().st_size <= 150_000 or len(kinds) == 3
    responses = sum(1 for *_x, r, _b in records(paths) if r.rec_type == "response")
    assert responses == len(replica.requests)


def test_evidence_offsets_point_at_the_records_of_each_release(tmp_path, replica):
    """Every evidence row's file and offset hold a response record with that URI and digest,
    whose body is the release's list page, view page or attachment."""
    config = make_config(tmp_path, replica.url, depth="files", warc_dir=str(tmp_path / "warc"))
    crawl(config, DAY, ministries=[MINISTRY])
    evidence = table_rows(config.db, "evidence")
    releases = {r["news_id"] for r in table_rows(config.db, "releases")}
    files = {(r["news_id"], r["file_id"]): r for r in table_rows(config.db, "attachments")}
    assert {(e["news_id"], e["kind"]) for e in evidence} >= {(n, k) for n in releases
                                                            for k in ("list", "view")}
    assert {(e["news_id"], e["file_id"]) for e in evidence if e["kind"] == "file"} == set(files)
    for row in evidence:
        with open(tmp_path / "warc" / row["warc_file"], "rb") as handle:
            handle.seek(row["warc_offset"])
            chunk = handle.read(row["warc_length"])
        record, payload = next((r, p) for _f, _o, r, p in _records_in(chunk))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == row["uri"]
        assert record.rec_headers.get_header("WARC-Date") == row["warc_date"]
        assert record.rec_headers.get_header("WARC-Payload-Digest") == row["payload_digest"]
        if row["kind"] == "list":
            assert row["news_id"] in {i.news_id for i in parse_list(payload).items}
        elif row["kind"] == "view":
            assert parse_view(payload).news_id == row["news_id"]
        else:
            stored = files[(row["news_id"], row["file_id"])]
            assert hashlib.sha256(payload).hexdigest() == stored["sha256"]
            assert Path(stored["path"]).read_bytes() == payload


def _records_in(chunk: bytes):
    from io import BytesIO

    from warcio.archiveiterator import ArchiveIterator

    for record in ArchiveIterator(BytesIO(chunk)):
        yield None, 0, record, record.content_stream().read()


def test_show_evidence_checks_each_record_and_raw_writes_the_captured_bytes(tmp_path, replica):
    config = make_config(tmp_path, replica.url, depth="files", warc_dir=str(tmp_path / "warc"))
    crawl(config, DAY, ministries=[MINISTRY])
    news_id, file_id, sha256 = next(
        (r["news_id"], r["file_id"], r["sha256"]) for r in table_rows(config.db, "attachments"))

    shown = run_cli(config, "show", news_id, "--evidence")
    assert shown.exit_code == 0, shown.output
    assert shown.output.count("check:  ok") == 3
    for kind in ("list", "view", f"file {file_id}"):
        assert f"\n{kind}\n" in f"\n{shown.output}"

    out = tmp_path / "file.hwpx"
    wrote = run_cli(config, "show", news_id, "--raw", str(out), "--record", file_id)
    assert wrote.exit_code == 0, wrote.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == sha256
    page = tmp_path / "view.html"
    assert run_cli(config, "show", news_id, "--raw", str(page)).exit_code == 0
    assert parse_view(page.read_bytes()).news_id == news_id
    unwritable = run_cli(config, "show", news_id, "--raw", str(tmp_path / "no-such-dir" / "x"))
    assert unwritable.exit_code == 8
    assert "cannot write the capture" in unwritable.output
    assert not (tmp_path / "no-such-dir").exists()

    # A WARC file that no longer holds the record is reported, not trusted.
    target = tmp_path / "warc" / table_rows(config.db, "evidence")[0]["warc_file"]
    data = bytearray(target.read_bytes())
    view = next(r for r in table_rows(config.db, "evidence")
                if r["news_id"] == news_id and r["kind"] == "view")
    data[view["warc_offset"]:view["warc_offset"] + view["warc_length"]] = bytes(
        view["warc_length"])
    target.write_bytes(bytes(data))
    broken = run_cli(config, "show", news_id, "--evidence", "--format", "json")
    assert '"status": "differs"' in broken.output
    assert run_cli(config, "show", news_id, "--raw", str(page), "--record", "view").exit_code == 8


def test_capture_turned_off_writes_no_warc_and_stores_the_same_rows(tmp_path, replica):
    on = make_config(tmp_path / "on", replica.url, depth="auto", warc_dir=str(tmp_path / "w1"))
    off = make_config(tmp_path / "off", replica.url, depth="auto", warc=False,
                      warc_dir=str(tmp_path / "w2"))
    crawl(on, DAY)
    crawl(off, DAY)
    assert warc_files(tmp_path / "w1")
    assert not (tmp_path / "w2").exists()
    assert table_rows(off.db, "evidence") == []
    assert len(table_rows(on.db, "evidence")) >= len(table_rows(on.db, "releases"))
    assert table_rows(on.db, "releases") == table_rows(off.db, "releases")


@pytest.mark.parametrize(("value", "expected"), [("false", False), ("0", False), ("on", True)])
def test_warc_key_reads_true_and_false_from_the_environment(value, expected):
    from kscrape.config import load_config

    assert load_config(environ={"KSCRAPE_WARC": value}).warc is expected


def test_a_bad_warc_value_is_a_usage_error(tmp_path, replica):
    config = make_config(tmp_path, replica.url)
    from click.testing import CliRunner

    from kscrape.cli import cli

    result = CliRunner().invoke(cli, ["status"], env={"KSCRAPE_WARC": "maybe",
                                                      "KSCRAPE_DB": config.db})
    assert result.exit_code == 2
    assert "KSCRAPE_WARC" in result.output
