"""The Datasette site of `kscrape serve`, through Datasette's own test client."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from kscrape.models import Release, view_url
from kscrape.site import datasette_for
from kscrape.store import open_store

from .conftest import make_config, run_cli
from .searching import expected


@pytest.fixture(scope="module")
def site(tmp_path_factory, replica_server):
    """An archive of 2023-06-29..30 at depth auto (with attachments), and its site."""
    config = make_config(tmp_path_factory.mktemp("site"), replica_server.url, depth="auto")
    result = run_cli(config, "crawl", "--since", "2023-06-29", "--until", "2023-06-30")
    assert result.exit_code == 0, result.output
    return config, datasette_for(config)


def get(ds: Any, path: str) -> Any:
    async def fetch() -> Any:
        return await ds.client.get(path, follow_redirects=True)

    return asyncio.run(fetch())


def _db(config) -> str:
    return Path(config.db).stem


def _search(site, **params: str) -> list[dict[str, Any]]:
    config, ds = site
    from urllib.parse import urlencode

    response = get(ds, f"/{_db(config)}/search.json?_shape=array&limit=1000&"
                       + urlencode(params))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("query", ["법", "호우", "예산", "고용", "고객중심", "기획재정부",
                                   "호우 피해", "예산 지원"])
def test_site_search_finds_exactly_what_kscrape_search_finds(site, query):
    """One, two and three-plus syllables and two terms: the JSON API returns the releases
    holding every term, newest first, the same list as `kscrape search`."""
    config, _ds = site
    hits = _search(site, q=query)
    want = expected(config.db, query.split())
    assert want and [h["news_id"] for h in hits] == want
    cli = run_cli(config, "search", *query.split(), "--json", "--limit", "1000")
    assert cli.stdout.count("\n") == len(want)
    assert set(hits[0]) == {"news_id", "date", "ministry", "title", "snippet", "url"}


def test_site_search_filters_by_ministry_code_and_dates(site):
    config, _ds = site
    hits = _search(site, q="지원", ministry="A00015", since="2023-06-30", until="2023-06-30")
    want = expected(config.db, ["지원"], names={"산업통상자원부"}, since="2023-06-30",
                    until="2023-06-30")
    assert want and [h["news_id"] for h in hits] == want


def test_search_page_is_a_form_with_results(site):
    """The HTML search page shows the box with the query and links titles to releases."""
    config, ds = site
    html = get(ds, f"/{_db(config)}/search?q=호우").text
    assert 'name="q"' in html and 'value="호우"' in html
    first = _search(site, q="호우")[0]
    assert f'/{_db(config)}/releases/{first["news_id"]}"' in html
    assert "<mark>호우</mark>" in html


def test_front_page_has_title_licence_search_box_and_chart(site):
    _config, ds = site
    html = get(ds, "/").text
    assert "정책브리핑 보도자료" in html
    assert "KOGL Type 1" in html and "출처: 대한민국 정책브리핑" in html
    assert 'name="q"' in html and "/-/kscrape/weekly.svg" in html
    svg = get(ds, "/-/kscrape/weekly.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and "<polyline" not in svg.text  # one week: points
    assert svg.text.count("<circle") == 5


def test_releases_facets_newest_first_and_internal_tables_hidden(site):
    """Facets on ministry, date and body source; rows newest first; internal tables hidden."""
    config, ds = site
    data = get(ds, f"/{_db(config)}/releases.json?_shape=objects&_size=5").json()
    assert set(data["facet_results"]) == {"ministry", "date", "body_source"}
    dates = {r["value"]: r["count"] for r in data["facet_results"]["date"]["results"]}
    db = sqlite_utils.Database(config.db)
    assert dates == dict(db.execute("select date, count(*) from releases group by 1").fetchall())
    assert [r["date"] for r in data["rows"]] == ["2023-06-30"] * 5
    tables = {t["name"]: t["hidden"] for t in get(ds, f"/{_db(config)}.json").json()["tables"]}
    db.close()
    assert not tables["releases"] and not tables["attachments"]
    for internal in ("runs", "windows", "failures", "release_versions", "releases_search",
                     "search_queue", "watches"):
        assert tables[internal], internal


def test_column_descriptions_are_shown(site):
    config, ds = site
    html = get(ds, f"/{_db(config)}/releases").text
    assert "korea.kr code of the ministry (repCode)" in html


def test_release_page_renders_markdown_body_and_never_runs_html(site):
    """A Markdown body is rendered: heading, pipe table, and the HTML table kscrape writes
    for merged cells, spans kept; a script or an event handler never reaches the page, and
    text escaped by kscrape's writer shows as text."""
    config, ds = site
    db = sqlite_utils.Database(config.db)
    news_id = db.execute("select news_id from releases limit 1").fetchone()[0]
    db["releases"].update(news_id, {"body_md": (
        "## 주요 내용\n\n| 구분 | 금액 |\n|---|---|\n| 예산 | 3조 |\n\n"
        '<table><tr><td rowspan="2" onclick="steal()">담당 부서</td><td>기획과</td></tr>'
        "<tr><td>정책과</td></tr></table>\n\n<script>alert(1)</script>\n\n"
        "\\<b>굵게\\</b> 쓴 글")})
    db.close()
    html = get(ds, f"/{_db(config)}/releases/{news_id}").text
    assert "<h2>주요 내용</h2>" in html and "<td>3조</td>" in html
    assert '<td rowspan="2">담당 부서</td>' in html
    assert "alert(1)" not in html and "steal()" not in html
    assert "&lt;b&gt;굵게&lt;/b&gt; 쓴 글" in html


