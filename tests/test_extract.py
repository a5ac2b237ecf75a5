"""Attachment text extraction on real korea.kr releases (HWPX, HWP 5, PDF) and hostile input."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from kscrape.errors import ExtractError
from kscrape.extract import Extraction, best_text, extract, extract_contacts, sniff
from kscrape.extract.model import Bullets

FIXTURES = Path(__file__).parent / "fixtures" / "attachments"


def _bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _rows(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.split("\n") if "\t" in line]


def _squashed(text: str) -> str:
    return "".join(text.split())


# Each case: file, a body sentence, cells that share one table row, a contact name and phone,
# all read off the viewer's rendering in the matching .md file.
HWPX_CASES = [
    (
        "156754052.hwpx",
        "본예산 대비 총 4,165억원 규모로 증액 의결되었다.",
        ["- 예산지출(a)", "57,549", "66,657", "69,422", "2,764", "4.1"],
        ("최영범", "044-202-7026"),
    ),
    (
        "156754188.hwpx",
        "고용노동교육 2.0 시대를 선포하고",
        ["고려대학교 노동문제연구소", "서울특별시 성북구 안암로 145", "2026.4.28.(화)~11.3.(화)"],
        ("안성민", "031-760-7830"),
    ),
    (
        "156754228.hwpx",
        "과징금 9백만 원을 부과하기로 결정하였다.",
        ["지주", "지주회사의 부채비율을 200% 이하로 유지"],
        ("음잔디", "044-200-4842"),
    ),
]
HWP5_CASES = [
    (
        "156754127.hwpx",
        "선정된 13개 국내 유통플랫폼들과 협약식을 갖고",
        ["10:25-11:20", "55‘", "･ 기업별 해외진출 전략공유 및 의견수렴", "참석자"],
        ("오세형", "044-203-4389"),
    ),
]
PDF_CASES = [
    (
        "156754052.pdf",
        "본예산 대비 총 4,165억원 규모로 증액 의결되었다.",
        "체불청산지원융자",
        "최영범",
    ),
    ("156754188.pdf", "고용노동교육 2.0 시대를 선포하고", "서울특별시 성북구 안암로 145", "안성민"),
    (
        "156754105.pdf",
        "고립된 소방공무원 구조에 최선을 다할 것",
        "안전환경에너지정책관실",
        "장준경",
    ),
]


@pytest.mark.parametrize(("name", "sentence", "row", "contact"), HWPX_CASES + HWP5_CASES)
def test_hwp_family_yields_body_sentence_table_row_and_contact(
    name: str, sentence: str, row: list[str], contact: tuple[str, str]
) -> None:
    """HWPX and HWP 5 bodies hold the sentence, a table row as tab-separated cells, a contact."""
    ex = extract(_bytes(name))
    assert ex.status == "ok", ex.detail
    assert _squashed(sentence) in _squashed(ex.text)
    assert any(all(cell in cells for cell in row) for cells in _rows(ex.text)), row
    people = {(c["name"], c["phone"]) for c in extract_contacts(ex.text)}
    assert contact in people


def test_hwp5_files_are_named_hwpx_but_detected_as_hwp() -> None:
    """The two HWP 5 binaries served as .hwpx are told apart by their bytes, not their name."""
    index = json.loads((FIXTURES / "index.json").read_text(encoding="utf-8"))
    binaries = [i["news_id"] for i in index if i["hwpx_bytes_are"] == "hwp5"]
    assert sorted(binaries) == ["156754125", "156754127"]
    for news_id in binaries:
        data = _bytes(f"{news_id}.hwpx")
        assert sniff(data) == "hwp"
        assert extract(data).format == "hwp"


@pytest.mark.parametrize(("name", "sentence", "cell", "name_"), PDF_CASES)
def test_pdf_yields_body_sentence_table_cell_and_contact(
    name: str, sentence: str, cell: str, name_: str
) -> None:
    """PDF text holds the sentence (lines re-joined), a table cell and a contact name."""
    ex = extract(_bytes(name))
    assert ex.status == "ok", ex.detail
    assert ex.format == "pdf"
    assert _squashed(sentence) in _squashed(ex.text)
    assert cell in ex.text
    assert name_ in {c["name"] for c in extract_contacts(ex.text)}


def test_masthead_title_and_embargo_line_are_not_body() -> None:
    """The cover tables (release type, 보도시점, title box) are dropped as the viewer does."""
    text = extract(_bytes("156754105.hwpx")).text
    assert "보도시점" not in text
    assert text.startswith("□ 김민석 국무총리는")


def test_text_is_clean_paragraphs_without_blank_runs() -> None:
    """Paragraphs are separated by exactly one blank line and carry no stray whitespace."""
    text = extract(_bytes("156754098.hwpx")).text
    assert "\n\n\n" not in text
    assert all(line == line.strip() for line in text.split("\n") if "\t" not in line)


@pytest.mark.parametrize(
    ("name", "kind"),
    [("156754105.hwpx", "hwpx"), ("156754125.hwpx", "hwp"), ("156754105.pdf", "pdf")],
)
def test_sniff_tells_kind_by_magic_bytes(name: str, kind: str) -> None:
    """Real files sniff as what their bytes are."""
    assert sniff(_bytes(name)) == kind


def test_sniff_recognises_html_plain_zip_and_junk() -> None:
    """HTML pages (with BOM/whitespace), non-HWPX zips and unknown bytes get their own kinds."""
    assert sniff(b"\xef\xbb\xbf \n<!DOCTYPE html><html><body>error</body></html>") == "html"
    assert sniff(b"<html><head><title>404</title></head></html>") == "html"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert sniff(buf.getvalue()) == "zip"
    assert sniff(b"\x00\x01garbage") == "other"


def test_html_error_page_raises_extract_error() -> None:
    """An HTML page served in place of the file is not a document."""
    page = b"<!DOCTYPE html>\n<html><body>\xec\x98\xa4\xeb\xa5\x98</body></html>"
    with pytest.raises(ExtractError, match="HTML page"):
        extract(page)


def test_truncated_hwpx_is_damaged_not_an_exception() -> None:
    """A zip cut short reports "damaged" with no text."""
    data = _bytes("156754105.hwpx")
    ex = extract(data[: len(data) // 2])
    assert ex.format == "hwpx"
    assert ex.status == "damaged"
    assert ex.text == ""


@pytest.mark.parametrize(("flag", "detail"), [(0x02, "password"), (0x04, "배포용")])
def test_protected_hwp5_is_reported_encrypted(flag: int, detail: str) -> None:
    """Password and distribution (배포용) flags in the FileHeader give status "encrypted"."""
    data = bytearray(_bytes("156754125.hwpx"))
    at = data.index(b"HWP Document File") + 36
    data[at] |= flag
    ex = extract(bytes(data))
    assert (ex.format, ex.status, ex.text) == ("hwp", "encrypted", "")
    assert detail in ex.detail


def test_hwp3_is_unsupported() -> None:
    """HWP 3 files are recognised but not read."""
    ex = extract(b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\x00" * 200)
    assert (ex.format, ex.status) == ("hwp", "unsupported")


def test_pdf_without_text_is_not_ok() -> None:
    """A PDF with no text layer is reported "empty", never "ok" with junk."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    writer.write(buf)
    ex = extract(buf.getvalue())
    assert (ex.format, ex.status, ex.text) == ("pdf", "empty", "")


