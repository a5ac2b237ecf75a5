"""Parser tests on the real captured korea.kr pages and on controlled variations of them."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kscrape.errors import ParseError
from kscrape.models import AttachmentRef, ListItem, ListPage, ViewPage
from kscrape.parse import decode_html, parse_any, parse_list, parse_view, to_json_dict

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
LOCAL = "http://127.0.0.1:8765"

LISTING_IDS = [
    "156784448", "156784424", "156784423", "156784422", "156784421", "156784418", "156784420",
    "156784417", "156784449", "156784413", "156784410", "156784403", "156784399", "156784391",
    "156784390", "156784392", "156784389", "156784388", "156784386", "156784383",
]  # fmt: skip
ARTICLE_TITLE = "북한 탄도미사일 발사 관련 국방부 입장"
ARTICLE_FILE = "261004 북한 탄도미사일 발사 관련 국방부 입장_게시.hwpx"
CURRENT_LEAD_TAIL = "북한이 최근 발사한 미사일은 한미가 보유한 방어자..."


@cache
def page(name: str) -> str:
    """A captured page as text."""
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


def replace_once(text: str, old: str, new: str) -> str:
    """Replace a snippet that must occur in the page, so a test never silently edits nothing."""
    assert old in text, old
    return text.replace(old, new, 1)


# ---------------------------------------------------------------- real list pages


def test_listing_reports_total_paging_and_mode() -> None:
    """The default listing says 30652 results over 1533 pages, page 1, dotted-date mode."""
    result = parse_list(page("korea-listing"))
    assert (result.total, result.page, result.last_page, result.mode) == (30652, 1, 1533, "default")
    assert len(result.items) == 20


def test_listing_items_keep_site_order() -> None:
    """Items come out in page order, which is not newsId order."""
    assert [i.news_id for i in parse_list(page("korea-listing")).items] == LISTING_IDS


def test_listing_first_item_has_its_real_fields() -> None:
    """The first item's id, title, date, ministry, canonical url and full-text lead."""
    item = parse_list(page("korea-listing")).items[0]
    assert item.news_id == "156784448"
    assert item.title == "[보도자료] 한성숙 국무총리, 주택공급 현장점검(위스테이 별내)"
    assert item.date == "2026-10-06"
    assert item.ministry == "국무조정실"
    assert item.url == "https://www.korea.kr/briefing/pressReleaseView.do?newsId=156784448"
    assert item.lead.startswith('주택 신속공급과 다양한 주거모델 동시 모색- 한 총리, "다양한')
    assert item.lead.endswith("계속 현장행보를 이어갈 계획이다.")
    assert "□ 한성숙 국무총리는 10월 6일(화) 경기도 남양주시 별내동에 위치한" in item.lead
    assert "  " not in item.lead and "\n" not in item.lead


def test_listing_decodes_entities_in_titles() -> None:
    """&quot; and &middot; in titles become the characters they stand for."""
    by_id = {i.news_id: i for i in parse_list(page("korea-listing")).items}
    assert by_id["156784449"].title == (
        '"한 번의 입금으로 한도에 맞춰 똑똑하게"… 생계비계좌 한도 초과분 분리송금 제도 2027년 실시'
    )
    assert by_id["156784422"].title == "수상레저 음주·약물 조종 처벌 상향...조종면허 안전기준 강화"
    assert by_id["156784418"].ministry == "재정경제부"


def test_listing_collapses_double_spaces_in_titles() -> None:
    """A title with a doubled space in the markup gets one space."""
    by_id = {i.news_id: i for i in parse_list(page("korea-listing")).items}
    assert by_id["156784389"].title == "경찰청, 필리핀 경찰과 납치 대응 합동 모의훈련 실시"


def test_sidebar_newsid_links_are_not_items() -> None:
    """The sidebar links to releases too; only div.list_type items count."""
    html = page("korea-listing")
    assert "pressReleaseView.do?newsId=156784448&pWise=sub" in html
    decoy = (
        '<aside class="as_side"><ul><li><a href="/briefing/pressReleaseView.do?newsId=111">'
        '<span class="text"><strong>미끼</strong><span class="source"><span>2026.10.06</span>'
        "<span>국방부</span></span></span></a></li></ul></aside>"
    )
    result = parse_list(
        replace_once(html, '<div class="list_type">', decoy + '<div class="list_type">')
    )
    assert [i.news_id for i in result.items] == LISTING_IDS


