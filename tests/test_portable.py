"""Runs on Windows and macOS too: no POSIX-only module on any import path, crawls without
fcntl, Windows-safe names and atomic writes.

A Linux CI cannot run Windows; the nearest it gets is a Python where fcntl, termios, pwd and
the other POSIX-only modules cannot be imported (a sitecustomize with a meta path finder).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import unicodedata
from contextlib import closing
from pathlib import Path

import pytest

from kscrape.cli import cli
from kscrape.files import safe_name
from kscrape.paths import (
    COMPONENT_MAX_BYTES,
    atomic_write,
    atomic_writer,
    safe_component,
    write_if_changed,
)

from .conftest import corpus_between
from .processes import POSIX_ONLY, child_env, kscrape, without_posix

IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
for name in {blocked!r}:
    try:
        importlib.import_module(name)
    except ImportError:
        continue
    sys.exit(f"{{name}} was importable: the blocker did not work")
import kscrape
names = [m.name for m in pkgutil.walk_packages(kscrape.__path__, "kscrape.")
         if m.name != "kscrape.__main__"]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def _rows(config) -> set[str]:
    with closing(sqlite3.connect(config.db)) as conn:
        return {r[0] for r in conn.execute("select news_id from releases")}


# -- no POSIX-only module ----------------------------------------------------------------------


def test_every_kscrape_module_imports_where_fcntl_and_the_posix_modules_do_not_exist(tmp_path):
    """Walks the whole package in a child whose fcntl, termios, pwd … cannot be imported."""
    env = child_env(**without_posix(tmp_path))
    run = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING.format(blocked=POSIX_ONLY)],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) >= 30


def test_every_command_starts_without_the_posix_modules(tmp_path):
    """`kscrape COMMAND --help` for every command, on the Windows-like Python."""
    env = child_env(**without_posix(tmp_path))
    for name in ["", *sorted(cli.commands)]:
        run = kscrape(*filter(None, [name]), "--help", env=env)
        assert run.returncode == 0, (name, run.stderr)
        assert b"Usage:" in run.stdout


def test_crawl_and_update_work_without_fcntl(config, replica, tmp_path):
    """A crawl stores the days' releases and a later update fetches what was published since."""
    env = child_env(config, **without_posix(tmp_path))
    crawl = kscrape("crawl", "--since", "2023-06-29", "--until", "2023-06-30", env=env)
    assert crawl.returncode == 0, crawl.stderr
    assert _rows(config) == set(corpus_between("2023-06-29", "2023-06-30"))
    added = replica.add_release({"title": "윈도우에서 온 보도자료", "ministry": "기획재정부",
                                 "body": "본문"})
    update = kscrape("update", env=env)
    assert update.returncode == 0, update.stderr
    assert added in _rows(config)
    status = kscrape("status", env=env)
    assert status.returncode == 0 and b"lock       free" in status.stdout


# -- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("Aux.tar.gz", "_Aux.tar.gz"),
        ("NUL .md", "_NUL .md"),
        ("COM1", "_COM1"),
        ("lpt9.xml", "_lpt9.xml"),
        ("COM¹", "_COM¹"),
        ("CONOUT$", "_CONOUT$"),
        ("CONSOLE", "CONSOLE"),
        ("COM10", "COM10"),
        ("보도자료...", "보도자료"),
        ("보도자료. . ", "보도자료"),
        ("  ..숨김", "숨김"),
        ("..", "_"),
        ("", "_"),
        ('a/b\\c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("탭\t과\n줄바꿈", "탭 과 줄바꿈"),
        ("제어\x00\x07\x7f문자", "제어___문자"),
        ("｢한미 사이버보안 공동지침｣ 마련", "｢한미 사이버보안 공동지침｣ 마련"),
    ],
)
def test_windows_name_rules(title, expected):
    """Device names, trailing dots and spaces, forbidden and control characters."""
    assert safe_component(title) == expected