def test_zip_bomb_stops_at_the_size_budget() -> None:
    """A section that inflates far beyond the input is cut off and reported as damaged."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/hwp+zip")
        zf.writestr("Contents/section0.xml", b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>")
    data = buf.getvalue()
    assert len(data) < 200_000
    ex = extract(data)
    assert ex.status == "damaged"
    assert "limit" in ex.detail


def test_generated_hwpx_round_trips() -> None:
    """A package made by the replica site's HWPX writer extracts back to its body lines."""
    hwpx = pytest.importorskip("kscrape.replica.hwpx")
    body = "첫째 문단은 여기에 있습니다.\n\n둘째 문단도 그대로 나옵니다."
    data = hwpx.make_hwpx("시험 제목", body, ministry="행정안전부", date="2026-04-13")
    ex = extract(data)
    assert sniff(data) == "hwpx"
    assert ex.status == "ok"
    assert "첫째 문단은 여기에 있습니다." in ex.text
    assert "둘째 문단도 그대로 나옵니다." in ex.text


def test_minimal_hwpx_with_table_gives_tab_separated_row() -> None:
    """A hand-made OWPML section: paragraph, then a table row as tab-separated cells."""
    ns = 'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"'

    def cell(text: str) -> str:
        run = f"<hp:p><hp:run><hp:t>{text}</hp:t></hp:run></hp:p>"
        return f"<hp:tc><hp:subList>{run}</hp:subList></hp:tc>"

    section = (
        f'<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" {ns}>'
        "<hp:p><hp:run><hp:t>본문 첫 문장입니다.</hp:t></hp:run></hp:p>"
        f"<hp:p><hp:run><hp:tbl><hp:tr>{cell('구분')}{cell('금액')}</hp:tr></hp:tbl></hp:run></hp:p>"
        "</hs:sec>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/hwp+zip")
        zf.writestr("Contents/section0.xml", section)
    ex = extract(buf.getvalue())
    assert ex.text == "본문 첫 문장입니다.\n\n구분\t금액"


def test_best_text_prefers_hwp_family_then_pdf_and_skips_failures() -> None:
    """HWPX/HWP "ok" wins over PDF; nothing usable gives None."""
    pdf = Extraction("pdf", "pdf text", "ok")
    hwpx = Extraction("hwpx", "hwpx text", "ok")
    broken = Extraction("hwp", "", "encrypted", "distribution (배포용) HWP")
    assert best_text([pdf, broken, hwpx]) is hwpx
    assert best_text([broken, pdf]) is pdf
    assert best_text([broken]) is None