def test_current_page_has_one_filtered_item() -> None:
    """The repCode listing with one result: dashed date, cut lead, single page."""
    result = parse_list(page("korea-current"))
    assert (result.total, result.page, result.last_page, result.mode) == (1, 1, 1, "filtered")
    (item,) = result.items
    assert item == ListItem(
        news_id="156784297",
        title=ARTICLE_TITLE,
        lead=item.lead,
        date="2026-10-06",
        ministry="국방부",
        url="https://www.korea.kr/briefing/pressReleaseView.do?newsId=156784297",
    )
    assert item.lead.startswith("북한 탄도미사일 발사 관련 국방부 입장 □ 우리 군은")
    assert "탐지·추적하고" in item.lead
    assert item.lead.endswith(CURRENT_LEAD_TAIL)


def test_empty_page_is_a_valid_page_without_items() -> None:
    """li.no_data with a zero count is an empty result, not an error."""
    assert parse_list(page("korea-empty")) == ListPage(0, 1, 1, "filtered", ())


def test_item_url_uses_the_given_base_url() -> None:
    """Items point at the site being crawled, e.g. the local replica."""
    item = parse_list(page("korea-current"), base_url=LOCAL + "/").items[0]
    assert item.url == f"{LOCAL}/briefing/pressReleaseView.do?newsId=156784297"


def test_list_bytes_input_parses_like_text() -> None:
    """Bytes from the wire give the same page as decoded text."""
    html = page("korea-listing")
    assert parse_list(html.encode("utf-8")) == parse_list(html)


# ---------------------------------------------------------------- list paging


def test_paging_without_last_link_uses_highest_page_number() -> None:
    """Ten pages or fewer show only span.num links; the highest one is the last page."""
    paging = (
        '<div class="paging"><span class="num"><a onclick="pageLink(1); return false;">1</a></span>'
        '<span class="num on"><a onclick="return false;" class="on">2</a></span>'
        '<span class="num"><a onclick="pageLink(3); return false;">3</a></span></div>'
    )
    html = re.sub(
        r'<div class="paging">.*?</div>', paging, page("korea-listing"), count=1, flags=re.S
    )
    result = parse_list(html)
    assert (result.page, result.last_page) == (2, 3)


def test_missing_paging_block_derives_last_page_from_count() -> None:
    """Without a paging block the count still tells how many pages there are."""
    html = re.sub(r'<div class="paging">.*?</div>', "", page("korea-listing"), count=1, flags=re.S)
    result = parse_list(html)
    assert (result.page, result.last_page, len(result.items)) == (1, 1533, 20)


# ---------------------------------------------------------------- list errors


def test_renamed_list_class_raises_parse_error() -> None:
    """A renamed list block stops the crawl instead of yielding an empty page."""
    html = replace_once(page("korea-listing"), 'class="list_type"', 'class="list_kind"')
    with pytest.raises(ParseError, match=r"div\.list_type"):
        parse_list(html, url="https://www.korea.kr/briefing/pressReleaseList.do")


def test_parse_error_carries_the_url() -> None:
    """The error names the page it came from."""
    html = replace_once(page("korea-listing"), 'class="list_type"', 'class="list_kind"')
    with pytest.raises(ParseError) as caught:
        parse_list(html, url="https://www.korea.kr/briefing/pressReleaseList.do")
    assert caught.value.url == "https://www.korea.kr/briefing/pressReleaseList.do"


def test_maintenance_page_raises_parse_error() -> None:
    """A page without the list markup is an error for both entry points."""
    html = "<html><body><h1>시스템 점검 중입니다</h1></body></html>"
    with pytest.raises(ParseError, match=r"div\.list_type"):
        parse_list(html)
    with pytest.raises(ParseError, match="neither"):
        parse_any(html)


def test_missing_count_raises_parse_error() -> None:
    """The result count is required."""
    html = replace_once(page("korea-listing"), 'class="result"', 'class="summary"')
    with pytest.raises(ParseError, match="result count"):
        parse_list(html)


def test_non_numeric_count_raises_parse_error() -> None:
    """A count that is not a number is not read as zero."""
    html = replace_once(page("korea-listing"), "<strong>30652</strong>", "<strong>-</strong>")
    with pytest.raises(ParseError, match="not a number"):
        parse_list(html)


