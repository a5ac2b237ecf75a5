"""Structured documents from real PDF attachments (Hancom's PDF of each release) and from
small hand-written PDFs: tables over page breaks, merged cells, lists in cells, headings,
footnotes, nested tables, no text lost or doubled, and broken files reported, not raised."""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache
from xml.etree import ElementTree as ET

import pytest
from pypdf import PdfWriter
from rapidfuzz.distance import LCSseq

from kscrape.extract import Extraction, extract, extract_contacts
from kscrape.extract.model import Block, Bullets, Cell, Footnote, Heading, Paragraph, Table
from kscrape.extract.pdf import pdf_blocks
from kscrape.extract.pdf_words import WRAP, Words
from kscrape.extract.plaintext import cell_text

from .conftest import ATTACHMENTS

HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"


@cache
def _extract(news_id: str) -> Extraction:
    ex = extract((ATTACHMENTS / f"{news_id}.pdf").read_bytes())
    assert (ex.format, ex.status) == ("pdf", "ok"), ex.detail
    return ex


@cache
def _extract_hwpx(news_id: str) -> Extraction:
    return extract((ATTACHMENTS / f"{news_id}.hwpx").read_bytes())


def _tables(blocks: tuple[Block, ...] | list[Block]) -> list[Table]:
    out = []
    for b in blocks:
        if isinstance(b, Table):
            out.append(b)
            for c in b.cells:
                out.extend(_tables(c.blocks))
    return out


def _row(table: Table, row: int) -> list[str]:
    return [cell_text(c) for c in sorted(table.cells, key=lambda c: c.col) if c.row == row]


def _cell(table: Table, text: str) -> Cell:
    return next(c for c in table.cells if cell_text(c) == text)


def _hwpx_rows(news_id: str, header: list[str]) -> int:
    """Rows of the HWPX table whose first row is `header` (the same release, exact grid)."""
    with zipfile.ZipFile(ATTACHMENTS / f"{news_id}.hwpx") as zf:
        for name in sorted(n for n in zf.namelist() if n.startswith("Contents/section")):
            for tbl in ET.fromstring(zf.read(name)).iter(f"{HP}tbl"):
                first = tbl.find(f"{HP}tr")
                cells = [] if first is None else first.findall(f"{HP}tc")
                texts = ["".join(t.text or "" for t in c.iter(f"{HP}t")).strip() for c in cells]
                if texts == header:
                    return int(tbl.get("rowCnt", "0"))
    raise AssertionError(f"no HWPX table with header {header}")


# ---------------------------------------------------------------- tables


def test_table_over_four_page_breaks_is_one_table_with_its_header_once() -> None:
    """182's list of agencies runs over five pages; Hancom repeats its header on each."""
    header = ["유형", "주무부처", "기관명"]
    ex = _extract("156754182")
    tables = [t for t in _tables(ex.blocks) if _row(t, 0) == header]
    assert len(tables) == 1
    table = tables[0]
    assert table.rows == _hwpx_rows("156754182", header)
    assert all(_row(table, r) != header for r in range(1, table.rows))
    texts = " ".join(cell_text(c) for c in table.cells)
    assert "국립공원공단" in texts  # on the first page of the table
    assert "민주화운동기념사업회" in texts  # on its last page
    assert ex.text.count("유형\t주무부처\t기관명") == 1


def test_table_continued_after_a_repeated_caption_is_one_table() -> None:
    """060's budget table continues on page 3 under its "(단위: 억원)" caption again."""
    ex = _extract("156754060")
    tables = [t for t in _tables(ex.blocks) if t.cols == 5 and t.rows > 20]
    assert len(tables) == 1
    assert ex.text.count("(단위: 억원)") == 1


def test_merged_cells_carry_their_spans() -> None:
    """052's budget table: 회계⋅기금별 spans two rows, ’26년 two columns, as in the HWPX."""
    table = next(t for t in _tables(_extract("156754052").blocks) if t.rows == 12)
    assert table.cols == 6
    first = _cell(table, "회계⋅기금별")
    assert (first.row, first.col, first.rowspan, first.colspan) == (0, 0, 2, 1)
    year = _cell(table, "’26년")
    assert (year.row, year.rowspan, year.colspan) == (0, 1, 2)
    summary = next(t for t in _tables(_extract("156754052").blocks) if t.rows >= 16)
    assert (_cell(summary, "연 번").rowspan, _cell(summary, "‘26년").colspan) == (2, 2)