def test_contacts_from_flowed_pdf_lines() -> None:
    """Contact rows flowed into one line still split per person, with dept carried over."""
    text = (
        "담당 부서 법무부 검찰국 검찰과책임자 과장 김수홍 (02-2110-3248)"
        "담당자 검사 김민수 (02-2110-4204)"
    )
    assert extract_contacts(text) == [
        {
            "role": "책임자",
            "dept": "법무부 검찰국 검찰과",
            "title": "과장",
            "name": "김수홍",
            "phone": "02-2110-3248",
            "email": "",
        },
        {
            "role": "담당자",
            "dept": "법무부 검찰국 검찰과",
            "title": "검사",
            "name": "김민수",
            "phone": "02-2110-4204",
            "email": "",
        },
    ]


def test_contacts_none_in_plain_body() -> None:
    """A body without a contact block yields no contacts, phone numbers in tables included."""
    text = "□ 문의는 콜센터(1588-0000)로 하면 된다.\n\n사업명\t금액\t044-202-7229"
    assert extract_contacts(text) == []


def test_pdf_cover_at_the_foot_of_page_one_is_dropped() -> None:
    """The cover (embargo, label, title) goes wherever the page draws it; its subtitles open
    the text, then the body follows."""
    text = extract(_bytes("156754275.pdf")).text
    summary, body = text.split("\n\n", 1)
    assert summary.splitlines()[-1] == ("외환시장 선진화 제도 안착을 위한 범정부적인 협력과 "
                                        "의지 강조")
    assert body.startswith("문지성 재정경제부 국제경제관리관은")
    assert "보도시점" not in text and text.count("범정부적인 협력과 의지 강조") == 1
    assert "노력을 지속하겠다고 언급하였다." in text


def test_pdf_embargo_continuation_lines_are_cover_not_body() -> None:
    """Date lines under the embargo line ("< 4. 14.(화) 조간 >", "/ 배포 …") are dropped."""
    for name, opening in [
        ("156754261.pdf", "국립한국농수산대학교(총장 이주명"),
        ("156754228.pdf", "공정거래위원회(위원장 주병기"),
    ]:
        text = extract(_bytes(name)).text
        assert _body_after_summary(name).startswith(opening), text[:80]
        assert "조간" not in text


def test_pdf_body_after_subtitles_is_kept_even_without_indent() -> None:
    """The first body paragraph survives when it is neither indented nor bulleted."""
    text = extract(_bytes("156754267.pdf")).text
    body = _body_after_summary("156754267.pdf")
    assert body.startswith("조달청(청장 백승보)은 공공부문의 디지털 전환을")
    assert text.count("초기 진입장벽 완화로") == 1
    summary, rest = text.split("\n\n", 1)
    assert "초기 진입장벽 완화로" in summary and "초기 진입장벽 완화로" not in rest


def test_pdf_ballot_box_bullet_opens_a_paragraph() -> None:
    """A ☐ bullet starts the body instead of being glued to the subtitle above it."""
    text = extract(_bytes("156754282.pdf")).text
    body = _body_after_summary("156754282.pdf")
    assert body.startswith("☐ 홍지선 국토교통부 2차관은 4월 13일 오후")
    assert text.split("\n\n", 1)[0].endswith("유가보조금 집행현황 점검, 대중교통 활성화 방안 논의")


def _body_after_summary(name: str) -> str:
    """The text after the title box's subtitles that open it (a Bullets block), if any."""
    ex = extract(_bytes(name))
    if not ex.blocks or not isinstance(ex.blocks[0], Bullets):
        return ex.text
    summary = "\n".join(ex.blocks[0].items) + "\n\n"
    assert ex.text.startswith(summary)
    return ex.text[len(summary):]


def test_pdf_repeated_table_header_rows_are_read_once() -> None:
    """A table header row repeated at the top of each continued page appears once."""
    pages = PdfReader(io.BytesIO(_bytes("156754182.pdf"))).pages
    raw = [line.strip() for page in pages for line in page.extract_text().splitlines()]
    assert raw.count("주무부처 기관명") == 4
    text = extract(_bytes("156754182.pdf")).text
    assert text.count("유형\t주무부처\t기관명") == 1
    assert text.count("주무부처\t기관명") - text.count("유형\t주무부처\t기관명") == 1


def test_body_set_in_a_box_below_the_cover_is_kept() -> None:
    """A release whose whole text sits in a one-cell table after the title box keeps it."""
    text = extract(_bytes("156754211.hwpx")).text
    assert "경력법조인 출신 신임검사 임용 대상자 총 48명의 명단을" in text
    assert "보도시점" not in text
    assert ("김수홍", "02-2110-3248") in {(c["name"], c["phone"]) for c in extract_contacts(text)}