def test_count_with_thousands_separator_is_read() -> None:
    """ "30,652" is 30652."""
    html = replace_once(page("korea-listing"), "<strong>30652</strong>", "<strong>30,652</strong>")
    assert parse_list(html).total == 30652


def test_declared_results_without_items_raise_parse_error() -> None:
    """A count above zero with no items on page 1 is an error page, not an empty result."""
    html = re.sub(
        r'(<div class="list_type">\s*<ul>).*?(</ul>)', r"\1\2", page("korea-listing"), flags=re.S
    )
    with pytest.raises(ParseError, match="declares 30652 results but holds no items"):
        parse_list(html)


def test_item_without_title_raises_parse_error() -> None:
    """An item missing its title is not returned half-filled."""
    html = replace_once(
        page("korea-current"), f"<strong>{ARTICLE_TITLE}</strong>", "<strong> </strong>"
    )
    with pytest.raises(ParseError, match="156784297 has no title"):
        parse_list(html)


def test_item_without_newsid_raises_parse_error() -> None:
    """An item link without newsId cannot be identified."""
    html = replace_once(page("korea-current"), "?newsId=156784297&", "?id=156784297&")
    with pytest.raises(ParseError, match="no newsId"):
        parse_list(html)


def test_item_with_unreadable_date_raises_parse_error() -> None:
    """An item date that is not a calendar date is rejected."""
    html = replace_once(page("korea-current"), "<span>2026-10-06</span>", "<span>2026-13-06</span>")
    with pytest.raises(ParseError, match="156784297 has no valid date"):
        parse_list(html)


def test_item_without_source_raises_parse_error() -> None:
    """An item without its date and ministry spans is rejected."""
    html = replace_once(page("korea-current"), 'class="source"', 'class="origin"')
    with pytest.raises(ParseError, match="156784297 has no date"):
        parse_list(html)


def test_item_without_link_raises_parse_error() -> None:
    """A list entry that does not link to a view page is an unknown kind of item."""
    html = replace_once(
        page("korea-current"), "/briefing/pressReleaseView.do?", "/briefing/other.do?"
    )
    with pytest.raises(ParseError, match=r"no pressReleaseView\.do link"):
        parse_list(html)


# ---------------------------------------------------------------- leads and text


@pytest.mark.parametrize("cut", ["&mi", "&middot", "&#39", "&#x31", "&#xFF6", "&#", "&"])
def test_lead_cut_inside_an_entity_ends_with_plain_dots(cut: str) -> None:
    """A filtered lead truncated inside a character reference loses the fragment, keeps "..."."""
    html = replace_once(page("korea-current"), "방어자...", f"방어자{cut}...")
    assert parse_list(html).items[0].lead.endswith(CURRENT_LEAD_TAIL)


def test_lead_ending_in_an_escaped_ampersand_is_kept() -> None:
    """A complete &amp; before "..." is text, not a cut reference."""
    html = replace_once(page("korea-current"), "방어자...", "방어자 R&amp;D...")
    assert parse_list(html).items[0].lead.endswith("방어자 R&D...")


def test_lead_cut_inside_a_multibyte_character_drops_the_replacement_mark() -> None:
    """A lead cut mid-character (U+FFFD) ends cleanly with "..."."""
    html = replace_once(page("korea-current"), "방어자...", "방어자\ufffd...")
    assert parse_list(html).items[0].lead.endswith(CURRENT_LEAD_TAIL)


def test_title_with_invisible_characters_becomes_clean_nfc() -> None:
    """NFD Hangul, zero-width space, soft hyphen and NBSP in a title are normalised."""
    dirty = (
        unicodedata.normalize("NFD", "북한 탄도미사일")
        + "\u200b&nbsp;&shy;발사\u3000관련  국방부\ufeff 입장"
    )
    html = replace_once(
        page("korea-current"), f"<strong>{ARTICLE_TITLE}</strong>", f"<strong>{dirty}</strong>"
    )
    title = parse_list(html).items[0].title
    assert title == ARTICLE_TITLE
    assert unicodedata.is_normalized("NFC", title)


# ---------------------------------------------------------------- encodings


