"""`kscrape export --format md`: a Markdown tree a cron job can keep up to date in git."""

from __future__ import annotations

import os
import re
import sqlite3
import unicodedata
from contextlib import closing
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kscrape.export_md import release_path, yaml_string, yaml_value

from .conftest import run_cli

DAYS = ("--since", "2023-06-29", "--until", "2023-06-30")
RELEASE_NAME = re.compile(r"^(\d{3})_(.+)\.md$")
WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def _crawl(config, *extra: str) -> None:
    result = run_cli(config, "crawl", *DAYS, *extra)
    assert result.exit_code == 0, result.output


def _export(config, out: Path, *extra: str):
    result = run_cli(config, "export", "--format", "md", "-o", str(out), *extra)
    assert result.exit_code == 0, result.output
    return result


def _rows(config) -> dict[str, dict]:
    with closing(sqlite3.connect(config.db)) as conn:
        conn.row_factory = sqlite3.Row
        return {r["news_id"]: dict(r) for r in conn.execute("select * from releases")}


def _release_files(out: Path) -> dict[Path, str]:
    """Every release file below `out` (relative path) with its text."""
    return {p.relative_to(out): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.md"))
            if RELEASE_NAME.match(p.name)}


def _split(text: str) -> tuple[dict, str]:
    """Front matter (parsed by PyYAML) and the Markdown after it."""
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body.lstrip("\n")


def _marks(config) -> dict[str, str]:
    with closing(sqlite3.connect(config.db)) as conn:
        return dict(conn.execute("select name, value from marks"))


def _state(out: Path) -> dict[Path, tuple[int, int, bytes]]:
    """Inode, mtime and bytes of every file: an atomic rewrite changes the inode."""
    return {p.relative_to(out): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for p in out.rglob("*") if p.is_file()}


def test_one_file_per_release_in_day_folders_with_front_matter_and_the_record(
        config, replica, tmp_path):
    """YYYY/YYYY-MM/YYYY-MM-DD/NNN_부처_제목.md for each release, NNN its place in the day
    by newsId; the front matter parses back to the stored values; the body is `show`'s record;
    each day has a README.md linking every file of the day."""
    _crawl(config)
    out = tmp_path / "corpus"
    _export(config, out)
    rows = _rows(config)
    files = _release_files(out)
    assert len(files) == len(rows)
    by_id = {}
    for path, text in files.items():
        meta, body = _split(text)
        by_id[meta["news_id"]] = (path, meta, body)
    assert set(by_id) == set(rows)
    for day in {r["date"] for r in rows.values()}:
        ids = sorted(k for k, r in rows.items() if r["date"] == day)
        for number, news_id in enumerate(ids, start=1):
            path, meta, body = by_id[news_id]
            row = rows[news_id]
            assert path.parent == Path(day[:4], day[:7], day)
            number_text, rest = RELEASE_NAME.match(path.name).groups()
            assert int(number_text) == number and rest.startswith(row["ministry"] + "_")
            assert meta == {
                "title": row["title"], "ministry": row["ministry"],
                "ministry_code": row["ministry_code"], "date": day,
                "published_at": row["published_at"], "news_id": news_id,
                "original_url": row["url"], "attachments": [], "attachment_count": 0,
                "body_source": "list",
            }
        index = (out / day[:4] / day[:7] / day / "README.md").read_text(encoding="utf-8")
        links = re.findall(r"\]\(<([^>]+)>\)", index)
        assert [unquote(link) for link in links] == [by_id[k][0].name for k in ids]
    sample = sorted(rows)[0]
    shown = run_cli(config, "show", sample)
    assert by_id[sample][2] == shown.stdout


