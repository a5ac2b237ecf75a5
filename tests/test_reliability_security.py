"""Security: one host only, our own file names, TLS always verified, secrets never written."""

from __future__ import annotations

import csv
import logging
import shutil
import socket
import sqlite3
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kscrape.config import load_config
from kscrape.errors import FetchError
from kscrape.fetch import Fetcher, filename_from_disposition
from kscrape.files import safe_name
from kscrape.paths import COMPONENT_MAX_BYTES

from .conftest import ROOT, make_config
from .test_reliability_network import (
    NEWS_ID,
    Recorder,
    crawl_day,
    full_env,
    invoke,
    query,
    stored,
)

SECRET = "SECRET123-kscrape-test-key"


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder() as server:
        yield server


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every address any socket in this process tries to connect to during the test."""
    seen: list[object] = []
    guarded = socket.socket.connect

    def record(self: socket.socket, address: object) -> object:
        seen.append(address)
        return guarded(self, address)

    monkeypatch.setattr(socket.socket, "connect", record)
    return seen


def real_file_id(replica, news_id: str) -> str:
    return replica.corpus.get(news_id).attachments[0].file_id


# -- only the configured host (T32) ------------------------------------------------------------


def test_links_in_bodies_and_off_host_attachments_are_never_requested(
    config, replica, recorder, connections
):
    """Body links to another server, 169.254.169.254 and file://, and an attachment link on
    another host: a files-depth crawl contacts nothing but the replica."""
    file_id = real_file_id(replica, NEWS_ID)
    body = (f'<p><a href="{recorder.url}/body">외부</a> <img src="{recorder.url}/pixel.gif">'
            '<a href="http://169.254.169.254/latest/meta-data/">메타</a>'
            '<a href="file:///etc/passwd">passwd</a>'
            '<iframe src="http://169.254.169.254/"></iframe></p>')
    attachment = (f'<span><a href="{recorder.url}/common/download.do?fileId={file_id}'
                  '&amp;tblKey=GMN"><img src="/images/icon/icon_ihangul.gif" alt="">'
                  '외부.hwpx</a></span>')
    replica.faults.add("view", kind="inject_html", times=None, html=body,
                       attachment_html=attachment)
    result = crawl_day(config, "2023-06-29", "--ministry", "기획재정부", "--depth", "files")
    assert result.exit_code == 0, result.output
    assert recorder.hits == []
    replica_address = config.base_url.removeprefix("http://")
    assert {f"{a[0]}:{a[1]}" for a in connections} == {replica_address}
    downloads = [r for r in replica.requests if r.route == "download"]
    assert file_id in {r.query["fileId"] for r in downloads}
    assert stored(config)[NEWS_ID]["body_source"] == "attachment:hwpx"


def test_fetcher_refuses_any_other_host_before_connecting(config, recorder, connections):
    """Absolute URLs to another port, the metadata address or file:// fail without I/O."""
    with Fetcher(config) as fetcher:
        for url in (f"{recorder.url}/x", "http://169.254.169.254/", "file:///etc/passwd"):
            with pytest.raises(FetchError, match="refusing to contact"):
                fetcher.get(url)
    assert connections == [] and recorder.hits == []


# -- attachment names (T30) --------------------------------------------------------------------


HOSTILE_NAMES = {
    "../../x.hwpx": "x.hwpx",
    "/etc/passwd": "passwd",
    "..\\..\\x.hwpx": "x.hwpx",
    "CON.hwpx": "_CON.hwpx",
    "보도자료\u200b\t.hwpx": "보도자료 .hwpx",
    "가" * 100 + ".hwpx": None,  # 305 bytes: cut to 255 with the extension kept
}


@pytest.mark.parametrize("name", list(HOSTILE_NAMES), ids=range(len(HOSTILE_NAMES)))
def test_hostile_attachment_names_never_choose_the_path(config, replica, name):
    """Traversal, absolute, reserved, control-laden and 300-byte names: the file is saved as
    <newsId>_<fileId>.hwpx inside attachments_dir, the stored name is sanitised."""
    replica.faults.add("*", kind="attachment_name", times=None, name=name)
    result = crawl_day(config, "2023-06-29", "--ministry", "기획재정부", "--depth", "files")
    assert result.exit_code == 0, result.output
    file_id = real_file_id(replica, NEWS_ID)
    [(path, stored_name)] = query(
        config, "select path, name from attachments where news_id = ?", (NEWS_ID,))
    root = Path(config.attachments_dir).resolve()
    assert Path(path).resolve().parent == root
    assert Path(path).name == f"{NEWS_ID}_{file_id}.hwpx"
    every_file = {p.resolve() for p in Path(config.db).parent.rglob("*") if p.is_file()}
    assert all(p.parent == root for p in every_file if p.suffix in (".hwpx", ".hwp", ".pdf"))
    expected = HOSTILE_NAMES[name]
    if expected is None:
        assert len(stored_name.encode("utf-8")) <= COMPONENT_MAX_BYTES
        assert stored_name.endswith(".hwpx") and stored_name.startswith("가가")
    else:
        assert stored_name == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../x", "x"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\x.hwp", "x.hwp"),
        ("a\x00b.hwp", "ab.hwp"),
        ("CON.hwp", "_CON.hwp"),
        ("lpt1", "_lpt1"),
        ("..", ""),
        ('a:b?*<>|".pdf', "a_b______.pdf"),
    ],
)
def test_safe_name_strips_directories_controls_and_reserved_names(raw, expected):
    """The stored original name can never act as a path, on POSIX or Windows."""
    assert safe_name(raw) == expected