DEVICES = {"con", "prn", "aux", "nul", *(f"{d}{n}" for d in ("com", "lpt") for n in range(10))}


def _accepted_by_windows(name: str) -> bool:
    """Windows' naming rules, written out independently of kscrape.paths."""
    stem = name.split(".")[0].rstrip(" ").lower()
    return (not set('<>:"/\\|?*') & set(name) and all(ord(c) >= 32 for c in name)
            and not name.endswith((".", " ")) and stem not in DEVICES)


def test_a_300_character_korean_title_is_cut_with_a_stable_hash():
    """Within 120 characters and 255 bytes; the same title, in NFC or NFD, the same name; two
    titles sharing their first 200 characters get two names; the extension survives."""
    base = "2023년 하반기 경제정책방향 " * 20
    first, second = base[:300] + "가", base[:300] + "나"
    name = safe_component(first + ".md")
    assert len(name) <= 120 and len(name.encode("utf-8")) <= COMPONENT_MAX_BYTES
    assert name.endswith(".md") and name.startswith("2023년 하반기")
    assert name == safe_component(unicodedata.normalize("NFD", first) + ".md")
    assert name != safe_component(second + ".md")
    assert _accepted_by_windows(name)


def test_nfd_hangul_becomes_the_nfc_name():
    """macOS may hand back decomposed jamo; the file is the same one."""
    nfd = unicodedata.normalize("NFD", "보도자료")
    assert len(nfd) == 8 and safe_component(nfd) == "보도자료"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("C:\\Users\\x\\CON.hwpx", "_CON.hwpx"), ("보도자료...", "보도자료"),
     ("a|b.hwp", "a_b.hwp"), ("..", "")],
)
def test_stored_attachment_names_follow_the_same_rules(raw, expected):
    assert safe_name(raw) == expected


def test_a_long_attachment_name_keeps_its_extension_within_255_bytes():
    name = safe_name("가" * 100 + ".hwpx")
    assert len(name.encode("utf-8")) <= COMPONENT_MAX_BYTES and name.endswith(".hwpx")
    assert name == safe_component("가" * 100 + ".hwpx")


# -- atomic writes -------------------------------------------------------------------------------


def test_a_rename_refused_for_a_moment_is_tried_again(tmp_path, monkeypatch):
    """On Windows a scanner or a reader may hold the file briefly: the write still lands."""
    target = tmp_path / "feed.xml"
    target.write_bytes(b"old")
    real, refusals = os.replace, []

    def busy(source, destination):
        if len(refusals) < 2:
            refusals.append(destination)
            raise PermissionError(13, "The process cannot access the file")
        real(source, destination)

    monkeypatch.setattr(os, "replace", busy)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and len(refusals) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]


def test_a_rename_refused_for_good_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")

    def refused(source, destination):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", refused)
    monkeypatch.setattr("kscrape.paths.REPLACE_RETRIES", (0, 0))
    with pytest.raises(PermissionError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_the_temporary_file_name_is_no_longer_than_the_target(tmp_path):
    """A target that fits 260 characters has a temporary that fits too."""
    target = tmp_path / ("가" * 40 + ".md")
    with atomic_writer(target) as handle:
        temporary = Path(handle.name)
        assert temporary.parent == tmp_path and len(temporary.name) <= len(target.name)
        handle.write("본문\n")
    assert target.read_text(encoding="utf-8") == "본문\n"


def test_write_if_changed_keeps_an_unchanged_file_untouched(tmp_path):
    target = tmp_path / "feed.xml"
    assert write_if_changed(target, b"<rss/>")
    stamp = target.stat().st_mtime_ns
    os.utime(target, ns=(stamp - 10**9, stamp - 10**9))
    assert not write_if_changed(target, b"<rss/>")
    assert target.stat().st_mtime_ns == stamp - 10**9
    assert write_if_changed(target, b"<rss></rss>") and target.read_bytes() == b"<rss></rss>"