def test_rerun_with_nothing_changed_writes_no_file(config, replica, tmp_path):
    """A second export, and a --full one, leave every file's inode, mtime and bytes alone."""
    _crawl(config)
    out = tmp_path / "corpus"
    _export(config, out)
    before = _state(out)
    assert len(before) > 100
    again = _export(config, out)
    assert "files written 0" in again.stderr
    full = _export(config, out, "--full")
    assert "files written 0" in full.stderr and "removed 0" in full.stderr
    assert _state(out) == before


def test_rerun_after_changes_rewrites_only_the_changed_releases(config, replica, tmp_path):
    """An edited title renames its file, a new release adds one, a release moved to another
    day leaves its old day; files whose release and place did not change keep their inode,
    mtime and bytes, and a day nothing happened to is not touched at all."""
    three_days = ("--since", "2023-06-28", "--until", "2023-06-30")
    _crawl(config, *three_days)
    out = tmp_path / "corpus"
    _export(config, out)
    before, old_paths = _state(out), _paths_by_id(out)
    rows = _rows(config)
    day30 = sorted(k for k, r in rows.items() if r["date"] == "2023-06-30")
    retitled, moved = day30[0], day30[1]
    replica.edit_release(retitled, title="제목이 바뀐 보도자료")
    replica.edit_release(moved, approved_at="2023-06-29T23:59:00+09:00")
    added = replica.add_release({"title": "새로 올라온 보도자료", "ministry": "환경부",
                                 "body": "새 본문", "approved_at": "2023-06-29T09:00:00+09:00"})
    _crawl(config, *three_days)

    result = _export(config, out)

    after, new_paths = _state(out), _paths_by_id(out)
    assert set(new_paths) == set(old_paths) | {added}
    assert "제목이 바뀐 보도자료" in new_paths[retitled].name
    assert new_paths[moved].parent.name == new_paths[added].parent.name == "2023-06-29"
    kept = [k for k in old_paths if k not in (retitled, moved) and new_paths[k] == old_paths[k]]
    assert len(kept) > 100
    assert all(after[old_paths[k]] == before[old_paths[k]] for k in kept)
    day28 = [p for p in before if p.parts[2] == "2023-06-28"]
    assert day28 and all(after.get(p) == before[p] for p in day28)
    gone = set(before) - set(after)
    assert gone == {old_paths[k] for k in old_paths if new_paths[k] != old_paths[k]} - set(after)
    assert f"removed {len(gone)}" in result.stderr
    for day in ("2023-06-29", "2023-06-30"):
        index = Path("2023", "2023-06", day, "README.md")
        assert after[index] != before[index]


def _paths_by_id(out: Path) -> dict[str, Path]:
    return {_split(text)[0]["news_id"]: path for path, text in _release_files(out).items()}


def test_titles_with_yaml_and_markdown_syntax_parse_back_and_name_safe_files(
        config, replica, tmp_path):
    """Quotes, colons, #, a leading dash, brackets, emoji and forbidden file-name characters
    round-trip through the front matter; names are safe on Windows and macOS, NFC, and long
    titles are cut with a stable hash so that two of them never share a file."""
    long = "아주 긴 제목의 보도자료 " * 12
    titles = ['"따옴표" 제목', "콜론: 뒤에 값", "# 해시로 시작", "- 대시로 시작",
              "[보도자료] *별표* _밑줄_", "이모지 🎉 축하", 'Windows가 싫어하는 <>:"/\\|?* 문자.',
              "'작은따옴표' 그리고 \\역슬래시", long + "하나", long + "둘", "CON"]
    ids = [replica.add_release({"title": t, "ministry": "기획재정부", "body": f"본문 {n}",
                                "approved_at": f"2023-06-30T1{n % 10}:00:00+09:00"})
           for n, t in enumerate(titles)]
    _crawl(config)
    out = tmp_path / "corpus"
    _export(config, out)
    rows = _rows(config)
    files = {_split(t)[0]["news_id"]: (p, _split(t)[0]) for p, t in _release_files(out).items()}
    for news_id in ids:
        path, meta = files[news_id]
        assert meta["title"] == rows[news_id]["title"]
        name = path.name
        assert not WINDOWS_FORBIDDEN.search(name) and name == unicodedata.normalize("NFC", name)
        assert not name[:-3].endswith((".", " ")) and len(name.encode("utf-8")) <= 255
        assert len(str(path)) < 120
    long_names = [files[i][0].name for i in ids[8:10]]
    assert len(set(long_names)) == 2 and all("~" in n for n in long_names)
    assert release_path("2023-06-30", 1, "기획재정부", long + "하나") == release_path(
        "2023-06-30", 1, "기획재정부", long + "하나")
    index = (out / "2023" / "2023-06" / "2023-06-30" / "README.md").read_text(encoding="utf-8")
    assert r"\[보도자료\] \*별표\* \_밑줄\_" in index
    hashed = files[ids[2]][0].name
    assert f"(<{hashed.replace('#', '%23')}>)" in index and unquote("%23") in hashed