def test_euc_kr_page_with_only_meta_charset_decodes() -> None:
    """A page in EUC-KR that declares it only in <meta charset> parses to the same text."""
    html = replace_once(page("korea-current"), '<meta charset="UTF-8">', '<meta charset="euc-kr">')
    data = html.encode("euc-kr", errors="xmlcharrefreplace")
    assert data.decode("utf-8", errors="replace") != html  # the bytes really are not UTF-8
    result = parse_list(data)
    assert result.items[0].title == ARTICLE_TITLE
    assert result.items[0].lead.endswith(CURRENT_LEAD_TAIL)


def test_decode_html_prefers_the_http_charset() -> None:
    """The HTTP Content-Type charset overrides a wrong meta declaration."""
    data = '<meta charset="euc-kr"><p>국방부</p>'.encode()
    assert decode_html(data, "text/html;charset=UTF-8") == '<meta charset="euc-kr"><p>국방부</p>'


def test_decode_html_reads_http_equiv_meta() -> None:
    """The older http-equiv form of the declaration works too."""
    text = '<meta http-equiv="Content-Type" content="text/html; charset=EUC-KR"><p>국방부</p>'
    assert decode_html(text.encode("euc-kr")) == text


def test_decode_html_falls_back_to_utf8_with_replacement() -> None:
    """Undeclared bytes are UTF-8; invalid sequences become U+FFFD instead of failing."""
    assert decode_html(b"<p>\xea\xb5\xad\xff</p>") == "<p>국\ufffd</p>"


def test_decode_html_ignores_unknown_charset_labels() -> None:
    """An unknown or non-text label falls back to UTF-8."""
    assert (
        decode_html('<meta charset="klingon"><p>부</p>'.encode())
        == '<meta charset="klingon"><p>부</p>'
    )
    assert (
        decode_html('<meta charset="rot13"><p>부</p>'.encode()) == '<meta charset="rot13"><p>부</p>'
    )


def test_decode_html_honours_a_utf8_bom() -> None:
    """A byte-order mark wins and is not part of the text."""
    assert (
        decode_html(b"\xef\xbb\xbf<p>\xea\xb5\xad</p>", "text/html;charset=euc-kr") == "<p>국</p>"
    )


# ---------------------------------------------------------------- view page


def test_article_page_has_its_real_fields() -> None:
    """Every field of the captured view page newsId 156784297."""
    assert parse_view(page("korea-article-1")) == ViewPage(
        news_id="156784297",
        title=ARTICLE_TITLE,
        date="2026-10-06",
        published_at="2026-10-06T07:06:02+09:00",
        ministry="국방부",
        ministry_code="A00005",
        body="",
        attachments=(
            AttachmentRef(
                file_id="198565537",
                name=ARTICLE_FILE,
                url="https://www.korea.kr/common/download.do?fileId=198565537&tblKey=GMN",
                kind="hwpx",
            ),
        ),
        licence="KOGL-1",
    )


def test_attachment_url_uses_the_given_base_url() -> None:
    """Attachments are fetched from the site being crawled."""
    result = parse_view(page("korea-article-1"), base_url=LOCAL)
    assert result.attachments[0].url == f"{LOCAL}/common/download.do?fileId=198565537&tblKey=GMN"


def test_attachments_are_deduplicated_by_file_id() -> None:
    """Name, viewer and download links of one file are one attachment; a second file adds one."""
    pdf = (
        '<p><span><a href="/common/download.do?fileId=198565538&amp;tblKey=GMN">'
        '<img src="/images/icon/icon_ipdf.gif" alt="PDF파일">보도자료.PDF</a></span>'
        '<span><a class="view" href="/common/docViewer.do?fileId=198565538&amp;tblKey=GMN">'
        "바로보기</a>"
        '<a class="down" href="/common/download.do?fileId=198565538&amp;tblKey=GMN">내려받기</a>'
        "</span></p><p><span>"
        '<a href="/common/download.do?fileId=198565539&amp;tblKey=GMN">사진 1.jpg</a></span></p>'
    )
    html = replace_once(page("korea-article-1"), "</dd>", pdf + "</dd>")
    found = [(a.file_id, a.name, a.kind) for a in parse_view(html).attachments]
    assert found == [
        ("198565537", ARTICLE_FILE, "hwpx"),
        ("198565538", "보도자료.PDF", "pdf"),
        ("198565539", "사진 1.jpg", "other"),
    ]


def test_view_without_filedown_has_no_attachments() -> None:
    """A release without files has an empty attachment tuple."""
    html = replace_once(page("korea-article-1"), 'class="filedown"', 'class="nofiles"')
    assert parse_view(html).attachments == ()


