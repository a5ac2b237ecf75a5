"""The crawler end to end: real HTTP against the local replica, a real SQLite file."""

from __future__ import annotations

import ast
from pathlib import Path

import sqlite_utils

from kscrape.crawl import lead_is_complete
from kscrape.ministries import matches, resolve
from kscrape.text import clean_block, squash

from .conftest import corpus_between, run_cli


def _rows(config) -> dict[str, dict]:
    db = sqlite_utils.Database(config.db)
    return {r["news_id"]: r for r in db["releases"].rows}


def _listed_text(record: dict) -> str:
    """The corpus text as the date-only listing carries it: subtitles, then the body."""
    subtitles = record["subtitles"]
    if isinstance(subtitles, str):
        subtitles = ast.literal_eval(subtitles or "[]")
    return clean_block(" ".join([*subtitles, record["body"]]))


def test_crawl_stores_exactly_the_corpus_releases_of_the_range(config, replica):
    """Ids, titles, ministries, dates and bodies equal the corpus for 2023-06-26..30."""
    result = run_cli(config, "crawl", "--since", "2023-06-26", "--until", "2023-06-30")
    assert result.exit_code == 0, result.output
    expected = corpus_between("2023-06-26", "2023-06-30")
    rows = _rows(config)
    assert set(rows) == set(expected)
    for news_id, record in expected.items():
        row = rows[news_id]
        assert row["title"] == clean_block(record["title"])
        assert row["ministry"] == record["ministry"]
        assert row["date"] == record["approved_at"][:10]
        assert squash(row["body"]) == squash(_listed_text(record))
        assert row["body_source"] == "list"
        assert row["url"] == f"https://www.korea.kr/briefing/pressReleaseView.do?newsId={news_id}"


def test_crawl_with_ministry_name_stores_only_that_ministry(config, replica):
    """--ministry 기획재정부 keeps exactly the corpus's 기획재정부 releases of the range."""
    result = run_cli(config, "crawl", "--since", "2023-06-26", "--until", "2023-06-30",
                     "--ministry", "기획재정부")
    assert result.exit_code == 0, result.output
    wanted = resolve("기획재정부")
    expected = {k for k, r in corpus_between("2023-06-26", "2023-06-30").items()
                if matches(wanted, r["ministry"])}
    assert expected and "156577893" in expected
    assert set(_rows(config)) == expected


def test_second_crawl_adds_nothing_and_fetches_no_known_release(config, replica):
    """A rerun only reads list pages: no view page, no download, no row change."""
    args = ("crawl", "--since", "2023-06-29", "--until", "2023-06-29", "--depth", "view")
    assert run_cli(config, *args).exit_code == 0
    before = _rows(config)
    replica.reset()
    result = run_cli(config, *args)
    assert result.exit_code == 0
    assert {r.route for r in replica.requests} == {"list"}
    assert _rows(config) == before
    assert "new 0, updated 0" in result.output


def test_depth_view_adds_time_code_and_attachments(config, replica):
    """The view page contributes the JSON-LD time with +09:00 and the ministry code."""
    result = run_cli(config, "crawl", "--since", "2023-06-29", "--until", "2023-06-29",
                     "--ministry", "A00007", "--depth", "view")
    assert result.exit_code == 0, result.output
    row = _rows(config)["156577893"]
    assert row["published_at"] == "2023-06-29T17:02:07+09:00"
    assert row["ministry_code"] == "A00007"
    views = [r for r in replica.requests if r.route == "view"]
    assert len(views) == len(_rows(config))


def test_depth_files_takes_the_body_from_the_attachment(config, replica, tmp_path: Path):
    """Attachments are stored under our own names and their text becomes the body; the stored
    link is korea.kr's own download URL, whichever server the crawl asked."""
    args = ("crawl", "--since", "2023-06-29", "--until", "2023-06-29", "--ministry", "기획재정부",
            "--depth", "files")
    result = run_cli(config, *args)
    assert result.exit_code == 0, result.output
    row = _rows(config)["156577893"]
    assert row["body_source"] == "attachment:hwpx"
    assert "고객중심경영 컨설팅 교육" in row["body"]
    db = sqlite_utils.Database(config.db)
    files = list(db["attachments"].rows_where("news_id = ?", ["156577893"]))
    assert len(files) == 1 and files[0]["status"] == "ok" and files[0]["kind"] == "hwpx"
    path = Path(files[0]["path"])
    assert path.parent == Path(config.attachments_dir) and path.name.startswith("156577893_")
    assert path.read_bytes()[:2] == b"PK"
    assert files[0]["url"] == (f"https://www.korea.kr/common/download.do?fileId="
                               f"{files[0]['file_id']}&tblKey=GMN")
    replica.reset()
    assert run_cli(config, *args).exit_code == 0
    assert not [r for r in replica.requests if r.route == "download"]


def test_auto_depth_fetches_files_only_where_the_lead_points_to_them(config, replica):
    """Default depth: releases whose lead is the whole text cost nothing beyond the list."""
    result = run_cli(config, "--db", config.db, "crawl", "--since", "2023-06-29",
                     "--until", "2023-06-29", "--depth", "auto")
    assert result.exit_code == 0, result.output
    rows = _rows(config)
    pointers = {k for k, r in rows.items() if not lead_is_complete(r["lead"])}
    assert "156577893" in pointers and 0 < len(pointers) < len(rows) / 2
    assert {rows[k]["body_source"] for k in pointers} == {"attachment:hwpx"}
    assert {r["body_source"] for k, r in rows.items() if k not in pointers} == {"list"}
    assert "고객중심경영 컨설팅 교육" in rows["156577893"]["body"]
    viewed = {r.query["newsId"] for r in replica.requests if r.route == "view"}
    assert viewed == pointers
    assert len([r for r in replica.requests if r.route == "download"]) == len(pointers)


def test_lead_is_complete_tells_pointer_boilerplate_from_text():
    """Short "see the attachment" leads are incomplete; real text, even mentioning one, is not."""
    assert not lead_is_complete("")
    assert not lead_is_complete(
        "‘찾아가는 전세피해상담소’ 서비스 지역 확대 관련 보도자료 내용입니다. "
        "자세한 내용은 첨부파일을 참고하시기 바랍니다.")
    assert not lead_is_complete(
        "게임물관리위원회 위원 5명 위촉 관련 보도자료 내용입니다. 자세한 사항은 붙임파일"
        "([0601]문체부보도자료-게임물관리위원회 위원 위촉.hwpx)을 참고하시기 바랍니다.")
    body = "정부는 오늘 공공기관 경영진을 대상으로 교육을 개최하였다. " * 30
    assert lead_is_complete(body + " 자세한 내용은 첨부파일을 참고하시기 바랍니다.")


def test_store_save_counts_a_release_given_twice_once(tmp_path: Path):
    """One batch naming a newsId twice stores one row, the later record winning."""
    from kscrape.models import Release
    from kscrape.store import open_store

    store = open_store(tmp_path / "x.db")
    first = Release(news_id="1", title="처음", ministry="교육부", date="2023-06-01", url="u")
    again = Release(news_id="1", title="나중", ministry="교육부", date="2023-06-01", url="u")
    counts = store.save([first, again], depth="list")
    rows = list(store.rows("select title from releases"))
    store.close()
    assert (counts.new, rows) == (1, [{"title": "나중"}])
