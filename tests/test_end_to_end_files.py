"""The whole path with real documents: list → view → download → extract → store → show and
export --format md, over real HTTP against a replica serving the 41 releases' real files."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections import Counter
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from kscrape.extract import best_text, extract
from kscrape.replica.corpus import KST
from kscrape.text import clean_inline

from .conftest import ATTACHMENTS, make_config, run_cli

INDEX = json.loads((ATTACHMENTS / "index.json").read_text(encoding="utf-8"))
CRAWL = ("crawl", "--since", "2026-04-10", "--until", "2026-04-13", "--depth", "files")
FIXED_SECTIONS = ("## 본문", "## 담당 부서", "## 첨부파일")


@pytest.fixture(scope="module")
def crawled(files_site, tmp_path_factory):
    """One depth-files crawl of the 41 releases, its CLI result and the requests it made."""
    folder = tmp_path_factory.mktemp("e2e")
    config = make_config(folder, files_site.url)
    files_site.reset()
    result = run_cli(config, *CRAWL)
    return config, result, files_site.requests


def _rows(config, sql: str) -> list[dict]:
    with closing(sqlite3.connect(config.db)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql)]


def _ground_truth(news_id: str) -> str:
    return (ATTACHMENTS / f"{news_id}.md").read_text(encoding="utf-8")


def _file_lines(markdown: str) -> list[str]:
    """The metadata lines naming the HWPX/PDF files (whitespace runs as one space: stored
    names are cleaned)."""
    lines = re.findall(r"^- (?:HWPX|HWP|PDF) 첨부: .+$", markdown, flags=re.M)
    return [" ".join(line.split()) for line in lines]


def test_crawl_at_depth_files_fetches_each_page_and_file_once(crawled):
    """3 list pages, 41 view pages, 82 downloads, each asked once, nothing else."""
    config, result, requests = crawled
    assert result.exit_code == 0, result.output
    assert result.stdout == ("listed 41, new 41, updated 0, enriched 0, unchanged 0, failed 0, "
                             "requests 126\n")
    assert Counter(r.route for r in requests) == {"list": 3, "view": 41, "download": 82}
    assert all(r.status == 200 for r in requests)
    assert {r.method for r in requests if r.route == "list"} == {"POST"}
    views = [r.query["newsId"] for r in requests if r.route == "view"]
    assert sorted(views) == sorted(e["news_id"] for e in INDEX)
    downloads = [r.query["fileId"] for r in requests if r.route == "download"]
    assert len(set(downloads)) == 82
    assert {r.headers.get("User-Agent") for r in requests} == {config.user_agent}


def test_every_release_is_stored_from_its_own_document(crawled):
    """HWPX bodies for 39 releases, HWP 5 for the two served as .hwpx; the stored text and
    Markdown are the extractor's for that file; times, codes, files and names are the site's."""
    config, _, _ = crawled
    rows = {r["news_id"]: r for r in _rows(config, "select * from releases")}
    assert len(rows) == 41
    for entry in INDEX:
        row = rows[entry["news_id"]]
        kind = "hwp" if entry["hwpx_bytes_are"] == "hwp5" else "hwpx"
        assert row["body_source"] == f"attachment:{kind}" and row["depth"] == "files"
        best = best_text([extract((ATTACHMENTS / f"{entry['news_id']}.hwpx").read_bytes())])
        assert best is not None
        assert row["body"] == best.text
        assert row["body_md"] == (best.markdown or None)
        stamp = datetime.strptime(entry["approve_date"], "%m/%d/%Y %H:%M:%S").replace(tzinfo=KST)
        assert row["published_at"] == stamp.isoformat() and row["ministry_code"]
        assert row["title"] == clean_inline(entry["title"])
    kinds = Counter(r["body_source"] for r in rows.values())
    assert kinds == {"attachment:hwpx": 39, "attachment:hwp": 2}
    files = _rows(config, "select * from attachments order by rowid")
    assert len(files) == 82
    for att in files:
        ext = "pdf" if att["kind"] == "pdf" else "hwpx"
        data = (ATTACHMENTS / f"{att['news_id']}.{ext}").read_bytes()
        assert att["sha256"] == hashlib.sha256(data).hexdigest()
        assert Path(att["path"]).read_bytes() == data
        assert att["status"] == "ok" and att["extract_status"] == "ok"
        truth = [line.split("첨부: ", 1)[1] for line in _file_lines(_ground_truth(att["news_id"]))]
        assert att["name"] in truth


def test_show_prints_the_public_corpora_layout(crawled):
    """`kscrape show` gives the ground-truth record's title line, metadata keys, file lines
    (same names, same order) and sections, for every one of the 41 releases; its 첨부파일
    section lists the HWPX and PDF (the viewer's records also list files korea.kr offers that
    the replica does not serve). A release has one 담당 부서 section: its body's, where the
    contact table stands (156754228: before the 붙임 that follows it)."""
    config, _, _ = crawled
    rows = {r["news_id"]: r for r in _rows(config, "select news_id, title, contacts "
                                                   "from releases")}
    for news_id, row in rows.items():
        shown = run_cli(config, "show", news_id)
        assert shown.exit_code == 0, shown.output
        ours, truth = shown.stdout, _ground_truth(news_id)
        assert ours.startswith(f"# {row['title']}\n\n- 출처: 대한민국 정책브리핑 보도자료\n")
        keys = re.findall(r"^- ([^:\n]+): ", ours.split("## 본문")[0], flags=re.M)
        assert keys[:4] == ["출처", "부처", "게시 시각", "원문 URL"]
        assert _file_lines(ours) == _file_lines(truth)
        sections = [s for s in re.findall(r"^## .+$", ours, flags=re.M) if s in FIXED_SECTIONS]
        assert sections == [s for s in FIXED_SECTIONS if s != "## 담당 부서" or row["contacts"]]
        if news_id == "156754228":
            assert ours.index("\n## 담당 부서\n") < ours.index("\n## 붙임 에이치엘홀딩스")
        attached = ours.rsplit("## 첨부파일\n\n", 1)[1].splitlines()
        assert attached == [f"- {line.split('첨부: ', 1)[1]}" for line in _file_lines(truth)]


def test_markdown_records_carry_the_documents_tables(crawled):
    """Every release stores a Markdown body; every one of these documents holds at least its
    contact table, shown as its 담당 부서 section; the data tables as pipe tables or, where
    cells are merged, HTML tables with spans (156754052's budget table among them)."""
    config, _, _ = crawled
    rows = _rows(config, "select news_id, body_md from releases")
    assert all(r["body_md"] for r in rows)
    pipe = re.compile(r"^\| .* \|\n\|(?: --- \|)+$", flags=re.M)
    tabled = 0
    for row in rows:
        body = run_cli(config, "show", row["news_id"]).stdout.split("## 본문\n\n", 1)[1]
        assert "\n## 담당 부서\n\n- " in body, row["news_id"]
        tabled += bool(pipe.search(body) or "<table>" in body)
    assert tabled == 17
    merged = [r["news_id"] for r in rows if re.search(r"<td (?:row|col)span=", r["body_md"])]
    assert "156754052" in merged


def test_export_md_writes_the_41_records_and_a_rerun_writes_nothing(crawled, tmp_path):
    """One file per release under 2026/2026-04/<day>/ whose front matter names its files; the
    record after it is `show`'s; a second export rewrites no file."""
    config, _, _ = crawled
    out = tmp_path / "corpus"
    first = run_cli(config, "export", "--format", "md", "-o", str(out))
    assert first.exit_code == 0, first.output
    files = sorted(p for p in out.rglob("*.md") if p.name != "README.md")
    assert len(files) == 41
    assert {p.parent.name for p in files} == {"2026-04-10", "2026-04-11", "2026-04-12",
                                              "2026-04-13"}
    for path in files:
        head, body = path.read_text(encoding="utf-8")[4:].split("\n---\n", 1)
        meta = yaml.safe_load(head)
        assert meta["attachment_count"] == 2 == len(meta["attachments"])
        assert meta["body_source"].startswith("attachment:hwp")
        assert body.lstrip("\n") == run_cli(config, "show", meta["news_id"]).stdout
    state = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")}
    again = run_cli(config, "export", "--format", "md", "-o", str(out))
    assert again.exit_code == 0 and "files written 0" in again.stderr
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")} == state


def test_second_crawl_reads_list_pages_only(crawled, files_site, tmp_path):
    """Everything is stored at depth files: a rerun asks for the three list pages and stops."""
    config, _, _ = crawled
    files_site.reset()
    result = run_cli(config, *CRAWL)
    assert result.exit_code == 0, result.output
    assert "new 0, updated 0, enriched 0, unchanged 41" in result.stdout
    assert [r.route for r in files_site.requests] == ["list"] * 3
