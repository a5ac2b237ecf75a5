"""Structured Markdown from real HWPX and HWP 5 attachments: tables with their spans, nested
tables, lists in cells, headings, private-use glyphs, and Markdown that parses back."""

from __future__ import annotations

import html as html_lib
import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from kscrape.extract import extract, extract_contacts
from kscrape.extract.markdown import block_markdown, to_markdown, without_empty_rows
from kscrape.extract.model import (
    MAX_GRID,
    Bullets,
    Cell,
    Contacts,
    Heading,
    Image,
    Paragraph,
    Table,
)
from kscrape.extract.plaintext import cell_text, to_text
from kscrape.extract.pua import PUA_TO_UNICODE, map_pua

from .conftest import ATTACHMENTS

HWP_FAMILY = sorted(p.name for p in ATTACHMENTS.glob("*.hwpx"))
MD = MarkdownIt("commonmark").enable("table")


def _extract(name: str):
    ex = extract((ATTACHMENTS / name).read_bytes())
    assert ex.status == "ok", ex.detail
    return ex


def _tables(blocks) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


def _table_with(blocks, text: str) -> Table:
    return next(t for t in _tables(blocks) if any(text in cell_text(c) for c in t.cells))


def _cell(table: Table, text: str) -> Cell:
    return next(c for c in table.cells if cell_text(c) == text)


class _Grid(HTMLParser):
    """Rows of (text, rowspan, colspan) from an HTML table, nested tables flattened into cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, int, int]]] = []
        self.depth = 0
        self.cell: list[str] | None = None
        self.spans = (1, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.depth += 1
        elif self.depth == 1 and tag == "tr":
            self.rows.append([])
        elif self.depth == 1 and tag == "td":
            self.cell = []
            self.spans = (int(a.get("rowspan") or 1), int(a.get("colspan") or 1))
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth -= 1
        elif self.depth == 1 and tag == "td" and self.cell is not None:
            self.rows[-1].append((" ".join("".join(self.cell).split()), *self.spans))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _html_grid(html: str) -> list[list[tuple[str, int, int]]]:
    grid = _Grid()
    grid.feed(html)
    return grid.rows


def _model_grid(table: Table) -> list[list[tuple[str, int, int]]]:
    rows: list[list[tuple[str, int, int]]] = [[] for _ in range(table.rows)]
    for c in sorted(table.cells, key=lambda c: (c.row, c.col)):
        rows[c.row].append((cell_text(c), c.rowspan, c.colspan))
    return rows


def _section(lines: list[str]) -> str:
    return "## 담당 부서\n\n" + "\n".join(f"- {line}" for line in lines)


def test_contact_table_is_the_contact_section_where_it_stands() -> None:
    """156754124: the contact table, kept whole with its merged cells ("담당 기관" over 3 rows,
    "담당자" over 2), is the 담당 부서 section before the 참고 box that follows it: one line
    per row, every cell's text in it, in the Markdown and in the text."""
    ex = _extract("156754124.hwpx")
    sections = [b for b in ex.blocks if isinstance(b, Contacts)]
    assert len(sections) == 1 and not _tables([sections[0]])
    table = sections[0].table
    assert (table.rows, table.cols) == (3, 6)
    assert (_cell(table, "담당 기관").rowspan, _cell(table, "담당자").rowspan) == (3, 2)
    lines = [
        "담당 기관: 중소벤처기업부 대외환경대응과 / 책임자 과 장 예우영 / (044-204-7444)",
        "담당자: 사무관 / 이경규 / (044-204-7438)",
        "주무관 / 서지숙 / (044-204-7793)",
    ]
    assert f"\n\n{_section(lines)}\n\n| 참고 |  | ’26년 탄소중립" in ex.markdown
    assert "담당 기관</td>" not in ex.markdown and ex.markdown.count("## 담당 부서") == 1
    assert "\n\n담당 부서\n\n" + "\n".join(lines) + "\n\n참고\t\t’26년" in ex.text
    assert all(cell_text(c) in "\n".join(lines) for c in table.cells)
    people = [(c["name"], c["role"], c["dept"], c["phone"]) for c in extract_contacts(ex.text)]
    assert people == [
        ("예우영", "책임자", "중소벤처기업부 대외환경대응과", "044-204-7444"),
        ("이경규", "담당자", "중소벤처기업부 대외환경대응과", "044-204-7438"),
        ("서지숙", "담당자", "중소벤처기업부 대외환경대응과", "044-204-7793"),
    ]