def test_rows_without_a_ruling_line_are_rows_of_their_own() -> None:
    """052's 일반회계 and 특별회계 rows share no ruled line yet are two rows of six cells."""
    table = next(t for t in _tables(_extract("156754052").blocks) if t.rows == 12)
    assert _row(table, 4) == ["⋅일반회계", "51,469", "59,082", "61,726", "2,644", "4.5"]
    assert _row(table, 5) == ["⋅특별회계", "6,080", "7,576", "7,696", "120", "1.6"]


def test_list_inside_a_cell_stays_in_its_cell() -> None:
    """The four ▪ items of one cell of 052's summary table are four items of that cell."""
    ex = _extract("156754052")
    summary = next(t for t in _tables(ex.blocks) if t.rows >= 16)
    cell = next(c for c in summary.cells if "일경험지원 확대" in cell_text(c))
    items = [b.text for b in cell.blocks if isinstance(b, Paragraph)]
    assert items == [
        "▪ 일경험지원 확대(+1.5천명)",
        "▪ 사회적가치형(신설) (+0.5천명)",
        "▪ 도전프로그램 확대(+1천명)",
        "▪ 성장프로젝트 확대(+3천명)",
    ]
    assert all(b.depth == 2 for b in cell.blocks if isinstance(b, Paragraph))
    top = [b.text for b in ex.blocks if isinstance(b, Paragraph)]
    assert not any("일경험지원 확대(+1.5천명)" in t for t in top)


SAME_DOCUMENT = sorted(p.stem for p in ATTACHMENTS.glob("*.pdf") if p.stem != "156754222")


@pytest.mark.parametrize("news_id", SAME_DOCUMENT)
def test_contacts_from_the_pdf_are_those_of_the_hwpx(news_id: str) -> None:
    """Contact tables rule only some of their columns and rows ("과 장 | 최영범 | (044-…)"
    share a cell's frame); each person's role, title, name, phone and e-mail still come out
    as from the HWPX of the same release. A department drawn as lines centred in one merged
    cell ("기후에너지환경부 / 기획재정담당관" over four rows) is read whole for each row."""
    pdf = extract_contacts(_extract(news_id).text)
    hwpx = extract_contacts(extract((ATTACHMENTS / f"{news_id}.hwpx").read_bytes()).text)
    assert len(pdf) == len(hwpx) >= 1
    for ours, theirs in zip(pdf, hwpx, strict=True):
        assert {k: v for k, v in ours.items() if k != "dept"} == {
            k: v for k, v in theirs.items() if k != "dept"
        }
        assert theirs["dept"] in ours["dept"]


def test_chart_steps_drawn_as_boxes_in_a_frame_are_paragraphs() -> None:
    """143's procedure chart is boxes in a dotted frame: text, not a table of boxes."""
    blocks = _extract("156754143").blocks
    paras = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert "참여자 선정 (4∼5월)" in paras
    assert "진단보고서 제공 (12월)" in paras
    assert not any("참여자 선정" in cell_text(c) for t in _tables(blocks) for c in t.cells)


def test_table_text_is_neither_doubled_nor_left_beside_the_table() -> None:
    """Glyphs inside a grid belong to its cells only."""
    ex = _extract("156754052")
    for value in ("353,452", "376,761", "295,903", "기업일자리지원과 (044-202-7229)"):
        assert ex.text.count(value) == 1, value
    assert not any("353,452" in b.text for b in ex.blocks if isinstance(b, Paragraph))


# ---------------------------------------------------------------- text


TYPICAL = sorted(
    p.stem
    for p in ATTACHMENTS.glob("*.pdf")
    # 222's PDF is another document (a photo page); 211's .md body is empty; the viewer
    # keeps the title box of 127 and 278 as body, which kscrape leaves out as cover.
    if p.stem not in {"156754222", "156754211", "156754127", "156754278"}
)
_STRIP_RE = re.compile(r"[\s|#*\-:>`]")
_CONTACTS_RE = re.compile(r"^## 담당 부서\n.*?(?=^## |\Z)", re.S | re.M)


def _viewer_body(news_id: str) -> str:
    """The viewer's body text, less its contact list (the record renders contacts itself)."""
    md = (ATTACHMENTS / f"{news_id}.md").read_text(encoding="utf-8")
    start = md.index("## 본문") + len("## 본문")
    end = md.find("\n## 첨부파일", start)
    return _CONTACTS_RE.sub("", md[start : end if end >= 0 else None])


@pytest.mark.parametrize("news_id", TYPICAL)
def test_no_text_is_lost(news_id: str) -> None:
    """At least 98% of the viewer's characters are found, in order, in the PDF's text."""
    truth = _STRIP_RE.sub("", _viewer_body(news_id))
    ours = _STRIP_RE.sub("", _extract(news_id).text)
    assert LCSseq.similarity(truth, ours) / len(truth) >= 0.98