def test_view_body_keeps_page_text_without_viewer_or_notice() -> None:
    """When the page carries paragraphs they become the body; iframe and reprint notice do not."""
    html = replace_once(
        page("korea-article-1"),
        '<div class="docConversion"',
        "<p>□ 우리 군은&nbsp;<b>면밀히</b> 감시하였음.</p><p>담당자안내</p>"
        '<table><tr><td>문의</td><td>국방부</td></tr></table><div class="docConversion"',
    )
    assert parse_view(html).body == "□ 우리 군은 면밀히 감시하였음.\n\n문의 국방부"


def test_view_title_falls_back_to_hidden_title_field() -> None:
    """Without the h1 the hidden #titleText value is the title."""
    html = replace_once(page("korea-article-1"), 'class="view_title"', 'class="view_head"')
    assert parse_view(html).title == ARTICLE_TITLE


def test_view_without_any_title_raises_parse_error() -> None:
    """No h1, hidden field, og:title or JSON-LD headline: the page is rejected."""
    html = page("korea-article-1")
    for old, new in (
        ('class="view_title"', 'class="view_head"'),
        ('id="titleText"', 'id="x"'),
        ('property="og:title"', 'property="og:x"'),
        ('"headline"', '"x"'),
    ):
        html = replace_once(html, old, new)
    with pytest.raises(ParseError, match="no title"):
        parse_view(html)


def test_view_without_ministry_raises_parse_error() -> None:
    """No gotosite link and no JSON-LD author: the page is rejected."""
    html = replace_once(page("korea-article-1"), 'class="gotosite"', 'class="elsewhere"')
    html = replace_once(html, '"name": "국방부"', '"name": ""')
    with pytest.raises(ParseError, match="no ministry"):
        parse_view(html)


def test_view_ministry_falls_back_to_json_ld_author() -> None:
    """Without the gotosite link the JSON-LD author names the ministry; no code is known."""
    html = replace_once(page("korea-article-1"), 'class="gotosite"', 'class="elsewhere"')
    result = parse_view(html)
    assert (result.ministry, result.ministry_code) == ("국방부", None)


def test_view_without_date_raises_parse_error() -> None:
    """No printed date and no JSON-LD time: the page is rejected."""
    html = replace_once(page("korea-article-1"), "<span>2026.10.06</span>", "<span>-</span>")
    html = replace_once(html, '"datePublished": "2026-10-06T07:06:02+09:00"', '"x": ""')
    with pytest.raises(ParseError, match="no date"):
        parse_view(html)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-10-06T07:06:02", "2026-10-06T07:06:02+09:00"),
        ("2026-10-05T22:06:02Z", "2026-10-06T07:06:02+09:00"),
        ("not a time", None),
    ],
)
def test_published_at_is_normalised_to_kst(raw: str, expected: str | None) -> None:
    """datePublished without offset is KST, other offsets are converted, junk is None."""
    html = replace_once(page("korea-article-1"), "2026-10-06T07:06:02+09:00", raw)
    assert parse_view(html).published_at == expected


def test_broken_json_ld_still_gives_time_and_id() -> None:
    """An unescaped quote in the JSON-LD description does not lose datePublished or the id."""
    html = replace_once(page("korea-article-1"), '"description": "북한', '"description": "북"한')
    html = replace_once(html, 'rel="canonical"', 'rel="x"')
    result = parse_view(html)
    assert (result.published_at, result.news_id) == ("2026-10-06T07:06:02+09:00", "156784297")


def test_news_id_falls_back_to_the_request_url() -> None:
    """Without canonical link and JSON-LD id the URL the page came from identifies it."""
    html = replace_once(page("korea-article-1"), 'rel="canonical"', 'rel="x"')
    html = replace_once(
        html,
        '"@id": "https://www.korea.kr/briefing/pressReleaseView.do?newsId=156784297"',
        '"@id": ""',
    )
    with pytest.raises(ParseError, match="no newsId"):
        parse_view(html)
    assert (
        parse_view(
            html, url="https://www.korea.kr/briefing/pressReleaseView.do?newsId=42&x=1"
        ).news_id
        == "42"
    )


def test_licence_is_none_without_kogl_block() -> None:
    """A page without the KOGL block has no licence."""
    html = replace_once(page("korea-article-1"), 'class="kogl_wrap"', 'class="other"')
    assert parse_view(html).licence is None


