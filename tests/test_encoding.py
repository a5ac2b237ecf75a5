"""Output on any console: machine output is UTF-8 whatever the code page, the same bytes as
`-o FILE`; messages for people never fail on a character the console lacks.

Every run is `python -m kscrape` in a child process with stdout encoded as CP949 (what Korean
Windows gives a redirected stdout) or as ASCII under LANG=C, on releases whose text holds
characters outside CP949: ｢｣ (U+FF62/3), ▴, ‧, ・ and a private-use glyph.
"""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from click.testing import CliRunner

from kscrape.cli import cli
from kscrape.config import Config
from kscrape.console import tolerant
from kscrape.logs import setup_logging
from kscrape.replica import Replica

from .conftest import PAGES, cli_env, make_config
from .processes import ENCODINGS, UTF8, child_env, kscrape, outside_cp949

TITLED = "156573320"  # ｢한미 사이버보안 공동지침｣ 마련
PRIVATE_USE = "156577248"  # a body with U+F09E
CRAWLS = (("2023-06-02", "국방부"), ("2023-06-27", "인사혁신처"),
          ("2023-06-28", "산업통상자원부"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, replica_server: Replica) -> Config:
    """Releases crawled at depth view into a folder whose own name is outside CP949."""
    replica_server.reset()
    folder = tmp_path_factory.mktemp("encoding") / "보관｢▴｣"
    folder.mkdir()
    config = make_config(folder, replica_server.url, depth="view")
    for day, ministry in CRAWLS:
        result = CliRunner().invoke(cli, ["crawl", "--since", day, "--until", day, "--ministry",
                                          ministry], env=cli_env(config))
        assert result.exit_code == 0, result.output
    return config


# Every command with machine output but no -o: compared with a run under a UTF-8 console.
MACHINE = {
    "search --json": ("search", "--json", "사이버보안"),
    "status --json": ("status", "--json"),
    "show md": ("show", TITLED),
    "show json": ("show", PRIVATE_USE, "--format", "json"),
    "show text": ("show", TITLED, "--format", "text"),
    "parse": ("parse", str(PAGES / "korea-listing.html")),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("fmt", [("csv",), ("csv", "--excel"), ("jsonl",), ("json",)],
                         ids=["csv", "excel", "jsonl", "json"])
def test_export_to_stdout_is_utf8_and_the_same_bytes_as_the_output_file(
        archive, tmp_path, encoding, fmt):
    """`export > file` under CP949 or ASCII holds exactly what `export -o file` writes."""
    env = child_env(archive, **ENCODINGS[encoding])
    piped = kscrape("export", "--format", *fmt, env=env)
    assert piped.returncode == 0, piped.stderr
    out = tmp_path / "out"
    written = kscrape("export", "--format", *fmt, "-o", str(out), env=env)
    assert written.returncode == 0, written.stderr
    assert piped.stdout == out.read_bytes()
    assert piped.stdout.startswith(b"\xef\xbb\xbf") == ("--excel" in fmt)
    text = piped.stdout.decode("utf-8")
    assert {"\uff62", "\u25b4", "\uf09e"} <= outside_cp949(text)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_other_machine_output_is_utf8_whatever_the_console(archive, encoding):
    """search --json, status --json, show (md, json, text) and parse: exit 0, UTF-8, the same
    bytes as under a UTF-8 console, characters outside CP949 intact."""
    outputs = {}
    for name, args in MACHINE.items():
        run = kscrape(*args, env=child_env(archive, **ENCODINGS[encoding]))
        assert run.returncode == 0, (name, run.stderr)
        assert b"Traceback" not in run.stderr, name
        baseline = kscrape(*args, env=child_env(archive, **UTF8))
        assert run.stdout == baseline.stdout, name
        outputs[name] = run.stdout.decode("utf-8")
        assert outside_cp949(outputs[name]), name
    assert json.loads(outputs["search --json"])["news_id"] == TITLED
    assert json.loads(outputs["status --json"])["database"].endswith("보관｢▴｣/kscrape.db")
    assert "\uf09e" in json.loads(outputs["show json"])["body"]
    assert json.loads(outputs["parse"])["kind"] == "list"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_an_error_naming_a_character_the_console_lacks_is_one_line(archive, encoding):
    """`show ｢▴｣`: exit 2 and one `Error:` line, the characters escaped, no traceback."""
    run = kscrape("show", "｢▴｣", env=child_env(archive, **ENCODINGS[encoding]))
    assert run.returncode == 2
    if encoding == "cp949":
        lines = run.stderr.decode("cp949").splitlines()
        assert "'\\uff62\\u25b4\\uff63'" in lines[0]
    else:
        lines = run.stderr.decode("utf-8").splitlines()
        assert "'｢▴｣'" in lines[0]
    assert len(lines) == 1 and lines[0].startswith("Error: no release")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_search_status_and_demo_for_people_never_fail_on_a_character(archive, tmp_path,
                                                                     encoding):
    """Human output under CP949 keeps Hangul and replaces only what CP949 lacks; under a C
    locale (ASCII) it is written in UTF-8. No traceback, exit 0."""
    env = child_env(archive, **ENCODINGS[encoding])
    search = kscrape("search", "사이버보안", env=env)
    status = kscrape("status", env=env)
    demo = kscrape("demo", "--ministry", "국방부", "--since", "2023-06-02", "--until",
                   "2023-06-02", env=env, cwd=tmp_path)
    for run in (search, status, demo):
        assert run.returncode == 0, run.stderr
        assert b"Traceback" not in run.stderr and b"Error" not in run.stderr
    if encoding == "cp949":
        assert "?한미 사이버보안 공동지침? 마련" in search.stdout.decode("cp949")
        assert "보관???" in status.stdout.decode("cp949")
    else:
        assert "｢한미 사이버보안 공동지침｣ 마련" in search.stdout.decode("utf-8")
        assert "보관｢▴｣" in status.stdout.decode("utf-8")
    assert "lock       free" in status.stdout.decode("ascii", errors="replace")
    assert "국방부" in demo.stdout.decode("cp949" if encoding == "cp949" else "utf-8")


def test_machine_output_through_clirunner_is_utf8_even_with_a_cp949_charset(archive):
    """CliRunner (and any in-process caller) gets the same UTF-8 bytes as a console."""
    result = CliRunner(charset="cp949").invoke(cli, ["show", TITLED, "--format", "json"],
                                               env=cli_env(archive))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout_bytes.decode("utf-8"))["title"].startswith("\uff62")


def _strict(encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict")


def test_a_cp949_stream_keeps_its_code_page_and_replaces_only_what_it_lacks():
    stream = _strict("cp949")
    tolerant(stream, errors="replace")
    stream.write("｢보도자료｣ ▴ 예산\n")
    stream.flush()
    assert stream.buffer.getvalue().decode("cp949") == "?보도자료? ? 예산\n"


def test_an_ascii_stream_writes_utf8_and_a_utf8_stream_is_left_as_it_is():
    ascii_stream, utf8_stream = _strict("ascii"), _strict("utf-8")
    tolerant(ascii_stream, errors="replace")
    tolerant(utf8_stream, errors="replace")
    for stream in (ascii_stream, utf8_stream):
        stream.write("｢보도자료｣\ud800\n")
        stream.flush()
        assert stream.buffer.getvalue().decode("utf-8") == "｢보도자료｣?\n"
    assert utf8_stream.encoding == "utf-8"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_log_lines_on_a_cp949_stderr_never_fail_and_json_keeps_every_character(
        monkeypatch, log_format):
    """Text lines escape what CP949 lacks; JSON lines are ASCII with \\u escapes, so a
    collector decodes the exact message."""
    stderr = _strict("cp949")
    monkeypatch.setattr(sys, "stderr", stderr)
    setup_logging(False, log_format, "")
    try:
        logging.getLogger("kscrape").warning("｢보도자료｣ ▴ \uf09e 예산")
    finally:
        logging.getLogger("kscrape").handlers.clear()
    stderr.flush()
    line = stderr.buffer.getvalue().decode("cp949").strip()
    if log_format == "json":
        assert json.loads(line)["message"] == "｢보도자료｣ ▴ \uf09e 예산"
    else:
        assert line.endswith("\\uff62보도자료\\uff63 \\u25b4 \\uf09e 예산")