def test_wrapped_lines_and_page_breaks_rejoin_into_paragraphs() -> None:
    """A sentence wrapped over lines, and one cut by a page break, are one paragraph each."""
    lead = next(b.text for b in _extract("156754052").blocks if isinstance(b, Paragraph))
    assert "유가‧환율 상승과 산업 충격에 따른 고용 충격 완화, 취약 노동자의" in lead
    assert lead.endswith("증액 의결되었다.")
    paras = [b.text for b in _extract("156754103").blocks if isinstance(b, Paragraph)]
    assert any("한국관을 방문하여 K-방산을 홍보할 수 있는 기회를 가졌다." in p for p in paras)


def test_korean_words_cut_by_a_line_break_are_whole_again() -> None:
    """188's PDF breaks "노사|관계", "기관|들은" and "고려대|학교" across lines."""
    text = _extract("156754188").text
    for words in ("합리적 노사관계 정립", "위탁교육기관들은", "(고려대학교 노동문제연구소"):
        assert words in text
    assert "\x00" not in text + _extract("156754188").markdown


def test_a_break_is_one_word_by_the_document_s_words_or_an_ending() -> None:
    words = Words(["노사관계 전문가", "따른 고용 충격"])
    assert words.resolve(f"합리적 노사{WRAP}관계 정립") == "합리적 노사관계 정립"
    assert words.resolve(f"순차적{WRAP}으로 집행") == "순차적으로 집행"
    assert words.resolve(f"설명을{WRAP}하고 있다") == "설명을 하고 있다"
    assert words.resolve(f"충격에 따른{WRAP}고용 충격") == "충격에 따른 고용 충격"
    assert words.resolve(f"a{WRAP}b{WRAP}c") == "a b c"


def test_cover_page_numbers_and_running_lines_are_not_body() -> None:
    for news_id in ("156754052", "156754182", "156754124"):
        text = _extract(news_id).text
        assert "보도시점" not in text
        assert not re.search(r"^- \d+ -$", text, re.M)


def test_two_pages_printed_on_one_landscape_sheet_read_left_page_first() -> None:
    """124's first sheet holds pages 1 and 2 side by side; each reads as a column."""
    text = _extract("156754124").text
    left = "4월 13일(월)부터 5월 6일(수) 16시까지 모집한다고 밝혔다."
    right = "이에 따라, 원청기업이 협력 중소기업의 탄소 배출량 감축을 지원할 경우"
    assert left in text and right in text
    assert text.index(left) < text.index(right)


def test_section_titles_are_headings() -> None:
    """Titles in a larger or headline face and boxed titles are headings; a "붙임" label box
    beside its title opens an attachment and is a heading too, as in the HWPX."""
    heads = [b.text for b in _extract("156754052").blocks if isinstance(b, Heading)]
    assert "고용노동부 2026년 제1회 추경 예산 주요내용" in heads
    assert "Ⅰ. 총지출" in heads
    assert "체불‧저소득근로자 등 생활안정지원 (+1,215억)" in heads
    assert "ㅇ" not in "".join(h[:1] for h in heads)
    attached = [b.text for b in _extract("156754182").blocks if isinstance(b, Heading)]
    assert attached[0] == "붙임1 ’26년 공공기관 개인정보 보호수준 평가 개요"
    assert "붙임2 ’26년 공공기관 개인정보 보호수준 평가 대상기관" in attached
    markdown = _extract("156754148").markdown
    assert "\n## 지식재산처 기획조정관 약력\n" in markdown


def test_markdown_keeps_merged_cells_as_html() -> None:
    md = _extract("156754052").markdown
    assert '<td rowspan="2">회계⋅기금별</td>' in md
    assert '<td colspan="2">’26년</td>' in md


# ---------------------------------------------------------------- hand-made PDFs

PAGE_H = 842


def _pdf(*ops: str, width: int = 595) -> bytes:
    """A one-page PDF drawing `ops` (Helvetica as /F1), with a correct cross-reference table."""
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {PAGE_H}] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % k + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    size = len(objects) + 1
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


def _text(x: float, top: float, words: str, size: float = 11) -> str:
    literal = words.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"BT /F1 {size} Tf {x} {PAGE_H - top - size} Td ({literal}) Tj ET"


def _line(x0: float, top0: float, x1: float, top1: float) -> str:
    return f"0.5 w {x0} {PAGE_H - top0} m {x1} {PAGE_H - top1} l S"