@given(st.text())
def test_any_text_is_a_yaml_string_that_parses_back_unchanged(text: str):
    """Controls, line separators, BOMs, non-characters: PyYAML reads back exactly the text."""
    assert yaml.safe_load(f"key: {yaml_string(text)}") == {"key": text}


@given(st.lists(st.text(), max_size=4))
def test_lists_of_names_parse_back_unchanged(names: list[str]):
    assert yaml.safe_load(f"attachments:{yaml_value(names)}\nn: 1") == {
        "attachments": names, "n": 1}


def test_selection_and_changed_since_choose_what_is_rendered(config, replica, tmp_path):
    """--since/--until/--ministry limit the tree; --changed-since renders only releases
    changed since then and leaves the mark alone; another selection renders all it selects."""
    _crawl(config)
    out = tmp_path / "corpus"
    _export(config, out, "--since", "2023-06-30", "--ministry", "기획재정부")
    rows = _rows(config)
    wanted = {k for k, r in rows.items() if r["date"] == "2023-06-30" and r["ministry"] ==
              "기획재정부"}
    files = _release_files(out)
    assert {_split(t)[0]["news_id"] for t in files.values()} == wanted
    assert [int(RELEASE_NAME.match(p.name).group(1)) for p in sorted(files)] == list(
        range(1, len(wanted) + 1))
    marks = _marks(config)
    assert len(marks) == 1 and f"export-md {out.resolve()}" in marks
    future = run_cli(config, "export", "--format", "md", "-o", str(out), "--since", "2023-06-30",
                     "--ministry", "기획재정부", "--changed-since", "2099-01-01T00:00:00+09:00")
    assert future.exit_code == 0 and "0 releases in 0 days" in future.stderr
    assert _marks(config) == marks
    everything = _export(config, out)
    assert f"{len(rows)} releases in 2 days" in everything.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("export", "--format", "md"), "--format md needs -o FOLDER"),
    (("export", "--format", "md", "-o", "afile"), "-o afile is a file"),
    (("export", "--format", "md", "-o", "d", "--changed-since", "어제"), "--changed-since"),
    (("export", "--format", "csv", "--full"), "apply to --format md only"),
])
def test_bad_markdown_export_options_exit_2_with_one_line(config, replica, args, message):
    _crawl(config)
    Path("afile").write_text("x", encoding="utf-8")
    result = run_cli(config, *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not Path("d").exists()


def test_export_md_keeps_paths_short_under_a_deep_root(config, replica, tmp_path):
    """Paths below the output folder stay under 110 characters: with a root of up to 150
    characters every path stays below Windows' 260-character limit."""
    _crawl(config)
    root = tmp_path / ("깊은폴더" * 5) / ("x" * 60)
    _export(config, root)
    assert len(str(root.relative_to(tmp_path))) > 80
    longest = max(len(str(p.relative_to(root))) for p in root.rglob("*"))
    assert longest < 110
    assert os.path.isdir(root / "2023" / "2023-06" / "2023-06-29")