def test_attachment_links_serve_the_stored_file(site):
    """The attachments table links each stored file; the link returns its bytes."""
    config, ds = site
    db = sqlite_utils.Database(config.db)
    row = next(db.query("select * from attachments where status = 'ok' limit 1"))
    db.close()
    href = f"/-/kscrape/attachments/{row['news_id']}/{row['file_id']}"
    page = get(ds, f"/{_db(config)}/attachments?news_id={row['news_id']}").text
    assert f'href="{href}"' in page
    response = get(ds, href)
    assert response.status_code == 200
    assert response.content == Path(row["path"]).read_bytes()


def test_path_traversal_is_refused_on_attachment_links(site, tmp_path):
    """Neither the URL nor a row's path can reach a file outside attachments_dir."""
    config, ds = site
    secret = Path(config.attachments_dir).parent / "secret.txt"
    secret.write_text("not for the web", encoding="utf-8")
    db = sqlite_utils.Database(config.db)
    row = next(db.query("select * from attachments where status = 'ok' limit 1"))
    db["attachments"].insert({**row, "file_id": "999", "path": "../secret.txt"})
    db["attachments"].insert({**row, "file_id": "998", "path": str(secret)})
    db.close()
    for path in ("/-/kscrape/attachments/../../secret.txt",
                 "/-/kscrape/attachments/%2e%2e/%2e%2e/secret.txt",
                 f"/-/kscrape/attachments/{row['news_id']}/..%2f..%2fsecret.txt",
                 f"/-/kscrape/attachments/{row['news_id']}/999",
                 f"/-/kscrape/attachments/{row['news_id']}/998",
                 "/-/kscrape/attachments/1/2"):
        response = get(ds, path)
        assert response.status_code == 404, path
        assert "not for the web" not in response.text


def test_feeds_are_served_live_with_the_bytes_kscrape_feed_writes(site, tmp_path):
    config, ds = site
    assert run_cli(config, "feed", "-o", str(tmp_path / "feeds")).exit_code == 0
    index = get(ds, "/-/kscrape/feeds").text
    for name in ("all.xml", "A00007.xml"):
        assert f"/-/kscrape/feeds/{name}" in index
        live = get(ds, f"/-/kscrape/feeds/{name}")
        assert live.headers["content-type"].startswith("application/atom+xml")
        assert live.content == (tmp_path / "feeds" / name).read_bytes()
    assert get(ds, "/-/kscrape/feeds/nothing.xml").status_code == 404


def test_readers_never_see_locked_while_a_writer_commits(site, tmp_path):
    """A writer commits batch after batch into the archive while the site searches and pages
    through it: every request succeeds, and the count only grows."""
    config, ds = site
    errors: list[BaseException] = []

    def write() -> None:
        store = open_store(config.db, create=False)
        try:
            for batch in range(15):
                releases = [Release(news_id=str(900000000 + batch * 50 + i),
                                    title=f"동시쓰기시험 {batch}-{i} 예산", ministry="기획재정부",
                                    date="2023-07-01", url=view_url(str(900000000 + i)),
                                    lead="예산 호우 " * 50, body="예산 호우 " * 200,
                                    body_source="list")
                            for i in range(50)]
                store.save(releases, depth="list")
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close()

    writer = threading.Thread(target=write)
    writer.start()
    counts = []
    while writer.is_alive() or len(counts) < 3:
        hits = _search(site, q="동시쓰기시험", limit="1000")
        counts.append(len(hits))
        page = get(ds, f"/{_db(config)}/releases.json?_size=1&date=2023-07-01")
        assert page.status_code == 200, page.text
    writer.join()
    counts.append(len(_search(site, q="동시쓰기시험", limit="1000")))
    assert errors == []
    assert counts == sorted(counts) and counts[-1] == 750 and len(counts) >= 4