def test_contact_section_of_ten_rows_keeps_every_phone() -> None:
    """156754093: a row per person, each department labelling its role, each phone kept (the
    viewer drops the phone of rows without the "담당 부서" label); its logos follow the list."""
    ex = _extract("156754093.hwpx")
    people = [
        ("기획조정실", "책임자", "과 장", "신지혜", "1401"),
        ("기획재정담당관", "담당자", "사무관", "서민호", "1411"),
        ("지방재정경제실", "책임자", "과 장", "김수경", "3702"),
        ("재정정책과", "담당자", "서기관", "강민철", "3703"),
        ("지방재정경제실", "책임자", "과 장", "지용구", "3751"),
        ("교부세과", "담당자", "사무관", "권순현", "3754"),
        ("자치혁신실", "책임자", "과 장", "염성욱", "3211"),
        ("사회연대경제지원과", "담당자", "사무관", "이재우", "3212"),
        ("햇빛소득마을추진단", "책임자", "과 장", "고현덕", "6842"),
        ("지원총괄과", "담당자", "서기관", "정재형", "6843"),
    ]
    lines = [f"{dept}: {role} / {title} {name} / (044-205-{phone})"
             for dept, role, title, name, phone in people]
    lines[0] = "담당 부서: 기획조정실 / 책임자 과 장 신지혜 / (044-205-1401)"
    assert f"{_section(lines)}\n\n![](image2.jpg)\n\n![](image3.jpg)" in ex.markdown
    parsed = [(c["dept"], c["role"], c["name"], c["phone"]) for c in extract_contacts(ex.text)]
    assert parsed == [(d, r, n, f"044-205-{p}") for d, r, _, n, p in people]


def test_hwp5_contact_table_is_the_contact_section_too() -> None:
    """156754125 (HWP 5): the merged "담당 부서" cell's table gives the same lines, after the
    body."""
    ex = _extract("156754125.hwpx")
    assert ex.format == "hwp"
    sentence = "제3차 공식 협상이 4.12(일)~17(금) 서울에서 개최된다."
    assert "".join(sentence.split()) in "".join(ex.text.split("\n\n담당 부서\n\n")[0].split())
    assert _section([
        "담당 부서: 통상협정교섭관 / 책임자 과 장 손호영 / (044-203-5830)",
        "통상협정협상총괄과: 담당자 / 사무관 김은지 / (044-203-5837)",
    ]) in ex.markdown
    assert [(c["name"], c["phone"]) for c in extract_contacts(ex.text)] == [
        ("손호영", "044-203-5830"), ("김은지", "044-203-5837")]


def test_a_table_naming_a_contact_column_stays_a_table() -> None:
    """156754133's budget table has a "담당자 현황" column of phone numbers: it is data, and
    stays the table it is; only its contact table becomes the section."""
    ex = _extract("156754133.hwpx")
    assert "<td>담당자 현황</td>" in ex.markdown
    assert [b.table.rows for b in ex.blocks if isinstance(b, Contacts)] == [4]