def _grid(xs: list[float], ys: list[float]) -> list[str]:
    return [_line(xs[0], y, xs[-1], y) for y in ys] + [_line(x, ys[0], x, ys[-1]) for x in xs]


def test_nested_table_stays_inside_its_cell() -> None:
    """A 2 × 2 table drawn inside a cell of another is that cell's table, not page text."""
    data = _pdf(
        _text(60, 60, "Body text above the table."),
        *_grid([50, 250, 500], [100, 150, 330]),
        *_grid([270, 380, 480], [180, 230, 280]),
        _text(60, 115, "Left head"),
        _text(260, 115, "Right head"),
        _text(60, 200, "Outer cell"),
        _text(260, 160, "Holds a table:"),
        _text(280, 195, "Inner A"),
        _text(390, 195, "Inner B"),
        _text(280, 245, "Inner C"),
        _text(390, 245, "Inner D"),
    )
    blocks = pdf_blocks(data)
    assert [type(b) for b in blocks] == [Paragraph, Table]
    outer = blocks[1]
    assert (outer.rows, outer.cols) == (2, 2)
    holder = next(c for c in outer.cells if (c.row, c.col) == (1, 1))
    assert isinstance(holder.blocks[0], Paragraph)
    assert holder.blocks[0].text == "Holds a table:"
    inner = holder.blocks[1]
    assert isinstance(inner, Table)
    assert (inner.rows, inner.cols) == (2, 2)
    assert [cell_text(c) for c in inner.cells] == ["Inner A", "Inner B", "Inner C", "Inner D"]
    assert cell_text(next(c for c in outer.cells if (c.row, c.col) == (1, 0))) == "Outer cell"


def test_footnotes_under_a_short_rule_are_footnotes() -> None:
    """Smaller lines under a short rule at the left margin are the page's footnotes."""
    data = _pdf(
        _text(50, 80, "The body says something worth a note.1)", size=12),
        _text(50, 100, "A second body line follows here.", size=12),
        _line(50, 700, 180, 700),
        _text(50, 710, "1) The first note explains it.", size=9),
        _text(50, 724, "2) The second note adds a source.", size=9),
    )
    blocks = pdf_blocks(data)
    notes = [b for b in blocks if isinstance(b, Footnote)]
    assert [(n.mark, n.text) for n in notes] == [
        ("1)", "The first note explains it."),
        ("2)", "The second note adds a source."),
    ]
    body = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert not any("note explains" in t for t in body)


def test_underlined_text_is_not_a_footnote_separator() -> None:
    data = _pdf(
        _text(50, 600, "Underlined words", size=12),
        _line(50, 613, 150, 613),
        _text(50, 700, "1) A numbered line in the body.", size=9),
    )
    assert not any(isinstance(b, Footnote) for b in pdf_blocks(data))


# ---------------------------------------------------------------- broken files


def test_truncated_pdf_is_damaged_not_an_exception() -> None:
    data = (ATTACHMENTS / "156754052.pdf").read_bytes()
    ex = extract(data[: len(data) // 2])
    assert (ex.format, ex.status, ex.text) == ("pdf", "damaged", "")
    assert ex.detail


def test_garbage_after_the_pdf_header_is_damaged() -> None:
    ex = extract(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert (ex.format, ex.status) == ("pdf", "damaged")


def test_password_protected_pdf_is_encrypted() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    buf = io.BytesIO()
    writer.write(buf)
    ex = extract(buf.getvalue())
    assert (ex.format, ex.status, ex.text) == ("pdf", "encrypted", "")


def test_pdf_in_latin_text_only_is_garbled_not_ok() -> None:
    """A Korean release whose text is all Latin letters is not trusted as a body."""
    ex = extract(_pdf(_text(50, 80, "Nothing here is Hangul at all, only Latin words.")))
    assert (ex.status, ex.text) == ("garbled", "")


@pytest.mark.parametrize("news_id", ["156754098", "156754211", "156754249", "156754180"])
def test_subtitles_of_the_title_box_open_the_body_as_in_the_hwpx(news_id: str) -> None:
    """The cover goes, its subtitles stay: the same list items as the HWPX of the release,
    with the document's own line breaks settled (no break mark left in the text)."""
    pdf, hwpx = _extract(news_id), _extract_hwpx(news_id)
    ours = [b.items for b in pdf.blocks if isinstance(b, Bullets)]
    assert ours and ours == [b.items for b in hwpx.blocks if isinstance(b, Bullets)]
    assert pdf.blocks[0] == Bullets(ours[0])
    assert "\x00" not in pdf.text and "보도시점" not in pdf.text
