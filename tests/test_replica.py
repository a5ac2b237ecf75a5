"""The local korea.kr replica, exercised over real HTTP on 127.0.0.1."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from kscrape.replica import (
    Replica,
    java_filename,
    load_attachment_corpus,
    make_hwpx,
    read_corpus,
    rep_code_for,
    synthetic_corpus,
)

LIST = "/briefing/pressReleaseList.do"
VIEW = "/briefing/pressReleaseView.do"
DOWNLOAD = "/common/download.do"
NEWS_ID = "156577893"
FILE_ID = "40156577893"
ATTACHMENTS = Path(__file__).parent / "fixtures" / "attachments"

RECORDS = read_corpus()


def _form(**overrides: str) -> dict[str, str]:
    form = {
        "pageIndex": "1",
        "repCodeType": "",
        "repCode": "",
        "startDate": "2023-06-29",
        "endDate": "2023-06-29",
        "srchWord": "",
        "period": "",
    }
    form.update(overrides)
    return form


def _day_records(day: str) -> list[dict]:
    """Newest first; among equal times the later corpus line first, as the replica orders them."""
    ranked = [
        (r["approved_at"], i, r) for i, r in enumerate(RECORDS) if r["approved_at"].startswith(day)
    ]
    return [r for *_, r in sorted(ranked, key=lambda t: t[:2], reverse=True)]


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    with Replica() as rep:
        yield rep


@pytest.fixture()
def client(replica: Replica) -> Iterator[httpx.Client]:
    replica.reset()
    with httpx.Client(base_url=replica.url, timeout=10) as c:
        yield c
    replica.reset()


def tree(resp: httpx.Response) -> LexborHTMLParser:
    return LexborHTMLParser(resp.text)


def items(page: LexborHTMLParser) -> list[dict[str, str]]:
    out = []
    for li in page.css("div.list_type > ul > li:not(.no_data)"):
        a = li.css_first("a")
        spans = li.css("span.source > span")
        out.append(
            {
                "id": re.search(r"newsId=(\d+)", a.attributes["href"]).group(1),
                "href": a.attributes["href"],
                "title": li.css_first("strong").text(),
                "lead": li.css_first("span.lead").text().strip(),
                "date": spans[0].text(),
                "ministry": spans[1].text(),
            }
        )
    return out


def count_text(page: LexborHTMLParser) -> str:
    return page.css_first("div.sch_brief div.result").text()


def count(page: LexborHTMLParser) -> int:
    return int(page.css_first("div.sch_brief div.result strong").text())


# list pages ------------------------------------------------------------------------------------


def test_default_mode_day_listing(client: httpx.Client) -> None:
    day = _day_records("2023-06-29")
    resp = client.post(LIST, data=_form())
    assert resp.headers["content-type"] == "text/html;charset=UTF-8"
    page = tree(resp)
    assert count(page) == len(day) == 168
    assert "검색결과 총" in count_text(page)
    got = items(page)
    assert [i["id"] for i in got] == [r["news_id"] for r in day[:20]]
    assert all(i["date"] == "2023.06.29" for i in got)
    first = day[0]
    assert got[0]["title"] == first["title"]
    assert got[0]["ministry"] == first["ministry"]
    last_paragraph = first["body"].split("\n\n")[-1].strip()
    assert got[0]["lead"].endswith(" ".join(last_paragraph.split()))
    assert not got[0]["lead"].endswith("...")


def test_item_hrefs_repeat_filter_state_with_srchword_quirk(client: httpx.Client) -> None:
    html = client.post(LIST, data=_form(repCode="A00007")).text
    assert (
        f'href="/briefing/pressReleaseView.do?newsId={NEWS_ID}&amp;pageIndex=1&amp;repCodeType='
        "&amp;repCode=A00007&amp;startDate=2023-06-29&amp;endDate=2023-06-29&srchWord=&amp;period="
        '"'
    ) in html


def test_get_without_params_is_default_year_view(client: httpx.Client) -> None:
    page = tree(client.get(LIST))
    assert count_text(page).strip() == f"총 {len(RECORDS)}건"
    assert "검색결과" not in count_text(page)
    assert page.css_first("#startDate").attributes["value"] == "2022-06-30"
    assert page.css_first("#endDate").attributes["value"] == "2023-06-30"
    assert items(page)[0]["date"] == "2023.06.30"


def test_post_pages_and_get_ignores_page_index(client: httpx.Client) -> None:
    day = [r["news_id"] for r in _day_records("2023-06-29")]
    page2 = items(tree(client.post(LIST, data=_form(pageIndex="2"))))
    assert [i["id"] for i in page2] == day[20:40]
    assert "pageIndex=2" in page2[0]["href"]
    got = items(tree(client.get(LIST, params=_form(pageIndex="2"))))
    assert [i["id"] for i in got] == day[:20]


def test_rep_code_filter_mode(client: httpx.Client) -> None:
    expected = [r for r in RECORDS if r["ministry"] == "기획재정부"]
    page = tree(
        client.post(
            LIST, data=_form(repCode="A00007", startDate="2023-06-01", endDate="2023-06-30")
        )
    )
    assert count(page) == len(expected) == 68
    got = items(page)
    assert len(got) == 20
    assert {i["ministry"] for i in got} == {"기획재정부"}
    assert all(re.fullmatch(r"2023-06-\d\d", i["date"]) for i in got)
    assert any(i["lead"].endswith("...") for i in got)
    assert all(len(i["lead"]) <= 173 for i in got)


def test_filtered_lead_is_cut_inside_escaped_text(client: httpx.Client) -> None:
    html = client.post(
        LIST, data=_form(repCode="A00007", startDate="2023-06-01", endDate="2023-06-30")
    ).text
    leads = re.findall(r'<span class="lead">\s*(.*?)\s*</span>', html, re.S)
    assert leads and all(len(lead) <= 173 for lead in leads)


def test_multiple_rep_codes(client: httpx.Client) -> None:
    want = {"A00007", "A00015"}
    expected = sum(rep_code_for(r["ministry"]) in want for r in RECORDS)
    page = tree(
        client.post(
            LIST, data=_form(repCode="A00007,A00015", startDate="2023-06-01", endDate="2023-06-30")
        )
    )
    assert count(page) == expected > 68
    assert {i["ministry"] for i in items(page)} <= {"기획재정부", "산업통상자원부", "산업통상부"}


def test_srch_word_filters_title_and_body(client: httpx.Client) -> None:
    word = "고객중심경영"
    expected = sum(word in r["title"] or word in r["body"] for r in RECORDS)
    page = tree(
        client.post(LIST, data=_form(srchWord=word, startDate="2023-06-01", endDate="2023-06-30"))
    )
    assert count(page) == expected >= 1
    assert NEWS_ID in {i["id"] for i in items(page)}


def test_paging_blocks(client: httpx.Client) -> None:
    page = tree(client.post(LIST, data=_form(startDate="2023-06-01", endDate="2023-06-30")))
    paging = page.css_first("div.paging")
    for cls in ("first", "prev", "next", "last"):
        assert paging.css_first(f"a.{cls}") is not None
    assert "pageLink(124)" in paging.css_first("a.last").attributes["onclick"]
    assert len(paging.css("span.num")) == 10
    assert paging.css_first("span.num.on").text() == "1"

    page12 = tree(
        client.post(LIST, data=_form(startDate="2023-06-01", endDate="2023-06-30", pageIndex="12"))
    )
    nums = [s.text() for s in page12.css("div.paging span.num")]
    assert nums == [str(n) for n in range(11, 21)]
    assert page12.css_first("div.paging span.num.on").text() == "12"

    small = tree(
        client.post(
            LIST, data=_form(repCode="A00007", startDate="2023-06-01", endDate="2023-06-30")
        )
    )
    paging = small.css_first("div.paging")
    assert [s.text() for s in paging.css("span.num")] == ["1", "2", "3", "4"]
    assert not paging.css("a.first, a.prev, a.next, a.last")


def test_empty_range_has_no_data_and_no_paging(client: httpx.Client) -> None:
    page = tree(
        client.post(
            LIST, data=_form(repCode="A00005", startDate="2023-07-05", endDate="2023-07-05")
        )
    )
    assert count_text(page) == "검색결과 총 0건"
    assert page.css_first("div.list_type li.no_data").text() == "등록된 정보가 없습니다."
    assert page.css_first("div.paging") is None


def test_sidebar_decoy_links_live_outside_the_list(client: httpx.Client) -> None:
    page = tree(client.post(LIST, data=_form()))
    listed = {i["id"] for i in items(page)}
    all_links = {
        m.group(1)
        for a in page.css("a[href*='newsId=']")
        if (m := re.search(r"newsId=(\d+)", a.attributes["href"]))
    }
    assert all_links - listed
    assert page.css_first("aside.as_side a[href*='pressReleaseView.do?newsId=']") is not None


# view and download -----------------------------------------------------------------------------


def test_view_page(client: httpx.Client) -> None:
    resp = client.get(VIEW, params={"newsId": NEWS_ID, "repCode": "A00007", "pageIndex": "1"})
    page = tree(resp)
    title = "공공기관 경영진 고객중심경영 컨설팅 교육 개최"
    assert page.css_first("title").text() == f"{title} - 보도자료 | 브리핑룸 | 대한민국 정책브리핑"
    assert page.css_first("div.view_title h1").text() == title
    canonical = page.css_first("link[rel=canonical]").attributes["href"]
    assert canonical == f"https://www.korea.kr/briefing/pressReleaseView.do?newsId={NEWS_ID}"
    ld = next(
        json.loads(s.text())
        for s in page.css("script[type='application/ld+json']")
        if "NewsArticle" in s.text()
    )
    assert ld["datePublished"] == "2023-06-29T17:02:07+09:00"
    assert ld["author"]["name"] == "기획재정부"
    assert ld["headline"] == title
    info = page.css_first(".article_head .info")
    assert info.css_first("span").text() == "2023.06.29"
    goto = info.css_first("a.gotosite")
    assert goto.attributes["href"] == "/news/ministryNewsList.do?repCode=A00007"
    assert goto.css_first("i.tooltip").text() == "부처별 뉴스 이동"
    filedown = page.css_first("div.filedown")
    assert filedown.html.count(f"fileId={FILE_ID}") == 3
    assert (
        filedown.css_first("a.down").attributes["href"] == f"{DOWNLOAD}?fileId={FILE_ID}&tblKey=GMN"
    )
    assert filedown.css_first("img").attributes["alt"] == "한글파일"
    cont = page.css_first("div.view_cont")
    assert cont.css_first("iframe#content_press") is not None
    assert "기획재정부의 보도자료를 전재" in cont.css_first("p.remark").text()
    assert "고객중심경영 컨설팅 교육을 개최하였습니다" not in cont.text()
    assert (
        page.css_first("div.kogl_wrap img").attributes["src"]
        == "/images/v5/common/open_type_01.png"
    )
    assert page.css_first("#repCode").attributes["value"] == "A00007"
    assert page.css_first("section.area_page a.prev") is not None


def test_old_view_path_redirects(client: httpx.Client) -> None:
    resp = client.get(f"/news/pressReleaseView.do?newsId={NEWS_ID}&pWise=sub")
    assert resp.status_code == 302
    assert resp.headers["location"] == f"{VIEW}?newsId={NEWS_ID}&pWise=sub"
    assert client.get(resp.headers["location"]).status_code == 200


def test_unknown_news_id_is_an_alert_page(client: httpx.Client) -> None:
    resp = client.get(VIEW, params={"newsId": "1"})
    assert resp.status_code == 200
    assert tree(resp).css_first("div.view_title") is None
    assert "alert(" in resp.text


def test_download_is_generated_hwpx(client: httpx.Client) -> None:
    resp = client.get(DOWNLOAD, params={"fileId": FILE_ID, "tblKey": "GMN"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/x-download"
    assert int(resp.headers["content-length"]) == len(resp.content)
    raw = dict(resp.headers.raw)[b"Content-Disposition"]
    name = "230629 공공기관 경영진 고객중심경영 컨설팅 교육 개최.hwpx"
    assert raw == f'attachment; filename="{name}"'.encode()
    assert resp.content[:4] == b"PK\x03\x04"
    zf = zipfile.ZipFile(io.BytesIO(resp.content))
    first = zf.infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert zf.read("mimetype") == b"application/hwp+zip"
    section = zf.read("Contents/section0.xml").decode()
    assert 'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"' in section
    sentence = (
        "기획재정부는 6.29일(목) 공공기관 경영진 대상 고객중심경영 컨설팅 교육을 개최하였습니다."
    )
    assert f"<hp:t>{sentence}</hp:t>" in section
    assert client.get(DOWNLOAD, params={"fileId": "123", "tblKey": "GMN"}).status_code == 404


def test_make_hwpx_structure() -> None:
    data = make_hwpx("제목 <&>", "첫 줄\n\n둘째 줄", ministry="교육부", date="2023.06.01")
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = zf.namelist()
    assert names[0] == "mimetype"
    for name in (
        "version.xml",
        "META-INF/container.xml",
        "META-INF/manifest.xml",
        "Contents/content.hpf",
        "Contents/header.xml",
        "Contents/section0.xml",
    ):
        assert name in names
    section = zf.read("Contents/section0.xml").decode()
    assert section.count("<hp:p ") == 5
    assert "<hp:t>제목 &lt;&amp;&gt;</hp:t>" in section
    assert make_hwpx("a", "b") == make_hwpx("a", "b")


def test_java_filename_round_trip() -> None:
    assert java_filename("한글.hwpx").encode("latin-1").decode("utf-8") == "한글.hwpx"


# request log and hooks -------------------------------------------------------------------------


def test_request_log(client: httpx.Client, replica: Replica) -> None:
    client.post(LIST, data=_form(pageIndex="3"), headers={"User-Agent": "kscrape-test"})
    client.get(VIEW, params={"newsId": NEWS_ID})
    client.get(DOWNLOAD, params={"fileId": FILE_ID, "tblKey": "GMN"})
    client.get("/robots.txt")
    log = replica.requests
    assert [r.route for r in log] == ["list", "view", "download", "other"]
    assert (log[0].method, log[0].path, log[0].form["pageIndex"], log[0].status) == (
        "POST",
        LIST,
        "3",
        200,
    )
    assert log[0].headers["User-Agent"] == "kscrape-test"
    assert log[1].query == {"newsId": NEWS_ID}
    assert log[0].at <= log[1].at
    replica.reset()
    assert replica.requests == []


def test_on_request_hook_inserts_after_first_page(client: httpx.Client, replica: Replica) -> None:
    added: list[str] = []

    def publish(logged: object) -> None:
        if not added:
            added.append(
                replica.add_release({"title": "새 보도자료", "ministry": "교육부", "body": "본문"})
            )

    replica.on_request(publish)
    first = items(tree(client.get(LIST)))
    second = items(tree(client.get(LIST)))
    assert added and first[0]["id"] != added[0]
    assert second[0]["id"] == added[0]
    assert second[1]["id"] == first[0]["id"]


# mutations -------------------------------------------------------------------------------------


def test_add_edit_remove(client: httpx.Client, replica: Replica) -> None:
    before = replica.declared_count("2023-06-30", "2023-06-30")
    news_id = replica.add_release(
        {"title": "추가된 보도자료", "ministry": "기획재정부", "body": "첫 문단\n\n둘째 문단"}
    )
    assert replica.declared_count(date(2023, 6, 30), date(2023, 6, 30)) == before + 1
    assert replica.declared_count("2023-06-30", "2023-06-30", ["A00007"]) >= 1
    top = items(tree(client.post(LIST, data=_form(startDate="2023-06-30", endDate="2023-06-30"))))[
        0
    ]
    assert (top["id"], top["title"], top["lead"]) == (
        news_id,
        "추가된 보도자료",
        "첫 문단  둘째 문단",
    )

    replica.edit_release(news_id, title="고친 제목")
    assert tree(client.get(VIEW, params={"newsId": news_id})).css_first("h1").text() == "고친 제목"
    replica.edit_release(NEWS_ID, body="바뀐 본문")
    zf = zipfile.ZipFile(io.BytesIO(client.get(DOWNLOAD, params={"fileId": FILE_ID}).content))
    assert "<hp:t>바뀐 본문</hp:t>" in zf.read("Contents/section0.xml").decode()

    replica.remove_release(news_id)
    assert replica.declared_count("2023-06-30", "2023-06-30") == before
    assert tree(client.get(VIEW, params={"newsId": news_id})).css_first("h1") is None

    explicit = replica.add_release(
        {
            "news_id": "999",
            "title": "옛 자료",
            "ministry": "교육부",
            "approved_at": "2023-06-10T09:00:00+09:00",
            "body": "x",
        }
    )
    assert explicit == "999"
    replica.reset()
    assert replica.declared_count("2023-06-30", "2023-06-30") == before
    assert replica.corpus.get("999") is None
    zf = zipfile.ZipFile(io.BytesIO(client.get(DOWNLOAD, params={"fileId": FILE_ID}).content))
    assert "바뀐 본문" not in zf.read("Contents/section0.xml").decode()


# faults ----------------------------------------------------------------------------------------


def test_fault_status_with_retry_after_then_recovers(
    client: httpx.Client, replica: Replica
) -> None:
    replica.faults.add("list", kind="status", code=503, headers={"Retry-After": "2"})
    resp = client.post(LIST, data=_form())
    assert (resp.status_code, resp.headers["retry-after"]) == (503, "2")
    assert client.post(LIST, data=_form()).status_code == 200
    assert [r.status for r in replica.requests] == [503, 200]


def test_fault_match_and_forever(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("list", kind="status", code=429, times=None, match={"pageIndex": "2"})
    assert client.post(LIST, data=_form()).status_code == 200
    assert client.post(LIST, data=_form(pageIndex="2")).status_code == 429
    assert client.post(LIST, data=_form(pageIndex="2")).status_code == 429
    replica.faults.add("view", kind="status", code=500, match={"newsId": NEWS_ID})
    assert client.get(VIEW, params={"newsId": "156577892"}).status_code == 200
    assert client.get(VIEW, params={"newsId": NEWS_ID}).status_code == 500


def test_fault_reset(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("view", kind="reset")
    with pytest.raises(httpx.TransportError):
        client.get(VIEW, params={"newsId": NEWS_ID})
    assert replica.requests[-1].status == 0
    assert client.get(VIEW, params={"newsId": NEWS_ID}).status_code == 200


@pytest.mark.parametrize("kind", ["drop_mid_body", "short_body"])
def test_fault_incomplete_body(client: httpx.Client, replica: Replica, kind: str) -> None:
    replica.faults.add("download", kind=kind)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(DOWNLOAD, params={"fileId": FILE_ID})


def test_fault_truncate_html(client: httpx.Client, replica: Replica) -> None:
    full = client.post(LIST, data=_form()).content
    replica.faults.add("list", kind="truncate_html")
    resp = client.post(LIST, data=_form())
    assert resp.status_code == 200
    assert "content-length" not in resp.headers
    assert len(resp.content) == len(full) // 2
    assert b"</html>" not in resp.content


def test_fault_slow_drip(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("download", kind="slow_drip", interval=0.1, max_seconds=0.5)
    start = time.monotonic()
    resp = client.get(DOWNLOAD, params={"fileId": FILE_ID})
    elapsed = time.monotonic() - start
    assert 0.3 <= elapsed < 3
    assert zipfile.ZipFile(io.BytesIO(resp.content)).testzip() is None


def test_fault_huge_streams_lazily(client: httpx.Client, replica: Replica) -> None:
    size = 8_000_000
    replica.faults.add("download", kind="huge", size=size)
    with client.stream("GET", DOWNLOAD, params={"fileId": FILE_ID}) as resp:
        assert int(resp.headers["content-length"]) == size
        assert sum(len(chunk) for chunk in resp.iter_raw()) == size


def test_fault_maintenance(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("list", kind="maintenance")
    resp = client.post(LIST, data=_form())
    assert resp.status_code == 200
    assert "점검" in resp.text
    assert tree(resp).css_first("div.list_type") is None


def test_fault_empty_list(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("list", kind="empty_list")
    page = tree(client.post(LIST, data=_form()))
    assert count(page) == 168
    assert page.css_first("div.list_type ul") is not None
    assert page.css("div.list_type li") == []


def test_fault_renamed_classes(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("*", kind="renamed_classes", times=2)
    listing = tree(client.post(LIST, data=_form()))
    assert listing.css_first("div.list_type") is None
    assert len(listing.css("div.list_kind li")) == 20
    view = tree(client.get(VIEW, params={"newsId": NEWS_ID}))
    assert view.css_first("div.view_title") is None
    assert view.css_first("div.view_ttl h1") is not None


def test_fault_redirect(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("list", kind="redirect", location="https://www.korea.kr/main.do")
    resp = client.post(LIST, data=_form())
    assert (resp.status_code, resp.headers["location"]) == (302, "https://www.korea.kr/main.do")


def test_fault_euc_kr(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("view", kind="euc_kr")
    resp = client.get(VIEW, params={"newsId": NEWS_ID})
    assert resp.headers["content-type"] == "text/html"
    assert b'<meta charset="euc-kr">' in resp.content
    with pytest.raises(UnicodeDecodeError):
        resp.content.decode("utf-8")
    assert "공공기관 경영진 고객중심경영 컨설팅 교육 개최" in resp.content.decode("euc-kr")


def test_fault_html_instead_of_file(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("download", kind="html_instead_of_file")
    resp = client.get(DOWNLOAD, params={"fileId": FILE_ID})
    assert (resp.status_code, resp.headers["content-type"]) == (200, "application/x-download")
    assert resp.content.lstrip().startswith(b"<!DOCTYPE html")


def test_fault_truncated_zip(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("download", kind="truncated_zip")
    resp = client.get(DOWNLOAD, params={"fileId": FILE_ID})
    assert int(resp.headers["content-length"]) == len(resp.content)
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(resp.content))


def test_fault_wrong_content_type(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("download", kind="wrong_content_type")
    resp = client.get(DOWNLOAD, params={"fileId": FILE_ID})
    assert resp.headers["content-type"] == "text/html;charset=UTF-8"
    assert resp.content[:4] == b"PK\x03\x04"


def test_fault_inject_html(client: httpx.Client, replica: Replica) -> None:
    replica.faults.add("view", kind="inject_html")
    page = tree(client.get(VIEW, params={"newsId": NEWS_ID}))
    hrefs = [a.attributes["href"] for a in page.css("div.view_cont a")]
    assert "http://169.254.169.254/latest/meta-data/" in hrefs
    assert "file:///etc/passwd" in hrefs
    downloads = [a.attributes["href"] for a in page.css("div.filedown a.down")]
    assert any(h.startswith("http://evil.example.com/") for h in downloads)
    assert f"{DOWNLOAD}?fileId={FILE_ID}&tblKey=GMN" in downloads


@pytest.mark.parametrize("name", ["../../x.hwpx", "/etc/passwd", "CON.hwp", "가" * 100 + ".hwpx"])
def test_fault_attachment_name(client: httpx.Client, replica: Replica, name: str) -> None:
    replica.faults.add("*", kind="attachment_name", name=name, times=2)
    page = tree(client.get(VIEW, params={"newsId": NEWS_ID}))
    assert page.css_first("div.filedown span a").text().strip() == name
    resp = client.get(DOWNLOAD, params={"fileId": FILE_ID})
    raw = dict(resp.headers.raw)[b"Content-Disposition"]
    assert raw == f'attachment; filename="{name}"'.encode()


def test_unknown_fault_kind_is_rejected(replica: Replica) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        replica.faults.add("list", kind="nope")


# corpora ---------------------------------------------------------------------------------------


def test_attachment_corpus_serves_real_files() -> None:
    """Each release's real files, under their real names, in the order its record lists them
    (156754052 lists its PDF first, as korea.kr does)."""
    records = load_attachment_corpus(ATTACHMENTS)
    assert len(records) == 41
    news_id = records[0]["news_id"]
    assert news_id == "156754052"
    with Replica(records, attachments_dir=ATTACHMENTS) as rep, httpx.Client(base_url=rep.url) as c:
        page = tree(c.post(LIST, data=_form(startDate="2026-04-01", endDate="2026-04-30")))
        assert count(page) == 41
        view = tree(c.get(VIEW, params={"newsId": news_id}))
        files = view.css("div.filedown dd > p")
        assert [p.css_first("img").attributes["alt"] for p in files] == ["PDF파일", "한글파일"]
        stem = "260410_보도참고_2026년_고용노동부_소관_제1차_추경의결_주요내용"
        assert [p.css_first("span a").text().strip() for p in files] == [
            f"{stem}.pdf", f"{stem}.hwpx"]
        pdf_link, hwpx_link = (p.css_first("a.down").attributes["href"] for p in files)
        assert c.get(hwpx_link).content == (ATTACHMENTS / f"{news_id}.hwpx").read_bytes()
        pdf = c.get(pdf_link)
        assert pdf.content == (ATTACHMENTS / f"{news_id}.pdf").read_bytes()
        assert dict(pdf.headers.raw)[b"Content-Disposition"].decode().endswith('.pdf"')


def test_synthetic_corpus() -> None:
    synth = list(synthetic_corpus(3000, RECORDS))
    assert len(synth) == 3000
    ids = [r["news_id"] for r in synth]
    assert len(set(ids)) == 3000
    assert not set(ids) & {r["news_id"] for r in RECORDS}
    assert max(r["approved_at"] for r in synth) < min(r["approved_at"] for r in RECORDS)
    per_day = Counter(r["approved_at"][:10] for r in synth)
    weekdays = [n for d, n in per_day.items() if date.fromisoformat(d).weekday() < 5]
    assert 60 <= sum(weekdays) / len(weekdays) <= 160


def test_cli_prints_url_first(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kscrape.replica", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        assert httpx.get(f"{url}{LIST}").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


@contextmanager
def _serve(*args: str) -> Iterator[str]:
    """`kscrape replica ARGS` in a child process; yields its base URL (its first line)."""
    proc = subprocess.Popen([sys.executable, "-m", "kscrape", "replica", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize("args", [
    ("--files", str(ATTACHMENTS)),
    ("--corpus", str(ATTACHMENTS / "index.json"), "--files", str(ATTACHMENTS)),
])
def test_replica_command_serves_a_folder_of_real_files(args: tuple[str, ...]) -> None:
    """`kscrape replica --files DIR` lists DIR's releases and serves DIR/<newsId>.hwpx and .pdf
    byte for byte, under the names the release's record gives (an HWP 5 file keeps its .hwpx
    name, as korea.kr serves it)."""
    news_id = "156754125"  # HWP 5 bytes under a .hwpx name
    with _serve(*args) as url, httpx.Client(base_url=url) as client:
        page = tree(client.post(LIST, data=_form(startDate="2026-04-10", endDate="2026-04-13")))
        assert count(page) == 41
        view = tree(client.get(VIEW, params={"newsId": news_id}))
        names = [p.css_first("span a").text().strip() for p in view.css("div.filedown dd > p")]
        md = (ATTACHMENTS / f"{news_id}.md").read_text(encoding="utf-8")
        assert names and all(f"첨부: {name}" in md for name in names)
        assert names[0].endswith(".hwpx")
        links = [a.attributes["href"] for a in view.css("div.filedown a.down")]
        bodies = [client.get(link).content for link in links]
        assert bodies == [(ATTACHMENTS / f"{news_id}.{ext}").read_bytes()
                          for ext in ("hwpx", "pdf")]
        assert bodies[0][:4] == b"\xd0\xcf\x11\xe0"


def test_replica_files_without_an_index_is_a_usage_error(tmp_path: Path) -> None:
    """A folder without index.json and no --corpus: exit 2 and one line, nothing served."""
    result = subprocess.run([sys.executable, "-m", "kscrape", "replica", "--files",
                             str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: --files {tmp_path}: no index.json there; name the releases with --corpus"]