@pytest.mark.parametrize(
    ("name", "items"),
    [
        ("156754098.hwpx", [
            "14일부터 시민 체감형 스마트도시 솔루션 공모… 2곳 선정해 최대 10억 원 지원",
            "교통혼잡·환경관리 등 생활 밀착형 서비스 개발에 국비 1:1 매칭 지원",
            "개발된 솔루션은 오픈소스로 공개, 전국 어느 도시든 공동 활용 가능",
        ]),
        # a subtitle wrapped onto two lines, framed by dashes
        ("156754211.hwpx", [
            "2026. 4. 13.(월) 경력법조인 출신 신임검사 임용 대상자 총 48명의 명단을 공개",
        ]),
        # a dash line under the title in the title's own row; subtitles without dashes
        ("156754278.hwpx", [
            "농림축산식품부 장관, 추경 반영 면세유 유가연동 보조금 대상 시설농가 및 "
            "농기계 현장 방문",
            "시설농가와 농기계 면세유 유가연동보조금 623억원 추경 반영",
            "시설농가 등 현장 애로사항 청취 및 농가 경영안정 위한 노력 지속",
        ]),
        ("156754249.hwpx", [
            "5일간 국제통화기금(IMF) 대표단과의 협력회의 통해 선진 세원관리 및 인공지능(AI)혁신 "
            "방안 공유",
            "인공지능(AI)·빅데이터 등 6개 분야 공동회의 ··· 인공지능(AI) 기술 활용 "
            "탈세방지·세수 증대 논의",
        ]),
        # the note row under an open subtitle is an item of its own
        ("156754143.hwpx", [
            "국민권익위, 2026년 윤리경영 자율준수 프로그램 지원 사업 신청 시작…오늘(13일)부터 "
            "5월 4일까지 접수",
            "사업 선정 기관‧기업에 대한 전문가 진단 및 우수 성과기관 포상 실시",
            "【관련 국정과제】 16. 국민권익을 실현하는 반부패 개혁",
        ]),
        ("156754148.hwpx", []),
    ],
)
def test_subtitles_of_the_title_box_open_the_body(name: str, items: list[str]) -> None:
    """The title box goes with the cover, but its subtitles are the release's own summary: a
    list at the start of the Markdown and lines at the start of the text; the title, the
    release-type label and the embargo line stay out."""
    ex = _extract(name)
    summary = [b for b in ex.blocks if isinstance(b, Bullets)]
    assert [list(b.items) for b in summary] == ([items] if items else [])
    if items:
        assert ex.blocks[0] == summary[0]
        assert ex.text.startswith("\n".join(items) + "\n\n")
        assert [li.strip() for li in re.findall(r"<li>(.*?)</li>", MD.render(ex.markdown))][
            : len(items)] == items
    assert "보도시점" not in ex.text and "보도자료" not in ex.text.split("\n\n", 1)[0]


def test_attachment_label_box_is_a_heading() -> None:
    """A "붙임" label box opens an attachment, as the "붙임 …" line does: it is a heading;
    a "참고" box stays the table it is."""
    ex = _extract("156754182.hwpx")
    headings = [b.text for b in ex.blocks if isinstance(b, Heading)]
    assert "붙임1 ’26년 공공기관 개인정보 보호수준 평가 개요" in headings
    assert "붙임2 ’26년 공공기관 개인정보 보호수준 평가 대상기관" in headings
    assert "\n## 붙임1 ’26년 공공기관 개인정보 보호수준 평가 개요\n" in ex.markdown
    assert "| 참고 |  | ’26년 탄소중립" in _extract("156754124.hwpx").markdown


def test_hwp5_cells_carry_spans_from_their_list_headers() -> None:
    """156754127 (HWP 5): the schedule's "일시" header spans the time and minutes columns."""
    ex = _extract("156754127.hwpx")
    assert ex.format == "hwp"
    table = _table_with(ex.blocks, "10:25-11:20")
    head = _cell(table, "일시")
    assert (head.row, head.col, head.colspan) == (0, 0, 2)
    assert '<td colspan="2">일시</td>' in ex.markdown