def test_mojibake_disposition_name_is_repaired_before_it_is_stored():
    """UTF-8 bytes read as latin-1 (how Java servers send names) come back as Hangul."""
    mangled = "보도자료.hwpx".encode().decode("latin-1")
    assert safe_name(filename_from_disposition(f'attachment; filename="{mangled}"')) == (
        "보도자료.hwpx"
    )


def test_nul_in_a_content_disposition_header_is_a_recorded_failure(config, replica):
    """A NUL in the download's header is a protocol error: no file, a failure row, exit 4."""
    replica.faults.add("download", kind="attachment_name", times=None, name="a\x00b.hwpx")
    result = crawl_day(config, "2023-06-29", "--ministry", "기획재정부", "--depth", "files")
    assert result.exit_code == 4, result.output
    assert ("error",) in query(config, "select status from attachments where news_id = ?",
                               (NEWS_ID,))
    attachments = Path(config.attachments_dir)
    assert not attachments.exists() or not any(attachments.iterdir())


# -- TLS (T33) ---------------------------------------------------------------------------------


def test_no_code_path_turns_certificate_checks_off():
    """No `verify=False`, CERT_NONE or disabled hostname check anywhere in src."""
    for path in (ROOT / "src" / "kscrape").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("verify=False", "CERT_NONE", "check_hostname = False",
                       "_create_unverified_context"):
            assert needle not in text, f"{path}: {needle}"


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made with the openssl command line tool."""
    openssl = shutil.which("openssl")
    assert openssl, "the TLS tests need the openssl command to make a self-signed certificate"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=kscrape test", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def https_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTPS server with a self-signed certificate; yields (url, cert file)."""
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda *args: None  # the refused handshakes are the point
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_self_signed_certificate_is_refused_at_once(tmp_path, https_site):
    """Without a CA bundle the handshake fails: FetchError naming TLS, no retries."""
    url, _cert = https_site
    sleeps: list[float] = []
    with Fetcher(make_config(tmp_path, url), sleep=sleeps.append) as fetcher:
        with pytest.raises(FetchError, match="TLS certificate not trusted"):
            fetcher.get("/")
        assert fetcher.requests == 1 and sleeps == []


def test_ca_bundle_adds_trust_for_the_same_server(tmp_path, https_site):
    """With ca_bundle pointing at that certificate the same request succeeds."""
    url, cert = https_site
    with Fetcher(make_config(tmp_path, url, ca_bundle=str(cert))) as fetcher:
        assert fetcher.get("/").content == b"<html><body>ok</body></html>"


# -- secrets (T34) -----------------------------------------------------------------------------


def test_api_key_is_never_shown_by_the_config():
    """repr(Config) (and so any log of it) leaves the api_key out."""
    config = load_config(environ={"KSCRAPE_API_KEY": SECRET})
    assert config.api_key == SECRET
    assert SECRET not in repr(config) and SECRET not in str(config)


def test_secret_never_reaches_logs_database_or_exports(config, replica, tmp_path):
    """A failing verbose crawl with api_key set: the key is absent from stdout, stderr, every
    table and the export."""
    secret_config = make_config(tmp_path, replica.url, api_key=SECRET)
    replica.faults.add("list", kind="status", code=503, times=None, match={"pageIndex": "2"})
    result = invoke(secret_config, "-v", "crawl", "--since", "2023-06-24", "--until",
                    "2023-06-25")
    assert result.exit_code == 3
    assert "Traceback" in result.stderr  # -v really did print the debug details
    out = tmp_path / "out.csv"
    assert invoke(secret_config, "-v", "export", "-o", str(out)).exit_code == 0
    with closing(sqlite3.connect(secret_config.db)) as conn:
        dump = "\n".join(conn.iterdump())
    for text in (result.stdout, result.stderr, dump, out.read_text(encoding="utf-8")):
        assert SECRET not in text
    assert full_env(secret_config)["KSCRAPE_API_KEY"] == SECRET


def test_query_string_secrets_stay_out_of_errors_and_debug_logs(config, replica, caplog):
    """A key sent as a query parameter to a failing server is absent from the exception and
    from DEBUG logs, httpx's included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="kscrape")
    replica.faults.add("*", kind="status", code=500, times=None)
    with Fetcher(config) as fetcher, pytest.raises(FetchError) as error:
        fetcher.get("/openapi/service", params={"serviceKey": SECRET})
    assert SECRET not in str(error.value) and SECRET not in repr(error.value)
    assert SECRET not in caplog.text
    assert "retrying" in caplog.text
    assert [r.query.get("serviceKey") for r in replica.requests] == [SECRET] * 3


# -- CSV injection (T29) -----------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://x\",\"클릭\")", "+1", "-2 보도", "@SUM(A1)"]


def test_formula_cells_are_neutralised_only_in_excel_exports(config, replica, tmp_path):
    """Titles and bodies starting with = + - @ get a ' in --excel; the DB and plain CSV keep
    them raw."""
    ids = {
        replica.add_release({"title": formula, "ministry": "기획재정부", "subtitles": [],
                             "approved_at": "2023-06-24T09:00:00+09:00",
                             "body": f"{formula} 본문"}): formula
        for formula in FORMULAS
    }
    assert crawl_day(config, "2023-06-24").exit_code == 0
    rows = stored(config)
    assert {rows[i]["title"] for i in ids} == set(FORMULAS)
    for excel, encoding in ((True, "utf-8-sig"), (False, "utf-8")):
        out = tmp_path / f"x{excel}.csv"
        assert invoke(config, "export", "-o", str(out), *(["--excel"] if excel else [])
                      ).exit_code == 0
        with out.open(encoding=encoding, newline="") as handle:
            exported = {r["news_id"]: r for r in csv.DictReader(handle)}
        for news_id, formula in ids.items():
            expected = ("'" if excel else "") + formula
            assert exported[news_id]["title"] == expected
            assert exported[news_id]["body"].startswith(expected)