def test_licence_type_follows_the_kogl_image() -> None:
    """The KOGL image number is the licence type."""
    html = replace_once(page("korea-article-1"), "open_type_01.png", "open_type_04.png")
    assert parse_view(html).licence == "KOGL-4"


# ---------------------------------------------------------------- dispatch and JSON


@pytest.mark.parametrize(
    ("name", "kind"),
    [("korea-listing", ListPage), ("korea-current", ListPage), ("korea-empty", ListPage),
     ("korea-article-1", ViewPage)],
)  # fmt: skip
def test_parse_any_tells_page_kinds_apart(name: str, kind: type) -> None:
    """List pages parse as ListPage, the view page as ViewPage."""
    assert isinstance(parse_any(page(name)), kind)


def test_list_json_has_exactly_the_documented_shape() -> None:
    """The list JSON keys and values for the one-result page."""
    assert to_json_dict(parse_any(page("korea-current"))) == {
        "kind": "list",
        "total": 1,
        "page": 1,
        "last_page": 1,
        "mode": "filtered",
        "items": [
            {
                "news_id": "156784297",
                "title": ARTICLE_TITLE,
                "lead": parse_list(page("korea-current")).items[0].lead,
                "date": "2026-10-06",
                "ministry": "국방부",
                "url": "https://www.korea.kr/briefing/pressReleaseView.do?newsId=156784297",
            }
        ],
    }


def test_view_json_has_exactly_the_documented_shape() -> None:
    """The view JSON keys and values for the captured article."""
    assert to_json_dict(parse_any(page("korea-article-1"))) == {
        "kind": "view",
        "news_id": "156784297",
        "title": ARTICLE_TITLE,
        "date": "2026-10-06",
        "published_at": "2026-10-06T07:06:02+09:00",
        "ministry": "국방부",
        "ministry_code": "A00005",
        "body": "",
        "attachments": [
            {
                "file_id": "198565537",
                "name": ARTICLE_FILE,
                "url": "https://www.korea.kr/common/download.do?fileId=198565537&tblKey=GMN",
                "kind": "hwpx",
            }
        ],
        "licence": "KOGL-1",
    }


# ---------------------------------------------------------------- robustness

PAGE_NAMES = ("korea-listing", "korea-current", "korea-empty", "korea-article-1")
MARKUP_WORDS = (
    "list_type", "sch_brief", "result", "paging", "source", "lead", "strong", "newsId", "</li>",
    "<li>", "view_title", "article_head", "gotosite", "filedown", "kogl_wrap", "view_cont", "...",
    "&amp;", "info", "<span>", "</span>", "pageLink(",
)  # fmt: skip


@st.composite
def mutated_pages(draw: st.DrawFn) -> tuple[str, str]:
    """A real page truncated, cut, duplicated or with markup words swapped or garbage inserted."""
    name = draw(st.sampled_from(PAGE_NAMES))
    html = page(name)
    at = draw(st.integers(0, len(html)))
    op = draw(st.sampled_from(("truncate", "delete", "duplicate", "swap", "insert")))
    if op == "truncate":
        html = html[:at]
    elif op == "delete":
        html = html[:at] + html[at + draw(st.integers(1, 5000)) :]
    elif op == "duplicate":
        html = html[:at] + html[at : at + draw(st.integers(1, 5000))] + html[at:]
    elif op == "swap":
        html = html.replace(
            draw(st.sampled_from(MARKUP_WORDS)), draw(st.sampled_from(MARKUP_WORDS))
        )
    else:
        html = html[:at] + draw(st.text(max_size=40)) + html[at:]
    return name, html


@settings(max_examples=80, deadline=None)
@given(mutated_pages())
def test_mutated_pages_parse_or_raise_parse_error(case: tuple[str, str]) -> None:
    """Damaged pages never raise anything but ParseError, and never yield half items."""
    name, html = case
    parser = parse_view if name == "korea-article-1" else parse_list
    for parse in (parser, parse_any):
        try:
            result = parse(html)
        except ParseError:
            continue
        if isinstance(result, ListPage):
            assert 1 <= result.page <= result.last_page
            assert all(i.news_id.isdigit() and i.title and i.ministry for i in result.items)
            assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", i.date) for i in result.items)
        else:
            assert result.news_id.isdigit() and result.title and result.ministry
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", result.date)