def _hwpx(section_body: str) -> bytes:
    ns = (
        'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
        'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/hwp+zip")
        zf.writestr("Contents/section0.xml", f"<hs:sec {ns}>{section_body}</hs:sec>")
    return buf.getvalue()


def _p(text: str) -> str:
    return f"<hp:p><hp:run><hp:t>{text}</hp:t></hp:run></hp:p>"


def _tc(row: int, col: int, inner: str, rowspan: int = 1, colspan: int = 1) -> str:
    return (
        f"<hp:tc><hp:subList>{inner}</hp:subList>"
        f'<hp:cellAddr colAddr="{col}" rowAddr="{row}"/>'
        f'<hp:cellSpan colSpan="{colspan}" rowSpan="{rowspan}"/></hp:tc>'
    )


def _tbl(rows: int, cols: int, *trs: str) -> str:
    body = "".join(f"<hp:tr>{tr}</hp:tr>" for tr in trs)
    return f'<hp:p><hp:run><hp:tbl rowCnt="{rows}" colCnt="{cols}">{body}</hp:tbl></hp:run></hp:p>'


def test_nested_table_stays_inside_its_cell() -> None:
    """A table in a cell is a Table block in that cell, and HTML inside its <td>."""
    inner = _tbl(1, 2, _tc(0, 0, _p("세부항목")) + _tc(0, 1, _p("100억원")))
    section = _p("□ 사업 예산은 다음과 같다.") + _tbl(
        2, 2,
        _tc(0, 0, _p("구분")) + _tc(0, 1, _p("내용")),
        _tc(1, 0, _p("예산")) + _tc(1, 1, _p("총액") + inner),
    )
    ex = extract(_hwpx(section))
    outer = _tables(ex.blocks)[0]
    nested = _tables(_cell(outer, "총액 세부항목 100억원").blocks)
    assert len(nested) == 1 and (nested[0].rows, nested[0].cols) == (1, 2)
    assert (
        "<td>총액<table><tr><td>세부항목</td><td>100억원</td></tr></table></td>" in ex.markdown
    )
    assert "예산\t총액 세부항목 100억원" in ex.text.split("\n")


def test_contact_table_is_told_from_a_table_of_people_by_its_rows() -> None:
    """A row labelled 담당 부서 (or naming a role) with a phone after it makes a contact table;
    a roster whose header names a 담당자 column, phones only in the rows below, stays a table."""
    contact = _tbl(1, 4, _tc(0, 0, _p("담당 부서")) + _tc(0, 1, _p("기획조정실"))
                   + _tc(0, 2, _p("과장 홍길동")) + _tc(0, 3, _p("044-123-4567")))
    roster = _tbl(
        2, 3,
        _tc(0, 0, _p("사업명")) + _tc(0, 1, _p("담당자")) + _tc(0, 2, _p("연락처")),
        _tc(1, 0, _p("수출바우처")) + _tc(1, 1, _p("김철수")) + _tc(1, 2, _p("044-204-7463")),
    )
    ex = extract(_hwpx(_p("본문 문장이다.") + roster + contact))
    assert [type(b).__name__ for b in ex.blocks] == ["Paragraph", "Table", "Contacts"]
    assert ex.markdown.endswith(
        "| 사업명 | 담당자 | 연락처 |\n| --- | --- | --- |\n| 수출바우처 | 김철수 | 044-204-7463 |"
        "\n\n## 담당 부서\n\n- 담당 부서: 기획조정실 / 과장 홍길동 / 044-123-4567"
    )


def test_hostile_cell_spans_stay_within_a_bounded_grid() -> None:
    """Addresses and spans in the billions are clamped, not allocated."""
    section = _p("본문 문장이다.") + (
        '<hp:p><hp:run><hp:tbl rowCnt="2000000000" colCnt="2000000000"><hp:tr>'
        + _tc(0, 0, _p("구분"), rowspan=10**9, colspan=10**9)
        + _tc(10**9, 10**9, _p("값"))
        + "</hp:tr></hp:tbl></hp:run></hp:p>"
    )
    ex = extract(_hwpx(section))
    assert ex.status == "ok"
    table = _tables(ex.blocks)[0]
    assert table.rows <= MAX_GRID and table.cols <= MAX_GRID
    assert all(c.row + c.rowspan <= MAX_GRID and c.col + c.colspan <= MAX_GRID for c in table.cells)
    assert "구분" in ex.text and "값" in ex.text


def test_footnote_follows_the_paragraph_that_refers_to_it() -> None:
    """A footnote control does not split its paragraph; its text comes right after it."""
    note = (
        '<hp:ctrl><hp:footNote number="1"><hp:subList>'
        f"{_p('2025년 기준 통계')}</hp:subList></hp:footNote></hp:ctrl>"
    )
    section = (
        "<hp:p><hp:run><hp:t>수출이 늘었다</hp:t></hp:run><hp:run>"
        f"{note}<hp:t>고 밝혔다.</hp:t></hp:run></hp:p>{_p('둘째 문단이다.')}"
    )
    ex = extract(_hwpx(section))
    assert ex.text == "수출이 늘었다고 밝혔다.\n\n1) 2025년 기준 통계\n\n둘째 문단이다."
    assert ex.markdown == "수출이 늘었다고 밝혔다.\n\n1\\) 2025년 기준 통계\n\n둘째 문단이다."


def test_list_inside_a_cell_keeps_its_items_and_markers() -> None:
    """156754124's procedure table: a cell holding a "-" list stays two marked items."""
    ex = _extract("156754124.hwpx")
    table = _table_with(ex.blocks, "탄소중립 전략 수립")
    cell = next(c for c in table.cells if "탄소중립 전략 수립" in cell_text(c))
    assert [(b.text, b.depth) for b in cell.blocks if isinstance(b, Paragraph)] == [
        ("- 탄소중립 전략 수립", 2),
        ("- 최적의 감축 설비 도출", 2),
    ]
    assert "<td>- 탄소중립 전략 수립<br>- 최적의 감축 설비 도출</td>" in ex.markdown
    # A plain grid is a GFM pipe table; its cell's list items are separated by <br>.
    assert (
        "| * 지원유형 : | ➀ 에너지절감(인버터형 공기압축기, 고압 스크류 컴프레셔 등)<br>"
        "➁ 배출량진단" in ex.markdown
    )


def test_private_use_glyphs_become_what_they_draw() -> None:
    """The boxed digits of 156754052 and the bullets of 156754244 leave no private-use code."""
    assert map_pua("\U000f02b1 고용안정") == "1\u20de 고용안정"
    assert map_pua("\U000f02b3\U000f02ef\uf0a7") == "3\u20de•▪"
    assert all(len(v) <= 2 for v in PUA_TO_UNICODE.values())
    private = re.compile("[\ue000-\uf8ff\U000f0000-\U0010fffd]")
    ex = _extract("156754052.hwpx")
    assert "## 1\u20de 고용안정 지원을 통한 충격완화 (+306억)" in ex.markdown
    assert "▪ 유급휴업‧휴직지원(+1만명)" in ex.text
    other = _extract("156754244.hwpx")
    assert "•수요기관 파악 및 참여기관 선정" in other.text
    for e in (ex, other):
        assert not private.search(e.text) and not private.search(e.markdown)


@pytest.mark.parametrize(
    ("name", "headings"),
    [
        ("156754239.hwpx", ["감사 실시배경", "정부합동감사 결과", "조치사항 등"]),
        ("156754188.hwpx", ["붙임. 2026년 노사관계전문가과정 사업개요",
                            "2026년도 노사관계전문가과정 사업개요"]),
        ("156754052.hwpx", ["Ⅰ. 총지출", "Ⅱ. 주요 내용",
                            "1\u20de 고용안정 지원을 통한 충격완화 (+306억)"]),
        ("156754253.hwpx", ["[ ❶ 고위험 사업장 10만개소 자체 위험요인 점검 및 개선(4월) ]"]),
    ],
)
def test_section_titles_become_headings(name: str, headings: list[str]) -> None:
    """Bracketed titles, 붙임 lines and one-title boxes are level-2 headings, in order."""
    ex = _extract(name)
    found = [b.text for b in ex.blocks if isinstance(b, Heading)]
    assert [h for h in found if h in headings] == headings
    for h in headings:
        assert f"\n{block_markdown(Heading(h))}\n" in f"\n{ex.markdown}\n"


def test_note_box_is_opened_into_paragraphs_not_a_heading() -> None:
    """A one-cell note box ("☞ (신청기간) …") is body text, a label box ("참고 | …") a table;
    the cover stays out."""
    label = _table_with(_extract("156754124.hwpx").blocks, "참고")
    assert (label.rows, label.cols) == (1, 3)
    ex = _extract("156754052.hwpx")
    headings = [b.text for b in ex.blocks if isinstance(b, Heading)]
    assert not any(h.startswith(("☞", "✓")) for h in headings)
    assert any(
        isinstance(b, Paragraph) and b.text.startswith("☞ (신청기간) `26년 연중") for b in ex.blocks
    )
    assert ex.markdown.startswith("- 총 4,165억원 증액 의결\n\n4월 10일, 국회 본회의에서 2026년도")


def test_pictures_are_placeholders_naming_the_image() -> None:
    """A picture becomes ![caption](file) with its BinData name; the plain text has no file name."""
    ex = _extract("156754251.hwpx")
    images = [b for b in ex.blocks if isinstance(b, Image)]
    assert images and all(re.fullmatch(r"image\d+\.\w+", i.name) for i in images)
    assert f"![]({images[0].name})" in ex.markdown
    assert images[0].name not in ex.text


@pytest.mark.parametrize("name", HWP_FAMILY)
def test_markdown_parses_back_to_the_same_tables_and_headings(name: str) -> None:
    """Every pipe table parses (markdown-it) into the model's cells; HTML tables into its grid;
    headings into the Heading blocks; and the text is rendered from the same blocks."""
    ex = _extract(name)
    assert ex.text == to_text(ex.blocks)
    assert ex.markdown == to_markdown(ex.blocks)
    tokens = MD.parse(ex.markdown)
    headings = [
        tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    model_headings = [
        b.text if isinstance(b, Heading) else "담당 부서"
        for b in ex.blocks
        if isinstance(b, Heading | Contacts)
    ]
    assert [_unescaped(h) for h in headings] == model_headings
    pipe_rows: list[list[str]] | None = None
    parsed_tables: list[list[list[str]]] = []
    for t in tokens:
        if t.type == "table_open":
            pipe_rows = []
        elif t.type == "tr_open":
            pipe_rows.append([])
        elif t.type == "inline" and pipe_rows is not None and t.level >= 3:
            content = re.sub(r"!\[\]\([^)]*\)|<br>", " ", t.content)
            pipe_rows[-1].append(_unescaped(" ".join(content.split())))
        elif t.type == "table_close" and pipe_rows is not None:
            parsed_tables.append(pipe_rows)
            pipe_rows = None
    html_tables = [
        _html_grid(t.content) for t in tokens if t.type == "html_block" and "<table>" in t.content
    ]
    model = [t for t in _tables(ex.blocks) if to_markdown([t])]
    assert len(parsed_tables) + len(html_tables) == len(model)
    pipe_model = [
        [[" ".join(cell_text(c).split()) for c in row] for row in _model_grid_rows(t)]
        for t in model
        if "<table>" not in to_markdown([t])
    ]
    assert parsed_tables == pipe_model
    html_model = [
        _model_grid(without_empty_rows(t)) for t in model if "<table>" in to_markdown([t])
    ]
    assert html_tables == [
        [[(" ".join(text.split()), rs, cs) for text, rs, cs in row] for row in grid]
        for grid in html_model
    ]


def _model_grid_rows(table: Table) -> list[list[Cell]]:
    rows: list[list[Cell]] = [[] for _ in range(table.rows)]
    for c in sorted(table.cells, key=lambda c: (c.row, c.col)):
        rows[c.row].append(c)
    return [r for r in rows if r]


def _unescaped(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def test_escaped_text_renders_as_written() -> None:
    """List markers, footnote stars and tilde ranges render literally, not as Markdown syntax."""
    blocks = [
        Paragraph("- (설비 유형) 에너지절감형", 2),
        Paragraph("* 원청기업 40% + 협력기업 10% 부담", 3),
        Paragraph("1. 곡류(미곡, 맥류)"),
        Paragraph("사업비*를 지원(4.13~5.6, 5월~11월)한다."),
        Paragraph("<KOSIS> 통계와 [참고](자료) 비교"),
        Paragraph("사절단)*을 파견하여 FIDAE(칠레)** 참석"),
        Paragraph("** (FIDAE) 칠레 항공우주국제전시회"),
        Paragraph("대상*이 아닌 기업 중 협력 중소기업*"),
    ]
    markdown = to_markdown(blocks)
    # Marks that no renderer could pair stay unescaped; a pair that could form is escaped.
    assert "사업비*를" in markdown and "\n\n** (FIDAE)" in markdown
    assert "사절단)\\*을" in markdown and "대상\\*이" in markdown
    html = MD.render(markdown)
    texts = [re.sub(r"<[^>]+>", "", line) for line in html.strip().split("\n")]
    assert [html_lib.unescape(t) for t in texts] == [b.text for b in blocks]


def test_body_text_and_rendered_markdown_hold_the_same_words() -> None:
    """The plain text and the Markdown, rendered to HTML, say the same words in the same order."""
    for name in ("156754124.hwpx", "156754127.hwpx", "156754052.hwpx", "156754239.hwpx"):
        ex = _extract(name)
        rendered = html_lib.unescape(re.sub(r"<[^>]+>", " ", MD.render(ex.markdown)))
        assert rendered.split() == ex.text.split()


def test_spacer_rows_are_dropped_and_spans_shortened() -> None:
    """156754194's outline box: an empty row under a two-row title cell goes from the grid."""
    def cell(row: int, col: int, text: str = "", rowspan: int = 1, colspan: int = 1) -> Cell:
        blocks = (Paragraph(text),) if text else ()
        return Cell(row, col, blocks, rowspan, colspan)

    box = Table(
        (cell(0, 0), cell(0, 1, "< 체결식 개요 >", rowspan=2), cell(0, 2), cell(1, 0), cell(1, 2),
         cell(2, 0, "▸ (일시) 4. 9(목)", colspan=3)),
        rows=3, cols=3,
    )
    assert to_markdown([box]) == (
        "<table><tr><td></td><td>&lt; 체결식 개요 &gt;</td><td></td></tr>"
        '<tr><td colspan="3">▸ (일시) 4. 9(목)</td></tr></table>'
    )
    ex = _extract("156754194.hwpx")
    assert "<tr><td></td><td>&lt; 플라스틱 중소기업" in ex.markdown
